/*
 * DEPTHWISE_CONV_2D, int8 activations, int8 per-channel weights, int32 bias:
 * TFLite's reference per-channel depthwise convolution, arranged for speed
 * (below); its readable specification is the plain loop hk_dwconv2d_s8_spec
 * (Firmware/tests/kernel_spec), which Firmware/tests/dsp_check compares it
 * with on random cases. Output channel ic * depth_multiplier + m filters
 * input channel ic with its own kh x kw kernel, stored at
 * filter[0][fy][fx][oc].
 *
 * Accumulation: kh * kw products, within hk_kernels.h's accumulator bound
 * (HK_ACC_MAX_TERMS, enforced by the importer), so every partial sum fits in
 * int32 and the taps may be summed in any order; the bias comes last, as in
 * TFLite. Out-of-image taps are skipped
 * (zero after the input offset) by computing each output pixel's range of
 * in-image taps once.
 *
 * Speed: with depth_multiplier 1 four neighbouring channels are accumulated
 * together, so every tap reads four contiguous input and filter bytes. Four
 * accumulators stay in registers on scalar cores (Cortex-M, RISC-V); a wider
 * block of accumulators in memory would vectorize on x86 but costs scalar
 * cores a load and a store per multiply-accumulate (measured on hey_jarvis:
 * 18 % more instructions in this kernel on Cortex-M4, 30 % fewer on x86-64).
 * The tap loops run the longer of the two kernel axes innermost.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

/* Requantization of one output channel from a local copy of the parameters:
 * read through p, they would be reloaded after every output byte, since an
 * int8_t store may alias anything. */
typedef struct {
    const int32_t *bias, *mult, *shift;
    int32_t offset, lo, hi;
} hk__dw_out_t;

static inline void hk__dw_store(const hk__dw_out_t *q, int32_t oc, int32_t acc, int8_t *out_px)
{
    if (q->bias != NULL) {
        acc += q->bias[oc];
    }
    acc = hk__mbqm_param(acc, q->mult[oc], (int)q->shift[oc]) + q->offset;
    out_px[oc] = (int8_t)hk__clamp(acc, q->lo, q->hi);
}

void hk_dwconv2d_s8(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                    const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w;
    const int32_t out_n = p->output.n, out_h = p->output.h, out_w = p->output.w;
    const int32_t out_c = p->output.c;
    const int32_t dm = p->depth_multiplier;
    const int32_t dil_h = p->dilation_h, dil_w = p->dilation_w;
    const int32_t in_off = p->input_offset;
    const hk__dw_out_t q = {bias, p->out_mult, p->out_shift, p->output_offset, p->act_min,
                            p->act_max};
    int32_t b, oy, ox, c, t1, t2;

    for (b = 0; b < out_n; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            int32_t fy_lo, fy_hi;
            hk__tap_range(y0, dil_h, k_h, in_h, &fy_lo, &fy_hi);
            for (ox = 0; ox < out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                int8_t *out_px = output + ((b * out_h + oy) * out_w + ox) * out_c;
                int32_t fx_lo, fx_hi, n1, n2, x1, x2, w1, w2, x_base, w_base;
                hk__tap_range(x0, dil_w, k_w, in_w, &fx_lo, &fx_hi);
                /* inner tap loop (n1 taps, steps x1 / w1) and outer (n2, x2 / w2) */
                if (fy_hi - fy_lo >= fx_hi - fx_lo) {
                    n1 = fy_hi - fy_lo;
                    x1 = dil_h * in_w * in_c;
                    w1 = k_w * out_c;
                    n2 = fx_hi - fx_lo;
                    x2 = dil_w * in_c;
                    w2 = out_c;
                } else {
                    n1 = fx_hi - fx_lo;
                    x1 = dil_w * in_c;
                    w1 = out_c;
                    n2 = fy_hi - fy_lo;
                    x2 = dil_h * in_w * in_c;
                    w2 = k_w * out_c;
                }
                if (n1 == 0 || n2 == 0) {
                    n1 = 0;
                    n2 = 0;
                }
                x_base = ((b * in_h + y0 + fy_lo * dil_h) * in_w + x0 + fx_lo * dil_w) * in_c;
                w_base = (fy_lo * k_w + fx_lo) * out_c;
                c = 0;
                if (dm == 1) {
                    for (; c + 4 <= out_c; c += 4) {
                        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                        for (t2 = 0; t2 < n2; ++t2) {
                            int32_t xo = x_base + t2 * x2 + c;
                            int32_t wo = w_base + t2 * w2 + c;
                            for (t1 = 0; t1 < n1; ++t1) {
                                const int8_t *x = input + xo;
                                const int8_t *w = filter + wo;
                                a0 += ((int32_t)x[0] + in_off) * w[0];
                                a1 += ((int32_t)x[1] + in_off) * w[1];
                                a2 += ((int32_t)x[2] + in_off) * w[2];
                                a3 += ((int32_t)x[3] + in_off) * w[3];
                                xo += x1;
                                wo += w1;
                            }
                        }
                        hk__dw_store(&q, c, a0, out_px);
                        hk__dw_store(&q, c + 1, a1, out_px);
                        hk__dw_store(&q, c + 2, a2, out_px);
                        hk__dw_store(&q, c + 3, a3, out_px);
                    }
                }
                for (; c < out_c; ++c) {
                    const int32_t ic = c / dm;
                    int32_t acc = 0;
                    for (t2 = 0; t2 < n2; ++t2) {
                        const int32_t xo = x_base + t2 * x2 + ic;
                        const int32_t wo = w_base + t2 * w2 + c;
                        for (t1 = 0; t1 < n1; ++t1) {
                            acc += ((int32_t)input[xo + t1 * x1] + in_off) * filter[wo + t1 * w1];
                        }
                    }
                    hk__dw_store(&q, c, acc, out_px);
                }
            }
        }
    }
}
