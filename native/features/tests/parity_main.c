/*
 * The parity harness: reads feature requests from stdin, computes each with tinyloop_features.c
 * and writes the results to stdout, for tests/integration/features-c/parity.test.ts to compare
 * with the app's TypeScript. Host only (it uses stdio and the heap; the library does not).
 *
 * Every number is little-endian, as the host's: u32 and i32 integers, f32 and f64 floats. A
 * request is a u32 kind, then:
 *   1 snapshot, 2 stats: u32 count, u32 channels, f32 previous[channels],
 *       f32 samples[count * channels] (interleaved)
 *       -> f32 [channels] or f32 [channels * 5]
 *   3 spectral: u32 count, u32 channels, u32 bands, f32 samples[count * channels]
 *       -> f32 [channels * bands]
 *   4 raw: u32 count, u32 channels, u32 length, u32 out_stride, u32 offset, f64 start_us,
 *       f64 end_us, f64 times_us[count], f32 samples[count * channels]
 *       -> f32 [length * out_stride], zero outside this stream's columns
 *   5 normalize: u32 count, f64 mean[count], f64 std[count], f32 features[count] -> f32 [count]
 *   6 quantize: u32 count, f32 scale, i32 zero_point, f32 normalized[count] -> i8 [count]
 * Requests follow each other until the end of the input; results follow in the same order.
 * The spectral workspace is prepared again only when the window length changes, as the app's
 * SpectralScratch.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../tinyloop_features.h"

enum request_kind {
    SNAPSHOT = 1,
    STATS = 2,
    SPECTRAL = 3,
    RAW = 4,
    NORMALIZE = 5,
    QUANTIZE = 6,
};

static void fail(const char *message)
{
    fprintf(stderr, "parity harness: %s\n", message);
    exit(1);
}

static void *allocated(size_t count, size_t size)
{
    /* calloc(0, ...) may return NULL; one element keeps every buffer a real one. */
    void *memory = calloc(count > 0 ? count : 1, size);
    if (memory == NULL) fail("out of memory");
    return memory;
}

static void read_exactly(void *into, size_t size, size_t count)
{
    if (fread(into, size, count, stdin) != count) fail("the input ends inside a request");
}

static uint32_t read_u32(void)
{
    uint32_t value;
    read_exactly(&value, sizeof value, 1);
    return value;
}

static float *read_floats(size_t count)
{
    float *values = allocated(count, sizeof *values);
    read_exactly(values, sizeof *values, count);
    return values;
}

static double *read_doubles(size_t count)
{
    double *values = allocated(count, sizeof *values);
    read_exactly(values, sizeof *values, count);
    return values;
}

static void write_exactly(const void *from, size_t size, size_t count)
{
    if (fwrite(from, size, count, stdout) != count) fail("cannot write the results");
}

static void snapshot_or_stats(enum request_kind kind)
{
    size_t count = read_u32();
    size_t channels = read_u32();
    float *previous = read_floats(channels);
    float *samples = read_floats(count * channels);
    size_t width = kind == STATS ? channels * TINYLOOP_STATS_PER_CHANNEL : channels;
    float *out = allocated(width, sizeof *out);
    if (kind == STATS)
        tinyloop_stats_window(samples, count, channels, previous, out);
    else
        tinyloop_snapshot_window(samples, count, channels, previous, out);
    write_exactly(out, sizeof *out, width);
    free(previous);
    free(samples);
    free(out);
}

static tinyloop_spectral_workspace workspace;
static double *workspace_scratch;
static int workspace_prepared;

static void spectral(void)
{
    size_t count = read_u32();
    size_t channels = read_u32();
    size_t bands = read_u32();
    float *samples = read_floats(count * channels);
    float *out = allocated(channels * bands, sizeof *out);
    if (!workspace_prepared || workspace.count != count) {
        size_t doubles = tinyloop_spectral_scratch_doubles(count);
        free(workspace_scratch);
        workspace_scratch = allocated(doubles, sizeof *workspace_scratch);
        if (tinyloop_spectral_prepare(&workspace, count, workspace_scratch, doubles) != 0)
            fail("the spectral scratch is too small");
        workspace_prepared = 1;
    }
    tinyloop_spectral_window(&workspace, samples, channels, bands, out);
    write_exactly(out, sizeof *out, channels * bands);
    free(samples);
    free(out);
}

static void raw(void)
{
    size_t count = read_u32();
    size_t channels = read_u32();
    size_t length = read_u32();
    size_t out_stride = read_u32();
    size_t offset = read_u32();
    double bounds[2];
    double *times;
    float *samples;
    float *out;
    if (offset + channels > out_stride) fail("a raw stream does not fit in its row");
    read_exactly(bounds, sizeof *bounds, 2);
    times = read_doubles(count);
    samples = read_floats(count * channels);
    out = allocated(length * out_stride, sizeof *out);
    tinyloop_raw(times, samples, count, channels, bounds[0], bounds[1], length, out + offset,
                 out_stride);
    write_exactly(out, sizeof *out, length * out_stride);
    free(times);
    free(samples);
    free(out);
}

static void normalize(void)
{
    size_t count = read_u32();
    double *mean = read_doubles(count);
    double *std = read_doubles(count);
    float *features = read_floats(count);
    tinyloop_normalize(features, count, mean, std, features);
    write_exactly(features, sizeof *features, count);
    free(mean);
    free(std);
    free(features);
}

static void quantize(void)
{
    size_t count = read_u32();
    float scale;
    int32_t zero_point;
    float *normalized;
    int8_t *out;
    read_exactly(&scale, sizeof scale, 1);
    read_exactly(&zero_point, sizeof zero_point, 1);
    normalized = read_floats(count);
    out = allocated(count, sizeof *out);
    tinyloop_quantize_input(normalized, count, scale, zero_point, out);
    write_exactly(out, sizeof *out, count);
    free(normalized);
    free(out);
}

int main(void)
{
    uint32_t kind;
    while (fread(&kind, sizeof kind, 1, stdin) == 1) {
        switch (kind) {
        case SNAPSHOT:
        case STATS:
            snapshot_or_stats((enum request_kind)kind);
            break;
        case SPECTRAL:
            spectral();
            break;
        case RAW:
            raw();
            break;
        case NORMALIZE:
            normalize();
            break;
        case QUANTIZE:
            quantize();
            break;
        default:
            fail("unknown request kind");
        }
    }
    if (ferror(stdin)) fail("cannot read the input");
    free(workspace_scratch);
    return fflush(stdout) == 0 ? 0 : 1;
}
