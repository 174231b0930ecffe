/*
 * DEPTHWISE_CONV_2D with a 3x3 filter, depth multiplier 1, dilation 1 and a
 * stride of 1 or 2 along the plane's rows (DS-CNN's and MobileNet's layers),
 * for cores with the Armv7E-M / Armv8-M DSP extension: the same bytes as
 * hk_dwconv2d_s8 (the reference).
 *
 * hk_dwconv2d_s8_dsp keeps the tensor's channel-last order, so the only pairs
 * it can form are of neighbouring channels, whose products must stay apart: one
 * product per multiply. Here each channel is done on its own: its plane (the
 * rows the outputs need, with the padding; a map taller than wide transposed)
 * is staged as int16, so that two neighbouring taps of one channel are one
 * word and SMLAD sums them. The plane
 * holds the input as stored, the padding as the zero point, and the offset
 * goes into the bias instead (sum w * (x + off) = sum w * x + off * sum w), as
 * TFLite folds it: staging is a load and a store per byte. Per filter row and
 * pair of neighbouring outputs:
 *
 *   stride 1: A = (x0, x1), B = (x2, x3)
 *             out0 += SMLAD(A, (w0, w1)) + SMLABB(B, w2)
 *             out1 += SMLADX((x2, x1), (w0, w1)) + SMLATB(B, w2), (x2, x1) one PKHBT
 *   stride 2: A = (x0, x1), B = (x2, x3), C = (x4, x5)
 *             out0 += SMLAD(A, (w0, w1)) + SMLABB(B, w2)
 *             out1 += SMLAD(B, (w0, w1)) + SMLABB(C, w2)
 *
 * two or three LDRs and four multiplies for six products, the filter in
 * registers for the whole plane. The channel's multiplier and shift are fixed
 * too, so the requantization pass after each strip computes its rounding
 * constants once.
 *
 * Planes are staged in strips of output rows that fit HK_DW3_PLANE int16 values
 * of stack; the code generator picks this kernel only when three rows fit
 * (hk_dw3_fits).
 *
 * Exactness: lanes hold an input or zero-point byte or a filter byte; nine
 * products of at most 2^14 plus the bias and off * sum w (|off| <= 255) fit
 * int32 and may be summed in any order. The requantization gives the
 * reference's bytes (hk__requant_fast, or hk__requant_out).
 */
#include "harken/hk_kernels.h"
#include "hk_dsp_impl.h"
#include "hk_dw3_axes.h"

/* The staged plane's row length for out_b outputs along it at stride s: the
 * pairs of outputs read up to column s * (out_b rounded up to even) + 1. Even,
 * so every pair's first word is aligned. */
static int32_t hk__dw3_row_len(int32_t out_b, int32_t stride_b)
{
    return stride_b * ((out_b + 1) & ~1) + 2;
}

int32_t hk_dw3_fits(const hk_conv_params_t *p)
{
    hk__dw3_axes_t g;
    if (p->filter.h != 3 || p->filter.w != 3 || p->depth_multiplier != 1 || p->dilation_h != 1 ||
        p->dilation_w != 1) {
        return 0;
    }
    hk__dw3_axes(p, &g);
    return (g.stride_b == 1 || g.stride_b == 2) && 3 * hk__dw3_row_len(g.out_b, g.stride_b) <= HK_DW3_PLANE &&
           g.out_b <= HK_DW3_ACC;
}

/* Channel c's values of plane rows [0, rows) from input row a0 (along axis a)
 * of one batch's input into the columns [lo, hi) that hold input (column j is
 * input index j - pad_b along axis b); rows outside the image and the other columns
 * stay as the strip's clearing left them, the input zero point. */
