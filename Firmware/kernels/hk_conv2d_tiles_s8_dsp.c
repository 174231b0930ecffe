/*
 * CONV_2D as a blocked matrix multiply in tiles of two pixels by two output
 * channels, for cores with the Armv7E-M / Armv8-M DSP extension: the same
 * bytes as hk_conv2d_s8 (the reference). Two entry points, which the code
 * generator picks per layer:
 *
 *   hk_conv2d_1x1_s8_dsp     a 1x1 filter at stride 1 without padding or
 *                            groups (pointwise): the pixels' inputs are the
 *                            rows of the [pixels x in_c] matrix as stored
 *                            (rows longer than HK_PW_MAX_IN in segments);
 *   hk_conv2d_im2col_s8_dsp  any other ungrouped convolution whose window
 *                            (k_h * k_w * in_c) is at most HK_PW_MAX_IN: each
 *                            pixel's window is gathered first (im2col, a run
 *                            per filter row when the channels are the whole
 *                            input's), the padding as the input zero point.
 *
 * Both read the filter as the compiler packed it (hk_conv_pack_weights16):
 * sign-extended to int16 offline, two rows interleaved, so that one LDR is one
 * SMLAD operand and each step's four loads run back to back (a Cortex-M4
 * pipelines neighbouring loads: 5 cycles for the four). The two pixels'
 * windows, plus the input offset, are staged once as int16 pairs for all
 * filter rows (hk__pw_stage), in the same order. Per two window elements the
 * tile takes two LDRs of staged pairs, two of packed filter pairs and four
 * SMLADs: 8 instructions for 8 multiply-accumulates in 11 registers, where the
 * int8 filter took 18 for 16 (two SXTB16 per filter word). The price is flash:
 * the packed filter is twice the int8 one (rows padded to even, windows to a
 * multiple of four).
 *
 * Exactness as in hk_conv2d_s8_dsp: lanes hold an input plus its offset
 * (|x| <= 255, 0 in the padding and past the window) or a filter byte (0 in
 * the padding), each SMLAD adds two products below 2^15, and within
 * hk_kernels.h's accumulator bound the sum is the reference's in any order.
 * Requantization is hk__requant_block, a pass of its own over each chunk of
 * sums (the reference's result from one SMLAL and a shift an output).
 */
#include "harken/hk_kernels.h"
#include "hk_dsp_impl.h"
#include "hk_im2col.h"

/* One output channel's bias and requantization constants (hk__requant_fast's,
 * the output offset included), prepared once per call for the fused path. */
typedef struct {
    int32_t bias, mult, hi0, e1;
} hk__pw_rq_t;

/* hk_kernels.h states the fused path's shifts for the code generator's cost features. */
typedef char hk__pw_fused_shift_check[HK_PW_FUSED_SHIFT_MIN == -(HK__RQ_MAX_E1 + 1) ? 1 : -1];

/* A window of n elements padded to whole groups of four. */
static int32_t hk__pw_quads(int32_t n)
{
    return (n + 3) >> 2;
}

void hk_conv_pack_weights16(int32_t rows, int32_t depth, const int8_t *filter, int16_t *packed)
{
    const int32_t quads = hk__pw_quads(depth);
    int32_t r, g, e, h;

    /* per pair of rows and group of four elements e0..e3: row 0 (e0, e2), row 1
     * (e0, e2), row 0 (e1, e3), row 1 (e1, e3); 0 past the rows and the depth */
    for (r = 0; r < rows; r += 2) {
        for (g = 0; g < quads; ++g) {
            for (e = 0; e < 2; ++e) {
                for (h = 0; h < 2; ++h) {
                    const int32_t row = r + h, k0 = 4 * g + e, k1 = k0 + 2;
                    *packed++ = (int16_t)(row < rows && k0 < depth ? filter[row * depth + k0] : 0);
                    *packed++ = (int16_t)(row < rows && k1 < depth ? filter[row * depth + k1] : 0);
                }
            }
        }
    }
    for (h = 0; h < HK_CONV_PACKED16_PAD; ++h) {
        *packed++ = 0;
    }
}

/* Two pixels' windows (n elements each) plus the offset, staged as int16 for
 * all filter rows in the packed filter's order: per four elements e0..e3, p0
 * (e0, e2), p1 (e0, e2), p0 (e1, e3), p1 (e1, e3); 0 past the window. */
