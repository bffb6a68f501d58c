/* einsum.c - Einsum's equation and shape rule.
 *
 * The equation ("bij,bjk->bik", spaces allowed) has one term per input and
 * an optional output after "->". Letters label axes; "..." stands for the
 * axes a term does not name, which broadcast across the inputs (numpy
 * rules) and lead the implicit output. A letter repeated within one term
 * takes a diagonal. Without "->" the output is the ellipsis axes followed
 * by the letters that occur exactly once, in ASCII order (numpy's implicit
 * mode). Labels present in the output are kept, the others summed; an axis
 * of size 1 broadcasts against its label's size.
 */
#include <string.h>

#include "einsum_plan.h"
#include "passes/passes.h"

#define MAX_EQ 512
#define ELL_BASE 128 /* label codes of the ellipsis axes: ELL_BASE + k */

typedef struct {
  int n;                          /* axes named by the term, ellipsis expanded */
  int code[SPCC_MAX_RANK * 2];    /* letter, or ELL_BASE + ellipsis axis */
  bool has_ell;
} term;

/* Parses one term of letters and at most one "..." into codes (the
 * ellipsis expands to ell_rank axes, aligned right against `ell_total`). */
static bool parse_term(const char *s, size_t len, int rank, term *t, int *ell_rank,
                       const spcc_graph *g, const spcc_node *n, spcc_diag *d) {
  int letters = 0;
  t->has_ell = false;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '.') {
      if (t->has_ell || i + 2 >= len || strncmp(s + i, "...", 3) != 0) {
        spcc_node_error(d, g, n, "equation term '%.*s': bad ellipsis", (int)len, s);
        return false;
      }
      t->has_ell = true;
      i += 2;
    } else if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')) {
      letters++;
    } else {
      spcc_node_error(d, g, n, "equation term '%.*s': unexpected '%c'", (int)len, s, s[i]);
      return false;
    }
  }
  *ell_rank = t->has_ell ? rank - letters : 0;
  if ((!t->has_ell && letters != rank) || *ell_rank < 0 || letters > 2 * SPCC_MAX_RANK) {
    spcc_node_error(d, g, n, "equation term '%.*s' does not match an input of rank %d", (int)len,
                    s, rank);
    return false;
  }
  t->n = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '.') {
      for (int k = 0; k < *ell_rank; k++) t->code[t->n++] = -1 - k; /* patched by the caller */
      i += 2;
    } else {
      t->code[t->n++] = (unsigned char)s[i];
    }
  }
  return true;
}

