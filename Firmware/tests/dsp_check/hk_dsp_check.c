/*
 * The optimised kernels against their specifications on random shapes and
 * data from a fixed-seed PRNG: every case runs the plain-loop specification
 * (Firmware/tests/kernel_spec), the reference kernel (blocked and staged for
 * speed) and its DSP variant, and the three outputs (plus a guard band after
 * them) must be identical byte for byte.
 *
 * Shapes are small so that hundreds of cases run in seconds on an emulated
 * core, and cover what the variants treat specially: odd channel counts and
 * depths (tails after the 4-wide steps), windows longer than the conv's 64-value
 * staging block and more than 32 output channels (its blocking), kernel sizes
 * 1..5, strides 1..3, dilations 1..2, VALID / SAME / arbitrary padding,
 * grouped convolutions, depth multipliers 1..2, per-channel multipliers in
 * [2^30, 2^31) with shifts from TFLite's range, random offsets, clamps, NULL
 * bias and non-zero filter offsets. Every 8th case is a larger shape.
 *
 * The cycle counts are the port's counter around each call (instructions on
 * QEMU with -icount shift=0, see Firmware/port/mps2/hk_mps2_cycles.c).
 */
#include <string.h>

#include "hk_dsp_check.h"

#include "harken/hk_kernels.h"
#include "hk_dsp_impl.h"
#include "hk_kernel_spec.h"

#define DEFAULT_CASES 400
#define GUARD 16
#define MAX_REPORTED 5

/* HK_DSP_CHECK_SCALAR_ONLY (cores without the DSP extension): only the
 * _scalar families and their benches run. HK_DSP_CHECK_SMALL_RAM: buffers that
 * fit the 16 KiB of the emulated micro:bit beside its 4 KiB stack (the
 * generators draw shapes until one fits), and smaller bench shapes. */
#if !defined(HK_DSP_CHECK_SCALAR_ONLY)
#define HK_DSP_CHECK_SCALAR_ONLY 0
#endif
#if defined(HK_DSP_CHECK_SMALL_RAM)
#define MAX_IN 1536
#define MAX_FILTER 2048
#define MAX_OUT 1024
#define MAX_CH 128
#define MAX_PACKED16 1100 /* 32 x 32 and the packing's tail */
#else
#define HK_DSP_CHECK_SMALL_RAM 0
#define MAX_IN 32768
#define MAX_FILTER 65536
#define MAX_OUT 32768
#define MAX_CH 512
#define MAX_PACKED16 32768
#endif

static int8_t g_input[MAX_IN];
static int8_t g_filter[MAX_FILTER];
static int8_t g_out_ref[MAX_OUT + GUARD];
static int8_t g_out_dsp[MAX_OUT + GUARD];
static int8_t g_out_spec[MAX_OUT + GUARD];
static int32_t g_bias[MAX_CH];
static int32_t g_mult[MAX_CH];
static int32_t g_shift[MAX_CH];
/* The tiles' filter (hk_conv_pack_weights16), FULLY_CONNECTED's packed
 * weights (hk_fc_pack_weights) and SOFTMAX's table share their storage: no
 * case uses two. */
static union {
    int16_t w16[MAX_PACKED16];
    int8_t w8[MAX_FILTER];
    uint8_t u8[MAX_FILTER]; /* the scalar kernels' (hk_scalar_pack_weights) */
    int32_t exp_q0[257];    /* hk_softmax_s8_lut_fill's */
} g_pack;
static int32_t g_folded[MAX_CH]; /* the scalar kernels' bias (hk_scalar_fold_bias) */
#define g_packed16 g_pack.w16
#define g_packed g_pack.w8

static const hk_dsp_check_io_t *g_io;

/* ---- text out ---- */

static void put_str(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') {
        ++n;
    }
    g_io->write((const uint8_t *)s, n);
}

static void put_u64(uint64_t v)
{
    char buf[24];
    int i = (int)sizeof buf;
    buf[--i] = '\0';
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    put_str(buf + i);
}

static void put_i32(int32_t v)
{
    if (v < 0) {
        put_str("-");
        put_u64((uint64_t)(-(int64_t)v));
    } else {
        put_u64((uint64_t)v);
    }
}

static void put_kv(const char *key, int32_t v)
{
    put_str(" ");
    put_str(key);
    put_str("=");
    put_i32(v);
}

/* ---- PRNG: xorshift32 with a fixed seed ---- */

static uint32_t g_rng = 0x2545F491u;

static uint32_t rnd(void)
{
    uint32_t x = g_rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    g_rng = x;
    return x;
}

/* uniform in [lo, hi] (hi - lo < 2^31) */
static int32_t rnd_range(int32_t lo, int32_t hi)
{
    return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

static int rnd_percent(int32_t p)
{
    return rnd_range(0, 99) < p;
}

static void fill_s8(int8_t *dst, int32_t n, int32_t lo, int32_t hi)
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        dst[i] = (int8_t)rnd_range(lo, hi);
    }
}

/* floor(log2(v)) for v >= 1 */
static int32_t ilog2(int32_t v)
{
    int32_t r = 0;
    while (v > 1) {
        v >>= 1;
        ++r;
    }
    return r;
}

/* Per-channel multipliers in [2^30, 2^31) (sometimes 0) and shifts around the
 * value that maps a window of `taps` products onto int8, sometimes anywhere in
 * TFLite's [-31, 30]. Bias: NULL, small or large. */
static const int32_t *quant_setup(int32_t channels, int32_t taps, int32_t with_bias)
{
    /* |acc| ~ sqrt(taps) * 74^2 (uniform int8 operands): 2^(12.4 + log2(taps) / 2) */
    const int32_t natural = 6 - (12 + ilog2(taps) / 2);
    const int32_t wild = rnd_percent(8);
    int32_t c;
    for (c = 0; c < channels; ++c) {
        if (rnd_percent(2)) {
            g_mult[c] = 0;
            g_shift[c] = 0;
        } else {
            g_mult[c] = (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
            g_shift[c] = wild ? rnd_range(-31, 30) : natural + rnd_range(-3, 3);
        }
        /* |bias| <= 2^28 and |acc| < 2^27 for these shapes: the sum cannot overflow */
        g_bias[c] = rnd_percent(80) ? rnd_range(-(1 << 16), 1 << 16)
                                    : rnd_range(-(1 << 28), 1 << 28);
    }
    return with_bias ? g_bias : NULL;
}

static void act_setup(int32_t *lo, int32_t *hi)
{
    if (rnd_percent(60)) {
        *lo = -128;
        *hi = 127;
    } else {
        *lo = rnd_range(-128, 127);
        *hi = rnd_range(*lo, 127);
    }
}

/* ---- comparison ---- */

typedef struct {
    const char *name;
    int32_t cases, mismatches, reported;
    uint64_t macs; /* multiply-accumulates the cases asked for (padding taps included) */
    uint64_t ref_cycles, dsp_cycles, spec_cycles;
} tally_t;

static void prepare_outputs(int32_t n)
{
    int32_t i;
    /* different fills: a byte neither kernel writes cannot compare equal */
    for (i = 0; i < n + GUARD; ++i) {
        g_out_ref[i] = (int8_t)0x55;
        g_out_dsp[i] = (int8_t)0x2A;
        g_out_spec[i] = (int8_t)0x3C;
    }
}

/* Which outputs disagree: 0 = none, else "ref/dsp", "spec/ref" (the first found). */
static const char *outputs_differ(int32_t n)
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        if (g_out_spec[i] != g_out_ref[i]) {
            return "spec/ref";
        }
        if (g_out_ref[i] != g_out_dsp[i]) {
            return "ref/dsp";
        }
    }
    for (i = n; i < n + GUARD; ++i) {
        if (g_out_ref[i] != (int8_t)0x55 || g_out_dsp[i] != (int8_t)0x2A || g_out_spec[i] != (int8_t)0x3C) {
            return "guard";
        }
    }
    return 0;
}

