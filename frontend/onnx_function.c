/* onnx_function.c - model-local functions (ModelProto.functions), inlined.
 *
 * Exporters built on onnxscript (PyTorch's dynamo exporter, for one) wrap
 * pieces of a model in FunctionProtos called from the graph as nodes of a
 * custom domain. A call is imported like a subgraph: a fresh scope (values
 * named "<call>/<name>") where the function's formal inputs are bound to
 * the call's inputs, the body's nodes imported with the function's own
 * opset for the default domain, and the call's outputs bound to the
 * formal outputs. A body attribute that refers to an attribute of the
 * function (ref_attr_name) takes the call's value under the body
 * attribute's name, or is left out (so the op's default applies) when the
 * call does not set it. Calls nest; recursion stops at the nesting limit.
 */
#include <stdlib.h>
#include <string.h>

#include "import.h"

static bool same_domain(const char *a, const char *b) {
  const bool a_dflt = !a || !*a || strcmp(a, "ai.onnx") == 0;
  const bool b_dflt = !b || !*b || strcmp(b, "ai.onnx") == 0;
  if (a_dflt || b_dflt) return a_dflt && b_dflt;
  return strcmp(a, b) == 0;
}

const Onnx__FunctionProto *spcc_fe_find_function(const spcc_fe_importer *im,
                                                 const Onnx__NodeProto *np) {
  for (size_t i = 0; im->model && i < im->model->n_functions; i++) {
    const Onnx__FunctionProto *f = im->model->functions[i];
    if (f && f->name && np->op_type && strcmp(f->name, np->op_type) == 0 &&
        same_domain(f->domain, np->domain))
      return f;
  }
  return NULL;
}

const Onnx__NodeProto *spcc_fe_resolve_refs(const spcc_fe_importer *im,
                                            const Onnx__NodeProto *np, Onnx__NodeProto *tmp,
                                            Onnx__AttributeProto **attrs,
                                            Onnx__AttributeProto *copies) {
  bool any = false;
  for (size_t k = 0; k < np->n_attribute; k++)
    any = any || (np->attribute[k] && np->attribute[k]->ref_attr_name &&
                  *np->attribute[k]->ref_attr_name);
  if (!any || !im->caller) return np;
  *tmp = *np;
  tmp->attribute = attrs;
  tmp->n_attribute = 0;
  for (size_t k = 0; k < np->n_attribute; k++) {
    Onnx__AttributeProto *a = np->attribute[k];
    if (!a || !a->ref_attr_name || !*a->ref_attr_name) {
      attrs[tmp->n_attribute++] = a;
      continue;
    }
    const Onnx__NodeProto *c = im->caller;
    for (size_t j = 0; j < c->n_attribute; j++) {
      const Onnx__AttributeProto *v = c->attribute[j];
      if (!v || !v->name || strcmp(v->name, a->ref_attr_name) != 0) continue;
      copies[k] = *v; /* the call's value under the body attribute's name */
      copies[k].name = a->name;
      attrs[tmp->n_attribute++] = &copies[k];
      break;
    }
  }
  return tmp;
}

bool spcc_fe_import_function(spcc_fe_importer *im, const Onnx__NodeProto *np,
                             const Onnx__FunctionProto *f, const char *where) {
  if (np->n_input > f->n_input || np->n_output > f->n_output) {
    spcc_error(im->d, where, NULL,
               "the call has %zu inputs and %zu outputs, function '%s' takes %zu and gives %zu",
               np->n_input, np->n_output, f->name, f->n_input, f->n_output);
    return false;
  }
  int *refs = malloc(sizeof(int) * (np->n_input + np->n_output + 1));
  if (!refs) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = true;
  for (size_t k = 0; ok && k < np->n_input; k++) ok = spcc_fe_input_ref(im, np, k, where, &refs[k]);

  /* The function's opset for the default domain (the model's if it has none). */
  int64_t opset = im->opset;
  for (size_t k = 0; k < f->n_opset_import; k++) {
    const Onnx__OperatorSetIdProto *o = f->opset_import[k];
    if (o && same_domain(o->domain, "") && o->has_version) opset = o->version;
  }
  spcc_fe_scope s;
  const int64_t saved_opset = im->opset;
  const Onnx__NodeProto *saved_caller = im->caller;
  if (ok) {
    spcc_fe_enter(im, &s, spcc_arena_printf(im->g->arena, "%s/", spcc_fe_node_label(np)));
    im->opset = opset;
    im->caller = np;
    ok = spcc_fe_check_nesting(im, where);
    for (size_t k = 0; ok && k < np->n_input; k++)
      if (refs[k] != SPCC_FE_NO_REF && f->input[k] && *f->input[k])
        spcc_fe_bind(im, f->input[k], refs[k]);
    /* The body is a graph without initializers: reuse the node loop. */
    Onnx__GraphProto body;
    onnx__graph_proto__init(&body);
    body.n_node = f->n_node;
    body.node = f->node;
    const char *sub = spcc_arena_printf(im->g->arena, "%s: function '%s'", where, f->name);
    ok = ok && spcc_fe_import_body(im, &body, sub);
    for (size_t k = 0; ok && k < np->n_output; k++) {
      const char *name = f->output[k] ? f->output[k] : "";
      refs[k] = *name ? spcc_fe_lookup(im, name) : SPCC_FE_NO_REF;
      if (refs[k] == SPCC_FE_NO_REF && np->output[k] && *np->output[k]) {
        spcc_error(im->d, sub, NULL, "function output '%s' is not defined", name);
        ok = false;
      }
    }
    im->caller = saved_caller;
    im->opset = saved_opset;
    spcc_fe_leave(im);
  }
  for (size_t k = 0; ok && k < np->n_output; k++)
    if (refs[k] != SPCC_FE_NO_REF) ok = spcc_fe_bind_output(im, np, k, refs[k], where);
  free(refs);
  return ok;
}