static void hk__dw3_stage(const hk__dw3_axes_t *g, const int8_t *input, int32_t c, int32_t a0,
                          int32_t rows, int32_t row_len, int32_t lo, int32_t hi, int16_t *plane)
{
    const int32_t step_a = g->step_a, step_b = g->step_b;
    const int32_t pairs = (hi - lo) >> 1, odd = (hi - lo) & 1;
    const int32_t i0 = a0 < 0 ? -a0 : 0, i1 = g->in_a - a0 < rows ? g->in_a - a0 : rows;
    const int8_t *x = input + (a0 + i0) * step_a + (lo - g->pad_b) * step_b + c;
    int16_t *dst = plane + i0 * row_len + lo;
    int32_t i, j;

    for (i = i1 - i0; i > 0; --i, x += step_a, dst += row_len) {
        const int8_t *xp = x;
        int16_t *d = dst;
        for (j = pairs; j > 0; --j, xp += 2 * step_b, d += 2) { /* loads, then stores, back to back */
            const int16_t v0 = xp[0], v1 = xp[step_b];
            d[0] = v0;
            d[1] = v1;
        }
        if (odd) {
            *d = *xp;
        }
    }
}

/* One channel's filter as SMLAD operands: w01[r] = (w[r][0], w[r][1]) for rows
 * r = 0..2, w2[0] = (w[0][2], w[1][2]), w2[1] = (w[2][2], 0). */
typedef struct {
    int32_t w01[3], w2[2];
} hk__dw3_filter_t;

/* One row of pairs: acc[2i], acc[2i + 1] for n_pairs pairs from q0, stepping
 * `step` plane values a pair; q1, q2 are the next two plane rows.
 *
 * On cores with the DSP extension the loop is written as the instructions: it
 * needs 14 registers (five filter words, three row pointers, the sums' pointer,
 * a count, two sums and two loaded words), every one the core has, and GCC 12
 * spills two of them inside the loop whatever the C says (37 cycles a pair on
 * the Cortex-M4 against 30 here), and refuses an asm statement with 14 register
 * operands. So the count rides in the high lane of the last filter word, whose
 * SMLABB reads only the low lane: it starts at 2^16 - n_pairs and the add that
 * carries out of bit 31 ends the loop. Post-indexed loads step the pointers. */
#if HK_DSP_INSTRUCTIONS

/* The end of a pair (both strides): the sums stored, the count stepped. */
#define HK__DW3_PAIR_END                                                  \
    "strd %[a0], %[a1], [%[acc]], #8\n\t"                               \
    "adds %[wl], %[wl], #0x10000\n\t"                                   \
    "bcc 1b"
#define HK__DW3_OPERANDS                                                                         \
    : [q0] "+r"(*q0), [q1] "+r"(*q1), [q2] "+r"(*q2), [acc] "+r"(*acc), [a0] "=&r"(a0),          \
      [a1] "=&r"(a1), [A] "=&r"(A), [B] "=&r"(B), [wl] "+r"(wl)                                  \
    : [w0] "r"(f->w01[0]), [w1] "r"(f->w01[1]), [w2] "r"(f->w01[2]), [wh] "r"(f->w2[0])          \
    : "cc", "memory"

