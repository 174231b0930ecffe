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
 * with the loop. The input offset rides along in SXTAB16 for free. A non-zero
 * filter_offset (TFLite's int8 weights are symmetric, so only hand-made models
 * have one) is added to the filter lanes the same way, one row at a time.
 * Depths that are not a multiple of 4 finish one element at a time; rows are
 * read four bytes at a time from any alignment (unaligned LDR).
 *
 * Exactness: lanes hold an input or filter byte plus its offset, |v| <= 255,
 * so no 16-bit lane wraps; a product is at most 255 * 255 < 2^16, and the
 * accumulation bound is hk_kernels.h's (HK_ACC_MAX_TERMS products, or
 * HK_ACC_MAX_TERMS_OFFSET_WEIGHTS with a non-zero filter_offset), so every
 * partial sum fits in int32 and equals the reference's sum in any order. The
 * bias is the reference's; the requantization hk__requant_block (the same bytes).
 *
 * hk_fully_connected_s8_packed_dsp, below, is what the code generator calls for
 * symmetric weights and depths up to HK_FC_PACKED_MAX_DEPTH: the inputs staged
 * once, the weights packed four rows to a pointer step, the four rows' words
 * loaded back to back.
 */
#include "harken/hk_kernels.h"
#include "hk_dsp_impl.h"
#include "hk_fixedpoint_impl.h"

/* The packed kernel's accumulators between its dot products and their
 * requantization pass. */
#define HK_FC_ROWS 64

/* xs = the n inputs plus the offset as int16, each complete group of four
 * c0 c1 c2 c3 stored as (c0, c2), (c1, c3) (the SXTAB16 pair of the word, the
 * order SXTB16 gives a filter word), the n % 4 left over in order. */
static void hk__fc_stage(const int8_t *x, int32_t in_off, int32_t n, int16_t *xs)
{
    const int32_t off2 = hk__dup16(in_off);
    int32_t i;
    for (i = 0; i + 4 <= n; i += 4) {
        const int32_t v = hk__read_s8x4(x + i);
        hk__write_s16x2(xs + i, hk__sxtab16(off2, v));
        hk__write_s16x2(xs + i + 2, hk__sxtab16_ror8(off2, v));
    }
    for (; i < n; ++i) {
        xs[i] = (int16_t)(x[i] + in_off);
    }
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

/* One step of hk__fc_rows4_packed: four staged inputs against the next 16
 * packed bytes (four of each row), loaded together. */
#define HK__FC_STEP4_PACKED()                                             \
    do {                                                                 \
        const int32_t x02 = hk__read_s16x2(xs), x13 = hk__read_s16x2(xs + 2); \
        const int32_t v0 = hk__read_s8x4(w), v1 = hk__read_s8x4(w + 4);  \
        const int32_t v2 = hk__read_s8x4(w + 8), v3 = hk__read_s8x4(w + 12); \
        a0 = hk__smlad(x02, hk__sxtb16(v0), a0);                         \
        a0 = hk__smlad(x13, hk__sxtb16_ror8(v0), a0);                    \
        a1 = hk__smlad(x02, hk__sxtb16(v1), a1);                         \
        a1 = hk__smlad(x13, hk__sxtb16_ror8(v1), a1);                    \
        a2 = hk__smlad(x02, hk__sxtb16(v2), a2);                         \
        a2 = hk__smlad(x13, hk__sxtb16_ror8(v2), a2);                    \
        a3 = hk__smlad(x02, hk__sxtb16(v3), a3);                         \
        a3 = hk__smlad(x13, hk__sxtb16_ror8(v3), a3);                    \
        xs += 4;                                                         \
        w += 16;                                                         \
    } while (0)

/* acc[j] for rows [0, 4 * groups) from the staged inputs xs and the packed
 * weights (hk_fc_pack_weights), bias included. One pointer walks the weights
 * and the four rows' words are loaded back to back (a Cortex-M4 pipelines
 * neighbouring loads): 12 registers in the loop. */
static HK__DSP_LOOP void hk__fc_rows4_packed(const int16_t *const xs0, const int8_t *w, int32_t n,
                                             int32_t groups, const int32_t *bias, int32_t *acc)
{
    int32_t g, i;

    for (g = 0; g < groups; ++g) {
        const int16_t *xs = xs0;
        const int16_t *const xs_end8 = xs0 + (n & ~7);
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias != NULL) {
            a0 = bias[4 * g];
            a1 = bias[4 * g + 1];
            a2 = bias[4 * g + 2];
            a3 = bias[4 * g + 3];
        }
        while (xs != xs_end8) {
            HK__FC_STEP4_PACKED();
            HK__FC_STEP4_PACKED();
        }
        if (n & 4) {
            HK__FC_STEP4_PACKED();
        }
        for (i = 0; i < (n & 3); ++i) { /* the last n % 4 inputs, row by row */
            const int32_t v = xs[i];
            a0 += v * w[i];
            a1 += v * w[(n & 3) + i];
            a2 += v * w[2 * (n & 3) + i];
            a3 += v * w[3 * (n & 3) + i];
        }
        w += 4 * (n & 3);
        acc[4 * g] = a0;
        acc[4 * g + 1] = a1;
        acc[4 * g + 2] = a2;
        acc[4 * g + 3] = a3;
    }
}

