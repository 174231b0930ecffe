/*
 * FULLY_CONNECTED, int8, for cores with the Armv7E-M / Armv8-M DSP extension:
 * the same bytes as hk_fully_connected_s8 (the reference; read it first, or
 * its plain loop in Firmware/tests/kernel_spec), two multiply-accumulates per
 * SMLAD.
 *
 * Four outputs at a time share each input word, widened once:
 *
 *   input  bytes x0 x1 x2 x3 (one LDR) -> SXTAB16 -> (x0 + off, x2 + off)
 *                                      -> SXTAB16 ROR 8 -> (x1 + off, x3 + off)
 *   per row: filter word (one LDR) -> SXTB16 / SXTB16 ROR 8, two SMLADs
 *
 * five instructions per row per four inputs, 26 per 16 multiply-accumulates
 * with the loop (512 -> 64 on Cortex-M4: 1.8 instructions per product, the
 * reference 3.6). The input offset rides along in SXTAB16 for free. A non-zero
 * filter_offset (TFLite's int8 weights are symmetric, so only hand-made models
 * have one) is added to the filter lanes the same way, one row at a time.
 * Depths that are not a multiple of 4 finish one element at a time; rows are
 * read four bytes at a time from any alignment (unaligned LDR).
 *
 * Exactness: lanes hold an input or filter byte plus its offset, |v| <= 255,
 * so no 16-bit lane wraps; a product is at most 255 * 255 < 2^16, and the
 * accumulation bound is hk_kernels.h's (HK_ACC_MAX_TERMS products, or
 * HK_ACC_MAX_TERMS_OFFSET_WEIGHTS with a non-zero filter_offset), so every
 * partial sum fits in int32 and equals the reference's sum in any order. Bias
 * and requantization are the reference's code.
 */
#include "harken/hk_kernels.h"
#include "hk_dsp_impl.h"
#include "hk_fixedpoint_impl.h"

static int8_t hk__fc_out_dsp(const hk_fc_params_t *p, const int32_t *bias, int32_t o, int32_t acc)
{
    const int32_t q = p->n_mult == 1 ? 0 : o;
    if (bias != NULL) {
        acc += bias[o];
    }
    acc = hk__mbqm_param(acc, p->out_mult[q], (int)p->out_shift[q]) + p->output_offset;
    return (int8_t)hk__clamp(acc, p->act_min, p->act_max);
}

/* acc[j] = sum over i < n of (x[i] + in_off) * w[j * n + i], j < 4 (filter
 * offset 0). The rows are addressed as w0, w0 + n, w2, w2 + n, which keeps the
 * loop in the 14 allocatable registers but one. */
static HK__DSP_LOOP void hk__fc_dot4_dsp(const int8_t *x, int32_t in_off, const int8_t *w,
                                         int32_t n, int32_t *acc)
{
    const int8_t *w0 = w;
    const int8_t *w2 = w + 2 * n;
    const int8_t *const x_end = x + (n & ~3);
    const int32_t off2 = hk__dup16(in_off);
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int32_t i;

    while (x != x_end) {
        const int32_t xv = hk__read_s8x4(x);
        const int32_t x02 = hk__sxtab16(off2, xv);
        const int32_t x13 = hk__sxtab16_ror8(off2, xv);
        int32_t v;
        v = hk__read_s8x4(w0);
        a0 = hk__smlad(x02, hk__sxtb16(v), a0);
        a0 = hk__smlad(x13, hk__sxtb16_ror8(v), a0);
        v = hk__read_s8x4(w0 + n);
        a1 = hk__smlad(x02, hk__sxtb16(v), a1);
        a1 = hk__smlad(x13, hk__sxtb16_ror8(v), a1);
        v = hk__read_s8x4(w2);
        a2 = hk__smlad(x02, hk__sxtb16(v), a2);
        a2 = hk__smlad(x13, hk__sxtb16_ror8(v), a2);
        v = hk__read_s8x4(w2 + n);
        a3 = hk__smlad(x02, hk__sxtb16(v), a3);
        a3 = hk__smlad(x13, hk__sxtb16_ror8(v), a3);
        x += 4;
        w0 += 4;
        w2 += 4;
    }
    for (i = 0; i < (n & 3); ++i) { /* the last n % 4 elements */
        const int32_t v = x[i] + in_off;
        a0 += v * w0[i];
        a1 += v * w0[n + i];
        a2 += v * w2[i];
        a3 += v * w2[n + i];
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* sum over i < n of (x[i] + in_off) * (w[i] + f_off), any filter offset. */
static HK__DSP_LOOP int32_t hk__fc_dot1_dsp(const int8_t *x, int32_t in_off, const int8_t *w,
                                            int32_t f_off, int32_t n)
{
    const int32_t in2 = hk__dup16(in_off), f2 = hk__dup16(f_off);
    int32_t acc = 0;
    int32_t i;

    for (i = 0; i + 4 <= n; i += 4) {
        const int32_t xv = hk__read_s8x4(x + i), wv = hk__read_s8x4(w + i);
        acc = hk__smlad(hk__sxtab16(in2, xv), hk__sxtab16(f2, wv), acc);
        acc = hk__smlad(hk__sxtab16_ror8(in2, xv), hk__sxtab16_ror8(f2, wv), acc);
    }
    for (; i < n; ++i) {
        acc += ((int32_t)x[i] + in_off) * ((int32_t)w[i] + f_off);
    }
    return acc;
}

void hk_fully_connected_s8_dsp(const hk_fc_params_t *p, const int8_t *input, const int8_t *weights,
                               const int32_t *bias, int8_t *output)
{
    const int32_t depth = p->in_depth, out_depth = p->out_depth;
    const int32_t in_off = p->input_offset, f_off = p->filter_offset;
    int32_t b, o, j;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + b * depth;
        int8_t *y = output + b * out_depth;
        o = 0;
        if (f_off == 0) {
            for (; o + 4 <= out_depth; o += 4) {
                int32_t acc[4];
                hk__fc_dot4_dsp(x, in_off, weights + o * depth, depth, acc);
                for (j = 0; j < 4; ++j) {
                    y[o + j] = hk__fc_out_dsp(p, bias, o + j, acc[j]);
                }
            }
        }
        for (; o < out_depth; ++o) {
            y[o] = hk__fc_out_dsp(p, bias, o, hk__fc_dot1_dsp(x, in_off, weights + o * depth, f_off,
                                                              depth));
        }
    }
}
