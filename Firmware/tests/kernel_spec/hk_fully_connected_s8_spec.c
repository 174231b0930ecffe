/*
 * FULLY_CONNECTED, int8, as a plain loop: the specification of
 * hk_fully_connected_s8 and hk_fully_connected_s8_dsp (see hk_kernel_spec.h).
 *
 * Output (b, o) sums (weights[o][d] + filter_offset) * (input[b][d] +
 * input_offset) over d < in_depth, then the bias, the requantization (one
 * multiplier for the tensor, or one per output), the output offset and the
 * activation clamp, as TFLite does them.
 */
#include "hk_kernel_spec.h"

void hk_fully_connected_s8_spec(const hk_fc_params_t *p, const int8_t *input, const int8_t *weights,
                                const int32_t *bias, int8_t *output)
{
    int32_t b, o, d;

    for (b = 0; b < p->batches; ++b) {
        for (o = 0; o < p->out_depth; ++o) {
            const int32_t q = p->n_mult == 1 ? 0 : o;
            int32_t acc = 0;
            for (d = 0; d < p->in_depth; ++d) {
                acc += ((int32_t)weights[o * p->in_depth + d] + p->filter_offset) *
                       ((int32_t)input[b * p->in_depth + d] + p->input_offset);
            }
            if (bias != NULL) {
                acc += bias[o];
            }
            acc = hk_multiply_by_quantized_multiplier(acc, p->out_mult[q], (int)p->out_shift[q]);
            acc += p->output_offset;
            acc = acc < p->act_min ? p->act_min : (acc > p->act_max ? p->act_max : acc);
            output[b * p->out_depth + o] = (int8_t)acc;
        }
    }
}