static inline void hk__dw3_pairs(const int16_t **q0, const int16_t **q1, const int16_t **q2,
                                 int32_t n_pairs, int32_t **acc, const hk__dw3_filter_t *f,
                                 int32_t step)
{
    int32_t a0, a1, A, B;
    int32_t wl = hk__pack16(f->w2[1], 0x10000 - n_pairs); /* w2 and the count, see above */
    if (step == 2) { /* stride 1 */
        __asm__ volatile(
            "1:\n\t"
            "ldr %[A], [%[q0]], #4\n\t"
            "ldr %[B], [%[q0]]\n\t"
            "smuad %[a0], %[A], %[w0]\n\t"
            "pkhbt %[A], %[B], %[A]\n\t"
            "smuadx %[a1], %[A], %[w0]\n\t"
            "smlabb %[a0], %[B], %[wh], %[a0]\n\t"
            "smlatb %[a1], %[B], %[wh], %[a1]\n\t"
            "ldr %[A], [%[q1]], #4\n\t"
            "ldr %[B], [%[q1]]\n\t"
            "smlad %[a0], %[A], %[w1], %[a0]\n\t"
            "pkhbt %[A], %[B], %[A]\n\t"
            "smladx %[a1], %[A], %[w1], %[a1]\n\t"
            "smlabt %[a0], %[B], %[wh], %[a0]\n\t"
            "smlatt %[a1], %[B], %[wh], %[a1]\n\t"
            "ldr %[A], [%[q2]], #4\n\t"
            "ldr %[B], [%[q2]]\n\t"
            "smlad %[a0], %[A], %[w2], %[a0]\n\t"
            "pkhbt %[A], %[B], %[A]\n\t"
            "smladx %[a1], %[A], %[w2], %[a1]\n\t"
            "smlabb %[a0], %[B], %[wl], %[a0]\n\t"
            "smlatb %[a1], %[B], %[wl], %[a1]\n\t"
            HK__DW3_PAIR_END HK__DW3_OPERANDS);
    } else { /* stride 2 */
        __asm__ volatile(
            "1:\n\t"
            "ldr %[A], [%[q0]], #8\n\t"
            "ldr %[B], [%[q0], #-4]\n\t"
            "smuad %[a0], %[A], %[w0]\n\t"
            "ldr %[A], [%[q0]]\n\t"
            "smuad %[a1], %[B], %[w0]\n\t"
            "smlabb %[a0], %[B], %[wh], %[a0]\n\t"
            "smlabb %[a1], %[A], %[wh], %[a1]\n\t"
            "ldr %[A], [%[q1]], #8\n\t"
            "ldr %[B], [%[q1], #-4]\n\t"
            "smlad %[a0], %[A], %[w1], %[a0]\n\t"
            "ldr %[A], [%[q1]]\n\t"
            "smlad %[a1], %[B], %[w1], %[a1]\n\t"
            "smlabt %[a0], %[B], %[wh], %[a0]\n\t"
            "smlabt %[a1], %[A], %[wh], %[a1]\n\t"
            "ldr %[A], [%[q2]], #8\n\t"
            "ldr %[B], [%[q2], #-4]\n\t"
            "smlad %[a0], %[A], %[w2], %[a0]\n\t"
            "ldr %[A], [%[q2]]\n\t"
            "smlad %[a1], %[B], %[w2], %[a1]\n\t"
            "smlabb %[a0], %[B], %[wl], %[a0]\n\t"
            "smlabb %[a1], %[A], %[wl], %[a1]\n\t"
            HK__DW3_PAIR_END HK__DW3_OPERANDS);
    }
}

#else /* plain C: the same sums, lane by lane */

/* Filter row `row` of a pair at q: stride 1 reads A = (x0, x1), B = (x2, x3),
 * output 1 the PKHBT pair (x2, x1) by SMLADX; stride 2 also C = (x4, x5). w2
 * is in the low lane of wh for rows 0 and 2, the high lane for row 1. */
static inline void hk__dw3_row(const int16_t *q, int32_t step, int32_t w01, int32_t wh, int32_t row,
                               int32_t *a0, int32_t *a1)
{
    const int32_t A = hk__read_s16x2(q), B = hk__read_s16x2(q + 2);
    const int32_t second = step == 2 ? B : hk__read_s16x2(q + 4);
    const int32_t w2 = row == 1 ? hk__asr(wh, 16) : wh;
    *a0 = hk__smlabb(B, w2, hk__smlad(A, w01, *a0));
    *a1 = step == 2 ? hk__smlatb(B, w2, hk__smladx(hk__pkhbt(B, A), w01, *a1))
                    : hk__smlabb(second, w2, hk__smlad(B, w01, *a1));
}

