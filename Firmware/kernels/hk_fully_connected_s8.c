/*
 * FULLY_CONNECTED, int8: TFLite's reference int8 fully connected, per-tensor
 * (n_mult == 1) or per-channel (n_mult == out_depth) output scaling.
 *
 * filter_offset is -weights zero point; TFLite's int8 weights are symmetric
 * so it is 0 in practice, but the per-tensor path honours it as TFLite does.
 * Accumulation: in_depth products of magnitude <= 255 * 128 < 2^15 (255 * 255
 * with a non-zero filter_offset), summed in int32 as TFLite does; in_depth
 * above 32768, where the sum could wrap, is for the importer to reject.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

void hk_fully_connected_s8(const hk_fc_params_t *p, const int8_t *input, const int8_t *weights,
                           const int32_t *bias, int8_t *output)
{
    const int32_t depth = p->in_depth;
    int32_t b, o, d;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + b * depth;
        for (o = 0; o < p->out_depth; ++o) {
            const int8_t *w = weights + o * depth;
            const int32_t q = p->n_mult == 1 ? 0 : o;
            int32_t acc = 0;
            for (d = 0; d < depth; ++d) {
                acc += ((int32_t)w[d] + p->filter_offset) * ((int32_t)x[d] + p->input_offset);
            }
            if (bias != NULL) {
                acc += bias[o];
            }
            acc = hk__mbqm(acc, p->out_mult[q], (int)p->out_shift[q]);
            acc += p->output_offset;
            output[b * p->out_depth + o] = (int8_t)hk__clamp(acc, p->act_min, p->act_max);
        }
    }
}
