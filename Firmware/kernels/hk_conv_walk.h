/*
 * The walk both CONV_2D kernels share (hk_conv2d_s8.c, the reference, and its
 * architecture variants): for each output pixel and group, the window is staged
 * HK_CONV_X_BLOCK values at a time and each block is multiplied into up to
 * HK_CONV_OC_BLOCK output channels' partial sums; then bias, requantization and
 * the activation clamp, as TFLite does them. A variant supplies only how a block is
 * staged and how rows are multiplied. The walk is static inline and each kernel
 * calls it once with constant functions, so the compiler calls them directly.
 * Private to Firmware/kernels.
 */
#ifndef HARKEN_CONV_WALK_H
#define HARKEN_CONV_WALK_H

#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

/* The output bytes y[j] of channels j < n from their sums acc[j] (bias
 * included): requantization, offset and clamp, as TFLite does them. A variant
 * may define HK__CONV_OUTPUTS to a faster loop giving the same bytes before
 * including this file. */
static inline void hk__conv_outputs(const int32_t *acc, int32_t n, const int32_t *mult,
                                    const int32_t *shift, int32_t off, int32_t lo, int32_t hi,
                                    int8_t *y)
{
    int32_t j;
    for (j = 0; j < n; ++j) {
        y[j] = (int8_t)hk__clamp(hk__mbqm_param(acc[j], mult[j], (int)shift[j]) + off, lo, hi);
    }
}
#ifndef HK__CONV_OUTPUTS
#define HK__CONV_OUTPUTS hk__conv_outputs
#endif

#define HK_CONV_X_BLOCK 64   /* int16 staged inputs: 128 bytes of stack; a multiple of 4 */
#define HK_CONV_OC_BLOCK 32  /* int32 partial sums: 128 bytes of stack */

/* Stages window elements s .. s + len of output pixel (b, y0, x0), input channels from c0. */
typedef void (*hk__conv_stage_fn)(const hk_conv_params_t *p, const int8_t *input, int32_t b, int32_t y0,
                                  int32_t x0, int32_t c0, int32_t s, int32_t len, int16_t *xs);
/* acc[j] += staged block . filter row j (rows `window` bytes apart), j < n_oc. */
typedef void (*hk__conv_rows_fn)(const int16_t *xs, const int8_t *w, int32_t window, int32_t len, int32_t n_oc,
                                 int32_t *acc);

static inline void hk__conv_walk(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                                 const int32_t *bias, int8_t *output, hk__conv_stage_fn stage,
                                 hk__conv_rows_fn rows)
{
    const int32_t k_c = p->filter.c;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    const int32_t out_off = p->output_offset;
    const int32_t act_min = p->act_min, act_max = p->act_max;
    const int32_t *out_mult = p->out_mult;
    const int32_t *out_shift = p->out_shift;
    const int32_t groups = p->input.c / k_c;
    const int32_t out_per_group = out_c / groups;
    const int32_t window = p->filter.h * p->filter.w * k_c; /* filter row length */
    int16_t xs[HK_CONV_X_BLOCK];
    int32_t acc[HK_CONV_OC_BLOCK];
    int32_t b, oy, ox, g, oc0, s, j;

    for (b = 0; b < p->output.n; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                int8_t *out_px = output + ((b * out_h + oy) * out_w + ox) * out_c;
                for (g = 0; g < groups; ++g) {
                    const int32_t oc_begin = g * out_per_group;
                    const int32_t oc_end = oc_begin + out_per_group;
                    for (oc0 = oc_begin; oc0 < oc_end; oc0 += HK_CONV_OC_BLOCK) {
                        const int32_t n_oc =
                            oc_end - oc0 < HK_CONV_OC_BLOCK ? oc_end - oc0 : HK_CONV_OC_BLOCK;
                        for (j = 0; j < n_oc; ++j) {
                            acc[j] = 0;
                        }
                        for (s = 0; s < window; s += HK_CONV_X_BLOCK) {
                            const int32_t len =
                                window - s < HK_CONV_X_BLOCK ? window - s : HK_CONV_X_BLOCK;
                            const int8_t *w = filter + oc0 * window + s;
                            /* a window that fits one block is staged once per group */
                            if (oc0 == oc_begin || window > HK_CONV_X_BLOCK) {
                                stage(p, input, b, y0, x0, g * k_c, s, len, xs);
                            }
                            rows(xs, w, window, len, n_oc, acc);
                        }
                        if (bias != NULL) {
                            for (j = 0; j < n_oc; ++j) {
                                acc[j] += bias[oc0 + j];
                            }
                        }
                        HK__CONV_OUTPUTS(acc, n_oc, out_mult + oc0, out_shift + oc0, out_off, act_min,
                                         act_max, out_px + oc0);
                    }
                }
            }
        }
    }
}

#endif
