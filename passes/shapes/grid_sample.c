/* grid_sample.c - shape rule of GridSample (opset 16: 4-D input, 2-D grid
 * of (x, y) pairs). The output is [N, C, Ho, Wo] in X's type. */
#include <string.h>

#include "grid_sample.h"
#include "passes/passes.h"

static int pick(const char *v, const char *const *names, int n) {
  for (int k = 0; k < n; k++)
    if (strcmp(v, names[k]) == 0) return k;
  return -1;
}

bool spcc_grid_sample_get(const spcc_graph *g, const spcc_node *n,
                          spcc_grid_sample_params *p, spcc_diag *d) {
  memset(p, 0, sizeof *p);
  const spcc_type *x = spcc_in_type(g, n, 0), *grid = spcc_in_type(g, n, 1);
  if (!x || !grid) {
    spcc_node_error(d, g, n, "GridSample needs X and grid");
    return false;
  }
  if (x->dtype != SPCC_DT_F32 && x->dtype != SPCC_DT_F64) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(x->dtype));
    return false;
  }
  if (grid->dtype != x->dtype) {
    spcc_node_error(d, g, n, "unsupported: grid of type %s with X of %s",
                    spcc_dtype_name(grid->dtype), spcc_dtype_name(x->dtype));
    return false;
  }
  if (x->rank != 4 || grid->rank != 4 || grid->dims[0] != x->dims[0] || grid->dims[3] != 2) {
    char a[160], b[160];
    spcc_node_error(d, g, n, "unsupported: X %s and grid %s (X [N,C,H,W], grid [N,Ho,Wo,2])",
                    spcc_type_str(x, a, sizeof a), spcc_type_str(grid, b, sizeof b));
    return false;
  }
  static const char *const modes[] = {"bilinear", "nearest", "bicubic"};
  static const char *const pads[] = {"zeros", "border", "reflection"};
  const char *mode = spcc_attr_string(n, "mode", "bilinear");
  const char *pad = spcc_attr_string(n, "padding_mode", "zeros");
  int m = pick(mode, modes, 3), pm = pick(pad, pads, 3);
  if (m < 0 || pm < 0) {
    spcc_node_error(d, g, n, "unsupported attribute '%s' value '%s'",
                    m < 0 ? "mode" : "padding_mode", m < 0 ? mode : pad);
    return false;
  }
  int64_t align = spcc_attr_int(n, "align_corners", 0);
  if (align != 0 && align != 1) {
    spcc_node_error(d, g, n, "attribute 'align_corners' must be 0 or 1");
    return false;
  }
  p->n = x->dims[0];
  p->c = x->dims[1];
  p->h = x->dims[2];
  p->w = x->dims[3];
  p->ho = grid->dims[1];
  p->wo = grid->dims[2];
  p->mode = m;
  p->padding = pm;
  p->align_corners = align;
  return true;
}

bool spcc_shape_grid_sample(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  spcc_grid_sample_params p;
  if (!spcc_grid_sample_get(g, n, &p, d)) return false;
  const int64_t dims[4] = {p.n, p.c, p.ho, p.wo};
  spcc_set_output(g, n, 0, spcc_in_type(g, n, 0)->dtype, 4, dims);
  return true;
}