static void print_tally(const tally_t *t)
{
    put_str(t->name);
    put_kv("cases", t->cases);
    put_kv("mismatches", t->mismatches);
    put_str(" macs=");
    put_u64(t->macs);
    put_str(" ref_cycles=");
    put_u64(t->ref_cycles);
    put_str(" dsp_cycles=");
    put_u64(t->dsp_cycles);
    put_str(" spec_cycles=");
    put_u64(t->spec_cycles);
    if (t->dsp_cycles != 0u) {
        /* ratio with two decimals, in integers */
        const uint64_t r100 = (t->ref_cycles * 100u + t->dsp_cycles / 2u) / t->dsp_cycles;
        put_str(" speedup=");
        put_u64(r100 / 100u);
        put_str(".");
        put_u64((r100 % 100u) / 10u);
        put_u64(r100 % 10u);
    }
    put_str("\n");
}

typedef void (*conv_fn_t)(const hk_conv_params_t *, const int8_t *, const int8_t *,
                          const int32_t *, int8_t *);
typedef void (*fc_fn_t)(const hk_fc_params_t *, const int8_t *, const int8_t *, const int32_t *,
                        int8_t *);

static void print_conv(const char *what, const hk_conv_params_t *p)
{
    put_str(what);
    put_kv("n", p->input.n);
    put_kv("in_h", p->input.h);
    put_kv("in_w", p->input.w);
    put_kv("in_c", p->input.c);
    put_kv("k_h", p->filter.h);
    put_kv("k_w", p->filter.w);
    put_kv("k_c", p->filter.c);
    put_kv("out_h", p->output.h);
    put_kv("out_w", p->output.w);
    put_kv("out_c", p->output.c);
    put_kv("stride_h", p->stride_h);
    put_kv("stride_w", p->stride_w);
    put_kv("dil_h", p->dilation_h);
    put_kv("dil_w", p->dilation_w);
    put_kv("pad_h", p->pad_h);
    put_kv("pad_w", p->pad_w);
    put_kv("dm", p->depth_multiplier);
    put_kv("in_off", p->input_offset);
    put_kv("out_off", p->output_offset);
    put_str("\n");
}

/* Runs spec, ref and dsp on the staged case; returns 1 if all three agree. */
static int run_conv(tally_t *t, conv_fn_t spec, conv_fn_t ref, conv_fn_t dsp, const hk_conv_params_t *p,
                    const int32_t *bias, int32_t out_bytes)
{
    uint32_t c0, c1, c2, c3;
    const char *differ;
    prepare_outputs(out_bytes);
    c0 = g_io->cycles();
    ref(p, g_input, g_filter, bias, g_out_ref);
    c1 = g_io->cycles();
    dsp(p, g_input, g_filter, bias, g_out_dsp);
    c2 = g_io->cycles();
    spec(p, g_input, g_filter, bias, g_out_spec);
    c3 = g_io->cycles();
    t->ref_cycles += (uint32_t)(c1 - c0);
    t->dsp_cycles += (uint32_t)(c2 - c1);
    t->spec_cycles += (uint32_t)(c3 - c2);
    t->cases++;
    t->macs += (uint64_t)out_bytes * (uint64_t)(p->filter.h * p->filter.w) *
               (uint64_t)(ref == hk_dwconv2d_s8 ? 1 : p->filter.c);
    differ = outputs_differ(out_bytes);
    if (differ != 0) {
        t->mismatches++;
        if (t->reported++ < MAX_REPORTED) {
            put_str(differ);
            put_str(" ");
            print_conv("MISMATCH", p);
        }
        return 0;
    }
    return 1;
}

/* One spatial axis: input size, kernel, stride, dilation and padding, with
 * VALID, SAME (TFLite's formulas) or arbitrary top / bottom padding.
 * `big` allows larger inputs. Returns the output size. */
static int32_t axis_setup(int32_t k, int32_t stride, int32_t dil, int32_t max_in, int32_t *in,
                          int32_t *pad)
{
    const int32_t eff = (k - 1) * dil + 1;
    const int32_t mode = rnd_range(0, 2);
    int32_t out;
    if (mode == 0) { /* VALID */
        *in = eff + rnd_range(0, max_in > eff ? max_in - eff : 0);
        *pad = 0;
        return (*in - eff) / stride + 1;
    }
    *in = rnd_range(1, max_in);
    if (mode == 1) { /* SAME */
        int32_t total;
        out = (*in + stride - 1) / stride;
        total = (out - 1) * stride + eff - *in;
        *pad = total > 0 ? total / 2 : 0;
        return out;
    }
    /* arbitrary: top in [0, eff), bottom in [0, eff), at least one output */
    for (;;) {
        const int32_t top = rnd_range(0, eff - 1);
        const int32_t bottom = rnd_range(0, eff - 1);
        const int32_t span = *in + top + bottom - eff;
        if (span >= 0) {
            *pad = top;
            return span / stride + 1;
        }
        *in = rnd_range(1, max_in);
    }
}

/* ---- CONV_2D ---- */

static void conv2d_case(tally_t *t, int big)
{
    hk_conv_params_t p;
    int32_t groups, k_c, out_per_group, in_h, in_w, out_h, out_w, in_bytes, f_bytes, out_bytes;
    const int32_t *bias;
    for (;;) {
        const int32_t max_hw = big ? 12 : 8;
        groups = rnd_percent(20) ? rnd_range(2, 4) : 1;
        k_c = big ? rnd_range(8, 48) : rnd_range(1, 20);
        out_per_group = big ? rnd_range(8, 48) : rnd_range(1, 12);
        p.filter.h = rnd_range(1, 5);
        p.filter.w = rnd_range(1, 5);
        if (big && rnd_percent(50)) { /* pointwise, the common case */
            p.filter.h = 1;
            p.filter.w = 1;
        }
        p.stride_h = rnd_range(1, 3);
        p.stride_w = rnd_range(1, 3);
        p.dilation_h = rnd_range(1, 2);
        p.dilation_w = rnd_range(1, 2);
        out_h = axis_setup(p.filter.h, p.stride_h, p.dilation_h, max_hw, &in_h, &p.pad_h);
        out_w = axis_setup(p.filter.w, p.stride_w, p.dilation_w, max_hw, &in_w, &p.pad_w);
        p.input.n = rnd_percent(10) ? 2 : 1;
        p.input.h = in_h;
        p.input.w = in_w;
        p.input.c = groups * k_c;
        p.filter.n = groups * out_per_group;
        p.filter.c = k_c;
        p.output.n = p.input.n;
        p.output.h = out_h;
        p.output.w = out_w;
        p.output.c = p.filter.n;
        in_bytes = p.input.n * in_h * in_w * p.input.c;
        f_bytes = p.filter.n * p.filter.h * p.filter.w * k_c;
        out_bytes = p.output.n * out_h * out_w * p.output.c;
        if (in_bytes <= MAX_IN && f_bytes <= MAX_FILTER && out_bytes <= MAX_OUT &&
            p.output.c <= MAX_CH) {
            break;
        }
    }
    p.depth_multiplier = 1;
    p.input_offset = rnd_range(-127, 128);
    p.output_offset = rnd_range(-128, 127);
    act_setup(&p.act_min, &p.act_max);
    fill_s8(g_input, in_bytes, -128, 127);
    if (rnd_percent(80)) {
        fill_s8(g_filter, f_bytes, -128, 127);
    } else {
        fill_s8(g_filter, f_bytes, -3, 3);
    }
    bias = quant_setup(p.output.c, p.filter.h * p.filter.w * k_c, rnd_percent(90));
    p.out_mult = g_mult;
    p.out_shift = g_shift;
    (void)run_conv(t, hk_conv2d_s8_spec, hk_conv2d_s8, hk_conv2d_s8_dsp, &p, bias, out_bytes);
}