void hk_fc_pack_weights(int32_t in_depth, int32_t out_depth, const int8_t *weights, int8_t *packed)
{
    const int32_t n4 = in_depth & ~3, tail = in_depth & 3;
    int32_t g, k, r, i;
    int8_t *dst = packed;

    for (g = 0; g + 4 <= out_depth; g += 4) {
        for (k = 0; k < n4; k += 4) {
            for (r = 0; r < 4; ++r) {
                for (i = 0; i < 4; ++i) {
                    *dst++ = weights[(g + r) * in_depth + k + i];
                }
            }
        }
        for (r = 0; r < 4; ++r) {
            for (i = 0; i < tail; ++i) {
                *dst++ = weights[(g + r) * in_depth + n4 + i];
            }
        }
    }
    for (; g < out_depth; ++g) {
        for (i = 0; i < in_depth; ++i) {
            *dst++ = weights[g * in_depth + i];
        }
    }
}

void hk_fully_connected_s8_packed_dsp(const hk_fc_params_t *p, const int8_t *input,
                                      const int8_t *packed, const int32_t *bias, int8_t *output)
{
    const int32_t depth = p->in_depth, out_depth = p->out_depth, groups = out_depth / 4;
    const int32_t step = p->n_mult == 1 ? 0 : 1;
    int16_t xs[HK_FC_PACKED_MAX_DEPTH];
    int32_t acc[HK_FC_ROWS];
    int32_t b, g, n;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + b * depth;
        int8_t *y = output + b * out_depth;
        hk__fc_stage(x, p->input_offset, depth, xs);
        for (g = 0; g < groups; g += n) {
            n = groups - g < HK_FC_ROWS / 4 ? groups - g : HK_FC_ROWS / 4;
            hk__fc_rows4_packed(xs, packed + 4 * g * depth, depth, n, bias != NULL ? bias + 4 * g : NULL,
                                acc);
            hk__requant_block(acc, 4 * n, p->out_mult + step * 4 * g, p->out_shift + step * 4 * g, step,
                              p->output_offset, p->act_min, p->act_max, y + 4 * g, 1);
        }
        /* the rows left over, unpacked, requantized in one pass */
        for (g = 4 * groups; g < out_depth; ++g) {
            const int16_t *xv = xs;
            const int8_t *w = packed + g * depth;
            int32_t a = bias != NULL ? bias[g] : 0, i;
            for (i = 0; i + 4 <= depth; i += 4) {
                const int32_t v = hk__read_s8x4(w + i);
                a = hk__smlad(hk__read_s16x2(xv + i), hk__sxtb16(v), a);
                a = hk__smlad(hk__read_s16x2(xv + i + 2), hk__sxtb16_ror8(v), a);
            }
            for (; i < depth; ++i) {
                a += xv[i] * w[i];
            }
            acc[g - 4 * groups] = a;
        }
        if (out_depth > 4 * groups) {
            hk__requant_block(acc, out_depth - 4 * groups, p->out_mult + step * 4 * groups, p->out_shift + step * 4 * groups,
                              step, p->output_offset, p->act_min, p->act_max, y + 4 * groups, 1);
        }
    }
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
    const int32_t step = p->n_mult == 1 ? 0 : 1;
    int32_t acc[4];
    int32_t b, o;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + b * depth;
        int8_t *y = output + b * out_depth;
        o = 0;
        if (f_off == 0) {
            for (; o + 4 <= out_depth; o += 4) {
                int32_t j;
                hk__fc_dot4_dsp(x, in_off, weights + o * depth, depth, acc);
                for (j = 0; bias != NULL && j < 4; ++j) {
                    acc[j] += bias[o + j];
                }
                hk__requant_block(acc, 4, p->out_mult + step * o, p->out_shift + step * o, step,
                                  p->output_offset, p->act_min, p->act_max, y + o, 1);
            }
        }
        for (; o < out_depth; ++o) {
            acc[0] = hk__fc_dot1_dsp(x, in_off, weights + o * depth, f_off, depth) +
                     (bias != NULL ? bias[o] : 0);
            hk__requant_block(acc, 1, p->out_mult + step * o, p->out_shift + step * o, 0,
                              p->output_offset, p->act_min, p->act_max, y + o, 1);
        }
    }
}
