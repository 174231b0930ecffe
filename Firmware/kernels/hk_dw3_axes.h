/*
 * Private to Firmware/kernels: the walk of the planar 3x3 depthwise kernels
 * (hk_dwconv2d_3x3_s8_dsp.c and _scalar.c), one channel's plane at a time.
 *
 * Outputs of a plane row run along axis b, rows along axis a. A map taller
 * than wide is walked transposed (a = width, b = height), so that rows are
 * long: each row costs a set-up, and DS-CNN's 25 x 5 maps would otherwise have
 * rows of 5 outputs. Steps are in input / output bytes.
 */
#ifndef HARKEN_DW3_AXES_H
#define HARKEN_DW3_AXES_H

#include "harken/hk_kernels.h"

typedef struct {
    int32_t in_a, in_b, out_a, out_b, stride_a, stride_b, pad_a, pad_b;
    int32_t step_a, step_b, out_step_a, out_step_b;
    int32_t transposed;
} hk__dw3_axes_t;

static inline void hk__dw3_axes(const hk_conv_params_t *p, hk__dw3_axes_t *g)
{
    const int32_t c = p->input.c, row = p->input.w * c, out_row = p->output.w * p->output.c;
    g->transposed = p->output.h > p->output.w && p->stride_h <= 2;
    if (g->transposed) {
        g->in_a = p->input.w, g->in_b = p->input.h, g->out_a = p->output.w, g->out_b = p->output.h;
        g->stride_a = p->stride_w, g->stride_b = p->stride_h, g->pad_a = p->pad_w, g->pad_b = p->pad_h;
        g->step_a = c, g->step_b = row, g->out_step_a = p->output.c, g->out_step_b = out_row;
    } else {
        g->in_a = p->input.h, g->in_b = p->input.w, g->out_a = p->output.h, g->out_b = p->output.w;
        g->stride_a = p->stride_h, g->stride_b = p->stride_w, g->pad_a = p->pad_h, g->pad_b = p->pad_w;
        g->step_a = row, g->step_b = c, g->out_step_a = out_row, g->out_step_b = p->output.c;
    }
}

#endif
