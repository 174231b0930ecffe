/*
 * Fixed-point arithmetic shared by the int8 kernels: TFLite's quantized
 * multiplier and gemmlowp's fixed-point exp / reciprocal / logistic.
 *
 * Notation: "Qm" is an int32 holding a real number with m integer bits and
 * 31 - m fractional bits, i.e. real = raw / 2^(31 - m), range [-2^m, 2^m).
 * Multiplying a Qa by a Qb with the rounding doubling high multiply gives a
 * Q(a + b). The polynomial and Newton-Raphson constants are gemmlowp's: they
 * are the exact raw values TFLite's results depend on.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

int32_t hk_saturating_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    return hk__srdhm(a, b);
}

int32_t hk_rounding_divide_by_pot(int32_t x, int exponent)
{
    return hk__rdbpot(x, exponent);
}

int32_t hk_multiply_by_quantized_multiplier(int32_t x, int32_t mult, int shift)
{
    return hk__mbqm(x, mult, shift);
}

/* exp(a) for a in [-1/4, 0), a and result in Q0. Taylor expansion to the
 * fourth order around -1/8: with x = a + 1/8,
 *   exp(a) = e^(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24).
 * |x| <= 1/8, so every power and partial sum stays far inside Q0 and the
 * plain int32 additions cannot overflow. */
static int32_t exp_on_interval_neg_quarter_to_zero(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668; /* e^(-1/8) in Q0 */
    const int32_t one_third = 715827883;             /* 1/3 in Q0 */
    const int32_t x = a + ((int32_t)1 << 28);        /* + 1/8 */
    const int32_t x2 = hk__srdhm(x, x);
    const int32_t x3 = hk__srdhm(x2, x);
    const int32_t x4 = hk__srdhm(x2, x2);
    const int32_t x4_over_4 = hk__rdbpot(x4, 2);
    /* ((x^4/4 + x^3) / 3 + x^2) / 2 = x^4/24 + x^3/6 + x^2/2 */
    const int32_t tail = hk__rdbpot(hk__srdhm(x4_over_4 + x3, one_third) + x2, 1);
    return exp_minus_one_eighth + hk__srdhm(exp_minus_one_eighth, x + tail);
}

int32_t hk_exp_on_negative_values(int32_t a, int integer_bits)
{
    /* exp(-k/4 - r) for the split a = -(k * 1/4) + (a mod 1/4 - 1/4):
     * the fractional quarter goes through the polynomial, each set bit of the
     * remaining multiple of 1/4 (worth 2^-2 .. 2^4) multiplies by the
     * matching exp(-2^j). Raw values of exp(-1/4), exp(-1/2), exp(-1),
     * exp(-2), exp(-4), exp(-8), exp(-16) in Q0: */
    static const int32_t exp_of_minus_pow2[7] = {
        1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242,
    };
    const int fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
    const int32_t mask = one_quarter - 1;
    /* in [-1/4, 0): a with its multiples of 1/4 cleared, minus 1/4 */
    const int32_t a_mod_quarter_minus_quarter = (a & mask) - one_quarter;
    /* a <= 0 so remainder = a_mod - a >= 0 is the (positive) multiple of 1/4
     * removed; a_mod - INT32_MIN still fits because a_mod < 0. */
    const int32_t remainder = a_mod_quarter_minus_quarter - a;
    int32_t result = exp_on_interval_neg_quarter_to_zero(
        hk__srmbpot(a_mod_quarter_minus_quarter, integer_bits));
    int j;

    for (j = -2; j <= 4; ++j) {
        /* The bit worth 2^j exists only when the format has integer bits
         * above it; fractional_bits + j <= 30 then. */
        if (integer_bits > j) {
            const int bit = fractional_bits + j;
            if (remainder & ((int32_t)1 << bit)) {
                result = hk__srdhm(result, exp_of_minus_pow2[j + 2]);
            }
        }
    }
    /* Formats wide enough to hold values below -32 flush them to zero: the
     * product above has underflowed long before that anyway. */
    if (integer_bits > 5) {
        const int32_t clamp = -((int32_t)1 << (36 - integer_bits)); /* -32 */
        if (a < clamp) {
            result = 0;
        }
    }
    if (a == 0) {
        result = INT32_MAX; /* exp(0) = 1, the largest Q0 value */
    }
    return result;
}

/* 1 / (1 + a) for a in [0, 1), Q0 in and out. The denominator d = (1 + a)/2
 * lies in [1/2, 1); Newton-Raphson x <- x + x(1 - d x) converges to 1/d in
 * Q2 from the classic start 48/17 - 32/17 d; three steps reach full int32
 * precision. The result 1/(1 + a) = (1/d)/2 is read as Q1 and rescaled to
 * Q0, saturating 1.0 to INT32_MAX. */
int32_t hk_one_over_one_plus_x_for_x_in_0_1(int32_t a)
{
    const int32_t forty_eight_17ths = 1515870810;       /* 48/17 in Q2 */
    const int32_t minus_thirty_two_17ths = -1010580540; /* -32/17 in Q2 */
    const int32_t one_q2 = (int32_t)1 << 29;
    /* (a + 1) / 2 rounded, ties away from zero, in 64 bits: INT32_MAX stands
     * for 1.0 in Q0. */
    const int64_t sum = (int64_t)a + (int64_t)INT32_MAX;
    const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    int32_t x = forty_eight_17ths + hk__srdhm(half_denominator, minus_thirty_two_17ths);
    int i;

    for (i = 0; i < 3; ++i) {
        const int32_t d_times_x = hk__srdhm(half_denominator, x);         /* Q2 */
        const int32_t one_minus_d_times_x = one_q2 - d_times_x;           /* Q2 */
        x = x + hk__srmbpot(hk__srdhm(x, one_minus_d_times_x), 2);       /* Q4 -> Q2 */
    }
    return hk__srmbpot(x, 1); /* Q2 raw read as Q1 (halving), then Q1 -> Q0 */
}

/* logistic(a) = 1 / (1 + exp(-|a|)) for a > 0 and its mirror 1 - that for
 * a < 0; exactly 1/2 at 0. Only the negative half of exp is needed. */
int32_t hk_logistic_fixed(int32_t a, int integer_bits)
{
    int32_t positive;

    if (a == 0) {
        return (int32_t)1 << 30;
    }
    /* exp(-|a|): for a > 0 that is exp(-a); for a < 0 it is exp(a) itself,
     * which also sidesteps negating INT32_MIN. */
    positive = hk_one_over_one_plus_x_for_x_in_0_1(
        hk_exp_on_negative_values(a > 0 ? -a : a, integer_bits));
    /* positive is in (1/2, 1], so INT32_MAX - positive cannot overflow. */
    return a > 0 ? positive : INT32_MAX - positive;
}
