/*
 * Private to Firmware/kernels: the fixed-point primitives as static inline
 * functions, so that the reference kernels' inner loops do not pay a call per
 * element. hk_fixedpoint.c exports the same functions under the public names.
 *
 * Everything here is integer arithmetic with results defined by C99 for every
 * input: signed overflow is avoided or done in uint32_t, right shifts of
 * negative values are written so that they do not depend on the compiler's
 * choice for `>>`, and int32_t / int16_t are two's complement by definition.
 */
#ifndef HARKEN_FIXEDPOINT_IMPL_H
#define HARKEN_FIXEDPOINT_IMPL_H

#include <stdint.h>

/* uint32_t -> int32_t modulo 2^32. A plain cast is implementation-defined for
 * values above INT32_MAX; this form is defined and compiles to nothing. */
static inline int32_t hk__from_u32(uint32_t u)
{
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) - INT32_MAX - 1;
}

/* int32_t -> int16_t modulo 2^16, as the implicit narrowing in TFLite's
 * int16 code does on every two's-complement target. */
static inline int16_t hk__to_i16(int32_t v)
{
    return (int16_t)(((v & 0xFFFF) ^ 0x8000) - 0x8000);
}

/* floor(x / 2^e) for 0 <= e <= 31. For negative x, ~x = -x - 1 >= 0 and
 * ~(~x >> e) = -floor((-x - 1) / 2^e) - 1 = floor(x / 2^e). */
static inline int32_t hk__asr(int32_t x, int e)
{
    return x >= 0 ? (x >> e) : ~(~x >> e);
}

/* x * 2^e modulo 2^32 (0 <= e <= 31). TFLite writes x * (1 << e) in int32 and
 * relies on it not overflowing; where it does overflow every target wraps,
 * and so do we. */
static inline int32_t hk__shl_wrap(int32_t x, int e)
{
    return hk__from_u32((uint32_t)x << e);
}

/* round(a * b / 2^31), saturating the single overflowing case INT32_MIN *
 * INT32_MIN (= +1.0, not representable) to INT32_MAX: the VQRDMULH
 * instruction as gemmlowp writes it, (a * b + nudge) / 2^31 with C's
 * truncating division and nudge = 2^30 for a * b >= 0, 1 - 2^30 below. For a
 * negative numerator n, trunc(n / d) = floor((n + d - 1) / d), which turns
 * both cases into floor((a * b + 2^30) / 2^31): ties round towards +infinity,
 * not away from zero, exactly as gemmlowp's do. |a * b| <= 2^62, so neither
 * the sum nor the quotient (once the one overflow case is excluded)
 * overflows. */
static inline int32_t hk__srdhm(int32_t a, int32_t b)
{
    int64_t n;
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    n = (int64_t)a * (int64_t)b + ((int64_t)1 << 30);
    return (int32_t)(n >= 0 ? n >> 31 : ~(~n >> 31));
}

/* x / 2^e rounded to nearest, ties away from zero (0 <= e <= 31): the
 * magnitude is rounded half up and the sign put back. |x| <= 2^31 and
 * |x| + 2^(e-1) < 2^32 fit in uint32_t; the result is at most 2^31 only for
 * e = 0 and x = INT32_MIN, which hk__from_u32 maps back to INT32_MIN. */
static inline int32_t hk__rdbpot(int32_t x, int e)
{
    const uint32_t mag = x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
    const uint32_t q = (mag + (((uint32_t)1 << e) >> 1)) >> e;
    return hk__from_u32(x < 0 ? 0u - q : q);
}

/* x * 2^e saturating to [INT32_MIN, INT32_MAX] for e > 0, x / 2^e rounded for
 * e < 0: gemmlowp's SaturatingRoundingMultiplyByPOT. Like gemmlowp, values
 * beyond +-(2^(31-e) - 1) saturate (so -2^(31-e) maps to INT32_MIN, which is
 * also its exact product). */
static inline int32_t hk__srmbpot(int32_t x, int e)
{
    if (e > 0) {
        const int32_t threshold = ((int32_t)1 << (31 - e)) - 1;
        if (x > threshold) {
            return INT32_MAX;
        }
        if (x < -threshold) {
            return INT32_MIN;
        }
        return x * ((int32_t)1 << e); /* |x| <= threshold: no overflow */
    }
    if (e < 0) {
        return hk__rdbpot(x, -e);
    }
    return x;
}

/* TFLite's default (double-rounding) MultiplyByQuantizedMultiplier:
 * a left shift (shift > 0) is applied before the rounding high multiply, a
 * right shift (shift < 0) is a second rounding after it. The two roundings
 * differ from one exact rounding of x * M in rare ties; TFLM rounds twice, so
 * do we. */
static inline int32_t hk__mbqm(int32_t x, int32_t mult, int shift)
{
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    return hk__rdbpot(hk__srdhm(hk__shl_wrap(x, left), mult), right);
}

/* hk__mbqm for the multipliers the kernels' params structs carry: mult is 0
 * or in [2^30, 2^31), never INT32_MIN, so hk__srdhm's one saturating case
 * cannot occur and its test can go; the arithmetic is the same. */
static inline int32_t hk__mbqm_param(int32_t x, int32_t mult, int shift)
{
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    const int64_t n = (int64_t)hk__shl_wrap(x, left) * (int64_t)mult + ((int64_t)1 << 30);
    return hk__rdbpot((int32_t)(n >= 0 ? n >> 31 : ~(~n >> 31)), right);
}

