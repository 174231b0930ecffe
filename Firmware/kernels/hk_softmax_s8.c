/*
 * SOFTMAX, int8 in, int8 out (scale 1/256, zero point -128): TFLite's
 * reference quantized softmax on gemmlowp fixed point.
 *
 * Per row: d = q - max(q) <= 0 is scaled by beta * s_in into Q5 (differences
 * below diff_min would not fit and contribute exp() == 0); exp(d) is
 * computed in Q0 and accumulated in Q12 (up to 4096 terms of at most 1.0
 * cannot overflow). The sum S >= 1 (the maximum contributes exp(0)) is
 * normalised to 1 + x with x in [0, 1) by its leading zeros, 1/(1 + x) taken
 * in Q0, and each exp(d) / S formed as one high multiply followed by a
 * rounding shift that puts the result in 1/256 steps.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"
#include "hk_softmax_impl.h"

void hk_softmax_s8(const hk_softmax_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t depth = p->depth;
    int32_t row, c;

    for (row = 0; row < p->outer; ++row) {
        const int8_t *x = input + row * depth;
        int8_t *y = output + row * depth;
        const int32_t max_q = hk__softmax_row_max(x, depth);
        int32_t sum_q12 = 0;
        int32_t reciprocal_q0;
        int bits_over_unit;

        for (c = 0; c < depth; ++c) {
            const int32_t d = (int32_t)x[c] - max_q;
            if (d >= p->diff_min) {
                /* d >= diff_min bounds d * 2^left_shift inside int32 */
                const int32_t d_q5 = hk__srdhm(d * ((int32_t)1 << p->input_left_shift), p->input_mult);
                sum_q12 += hk__rdbpot(hk_exp_on_negative_values(d_q5, HK_SOFTMAX_DIFF_INTEGER_BITS),
                                      HK_SOFTMAX_SUM_INTEGER_BITS);
            }
        }

        reciprocal_q0 = hk__softmax_reciprocal(sum_q12, &bits_over_unit);
        for (c = 0; c < depth; ++c) {
            const int32_t d = (int32_t)x[c] - max_q;
            if (d >= p->diff_min) {
                const int32_t d_q5 = hk__srdhm(d * ((int32_t)1 << p->input_left_shift), p->input_mult);
                const int32_t e_q0 = hk_exp_on_negative_values(d_q5, HK_SOFTMAX_DIFF_INTEGER_BITS);
                const int32_t v = hk__rdbpot(hk__srdhm(reciprocal_q0, e_q0), bits_over_unit + 31 - 8);
                y[c] = (int8_t)hk__clamp(v - 128, INT8_MIN, INT8_MAX);
            } else {
                y[c] = INT8_MIN;
            }
        }
    }
}