/* ---- a case's data ---- */

/* The data of a convolution case whose shapes are set: offsets, clamp, random
 * input and filter bytes, per-channel multipliers and shifts for `taps`
 * products per output. Returns the bias (NULL one time in ten). */
static const int32_t *conv_data_setup(hk_conv_params_t *p, int32_t in_bytes, int32_t f_bytes,
                                      int32_t taps)
{
    const int32_t *bias;
    p->input_offset = rnd_range(-127, 128);
    p->output_offset = rnd_range(-128, 127);
    act_setup(&p->act_min, &p->act_max);
    fill_s8(g_input, in_bytes, -128, 127);
    fill_s8(g_filter, f_bytes, -128, 127);
    bias = quant_setup(p->output.c, taps, rnd_percent(90));
    p->out_mult = g_mult;
    p->out_shift = g_shift;
    return bias;
}

/* ---- the tiles' packed filter ---- */

/* g_filter packed for the tile kernels (before the timed calls); 0 when the
 * filter does not fit g_packed16, which the shapes below never ask. */
static int pack_filter(const hk_conv_params_t *p)
{
    const int32_t depth = p->filter.h * p->filter.w * p->filter.c;
    if (HK_CONV_PACKED16_LEN(p->output.c, depth) > MAX_PACKED16) {
        put_str("packed filter too large for the check\n");
        return 0;
    }
    hk_conv_pack_weights16(p->output.c, depth, g_filter, g_packed16);
    return 1;
}

/* The tile kernels on g_filter's packed copy, in run_conv's signature. */
static void tiles_1x1(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                      const int32_t *bias, int8_t *output)
{
    (void)filter;
    hk_conv2d_1x1_s8_dsp(p, input, g_packed16, bias, output);
}

static void tiles_im2col(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                         const int32_t *bias, int8_t *output)
{
    (void)filter;
    hk_conv2d_im2col_s8_dsp(p, input, g_packed16, bias, output);
}

/* The scalar-core kernels on their packed filter and folded bias. */
static void scalar_1x1(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                       const int32_t *bias, int8_t *output)
{
    (void)filter;
    (void)bias;
    hk_conv2d_1x1_s8_scalar(p, input, g_pack.u8, g_folded, output);
}

static void scalar_im2col(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                          const int32_t *bias, int8_t *output)
{
    (void)filter;
    (void)bias;
    hk_conv2d_im2col_s8_scalar(p, input, g_pack.u8, g_folded, output);
}

static int is_scalar_tiles(conv_fn_t f)
{
    return f == scalar_1x1 || f == scalar_im2col;
}

/* What a tile kernel reads besides the case's data, made before the timed
 * calls: the DSP tiles' packed filter, or the scalar kernels' filter and
 * folded bias. 0 when the filter does not fit. */
static int prepare_weights(conv_fn_t f, const hk_conv_params_t *p, const int32_t *bias)
{
    const int32_t depth = p->filter.h * p->filter.w * p->filter.c;
    if (f == tiles_1x1 || f == tiles_im2col) {
        return pack_filter(p);
    }
    if (is_scalar_tiles(f)) {
        hk_scalar_pack_weights(depth, p->output.c, g_filter, g_pack.u8);
        hk_scalar_fold_bias(depth, p->output.c, g_filter, bias, g_folded);
    }
    return 1;
}

/* A tile kernel's case: its filter packed, then the three kernels compared. */
static void run_tiles(tally_t *t, conv_fn_t tiles, const hk_conv_params_t *p, const int32_t *bias,
                      int32_t out_bytes)
{
    if (!prepare_weights(tiles, p, bias)) {
        t->mismatches++;
        return;
    }
    (void)run_conv(t, hk_conv2d_s8_spec, hk_conv2d_s8, tiles, p, bias, out_bytes);
}

/* ---- CONV_2D 1x1 (hk_conv2d_1x1_s8_dsp) ---- */

/* The shapes the code generator gives the pointwise kernel (hk_kernels.h): 1x1,
 * stride 1, no padding, no groups, 2 or more pixels, in_c <= HK_PW_MAX_IN (the
 * DSP tiles: any, in segments); odd
 * pixel counts (a last single pixel), channel counts off multiples of 4 and 8
 * (tails), odd output channels. */
static void conv1x1_case(tally_t *t, int big, conv_fn_t tiles)
{
    hk_conv_params_t p;
    int32_t in_bytes, f_bytes, out_bytes;
    const int32_t *bias;
    for (;;) {
        p.input.n = rnd_percent(10) ? 2 : 1;
        p.input.h = rnd_range(1, big ? 25 : 6);
        p.input.w = rnd_range(1, big ? 5 : 3);
        /* the DSP tiles take longer windows in segments of HK_PW_MAX_IN */
        p.input.c = big ? rnd_range(1, tiles == tiles_1x1 ? 2 * HK_PW_MAX_IN + 100 : HK_PW_MAX_IN) : rnd_range(1, 40);
        p.output.c = big ? rnd_range(1, 80) : rnd_range(1, 20);
        in_bytes = p.input.n * p.input.h * p.input.w * p.input.c;
        f_bytes = p.output.c * p.input.c;
        out_bytes = p.input.n * p.input.h * p.input.w * p.output.c;
        if (p.input.n * p.input.h * p.input.w >= 2 && in_bytes <= MAX_IN && f_bytes <= MAX_FILTER &&
            out_bytes <= MAX_OUT && HK_CONV_PACKED16_LEN(p.output.c, p.input.c) <= MAX_PACKED16) {
            break;
        }
    }
    p.filter.n = p.output.c;
    p.filter.h = 1;
    p.filter.w = 1;
    p.filter.c = p.input.c;
    p.output.n = p.input.n;
    p.output.h = p.input.h;
    p.output.w = p.input.w;
    p.stride_h = p.stride_w = 1;
    p.dilation_h = rnd_range(1, 2); /* no effect on a 1x1 filter */
    p.dilation_w = 1;
    p.pad_h = p.pad_w = 0;
    p.depth_multiplier = 1;
    bias = conv_data_setup(&p, in_bytes, f_bytes, p.input.c);
    run_tiles(t, tiles, &p, bias, out_bytes);
}

/* ---- CONV_2D by im2col (hk_conv2d_im2col_s8_dsp) ---- */

/* The calls the code generator gives the im2col kernel: ungrouped, a window of
 * at most HK_PW_MAX_IN elements, two pixels or more; kernels 1..5 (a 1x1 one
 * strided or padded), strides 1..3, dilations 1..2, VALID / SAME / arbitrary
 * padding, single-channel inputs (a spectrogram's first layer). */
