/*
 * The app's feature functions (src-main/dataset/features.ts, fft.ts, normalization.ts and
 * quantizeInput in src-main/tflite/quantize.ts), operation for operation: the same sums in the
 * same order, in double, so that the results round to the same float32 values.
 */
#include "tinyloop_features.h"

#include <math.h>
#include <string.h>

/* Clang contracts a * b + c into a fused multiply-add by default where the target has one, which
 * rounds once instead of twice and so differs from the app. GCC ignores (and warns about) this
 * pragma, but its ISO modes (-std=c99) do not contract. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* The double nearest π, as JavaScript's Math.PI. */
#define TINYLOOP_PI 3.141592653589793

static double sum_of(const float *samples, size_t count, size_t stride)
{
    double sum = 0;
    size_t i;
    for (i = 0; i < count; i++) sum += (double)samples[i * stride];
    return sum;
}

float tinyloop_snapshot(const float *samples, size_t count, size_t stride, float previous)
{
    if (count == 0) return previous;
    return (float)(sum_of(samples, count, stride) / (double)count);
}

void tinyloop_snapshot_window(const float *samples, size_t count, size_t channels,
                              const float *previous, float *out)
{
    size_t c;
    for (c = 0; c < channels; c++)
        out[c] = tinyloop_snapshot(samples + c, count, channels, previous[c]);
}

void tinyloop_stats(const float *samples, size_t count, size_t stride, float previous,
                    float out[TINYLOOP_STATS_PER_CHANNEL])
{
    double sum = 0;
    double sum_squares = 0;
    double min = HUGE_VAL;
    double max = -HUGE_VAL;
    double mean;
    double deviations = 0;
    size_t i;
    if (count == 0) {
        out[0] = previous;
        out[1] = 0;
        out[2] = previous;
        out[3] = previous;
        out[4] = fabsf(previous);
        return;
    }
    for (i = 0; i < count; i++) {
        double v = samples[i * stride];
        sum += v;
        sum_squares += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
    }
    mean = sum / (double)count;
    /* Two passes: Σx² - n·mean² loses the deviation of a signal on a large offset. */
    for (i = 0; i < count; i++) {
        double d = (double)samples[i * stride] - mean;
        deviations += d * d;
    }
    out[0] = (float)mean;
    out[1] = (float)sqrt(deviations / (double)count);
    out[2] = (float)min;
    out[3] = (float)max;
    out[4] = (float)sqrt(sum_squares / (double)count);
}

void tinyloop_stats_window(const float *samples, size_t count, size_t channels,
                           const float *previous, float *out)
{
    size_t c;
    for (c = 0; c < channels; c++)
        tinyloop_stats(samples + c, count, channels, previous[c],
                       out + c * TINYLOOP_STATS_PER_CHANNEL);
}

static size_t fft_length_of(size_t count)
{
    size_t length = 2;
    while (length < count) length *= 2;
    return length;
}

size_t tinyloop_spectral_scratch_doubles(size_t count)
{
    if (count < 2) return 0;
    return 2 * fft_length_of(count) + 2 + count;
}

int tinyloop_spectral_prepare(tinyloop_spectral_workspace *workspace, size_t count,
                              double *scratch, size_t scratch_doubles)
{
    size_t length;
    size_t half;
    size_t k;
    size_t i;
    if (scratch_doubles < tinyloop_spectral_scratch_doubles(count)) return -1;
    workspace->count = count;
    workspace->hann_squares = 0;
    if (count < 2) {
        workspace->half = 0;
        workspace->re = workspace->im = NULL;
        workspace->twiddle_cos = workspace->twiddle_sin = workspace->hann = NULL;
        return 0;
    }
    length = fft_length_of(count);
    half = length / 2;
    workspace->half = half;
    workspace->re = scratch;
    workspace->im = workspace->re + half;
    workspace->twiddle_cos = workspace->im + half;
    workspace->twiddle_sin = workspace->twiddle_cos + half + 1;
    workspace->hann = workspace->twiddle_sin + half + 1;
    for (k = 0; k <= half; k++) {
        double angle = 2 * TINYLOOP_PI * (double)k / (double)length;
        workspace->twiddle_cos[k] = cos(angle);
        workspace->twiddle_sin[k] = -sin(angle);
    }
    for (i = 0; i < count; i++) {
        double w = 0.5 - 0.5 * cos(2 * TINYLOOP_PI * (double)i / (double)count);
        workspace->hann[i] = w;
        workspace->hann_squares += w * w;
    }
    return 0;
}

/*
 * In-place radix-2 FFT of `size` complex points, as fft.ts. The app's table for this size holds
 * e^{-2πik/size}; the unpacking table of twice the size holds the same doubles at even indices
 * (the angles are the same to the bit: doubling and halving are exact), so it serves both.
 */
