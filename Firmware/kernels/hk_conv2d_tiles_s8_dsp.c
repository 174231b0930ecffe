/*
 * CONV_2D as a blocked matrix multiply in tiles of two pixels by two output
 * channels, for cores with the Armv7E-M / Armv8-M DSP extension: the same
 * bytes as hk_conv2d_s8 (the reference). Two entry points, which the code
 * generator picks per layer:
 *
 *   hk_conv2d_1x1_s8_dsp     a 1x1 filter at stride 1 without padding or
 *                            groups (pointwise): the pixels' inputs are the
 *                            rows of the [pixels x in_c] matrix as stored;
 *   hk_conv2d_im2col_s8_dsp  any other ungrouped convolution whose window
 *                            (k_h * k_w * in_c) is at most HK_PW_MAX_IN: each
 *                            pixel's window is gathered first (im2col, a run
 *                            per filter row when the channels are the whole
 *                            input's), the padding as the input zero point.
 *
 * Either way the two pixels' windows, plus the input offset, are staged once as
 * int16 pairs for all filter rows (hk__pw_stage); then per four window elements
 * the tile takes four LDRs of staged pairs at fixed offsets from one pointer,
 * one LDR of each filter row (the second at a register offset of the window
 * length), two SXTB16 pairs and eight SMLADs: 18 instructions for 16
 * multiply-accumulates, in 13 registers. Staging pairs bytes (0, 2) and (1, 3)
 * as SXTB16 does for the filter word, so the filter is read as it is stored.
 *
 * Exactness as in hk_conv2d_s8_dsp: lanes hold an input plus its offset
 * (|x| <= 255, 0 in the padding) or a filter byte, each SMLAD adds two products
 * below 2^15, and within hk_kernels.h's accumulator bound the sum is the
 * reference's in any order. Requantization is hk__requant_block, a pass of its
 * own over each chunk of sums (the reference's result from one SMLAL and a
 * shift an output).
 */
#include <string.h>

#include "harken/hk_kernels.h"
#include "hk_dsp_impl.h"

/* Output channels whose sums wait on the stack for their requantization pass. */
#define HK_PW_CHUNK 64

/* Two pixels' windows (n elements each) plus the offset, staged as int16 for
 * all filter rows: per four elements e0..e3, the SXTAB16 pair of each pixel's
 * word, pixel 0 then 1:
 *   xs[8g + 0..3] = p0 (e0, e2), (e1, e3);  xs[8g + 4..7] = p1 (e0, e2), (e1, e3)
 * and the n % 4 elements left over after the groups, in order, p0 then p1. */
static void hk__pw_stage(const int8_t *x0, const int8_t *x1, int32_t n, int32_t off2, int32_t off,
                         int16_t *xs)
{
    const int32_t groups = n >> 2;
    int32_t g, i;

    for (g = 0; g < groups; ++g) {
        const int32_t a = hk__read_s8x4(x0 + 4 * g), b = hk__read_s8x4(x1 + 4 * g);
        hk__write_s16x2(xs + 8 * g, hk__sxtab16(off2, a));
        hk__write_s16x2(xs + 8 * g + 2, hk__sxtab16_ror8(off2, a));
        hk__write_s16x2(xs + 8 * g + 4, hk__sxtab16(off2, b));
        hk__write_s16x2(xs + 8 * g + 6, hk__sxtab16_ror8(off2, b));
    }
    for (i = 0; i < (n & 3); ++i) {
        xs[8 * groups + i] = (int16_t)(x0[4 * groups + i] + off);
        xs[8 * groups + 4 + i] = (int16_t)(x1[4 * groups + i] + off);
    }
}

/* One group of hk__pw_rows_2x2: four staged window elements of both pixels
 * against four bytes of both rows. */
#define HK__PW_STEP_2X2()                                                   \
    do {                                                                   \
        const int32_t a02 = hk__read_s16x2(xs), a13 = hk__read_s16x2(xs + 2); \
        const int32_t b02 = hk__read_s16x2(xs + 4), b13 = hk__read_s16x2(xs + 6); \
        int32_t v = hk__read_s8x4(w), e;                                    \
        e = hk__sxtb16(v);                                                  \
        s00 = hk__smlad(a02, e, s00);                                       \
        s10 = hk__smlad(b02, e, s10);                                       \
        e = hk__sxtb16_ror8(v);                                             \
        s00 = hk__smlad(a13, e, s00);                                       \
        s10 = hk__smlad(b13, e, s10);                                       \
        v = hk__read_s8x4(w + n);                                           \
        e = hk__sxtb16(v);                                                  \
        s01 = hk__smlad(a02, e, s01);                                       \
        s11 = hk__smlad(b02, e, s11);                                       \
        e = hk__sxtb16_ror8(v);                                             \
        s01 = hk__smlad(a13, e, s01);                                       \
        s11 = hk__smlad(b13, e, s11);                                       \
        xs += 8;                                                           \
        w += 4;                                                            \
    } while (0)

