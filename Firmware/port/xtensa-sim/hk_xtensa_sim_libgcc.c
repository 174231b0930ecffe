/*
 * The compiler support routines that Debian's gcc-xtensa-lx106 (12.2.0-14+deb12u1
 * +13+b2, bookworm) leaves out of its libgcc.a. That archive lacks the members
 * built from GCC's Xtensa assembly (lib1funcs.S, ieee754-sf.S, ieee754-df.S) for
 * 32-bit division, 64-bit multiplication and single- and double-precision
 * addition, multiplication and int conversion (and libgcc's own 64-bit
 * division calls one of the missing ones), while GCC still emits calls to
 * them (the lx106 has no divider, no MULUH and no FPU), so code as plain as
 * `a / b` on ints does not link. These are the ones the Harken runtime's kernels
 * and bench app can call; the double-precision ones, which only the audio
 * frontend's table builder uses (a host-only part: firmware gets the tables as
 * const data), stay missing, so a program that needs them fails to link rather
 * than computing anything wrong.
 *
 * They are the standard libgcc entry points (names, argument and result types),
 * so the compiler's calls resolve here; if a later libgcc.a has them, these
 * definitions are linked first and its members are never pulled in. None of them
 * uses float arithmetic or a 64-bit multiply or divide itself, which would call
 * back into this file. Floats are IEEE 754 binary32, rounded to nearest-even,
 * with subnormals, signed zeros, infinities and NaNs as IEEE 754 says (a NaN
 * result is the default quiet NaN or a quieted operand; no exception flags).
 */
#include <stdint.h>
#include <string.h>

/* Declared here (not in any header) because nothing calls them by name: GCC
 * emits the calls. The reserved names are the point: they are libgcc's. */
int32_t __divsi3(int32_t a, int32_t b);
uint32_t __udivsi3(uint32_t a, uint32_t b);
uint32_t __umodsi3(uint32_t a, uint32_t b);
int64_t __muldi3(int64_t a, int64_t b);
uint64_t __umulsidi3(uint32_t a, uint32_t b);
int64_t __divdi3(int64_t a, int64_t b);
uint64_t __udivdi3(uint64_t a, uint64_t b);
uint64_t __umoddi3(uint64_t a, uint64_t b);
float __addsf3(float a, float b);
float __subsf3(float a, float b);
float __mulsf3(float a, float b);
float __floatsisf(int32_t i);
float __floatunsisf(uint32_t u);
uint32_t __fixunssfsi(float f);

/* Present in that libgcc.a (libgcc2's C versions), used for 64-bit division;
 * they call __umulsidi3, which is missing too. */
int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem);
uint64_t __udivmoddi4(uint64_t a, uint64_t b, uint64_t *rem);

/* ---- integers ---- */

/* Shift-and-subtract, starting at the divisor's highest useful position (NSAU
 * on the lx106 finds it in one instruction). Division by zero gives quotient 0
 * and remainder a, where libgcc would trap; C leaves it undefined. */
static uint32_t udivmod32(uint32_t a, uint32_t b, uint32_t *rem)
{
    uint32_t q = 0;
    if (b != 0 && a >= b) {
        int shift = __builtin_clz(b) - __builtin_clz(a);
        uint32_t d = b << shift;
        for (int i = shift; i >= 0; i--) {
            q <<= 1;
            if (a >= d) {
                a -= d;
                q |= 1u;
            }
            d >>= 1;
        }
    }
    *rem = a;
    return q;
}

uint32_t __udivsi3(uint32_t a, uint32_t b)
{
    uint32_t rem;
    return udivmod32(a, b, &rem);
}

uint32_t __umodsi3(uint32_t a, uint32_t b)
{
    uint32_t rem;
    (void)udivmod32(a, b, &rem);
    return rem;
}

/* Truncates toward zero; magnitudes as unsigned so INT32_MIN needs no case. */
int32_t __divsi3(int32_t a, int32_t b)
{
    uint32_t ua = a < 0 ? 0u - (uint32_t)a : (uint32_t)a;
    uint32_t ub = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
    uint32_t rem;
    uint32_t q = udivmod32(ua, ub, &rem);
    return (int32_t)(((a < 0) != (b < 0)) ? 0u - q : q);
}

/* 32 x 32 -> 64 from four 16 x 16 products (the lx106 has MULL, the low half of
 * a 32 x 32 product, but nothing for the high half). No partial sum overflows:
 * 0xFFFF * 0xFFFF + 0xFFFF < 2^32. */
static uint64_t umul32x32(uint32_t a, uint32_t b)
{
    uint32_t al = a & 0xFFFFu, ah = a >> 16;
    uint32_t bl = b & 0xFFFFu, bh = b >> 16;
    uint32_t ll = al * bl;
    uint32_t mid = al * bh + (ll >> 16);
    uint32_t mid2 = ah * bl + (mid & 0xFFFFu);
    uint32_t lo = (mid2 << 16) | (ll & 0xFFFFu);
    uint32_t hi = ah * bh + (mid >> 16) + (mid2 >> 16);
    return ((uint64_t)hi << 32) | lo;
}

