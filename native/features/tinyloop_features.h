/*
 * TinyLoop's window features, normalization and int8 input quantization in portable C99, for the
 * device: the same definitions as the app (docs/dataset.md, "Features" and "Normalization";
 * src-main/dataset/features.ts, fft.ts, normalization.ts; src-main/tflite/quantize.ts), with the
 * same order of operations, so that a device computes the numbers the model was trained on.
 * docs/features-c.md says which results are bit-identical to the app's and which are within a
 * stated tolerance, and how tests/integration/features-c checks both.
 *
 * Samples are the stored float32 values of one stream; arithmetic is float64 (double) and every
 * result is rounded to float32 once, at the end, as the app stores it. A window of one channel is
 * `count` samples `samples[0], samples[stride], ..., samples[(count - 1) * stride]`: stride 1 for
 * a channel of its own, the channel count for one channel of interleaved samples (pass
 * `samples + channel`). The `_window` functions do every channel of an interleaved window and lay
 * the results out as the app's feature row does.
 *
 * No heap, no recursion, no variable-length arrays; the only scratch memory, the spectral
 * workspace's, comes from the caller. Compile without -ffast-math, and without floating-point
 * contraction (GCC's -std=c99 does not contract; see docs/features-c.md).
 */
#ifndef TINYLOOP_FEATURES_H
#define TINYLOOP_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* stats: mean, std, min, max, rms, in this order (the app's `<ch>_mean` ... `<ch>_rms`). */
#define TINYLOOP_STATS_PER_CHANNEL 5

/*
 * snapshot (`<ch>`): the mean Σx / n of the window's samples; with no sample (count 0), the
 * channel's previous value, the last sample before the window.
 */
float tinyloop_snapshot(const float *samples, size_t count, size_t stride, float previous);

/* snapshot of every channel: out[c], c = 0..channels-1; previous[c] as above. */
void tinyloop_snapshot_window(const float *samples, size_t count, size_t channels,
                              const float *previous, float *out);

/*
 * stats: out[0..4] = mean; population standard deviation sqrt(Σ(x - mean)² / n), from a second
 * pass over the samples; min; max; rms = sqrt(Σx² / n). With no sample: mean, min and max the
 * previous value p, std 0, rms |p|.
 */
void tinyloop_stats(const float *samples, size_t count, size_t stride, float previous,
                    float out[TINYLOOP_STATS_PER_CHANNEL]);

/* stats of every channel: out[c * 5 + s], s in the order above. */
void tinyloop_stats_window(const float *samples, size_t count, size_t channels,
                           const float *previous, float *out);

/*
 * The tables and buffers of a spectral transform for windows of `count` samples: prepared once
 * by tinyloop_spectral_prepare and reused for every window of that length (a window of another
 * length needs the workspace prepared again). The pointers are into the caller's scratch.
 */
typedef struct {
    size_t count;
    /* N/2, N the FFT length: the next power of two >= count (at least 2). */
    size_t half;
    /* Σ w_i² of the Hann window. */
    double hann_squares;
    /* The transform's N/2 complex points, overwritten by every window. */
    double *re;
    double *im;
    /* e^{-2πik/N}, k = 0..N/2: cos and -sin. */
    double *twiddle_cos;
    double *twiddle_sin;
    /* The periodic Hann window w_i = 0.5 - 0.5 cos(2πi / count). */
    double *hann;
} tinyloop_spectral_workspace;

/*
 * The scratch a workspace for `count` samples needs, in doubles: 2N + 2 + count (0 below 2
 * samples, which need none). TINYLOOP_SPECTRAL_SCRATCH_DOUBLES is a bound for static arrays:
 * N < 2 * count, so 5 * count is always enough.
 */
size_t tinyloop_spectral_scratch_doubles(size_t count);
#define TINYLOOP_SPECTRAL_SCRATCH_DOUBLES(count) (5 * (size_t)(count))

/*
 * Points `workspace` into `scratch` (`scratch_doubles` long) and fills its tables
 * for windows of `count` samples. Returns 0, or -1 without touching anything when the scratch is
 * smaller than tinyloop_spectral_scratch_doubles(count).
 */
int tinyloop_spectral_prepare(tinyloop_spectral_workspace *workspace, size_t count,
                              double *scratch, size_t scratch_doubles);

/*
 * spectral (`<ch>_band<b>`): out[b], b = 0..bands-1, the band energies of the workspace's
 * `count` samples; all zero below 2 samples. The mean is removed, the Hann window applied, the
 * result zero-padded to N and transformed (X_k = Σ y_i e^{-2πi·ik/N}, as a real FFT of N/2
 * complex points). Bin k = 0..N/2, of frequency k · rate / N, goes to band
 * min(bands - 1, floor(k · bands / (N/2))): equal widths from 0 Hz to rate/2, the Nyquist bin in
 * the last band. energy_b = Σ_{k in b} c_k |X_k|² / (N Σw²), c_k = 2 except c_0 = c_{N/2} = 1, so
 * the bands add up to the window's Hann-weighted variance (a sine of amplitude A gives about
 * A²/2). Units: the square of the samples' unit. bands 0 writes nothing.
 */
void tinyloop_spectral(tinyloop_spectral_workspace *workspace, const float *samples,
                       size_t stride, size_t bands, float *out);

/* spectral of every channel: out[c * bands + b]. */
void tinyloop_spectral_window(tinyloop_spectral_workspace *workspace, const float *samples,
                              size_t channels, size_t bands, float *out);

/*
 * raw (`<ch>_t<j>`): every channel of one stream linearly interpolated at the `length` times
 * t_j = start_us + j · (end_us - start_us) / length, j = 0..length-1, between the last sample at
 * or before t_j and the next one; after the last sample its value is held. `times_us` (µs, any
 * origin shared with start_us and end_us, increasing) and the interleaved `samples` (count ×
 * channels) start at the last sample at or before start_us, or at the stream's first sample
 * when none is. Writes out[j * out_stride + c]: the app's [time, channel] layout, out_stride
 * being the channel count of the whole row (of every stream) and `out` pointing at this stream's
 * first channel. count 0 writes nothing.
 */
void tinyloop_raw(const double *times_us, const float *samples, size_t count, size_t channels,
                  double start_us, double end_us, size_t length, float *out, size_t out_stride);

/*
 * Normalization: out[i] = (features[i] - mean[i]) / std[i], in double, rounded to float32 once.
 * mean and std are the constants the app stores with the dataset and ships with the model (the
 * training split's, docs/dataset.md), as doubles: a float32 copy would give other results.
 * `out` may be `features`.
 */
void tinyloop_normalize(const float *features, size_t count, const double *mean,
                        const double *std, float *out);

/*
 * The model's int8 input, as TFLite's QUANTIZE op and the app's quantizeInput compute it:
 * q = clamp(round(x / scale) + zero_point, -128, 127), x / scale in float32, ties rounded away
 * from zero; NaN gives 0. scale and zero_point are the model input's: a float32 scale, as the
 * .tflite stores it, and an int8 zero point in [-128, 127].
 */
void tinyloop_quantize_input(const float *normalized, size_t count, float scale,
                             int32_t zero_point, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif
