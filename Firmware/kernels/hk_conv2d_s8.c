/*
 * CONV_2D, int8 activations, int8 per-channel weights, int32 bias: TFLite's
 * reference per-channel convolution.
 *
 * Accumulation: each term is (input + input_offset) * filter with
 * |input + input_offset| <= 255 and |filter| <= 128, so one product is at
 * most 2^15 and int32 holds the sum of 2^16 of them. TFLite accumulates in
 * int32 as well; filters with more than kh * kw * in_c = 65536 taps (which
 * could wrap, undefined in C) are for the importer to reject. Within that
 * bound every partial sum fits, so integer addition is exact in any order:
 * the loops below sum taps in a different order from TFLite and still give
 * its bytes. The bias is added after the taps, as TFLite does, so that a
 * bias near the int32 limits overflows (or not) exactly where TFLite's does.
 * Zero padding contributes nothing (the padded input equals the zero point,
 * i.e. zero after the offset), which is why out-of-image taps are skipped:
 * each output pixel computes its range of in-image taps once.
 *
 * Grouped convolution falls out of the same loop: filter.c may divide
 * input.c, output channel oc then reads input channels of group
 * oc / (output.c / groups).
 *
 * Speed: the taps of one output pixel that lie next to each other both in
 * the input and in the filter (a whole kernel row when groups == 1 and
 * dilation_w == 1, the whole window when the kernel also spans the input's
 * width) are summed as one run, and four output channels share each input
 * load and its offset addition.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

/* acc[j] += sum over i < n of (x[i] + offset) * w[j * w_stride + i], j < 4. */
static void hk__conv_dot4(const int8_t *x, const int8_t *w, int32_t w_stride, int32_t n,
                          int32_t offset, int32_t *acc)
{
    const int8_t *w0 = w;
    const int8_t *w1 = w0 + w_stride;
    const int8_t *w2 = w1 + w_stride;
    const int8_t *w3 = w2 + w_stride;
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    int32_t i;

    for (i = 0; i < n; ++i) {
        const int32_t v = (int32_t)x[i] + offset;
        a0 += v * w0[i];
        a1 += v * w1[i];
        a2 += v * w2[i];
        a3 += v * w3[i];
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

static int32_t hk__conv_dot1(const int8_t *x, const int8_t *w, int32_t n, int32_t offset,
                             int32_t acc)
{
    int32_t i;

    for (i = 0; i < n; ++i) {
        acc += ((int32_t)x[i] + offset) * w[i];
    }
    return acc;
}

void hk_conv2d_s8(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                  const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, k_c = p->filter.c;
    const int32_t out_n = p->output.n, out_h = p->output.h, out_w = p->output.w;
    const int32_t out_c = p->output.c;
    const int32_t stride_h = p->stride_h, stride_w = p->stride_w;
    const int32_t dil_h = p->dilation_h, dil_w = p->dilation_w;
    const int32_t pad_h = p->pad_h, pad_w = p->pad_w;
    const int32_t in_off = p->input_offset, out_off = p->output_offset;
    const int32_t act_min = p->act_min, act_max = p->act_max;
    const int32_t *out_mult = p->out_mult;
    const int32_t *out_shift = p->out_shift;
    const int32_t groups = in_c / k_c;
    const int32_t out_per_group = out_c / groups;
    /* element distances between neighbouring taps and output channels */
    const int32_t x_row = dil_h * in_w * in_c, x_col = dil_w * in_c;
    const int32_t w_row = k_w * k_c, w_col = k_c, w_oc = k_h * k_w * k_c;
    int32_t b, oy, ox, g, oc, r, c, j;

    for (b = 0; b < out_n; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const int32_t y0 = oy * stride_h - pad_h;
            int32_t fy_lo, fy_hi;
            hk__tap_range(y0, dil_h, k_h, in_h, &fy_lo, &fy_hi);
            for (ox = 0; ox < out_w; ++ox) {
                const int32_t x0 = ox * stride_w - pad_w;
                int8_t *out_px = output + ((b * out_h + oy) * out_w + ox) * out_c;
                int32_t fx_lo, fx_hi, rows, cols, run, x_base, w_base;
                hk__tap_range(x0, dil_w, k_w, in_w, &fx_lo, &fx_hi);
                rows = fy_hi - fy_lo;
                cols = fx_hi - fx_lo;
                run = k_c;
                if (rows > 0 && cols > 0 && groups == 1 && dil_w == 1) {
                    run = cols * k_c;
                    cols = 1;
                    /* the kernel spans the input's width (then x0 == 0): the
                     * rows follow each other in the input as in the filter */
                    if (fx_lo == 0 && fx_hi == k_w && k_w == in_w && dil_h == 1) {
                        run *= rows;
                        rows = 1;
                    }
                }
                if (rows == 0 || cols == 0) {
                    rows = 0;
                    cols = 0;
                }
                x_base = ((b * in_h + y0 + fy_lo * dil_h) * in_w + x0 + fx_lo * dil_w) * in_c;
                w_base = (fy_lo * k_w + fx_lo) * k_c;
                for (g = 0; g < groups; ++g) {
                    const int32_t oc_end = (g + 1) * out_per_group;
                    const int32_t x_g = x_base + g * k_c;
                    for (oc = g * out_per_group; oc < oc_end; oc += 4) {
                        const int32_t n_oc = oc_end - oc < 4 ? oc_end - oc : 4;
                        int32_t acc[4] = {0, 0, 0, 0};
                        for (r = 0; r < rows; ++r) {
                            for (c = 0; c < cols; ++c) {
                                const int8_t *x = input + x_g + r * x_row + c * x_col;
                                const int8_t *w = filter + oc * w_oc + w_base + r * w_row + c * w_col;
                                if (n_oc == 4) {
                                    hk__conv_dot4(x, w, w_oc, run, in_off, acc);
                                } else {
                                    for (j = 0; j < n_oc; ++j) {
                                        acc[j] = hk__conv_dot1(x, w + j * w_oc, run, in_off, acc[j]);
                                    }
                                }
                            }
                        }
                        for (j = 0; j < n_oc; ++j) {
                            int32_t v = acc[j];
                            if (bias != NULL) {
                                v += bias[oc + j];
                            }
                            v = hk__mbqm(v, out_mult[oc + j], (int)out_shift[oc + j]) + out_off;
                            out_px[oc + j] = (int8_t)hk__clamp(v, act_min, act_max);
                        }
                    }
                }
            }
        }
    }
}
