/*
 * LOGISTIC, int8 in, int8 out with scale 1/256 and zero point -128: TFLite's
 * reference int8 logistic.
 *
 * The input (q - zp) is rescaled to Q4 (4 integer bits: |x| < 16, where the
 * logistic is already within 2^-23 of 0 or 1) by input_multiplier *
 * 2^input_left_shift; inputs at or beyond input_range_radius would not fit
 * Q4 and are saturated directly to the output's ends. The gemmlowp logistic
 * returns Q0 (31 fractional bits); dropping 23 of them with rounding leaves
 * the value in 1/256 steps, and the zero point -128 maps 0.0 to -128.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

void hk_logistic_s8(const hk_logistic_params_t *p, const int8_t *input, int8_t *output)
{
    int32_t i;

    for (i = 0; i < p->size; ++i) {
        const int32_t x = (int32_t)input[i] - p->input_zero_point;
        if (x <= -p->input_range_radius) {
            output[i] = INT8_MIN;
        } else if (x >= p->input_range_radius) {
            output[i] = INT8_MAX;
        } else {
            /* |x| < radius guarantees x * 2^left_shift * mult / 2^31 < 2^31 */
            const int32_t x_q4 = hk__mbqm(x, p->input_multiplier, (int)p->input_left_shift);
            const int32_t y_q0 = hk_logistic_fixed(x_q4, 4);
            const int32_t y = hk__rdbpot(y_q0, 31 - 8) - 128;
            output[i] = (int8_t)hk__clamp(y, INT8_MIN, INT8_MAX);
        }
    }
}