static void conv_im2col_case(tally_t *t, int big, conv_fn_t tiles)
{
    hk_conv_params_t p;
    int32_t in_h, in_w, out_h, out_w, in_bytes, f_bytes, out_bytes;
    const int32_t *bias;
    for (;;) {
        const int32_t max_hw = big ? 14 : 8;
        p.input.c = rnd_percent(25) ? 1 : big ? rnd_range(8, 48) : rnd_range(1, 20);
        p.output.c = big ? rnd_range(8, 70) : rnd_range(1, 12);
        p.filter.h = rnd_range(1, 5);
        p.filter.w = rnd_range(1, 5);
        p.stride_h = rnd_range(1, 3);
        p.stride_w = rnd_range(1, 3);
        p.dilation_h = rnd_range(1, 2);
        p.dilation_w = rnd_range(1, 2);
        out_h = axis_setup(p.filter.h, p.stride_h, p.dilation_h, max_hw, &in_h, &p.pad_h);
        out_w = axis_setup(p.filter.w, p.stride_w, p.dilation_w, max_hw, &in_w, &p.pad_w);
        p.input.n = rnd_percent(10) ? 2 : 1;
        p.input.h = in_h;
        p.input.w = in_w;
        p.filter.n = p.output.c;
        p.filter.c = p.input.c;
        p.output.n = p.input.n;
        p.output.h = out_h;
        p.output.w = out_w;
        in_bytes = p.input.n * in_h * in_w * p.input.c;
        f_bytes = p.output.c * p.filter.h * p.filter.w * p.input.c;
        out_bytes = p.output.n * out_h * out_w * p.output.c;
        if (p.filter.h * p.filter.w * p.input.c <= HK_PW_MAX_IN && p.output.n * out_h * out_w >= 2 &&
            in_bytes <= MAX_IN && f_bytes <= MAX_FILTER && out_bytes <= MAX_OUT &&
            HK_CONV_PACKED16_LEN(p.output.c, p.filter.h * p.filter.w * p.input.c) <= MAX_PACKED16) {
            break;
        }
    }
    p.depth_multiplier = 1;
    bias = conv_data_setup(&p, in_bytes, f_bytes, p.filter.h * p.filter.w * p.input.c);
    run_tiles(t, tiles, &p, bias, out_bytes);
}

/* ---- DEPTHWISE_CONV_2D ---- */

static void dwconv2d_case(tally_t *t, int big)
{
    hk_conv_params_t p;
    int32_t in_c, dm, in_h, in_w, out_h, out_w, in_bytes, f_bytes, out_bytes;
    const int32_t *bias;
    for (;;) {
        const int32_t max_hw = big ? 16 : 9;
        dm = rnd_percent(70) ? 1 : 2;
        in_c = big ? rnd_range(16, 64) : rnd_range(1, 24);
        p.filter.h = rnd_range(1, 5);
        p.filter.w = rnd_range(1, 5);
        if (big && rnd_percent(40)) { /* streaming audio: a k x 1 kernel over time */
            p.filter.w = 1;
        }
        p.stride_h = rnd_range(1, 3);
        p.stride_w = rnd_range(1, 3);
        p.dilation_h = rnd_range(1, 2);
        p.dilation_w = rnd_range(1, 2);
        out_h = axis_setup(p.filter.h, p.stride_h, p.dilation_h, max_hw, &in_h, &p.pad_h);
        out_w = axis_setup(p.filter.w, p.stride_w, p.dilation_w, max_hw, &in_w, &p.pad_w);
        p.input.n = rnd_percent(10) ? 2 : 1;
        p.input.h = in_h;
        p.input.w = in_w;
        p.input.c = in_c;
        p.filter.n = 1;
        p.filter.c = in_c * dm;
        p.output.n = p.input.n;
        p.output.h = out_h;
        p.output.w = out_w;
        p.output.c = in_c * dm;
        in_bytes = p.input.n * in_h * in_w * in_c;
        f_bytes = p.filter.h * p.filter.w * p.filter.c;
        out_bytes = p.output.n * out_h * out_w * p.output.c;
        if (in_bytes <= MAX_IN && f_bytes <= MAX_FILTER && out_bytes <= MAX_OUT &&
            p.output.c <= MAX_CH) {
            break;
        }
    }
    p.depth_multiplier = dm;
    bias = conv_data_setup(&p, in_bytes, f_bytes, p.filter.h * p.filter.w);
    (void)run_conv(t, hk_dwconv2d_s8_spec, hk_dwconv2d_s8, hk_dwconv2d_s8_dsp, &p, bias, out_bytes);
}

/* ---- DEPTHWISE_CONV_2D, 3x3 one plane at a time (hk_dwconv2d_3x3_s8_dsp) ---- */

/* The calls hk_dw3_fits accepts: 3x3, depth multiplier 1, dilation 1,
 * horizontal stride 1 or 2, any vertical stride; odd and even widths (the pair
 * loop's dropped output), VALID / SAME / arbitrary padding, and planes taller
 * than one strip of HK_DW3_PLANE values. */
static void dwconv3x3_case(tally_t *t, int big, int32_t (*fits)(const hk_conv_params_t *), conv_fn_t planar)
{
    hk_conv_params_t p;
    int32_t in_c, in_h, in_w, out_h, out_w, in_bytes, f_bytes, out_bytes;
    const int32_t *bias;
    for (;;) {
        /* the scalar kernel's rows go up to HK_DW3_SCALAR_ROW values: sometimes a long thin map */
        const int32_t long_rows = planar != hk_dwconv2d_3x3_s8_dsp && big && rnd_percent(50);
        const int32_t max_h = long_rows && rnd_percent(50) ? HK_DW3_SCALAR_ROW + 10 : big ? 40 : 9;
        const int32_t max_w = long_rows && max_h <= 40 ? HK_DW3_SCALAR_ROW + 10 : long_rows ? 6 : big ? 40 : 9;
        in_c = long_rows ? rnd_range(1, 3) : big ? rnd_range(1, 20) : rnd_range(1, 24);
        p.filter.h = 3;
        p.filter.w = 3;
        p.stride_h = rnd_range(1, 3);
        p.stride_w = rnd_range(1, 2);
        p.dilation_h = 1;
        p.dilation_w = 1;
        out_h = axis_setup(3, p.stride_h, 1, max_h, &in_h, &p.pad_h);
        out_w = axis_setup(3, p.stride_w, 1, max_w, &in_w, &p.pad_w);
        p.input.n = rnd_percent(10) ? 2 : 1;
        p.input.h = in_h;
        p.input.w = in_w;
        p.input.c = in_c;
        p.filter.n = 1;
        p.filter.c = in_c;
        p.output.n = p.input.n;
        p.output.h = out_h;
        p.output.w = out_w;
        p.output.c = in_c;
        p.depth_multiplier = 1;
        in_bytes = p.input.n * in_h * in_w * in_c;
        f_bytes = 9 * in_c;
        out_bytes = p.output.n * out_h * out_w * in_c;
        if (in_bytes <= MAX_IN && out_bytes <= MAX_OUT && fits(&p)) {
            break;
        }
    }
    bias = conv_data_setup(&p, in_bytes, f_bytes, 9);
    (void)run_conv(t, hk_dwconv2d_s8_spec, hk_dwconv2d_s8, planar, &p, bias, out_bytes);
}

/* ---- FULLY_CONNECTED ---- */

/* Runs spec, ref and a DSP variant (dsp, on dsp_weights: the filter, or its
 * packed copy) on the staged case; returns 1 if all three agree. */
static int run_fc_variant(tally_t *t, const hk_fc_params_t *p, const int32_t *bias, fc_fn_t dsp,
                          const int8_t *dsp_weights)
{
    const int32_t out_bytes = p->batches * p->out_depth;
    uint32_t c0, c1, c2, c3;
    const char *differ;
    prepare_outputs(out_bytes);
    c0 = g_io->cycles();
    hk_fully_connected_s8(p, g_input, g_filter, bias, g_out_ref);
    c1 = g_io->cycles();
    dsp(p, g_input, dsp_weights, bias, g_out_dsp);
    c2 = g_io->cycles();
    hk_fully_connected_s8_spec(p, g_input, g_filter, bias, g_out_spec);
    c3 = g_io->cycles();
    t->ref_cycles += (uint32_t)(c1 - c0);
    t->dsp_cycles += (uint32_t)(c2 - c1);
    t->spec_cycles += (uint32_t)(c3 - c2);
    t->cases++;
    t->macs += (uint64_t)out_bytes * (uint64_t)p->in_depth;
    differ = outputs_differ(out_bytes);
    if (differ != 0) {
        t->mismatches++;
        if (t->reported++ < MAX_REPORTED) {
            put_str(differ);
            put_str(" MISMATCH");
            put_kv("batches", p->batches);
            put_kv("in_depth", p->in_depth);
            put_kv("out_depth", p->out_depth);
            put_kv("in_off", p->input_offset);
            put_kv("filter_off", p->filter_offset);
            put_kv("n_mult", p->n_mult);
            put_str("\n");
        }
        return 0;
    }
    return 1;
}

