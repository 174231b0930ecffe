/*
 * DEPTHWISE_CONV_2D, int8, for cores with the Armv7E-M / Armv8-M DSP
 * extension: the same bytes as hk_dwconv2d_s8 (the reference; read it first,
 * or its plain loop in Firmware/tests/kernel_spec), with the operands widened in pairs and
 * multiplied by the DSP extension's 16 x 16 multiply-accumulates.
 *
 * With depth_multiplier 1 four neighbouring channels are done together, as in
 * the reference, one tap per step:
 *
 *   input word x0 x1 x2 x3 (one LDR) -> SXTAB16 -> (x0 + off, x2 + off)
 *                                    -> SXTAB16 ROR 8 -> (x1 + off, x3 + off)
 *   filter word w0 w1 w2 w3 (one LDR) -> SXTB16 -> (w0, w2), SXTB16 ROR 8 -> (w1, w3)
 *   acc0 += SMLABB, acc2 += SMLATT of the even lanes; acc1, acc3 of the odd
 *
 * 14 instructions for 4 multiply-accumulates with the pointer steps and the
 * loop test; the reference's scalar loop takes 20 (LDRSB, LDRSB, ADD, MLA per
 * product). SMLAD, which the other _dsp kernels use, sums its two lanes, and
 * here the lanes are two channels whose products must stay apart. Pairing two
 * taps of one channel instead (PKHBT / PKHTB on the bytes before widening, the
 * CMSIS-NN arrangement) costs the same 20 instructions per 8 products but
 * needs 16 live registers where Thumb has 14; with the spills it measured
 * slower (3x3 over 14x14x32 on Cortex-M4: 468040 instructions against 418200
 * here, the reference 537840).
 *
 * The rest of a depthwise convolution is per output, not per product (9
 * products for a 3x3 kernel), so the requantization matters as much: it is
 * hk__requant_block, a pass over a pixel's sums after its dot products with
 * one SMLAL and a shift an output where the reference's takes ~28
 * instructions.
 *
 * Other depth multipliers, and the out_c % 4 channels left over, run the
 * reference's scalar loop: with depth_multiplier > 1 neighbouring output
 * channels share an input byte, so a word of input does not line up with a
 * word of filter.
 *
 * Exactness: lanes hold an input plus its offset (|x| <= 255) or a filter
 * byte, so no 16-bit lane wraps; products are at most 2^15 and the
 * accumulation bound is hk_kernels.h's (kh * kw <= HK_ACC_MAX_TERMS), so every
 * partial sum fits in int32 and the taps may be summed in any order. The bias is the
 * reference's; the requantization hk__requant_block, the same bytes in fewer
 * instructions.
 */
#include "harken/hk_kernels.h"
#include "hk_dsp_impl.h"
#include "hk_fixedpoint_impl.h"

/* Requantization of one output channel from a local copy of the parameters
 * (read through p, they would be reloaded after every output byte, since an
 * int8_t store may alias anything). */
typedef struct {
    const int32_t *bias, *mult, *shift;
    int32_t offset, lo, hi;
} hk__dw_out_t;

static inline void hk__dw_store(const hk__dw_out_t *q, int32_t oc, int32_t acc, int8_t *out_px)
{
    if (q->bias != NULL) {
        acc += q->bias[oc];
    }
    out_px[oc] = (int8_t)hk__requant_out(acc, q->mult[oc], q->shift[oc], q->offset, q->lo, q->hi);
}

/* Channels whose sums wait on the stack for their requantization pass. */
#define HK_DW_CHUNK 64

/* The tap grid of one output pixel: n2 rows of n1 taps; inner taps x1 / w1
 * bytes apart in input / filter, rows x2 / w2. */
typedef struct {
    int32_t n1, x1, w1, n2, x2, w2;
} hk__dw_taps_t;

/* One tap of four channels at byte offsets xo from xp and wo from wp: inputs
 * widened with the offset, filter bytes widened, each lane into its own
 * channel's sum. */
#define HK__DW_TAP(xo, wo)                                                \
    do {                                                                 \
        const int32_t xv = hk__read_s8x4(xp + (xo));                     \
        const int32_t wv = hk__read_s8x4(wp + (wo));                     \
        int32_t xe = hk__sxtab16(off2, xv);                              \
        int32_t we = hk__sxtb16(wv);                                     \
        a0 = hk__smlabb(xe, we, a0);                                     \
        a2 = hk__smlatt(xe, we, a2);                                     \
        xe = hk__sxtab16_ror8(off2, xv);                                 \
        we = hk__sxtb16_ror8(wv);                                        \
        a1 = hk__smlabb(xe, we, a1);                                     \
        a3 = hk__smlatt(xe, we, a3);                                     \
    } while (0)

/* acc[c - c0] for output channels [c0, c1) of one pixel, c1 - c0 a multiple of
 * 4, depth_multiplier 1, the bias (when not NULL) included: x and w point at
 * channel 0 of the first tap in input and filter, off2 holds the input offset
 * in both lanes. */
