/*
 * Private to Firmware/kernels: the packed 16-bit arithmetic of the Armv7E-M /
 * Armv8-M DSP extension (SXTB16, SXTAB16, SMLAD, SMLABB, SMLATT) as static
 * inline helpers for the *_dsp kernel variants.
 *
 * Each helper has two implementations in two blocks below: the instruction
 * itself where the compiler targets a core with the DSP extension, and plain
 * C99 that computes the same 32-bit result everywhere else (host, Cortex-M0+,
 * RISC-V). The plain versions model the instruction bit for bit, lane
 * wrap-around included, so a _dsp kernel compiled for the host runs the same
 * lane bookkeeping (which byte lands in which lane, which pairs SMLAD sums) as
 * on the device, and the host tests compare it with the reference kernel too.
 *
 * A packed value is an int32_t, as in ACLE: four int8 lanes (bytes 0..3, byte
 * 0 at the lowest address) or two int16 lanes (lo = bits 15..0, hi = bits
 * 31..16). Lane arithmetic is modulo 2^16 (SXTAB16) or 2^32 (the MACs), like
 * the hardware; the kernels keep every value well inside those ranges (see
 * the accumulator bound in hk_kernels.h), so nothing actually wraps.
 *
 * Loads of four int8 or two int16 values are single LDRs from any address:
 * Cortex-M3 and later allow unaligned LDR/STR (not LDRD/LDM) to normal memory
 * unless the application sets CCR.UNALIGN_TRP (CMSIS-NN assumes the same), and
 * memcpy is how C says "load these bytes as a word" without breaking the
 * aliasing rules (GCC and Clang turn it into one LDR/STR). Big-endian cores
 * take the plain path, whose loads assemble lanes from bytes explicitly: the
 * kernels rely on byte 0 being lane 0.
 */
#ifndef HARKEN_DSP_IMPL_H
#define HARKEN_DSP_IMPL_H

#include <stdint.h>

#include "hk_fixedpoint_impl.h"

/* The instructions, through ACLE and GNU inline assembly (GCC, Clang, Arm
 * Compiler 6), on little-endian cores with the DSP extension; anything else
 * builds the plain C helpers. */
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(__ARM_BIG_ENDIAN)
#define HK_DSP_INSTRUCTIONS 1
#else
#define HK_DSP_INSTRUCTIONS 0
#endif

/* Both lanes set to v (v in [-32768, 32767]): the offsets SXTAB16 adds. */
static inline int32_t hk__dup16(int32_t v)
{
    return hk__from_u32(((uint32_t)v & 0xFFFFu) * 0x00010001u);
}

/* For the multiply-accumulate loops of the _dsp kernels. Out of line, so that
 * the loop does not share the 14 allocatable registers with the kernel's outer
 * loops. With GCC also without the scheduling pass before register
 * allocation: GCC 12 hoists all four rows' filter loads to the top of the step
 * to hide load latency, runs out of registers and spills (CONV_2D's 4-row step
 * for Cortex-M4 and M7: 31 instructions per 16 MACs with 4 stack accesses,
 * 27 without; the depthwise and FULLY_CONNECTED loops likewise). The scheduler
 * after allocation still runs. Plain C (host) builds get the same attributes,
 * which change nothing there but speed. */
#if defined(__GNUC__) && !defined(__clang__)
#define HK__DSP_LOOP __attribute__((noinline, optimize("no-schedule-insns")))
#elif defined(__GNUC__)
#define HK__DSP_LOOP __attribute__((noinline))
#else
#define HK__DSP_LOOP
#endif

