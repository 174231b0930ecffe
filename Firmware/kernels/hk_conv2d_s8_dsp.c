/*
 * CONV_2D, int8, for cores with the Armv7E-M / Armv8-M DSP extension
 * (Cortex-M4, M7, M33, M55 without Helium, ...): the same bytes as
 * hk_conv2d_s8 (the reference; read it first, or its plain loop in
 * Firmware/tests/kernel_spec), two
 * multiply-accumulates per SMLAD.
 *
 * Same walk as the reference: for each output pixel, the window's inputs plus
 * the input offset are staged as int16 in a stack block of HK_CONV_X_BLOCK
 * values, once for all output channels, and every output channel is a dot
 * product of that block with its filter row, four rows sharing each staged
 * load. What changes is the inner step, four taps at a time:
 *
 *   filter bytes w0 w1 w2 w3 (one LDR)  -> SXTB16 -> (w0, w2)
 *                                       -> SXTB16 ROR 8 -> (w1, w3)
 *   staged (x0, x2), (x1, x3) (two LDRs, shared by four rows)
 *   acc += x0 w0 + x2 w2 (SMLAD); acc += x1 w1 + x3 w3 (SMLAD)
 *
 * so a row costs five instructions per four taps (27 per 16 multiply-accumulates
 * with the pointer steps and loop test). For the pairs to line up the
 * block is staged in that order: each complete group of four window elements
 * e0 e1 e2 e3 is stored as e0 e2 e1 e3 (the SXTAB16 / SXTAB16 ROR 8 pair of one
 * input word, which also adds the offset to both lanes for free); a last
 * incomplete group stays in order and runs one tap at a time. Filter rows are
 * read four bytes at a time from any alignment (unaligned LDR).
 *
 * Exactness: every lane value is an input plus its offset, |x| <= 255, or a
 * filter byte, so SXTAB16's 16-bit lanes never wrap, and each SMLAD adds two
 * products of at most 2^15. The accumulation bound is hk_kernels.h's
 * (HK_ACC_MAX_TERMS taps, checked by the importer), so every partial sum fits
 * in int32 and the sum equals the reference's in any order. The bias is the
 * reference's; the requantization is hk__requant_block (hk_dsp_impl.h: the same
 * bytes from one SMLAL and a shift an output).
 *
 * Off Arm the helpers in hk_dsp_impl.h are plain C computing the same lanes,
 * so this file compiles and runs (slowly) on any target.
 */
#include "hk_dsp_impl.h"

/* hk__requant_block over one pixel's channels. */
static inline void hk__conv_outputs_dsp(const int32_t *acc, int32_t n, const int32_t *mult,
                                        const int32_t *shift, int32_t off, int32_t lo, int32_t hi,
                                        int8_t *y)
{
    hk__requant_block(acc, n, mult, shift, 1, off, lo, hi, y, 1);
}
#define HK__CONV_OUTPUTS hk__conv_outputs_dsp

#include "hk_conv_walk.h"

/* Where logical element j of a block lives: permuted within complete groups
 * of four (j < len4), in order in the tail. */
static inline int32_t hk__conv_slot(int32_t j, int32_t len4)
{
    return j < len4 ? (j & ~3) | ((j & 1) << 1) | ((j >> 1) & 1) : j;
}

/* Elements [j, j + n) of the block from n contiguous input bytes. Whole
 * aligned groups go through one word load and two SXTAB16s; the rest one by
 * one. */
static void hk__conv_stage_run(const int8_t *src, int32_t in_off, int32_t off2, int32_t j,
                               int32_t n, int32_t len4, int16_t *xs)
{
    const int32_t end = j + n;

    for (; j < end && (j & 3) != 0; ++j) {
        xs[hk__conv_slot(j, len4)] = (int16_t)(*src++ + in_off);
    }
    /* j is a multiple of 4 here, so j < len4 implies j + 4 <= len4 */
    for (; j + 4 <= end && j < len4; j += 4) {
        const int32_t v = hk__read_s8x4(src);
        hk__write_s16x2(xs + j, hk__sxtab16(off2, v));          /* (e0, e2) */
        hk__write_s16x2(xs + j + 2, hk__sxtab16_ror8(off2, v)); /* (e1, e3) */
        src += 4;
    }
    for (; j < end; ++j) {
        xs[hk__conv_slot(j, len4)] = (int16_t)(*src++ + in_off);
    }
}

/* Block elements i < len: window element s + i (filter order fy, fx, ic) plus
 * the input offset, 0 in the padding, at hk__conv_slot(i). */