static int run_fc(tally_t *t, const hk_fc_params_t *p, const int32_t *bias)
{
    return run_fc_variant(t, p, bias, hk_fully_connected_s8_dsp, g_filter);
}

/* ---- FULLY_CONNECTED with packed weights (hk_fully_connected_s8_packed_dsp) ---- */


/* The calls the code generator gives the packed kernel: symmetric weights, in_depth
 * up to HK_FC_PACKED_MAX_DEPTH (tails after groups of four inputs and of four rows),
 * batches, per-channel or per-tensor multipliers; FULLY_CONNECTED and one-pixel
 * convolutions alike. */
/* A call of the packed kernels' shapes (filter offset 0, in_depth within
 * HK_FC_PACKED_MAX_DEPTH) that fits the buffers, its data drawn; returns the bias. */
static const int32_t *fc_packed_setup(hk_fc_params_t *p, int big)
{
    for (;;) {
        p->batches = rnd_percent(20) ? rnd_range(2, 3) : 1;
        p->in_depth = big ? rnd_range(100, HK_FC_PACKED_MAX_DEPTH) : rnd_range(1, 80);
        p->out_depth = big ? rnd_range(20, 96) : rnd_range(1, 24);
        if (p->batches * p->in_depth <= MAX_IN && p->in_depth * p->out_depth <= MAX_FILTER &&
            p->batches * p->out_depth <= MAX_OUT) {
            break;
        }
    }
    p->input_offset = rnd_range(-127, 128);
    p->filter_offset = 0;
    p->output_offset = rnd_range(-128, 127);
    act_setup(&p->act_min, &p->act_max);
    fill_s8(g_input, p->batches * p->in_depth, -128, 127);
    fill_s8(g_filter, p->in_depth * p->out_depth, -128, 127);
    p->out_mult = g_mult;
    p->out_shift = g_shift;
    return quant_setup(p->out_depth, p->in_depth, rnd_percent(90));
}

static void fc_packed_case(tally_t *t, int big)
{
    hk_fc_params_t p;
    const int32_t *bias = fc_packed_setup(&p, big);
    p.n_mult = rnd_percent(70) ? p.out_depth : 1;
    hk_fc_pack_weights(p.in_depth, p.out_depth, g_filter, g_packed);
    (void)run_fc_variant(t, &p, bias, hk_fully_connected_s8_packed_dsp, g_packed);
}

/* ---- FULLY_CONNECTED on scalar cores (hk_fully_connected_s8_scalar) ---- */

static void fc_scalar(const hk_fc_params_t *p, const int8_t *input, const int8_t *weights,
                      const int32_t *bias, int8_t *output)
{
    (void)weights;
    (void)bias;
    hk_fully_connected_s8_scalar(p, input, g_pack.u8, g_folded, output);
}

/* The calls the code generator gives it (those of the packed DSP kernel). */
static void fc_scalar_case(tally_t *t, int big)
{
    hk_fc_params_t p;
    const int32_t *bias = fc_packed_setup(&p, big);
    p.n_mult = rnd_percent(70) ? p.out_depth : 1;
    hk_scalar_pack_weights(p.in_depth, p.out_depth, g_filter, g_pack.u8);
    hk_scalar_fold_bias(p.in_depth, p.out_depth, g_filter, bias, g_folded);
    (void)run_fc_variant(t, &p, bias, fc_scalar, g_filter);
}

static void fc_case(tally_t *t, int big)
{
    hk_fc_params_t p;
    const int32_t *bias;
    for (;;) {
        p.batches = rnd_percent(20) ? rnd_range(2, 3) : 1;
        p.in_depth = big ? rnd_range(200, 1000) : rnd_range(1, 160);
        p.out_depth = big ? rnd_range(16, 64) : rnd_range(1, 24);
        if (p.batches * p.in_depth <= MAX_IN && p.in_depth * p.out_depth <= MAX_FILTER) {
            break;
        }
    }
    p.input_offset = rnd_range(-127, 128);
    p.filter_offset = rnd_percent(15) ? rnd_range(-127, 128) : 0;
    p.output_offset = rnd_range(-128, 127);
    act_setup(&p.act_min, &p.act_max);
    p.n_mult = rnd_percent(50) ? p.out_depth : 1;
    fill_s8(g_input, p.batches * p.in_depth, -128, 127);
    fill_s8(g_filter, p.in_depth * p.out_depth, -128, 127);
    bias = quant_setup(p.out_depth, p.in_depth, rnd_percent(90));
    p.out_mult = g_mult;
    p.out_shift = g_shift;
    (void)run_fc(t, &p, bias);
}

/* ---- requantization: hk__requant_block against hk__mbqm_param ---- */

/* A block of 250 random (accumulator, multiplier, shift) triples per case:
 * accumulators anywhere in int32 and near its edges and zero, multipliers in
 * [2^30, 2^31) or 0 or exactly 2^30, shifts anywhere in TFLite's [-31, 30],
 * per channel or one for the block, a random offset and clamp: the folded
 * rounding (one SMLAL and a shift on Arm) must give the reference's bytes. */
#define RQ_BLOCK 250

static void requant_case(tally_t *t)
{
    static const int32_t edges[] = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MIN + 1,
                                    INT32_MAX - 1, 1 << 30, -(1 << 30)};
    static int32_t acc[RQ_BLOCK];
    const int32_t q_step = rnd_percent(80) ? 1 : 0;
    const int32_t off = rnd_range(-128, 127);
    int32_t lo, hi, i;
    act_setup(&lo, &hi);
    for (i = 0; i < RQ_BLOCK; ++i) {
        const int32_t pick = rnd_range(0, 9);
        acc[i] = pick < 2 ? hk__from_u32((uint32_t)edges[rnd_range(0, 10)] + (uint32_t)rnd_range(-2, 2)) /* wraps */
                 : pick < 6 ? (int32_t)rnd() : rnd_range(-100000, 100000);
        g_mult[i] = rnd_percent(3) ? 0 : rnd_percent(3) ? (1 << 30)
                                        : (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
        g_shift[i] = rnd_range(-31, 30);
    }
    prepare_outputs(RQ_BLOCK);
    hk__requant_block(acc, RQ_BLOCK, g_mult, g_shift, q_step, off, lo, hi, g_out_dsp, 1);
    for (i = 0; i < RQ_BLOCK; ++i) {
        const int32_t k = q_step * i;
        g_out_ref[i] = (int8_t)hk__clamp(hk__mbqm_param(acc[i], g_mult[k], (int)g_shift[k]) + off, lo, hi);
        g_out_spec[i] = g_out_ref[i];
    }
    /* the prepared form (hk__requant_fast, the offset folded in), before any
     * clamp, wherever hk__requant_prepare takes the shift */
    for (i = 0; i < RQ_BLOCK; ++i) {
        const int32_t k = q_step * i;
        int32_t hi0, e1;
        if (hk__requant_prepare(g_shift[k], off, &hi0, &e1) &&
            hk__requant_fast(acc[i], g_mult[k], hi0, e1) !=
                hk__mbqm_param(acc[i], g_mult[k], (int)g_shift[k]) + off) {
            g_out_dsp[i] = (int8_t)(g_out_ref[i] ^ 1);
        }
    }
    t->cases++;
    if (outputs_differ(RQ_BLOCK) != 0) {
        t->mismatches++;
        if (t->reported++ < MAX_REPORTED) {
            for (i = 0; i < RQ_BLOCK && g_out_ref[i] == g_out_dsp[i]; ++i) {
            }
            put_str("MISMATCH requant");
            put_kv("acc", acc[i]);
            put_kv("mult", g_mult[q_step * i]);
            put_kv("shift", g_shift[q_step * i]);
            put_kv("want", g_out_ref[i]);
            put_kv("got", g_out_dsp[i]);
            put_str("\n");
        }
    }
}

