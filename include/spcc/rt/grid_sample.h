/* rt/grid_sample.h - GridSample (opset 16): samples X [N, C, H, W] at the
 * normalized (x, y) locations of grid [N, Ho, Wo, 2] into Y [N, C, Ho, Wo].
 *
 * Coordinates in [-1, 1] map to pixel centers (align_corners = 0) or to the
 * corner pixels (1). Modes: bilinear, nearest (halves to even) and bicubic
 * (A = -0.75); padding: zeros (outside pixels read 0), border (coordinates
 * clamped) and reflection (coordinates mirrored at the border). Bicubic
 * applies the padding to each of its 16 taps, bilinear and nearest to the
 * sampling point, as the ONNX reference (PyTorch's grid_sample) does.
 */
#ifndef SPCC_RT_GRID_SAMPLE_H
#define SPCC_RT_GRID_SAMPLE_H
#include <stdint.h>

#define SPCC_GRID_BILINEAR 0
#define SPCC_GRID_NEAREST 1
#define SPCC_GRID_BICUBIC 2
#define SPCC_GRID_ZEROS 0
#define SPCC_GRID_BORDER 1
#define SPCC_GRID_REFLECTION 2

typedef struct {
  int64_t n, c, h, w;   /* X */
  int64_t ho, wo;       /* grid / Y spatial size */
  int64_t mode, padding, align_corners;
} spcc_grid_sample_params;

void spcc_grid_sample_f32(const spcc_grid_sample_params *p, const float *x, const float *grid,
                          float *y);
void spcc_grid_sample_f64(const spcc_grid_sample_params *p, const double *x, const double *grid,
                          double *y);

#endif