static void hk__conv_stage_dsp(const hk_conv_params_t *p, const int8_t *input, int32_t b,
                               int32_t y0, int32_t x0, int32_t c0, int32_t s, int32_t len,
                               int16_t *xs)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_w = p->filter.w, k_c = p->filter.c;
    const int32_t in_off = p->input_offset;
    const int32_t off2 = hk__dup16(in_off);
    const int32_t len4 = len & ~3;
    const int32_t tap = s / k_c;
    int32_t ic = s - tap * k_c;
    int32_t fy = tap / k_w;
    int32_t fx = tap - fy * k_w;
    int32_t i = 0, k;

    while (i < len) {
        const int32_t n = k_c - ic < len - i ? k_c - ic : len - i;
        const int32_t iy = y0 + fy * p->dilation_h;
        const int32_t ix = x0 + fx * p->dilation_w;
        if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
            const int8_t *src = input + ((b * in_h + iy) * in_w + ix) * in_c + c0 + ic;
            hk__conv_stage_run(src, in_off, off2, i, n, len4, xs);
        } else {
            for (k = i; k < i + n; ++k) {
                xs[hk__conv_slot(k, len4)] = 0;
            }
        }
        i += n;
        ic = 0;
        if (++fx == k_w) {
            fx = 0;
            ++fy;
        }
    }
}

/* acc[j] += block . filter row j for j < n_oc, rows `window` bytes apart:
 * four rows at a time sharing each pair of staged loads, then one at a time.
 * The four rows are addressed as w0, w0 + window, w2, w2 + window so that the
 * loop needs 14 registers, not 16. */
static HK__DSP_LOOP void hk__conv_rows_dsp(const int16_t *xs, const int8_t *w, int32_t window,
                                           int32_t len, int32_t n_oc, int32_t *acc)
{
    const int32_t len4 = len & ~3;
    const int16_t *const xs_end = xs + len4;
    int32_t j, i;

    for (j = 0; j + 4 <= n_oc; j += 4) {
        const int8_t *w0 = w + j * window;
        const int8_t *w2 = w0 + 2 * window;
        const int16_t *x = xs;
        int32_t a0 = acc[j], a1 = acc[j + 1], a2 = acc[j + 2], a3 = acc[j + 3];
        while (x != xs_end) {
            const int32_t x02 = hk__read_s16x2(x);
            const int32_t x13 = hk__read_s16x2(x + 2);
            int32_t v;
            v = hk__read_s8x4(w0);
            a0 = hk__smlad(x02, hk__sxtb16(v), a0);
            a0 = hk__smlad(x13, hk__sxtb16_ror8(v), a0);
            v = hk__read_s8x4(w0 + window);
            a1 = hk__smlad(x02, hk__sxtb16(v), a1);
            a1 = hk__smlad(x13, hk__sxtb16_ror8(v), a1);
            v = hk__read_s8x4(w2);
            a2 = hk__smlad(x02, hk__sxtb16(v), a2);
            a2 = hk__smlad(x13, hk__sxtb16_ror8(v), a2);
            v = hk__read_s8x4(w2 + window);
            a3 = hk__smlad(x02, hk__sxtb16(v), a3);
            a3 = hk__smlad(x13, hk__sxtb16_ror8(v), a3);
            x += 4;
            w0 += 4;
            w2 += 4;
        }
        for (i = len4; i < len; ++i) { /* the tail, in order */
            const int32_t xv = xs[i];
            a0 += xv * w0[i - len4];
            a1 += xv * w0[i - len4 + window];
            a2 += xv * w2[i - len4];
            a3 += xv * w2[i - len4 + window];
        }
        acc[j] = a0;
        acc[j + 1] = a1;
        acc[j + 2] = a2;
        acc[j + 3] = a3;
    }
    for (; j < n_oc; ++j) {
        const int8_t *w0 = w + j * window;
        int32_t a = acc[j];
        for (i = 0; i < len4; i += 4) {
            const int32_t v = hk__read_s8x4(w0 + i);
            a = hk__smlad(hk__read_s16x2(xs + i), hk__sxtb16(v), a);
            a = hk__smlad(hk__read_s16x2(xs + i + 2), hk__sxtb16_ror8(v), a);
        }
        for (; i < len; ++i) {
            a += xs[i] * w0[i];
        }
        acc[j] = a;
    }
}

void hk_conv2d_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                      const int32_t *bias, int8_t *output)
{
    hk__conv_walk(p, input, filter, bias, output, hk__conv_stage_dsp, hk__conv_rows_dsp);
}
