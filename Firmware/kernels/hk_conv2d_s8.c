/*
 * CONV_2D, int8 activations, int8 per-channel weights, int32 bias: TFLite's
 * reference per-channel convolution.
 *
 * Accumulation: each term is (input + input_offset) * filter with
 * |input + input_offset| <= 255 and |filter| <= 128, so one product is at
 * most 2^15 and int32 holds the sum of 2^16 of them. TFLite accumulates in
 * int32 as well; filters with more than kh * kw * in_c = 65536 taps (which
 * could wrap, undefined in C) are for the importer to reject.
 * Zero padding contributes nothing (the padded input equals the zero point,
 * i.e. zero after the offset), which is why out-of-image taps are skipped.
 *
 * Grouped convolution falls out of the same loop: filter.c may divide
 * input.c, output channel oc then reads input channels of group
 * oc / (output.c / groups).
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

void hk_conv2d_s8(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                  const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, k_c = p->filter.c;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    const int32_t groups = in_c / k_c;
    const int32_t out_per_group = out_c / groups;
    int32_t b, oy, ox, oc, fy, fx, ic;

    for (b = 0; b < p->output.n; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                for (oc = 0; oc < out_c; ++oc) {
                    const int32_t in_c0 = (oc / out_per_group) * k_c;
                    int32_t acc = 0;
                    for (fy = 0; fy < k_h; ++fy) {
                        const int32_t iy = y0 + fy * p->dilation_h;
                        if (iy < 0 || iy >= in_h) {
                            continue;
                        }
                        for (fx = 0; fx < k_w; ++fx) {
                            const int32_t ix = x0 + fx * p->dilation_w;
                            const int8_t *in_px;
                            const int8_t *f_px;
                            if (ix < 0 || ix >= in_w) {
                                continue;
                            }
                            in_px = input + (((b * in_h) + iy) * in_w + ix) * in_c + in_c0;
                            f_px = filter + (((oc * k_h) + fy) * k_w + fx) * k_c;
                            for (ic = 0; ic < k_c; ++ic) {
                                acc += ((int32_t)in_px[ic] + p->input_offset) * (int32_t)f_px[ic];
                            }
                        }
                    }
                    if (bias != NULL) {
                        acc += bias[oc];
                    }
                    acc = hk__mbqm(acc, p->out_mult[oc], (int)p->out_shift[oc]);
                    acc += p->output_offset;
                    output[(((b * out_h) + oy) * out_w + ox) * out_c + oc] =
                        (int8_t)hk__clamp(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
