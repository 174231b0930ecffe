/*
 * CONV_2D for cores without a dual multiply (Cortex-M0/M0+, RV32IMC, Xtensa
 * LX106): the same bytes as hk_conv2d_s8 (the reference), for the calls the
 * DSP tiles take (hk_conv2d_1x1_s8_scalar: pointwise; hk_conv2d_im2col_s8_scalar:
 * any other ungrouped filter whose window is at most HK_PW_MAX_IN elements),
 * with the filter the compiler packed for FULLY_CONNECTED's rows of four
 * (hk_scalar_pack_weights) and the bias it folded (hk_scalar_fold_bias).
 *
 * Each output pixel's window is staged once per chunk of output channels as
 * unsigned halfwords (hk__s_stage: the input plus its offset plus 256), then
 * every group of four filter rows runs over it (hk__s_rows4): per four window
 * elements four halfword loads, sixteen byte loads, sixteen multiplies and
 * sixteen adds, every load with an immediate offset from one of two pointers.
 * Cores with more than Thumb-1's eight low registers take two pixels at once
 * (hk__s_rows4x2), so that each filter byte serves two products.
 * The reference kernel takes the same products from sign-extending loads with
 * register offsets from five pointers, which the Cortex-M0's eight low
 * registers cannot hold (and the LX106 has no sign-extending byte load at all).
 * Why unsigned operands and what the folded bias holds: hk_scalar_impl.h.
 *
 * Requantization: each channel's constants prepared once a call
 * (hk__requant_fast_s: one 64-bit multiply-add, from 16-bit halves where the
 * core has no 64-bit product), or the reference's arithmetic for shifts it
 * does not take.
 */
#include "harken/hk_kernels.h"
#include "hk_scalar_impl.h"
#include "hk_im2col.h"

/* The chunk's sums of channels [c0, c1) of one staged window (xs, corr) into acc. */
static void hk__pws_rows(const uint16_t *xs, uint32_t corr, int32_t n, const uint8_t *packed, const int32_t *folded,
                         int32_t c0, int32_t c1, int32_t rows4, int32_t *acc)
{
    int32_t c;
    for (c = c0; c + 4 <= c1 && c < rows4; c += 4) {
        hk__s_rows4(xs, packed + c * n, n, corr, folded + c, acc + c - c0);
    }
    for (; c < c1; ++c) {
        acc[c - c0] = hk__s_row1(xs, packed + c * n, n, corr, folded[c]);
    }
}

/* The same for two windows, each group's bytes loaded once for both. */
static void hk__pws_rows2(const uint16_t *xa, const uint16_t *xb, uint32_t ca, uint32_t cb, int32_t n,
                          const uint8_t *packed, const int32_t *folded, int32_t c0, int32_t c1, int32_t rows4,
                          int32_t *acc_a, int32_t *acc_b)
{
    int32_t c;
    for (c = c0; c + 4 <= c1 && c < rows4; c += 4) {
        hk__s_rows4x2(xa, xb, packed + c * n, n, ca, cb, folded + c, acc_a + c - c0, acc_b + c - c0);
    }
    for (; c < c1; ++c) {
        acc_a[c - c0] = hk__s_row1(xa, packed + c * n, n, ca, folded[c]);
        acc_b[c - c0] = hk__s_row1(xb, packed + c * n, n, cb, folded[c]);
    }
}

/* Both entry points: chunks of HK_PW_CHUNK output channels outermost (their
 * constants prepared once; HK_PW_CHUNK is a multiple of 4, so a chunk holds
 * whole groups of rows, then the rows left over), then the pixels, one or two
 * at a time (HK_SCALAR_TWO_WINDOWS), each window of n elements the input's row
 * as stored (win NULL) or gathered into win, staged and run against the
 * chunk's rows. */
static void hk__pws_walk(const hk_conv_params_t *p, const int8_t *input, int32_t n, const uint8_t *packed,
                         const int32_t *folded, int8_t *win, int8_t *output)
{
    const int32_t out_c = p->output.c, pixels = p->output.n * p->output.h * p->output.w;
    const int32_t off = p->input_offset, out_off = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int32_t rows4 = out_c & ~3, per_step = HK_SCALAR_TWO_WINDOWS ? 2 : 1;
    uint16_t xs[2 * HK_PW_MAX_IN];
    int32_t acc[2 * HK_PW_CHUNK];
    hk__s_rq_t rq[HK_PW_CHUNK];
    int32_t c0, c1, c, j, px, k;

    for (c0 = 0; c0 < out_c; c0 = c1) {
        c1 = out_c - c0 < HK_PW_CHUNK ? out_c : c0 + HK_PW_CHUNK;
        for (c = c0; c < c1; ++c) {
            hk__s_rq_prepare(p->out_mult[c], p->out_shift[c], out_off, &rq[c - c0]);
        }
        for (px = 0; px < pixels; px += k) {
            uint32_t corr[2];
            k = pixels - px < per_step ? pixels - px : per_step;
            for (j = 0; j < k; ++j) {
                const int8_t *x = input + (px + j) * n;
                if (win != NULL) {
                    hk__im2col_gather(p, input, px + j, win);
                    x = win;
                }
                corr[j] = hk__s_stage(x, off, n, xs + j * HK_PW_MAX_IN);
            }
            if (k == 2) {
                hk__pws_rows2(xs, xs + HK_PW_MAX_IN, corr[0], corr[1], n, packed, folded, c0, c1, rows4, acc,
                              acc + HK_PW_CHUNK);
            } else {
                hk__pws_rows(xs, corr[0], n, packed, folded, c0, c1, rows4, acc);
            }
            for (j = 0; j < k; ++j) {
                int8_t *const y = output + (px + j) * out_c;
                for (c = c0; c < c1; ++c) {
                    y[c] = (int8_t)hk__s_rq_out(&rq[c - c0], acc[j * HK_PW_CHUNK + c - c0], out_off, lo, hi);
                }
            }
        }
    }
}

void hk_conv2d_1x1_s8_scalar(const hk_conv_params_t *p, const int8_t *input, const uint8_t *packed,
                             const int32_t *folded, int8_t *output)
{
    hk__pws_walk(p, input, p->input.c, packed, folded, NULL, output);
}

void hk_conv2d_im2col_s8_scalar(const hk_conv_params_t *p, const int8_t *input, const uint8_t *packed,
                                const int32_t *folded, int8_t *output)
{
    int8_t win[HK_PW_MAX_IN];
    hk__pws_walk(p, input, p->filter.h * p->filter.w * p->input.c, packed, folded, win, output);
}