static void hk__pw_stage(const int8_t *x0, const int8_t *x1, int32_t n, int32_t off2, int32_t off,
                         int16_t *xs)
{
    const int32_t groups = n >> 2;
    int32_t g, i;

    for (g = 0; g < groups; ++g) {
        const int32_t a = hk__read_s8x4(x0 + 4 * g), b = hk__read_s8x4(x1 + 4 * g);
        hk__write_s16x2(xs + 8 * g, hk__sxtab16(off2, a));
        hk__write_s16x2(xs + 8 * g + 2, hk__sxtab16(off2, b));
        hk__write_s16x2(xs + 8 * g + 4, hk__sxtab16_ror8(off2, a));
        hk__write_s16x2(xs + 8 * g + 6, hk__sxtab16_ror8(off2, b));
    }
    if (n & 3) {
        int16_t *const t = xs + 8 * groups;
        static const int8_t lane[4] = {0, 4, 1, 5}; /* e0..e3 of pixel 0; pixel 1 two values on */
        for (i = 0; i < 8; ++i) {
            t[i] = 0;
        }
        for (i = 0; i < (n & 3); ++i) {
            t[lane[i]] = (int16_t)(x0[4 * groups + i] + off);
            t[lane[i] + 2] = (int16_t)(x1[4 * groups + i] + off);
        }
    }
}

/* Two window elements of both pixels against both rows: the four loads back
 * to back, then the four SMLADs. */
#define HK__PW_STEP_2X2()                                                  \
    do {                                                                  \
        const int32_t a = hk__read_s16x2(xs), b = hk__read_s16x2(xs + 2);  \
        const int32_t u = hk__read_s16x2(w), v = hk__read_s16x2(w + 2);    \
        s00 = hk__smlad(a, u, s00);                                        \
        s10 = hk__smlad(b, u, s10);                                        \
        s01 = hk__smlad(a, v, s01);                                        \
        s11 = hk__smlad(b, v, s11);                                        \
        xs += 4;                                                          \
        w += 4;                                                           \
    } while (0)

#if HK_DSP_INSTRUCTIONS && defined(HK_TUNE_DUAL_ISSUE)
/* A step of the dual-issue schedule (k: its place in the pass; step k + 1's
 * operands at byte offset 8 * k + 8). Each load follows a multiply that does not
 * read it, so a Cortex-M7 issues the two together: 4 cycles for the 8 MACs,
 * where the four loads back to back take 6. */
#define HK__PW_DUAL_STEP(next)                                             \
    "smlad %[s00], %[a], %[u], %[s00]\n\t"                                 \
    "smlad %[s01], %[a], %[v], %[s01]\n\t"                                 \
    "ldr %[a], [%[xs], #" #next "]\n\t"                                    \
    "smlad %[s10], %[b], %[u], %[s10]\n\t"                                 \
    "ldr %[u], [%[w], #" #next "]\n\t"                                     \
    "smlad %[s11], %[b], %[v], %[s11]\n\t"                                 \
    "ldr %[b], [%[xs], #" #next "+4]\n\t"                                  \
    "ldr %[v], [%[w], #" #next "+4]\n\t"

/* The last step of a pass of `bytes`: the pointers move on between the
 * multiplies, the next pass's first operands load from the new ones. */
#define HK__PW_DUAL_LAST(bytes, end, label)                                \
    "smlad %[s00], %[a], %[u], %[s00]\n\t"                                 \
    "add %[xs], %[xs], #" #bytes "\n\t"                                    \
    "smlad %[s01], %[a], %[v], %[s01]\n\t"                                 \
    "ldr %[a], [%[xs]]\n\t"                                                \
    "smlad %[s10], %[b], %[u], %[s10]\n\t"                                 \
    "add %[w], %[w], #" #bytes "\n\t"                                      \
    "smlad %[s11], %[b], %[v], %[s11]\n\t"                                 \
    "ldr %[u], [%[w]]\n\t"                                                 \
    "cmp %[xs], %[" #end "]\n\t"                                           \
    "ldr %[b], [%[xs], #4]\n\t"                                            \
    "ldr %[v], [%[w], #4]\n\t"                                             \
    "bne " #label "b\n\t"