/* Tallies a table kernel's case (output in g_out_dsp) against its reference's
 * (g_out_ref, which is its specification too: both are TFLM-exact) and
 * returns 1 when a mismatch is to be reported: the caller names it and ends the
 * line. */
static int tally_table_case(tally_t *t, int32_t n, uint32_t ref_cycles, uint32_t table_cycles, const char *what)
{
    memcpy(g_out_spec, g_out_ref, (size_t)n);
    t->ref_cycles += ref_cycles;
    t->dsp_cycles += table_cycles;
    t->cases++;
    if (outputs_differ(n) == 0) {
        return 0;
    }
    t->mismatches++;
    if (t->reported++ >= MAX_REPORTED) {
        return 0;
    }
    put_str("MISMATCH ");
    put_str(what);
    return 1;
}

/* ---- SOFTMAX with exp looked up (hk_softmax_s8_lut) against hk_softmax_s8 ----
 * The table is filled here, on the core under test, as the compiler fills it on
 * the host. beta * s_in is drawn over the left shifts a trained classifier's
 * logits give and beyond; rows span from a few steps to the whole int8 range. */
static void softmax_case(tally_t *t, int32_t i, int big)
{
    int32_t *const table = g_pack.exp_q0;
    hk_softmax_params_t p;
    hk_softmax_lut_params_t lut;
    int32_t n, span, lo;
    uint32_t c0, c1, c2;
    (void)i;
    do {
        p.outer = rnd_percent(70) ? 1 : rnd_range(2, 8);
        p.depth = big ? rnd_range(100, 511) : rnd_range(1, 40); /* hk_kernels.h: up to 511 */
    } while (p.outer * p.depth > MAX_OUT);
    n = p.outer * p.depth;
    p.input_mult = (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
    p.input_left_shift = rnd_range(8, 30);
    p.diff_min = -(int32_t)((31u << 26) >> p.input_left_shift);
    span = rnd_percent(30) ? 255 : rnd_range(0, 80);
    lo = rnd_range(-128, 127 - span);
    fill_s8(g_input, n, lo, lo + span);
    lut.outer = p.outer;
    lut.depth = p.depth;
    lut.entries = hk_softmax_s8_lut_fill(&p, table);
    lut.exp_q0 = table;
    prepare_outputs(n);
    c0 = g_io->cycles();
    hk_softmax_s8(&p, g_input, g_out_ref);
    c1 = g_io->cycles();
    hk_softmax_s8_lut(&lut, g_input, g_out_dsp);
    c2 = g_io->cycles();
    if (tally_table_case(t, n, c1 - c0, c2 - c1, "softmax")) {
        put_kv("outer", p.outer);
        put_kv("depth", p.depth);
        put_kv("mult", p.input_mult);
        put_kv("shift", p.input_left_shift);
        put_kv("entries", lut.entries);
        put_str("\n");
    }
}

/* ---- LOGISTIC and HARD_SWISH looked up (hk_table_s8) against their kernels ----
 * The table is made here as the compiler makes it on the host: the reference
 * kernel run on the 256 int8 inputs. Parameters are drawn over the ranges the
 * lowering gives (hk_kernels.h); sizes from one element (a wake word's score)
 * to a feature map. */
static void table_case(tally_t *t, int32_t i, int big)
{
    int8_t *const every = g_filter, *const table = g_filter + 256; /* MAX_FILTER >= 512 */
    hk_logistic_params_t lg;
    hk_hard_swish_params_t hs;
    hk_table_params_t tp;
    const int logistic = i % 2 == 0;
    int32_t k, n = big ? rnd_range(256, MAX_OUT < 4096 ? MAX_OUT : 4096) : rnd_range(1, 64);
    uint32_t c0, c1, c2;
    for (k = 0; k < 256; ++k) {
        every[k] = (int8_t)(k - 128);
    }
    if (logistic) {
        lg.size = 256;
        lg.input_zero_point = rnd_range(-128, 127);
        lg.input_multiplier = (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
        lg.input_left_shift = rnd_range(0, 30);
        lg.input_range_radius = (int32_t)((15u << 27) >> lg.input_left_shift);
        hk_logistic_s8(&lg, every, table);
        lg.size = n;
    } else {
        hs.size = 256;
        hs.input_zero_point = rnd_range(-128, 127);
        hs.output_zero_point = rnd_range(-128, 127);
        hs.reluish_mult = rnd_range(16384, 32767);
        hs.reluish_exponent = rnd_range(-31, 30);
        hs.output_mult = rnd_range(16384, 32767);
        hs.output_exponent = rnd_range(-10, 0);
        hk_hard_swish_s8(&hs, every, table);
        hs.size = n;
    }
    tp.size = n;
    tp.table = table;
    fill_s8(g_input, n, -128, 127);
    prepare_outputs(n);
    c0 = g_io->cycles();
    if (logistic) {
        hk_logistic_s8(&lg, g_input, g_out_ref);
    } else {
        hk_hard_swish_s8(&hs, g_input, g_out_ref);
    }
    c1 = g_io->cycles();
    hk_table_s8(&tp, g_input, g_out_dsp);
    c2 = g_io->cycles();
    if (tally_table_case(t, n, c1 - c0, c2 - c1, logistic ? "table logistic" : "table hard_swish")) {
        put_kv("size", n);
        put_str("\n");
    }
}

/* ---- fixed shapes from the Sentry architectures, for the cycle report ---- */

/* "bench KERNEL SHAPE cases=1 mismatches=.. macs=.. ref_cycles=.. dsp_cycles=.. speedup=.." */
static void print_bench(const char *shape, const tally_t *t, tally_t *all)
{
    tally_t named = *t;
    put_str("bench ");
    put_str(t->name);
    put_str(" ");
    named.name = shape;
    print_tally(&named);
    all->mismatches += t->mismatches;
}

static void bench_conv(const char *kernel, const char *shape, conv_fn_t spec, conv_fn_t ref, conv_fn_t dsp,
                       hk_conv_params_t *p, tally_t *all)
{
    tally_t t = {0, 0, 0, 0, 0, 0, 0, 0};
    const int32_t out_bytes = p->output.n * p->output.h * p->output.w * p->output.c;
    const int32_t taps = p->filter.h * p->filter.w * (ref == hk_dwconv2d_s8 ? 1 : p->filter.c);
    const int32_t *bias;
    t.name = kernel;
    fill_s8(g_input, p->input.n * p->input.h * p->input.w * p->input.c, -128, 127);
    fill_s8(g_filter, p->filter.n * p->filter.h * p->filter.w * p->filter.c, -128, 127);
    p->input_offset = 128;
    p->output_offset = -128;
    p->act_min = -128;
    p->act_max = 127;
    p->out_mult = g_mult;
    p->out_shift = g_shift;
    bias = quant_setup(p->output.c, taps, 1);
    if (!prepare_weights(dsp, p, bias)) {
        t.mismatches++;
    }
    (void)run_conv(&t, spec, ref, dsp, p, bias, out_bytes);
    print_bench(shape, &t, all);
}

static void conv_shape(hk_conv_params_t *p, int32_t h, int32_t w, int32_t c, int32_t kh, int32_t kw,
                       int32_t out_c, int32_t stride, int32_t dm)
{
    p->input.n = 1;
    p->input.h = h;
    p->input.w = w;
    p->input.c = c;
    p->filter.n = dm > 0 ? 1 : out_c;
    p->filter.h = kh;
    p->filter.w = kw;
    p->filter.c = dm > 0 ? c * dm : c;
    p->output.n = 1;
    p->output.h = (h - kh) / stride + 1;
    p->output.w = (w - kw) / stride + 1;
    p->output.c = dm > 0 ? c * dm : out_c;
    p->stride_h = stride;
    p->stride_w = stride;
    p->dilation_h = 1;
    p->dilation_w = 1;
    p->pad_h = 0;
    p->pad_w = 0;
    p->depth_multiplier = dm > 0 ? dm : 1;
}

static void bench_dsp(tally_t *all)
{
    hk_conv_params_t p;
    hk_fc_params_t f;
    tally_t t = {"fully_connected_s8", 0, 0, 0, 0, 0, 0, 0};

    /* microWakeWord-style streaming blocks: pointwise 1x1 and depthwise k x 1 over time */
    conv_shape(&p, 6, 1, 64, 1, 1, 64, 1, 0);
    bench_conv("conv2d_s8", "pointwise_6x1x64_to_64", hk_conv2d_s8_spec, hk_conv2d_s8, hk_conv2d_s8_dsp, &p, all);
    bench_conv("conv2d_1x1_s8", "pointwise_6x1x64_to_64", hk_conv2d_s8_spec, hk_conv2d_s8, tiles_1x1, &p, all);
    conv_shape(&p, 25, 5, 64, 1, 1, 64, 1, 0); /* DS-CNN-S */
    bench_conv("conv2d_s8", "pointwise_25x5x64_to_64", hk_conv2d_s8_spec, hk_conv2d_s8, hk_conv2d_s8_dsp, &p, all);
    bench_conv("conv2d_1x1_s8", "pointwise_25x5x64_to_64", hk_conv2d_s8_spec, hk_conv2d_s8, tiles_1x1, &p, all);
    conv_shape(&p, 49, 10, 1, 10, 4, 64, 2, 0); /* DS-CNN-S's first layer, SAME */
    p.output.h = 25;
    p.output.w = 5;
    p.pad_h = 4;
    p.pad_w = 1;
    bench_conv("conv2d_s8", "10x4_s2_49x10x1_to_64", hk_conv2d_s8_spec, hk_conv2d_s8, hk_conv2d_s8_dsp, &p, all);
    bench_conv("conv2d_im2col_s8", "10x4_s2_49x10x1_to_64", hk_conv2d_s8_spec, hk_conv2d_s8, tiles_im2col, &p, all);
    conv_shape(&p, 10, 1, 40, 3, 1, 32, 1, 0);
    bench_conv("conv2d_s8", "3x1_10x1x40_to_32", hk_conv2d_s8_spec, hk_conv2d_s8, hk_conv2d_s8_dsp, &p, all);
    conv_shape(&p, 12, 12, 16, 3, 3, 32, 1, 0);
    bench_conv("conv2d_s8", "3x3_12x12x16_to_32", hk_conv2d_s8_spec, hk_conv2d_s8, hk_conv2d_s8_dsp, &p, all);
    conv_shape(&p, 11, 1, 64, 5, 1, 0, 1, 1);
    bench_conv("dwconv2d_s8", "5x1_11x1x64", hk_dwconv2d_s8_spec, hk_dwconv2d_s8, hk_dwconv2d_s8_dsp, &p, all);
    conv_shape(&p, 14, 14, 32, 3, 3, 0, 1, 1);
    bench_conv("dwconv2d_s8", "3x3_14x14x32", hk_dwconv2d_s8_spec, hk_dwconv2d_s8, hk_dwconv2d_s8_dsp, &p, all);
    bench_conv("dwconv2d_3x3_s8", "3x3_14x14x32", hk_dwconv2d_s8_spec, hk_dwconv2d_s8, hk_dwconv2d_3x3_s8_dsp, &p, all);
    conv_shape(&p, 27, 7, 64, 3, 3, 0, 1, 1); /* DS-CNN-S: 25x5x64, SAME */
    bench_conv("dwconv2d_s8", "3x3_25x5x64", hk_dwconv2d_s8_spec, hk_dwconv2d_s8, hk_dwconv2d_s8_dsp, &p, all);
    bench_conv("dwconv2d_3x3_s8", "3x3_25x5x64", hk_dwconv2d_s8_spec, hk_dwconv2d_s8, hk_dwconv2d_3x3_s8_dsp, &p, all);

    f.batches = 1;
    f.in_depth = 512;
    f.out_depth = 64;
    f.input_offset = 128;
    f.filter_offset = 0;
    f.output_offset = -128;
    f.act_min = -128;
    f.act_max = 127;
    f.n_mult = 1;
    fill_s8(g_input, f.in_depth, -128, 127);
    fill_s8(g_filter, f.in_depth * f.out_depth, -128, 127);
    (void)quant_setup(f.out_depth, f.in_depth, 1);
    f.out_mult = g_mult;
    f.out_shift = g_shift;
    (void)run_fc(&t, &f, g_bias);
    print_bench("512_to_64", &t, all);
}

/* FULLY_CONNECTED in_depth -> out_depth, per-channel, on the scalar kernel. */
static void bench_fc_scalar(const char *shape, int32_t in_depth, int32_t out_depth, tally_t *all)
{
    hk_fc_params_t f;
    tally_t t = {"fully_connected_s8_scalar", 0, 0, 0, 0, 0, 0, 0};
    f.batches = 1;
    f.in_depth = in_depth;
    f.out_depth = out_depth;
    f.input_offset = 128;
    f.filter_offset = 0;
    f.output_offset = -128;
    f.act_min = -128;
    f.act_max = 127;
    f.n_mult = out_depth;
    fill_s8(g_input, f.in_depth, -128, 127);
    fill_s8(g_filter, f.in_depth * f.out_depth, -128, 127);
    (void)quant_setup(f.out_depth, f.in_depth, 1);
    f.out_mult = g_mult;
    f.out_shift = g_shift;
    hk_scalar_pack_weights(in_depth, out_depth, g_filter, g_pack.u8);
    hk_scalar_fold_bias(in_depth, out_depth, g_filter, g_bias, g_folded);
    (void)run_fc_variant(&t, &f, g_bias, fc_scalar, g_filter);
    print_bench(shape, &t, all);
}

/* The scalar-core kernels on DS-CNN-S's shapes, or on smaller ones of the same
 * kinds where the buffers are the micro:bit's. */
static void bench_scalar(tally_t *all)
{
    hk_conv_params_t p;
    if (HK_DSP_CHECK_SMALL_RAM) {
        conv_shape(&p, 5, 5, 32, 1, 1, 32, 1, 0);
        bench_conv("conv2d_1x1_s8_scalar", "pointwise_5x5x32_to_32", hk_conv2d_s8_spec, hk_conv2d_s8, scalar_1x1, &p, all);
        conv_shape(&p, 13, 7, 16, 3, 3, 0, 1, 1);
        bench_conv("dwconv2d_3x3_s8_scalar", "3x3_13x7x16", hk_dwconv2d_s8_spec, hk_dwconv2d_s8,
                   hk_dwconv2d_3x3_s8_scalar, &p, all);
        conv_shape(&p, 49, 10, 1, 10, 4, 4, 2, 0);
        p.output.h = 25;
        p.output.w = 5;
        p.pad_h = 4;
        p.pad_w = 1;
        bench_conv("conv2d_im2col_s8_scalar", "10x4_s2_49x10x1_to_4", hk_conv2d_s8_spec, hk_conv2d_s8, scalar_im2col, &p, all);
        bench_fc_scalar("64_to_32", 64, 32, all);
        return;
    }
    conv_shape(&p, 6, 1, 64, 1, 1, 64, 1, 0);
    bench_conv("conv2d_1x1_s8_scalar", "pointwise_6x1x64_to_64", hk_conv2d_s8_spec, hk_conv2d_s8, scalar_1x1, &p, all);
    conv_shape(&p, 25, 5, 64, 1, 1, 64, 1, 0); /* DS-CNN-S */
    bench_conv("conv2d_1x1_s8_scalar", "pointwise_25x5x64_to_64", hk_conv2d_s8_spec, hk_conv2d_s8, scalar_1x1, &p, all);
    conv_shape(&p, 27, 7, 64, 3, 3, 0, 1, 1); /* DS-CNN-S: 25x5x64, SAME */
    bench_conv("dwconv2d_3x3_s8_scalar", "3x3_25x5x64", hk_dwconv2d_s8_spec, hk_dwconv2d_s8,
               hk_dwconv2d_3x3_s8_scalar, &p, all);
    conv_shape(&p, 14, 14, 32, 3, 3, 0, 1, 1);
    bench_conv("dwconv2d_3x3_s8_scalar", "3x3_14x14x32", hk_dwconv2d_s8_spec, hk_dwconv2d_s8,
               hk_dwconv2d_3x3_s8_scalar, &p, all);
    conv_shape(&p, 49, 10, 1, 10, 4, 64, 2, 0); /* DS-CNN-S's first layer, SAME */
    p.output.h = 25;
    p.output.w = 5;
    p.pad_h = 4;
    p.pad_w = 1;
    bench_conv("conv2d_im2col_s8_scalar", "10x4_s2_49x10x1_to_64", hk_conv2d_s8_spec, hk_conv2d_s8, scalar_im2col, &p, all);
    bench_fc_scalar("64_to_64", 64, 64, all);
    bench_fc_scalar("256_to_64", 256, 64, all);
}

static void run_family(tally_t *t, int32_t n, void (*one)(tally_t *, int32_t, int))
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        one(t, i, i % 8 == 7);
    }
    print_tally(t);
}

