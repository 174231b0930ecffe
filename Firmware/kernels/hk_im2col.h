/*
 * Private to Firmware/kernels: im2col's gather, shared by the DSP and the
 * scalar-core tiles (hk_conv2d_tiles_s8_dsp.c, _scalar.c).
 */
#ifndef HARKEN_IM2COL_H
#define HARKEN_IM2COL_H

#include <string.h>

#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

/* memset / memcpy for the short runs of a window (a spectrogram's first layer
 * copies four bytes a filter row): a library call costs more than the bytes. */
static inline void hk__fill(int8_t *dst, int8_t v, int32_t n)
{
    if (n >= 16) {
        memset(dst, v, (size_t)n);
        return;
    }
    while (n-- > 0) {
        *dst++ = v;
    }
}

static inline void hk__copy(int8_t *dst, const int8_t *src, int32_t n)
{
    if (n >= 16) {
        memcpy(dst, src, (size_t)n);
        return;
    }
    while (n-- > 0) {
        *dst++ = *src++;
    }
}

/* Output pixel px's window in filter order [fy][fx][ic] into dst, the padding
 * as the input zero point (which the offset turns into 0). */
static inline void hk__im2col_gather(const hk_conv_params_t *p, const int8_t *input, int32_t px,
                              int8_t *dst)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, out_w = p->output.w, out_h = p->output.h;
    const int32_t ox = px % out_w, oy = (px / out_w) % out_h, b = px / (out_w * out_h);
    const int32_t y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
    const int8_t zero_point = (int8_t)(-p->input_offset);
    const int32_t row = k_w * in_c, dil_h = p->dilation_h, dil_w = p->dilation_w;
    /* with dilation_w 1 a row's taps in the image are one run of the input, the
     * same columns [lo, hi) on every row */
    const int32_t lo = hk__clamp(-x0, 0, k_w), hi = hk__clamp(in_w - x0, lo, k_w);
    const int32_t before = lo * in_c, run = (hi - lo) * in_c, after = (k_w - hi) * in_c;
    int32_t fy, fx;

    if (dil_w == 1 && before == 0 && after == 0) {
        /* the whole filter row in the image (most pixels): a copy per row */
        const int8_t *const src = input + (b * in_h * in_w + x0) * in_c;
        for (fy = 0; fy < k_h; ++fy, dst += row) {
            const int32_t iy = y0 + fy * dil_h;
            if (iy < 0 || iy >= in_h) {
                hk__fill(dst, zero_point, row);
            } else {
                hk__copy(dst, src + iy * in_w * in_c, row);
            }
        }
        return;
    }
    for (fy = 0; fy < k_h; ++fy, dst += row) {
        const int32_t iy = y0 + fy * dil_h;
        const int8_t *src;
        if (iy < 0 || iy >= in_h) {
            hk__fill(dst, zero_point, row);
            continue;
        }
        src = input + (b * in_h + iy) * in_w * in_c;
        if (dil_w == 1) {
            hk__fill(dst, zero_point, before);
            hk__copy(dst + before, src + (x0 + lo) * in_c, run);
            hk__fill(dst + before + run, zero_point, after);
            continue;
        }
        for (fx = 0; fx < k_w; ++fx) {
            const int32_t ix = x0 + fx * dil_w;
            if (ix < 0 || ix >= in_w) {
                hk__fill(dst + fx * in_c, zero_point, in_c);
            } else {
                hk__copy(dst + fx * in_c, src + ix * in_c, in_c);
            }
        }
    }
}

#endif