/* HK__PW_TILE_SUMS for cores that issue a load beside a multiply (Cortex-M7,
 * HK_TUNE_DUAL_ISSUE from the target's flags): software-pipelined, each step
 * loading the next one's operands. The last step therefore reads 8 bytes past
 * the staged window and past the tile's rows of the packed filter: xs has room
 * for them, and hk_conv_pack_weights16's output ends in HK_CONV_PACKED16_PAD
 * values of padding. GCC schedules the C order back into four loads then four
 * multiplies (its cost model is the M4's), hence assembly. */
#define HK__PW_TILE_SUMS()                                                 \
    do {                                                                  \
        int32_t a, b, u, v;                                               \
        const int16_t *const xs_end = xs0 + 8 * quads;                    \
        (void)k;                                                          \
        __asm__ volatile(                                                 \
            "ldr %[a], [%[xs]]\n\t"                                       \
            "ldr %[u], [%[w]]\n\t"                                        \
            "ldr %[b], [%[xs], #4]\n\t"                                   \
            "ldr %[v], [%[w], #4]\n\t"                                    \
            "cmp %[xs], %[end4]\n\t"                                      \
            "beq 2f\n\t"                                                  \
            ".p2align 2\n"                                                \
            "1:\n\t"                                                      \
            HK__PW_DUAL_STEP(8) HK__PW_DUAL_STEP(16) HK__PW_DUAL_STEP(24)  \
            HK__PW_DUAL_STEP(32) HK__PW_DUAL_STEP(40) HK__PW_DUAL_STEP(48) \
            HK__PW_DUAL_STEP(56) HK__PW_DUAL_LAST(64, end4, 1)            \
            "2:\n\t"                                                      \
            "cmp %[xs], %[end]\n\t"                                       \
            "beq 4f\n\t"                                                  \
            ".p2align 2\n"                                                \
            "3:\n\t"                                                      \
            HK__PW_DUAL_STEP(8) HK__PW_DUAL_LAST(16, end, 3)              \
            "4:\n\t"                                                      \
            : [s00] "+r"(s00), [s01] "+r"(s01), [s10] "+r"(s10), [s11] "+r"(s11), \
              [xs] "+r"(xs), [w] "+r"(w), [a] "=&r"(a), [b] "=&r"(b),      \
              [u] "=&r"(u), [v] "=&r"(v)                                  \
            : [end4] "r"(xs_end4), [end] "r"(xs_end)                       \
            : "cc", "memory");                                            \
    } while (0)
#else
/* The tile's four sums over the staged window: eight steps (four groups) per
 * pass, then the groups left over. */
#define HK__PW_TILE_SUMS()                                                 \
    do {                                                                  \
        while (xs != xs_end4) {                                           \
            HK__PW_STEP_2X2();                                            \
            HK__PW_STEP_2X2();                                            \
            HK__PW_STEP_2X2();                                            \
            HK__PW_STEP_2X2();                                            \
            HK__PW_STEP_2X2();                                            \
            HK__PW_STEP_2X2();                                            \
            HK__PW_STEP_2X2();                                            \
            HK__PW_STEP_2X2();                                            \
        }                                                                 \
        for (k = quads & 3; k > 0; --k) {                                 \
            HK__PW_STEP_2X2();                                            \
            HK__PW_STEP_2X2();                                            \
        }                                                                 \
    } while (0)
#endif

/* The sums of output channels [c0, c1) (c0 even; c1 even, or out_c) of the two
 * staged pixels (xs, hk__pw_stage, `quads` groups of four elements) into
 * acc0[c - c0] (pixel 0) and acc1[c - c0] (pixel 1), starting from the bias
 * (`first`) or from the sums already there, from the packed filter w (rows
 * padded to even: an odd out_c's last pair computes a row of zeros whose sums
 * are not stored) whose row pairs hold `all_quads` groups, of which the staged
 * window is the part w starts at. One call per pixel pair and chunk: a call per
 * tile would cost a sixth of the tile. */
