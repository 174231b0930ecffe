/*
 * CONV_2D in tiles of two pixels by two output channels for cores without a
 * dual multiply (Cortex-M0/M0+, RV32IMC, Xtensa LX106): the same bytes as
 * hk_conv2d_s8 (the reference), for the calls the DSP tiles take
 * (hk_conv2d_1x1_s8_scalar: pointwise; hk_conv2d_im2col_s8_scalar: any other
 * ungrouped filter whose window is at most HK_PW_MAX_IN elements), on the same
 * packed filter (hk_conv_pack_weights16), so the compiler packs one layout for
 * both.
 *
 * Why tiles pay on a scalar core: the reference shares each staged input among
 * four filter rows but loads every filter byte once per pixel (and, on the
 * LX106, which has no sign-extending byte load, extends it with two shifts).
 * A 2 x 2 tile loads each filter value once for two pixels and each staged
 * input once for two rows: per window element two loads, two multiplies and
 * two adds a product pair, where the reference takes about five instructions
 * a product. The filter is int16 because every one of these cores loads a
 * sign-extended halfword in one instruction.
 *
 * The two pixels' windows are staged once per chunk of output channels as
 * int16 plus the input offset, in the packed filter's order (per four
 * elements e0..e3: pixel 0 (e0, e2), pixel 1 (e0, e2), pixel 0 (e1, e3),
 * pixel 1 (e1, e3)), 0 past the window, so that a tile's operands sit at the
 * same offsets in both arrays.
 *
 * Exactness: staged values are inputs plus their offset (|x| <= 255) or 0,
 * filter values are the filter's bytes or 0; the sums start from the bias and
 * are taken in another order than the reference's, which int32 arithmetic
 * (modulo 2^32) does not see. Requantization is hk__requant_fast_s with each
 * channel's constants prepared once a call (the reference's bytes from one
 * 64-bit multiply-add, built from 16-bit halves on cores without a 64-bit
 * product), or the reference's arithmetic for shifts it does not take.
 */
#include <string.h>

#include "harken/hk_kernels.h"
#include "hk_scalar_impl.h"

static int32_t hk__pws_quads(int32_t n)
{
    return (n + 3) >> 2;
}

/* Two windows of n elements into xs in the tile order, 0 past n. */
static void hk__pws_stage(const int8_t *x0, const int8_t *x1, int32_t n, int32_t off, int16_t *xs)
{
    const int32_t groups = n >> 2;
    int32_t g, i;
    for (g = 0; g < groups; ++g, x0 += 4, x1 += 4, xs += 8) {
        xs[0] = (int16_t)(x0[0] + off);
        xs[1] = (int16_t)(x0[2] + off);
        xs[2] = (int16_t)(x1[0] + off);
        xs[3] = (int16_t)(x1[2] + off);
        xs[4] = (int16_t)(x0[1] + off);
        xs[5] = (int16_t)(x0[3] + off);
        xs[6] = (int16_t)(x1[1] + off);
        xs[7] = (int16_t)(x1[3] + off);
    }
    if (n & 3) {
        static const int8_t lane[4] = {0, 4, 1, 5};
        for (i = 0; i < 8; ++i) {
            xs[i] = 0;
        }
        for (i = 0; i < (n & 3); ++i) {
            xs[lane[i]] = (int16_t)(x0[i] + off);
            xs[lane[i] + 2] = (int16_t)(x1[i] + off);
        }
    }
}

/* The sums of output channels [c0, c1) (c0 even) of the staged pair, bias
 * included, into acc0 (pixel 0) and acc1 (pixel 1): per pair of rows a tile
 * over `quads` groups of four elements. An odd out_c's last pair has a row of
 * zeros whose sums are not stored. */
static HK__SCALAR_LOOP void hk__pws_rows(const int16_t *const xs0, const int16_t *w, int32_t quads, int32_t c0,
                                      int32_t c1, int32_t out_c, const int32_t *bias, int32_t *acc0,
                                      int32_t *acc1)
{
    int32_t oc;
    for (oc = c0, w += c0 * 4 * quads; oc < c1; oc += 2) {
        const int16_t *xs = xs0;
        const int16_t *const end = xs0 + 8 * quads;
        const int32_t two = oc + 1 < out_c;
        int32_t s00 = bias != NULL ? bias[oc] : 0, s01 = bias != NULL && two ? bias[oc + 1] : 0;
        int32_t s10 = s00, s11 = s01;
        for (; xs != end; xs += 8, w += 8) {
            int32_t a = xs[0], b = xs[2], u = w[0], v = w[2];
            s00 += a * u;
            s10 += b * u;
            s01 += a * v;
            s11 += b * v;
            a = xs[1], b = xs[3], u = w[1], v = w[3];
            s00 += a * u;
            s10 += b * u;
            s01 += a * v;
            s11 += b * v;
            a = xs[4], b = xs[6], u = w[4], v = w[6];
            s00 += a * u;
            s10 += b * u;
            s01 += a * v;
            s11 += b * v;
            a = xs[5], b = xs[7], u = w[5], v = w[7];
            s00 += a * u;
            s10 += b * u;
            s01 += a * v;
            s11 += b * v;
        }
        acc0[oc - c0] = s00;
        acc1[oc - c0] = s10;
        if (two) {
            acc0[oc - c0 + 1] = s01;
            acc1[oc - c0 + 1] = s11;
        }
    }
}

/* One output channel's requantization constants, prepared once per call:
 * hk__requant_fast_s's, or e1 = -1 for a shift it does not take. */
typedef struct {
    int32_t mult, shift, hi0, e1;
} hk__pws_rq_t;

