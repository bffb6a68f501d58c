/* emit.h - what an op emitter may use to write C (backend/c/emit.c).
 *
 * The core emitter (emit.c) writes OUT.h, the file-scope constants, and the
 * PREFIX_run function; for each node it calls spcc_emit_<op>, which appends
 * statements to the body of PREFIX_run and may add file-scope declarations
 * (parameter blocks). Every tensor is named by a local pointer variable of
 * its element type declared at the top of PREFIX_run (inputs are
 * `const T *`, everything else `T *`; constants are `static const T []`),
 * and spcc_emit_ptr returns that name.
 *
 * Every string returned here (pointer expressions, symbols) stays valid
 * until the emission ends, so emitters may hold them freely.
 */
#ifndef SPCC_BACKEND_C_EMIT_H
#define SPCC_BACKEND_C_EMIT_H

#include "spcc/spcc.h"

typedef struct spcc_emitter spcc_emitter;

const spcc_graph *spcc_emit_graph(const spcc_emitter *e);
/* C expression for the data of value vid ("NULL" when vid is -1). */
const char *spcc_emit_ptr(spcc_emitter *e, int vid);
/* A statement in PREFIX_run's body (indentation and newline added). */
void spcc_emit_line(spcc_emitter *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Raw text at file scope, before PREFIX_run (newline not added). */
void spcc_emit_decl(spcc_emitter *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A fresh file-scope identifier "<hint>_<k>", valid C, unique in OUT.c. */
const char *spcc_emit_symbol(spcc_emitter *e, const char *hint);

/* Parameter blocks: `static const TYPE sym = { .f = v, ... };` at file scope.
 * begin returns sym; the fields follow in any order; end closes it. */
const char *spcc_emit_params_begin(spcc_emitter *e, const char *type, const char *hint);
void spcc_emit_param_i64(spcc_emitter *e, const char *field, int64_t v);
void spcc_emit_param_i64s(spcc_emitter *e, const char *field, const int64_t *v, int n);
void spcc_emit_param_f32(spcc_emitter *e, const char *field, float v);
void spcc_emit_param_f64(spcc_emitter *e, const char *field, double v);
void spcc_emit_params_end(spcc_emitter *e);

/* Bit-exact C99 literals: hex floats, with INFINITY / NAN from <math.h>. */
void spcc_format_f32(char *buf, size_t n, float v);  /* "0x1.8p+1f", "-INFINITY" */
void spcc_format_f64(char *buf, size_t n, double v); /* "0x1.8p+1" */

#endif
