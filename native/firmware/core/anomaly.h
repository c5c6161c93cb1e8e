// The anomaly scores of docs/anomaly.md, computed in double as the app computes them
// (src-main/anomaly/autoencoder-score.ts, src-main/anomaly/gaussian.ts): the same expressions in
// the same order, so that the f32 a device sends equals Math.fround of the app's score. The core
// is compiled with -ffp-contract=off: no product is fused into a sum.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model_image.h"

namespace tl::fw {

// An int8 autoencoder's score: the mean over i of
//   (s_out·(y_i − z_out) − s_in·(x_i − z_in))²
// with x the int8 input, y the int8 output (the reconstruction), n values each.
double autoencoder_score(const int8_t* x, const int8_t* y, size_t n, float input_scale,
                         int32_t input_zero_point, float output_scale, int32_t output_zero_point);

// A Gaussian's score of normalized features x (feature_count of them): the squared Mahalanobis
// distance Σ_a d_a · (Σ_b P[a·n + b] · d_b) with d = x − mean, the constants read in place from
// the image. `deviation` holds feature_count doubles (scratch).
double gaussian_score(const ModelImage& image, const float* x, double* deviation);

}  // namespace tl::fw
