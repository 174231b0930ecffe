/*
 * DEPTHWISE_CONV_2D with a 3x3 filter, depth multiplier 1 and dilation 1, for
 * cores without a dual multiply (Cortex-M0/M0+, RV32IMC, Xtensa LX106): the
 * same bytes as hk_dwconv2d_s8 (the reference).
 *
 * The reference walks the tensor channel-last, so every product reloads its
 * input and its filter byte and the padding checks run per pixel: about 25
 * instructions an output on these cores before requantization. Here one
 * channel is done at a time: its filter (nine values) stays in registers, and
 * its plane is staged row by row, as int32 plus the input offset, into a ring
 * of three rows on the stack (the padding staged as 0, so no tap is skipped
 * and no bound is checked in the sums). int32 because the Cortex-M0's only
 * load with an immediate offset that sign-extends is none: LDR of a word is
 * one instruction where LDRSH needs an index register. Along a row each
 * output reads three new values and reuses six (stride 1), so an output costs
 * three loads and nine multiply-adds. A map taller than wide is walked
 * transposed, so that rows are long (DS-CNN's 25 x 5 maps: 25 outputs a row,
 * not 5).
 *
 * Requantization is a pass over each row's sums with the channel's constants
 * prepared once (hk__requant_fast_s: one 64-bit multiply-add and a shift an
 * output, from 16-bit halves where the core has no 64-bit product), or the
 * reference's arithmetic for shifts it does not take.
 *
 * Exactness: each staged value is an input plus its offset (|x| <= 255) or 0,
 * nine products of at most 255 * 128 sum far inside int32 in any order, and
 * the bias comes after them, as in the reference.
 */
#include "harken/hk_kernels.h"
#include "hk_scalar_impl.h"
#include "hk_dw3_axes.h"

/* Staged values a row: what out_b outputs at stride s read. */
static int32_t hk__dws_row_len(const hk__dw3_axes_t *g)
{
    return g->stride_b * (g->out_b - 1) + 3;
}

int32_t hk_dw3_scalar_fits(const hk_conv_params_t *p)
{
    hk__dw3_axes_t g;
    if (p->filter.h != 3 || p->filter.w != 3 || p->depth_multiplier != 1 || p->dilation_h != 1 ||
        p->dilation_w != 1) {
        return 0;
    }
    hk__dw3_axes(p, &g);
    return (g.stride_b == 1 || g.stride_b == 2) && hk__dws_row_len(&g) <= HK_DW3_SCALAR_ROW;
}

/* Input row a (along axis a) of channel x (x points at the batch's channel c)
 * into dst: row_len values, input j - pad_b plus off where it exists, else 0. */
static void hk__dws_stage(const hk__dw3_axes_t *g, const int8_t *x, int32_t a, int32_t off,
                          int32_t row_len, int32_t *dst)
{
    const int32_t lo = hk__clamp(g->pad_b, 0, row_len);
    const int32_t hi = hk__clamp(g->pad_b + g->in_b, lo, row_len);
    const int32_t step = g->step_b;
    int32_t j;
    if (a < 0 || a >= g->in_a) {
        for (j = 0; j < row_len; ++j) {
            dst[j] = 0;
        }
        return;
    }
    for (j = 0; j < lo; ++j) {
        dst[j] = 0;
    }
    x += a * g->step_a + (lo - g->pad_b) * step;
    for (; j < hi; ++j, x += step) {
        dst[j] = *x + off;
    }
    for (; j < row_len; ++j) {
        dst[j] = 0;
    }
}

/* One channel's filter in the walk's orientation: w[r][k], r along axis a. */
typedef struct {
    int32_t w00, w01, w02, w10, w11, w12, w20, w21, w22;
} hk__dws_filter_t;

/* acc[j] = sum of the 3 x 3 window at column j * stride of rows r0..r2, j < n.
 * Stride 1 carries six of the nine values from one output to the next. */
static HK__SCALAR_LOOP void hk__dws_row_s1(const hk__dws_filter_t *f, const int32_t *r0, const int32_t *r1,
                                        const int32_t *r2, int32_t n, int32_t *acc)
{
    const int32_t w00 = f->w00, w01 = f->w01, w02 = f->w02, w10 = f->w10, w11 = f->w11;
    const int32_t w12 = f->w12, w20 = f->w20, w21 = f->w21, w22 = f->w22;
    int32_t a0 = r0[0], a1 = r0[1], b0 = r1[0], b1 = r1[1], c0 = r2[0], c1 = r2[1];
    int32_t *const end = acc + n;
    r0 += 2;
    r1 += 2;
    r2 += 2;
    while (acc != end) {
        const int32_t a2 = *r0++, b2 = *r1++, c2 = *r2++;
        *acc++ = a0 * w00 + a1 * w01 + a2 * w02 + b0 * w10 + b1 * w11 + b2 * w12 + c0 * w20 +
                 c1 * w21 + c2 * w22;
        a0 = a1, a1 = a2, b0 = b1, b1 = b2, c0 = c1, c1 = c2;
    }
}

