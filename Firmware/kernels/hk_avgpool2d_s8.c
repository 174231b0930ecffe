/*
 * AVERAGE_POOL_2D, int8, input and output sharing scale and zero point:
 * TFLite's reference int8 average pool. The window is clipped to the image
 * (padding is not counted), the raw int8 values are summed (at most
 * 255 * 128 * kh * kw: int32 is ample) and divided by the clipped count,
 * rounding half away from zero.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

void hk_avgpool2d_s8(const hk_pool_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, depth = p->input.c;
    const int32_t out_h = p->output.h, out_w = p->output.w;
    int32_t b, oy, ox, c, y, x;

    for (b = 0; b < p->output.n; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = y0 < 0 ? -y0 : 0;
            const int32_t fy1 = p->filter_h < in_h - y0 ? p->filter_h : in_h - y0;
            for (ox = 0; ox < out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = x0 < 0 ? -x0 : 0;
                const int32_t fx1 = p->filter_w < in_w - x0 ? p->filter_w : in_w - x0;
                const int32_t count = (fy1 - fy0) * (fx1 - fx0);
                for (c = 0; c < depth; ++c) {
                    int32_t acc = 0;
                    for (y = fy0; y < fy1; ++y) {
                        for (x = fx0; x < fx1; ++x) {
                            acc += input[(((b * in_h) + y0 + y) * in_w + x0 + x) * depth + c];
                        }
                    }
                    /* The importer guarantees count > 0 (every window
                     * overlaps the image for SAME and VALID padding). C99
                     * division truncates, so bias by half the count in the
                     * direction of the sign. */
                    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    output[(((b * out_h) + oy) * out_w + ox) * depth + c] =
                        (int8_t)hk__clamp(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
