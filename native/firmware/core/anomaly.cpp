#include "anomaly.h"

namespace tl::fw {

double autoencoder_score(const int8_t* x, const int8_t* y, size_t n, float input_scale,
                         int32_t input_zero_point, float output_scale, int32_t output_zero_point) {
  const double si = static_cast<double>(input_scale);
  const double so = static_cast<double>(output_scale);
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    // Integer differences are exact; each product rounds once, then the difference.
    const double d = so * static_cast<double>(static_cast<int32_t>(y[i]) - output_zero_point) -
                     si * static_cast<double>(static_cast<int32_t>(x[i]) - input_zero_point);
    sum += d * d;
  }
  // As the app: the sum divided by n (not multiplied by 1/n, which rounds differently).
  return sum / static_cast<double>(n);
}

double gaussian_score(const ModelImage& image, const float* x, double* deviation) {
  const size_t n = image.feature_count;
  for (size_t b = 0; b < n; b++) deviation[b] = static_cast<double>(x[b]) - image.gaussian_mean(b);
  double sum = 0;
  for (size_t a = 0; a < n; a++) {
    double row = 0;
    const size_t at = a * n;
    for (size_t b = 0; b < n; b++) row += image.precision(at + b) * deviation[b];
    sum += deviation[a] * row;
  }
  return sum;
}

}  // namespace tl::fw
