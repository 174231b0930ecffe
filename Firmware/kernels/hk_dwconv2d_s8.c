/*
 * DEPTHWISE_CONV_2D, int8 activations, int8 per-channel weights, int32 bias:
 * TFLite's reference per-channel depthwise convolution. Output channel
 * ic * depth_multiplier + m filters input channel ic with its own kh x kw
 * kernel, stored at filter[0][fy][fx][oc].
 *
 * Accumulation bound as in hk_conv2d_s8.c: kh * kw products of at most 2^15.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

void hk_dwconv2d_s8(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                    const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    const int32_t dm = p->depth_multiplier;
    int32_t b, oy, ox, ic, m, fy, fx;

    for (b = 0; b < p->output.n; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                for (ic = 0; ic < in_c; ++ic) {
                    for (m = 0; m < dm; ++m) {
                        const int32_t oc = ic * dm + m;
                        int32_t acc = 0;
                        for (fy = 0; fy < k_h; ++fy) {
                            const int32_t iy = y0 + fy * p->dilation_h;
                            if (iy < 0 || iy >= in_h) {
                                continue;
                            }
                            for (fx = 0; fx < k_w; ++fx) {
                                const int32_t ix = x0 + fx * p->dilation_w;
                                int32_t in_v, f_v;
                                if (ix < 0 || ix >= in_w) {
                                    continue;
                                }
                                in_v = input[(((b * in_h) + iy) * in_w + ix) * in_c + ic];
                                f_v = filter[(fy * k_w + fx) * out_c + oc];
                                acc += (in_v + p->input_offset) * f_v;
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
}