bool spcc_einsum_plan(const spcc_graph *g, const spcc_node *n, spcc_einsum_params *p,
                      int *rank, int64_t *dims, spcc_diag *d) {
  memset(p, 0, sizeof *p);
  const char *raw = spcc_attr_string(n, "equation", NULL);
  if (!raw) {
    spcc_node_error(d, g, n, "missing attribute 'equation'");
    return false;
  }
  char eq[MAX_EQ];
  size_t len = 0;
  for (const char *s = raw; *s; s++) {
    if (*s == ' ') continue;
    if (len + 1 >= sizeof eq) {
      spcc_node_error(d, g, n, "unsupported: equation longer than %d characters", MAX_EQ - 1);
      return false;
    }
    eq[len++] = *s;
  }
  eq[len] = 0;
  if (n->n_in < 1 || n->n_in > SPCC_EINSUM_MAX_OPERANDS) {
    spcc_node_error(d, g, n, "unsupported: Einsum of %d inputs (1 to %d)", n->n_in,
                    SPCC_EINSUM_MAX_OPERANDS);
    return false;
  }
  const char *arrow = strstr(eq, "->");
  size_t lhs_len = arrow ? (size_t)(arrow - eq) : len;

  /* Input terms. */
  term terms[SPCC_EINSUM_MAX_OPERANDS];
  int ell_rank[SPCC_EINSUM_MAX_OPERANDS], ell_total = 0;
  size_t start = 0;
  spcc_dtype dt = spcc_in_type(g, n, 0)->dtype;
  for (int k = 0; k < n->n_in; k++) {
    size_t end = start;
    while (end < lhs_len && eq[end] != ',') end++;
    if ((k == n->n_in - 1) != (end == lhs_len)) {
      spcc_node_error(d, g, n, "equation '%s' has %s terms than the %d inputs", raw,
                      end == lhs_len ? "fewer" : "more", n->n_in);
      return false;
    }
    const spcc_type *t = spcc_in_type(g, n, k);
    if (!t || t->dtype != dt) {
      spcc_node_error(d, g, n, "input %d is missing or of another element type", k);
      return false;
    }
    if (!parse_term(eq + start, end - start, t->rank, &terms[k], &ell_rank[k], g, n, d))
      return false;
    if (ell_rank[k] > ell_total) ell_total = ell_rank[k];
    start = end + 1;
  }
  if (dt != SPCC_DT_F32 && dt != SPCC_DT_F64 && dt != SPCC_DT_I32 && dt != SPCC_DT_I64 &&
      dt != SPCC_DT_U32 && dt != SPCC_DT_U64) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
    return false;
  }
  /* Ellipsis axes align right: operand k's axis j is broadcast axis
   * ell_total - ell_rank[k] + j. */
  for (int k = 0; k < n->n_in; k++)
    for (int a = 0; a < terms[k].n; a++)
      if (terms[k].code[a] < 0)
        terms[k].code[a] = ELL_BASE + ell_total - ell_rank[k] + (-1 - terms[k].code[a]);

  /* Every label's size: equal, or 1 broadcasting. */
  int64_t size[ELL_BASE + SPCC_MAX_RANK * 2];
  int count[ELL_BASE + SPCC_MAX_RANK * 2];
  for (int c = 0; c < ELL_BASE + SPCC_MAX_RANK * 2; c++) size[c] = -1, count[c] = 0;
  for (int k = 0; k < n->n_in; k++) {
    const spcc_type *t = spcc_in_type(g, n, k);
    for (int a = 0; a < terms[k].n; a++) {
      int c = terms[k].code[a];
      int64_t dim = t->dims[a];
      count[c]++;
      if (size[c] < 0 || size[c] == 1) {
        if (size[c] < 0 || dim != 1) size[c] = dim;
      } else if (dim != size[c] && dim != 1) {
        spcc_node_error(d, g, n, "label '%c' has sizes %lld and %lld",
                        c >= ELL_BASE ? '.' : c, (long long)size[c], (long long)dim);
        return false;
      }
    }
  }

  /* Output labels. */
  int out[2 * SPCC_MAX_RANK], n_out = 0;
  if (arrow) {
    const char *o = arrow + 2;
    bool ell = false;
    for (size_t i = 0; o[i]; i++) {
      if (o[i] == '.' && strncmp(o + i, "...", 3) == 0 && !ell) {
        for (int j = 0; j < ell_total && n_out < 2 * SPCC_MAX_RANK; j++) out[n_out++] = ELL_BASE + j;
        ell = true;
        i += 2;
        continue;
      }
      int c = (unsigned char)o[i];
      bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      bool dup = false;
      for (int j = 0; j < n_out; j++) dup = dup || out[j] == c;
      if (!letter || !count[c] || dup || n_out == 2 * SPCC_MAX_RANK) {
        spcc_node_error(d, g, n, "equation '%s': bad output label '%c'", raw, o[i]);
        return false;
      }
      out[n_out++] = c;
    }
    if (ell_total && !ell) {
      spcc_node_error(d, g, n, "unsupported: equation '%s' drops the ellipsis axes", raw);
      return false;
    }
  } else {
    for (int j = 0; j < ell_total; j++) out[n_out++] = ELL_BASE + j;
    for (int c = 'A'; c <= 'z'; c++)
      if (count[c] == 1 && n_out < 2 * SPCC_MAX_RANK) out[n_out++] = c;
  }
  if (n_out > SPCC_MAX_RANK) {
    spcc_node_error(d, g, n, "unsupported: output of rank %d", n_out);
    return false;
  }

  /* Labels: output first, then the summed ones in order of appearance. */
  int label_of[ELL_BASE + SPCC_MAX_RANK * 2];
  for (int c = 0; c < ELL_BASE + SPCC_MAX_RANK * 2; c++) label_of[c] = -1;
  int nl = 0;
  for (int j = 0; j < n_out; j++) label_of[out[j]] = nl++;
  for (int k = 0; k < n->n_in; k++)
    for (int a = 0; a < terms[k].n; a++)
      if (label_of[terms[k].code[a]] < 0) {
        if (nl == SPCC_EINSUM_MAX_LABELS) {
          spcc_node_error(d, g, n, "unsupported: more than %d labels", SPCC_EINSUM_MAX_LABELS);
          return false;
        }
        label_of[terms[k].code[a]] = nl++;
      }
  p->n_operands = n->n_in;
  p->n_labels = nl;
  p->n_out_labels = n_out;
  for (int c = 0; c < ELL_BASE + SPCC_MAX_RANK * 2; c++)
    if (label_of[c] >= 0) p->dims[label_of[c]] = size[c] < 0 ? 1 : size[c];
  for (int k = 0; k < n->n_in; k++) {
    const spcc_type *t = spcc_in_type(g, n, k);
    int64_t stride = 1;
    for (int a = terms[k].n - 1; a >= 0; a--) {
      int l = label_of[terms[k].code[a]];
      if (!(t->dims[a] == 1 && p->dims[l] != 1))
        p->strides[k * SPCC_EINSUM_MAX_LABELS + l] += stride;
      stride *= t->dims[a];
    }
  }
  *rank = n_out;
  for (int j = 0; j < n_out; j++) dims[j] = p->dims[j];
  return true;
}

bool spcc_shape_einsum(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  spcc_einsum_params p;
  int rank;
  int64_t dims[SPCC_MAX_RANK];
  if (!spcc_einsum_plan(g, n, &p, &rank, dims, d)) return false;
  spcc_set_output(g, n, 0, spcc_in_type(g, n, 0)->dtype, rank, dims);
  return true;
}