static void hk__pws_prepare(const hk_conv_params_t *p, int32_t c0, int32_t n, hk__pws_rq_t *q)
{
    int32_t c;
    for (c = 0; c < n; ++c) {
        q[c].mult = p->out_mult[c0 + c];
        q[c].shift = p->out_shift[c0 + c];
        if (!hk__requant_prepare(q[c].shift, p->output_offset, &q[c].hi0, &q[c].e1)) {
            q[c].e1 = -1;
        }
    }
}

/* y[j] for j < n from acc[j] (bias included) and channel j's constants. */
static HK__SCALAR_LOOP void hk__pws_outputs(const int32_t *acc, int32_t n, const hk__pws_rq_t *q, int32_t offset,
                                         int32_t lo, int32_t hi, int8_t *y)
{
    int32_t j;
    for (j = 0; j < n; ++j, ++q) {
        int32_t v;
        if (q->e1 >= 0) {
            v = hk__requant_fast_s(acc[j], q->mult, q->hi0, q->e1);
            v = v < lo ? lo : v > hi ? hi : v;
        } else {
            v = hk__requant_out(acc[j], q->mult, q->shift, offset, lo, hi);
        }
        y[j] = (int8_t)v;
    }
}

/* memset / memcpy for short runs: a library call costs more than a few bytes. */
static void hk__pws_fill(int8_t *dst, int8_t v, int32_t n)
{
    if (n >= 16) {
        memset(dst, v, (size_t)n);
        return;
    }
    while (n-- > 0) {
        *dst++ = v;
    }
}

static void hk__pws_copy(int8_t *dst, const int8_t *src, int32_t n)
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
static void hk__pws_gather(const hk_conv_params_t *p, const int8_t *input, int32_t px, int8_t *dst)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, out_w = p->output.w, out_h = p->output.h;
    const int32_t ox = px % out_w, oy = (px / out_w) % out_h, b = px / (out_w * out_h);
    const int32_t y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
    const int8_t zero_point = (int8_t)(-p->input_offset);
    int32_t fy, fx;

    for (fy = 0; fy < k_h; ++fy) {
        const int32_t iy = y0 + fy * p->dilation_h;
        if (iy < 0 || iy >= in_h) {
            hk__pws_fill(dst, zero_point, k_w * in_c);
            dst += k_w * in_c;
            continue;
        }
        if (p->dilation_w == 1 && x0 >= 0 && x0 + k_w <= in_w) { /* the filter row in the image: one run */
            hk__pws_copy(dst, input + ((b * in_h + iy) * in_w + x0) * in_c, k_w * in_c);
            dst += k_w * in_c;
            continue;
        }
        for (fx = 0; fx < k_w; ++fx, dst += in_c) {
            const int32_t ix = x0 + fx * p->dilation_w;
            if (ix < 0 || ix >= in_w) {
                hk__pws_fill(dst, zero_point, in_c);
            } else {
                hk__pws_copy(dst, input + ((b * in_h + iy) * in_w + ix) * in_c, in_c);
            }
        }
    }
}

/* Both entry points: chunks of HK_PW_CHUNK output channels outermost, then
 * the pixels in pairs, windows of n elements: the input's rows as stored
 * (win NULL) or gathered into win. */
static void hk__pws_walk(const hk_conv_params_t *p, const int8_t *input, int32_t n, const int16_t *packed,
                         const int32_t *bias, int8_t *win, int8_t *output)
{
    const int32_t out_c = p->output.c, pixels = p->output.n * p->output.h * p->output.w;
    const int32_t off = p->input_offset, out_off = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int32_t quads = hk__pws_quads(n);
    int16_t xs[2 * HK_PW_MAX_IN];
    int32_t acc0[HK_PW_CHUNK], acc1[HK_PW_CHUNK];
    hk__pws_rq_t rq[HK_PW_CHUNK];
    int32_t c0, n_chunk, px;

    for (c0 = 0; c0 < out_c; c0 += n_chunk) {
        n_chunk = out_c - c0 < HK_PW_CHUNK ? out_c - c0 : HK_PW_CHUNK;
        hk__pws_prepare(p, c0, n_chunk, rq);
        for (px = 0; px < pixels; px += 2) {
            /* an odd last pixel is staged twice; its copy's outputs are dropped */
            const int32_t two = px + 1 < pixels;
            const int8_t *x0 = input + px * n, *x1 = two ? x0 + n : x0;
            int8_t *const y = output + px * out_c + c0;
            if (win != NULL) {
                hk__pws_gather(p, input, px, win);
                if (two) {
                    hk__pws_gather(p, input, px + 1, win + n);
                }
                x0 = win;
                x1 = two ? win + n : win;
            }
            hk__pws_stage(x0, x1, n, off, xs);
            hk__pws_rows(xs, packed, quads, c0, c0 + n_chunk, out_c, bias, acc0, acc1);
            hk__pws_outputs(acc0, n_chunk, rq, out_off, lo, hi, y);
            if (two) {
                hk__pws_outputs(acc1, n_chunk, rq, out_off, lo, hi, y + out_c);
            }
        }
    }
}

void hk_conv2d_1x1_s8_scalar(const hk_conv_params_t *p, const int8_t *input, const int16_t *packed,
                             const int32_t *bias, int8_t *output)
{
    hk__pws_walk(p, input, p->input.c, packed, bias, NULL, output);
}

void hk_conv2d_im2col_s8_scalar(const hk_conv_params_t *p, const int8_t *input, const int16_t *packed,
                                const int32_t *bias, int8_t *output)
{
    int8_t win[2 * HK_PW_MAX_IN];
    hk__pws_walk(p, input, p->filter.h * p->filter.w * p->input.c, packed, bias, win, output);
}