/* Two 16-bit lanes from two values taken modulo 2^16. */
static inline int32_t hk__pack16(int32_t lo, int32_t hi)
{
    return hk__from_u32(((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16));
}

#if HK_DSP_INSTRUCTIONS

#include <arm_acle.h>
#include <string.h>

static inline int32_t hk__read_s8x4(const int8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline int32_t hk__read_s16x2(const int16_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void hk__write_s16x2(int16_t *p, int32_t v)
{
    memcpy(p, &v, 4);
}

/* (byte 0, byte 2), each sign-extended to 16 bits. */
static inline int32_t hk__sxtb16(int32_t x)
{
    return __sxtb16(x);
}

/* (a.lo + byte 0, a.hi + byte 2), bytes sign-extended, lanes modulo 2^16. */
static inline int32_t hk__sxtab16(int32_t a, int32_t x)
{
    return __sxtab16(a, x);
}

/* The odd bytes: SXTB16 / SXTAB16 with the operand rotated right by 8, which
 * both instructions do for free. GCC 12's arm_acle.h has no __ror, and GCC does
 * not fold a rotate written in C into the extend (it emits a separate ROR, 20 %
 * more instructions in the inner loops), so the rotated forms are written as
 * the instruction, as CMSIS-Core does for GCC. Not volatile, no memory: the
 * compiler may schedule, merge or drop them like any pure expression. */
static inline int32_t hk__sxtb16_ror8(int32_t x)
{
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

static inline int32_t hk__sxtab16_ror8(int32_t a, int32_t x)
{
    int32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}

/* acc + a.lo * b.lo + a.hi * b.hi (SMLAD; a wrap would set the Q flag, which
 * nothing reads). */
static inline int32_t hk__smlad(int32_t a, int32_t b, int32_t acc)
{
    return __smlad(a, b, acc);
}

/* acc + a.lo * b.lo (SMLABB) and acc + a.hi * b.hi (SMLATT). */
static inline int32_t hk__smlabb(int32_t a, int32_t b, int32_t acc)
{
    return __smlabb(a, b, acc);
}

static inline int32_t hk__smlatt(int32_t a, int32_t b, int32_t acc)
{
    return __smlatt(a, b, acc);
}

/* acc + a.lo * b.hi + a.hi * b.lo (SMLADX) and acc + a.hi * b.lo (SMLATB). */
static inline int32_t hk__smladx(int32_t a, int32_t b, int32_t acc)
{
    return __smladx(a, b, acc);
}

static inline int32_t hk__smlatb(int32_t a, int32_t b, int32_t acc)
{
    return __smlatb(a, b, acc);
}

/* acc + a.lo * b.hi (SMLABT). */
static inline int32_t hk__smlabt(int32_t a, int32_t b, int32_t acc)
{
    return __smlabt(a, b, acc);
}

/* a.lo * b.lo + a.hi * b.hi (SMUAD) and a.lo * b.hi + a.hi * b.lo (SMUADX):
 * the first step of a sum, with no accumulator to hold. */
static inline int32_t hk__smuad(int32_t a, int32_t b)
{
    return __smuad(a, b);
}

static inline int32_t hk__smuadx(int32_t a, int32_t b)
{
    return __smuadx(a, b);
}

/* (b.lo, a.hi): PKHBT, which GCC does not make of the masks. */
static inline int32_t hk__pkhbt(int32_t b, int32_t a)
{
    int32_t r;
    __asm__("pkhbt %0, %1, %2" : "=r"(r) : "r"(b), "r"(a));
    return r;
}

/* hk__mbqm_param(x, mult, -e) for a right shift e >= 1, both roundings folded
 * into one 64-bit multiply-add and one shift (the same result for every input).
 * With n = x * mult + 2^30, the first rounding is h = floor(n / 2^31); the
 * second is floor((h + 2^(e-1) - [h < 0]) / 2^e), and floor((floor(n / a) + c)
 * / b) = floor((n + c * a) / (a * b)) for integers, so the result is
 * floor((n + 2^(e+30) - [h < 0] * 2^31) / 2^(31+e)): the high word of that sum
 * shifted right by e - 1. h < 0 exactly when n < 0; x < 0 differs from that
 * only when 0 <= n < 2^30 (mult 0, or 2^30 with x = -1), where h = 0 and both
 * roundings give 0 anyway, so the sign of x stands in for it. With c =
 * 2^(e-1) - [x < 0] >= 0 the added constant is c * 2^31 + 2^30: high word
 * c >> 1, low word (c & 1) << 31 | 2^30. |x * mult| < 2^62 and the constant is
 * below 2^62: no overflow. The caller passes half = 2^(e-1) and e1 = e - 1.
 *
 * On Arm: c from one ADD (x ASR 31 is -[x < 0]), the constant's words from
 * three more, one SMLAL, one ASR. */
static inline int32_t hk__requant_right(int32_t x, int32_t mult, int32_t half, int32_t e1)
{
    uint32_t lo;
    int32_t hi, c;
    __asm__("add %[c], %[half], %[x], asr #31\n\t"
            "lsl %[lo], %[c], #31\n\t"
            "orr %[lo], %[lo], #0x40000000\n\t"
            "lsr %[hi], %[c], #1\n\t"
            "smlal %[lo], %[hi], %[x], %[m]"
            : [lo] "=&r"(lo), [hi] "=&r"(hi), [c] "=&r"(c)
            : [x] "r"(x), [m] "r"(mult), [half] "r"(half));
    (void)lo;
    return hi >> e1; /* ASR: GCC's >> on a negative int32_t, documented */
}

/* hk__requant_right(x, mult, 2^e1, e1) + offset with the constants prepared
 * once per channel (hk__requant_prepare), for e1 in [1, HK__RQ_MAX_E1]. With
 * 2^(e-1) even, the added constant's words are hi = 2^(e-2) - [x < 0] and lo =
 * 2^30 | [x < 0] << 31 (the borrow of the - 2^31 moves into hi), so no carry
 * between them is left to compute: lo is x's sign bit with 2^30, hi one ADD.
 * The offset rides in hi as offset << e1, which the final shift returns
 * exactly (a multiple of 2^e1 passes through the floor). On Arm: AND, ORR,
 * ADD, SMLAL, ASR. */
static inline int32_t hk__requant_fast(int32_t x, int32_t mult, int32_t hi0, int32_t e1)
{
    uint32_t lo;
    int32_t hi;
    __asm__("and %[lo], %[x], #0x80000000\n\t"
            "orr %[lo], %[lo], #0x40000000\n\t"
            "add %[hi], %[hi0], %[x], asr #31\n\t"
            "smlal %[lo], %[hi], %[x], %[m]"
            : [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [x] "r"(x), [m] "r"(mult), [hi0] "r"(hi0));
    (void)lo;
    return hi >> e1;
}

#else /* plain C99: the same results, lane by lane */

static inline uint32_t hk__byte_u(int32_t x, int k)
{
    return ((uint32_t)x >> (8 * k)) & 0xFFu;
}

/* Lane k (0 = lo, 1 = hi) as a signed 16-bit value. */
static inline int32_t hk__lane(int32_t x, int k)
{
    return hk__to_i16(hk__from_u32((uint32_t)x >> (16 * k)));
}

/* Byte k as a signed 8-bit value. */
static inline int32_t hk__sbyte(int32_t x, int k)
{
    return (int32_t)(hk__byte_u(x, k) ^ 0x80u) - 0x80;
}

static inline int32_t hk__read_s8x4(const int8_t *p)
{
    const uint32_t u = (uint32_t)(uint8_t)p[0] | ((uint32_t)(uint8_t)p[1] << 8) |
                       ((uint32_t)(uint8_t)p[2] << 16) | ((uint32_t)(uint8_t)p[3] << 24);
    return hk__from_u32(u);
}

static inline int32_t hk__read_s16x2(const int16_t *p)
{
    return hk__pack16(p[0], p[1]);
}

static inline void hk__write_s16x2(int16_t *p, int32_t v)
{
    p[0] = (int16_t)hk__lane(v, 0);
    p[1] = (int16_t)hk__lane(v, 1);
}

static inline int32_t hk__sxtb16(int32_t x)
{
    return hk__pack16(hk__sbyte(x, 0), hk__sbyte(x, 2));
}

static inline int32_t hk__sxtab16(int32_t a, int32_t x)
{
    return hk__pack16(hk__lane(a, 0) + hk__sbyte(x, 0), hk__lane(a, 1) + hk__sbyte(x, 2));
}

static inline int32_t hk__sxtb16_ror8(int32_t x)
{
    return hk__pack16(hk__sbyte(x, 1), hk__sbyte(x, 3));
}

static inline int32_t hk__sxtab16_ror8(int32_t a, int32_t x)
{
    return hk__pack16(hk__lane(a, 0) + hk__sbyte(x, 1), hk__lane(a, 1) + hk__sbyte(x, 3));
}

/* Each 16 x 16 product fits int32; the sum is taken modulo 2^32 as the
 * instruction does (in uint32_t, where wrapping is defined). */
static inline int32_t hk__smlad(int32_t a, int32_t b, int32_t acc)
{
    const int32_t p0 = hk__lane(a, 0) * hk__lane(b, 0);
    const int32_t p1 = hk__lane(a, 1) * hk__lane(b, 1);
    return hk__from_u32((uint32_t)acc + (uint32_t)p0 + (uint32_t)p1);
}

static inline int32_t hk__smlabb(int32_t a, int32_t b, int32_t acc)
{
    return hk__from_u32((uint32_t)acc + (uint32_t)(hk__lane(a, 0) * hk__lane(b, 0)));
}

static inline int32_t hk__smlatt(int32_t a, int32_t b, int32_t acc)
{
    return hk__from_u32((uint32_t)acc + (uint32_t)(hk__lane(a, 1) * hk__lane(b, 1)));
}

static inline int32_t hk__smladx(int32_t a, int32_t b, int32_t acc)
{
    const int32_t p0 = hk__lane(a, 0) * hk__lane(b, 1);
    const int32_t p1 = hk__lane(a, 1) * hk__lane(b, 0);
    return hk__from_u32((uint32_t)acc + (uint32_t)p0 + (uint32_t)p1);
}

static inline int32_t hk__smlatb(int32_t a, int32_t b, int32_t acc)
{
    return hk__from_u32((uint32_t)acc + (uint32_t)(hk__lane(a, 1) * hk__lane(b, 0)));
}

static inline int32_t hk__smlabt(int32_t a, int32_t b, int32_t acc)
{
    return hk__from_u32((uint32_t)acc + (uint32_t)(hk__lane(a, 0) * hk__lane(b, 1)));
}

static inline int32_t hk__smuad(int32_t a, int32_t b)
{
    return hk__smlad(a, b, 0);
}

static inline int32_t hk__smuadx(int32_t a, int32_t b)
{
    return hk__smladx(a, b, 0);
}

static inline int32_t hk__pkhbt(int32_t b, int32_t a)
{
    return hk__from_u32(((uint32_t)b & 0xFFFFu) | ((uint32_t)a & 0xFFFF0000u));
}

static inline int32_t hk__requant_right(int32_t x, int32_t mult, int32_t half, int32_t e1)
{
    const int64_t c = (int64_t)half - (x < 0 ? 1 : 0); /* >= 0 */
    const int64_t n = c * ((int64_t)1 << 31) + ((int64_t)1 << 30) + (int64_t)x * mult;
    return hk__asr(hk__from_u32((uint32_t)((uint64_t)n >> 32)), e1);
}

static inline int32_t hk__requant_fast(int32_t x, int32_t mult, int32_t hi0, int32_t e1)
{
    const int64_t k = (int64_t)hi0 * ((int64_t)1 << 32) + ((int64_t)1 << 30) -
                      (x < 0 ? ((int64_t)1 << 31) : 0);
    const int64_t n = k + (int64_t)x * mult;
    return hk__asr(hk__from_u32((uint32_t)((uint64_t)n >> 32)), e1);
}

#endif /* HK_DSP_INSTRUCTIONS */

/* The largest e1 hk__requant_fast takes: the offset's offset << e1 (|offset| <=
 * 128) and hi's |hi| < 2^30 (|x * mult| < 2^62) then stay within int32. */
#define HK__RQ_MAX_E1 22

/* hk__requant_fast's constant for a channel with shift in [-(HK__RQ_MAX_E1 +
 * 1), -2] and the output offset: *e1 and the hi word's start; 0 for any other
 * shift, which takes hk__requant_out. */
static inline int hk__requant_prepare(int32_t shift, int32_t offset, int32_t *hi0, int32_t *e1)
{
    if (shift > -2 || shift < -(HK__RQ_MAX_E1 + 1)) {
        return 0;
    }
    *e1 = -shift - 1;
    *hi0 = (int32_t)((uint32_t)1 << (*e1 - 1)) + (int32_t)((uint32_t)offset << *e1);
    return 1;
}

#if defined(__GNUC__)
#define HK__LIKELY(c) __builtin_expect(!!(c), 1)
#define HK__MAYBE_UNUSED __attribute__((unused))
#else
#define HK__LIKELY(c) (c)
#define HK__MAYBE_UNUSED
#endif

/* An output byte from its accumulator (bias included): hk__mbqm_param(acc,
 * mult, shift) + offset, clamped to [lo, hi]. A right shift e >= 1, which is
 * every channel whose real multiplier is below 1/2, takes hk__requant_right;
 * the rest the reference's arithmetic. */
static inline int32_t hk__requant_out(int32_t acc, int32_t mult, int32_t shift, int32_t offset,
                                      int32_t lo, int32_t hi)
{
    int32_t v;
    if (HK__LIKELY(shift < 0)) {
        v = hk__requant_right(acc, mult, (int32_t)((uint32_t)1 << (-shift - 1)), -shift - 1);
    } else {
        v = hk__mbqm_param(acc, mult, (int)shift);
    }
    v += offset;
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}

/* An int8 activation range that is the whole of int8: SSAT alone clamps it. */
#define HK__FULL_RANGE(lo, hi) ((lo) == -128 && (hi) == 127)

/* v clamped to int8 (SSAT #8 on cores with the DSP extension). */
static inline int32_t hk__ssat8(int32_t v)
{
#if HK_DSP_INSTRUCTIONS
    return __ssat(v, 8);
#else
    return v < -128 ? -128 : v > 127 ? 127 : v;
#endif
}

static inline int32_t hk__requant_step(int32_t a, int32_t mult, int32_t shift, int32_t offset,
                                       int32_t lo, int32_t hi, int full)
{
#if HK_DSP_INSTRUCTIONS
    if (full && HK__LIKELY(shift < 0)) {
        const int32_t v = hk__requant_right(a, mult, (int32_t)((uint32_t)1 << (-shift - 1)), -shift - 1);
        return hk__ssat8(v + offset);
    }
#else
    (void)full;
#endif
    return hk__requant_out(a, mult, shift, offset, lo, hi);
}

/* The output bytes y[j * y_step] for j < n from their accumulators acc[j] (bias
 * included): hk__requant_out with the multiplier mult[j * q_step] and shift
 * shift[j * q_step] (q_step 0: one for all), the offset and the clamp. A pass of
 * its own after the dot products, so that its registers do not compete with
 * theirs; the usual case (per-channel multipliers, the whole int8 range) gets a
 * loop of its own. */
static HK__DSP_LOOP HK__MAYBE_UNUSED void hk__requant_block(const int32_t *acc, int32_t n, const int32_t *mult,
                                           const int32_t *shift, int32_t q_step, int32_t offset,
                                           int32_t lo, int32_t hi, int8_t *y, int32_t y_step)
{
    int32_t j;
    if (q_step == 1 && y_step == 1 && HK__FULL_RANGE(lo, hi)) {
        for (j = 0; j < n; ++j) {
            y[j] = (int8_t)hk__requant_step(acc[j], mult[j], shift[j], offset, -128, 127, 1);
        }
        return;
    }
    for (j = 0; j < n; ++j) {
        *y = (int8_t)hk__requant_out(acc[j], *mult, *shift, offset, lo, hi);
        y += y_step;
        mult += q_step;
        shift += q_step;
    }
}

#endif
