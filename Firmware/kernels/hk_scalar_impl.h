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
 * of four products of 16-bit halves, each below 2^32; the middle sum (at most
 * three 16-bit values) cannot overflow. Every step is exact modulo 2^32, and
 * the high word is right, as hk__requant_fast's is, because the true sum
 * lies within int64 (|x * mult| < 2^62). */
static inline int32_t hk__requant_fast_s(int32_t x, int32_t mult, int32_t hi0, int32_t e1)
{
#if HK_SCALAR_MUL64_SPLIT
    const uint32_t xu = (uint32_t)x, m = (uint32_t)mult, neg = xu >> 31;
    const uint32_t xl = xu & 0xFFFFu, xh = xu >> 16, ml = m & 0xFFFFu, mh = m >> 16;
    const uint32_t ll = xl * ml, lh = xl * mh, hl = xh * ml;
    const uint32_t mid = (ll >> 16) + (lh & 0xFFFFu) + (hl & 0xFFFFu);
    const uint32_t lo = (mid << 16) | (ll & 0xFFFFu);
    const uint32_t k_lo = 0x40000000u | (neg << 31);
    const uint32_t sum_lo = lo + k_lo;
    const uint32_t hi = xh * mh + (lh >> 16) + (hl >> 16) + (mid >> 16) - (neg ? m : 0u) +
                        (uint32_t)hi0 - neg + (sum_lo < lo ? 1u : 0u);
    return hk__asr(hk__from_u32(hi), (int)e1);
#else
    return hk__requant_fast(x, mult, hi0, e1);
#endif
}

#endif
