/*
 * FULLY_CONNECTED, int8: TFLite's reference int8 fully connected, per-tensor
 * (n_mult == 1) or per-channel (n_mult == out_depth) output scaling, arranged
 * for speed (below). Its readable specification is the plain loop
 * hk_fully_connected_s8_spec (Firmware/tests/kernel_spec); Firmware/tests/
 * dsp_check compares the two on random cases.
 *
 * filter_offset is -weights zero point; TFLite's int8 weights are symmetric
 * so it is 0 in practice, but the per-tensor path honours it as TFLite does.
 * Accumulation: in_depth products summed in int32 as TFLite does, within
 * hk_kernels.h's accumulator bound (HK_ACC_MAX_TERMS, or
 * HK_ACC_MAX_TERMS_OFFSET_WEIGHTS with a non-zero filter_offset; the importer
 * enforces it), so the sum is exact in any order; the bias is added last, as
 * in TFLite.
 *
 * Speed, for filter_offset == 0: four outputs share each input load and its
 * offset addition (hk__dot4_s8_s8); no staging, since a fully connected row
 * is read once per output block anyway.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

static int8_t hk__fc_out(const hk_fc_params_t *p, const int32_t *bias, int32_t o, int32_t acc)
{
    const int32_t q = p->n_mult == 1 ? 0 : o;
    if (bias != NULL) {
        acc += bias[o];
    }
    acc = hk__mbqm_param(acc, p->out_mult[q], (int)p->out_shift[q]) + p->output_offset;
    return (int8_t)hk__clamp(acc, p->act_min, p->act_max);
}

void hk_fully_connected_s8(const hk_fc_params_t *p, const int8_t *input, const int8_t *weights,
                           const int32_t *bias, int8_t *output)
{
    const int32_t depth = p->in_depth, out_depth = p->out_depth;
    const int32_t in_off = p->input_offset;
    int32_t b, o, d, j;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + b * depth;
        int8_t *y = output + b * out_depth;
        if (p->filter_offset != 0) {
            for (o = 0; o < out_depth; ++o) {
                const int8_t *w = weights + o * depth;
                int32_t sum = 0;
                for (d = 0; d < depth; ++d) {
                    sum += ((int32_t)w[d] + p->filter_offset) * ((int32_t)x[d] + in_off);
                }
                y[o] = hk__fc_out(p, bias, o, sum);
            }
            continue;
        }
        for (o = 0; o + 4 <= out_depth; o += 4) {
            int32_t acc[4] = {0, 0, 0, 0};
            hk__dot4_s8_s8(x, in_off, weights + o * depth, depth, depth, acc);
            for (j = 0; j < 4; ++j) {
                y[o + j] = hk__fc_out(p, bias, o + j, acc[j]);
            }
        }
        for (; o < out_depth; ++o) {
            y[o] = hk__fc_out(p, bias, o, hk__dot1_s8_s8(x, in_off, weights + o * depth, depth, 0));
        }
    }
}