uint64_t __umulsidi3(uint32_t a, uint32_t b)
{
    return umul32x32(a, b);
}

/* Modulo 2^64, so the same for signed and unsigned operands. */
int64_t __muldi3(int64_t a, int64_t b)
{
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    uint32_t a0 = (uint32_t)ua, a1 = (uint32_t)(ua >> 32);
    uint32_t b0 = (uint32_t)ub, b1 = (uint32_t)(ub >> 32);
    uint64_t p = umul32x32(a0, b0);
    uint32_t cross = a0 * b1 + a1 * b0;
    return (int64_t)(p + ((uint64_t)cross << 32));
}

int64_t __divdi3(int64_t a, int64_t b)
{
    int64_t rem;
    return __divmoddi4(a, b, &rem);
}

uint64_t __udivdi3(uint64_t a, uint64_t b)
{
    uint64_t rem;
    return __udivmoddi4(a, b, &rem);
}

uint64_t __umoddi3(uint64_t a, uint64_t b)
{
    uint64_t rem;
    (void)__udivmoddi4(a, b, &rem);
    return rem;
}

/* ---- binary32 ---- */

#define SIGN 0x80000000u
#define EXP_MAX 0xFFu
#define FRAC_MASK 0x007FFFFFu
#define IMPLICIT 0x00800000u
#define QUIET 0x00400000u
#define DEFAULT_NAN 0x7FC00000u
#define INF 0x7F800000u