static void hk__dw3_pairs(const int16_t **q0, const int16_t **q1, const int16_t **q2,
                          int32_t n_pairs, int32_t **acc, const hk__dw3_filter_t *f, int32_t step)
{
    for (; n_pairs > 0; --n_pairs, *q0 += step, *q1 += step, *q2 += step, *acc += 2) {
        int32_t a0 = 0, a1 = 0;
        hk__dw3_row(*q0, step, f->w01[0], f->w2[0], 0, &a0, &a1);
        hk__dw3_row(*q1, step, f->w01[1], f->w2[0], 1, &a0, &a1);
        hk__dw3_row(*q2, step, f->w01[2], f->w2[1], 2, &a0, &a1);
        (*acc)[0] = a0;
        (*acc)[1] = a1;
    }
}

#endif

/* The sums of n_rows output rows of n_out into acc[row * n_out + column] (an
 * odd row's dropped output lands on the next row's first, which comes after
 * it, or on acc[n_rows * n_out]): output row r reads plane rows r * row_step +
 * 0, 1, 2, stepping `step` values a pair (twice the stride). The bias and the
 * requantization are a pass of their own (hk__dw3_outputs): the pair loop has
 * no register left. */
static HK__DSP_LOOP void hk__dw3_sums(const hk__dw3_filter_t *f, const int16_t *plane, int32_t row_len,
                                      int32_t row_step, int32_t n_rows, int32_t n_out, int32_t step,
                                      int32_t *acc)
{
    const int32_t n_pairs = (n_out + 1) >> 1;
    const int32_t skip = row_step - step * n_pairs, back = 2 * n_pairs - n_out;
    const int16_t *q0 = plane, *q1 = plane + row_len, *q2 = plane + 2 * row_len;
    int32_t r;

    for (r = n_rows; r > 0; --r) {
        hk__dw3_pairs(&q0, &q1, &q2, n_pairs, &acc, f, step);
        q0 += skip;
        q1 += skip;
        q2 += skip;
        acc -= back;
    }
}

/* The output bytes of a strip from bias + acc[r * n + j], rows r < n_rows of n
 * outputs, into y[r * row_step + j * y_step], one channel's multiplier and
 * shift: its constants prepared once (hk__requant_fast: an add, AND, ORR, ADD,
 * SMLAL and ASR an output, the offset included; SSAT alone clamps the whole
 * int8 range), the reference's arithmetic for the shifts it does not take. */
static HK__DSP_LOOP void hk__dw3_outputs(const int32_t *acc, int32_t n_rows, int32_t n, int32_t bias,
                                         int32_t mult, int32_t shift, int32_t offset, int32_t lo,
                                         int32_t hi, int8_t *y, int32_t row_step, int32_t y_step)
{
    const int32_t two_steps = 2 * y_step, skip = row_step - n * y_step;
    const int32_t *const end = acc + n_rows * n;
    int32_t j, hi0 = 0, e1 = 0;
    const int fast = hk__requant_prepare(shift, offset, &hi0, &e1);

    if (fast && HK__FULL_RANGE(lo, hi)) {
        for (; acc != end; y += skip) { /* two a pass: half the loop's branches */
            for (j = n >> 1; j > 0; --j, acc += 2, y += two_steps) {
                const int32_t a0 = acc[0], a1 = acc[1];
                y[0] = (int8_t)hk__ssat8(hk__requant_fast(bias + a0, mult, hi0, e1));
                y[y_step] = (int8_t)hk__ssat8(hk__requant_fast(bias + a1, mult, hi0, e1));
            }
            if (n & 1) {
                *y = (int8_t)hk__ssat8(hk__requant_fast(bias + *acc++, mult, hi0, e1));
                y += y_step;
            }
        }
        return;
    }
    for (; acc != end; y += skip) {
        for (j = n; j > 0; --j, ++acc, y += y_step) {
            int32_t v;
            if (fast) {
                v = hk__requant_fast(bias + *acc, mult, hi0, e1);
                v = v < lo ? lo : v > hi ? hi : v;
            } else {
                v = hk__requant_out(bias + *acc, mult, shift, offset, lo, hi);
            }
            *y = (int8_t)v;
        }
    }
}

