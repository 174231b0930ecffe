/*
 * CONV_2D with a 1x1 filter, stride 1 and no groups (a pointwise convolution),
 * for cores with the Armv7E-M / Armv8-M DSP extension: the same bytes as
 * hk_conv2d_s8 (the reference), as a blocked matrix multiply of the
 * [pixels x in_c] input by the [out_c x in_c] filter. The code generator
 * picks it for such layers (in_c <= HK_PW_MAX_IN).
 *
 * Tiles of two pixels by two output channels. The two pixels' inputs, plus the
 * input offset, are staged once as int16 pairs for all filter rows
 * (hk__pw_stage); then per four input channels the tile takes four LDRs of
 * staged pairs at fixed offsets from one pointer, one LDR of each filter row
 * (the second at a register offset of in_c bytes), two SXTB16 pairs and eight
 * SMLADs: 18 instructions for 16 multiply-accumulates, in 13 registers.
 * Staging pairs bytes (0, 2) and (1, 3) as SXTB16 does for the filter word, so
 * the filter is read as it is stored.
 *
 * Exactness as in hk_conv2d_s8_dsp: lanes hold an input plus its offset
 * (|x| <= 255) or a filter byte, each SMLAD adds two products below 2^15, and
 * within hk_kernels.h's accumulator bound the sum is the reference's in any
 * order. Requantization is hk__requant_block, a pass of its own over each chunk
 * of sums (the reference's result from one SMLAL and a shift an output).
 */
#include "harken/hk_kernels.h"
#include "hk_dsp_impl.h"

/* Output channels whose sums wait on the stack for their requantization pass. */
#define HK_PW_CHUNK 64

/* Two pixels' inputs plus the offset, staged as int16 for all filter rows: per
 * four channels c..c+3, the SXTAB16 pair of each pixel's word, pixel 0 then 1:
 *   xs[8g + 0..3] = p0 (c0, c2), (c1, c3);  xs[8g + 4..7] = p1 (c0, c2), (c1, c3)
 * and the n % 4 channels left over after the groups, in order, p0 then p1. */
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

/* One group of hk__pw_dot_2x2: four staged channels of both pixels against
 * four bytes of both rows. */
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
 * sums of the tile over n channels, two groups per pass (the loop's own steps,
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

void hk_conv2d_1x1_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                          const int32_t *bias, int8_t *output)
{
    const int32_t n = p->input.c, out_c = p->output.c;
    const int32_t pixels = p->output.n * p->output.h * p->output.w;
    const int32_t off = p->input_offset, off2 = hk__dup16(off);
    const int32_t *const mult = p->out_mult, *const shift = p->out_shift;
    const int32_t out_off = p->output_offset, lo = p->act_min, hi = p->act_max;
    int16_t xs[2 * HK_PW_MAX_IN];
    int32_t acc0[HK_PW_CHUNK], acc1[HK_PW_CHUNK];
    int32_t px, oc, n_chunk;

    for (px = 0; px < pixels; px += 2) {
        /* an odd last pixel is staged twice; its copy's outputs are dropped */
        const int32_t two = px + 1 < pixels;
        const int8_t *x = input + px * n;
        int8_t *y = output + px * out_c;
        hk__pw_stage(x, two ? x + n : x, n, off2, off, xs);
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
            hk__requant_block(acc0, 1 + two, mult + oc, shift + oc, 0, out_off, lo, hi, y + oc,
                              out_c);
        }
    }
}