static HK__DSP_LOOP void hk__dw_pixel_dsp(const int8_t *x, const int8_t *w, const hk__dw_taps_t *t,
                                          int32_t off2, int32_t c0, int32_t c1, const int32_t *bias,
                                          int32_t *acc)
{
    const int32_t n1 = t->n1, x1 = t->x1, w1 = t->w1, n2 = t->n2, x2 = t->x2, w2 = t->w2;
    int32_t c, t2, n;

    for (c = c0; c < c1; c += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias != NULL) {
            a0 = bias[c];
            a1 = bias[c + 1];
            a2 = bias[c + 2];
            a3 = bias[c + 3];
        }
        if (n2 == 1 && x1 == w1) {
            /* One line of taps whose input and filter steps agree (a k x 1 kernel
             * over time with depth multiplier 1): one offset register for both,
             * two taps per pass. */
            const int8_t *const xp = x + c, *const wp = w + c;
            const int32_t end = n1 * x1;
            int32_t o = 0;
            for (; o + x1 < end; o += 2 * x1) {
                HK__DW_TAP(o, o);
                HK__DW_TAP(o + x1, o + x1);
            }
            if (o < end) {
                HK__DW_TAP(o, o);
            }
            acc[c - c0] = a0;
            acc[c - c0 + 1] = a1;
            acc[c - c0 + 2] = a2;
            acc[c - c0 + 3] = a3;
            continue;
        }
        for (t2 = 0; t2 < n2; ++t2) {
            const int8_t *xp = x + c + t2 * x2;
            const int8_t *wp = w + c + t2 * w2;
            if (n1 == 3) { /* a 3 x 3 kernel's row inside the image: no loop to run */
                HK__DW_TAP(0, 0);
                HK__DW_TAP(x1, w1);
                HK__DW_TAP(2 * x1, 2 * w1);
                continue;
            }
            for (n = n1; n > 0; --n) {
                HK__DW_TAP(0, 0);
                xp += x1;
                wp += w1;
            }
        }
        acc[c - c0] = a0;
        acc[c - c0 + 1] = a1;
        acc[c - c0 + 2] = a2;
        acc[c - c0 + 3] = a3;
    }
}

void hk_dwconv2d_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                        const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w;
    const int32_t out_n = p->output.n, out_h = p->output.h, out_w = p->output.w;
    const int32_t out_c = p->output.c;
    const int32_t dm = p->depth_multiplier;
    const int32_t dil_h = p->dilation_h, dil_w = p->dilation_w;
    const int32_t in_off = p->input_offset;
    const int32_t off2 = hk__dup16(in_off);
    const hk__dw_out_t q = {bias, p->out_mult, p->out_shift, p->output_offset, p->act_min,
                            p->act_max};
    int32_t acc[HK_DW_CHUNK];
    int32_t b, oy, ox, c, t1, t2, n_chunk;

    for (b = 0; b < out_n; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            int32_t fy_lo, fy_hi;
            hk__tap_range(y0, dil_h, k_h, in_h, &fy_lo, &fy_hi);
            for (ox = 0; ox < out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                int8_t *out_px = output + ((b * out_h + oy) * out_w + ox) * out_c;
                int32_t fx_lo, fx_hi, x_base, w_base;
                hk__dw_taps_t t;
                hk__tap_range(x0, dil_w, k_w, in_w, &fx_lo, &fx_hi);
                /* inner tap loop (n1 taps, steps x1 / w1) and outer (n2, x2 / w2):
                 * the longer axis innermost */
                if (fy_hi - fy_lo >= fx_hi - fx_lo) {
                    t.n1 = fy_hi - fy_lo;
                    t.x1 = dil_h * in_w * in_c;
                    t.w1 = k_w * out_c;
                    t.n2 = fx_hi - fx_lo;
                    t.x2 = dil_w * in_c;
                    t.w2 = out_c;
                } else {
                    t.n1 = fx_hi - fx_lo;
                    t.x1 = dil_w * in_c;
                    t.w1 = out_c;
                    t.n2 = fy_hi - fy_lo;
                    t.x2 = dil_h * in_w * in_c;
                    t.w2 = k_w * out_c;
                }
                if (t.n1 == 0 || t.n2 == 0) {
                    t.n1 = 0;
                    t.n2 = 0;
                }
                x_base = ((b * in_h + y0 + fy_lo * dil_h) * in_w + x0 + fx_lo * dil_w) * in_c;
                w_base = (fy_lo * k_w + fx_lo) * out_c;
                c = 0;
                if (dm == 1) {
                    /* with no tap in the image the bases may lie outside the tensors */
                    const int8_t *x_px = t.n2 > 0 ? input + x_base : input;
                    const int8_t *w_px = t.n2 > 0 ? filter + w_base : filter;
                    for (; c + 4 <= out_c; c += n_chunk) {
                        n_chunk = (out_c - c) & ~3;
                        n_chunk = n_chunk < HK_DW_CHUNK ? n_chunk : HK_DW_CHUNK;
                        hk__dw_pixel_dsp(x_px, w_px, &t, off2, c, c + n_chunk, bias, acc);
                        hk__requant_block(acc, n_chunk, q.mult + c, q.shift + c, 1, q.offset, q.lo,
                                          q.hi, out_px + c, 1);
                    }
                }
                for (; c < out_c; ++c) {
                    const int32_t ic = c / dm;
                    int32_t acc = 0;
                    for (t2 = 0; t2 < t.n2; ++t2) {
                        const int32_t xo = x_base + t2 * t.x2 + ic;
                        const int32_t wo = w_base + t2 * t.w2 + c;
                        for (t1 = 0; t1 < t.n1; ++t1) {
                            acc += ((int32_t)input[xo + t1 * t.x1] + in_off) *
                                   filter[wo + t1 * t.w1];
                        }
                    }
                    hk__dw_store(&q, c, acc, out_px);
                }
            }
        }
    }
}