void hk_dwconv2d_3x3_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                            const int32_t *bias, int8_t *output)
{
    const int32_t out_c = p->output.c;
    hk__dw3_axes_t g;
    int32_t row_len, strip, lo, hi;
    int32_t plane32[HK_DW3_PLANE / 2]; /* int16 values, word-aligned */
    int16_t *const plane = (int16_t *)(void *)plane32;
    int32_t acc[HK_DW3_ACC + 1];
    const int16_t zero_point = (int16_t)-p->input_offset;
    hk__dw3_filter_t f;
    int32_t b, c, r0, i;

    hk__dw3_axes(p, &g);
    row_len = hk__dw3_row_len(g.out_b, g.stride_b);
    /* output rows per strip: its plane rows (n - 1) * stride_a + 3 must fit,
     * and its sums HK_DW3_ACC */
    strip = (HK_DW3_PLANE / row_len - 3) / g.stride_a + 1;
    strip = strip < HK_DW3_ACC / g.out_b ? strip : HK_DW3_ACC / g.out_b;
    lo = hk__clamp(g.pad_b, 0, row_len);
    hi = hk__clamp(g.pad_b + g.in_b, lo, row_len);
    for (b = 0; b < p->output.n; ++b) {
        const int8_t *const x = input + b * p->input.h * p->input.w * p->input.c;
        int8_t *const y = output + b * p->output.h * p->output.w * out_c;
        for (r0 = 0; r0 < g.out_a; r0 += strip) {
            const int32_t n_rows = g.out_a - r0 < strip ? g.out_a - r0 : strip;
            const int32_t a0 = r0 * g.stride_a - g.pad_a, rows = (n_rows - 1) * g.stride_a + 3;
            for (i = 0; i < rows * row_len; ++i) {
                plane[i] = zero_point;
            }
            for (c = 0; c < out_c; ++c) {
                /* tap (a, b) of the plane is filter row a, column b, or the
                 * transpose */
                const int8_t *w = filter + c;
                const int32_t t1 = g.transposed ? 3 * out_c : out_c, t2 = 2 * t1;
                const int32_t r1 = g.transposed ? out_c : 3 * out_c, r2 = 2 * r1;
                int32_t taps = 0, bias_c;
                f.w01[0] = hk__pack16(w[0], w[t1]);
                f.w01[1] = hk__pack16(w[r1], w[r1 + t1]);
                f.w01[2] = hk__pack16(w[r2], w[r2 + t1]);
                f.w2[0] = hk__pack16(w[t2], w[r1 + t2]);
                f.w2[1] = hk__pack16(w[r2 + t2], 0);
                for (i = 0; i < 9; ++i) {
                    taps += w[i * out_c];
                }
                bias_c = (bias != NULL ? bias[c] : 0) + p->input_offset * taps;
                hk__dw3_stage(&g, x, c, a0, rows, row_len, lo, hi, plane);
                hk__dw3_sums(&f, plane, row_len, g.stride_a * row_len, n_rows, g.out_b, 2 * g.stride_b, acc);
                if (!g.transposed) { /* the strip's outputs are consecutive pixels: one row */
                    hk__dw3_outputs(acc, 1, n_rows * g.out_b, bias_c, p->out_mult[c], p->out_shift[c],
                                    p->output_offset, p->act_min, p->act_max, y + r0 * g.out_step_a + c,
                                    0, g.out_step_b);
                } else {
                    hk__dw3_outputs(acc, n_rows, g.out_b, bias_c, p->out_mult[c], p->out_shift[c],
                                    p->output_offset, p->act_min, p->act_max, y + r0 * g.out_step_a + c,
                                    g.out_step_a, g.out_step_b);
                }
            }
        }
    }
}