static void fft_in_place(double *re, double *im, size_t size, const double *twiddle_cos,
                         const double *twiddle_sin)
{
    size_t i;
    size_t j = 0;
    size_t length;
    for (i = 1; i < size; i++) {
        size_t bit = size >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) {
            double r = re[i];
            double m = im[i];
            re[i] = re[j];
            re[j] = r;
            im[i] = im[j];
            im[j] = m;
        }
    }
    for (length = 2; length <= size; length *= 2) {
        size_t half = length / 2;
        size_t table_step = 2 * (size / length);
        size_t start;
        for (start = 0; start < size; start += length) {
            size_t k;
            for (k = 0; k < half; k++) {
                double wr = twiddle_cos[k * table_step];
                double wi = twiddle_sin[k * table_step];
                size_t a = start + k;
                size_t b = a + half;
                double tr = re[b] * wr - im[b] * wi;
                double ti = re[b] * wi + im[b] * wr;
                double ar = re[a];
                double ai = im[a];
                re[b] = ar - tr;
                im[b] = ai - ti;
                re[a] = ar + tr;
                im[a] = ai + ti;
            }
        }
    }
}

void tinyloop_spectral(tinyloop_spectral_workspace *workspace, const float *samples,
                       size_t stride, size_t bands, float *out)
{
    size_t count = workspace->count;
    size_t half = workspace->half;
    double *re = workspace->re;
    double *im = workspace->im;
    double mean;
    double scale;
    double energy = 0;
    size_t band = 0;
    size_t i;
    size_t k;
    for (i = 0; i < bands; i++) out[i] = 0;
    if (count < 2 || bands == 0) return;
    mean = sum_of(samples, count, stride) / (double)count;
    /* The N real points as N/2 complex ones, even samples real and odd imaginary: the same X_k as
     * an N-point transform, unpacked below, in half the work. */
    memset(re, 0, half * sizeof *re);
    memset(im, 0, half * sizeof *im);
    for (i = 0; i < count; i++) {
        double y = ((double)samples[i * stride] - mean) * workspace->hann[i];
        if (i % 2 == 0)
            re[i / 2] = y;
        else
            im[i / 2] = y;
    }
    fft_in_place(re, im, half, workspace->twiddle_cos, workspace->twiddle_sin);
    scale = 1 / ((double)(2 * half) * workspace->hann_squares);
    /* Bands are in increasing order of k, so each one's sum runs in a double and is rounded to
     * float32 when the next band starts: the same additions, in the same order, as the app's row
     * of doubles. */
    for (k = 0; k <= half; k++) {
        size_t a = k % half;
        size_t b = (half - k) % half;
        double zr = re[a];
        double zi = im[a];
        double cr = re[b];
        double ci = -im[b];
        /* E_k = (Z_k + conj Z_{M-k}) / 2, O_k = (Z_k - conj Z_{M-k}) / 2i, X_k = E_k + W^k O_k. */
        double even_re = (zr + cr) / 2;
        double even_im = (zi + ci) / 2;
        double odd_re = (zi - ci) / 2;
        double odd_im = -(zr - cr) / 2;
        double wr = workspace->twiddle_cos[k];
        double wi = workspace->twiddle_sin[k];
        double xr = even_re + wr * odd_re - wi * odd_im;
        double xi = even_im + wr * odd_im + wi * odd_re;
        double weight = k == 0 || k == half ? 1 : 2;
        size_t bin_band = k * bands / half;
        if (bin_band > bands - 1) bin_band = bands - 1;
        if (bin_band != band) {
            out[band] = (float)energy;
            band = bin_band;
            energy = 0;
        }
        energy += weight * (xr * xr + xi * xi) * scale;
    }
    out[band] = (float)energy;
}

void tinyloop_spectral_window(tinyloop_spectral_workspace *workspace, const float *samples,
                              size_t channels, size_t bands, float *out)
{
    size_t c;
    for (c = 0; c < channels; c++)
        tinyloop_spectral(workspace, samples + c, channels, bands, out + c * bands);
}

void tinyloop_raw(const double *times_us, const float *samples, size_t count, size_t channels,
                  double start_us, double end_us, size_t length, float *out, size_t out_stride)
{
    size_t p = 0;
    size_t last;
    size_t j;
    if (count == 0) return;
    last = count - 1;
    for (j = 0; j < length; j++) {
        double t = start_us + (double)j * (end_us - start_us) / (double)length;
        size_t c;
        while (p < last && times_us[p + 1] <= t) p++;
        for (c = 0; c < channels; c++) {
            double v0 = samples[p * channels + c];
            double value = v0;
            if (p < last && t > times_us[p]) {
                double t0 = times_us[p];
                double t1 = times_us[p + 1];
                double v1 = samples[(p + 1) * channels + c];
                value = v0 + (v1 - v0) * (t - t0) / (t1 - t0);
            }
            out[j * out_stride + c] = (float)value;
        }
    }
}

void tinyloop_normalize(const float *features, size_t count, const double *mean,
                        const double *std, float *out)
{
    size_t i;
    for (i = 0; i < count; i++) out[i] = (float)(((double)features[i] - mean[i]) / std[i]);
}

void tinyloop_quantize_input(const float *normalized, size_t count, float scale,
                             int32_t zero_point, int8_t *out)
{
    size_t i;
    for (i = 0; i < count; i++) {
        /* float32 division, as Math.fround(x / scale) of two float32 values; roundf rounds ties
         * away from zero, as roundHalfAway. Adding the zero point is exact below 2^24, and beyond
         * it the clamp decides anyway. */
        float q = roundf(normalized[i] / scale) + (float)zero_point;
        if (isnan(q))
            out[i] = 0;
        else if (q > 127)
            out[i] = 127;
        else if (q < -128)
            out[i] = -128;
        else
            out[i] = (int8_t)q;
    }
}