static uint32_t bits_of(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float float_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Shift right keeping a sticky bit: any 1 shifted out is ORed into bit 0, which
 * is all round-to-nearest-even needs to know about the lost bits. */
static uint32_t shift_right_sticky(uint32_t m, uint32_t n)
{
    if (n == 0) {
        return m;
    }
    if (n >= 32) {
        return m != 0;
    }
    return (m >> n) | ((m << (32 - n)) != 0);
}

/* Packs sign, biased exponent e >= 1 and m = the significand with its implicit
 * bit at bit 26 and three more bits (guard, round, sticky) below bit 23, rounding
 * to nearest-even. The implicit bit is added into the exponent field rather than
 * masked off, so a subnormal (e == 1, bit 26 clear) gets exponent field 0, and a
 * rounding carry out of the significand moves the exponent up, to infinity if it
 * has to. */
static uint32_t round_pack(uint32_t sign, int32_t e, uint32_t m)
{
    if (e >= (int32_t)EXP_MAX) {
        return sign | INF;
    }
    uint32_t low = m & 7u;
    m >>= 3;
    if (low > 4u || (low == 4u && (m & 1u))) {
        m++;
    }
    return sign | (((uint32_t)(e - 1) << 23) + m);
}

static uint32_t quiet(uint32_t nan)
{
    return nan | QUIET;
}

static int is_nan(uint32_t u)
{
    return (u & ~SIGN) > INF;
}

static uint32_t add_bits(uint32_t a, uint32_t b)
{
    if (is_nan(a)) {
        return quiet(a);
    }
    if (is_nan(b)) {
        return quiet(b);
    }
    uint32_t ea = (a >> 23) & EXP_MAX;
    uint32_t eb = (b >> 23) & EXP_MAX;
    if (ea == EXP_MAX || eb == EXP_MAX) {
        if (ea == EXP_MAX && eb == EXP_MAX && ((a ^ b) & SIGN) != 0) {
            return DEFAULT_NAN; /* inf - inf */
        }
        return ea == EXP_MAX ? a : b;
    }
    if ((a & ~SIGN) == 0) {
        /* 0 + b is b, except that -0 + +0 is +0: the sign of a sum of zeros is
         * negative only when both are. */
        return (b & ~SIGN) == 0 ? (a & b) : b;
    }
    if ((b & ~SIGN) == 0) {
        return a;
    }
    /* |a| >= |b| from here on, so the sign is a's and a difference is >= 0. */
    if ((a & ~SIGN) < (b & ~SIGN)) {
        uint32_t t = a;
        a = b;
        b = t;
        t = ea;
        ea = eb;
        eb = t;
    }
    uint32_t sign = a & SIGN;
    /* Subnormals have exponent 1 and no implicit bit. */
    uint32_t ma = ((a & FRAC_MASK) | (ea != 0 ? IMPLICIT : 0u)) << 3;
    uint32_t mb = ((b & FRAC_MASK) | (eb != 0 ? IMPLICIT : 0u)) << 3;
    int32_t e = ea != 0 ? (int32_t)ea : 1;
    int32_t e_b = eb != 0 ? (int32_t)eb : 1;
    mb = shift_right_sticky(mb, (uint32_t)(e - e_b));

    uint32_t m;
    if (((a ^ b) & SIGN) == 0) {
        m = ma + mb;
        if (m & (1u << 27)) {
            m = shift_right_sticky(m, 1);
            e++;
        }
    } else {
        m = ma - mb;
        if (m == 0) {
            return 0; /* x - x is +0 when rounding to nearest */
        }
        /* Cancellation: normalise, but not below the subnormal exponent. */
        while ((m & (1u << 26)) == 0 && e > 1) {
            m <<= 1;
            e--;
        }
    }
    return round_pack(sign, e, m);
}

float __addsf3(float a, float b)
{
    return float_of(add_bits(bits_of(a), bits_of(b)));
}

float __subsf3(float a, float b)
{
    return float_of(add_bits(bits_of(a), bits_of(b) ^ SIGN));
}

float __mulsf3(float fa, float fb)
{
    uint32_t a = bits_of(fa);
    uint32_t b = bits_of(fb);
    if (is_nan(a)) {
        return float_of(quiet(a));
    }
    if (is_nan(b)) {
        return float_of(quiet(b));
    }
    uint32_t sign = (a ^ b) & SIGN;
    uint32_t ea = (a >> 23) & EXP_MAX;
    uint32_t eb = (b >> 23) & EXP_MAX;
    int a_zero = (a & ~SIGN) == 0;
    int b_zero = (b & ~SIGN) == 0;
    if (ea == EXP_MAX || eb == EXP_MAX) {
        return float_of((a_zero || b_zero) ? DEFAULT_NAN : (sign | INF)); /* inf * 0 is NaN */
    }
    if (a_zero || b_zero) {
        return float_of(sign);
    }
    uint32_t ma = (a & FRAC_MASK) | (ea != 0 ? IMPLICIT : 0u);
    uint32_t mb = (b & FRAC_MASK) | (eb != 0 ? IMPLICIT : 0u);
    int32_t e = (ea != 0 ? (int32_t)ea : 1) + (eb != 0 ? (int32_t)eb : 1) - 127;
    /* Normalise subnormal operands so that both significands are in [2^23, 2^24). */
    while ((ma & IMPLICIT) == 0) {
        ma <<= 1;
        e--;
    }
    while ((mb & IMPLICIT) == 0) {
        mb <<= 1;
        e--;
    }
    /* The product is in [2^46, 2^48); keep 27 bits (implicit bit at 26) and fold
     * the rest into the sticky bit. */
    uint64_t p = umul32x32(ma, mb);
    uint32_t m;
    if (p & ((uint64_t)1 << 47)) {
        m = (uint32_t)(p >> 21) | ((p & 0x1FFFFFu) != 0);
        e++;
    } else {
        m = (uint32_t)(p >> 20) | ((p & 0xFFFFFu) != 0);
    }
    if (e < 1) {
        /* Below the normal range: denormalise to exponent 1 before rounding, so
         * that the result is rounded once, at the subnormal's precision. */
        m = shift_right_sticky(m, (uint32_t)(1 - e));
        e = 1;
    }
    return float_of(round_pack(sign, e, m));
}

/* u != 0 to binary32 with the given sign, rounded to nearest-even. */
static uint32_t from_magnitude(uint32_t sign, uint32_t u)
{
    int shift = __builtin_clz(u);
    uint32_t m = u << shift;             /* leading 1 at bit 31 */
    int32_t e = 127 + 31 - shift;
    /* Bits 31..5 are the significand with its three extra bits; bits 4..0 are
     * only sticky. */
    return round_pack(sign, e, (m >> 5) | ((m & 0x1Fu) != 0));
}

float __floatsisf(int32_t i)
{
    if (i == 0) {
        return float_of(0);
    }
    uint32_t sign = i < 0 ? SIGN : 0u;
    uint32_t u = i < 0 ? 0u - (uint32_t)i : (uint32_t)i;
    return float_of(from_magnitude(sign, u));
}

float __floatunsisf(uint32_t u)
{
    return float_of(u == 0 ? 0u : from_magnitude(0, u));
}

/* Truncates toward zero. Out of range (negative below -1, >= 2^32, NaN) is
 * undefined in C; this gives 0 for negatives and NaN, 0xFFFFFFFF above. */
uint32_t __fixunssfsi(float f)
{
    uint32_t a = bits_of(f);
    uint32_t e = (a >> 23) & EXP_MAX;
    if ((a & SIGN) != 0 || is_nan(a) || e < 127) {
        return 0;
    }
    if (e >= 127 + 32) {
        return 0xFFFFFFFFu;
    }
    uint32_t m = (a & FRAC_MASK) | IMPLICIT;
    return e >= 150 ? m << (e - 150) : m >> (150 - e);
}
