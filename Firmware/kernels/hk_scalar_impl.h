/*
 * Private to Firmware/kernels: requantization for the scalar-core kernels
 * (hk_*_scalar.c) on cores without a 32 x 32 -> 64-bit multiply.
 *
 * hk__requant_fast (hk_dsp_impl.h) is one 64-bit multiply-add and a shift.
 * RV32IM (MUL + MULH) and Thumb-2 (SMLAL) do that multiply in one or two
 * instructions; the Cortex-M0's Thumb-1 and the Xtensa LX106 have only a
 * 32-bit MUL, so C's int64 product becomes a library call (about 46
 * instructions on the M0 with its set-up, the LX106's a C routine). Here the
 * same sum is built from four 16 x 16 products, which every one of these
 * cores does in one instruction each.
 */
#ifndef HARKEN_SCALAR_IMPL_H
#define HARKEN_SCALAR_IMPL_H

#include <stdint.h>

#include "hk_dsp_impl.h"

#if (defined(__thumb__) && !defined(__thumb2__)) || defined(__XTENSA__)
#define HK_SCALAR_MUL64_SPLIT 1
#else
#define HK_SCALAR_MUL64_SPLIT 0
#endif

/* For the multiply-accumulate loops of the _scalar kernels: out of line and,
 * with GCC, without the scheduling pass before register allocation (as
 * HK__DSP_LOOP) and without reassociation. GCC otherwise sums a step's
 * products as a tree before adding them to the accumulators, which keeps every
 * loaded value live at once: on the Cortex-M0's eight low registers the 2 x 2
 * tile's step then spills (125 instructions for 16 multiply-accumulates, 97
 * without reassociation). */
#if defined(__GNUC__) && !defined(__clang__)
#define HK__SCALAR_LOOP __attribute__((noinline, optimize("no-schedule-insns", "no-tree-reassoc")))
#elif defined(__GNUC__)
#define HK__SCALAR_LOOP __attribute__((noinline))
#else
#define HK__SCALAR_LOOP
#endif

/* hk__requant_fast(x, mult, hi0, e1) for mult in [0, 2^31): the high word of
 * (hi0 - [x < 0]) * 2^32 + (2^30 | [x < 0] << 31) + x * mult, shifted right by
 * e1. x * mult as unsigned halves: with x taken as its unsigned bit pattern
 * xu, x * mult = xu * mult - [x < 0] * mult * 2^32, and xu * mult is the sum
 * of four products of 16-bit halves, each below 2^32; the middle column (four
 * values below 2^16) cannot overflow. Every step is exact modulo 2^32, and
 * the high word is right, as hk__requant_fast's is, because the true sum
 * lies within int64 (|x * mult| < 2^62). */
static inline int32_t hk__requant_fast_s(int32_t x, int32_t mult, int32_t hi0, int32_t e1)
{
#if HK_SCALAR_MUL64_SPLIT
    const uint32_t xu = (uint32_t)x, m = (uint32_t)mult, neg = xu >> 31;
    const uint32_t xl = xu & 0xFFFFu, xh = xu >> 16, ml = m & 0xFFFFu, mh = m >> 16;
    const uint32_t ll = xl * ml, lh = xl * mh, hl = xh * ml;
    /* bits 16..47 of the sum: the low word's constant has no bits below 16, so
     * the carry out of the low word is the carry out of this column */
    const uint32_t mid = (ll >> 16) + (lh & 0xFFFFu) + (hl & 0xFFFFu) + (0x4000u | (neg << 15));
    const uint32_t hi = xh * mh + (lh >> 16) + (hl >> 16) + (mid >> 16) - (neg ? m : 0u) + (uint32_t)hi0 - neg;
    return hk__asr(hk__from_u32(hi), (int)e1);
#else
    return hk__requant_fast(x, mult, hi0, e1);
#endif
}