/* The sums of output channels [c0, c1) (c1 - c0 even) of the two staged pixels
 * (xs, hk__pw_stage), bias included, into acc0[c - c0] (pixel 0) and
 * acc1[c - c0] (pixel 1): per pair of filter rows w0, w1 = w0 + n, the four
 * sums of the tile over n elements, two groups per pass (the loop's own steps,
 * test and branch come to a fifth of a group). One call per pixel pair and
 * chunk: a call per tile would cost a sixth of the tile. */
static HK__DSP_LOOP void hk__pw_rows_2x2(const int16_t *const xs0, const int8_t *w, int32_t n,
                                         int32_t c0, int32_t c1, const int32_t *bias, int32_t *acc0,
                                         int32_t *acc1)
{
    int32_t oc, k, i;

    for (oc = c0, w += c0 * n; oc < c1; oc += 2, w += n) {
        const int16_t *xs = xs0;
        int32_t s00 = bias != NULL ? bias[oc] : 0, s01 = bias != NULL ? bias[oc + 1] : 0;
        int32_t s10 = s00, s11 = s01;
        for (k = n >> 3; k > 0; --k) {
            HK__PW_STEP_2X2();
            HK__PW_STEP_2X2();
        }
        if (n & 4) {
            HK__PW_STEP_2X2();
        }
        for (i = 0; i < (n & 3); ++i) {
            const int32_t xa = xs[i], xb = xs[4 + i], wa = w[i], wb = w[n + i];
            s00 += xa * wa;
            s01 += xa * wb;
            s10 += xb * wa;
            s11 += xb * wb;
        }
        w += n & 3; /* w now at row oc + 1; the step adds the other n */
        acc0[oc - c0] = s00;
        acc0[oc - c0 + 1] = s01;
        acc1[oc - c0] = s10;
        acc1[oc - c0 + 1] = s11;
    }
}

/* acc[0..1] += (p0 . w, p1 . w). */
static HK__DSP_LOOP void hk__pw_dot_2x1(const int16_t *xs, const int8_t *w, int32_t n, int32_t *acc)
{
    int32_t s0 = acc[0], s1 = acc[1];
    int32_t g, i;

    for (g = 0; g < (n >> 2); ++g) {
        const int32_t v = hk__read_s8x4(w + 4 * g);
        const int32_t e02 = hk__sxtb16(v), e13 = hk__sxtb16_ror8(v);
        s0 = hk__smlad(hk__read_s16x2(xs + 8 * g), e02, s0);
        s0 = hk__smlad(hk__read_s16x2(xs + 8 * g + 2), e13, s0);
        s1 = hk__smlad(hk__read_s16x2(xs + 8 * g + 4), e02, s1);
        s1 = hk__smlad(hk__read_s16x2(xs + 8 * g + 6), e13, s1);
    }
    for (i = 0; i < (n & 3); ++i) {
        s0 += xs[8 * g + i] * w[4 * g + i];
        s1 += xs[8 * g + 4 + i] * w[4 * g + i];
    }
    acc[0] = s0;
    acc[1] = s1;
}

/* Output pixels [px, px + 2) (px + 1 only when `two`) of a call whose two
 * windows, n elements each, start at w0 and w1: staged once, then every filter
 * row in 2 x 2 tiles, the sums requantized a chunk at a time. */