static HK__DSP_LOOP void hk__pw_rows_2x2(const int16_t *const xs0, const int16_t *w, int32_t quads,
                                         int32_t all_quads, int32_t c0, int32_t c1, int32_t out_c,
                                         const int32_t *bias, int first, int32_t *acc0, int32_t *acc1)
{
    const int16_t *const xs_end4 = xs0 + 8 * (quads & ~3);
    int32_t oc, k;

    for (oc = c0, w += c0 * 4 * all_quads; oc < c1; oc += 2, w += 8 * (all_quads - quads)) {
        const int16_t *xs = xs0;
        const int32_t two = oc + 1 < out_c;
        int32_t s00, s01, s10, s11;
        if (first) {
            s00 = bias != NULL ? bias[oc] : 0;
            s01 = bias != NULL && two ? bias[oc + 1] : 0;
            s10 = s00;
            s11 = s01;
        } else {
            s00 = acc0[oc - c0];
            s10 = acc1[oc - c0];
            s01 = two ? acc0[oc - c0 + 1] : 0;
            s11 = two ? acc1[oc - c0 + 1] : 0;
        }
        HK__PW_TILE_SUMS();
        acc0[oc - c0] = s00;
        acc1[oc - c0] = s10;
        if (two) {
            acc0[oc - c0 + 1] = s01;
            acc1[oc - c0 + 1] = s11;
        }
    }
}

/* hk__pw_rows_2x2 with the requantization fused, for the usual call (an even
 * number of channels, right shifts of 2 or more, the whole int8 range): per
 * pair of channels q[0], q[1] (bias and constants, hk__pw_fused) the tile's
 * four sums, then at once their output bytes y0[0..1] (pixel 0) and y1[0..1]
 * (pixel 1), saving the sums' round trip through the stack and a pass. */
static HK__DSP_LOOP void hk__pw_rows_2x2_out(const int16_t *const xs0, const int16_t *w, int32_t quads,
                                             const hk__pw_rq_t *q, const hk__pw_rq_t *const q_end,
                                             int8_t *y0, int8_t *y1)
{
    const int16_t *const xs_end4 = xs0 + 8 * (quads & ~3);
    int32_t k;

    for (; q != q_end; q += 2, y0 += 2, y1 += 2) {
        const int16_t *xs = xs0;
        int32_t s00 = q[0].bias, s01 = q[1].bias, s10 = s00, s11 = s01;
        HK__PW_TILE_SUMS();
        {
            /* the constants read before the stores: a byte store may alias anything */
            const int32_t m0 = q[0].mult, h0 = q[0].hi0, e0 = q[0].e1;
            const int32_t m1 = q[1].mult, h1 = q[1].hi0, e1 = q[1].e1;
            y0[0] = (int8_t)hk__ssat8(hk__requant_fast(s00, m0, h0, e0));
            y1[0] = (int8_t)hk__ssat8(hk__requant_fast(s10, m0, h0, e0));
            y0[1] = (int8_t)hk__ssat8(hk__requant_fast(s01, m1, h1, e1));
            y1[1] = (int8_t)hk__ssat8(hk__requant_fast(s11, m1, h1, e1));
        }
    }
}

/* Output channels [c0, c0 + n_chunk) of output pixels [px, px + 2) (px + 1 only
 * when `two`) of a call whose two windows, n elements each, start at w0 and
 * w1: staged, then every pair of filter rows in 2 x 2 tiles; with q (the
 * chunk's constants, hk__pw_fused) the requantization fused, else a pass over
 * the chunk's sums. */