/* ---- rows of four: the matrix core of the scalar CONV_2D tiles and
 * FULLY_CONNECTED (hk_conv2d_tiles_s8_scalar.c, hk_fully_connected_s8_scalar.c)
 *
 * Operands are unsigned: the Cortex-M0 loads a halfword or byte with an
 * immediate offset only zero-extended (LDRSH / LDRSB take a register offset,
 * which costs a register and an instruction a load), so a window staged as
 * int16 and a filter as int8 make GCC juggle index registers. Here an input
 * is staged as xb = x + offset + 256 in [1, 511] and the filter is stored as
 * wb = w + 128 in [0, 255] (hk_scalar_pack_weights), and
 *
 *   sum (x + offset) * w = sum xb * wb - 128 * sum xb - 256 * sum wb + 32768 * n
 *
 * where sum wb and 32768 * n are the compiler's (hk_scalar_fold_bias puts
 * them into the bias) and sum xb is taken once per staged window. Products
 * are below 2^17 and the sums are taken modulo 2^32, as the reference's int32
 * sums are on every core, so the result is the reference's accumulator. An
 * element past the window is staged as 0, which adds nothing to either sum.
 */

/* xs[i] = x[i] + offset + 256 for i < n; returns 128 * the sum (the per-window
 * correction). */
static inline uint32_t hk__s_stage(const int8_t *x, int32_t offset, int32_t n, uint16_t *xs)
{
    const int32_t bias = offset + 256;
    uint32_t sum = 0;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const uint32_t v = (uint32_t)(x[i] + bias);
        xs[i] = (uint16_t)v;
        sum += v;
    }
    return sum << 7;
}

/* acc[r] = start[r] - corr + sum over i < n of xs[i] * w(r, i), r < 4, for a
 * group of four rows as hk_fc_pack_weights lays them out (per four elements
 * the four rows' runs of four bytes, then the n % 4 elements left over row by
 * row). The four staged values of a step stay in registers for the sixteen
 * products; on the Cortex-M0 the sums live in the high registers. */
static HK__SCALAR_LOOP HK__MAYBE_UNUSED void hk__s_rows4(const uint16_t *xs, const uint8_t *w, int32_t n, uint32_t corr,
                                        const int32_t *start, int32_t *acc)
{
    const uint16_t *const end = xs + (n & ~3);
    const int32_t tail = n & 3;
    uint32_t s0 = (uint32_t)start[0] - corr, s1 = (uint32_t)start[1] - corr;
    uint32_t s2 = (uint32_t)start[2] - corr, s3 = (uint32_t)start[3] - corr;
    int32_t i;
    for (; xs != end; xs += 4, w += 16) {
        uint32_t x = xs[0];
        s0 += x * w[0];
        s1 += x * w[4];
        s2 += x * w[8];
        s3 += x * w[12];
        x = xs[1];
        s0 += x * w[1];
        s1 += x * w[5];
        s2 += x * w[9];
        s3 += x * w[13];
        x = xs[2];
        s0 += x * w[2];
        s1 += x * w[6];
        s2 += x * w[10];
        s3 += x * w[14];
        x = xs[3];
        s0 += x * w[3];
        s1 += x * w[7];
        s2 += x * w[11];
        s3 += x * w[15];
    }
    for (i = 0; i < tail; ++i) {
        const uint32_t x = xs[i];
        s0 += x * w[i];
        s1 += x * w[tail + i];
        s2 += x * w[2 * tail + i];
        s3 += x * w[3 * tail + i];
    }
    acc[0] = hk__from_u32(s0);
    acc[1] = hk__from_u32(s1);
    acc[2] = hk__from_u32(s2);
    acc[3] = hk__from_u32(s3);
}

/* Cores with registers to spare (all but Thumb-1's eight low ones) take two
 * windows at once: each filter byte loaded then serves two products. */
#if defined(__thumb__) && !defined(__thumb2__)
#define HK_SCALAR_TWO_WINDOWS 0
#else
#define HK_SCALAR_TWO_WINDOWS 1
#endif

/* Element k of a step of four: both windows' values against the four rows'
 * bytes. */
#define HK__S_STEP2(k)                                                    \
    do {                                                                  \
        const uint32_t x = xa[k], y = xb[k];                              \
        uint32_t v = w[k];                                                \
        a0 += x * v;                                                      \
        b0 += y * v;                                                      \
        v = w[4 + k];                                                     \
        a1 += x * v;                                                      \
        b1 += y * v;                                                      \
        v = w[8 + k];                                                     \
        a2 += x * v;                                                      \
        b2 += y * v;                                                      \
        v = w[12 + k];                                                    \
        a3 += x * v;                                                      \
        b3 += y * v;                                                      \
    } while (0)

