/*
 * DEPTHWISE_CONV_2D, int8, per-channel weights, as a plain loop: the
 * specification of hk_dwconv2d_s8 and hk_dwconv2d_s8_dsp (see
 * hk_kernel_spec.h).
 *
 * Output channel oc = ic * depth_multiplier + m filters input channel ic
 * alone: output (b, oy, ox, oc) sums, over the taps (fy, fx) whose input
 * pixel lies inside the image, (input + input_offset) * filter[0][fy][fx][oc].
 * Then the bias, the per-channel requantization, the output offset and the
 * activation clamp, as TFLite does them.
 */
#include "hk_kernel_spec.h"

void hk_dwconv2d_s8_spec(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                         const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    int32_t b, oy, ox, oc, fy, fx;

    for (b = 0; b < p->output.n; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            for (ox = 0; ox < out_w; ++ox) {
                for (oc = 0; oc < out_c; ++oc) {
                    const int32_t ic = oc / p->depth_multiplier;
                    int32_t acc = 0;
                    for (fy = 0; fy < k_h; ++fy) {
                        const int32_t iy = oy * p->stride_h - p->pad_h + fy * p->dilation_h;
                        for (fx = 0; fx < k_w; ++fx) {
                            const int32_t ix = ox * p->stride_w - p->pad_w + fx * p->dilation_w;
                            if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
                                continue;
                            }
                            acc += ((int32_t)input[((b * in_h + iy) * in_w + ix) * in_c + ic] + p->input_offset) *
                                   filter[(fy * k_w + fx) * out_c + oc];
                        }
                    }
                    if (bias != NULL) {
                        acc += bias[oc];
                    }
                    acc = hk_multiply_by_quantized_multiplier(acc, p->out_mult[oc], (int)p->out_shift[oc]);
                    acc += p->output_offset;
                    acc = acc < p->act_min ? p->act_min : (acc > p->act_max ? p->act_max : acc);
                    output[((b * out_h + oy) * out_w + ox) * out_c + oc] = (int8_t)acc;
                }
            }
        }
    }
}
