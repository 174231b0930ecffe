/*
 * AVERAGE_POOL_2D, int8, input and output sharing scale and zero point:
 * TFLite's reference int8 average pool. The window is clipped to the image
 * (padding is not counted), the raw int8 values are summed (at most
 * 255 * 128 * kh * kw: int32 is ample) and divided by the clipped count,
 * rounding half away from zero.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

/* The output byte of a window sum over count values: rounded half away from
 * zero (C99 division truncates, so bias by half the count in the sign's
 * direction), clamped. The importer guarantees count > 0 (every window overlaps
 * the image for SAME and VALID padding). */
static int8_t hk__avg_out(int32_t acc, int32_t count, int32_t lo, int32_t hi)
{
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return (int8_t)hk__clamp(acc, lo, hi);
}

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
                const int8_t *const first = input + (((b * in_h) + y0 + fy0) * in_w + x0 + fx0) * depth;
                int8_t *const out = output + (((b * out_h) + oy) * out_w + ox) * depth;
                /* four channels at a time, their sums in registers over the window */
                for (c = 0; c + 4 <= depth; c += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    const int8_t *row = first + c;
                    for (y = fy0; y < fy1; ++y, row += in_w * depth) {
                        const int8_t *v = row;
                        for (x = fx0; x < fx1; ++x, v += depth) {
                            a0 += v[0];
                            a1 += v[1];
                            a2 += v[2];
                            a3 += v[3];
                        }
                    }
                    out[c] = hk__avg_out(a0, count, p->act_min, p->act_max);
                    out[c + 1] = hk__avg_out(a1, count, p->act_min, p->act_max);
                    out[c + 2] = hk__avg_out(a2, count, p->act_min, p->act_max);
                    out[c + 3] = hk__avg_out(a3, count, p->act_min, p->act_max);
                }
                for (; c < depth; ++c) {
                    int32_t acc = 0;
                    const int8_t *row = first + c;
                    for (y = fy0; y < fy1; ++y, row += in_w * depth) {
                        for (x = 0; x < fx1 - fx0; ++x) {
                            acc += row[x * depth];
                        }
                    }
                    out[c] = hk__avg_out(acc, count, p->act_min, p->act_max);
                }
            }
        }
    }
}