/* hk__s_rows4 for two staged windows xa, xb (their corrections ca, cb) into
 * acc_a, acc_b. */
static HK__SCALAR_LOOP HK__MAYBE_UNUSED void hk__s_rows4x2(const uint16_t *xa, const uint16_t *xb, const uint8_t *w,
                                                           int32_t n, uint32_t ca, uint32_t cb, const int32_t *start,
                                                           int32_t *acc_a, int32_t *acc_b)
{
    const uint16_t *const end = xa + (n & ~3);
    const int32_t tail = n & 3;
    uint32_t a0 = (uint32_t)start[0] - ca, a1 = (uint32_t)start[1] - ca;
    uint32_t a2 = (uint32_t)start[2] - ca, a3 = (uint32_t)start[3] - ca;
    uint32_t b0 = (uint32_t)start[0] - cb, b1 = (uint32_t)start[1] - cb;
    uint32_t b2 = (uint32_t)start[2] - cb, b3 = (uint32_t)start[3] - cb;
    int32_t i;
    for (; xa != end; xa += 4, xb += 4, w += 16) {
        HK__S_STEP2(0);
        HK__S_STEP2(1);
        HK__S_STEP2(2);
        HK__S_STEP2(3);
    }
    for (i = 0; i < tail; ++i) {
        const uint32_t x = xa[i], y = xb[i];
        a0 += x * w[i];
        b0 += y * w[i];
        a1 += x * w[tail + i];
        b1 += y * w[tail + i];
        a2 += x * w[2 * tail + i];
        b2 += y * w[2 * tail + i];
        a3 += x * w[3 * tail + i];
        b3 += y * w[3 * tail + i];
    }
    acc_a[0] = hk__from_u32(a0);
    acc_a[1] = hk__from_u32(a1);
    acc_a[2] = hk__from_u32(a2);
    acc_a[3] = hk__from_u32(a3);
    acc_b[0] = hk__from_u32(b0);
    acc_b[1] = hk__from_u32(b1);
    acc_b[2] = hk__from_u32(b2);
    acc_b[3] = hk__from_u32(b3);
}

/* One row left over after the groups of four (stored as it is). */
static HK__SCALAR_LOOP HK__MAYBE_UNUSED int32_t hk__s_row1(const uint16_t *xs, const uint8_t *w, int32_t n, uint32_t corr,
                                          int32_t start)
{
    uint32_t s = (uint32_t)start - corr;
    int32_t i;
    for (i = 0; i + 4 <= n; i += 4) {
        s += (uint32_t)xs[i] * w[i];
        s += (uint32_t)xs[i + 1] * w[i + 1];
        s += (uint32_t)xs[i + 2] * w[i + 2];
        s += (uint32_t)xs[i + 3] * w[i + 3];
    }
    for (; i < n; ++i) {
        s += (uint32_t)xs[i] * w[i];
    }
    return hk__from_u32(s);
}

/* A channel's requantization constants, prepared once a call:
 * hk__requant_fast_s's, or e1 = -1 for a shift it does not take. */
typedef struct {
    int32_t mult, shift, hi0, e1;
} hk__s_rq_t;

static inline void hk__s_rq_prepare(int32_t mult, int32_t shift, int32_t offset, hk__s_rq_t *q)
{
    q->mult = mult;
    q->shift = shift;
    if (!hk__requant_prepare(shift, offset, &q->hi0, &q->e1)) {
        q->e1 = -1;
    }
}

static inline int32_t hk__s_rq_out(const hk__s_rq_t *q, int32_t acc, int32_t offset, int32_t lo, int32_t hi)
{
    int32_t v;
    if (q->e1 < 0) {
        return hk__requant_out(acc, q->mult, q->shift, offset, lo, hi);
    }
    v = hk__requant_fast_s(acc, q->mult, q->hi0, q->e1);
    return v < lo ? lo : v > hi ? hi : v;
}

#endif