/* Stride 2: the last column of one window is the first of the next. */
static HK__SCALAR_LOOP void hk__dws_row_s2(const hk__dws_filter_t *f, const int32_t *r0, const int32_t *r1,
                                        const int32_t *r2, int32_t n, int32_t *acc)
{
    const int32_t w00 = f->w00, w01 = f->w01, w02 = f->w02, w10 = f->w10, w11 = f->w11;
    const int32_t w12 = f->w12, w20 = f->w20, w21 = f->w21, w22 = f->w22;
    int32_t a0 = r0[0], b0 = r1[0], c0 = r2[0];
    int32_t *const end = acc + n;
    while (acc != end) {
        const int32_t a1 = r0[1], b1 = r1[1], c1 = r2[1];
        const int32_t a2 = r0[2], b2 = r1[2], c2 = r2[2];
        *acc++ = a0 * w00 + a1 * w01 + a2 * w02 + b0 * w10 + b1 * w11 + b2 * w12 + c0 * w20 +
                 c1 * w21 + c2 * w22;
        a0 = a2, b0 = b2, c0 = c2;
        r0 += 2;
        r1 += 2;
        r2 += 2;
    }
}

/* y[j * y_step] for j < n from bias + acc[j], one channel's multiplier and
 * shift. */
static HK__SCALAR_LOOP void hk__dws_outputs(const int32_t *acc, int32_t n, int32_t bias, int32_t mult,
                                         int32_t shift, int32_t offset, int32_t lo, int32_t hi,
                                         int8_t *y, int32_t y_step)
{
    const int32_t *const end = acc + n;
    int32_t hi0 = 0, e1 = 0;
    if (hk__requant_prepare(shift, offset, &hi0, &e1)) {
        for (; acc != end; ++acc, y += y_step) {
            const int32_t v = hk__requant_fast_s(bias + *acc, mult, hi0, e1);
            *y = (int8_t)(v < lo ? lo : v > hi ? hi : v);
        }
        return;
    }
    for (; acc != end; ++acc, y += y_step) {
        *y = (int8_t)hk__requant_out(bias + *acc, mult, shift, offset, lo, hi);
    }
}

void hk_dwconv2d_3x3_s8_scalar(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                               const int32_t *bias, int8_t *output)
{
    const int32_t out_c = p->output.c, off = p->input_offset;
    const int32_t in_batch = p->input.h * p->input.w * p->input.c;
    const int32_t out_batch = p->output.h * p->output.w * out_c;
    hk__dw3_axes_t g;
    int32_t rows[3 * HK_DW3_SCALAR_ROW];
    int32_t acc[HK_DW3_SCALAR_ROW];
    hk__dws_filter_t f;
    int32_t *slot[3];
    int32_t row_len, turns, b, c, r, next, k;

    hk__dw3_axes(p, &g);
    row_len = hk__dws_row_len(&g);
    turns = g.stride_a % 3;
    for (b = 0; b < p->output.n; ++b) {
        for (c = 0; c < out_c; ++c) {
            const int8_t *const x = input + b * in_batch + c;
            /* tap (fy, fx) is filter[fy][fx][c]; walked transposed, axis a is x */
            const int8_t *w = filter + c;
            const int32_t ta = g.transposed ? out_c : 3 * out_c;
            const int32_t tb = g.transposed ? 3 * out_c : out_c;
            int8_t *const y = output + b * out_batch + c;
            f.w00 = w[0], f.w01 = w[tb], f.w02 = w[2 * tb];
            w += ta;
            f.w10 = w[0], f.w11 = w[tb], f.w12 = w[2 * tb];
            w += ta;
            f.w20 = w[0], f.w21 = w[tb], f.w22 = w[2 * tb];
            /* input row a lives in ring slot (a + pad_a) mod 3, slot[k] holding row a0 + k; rows
             * up to next - 1 are staged. No division: these cores have no divider. */
            next = -g.pad_a;
            slot[0] = rows, slot[1] = rows + row_len, slot[2] = rows + 2 * row_len;
            for (r = 0; r < g.out_a; ++r) {
                const int32_t a0 = r * g.stride_a - g.pad_a;
                if (r > 0) { /* the window moves down by stride_a rows: the slots rotate with it */
                    for (k = 0; k < turns; ++k) {
                        int32_t *const first = slot[0];
                        slot[0] = slot[1], slot[1] = slot[2], slot[2] = first;
                    }
                }
                if (next < a0) {
                    next = a0;
                }
                for (; next < a0 + 3; ++next) {
                    hk__dws_stage(&g, x, next, off, row_len, slot[next - a0]);
                }
                if (g.stride_b == 1) {
                    hk__dws_row_s1(&f, slot[0], slot[1], slot[2], g.out_b, acc);
                } else {
                    hk__dws_row_s2(&f, slot[0], slot[1], slot[2], g.out_b, acc);
                }
                hk__dws_outputs(acc, g.out_b, bias != NULL ? bias[c] : 0, p->out_mult[c], p->out_shift[c],
                                p->output_offset, p->act_min, p->act_max, y + r * g.out_step_a,
                                g.out_step_b);
            }
        }
    }
}
