/*
 * Private to Firmware/kernels: the steps hk_softmax_s8 and hk_softmax_s8_lut
 * share, so that the two cannot drift apart.
 */
#ifndef HARKEN_SOFTMAX_IMPL_H
#define HARKEN_SOFTMAX_IMPL_H

#include "hk_fixedpoint_impl.h"

/* Differences from the row maximum in Q5; the sum of exp() in Q12 (up to
 * 4096 terms of at most 1.0 cannot overflow). */
enum { HK_SOFTMAX_DIFF_INTEGER_BITS = 5, HK_SOFTMAX_SUM_INTEGER_BITS = 12 };

/* Leading zeros of v (32 for 0), in plain C: the cores without CLZ would call
 * the C library for __builtin_clz. */
static inline int hk__clz(uint32_t v)
{
    int n = 0;
    if (v == 0) {
        return 32;
    }
    while ((v & 0x80000000u) == 0) {
        v <<= 1;
        ++n;
    }
    return n;
}

static inline int32_t hk__softmax_row_max(const int8_t *x, int32_t depth)
{
    int32_t max_q = INT8_MIN, c;
    for (c = 0; c < depth; ++c) {
        max_q = x[c] > max_q ? x[c] : max_q;
    }
    return max_q;
}

/* 1 / S for the row's sum S >= 1 in Q12 (the maximum contributes exp(0)):
 * S = 2^bits_over_unit * (1 + x), so the leading one is shifted out to bit 31
 * and dropped (modulo 2^32) to leave x in Q0, and 1 / (1 + x) is returned in
 * Q0. exp(d) / S is then hk__srdhm(result, exp(d)) shifted right by
 * bits_over_unit + 31 - 8 into 1/256 steps. */
static inline int32_t hk__softmax_reciprocal(int32_t sum_q12, int *bits_over_unit)
{
    const int headroom = hk__clz((uint32_t)sum_q12);
    *bits_over_unit = HK_SOFTMAX_SUM_INTEGER_BITS - headroom;
    return hk_one_over_one_plus_x_for_x_in_0_1(hk__from_u32(((uint32_t)sum_q12 << headroom) - 0x80000000u));
}

#endif