static void hk__pw_pixel_pair(const hk_conv_params_t *p, const int8_t *w0, const int8_t *w1,
                              int32_t n, const int8_t *filter, const int32_t *bias, int16_t *xs,
                              int8_t *y, int32_t two)
{
    const int32_t out_c = p->output.c, off = p->input_offset;
    const int32_t *const mult = p->out_mult, *const shift = p->out_shift;
    const int32_t out_off = p->output_offset, lo = p->act_min, hi = p->act_max;
    int32_t acc0[HK_PW_CHUNK], acc1[HK_PW_CHUNK];
    int32_t oc, n_chunk;

    hk__pw_stage(w0, w1, n, hk__dup16(off), off, xs);
    for (oc = 0; oc + 2 <= out_c; oc += n_chunk) {
        n_chunk = (out_c - oc) & ~1;
        n_chunk = n_chunk < HK_PW_CHUNK ? n_chunk : HK_PW_CHUNK;
        hk__pw_rows_2x2(xs, filter, n, oc, oc + n_chunk, bias, acc0, acc1);
        hk__requant_block(acc0, n_chunk, mult + oc, shift + oc, 1, out_off, lo, hi, y + oc, 1);
        if (two) {
            hk__requant_block(acc1, n_chunk, mult + oc, shift + oc, 1, out_off, lo, hi,
                              y + out_c + oc, 1);
        }
    }
    if (oc < out_c) {
        acc0[0] = acc0[1] = bias != NULL ? bias[oc] : 0;
        hk__pw_dot_2x1(xs, filter + oc * n, n, acc0);
        hk__requant_block(acc0, 1 + two, mult + oc, shift + oc, 0, out_off, lo, hi, y + oc, out_c);
    }
}

void hk_conv2d_1x1_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                          const int32_t *bias, int8_t *output)
{
    const int32_t n = p->input.c, out_c = p->output.c;
    const int32_t pixels = p->output.n * p->output.h * p->output.w;
    int16_t xs[2 * HK_PW_MAX_IN];
    int32_t px;

    for (px = 0; px < pixels; px += 2) {
        /* an odd last pixel is staged twice; its copy's outputs are dropped */
        const int32_t two = px + 1 < pixels;
        const int8_t *x = input + px * n;
        hk__pw_pixel_pair(p, x, two ? x + n : x, n, filter, bias, xs, output + px * out_c, two);
    }
}

/* Output pixel px's window in filter order [fy][fx][ic] into dst, the padding
 * as the input zero point (which the offset turns into 0). */
static void hk__im2col_gather(const hk_conv_params_t *p, const int8_t *input, int32_t px,
                              int8_t *dst)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, out_w = p->output.w, out_h = p->output.h;
    const int32_t ox = px % out_w, oy = (px / out_w) % out_h, b = px / (out_w * out_h);
    const int32_t y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
    const int8_t zero_point = (int8_t)(-p->input_offset);
    const int32_t row = k_w * in_c;
    const int8_t *src;
    int32_t fy, fx;

    for (fy = 0; fy < k_h; ++fy, dst += row) {
        const int32_t iy = y0 + fy * p->dilation_h;
        if (iy < 0 || iy >= in_h) {
            memset(dst, zero_point, (size_t)row);
            continue;
        }
        src = input + (b * in_h + iy) * in_w * in_c;
        if (p->dilation_w == 1) {
            /* the row's taps in the image are one run of the input */
            const int32_t lo = hk__clamp(-x0, 0, k_w), hi = hk__clamp(in_w - x0, lo, k_w);
            memset(dst, zero_point, (size_t)(lo * in_c));
            if (hi > lo) {
                memcpy(dst + lo * in_c, src + (x0 + lo) * in_c, (size_t)((hi - lo) * in_c));
            }
            memset(dst + hi * in_c, zero_point, (size_t)((k_w - hi) * in_c));
        } else {
            for (fx = 0; fx < k_w; ++fx) {
                const int32_t ix = x0 + fx * p->dilation_w;
                if (ix < 0 || ix >= in_w) {
                    memset(dst + fx * in_c, zero_point, (size_t)in_c);
                } else {
                    memcpy(dst + fx * in_c, src + ix * in_c, (size_t)in_c);
                }
            }
        }
    }
}

void hk_conv2d_im2col_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                             const int32_t *bias, int8_t *output)
{
    const int32_t n = p->filter.h * p->filter.w * p->input.c, out_c = p->output.c;
    const int32_t pixels = p->output.n * p->output.h * p->output.w;
    int8_t win[2 * HK_PW_MAX_IN];
    int16_t xs[2 * HK_PW_MAX_IN];
    int32_t px;

    for (px = 0; px < pixels; px += 2) {
        const int32_t two = px + 1 < pixels;
        hk__im2col_gather(p, input, px, win);
        if (two) {
            hk__im2col_gather(p, input, px + 1, win + n);
        }
        hk__pw_pixel_pair(p, win, two ? win + n : win, n, filter, bias, xs, output + px * out_c, two);
    }
}