static void scalar_pw_case(tally_t *t, int32_t i, int big)
{
    (void)i;
    conv1x1_case(t, big, scalar_1x1);
}

static void scalar_im2col_case(tally_t *t, int32_t i, int big)
{
    (void)i;
    conv_im2col_case(t, big, scalar_im2col);
}

static void scalar_fc_case(tally_t *t, int32_t i, int big)
{
    (void)i;
    fc_scalar_case(t, big);
}

static void scalar_dw3_case(tally_t *t, int32_t i, int big)
{
    (void)i;
    dwconv3x3_case(t, big, hk_dw3_scalar_fits, hk_dwconv2d_3x3_s8_scalar);
}

int32_t hk_dsp_check_run(const hk_dsp_check_io_t *io, int32_t cases_per_kernel)
{
    /* static: off the stack, which the micro:bit's 4 KiB share with the scalar
     * convolutions' staging */
    static tally_t conv = {"conv2d_s8", 0, 0, 0, 0, 0, 0, 0};
    static tally_t pw = {"conv2d_1x1_s8", 0, 0, 0, 0, 0, 0, 0};
    static tally_t im = {"conv2d_im2col_s8", 0, 0, 0, 0, 0, 0, 0};
    static tally_t dw = {"dwconv2d_s8", 0, 0, 0, 0, 0, 0, 0};
    static tally_t dw3 = {"dwconv2d_3x3_s8", 0, 0, 0, 0, 0, 0, 0};
    static tally_t fc = {"fully_connected_s8", 0, 0, 0, 0, 0, 0, 0};
    static tally_t bench = {"bench", 0, 0, 0, 0, 0, 0, 0};
    static tally_t rq = {"requant", 0, 0, 0, 0, 0, 0, 0};
    static tally_t fcp = {"fully_connected_s8_packed", 0, 0, 0, 0, 0, 0, 0};
    static tally_t pws = {"conv2d_1x1_s8_scalar", 0, 0, 0, 0, 0, 0, 0};
    static tally_t ims = {"conv2d_im2col_s8_scalar", 0, 0, 0, 0, 0, 0, 0};
    static tally_t dw3s = {"dwconv2d_3x3_s8_scalar", 0, 0, 0, 0, 0, 0, 0};
    static tally_t fcs = {"fully_connected_s8_scalar", 0, 0, 0, 0, 0, 0, 0};
    static tally_t sm = {"softmax_s8_lut", 0, 0, 0, 0, 0, 0, 0};
    static tally_t tb = {"table_s8", 0, 0, 0, 0, 0, 0, 0};
    const int32_t n = cases_per_kernel > 0 ? cases_per_kernel : DEFAULT_CASES;
    int32_t i, bad;

    g_io = io;
    bad = 0;
#if defined(__ARM_FEATURE_DSP)
    put_str("DSP CHECK start (DSP extension: yes)\n");
#else
    put_str("DSP CHECK start (DSP extension: no, plain C helpers)\n");
#endif
    /* the DSP families first, so that their random cases are the same whether or
     * not the scalar ones run */
    if (!HK_DSP_CHECK_SCALAR_ONLY) {
        for (i = 0; i < n; ++i) {
            conv2d_case(&conv, i % 8 == 7);
        }
        print_tally(&conv);
        for (i = 0; i < n; ++i) {
            conv1x1_case(&pw, i % 8 == 7, tiles_1x1);
        }
        print_tally(&pw);
        for (i = 0; i < n; ++i) {
            conv_im2col_case(&im, i % 8 == 7, tiles_im2col);
        }
        print_tally(&im);
        for (i = 0; i < n; ++i) {
            dwconv2d_case(&dw, i % 8 == 7);
        }
        print_tally(&dw);
        for (i = 0; i < n; ++i) {
            dwconv3x3_case(&dw3, i % 8 == 7, hk_dw3_fits, hk_dwconv2d_3x3_s8_dsp);
        }
        print_tally(&dw3);
        for (i = 0; i < n; ++i) {
            fc_case(&fc, i % 8 == 7);
        }
        print_tally(&fc);
        for (i = 0; i < n; ++i) {
            fc_packed_case(&fcp, i % 8 == 7);
        }
        print_tally(&fcp);
        for (i = 0; i < n; ++i) {
            requant_case(&rq);
        }
        print_tally(&rq);
        bench_dsp(&bench);
        bad += rq.mismatches + fcp.mismatches + conv.mismatches + pw.mismatches + im.mismatches +
               dw.mismatches + dw3.mismatches + fc.mismatches;
    }
    run_family(&pws, n, scalar_pw_case);
    run_family(&ims, n, scalar_im2col_case);
    run_family(&dw3s, n, scalar_dw3_case);
    run_family(&fcs, n, scalar_fc_case);
    run_family(&sm, n, softmax_case);
    run_family(&tb, n, table_case);
    bench_scalar(&bench);
    bad += pws.mismatches + ims.mismatches + dw3s.mismatches + fcs.mismatches + sm.mismatches + tb.mismatches + bench.mismatches;
    put_str(bad == 0 ? "DSP CHECK PASS\n" : "DSP CHECK FAIL\n");
    return bad;
}