static inline int32_t hk__clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* The taps k in [*lo, *hi) of a window starting at `start` (output position
 * times stride minus padding) whose input index start + k * dilation lies in
 * [0, in): the padding checks of a convolution, done once per output pixel
 * instead of once per tap. An empty range comes back as *lo == *hi. The
 * divisions round up: the first tap at or after index 0 is ceil(-start /
 * dilation), the first one at or after `in` is ceil((in - start) / dilation);
 * both numerators are positive where they are used, so C99's truncating
 * division is the floor. */
static inline void hk__tap_range(int32_t start, int32_t dilation, int32_t k, int32_t in,
                                 int32_t *lo, int32_t *hi)
{
    const int32_t first = start < 0 ? (dilation - 1 - start) / dilation : 0;
    const int32_t end = in > start ? (in - start + dilation - 1) / dilation : 0;
    *lo = first < k ? first : k;
    *hi = end < k ? end : k;
    if (*hi < *lo) {
        *hi = *lo;
    }
}

/* xs[i] = x[i] + offset for i < n, offset in [-127, 128]: |x + offset| <=
 * 255 is exact in int16. The 16-wide inner loop vectorizes as the dot
 * products below do. */
static inline void hk__stage_s8_s16(const int8_t *x, int32_t offset, int32_t n, int16_t *xs)
{
    int32_t i, k;

    for (i = 0; i + 16 <= n; i += 16) {
        for (k = 0; k < 16; ++k) {
            xs[i + k] = (int16_t)(x[i + k] + offset);
        }
    }
    for (; i < n; ++i) {
        xs[i] = (int16_t)(x[i] + offset);
    }
}

/* Dot products of staged int16 values (inputs plus their offset, |x| <= 255)
 * with int8 weights, for CONV_2D and FULLY_CONNECTED. n stays within the
 * accumulator bound of hk_kernels.h, so the int32 sums cannot overflow. The
 * fixed 16-wide inner loop has a trip count compilers can see, which is what
 * lets GCC at -O2 turn it into SIMD multiply-adds (x86 pmaddwd) and keeps it
 * a plain multiply-accumulate loop on scalar cores; the remainder runs one by
 * one.
 *
 * hk__dot4_s16_s8: acc[j] += sum over i < n of x[i] * w[j * w_stride + i], j < 4
 * (four filter rows share each x load). */
static inline void hk__dot4_s16_s8(const int16_t *x, const int8_t *w, int32_t w_stride, int32_t n,
                                    int32_t *acc)
{
    const int8_t *w0 = w;
    const int8_t *w1 = w0 + w_stride;
    const int8_t *w2 = w1 + w_stride;
    const int8_t *w3 = w2 + w_stride;
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    int32_t i, k;

    for (i = 0; i + 16 <= n; i += 16) {
        for (k = 0; k < 16; ++k) {
            const int32_t v = x[i + k];
            a0 += v * w0[i + k];
            a1 += v * w1[i + k];
            a2 += v * w2[i + k];
            a3 += v * w3[i + k];
        }
    }
    for (; i < n; ++i) {
        const int32_t v = x[i];
        a0 += v * w0[i];
        a1 += v * w1[i];
        a2 += v * w2[i];
        a3 += v * w3[i];
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

static inline int32_t hk__dot1_s16_s8(const int16_t *x, const int8_t *w, int32_t n, int32_t acc)
{
    int32_t i, k;

    for (i = 0; i + 16 <= n; i += 16) {
        for (k = 0; k < 16; ++k) {
            acc += x[i + k] * w[i + k];
        }
    }
    for (; i < n; ++i) {
        acc += x[i] * w[i];
    }
    return acc;
}

/* The same dot products straight from int8 inputs, adding the offset on the
 * way (offset in [-127, 128]), for rows that too few outputs share to repay
 * staging them. |x + offset| <= 255 is exact in int16, which lets the 16-wide
 * loops run in 16-bit SIMD lanes.
 *
 * hk__dot4_s8_s8: acc[j] += sum over i < n of (x[i] + offset) * w[j * w_stride + i], j < 4. */
static inline void hk__dot4_s8_s8(const int8_t *x, int32_t offset, const int8_t *w,
                                  int32_t w_stride, int32_t n, int32_t *acc)
{
    const int8_t *w0 = w;
    const int8_t *w1 = w0 + w_stride;
    const int8_t *w2 = w1 + w_stride;
    const int8_t *w3 = w2 + w_stride;
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    int32_t i, k;

    for (i = 0; i + 16 <= n; i += 16) {
        for (k = 0; k < 16; ++k) {
            const int32_t v = (int16_t)(x[i + k] + offset);
            a0 += v * w0[i + k];
            a1 += v * w1[i + k];
            a2 += v * w2[i + k];
            a3 += v * w3[i + k];
        }
    }
    for (; i < n; ++i) {
        const int32_t v = x[i] + offset;
        a0 += v * w0[i];
        a1 += v * w1[i];
        a2 += v * w2[i];
        a3 += v * w3[i];
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

static inline int32_t hk__dot1_s8_s8(const int8_t *x, int32_t offset, const int8_t *w, int32_t n,
                                     int32_t acc)
{
    int32_t i, k;

    for (i = 0; i + 16 <= n; i += 16) {
        for (k = 0; k < 16; ++k) {
            acc += (int16_t)(x[i + k] + offset) * w[i + k];
        }
    }
    for (; i < n; ++i) {
        acc += (x[i] + offset) * w[i];
    }
    return acc;
}

#endif