static void hk__pw_pixel_pair(const hk_conv_params_t *p, const int8_t *w0, const int8_t *w1,
                              int32_t n, const int16_t *packed, const int32_t *bias,
                              const hk__pw_rq_t *q, int32_t c0, int32_t n_chunk, int16_t *xs,
                              int8_t *y, int32_t two)
{
    const int32_t out_c = p->output.c, off = p->input_offset, quads = hk__pw_quads(n);
    const int32_t out_off = p->output_offset, lo = p->act_min, hi = p->act_max;
    int32_t acc0[HK_PW_CHUNK], acc1[HK_PW_CHUNK], s;

    if (q != NULL) {
        hk__pw_stage(w0, w1, n, hk__dup16(off), off, xs);
        /* a single last pixel's second row of bytes lands in acc1, unused */
        hk__pw_rows_2x2_out(xs, packed + c0 * 4 * quads, quads, q, q + n_chunk, y + c0,
                            two ? y + out_c + c0 : (int8_t *)(void *)acc1);
        return;
    }
    /* a window longer than the stack's HK_PW_MAX_IN in segments, the sums carried */
    for (s = 0; s < n; s += HK_PW_MAX_IN) {
        const int32_t len = n - s < HK_PW_MAX_IN ? n - s : HK_PW_MAX_IN;
        hk__pw_stage(w0 + s, w1 + s, len, hk__dup16(off), off, xs);
        hk__pw_rows_2x2(xs, packed + 2 * s, hk__pw_quads(len), quads, c0, c0 + n_chunk, out_c, bias, s == 0,
                        acc0, acc1);
    }
    hk__requant_block(acc0, n_chunk, p->out_mult + c0, p->out_shift + c0, 1, out_off, lo, hi, y + c0, 1);
    if (two) {
        hk__requant_block(acc1, n_chunk, p->out_mult + c0, p->out_shift + c0, 1, out_off, lo, hi,
                          y + out_c + c0, 1);
    }
}

/* The fused path's biases and constants of channels [c0, c0 + n) when the call
 * allows it (an even n, shifts hk__requant_fast takes, the whole int8 range),
 * else NULL. */
static const hk__pw_rq_t *hk__pw_fused(const hk_conv_params_t *p, const int32_t *bias, int32_t c0,
                                       int32_t n, hk__pw_rq_t *q)
{
    int32_t c;
    if (!HK__FULL_RANGE(p->act_min, p->act_max) || (n & 1)) {
        return NULL;
    }
    for (c = 0; c < n; ++c) {
        if (!hk__requant_prepare(p->out_shift[c0 + c], p->output_offset, &q[c].hi0, &q[c].e1)) {
            return NULL;
        }
        q[c].bias = bias != NULL ? bias[c0 + c] : 0;
        q[c].mult = p->out_mult[c0 + c];
    }
    return q;
}

/* Both entry points: chunks of output channels outermost (their constants are
 * prepared once), then the pixels in pairs, each pair's windows n elements
 * long: the input's rows as stored (pointwise, win NULL) or gathered into win
 * (im2col). */
static void hk__pw_walk(const hk_conv_params_t *p, const int8_t *input, int32_t n,
                        const int16_t *packed, const int32_t *bias, int8_t *win, int8_t *output)
{
    const int32_t out_c = p->output.c, pixels = p->output.n * p->output.h * p->output.w;
    int16_t xs[2 * HK_PW_MAX_IN + 4]; /* + the dual-issue schedule's read past the end */
    hk__pw_rq_t rq[HK_PW_CHUNK];
    int32_t c0, n_chunk, px;

    for (c0 = 0; c0 < out_c; c0 += n_chunk) {
        const hk__pw_rq_t *q;
        n_chunk = out_c - c0 < HK_PW_CHUNK ? out_c - c0 : HK_PW_CHUNK;
        q = n <= HK_PW_MAX_IN ? hk__pw_fused(p, bias, c0, n_chunk, rq) : NULL;
        for (px = 0; px < pixels; px += 2) {
            /* an odd last pixel is staged twice; its copy's outputs are dropped */
            const int32_t two = px + 1 < pixels;
            const int8_t *x0 = input + px * n, *x1 = two ? x0 + n : x0;
            if (win != NULL) {
                hk__im2col_gather(p, input, px, win);
                if (two) {
                    hk__im2col_gather(p, input, px + 1, win + n);
                }
                x0 = win;
                x1 = two ? win + n : win;
            }
            hk__pw_pixel_pair(p, x0, x1, n, packed, bias, q, c0, n_chunk, xs, output + px * out_c, two);
        }
    }
}

void hk_conv2d_1x1_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int16_t *packed,
                          const int32_t *bias, int8_t *output)
{
    hk__pw_walk(p, input, p->input.c, packed, bias, NULL, output);
}

void hk_conv2d_im2col_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int16_t *packed,
                             const int32_t *bias, int8_t *output)
{
    int8_t win[2 * HK_PW_MAX_IN];
    hk__pw_walk(p, input, p->filter.h * p->filter.w * p->input.c, packed, bias, win, output);
}
