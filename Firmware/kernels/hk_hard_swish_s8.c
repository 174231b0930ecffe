/*
 * HARD_SWISH, int8: TFLite's reference quantized hard swish, which works in
 * 16-bit fixed point. x * relu6(x + 3) / 6 is computed as
 *   (x on the output scale) * (reluish in [0, 1]),
 * with reluish = (clamp(x / 3, -1, 1) + 1) / 2 in Q15.
 *
 * TFLite does this arithmetic in int16_t with implicit narrowing, so every
 * intermediate here is narrowed modulo 2^16 at the same points (hk__to_i16);
 * that is where its results come from when a multiplier is extreme.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

/* round(a * b / 2^15), saturating -1 * -1: VQRDMULH on 16-bit lanes. */
static int16_t srdhm16(int16_t a, int16_t b)
{
    int32_t ab;
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    ab = (int32_t)a * (int32_t)b;
    return hk__to_i16((ab + (ab >= 0 ? (1 << 14) : (1 - (1 << 14)))) / (1 << 15));
}

/* trunc(a * b / 2^15), saturating -1 * -1: VQDMULH. Truncation (instead of
 * rounding) cancels the bias of the rounding multiplies upstream. */
static int16_t sdhm16(int16_t a, int16_t b)
{
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    return hk__to_i16(((int32_t)a * (int32_t)b) / (1 << 15));
}

/* v * 2^amount saturated to int16 (0 <= amount <= 31). */
static int16_t sat_shl16(int16_t v, int amount)
{
    const int64_t r = (int64_t)v * ((int64_t)1 << amount);
    return (int16_t)(r > INT16_MAX ? INT16_MAX : (r < INT16_MIN ? INT16_MIN : r));
}

/* gemmlowp's rounding divide for int16 lanes, narrowing its mask and
 * threshold to 16 bits as the int16 instantiation does (this matters only
 * for exponents >= 16, where the mask wraps to -1). */
static int16_t rdbpot16(int16_t x, int e)
{
    const int16_t mask = hk__to_i16((int32_t)(((int64_t)1 << e) - 1));
    const int16_t remainder = (int16_t)(x & mask);
    const int16_t threshold = hk__to_i16(hk__asr(mask, 1) + (x < 0 ? 1 : 0));
    return hk__to_i16(hk__asr(x, e) + (remainder > threshold ? 1 : 0));
}

void hk_hard_swish_s8(const hk_hard_swish_params_t *p, const int8_t *input, int8_t *output)
{
    const int16_t out_mult = (int16_t)p->output_mult;
    const int16_t relu_mult = (int16_t)p->reluish_mult;
    const int relu_exp = (int)p->reluish_exponent;
    int32_t i;

    for (i = 0; i < p->size; ++i) {
        /* |q - zp| <= 255, times 2^7 stays below 2^15 */
        const int16_t x = (int16_t)(((int32_t)input[i] - p->input_zero_point) * 128);
        const int16_t x_on_output_scale = srdhm16(x, out_mult);
        int16_t reluish = x;
        int16_t y;

        /* x * 2^relu_exp * relu_mult / 2^15, saturating; the left shift is
         * split so that only the final doubling can saturate, after the
         * multiply has used all the bits. */
        if (relu_exp > 0) {
            reluish = sat_shl16(reluish, relu_exp - 1);
        }
        reluish = srdhm16(reluish, relu_mult);
        if (relu_exp > 0) {
            reluish = sat_shl16(reluish, 1);
        }
        if (relu_exp < 0) {
            reluish = rdbpot16(reluish, -relu_exp);
        }
        /* [-1, 1) in Q15 -> [0, 1) in Q15: (r + 2^15) / 2, always in int16 */
        reluish = (int16_t)hk__asr((int32_t)reluish + (1 << 15), 1);

        y = sdhm16(reluish, x_on_output_scale);
        y = rdbpot16(y, -(int)p->output_exponent);
        y = hk__to_i16((int32_t)y + p->output_zero_point);
        output[i] = (int8_t)hk__clamp(y, INT8_MIN, INT8_MAX);
    }
}
