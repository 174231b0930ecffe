/*
 * MEAN, int8, over the middle axis of an [outer][reduce][inner] view: TFLite
 * Micro's quantized mean (QuantizedMeanOrSum), which it uses for every int8
 * MEAN.
 *
 * The raw values are summed in int32 (|sum| <= 128 * reduce), the zero point
 * is removed as count * zp, and one double-rounding multiply by mult and
 * 2^shift, which already include 1 / count, rescales to the output. Folding
 * 1/count into the multiplier (rather than dividing) is what makes the
 * result round to nearest like the rest of TFLite's requantization.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

void hk_mean_s8(const hk_mean_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t reduce = p->reduce, inner = p->inner;
    int32_t o, i, r;

    for (o = 0; o < p->outer; ++o) {
        const int8_t *base = input + o * reduce * inner;
        for (i = 0; i < inner; ++i) {
            int32_t sum = 0;
            int32_t y;
            for (r = 0; r < reduce; ++r) {
                sum += base[r * inner + i];
            }
            y = hk__mbqm(sum - p->input_zero_point * reduce, p->mult, (int)p->shift)
                + p->output_zero_point;
            output[o * inner + i] = (int8_t)hk__clamp(y, INT8_MIN, INT8_MAX);
        }
    }
}
