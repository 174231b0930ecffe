/*
 * RELU, int8: TFLite's quantized relu. The input, less its zero point, is
 * rescaled onto the output's scale and zero point, as REQUANTIZE would, and
 * clamped below at the output's real 0 (its zero point):
 *
 *   out = clamp(MBQM(q - in_zp, mult, shift) + out_zp, act_min, act_max)
 *
 * with mult / shift = QuantizeMultiplier(s_in / s_out). |q - in_zp| <= 255,
 * so the multiply stays inside int32 unless s_in / s_out exceeds 2^23 (only
 * in hand-made files; the left shift then wraps as TFLite's int32 arithmetic
 * does on every target).
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

void hk_relu_s8(const hk_relu_params_t *p, const int8_t *input, int8_t *output)
{
    int32_t i;

    for (i = 0; i < p->size; ++i) {
        const int32_t x = (int32_t)input[i] - p->input_zero_point;
        const int32_t y = hk__mbqm(x, p->mult, (int)p->shift) + p->output_zero_point;
        output[i] = (int8_t)hk__clamp(y, p->act_min, p->act_max);
    }
}
