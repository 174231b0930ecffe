/*
 * FULLY_CONNECTED, int8: TFLite's reference int8 fully connected, per-tensor
 * (n_mult == 1) or per-channel (n_mult == out_depth) output scaling.
 *
 * filter_offset is -weights zero point; TFLite's int8 weights are symmetric
 * so it is 0 in practice, but the per-tensor path honours it as TFLite does.
 * Accumulation: in_depth products of magnitude <= 255 * 128 < 2^15 (255 * 255
 * with a non-zero filter_offset), summed in int32 as TFLite does; in_depth
 * above 32768, where the sum could wrap, is for the importer to reject.
 * Within that bound every partial sum fits, so the sum is exact in any
 * order; the bias is added last, as in TFLite.
 *
 * Speed, for filter_offset == 0: a chunk of the input row, offset, is staged
 * as int16 on the stack once and shared by every output (four at a time),
 * as in hk_conv2d_s8.c; partial sums of up to HK_FC_OUT_BLOCK outputs wait
 * on the stack when the row is longer than one chunk.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

#define HK_FC_X_BLOCK 64    /* int16 staged inputs: 128 bytes of stack */
#define HK_FC_OUT_BLOCK 32  /* int32 partial sums: 128 bytes of stack */

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
    int16_t xs[HK_FC_X_BLOCK];
    int32_t acc[HK_FC_OUT_BLOCK];
    int32_t b, o, o0, d, s, j;

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
        for (o0 = 0; o0 < out_depth; o0 += HK_FC_OUT_BLOCK) {
            const int32_t n_out =
                out_depth - o0 < HK_FC_OUT_BLOCK ? out_depth - o0 : HK_FC_OUT_BLOCK;
            for (j = 0; j < n_out; ++j) {
                acc[j] = 0;
            }
            for (s = 0; s < depth; s += HK_FC_X_BLOCK) {
                const int32_t len = depth - s < HK_FC_X_BLOCK ? depth - s : HK_FC_X_BLOCK;
                const int8_t *w = weights + o0 * depth + s;
                /* a row that fits one chunk is staged once per batch */
                if (o0 == 0 || depth > HK_FC_X_BLOCK) {
                    hk__stage_s8_s16(x + s, in_off, len, xs);
                }
                for (j = 0; j + 4 <= n_out; j += 4) {
                    hk__dot4_s16_s8(xs, w + j * depth, depth, len, acc + j);
                }
                for (; j < n_out; ++j) {
                    acc[j] = hk__dot1_s16_s8(xs, w + j * depth, len, acc[j]);
                }
            }
            for (j = 0; j < n_out; ++j) {
                y[o0 + j] = hk__fc_out(p, bias, o0 + j, acc[j]);
            }
        }
    }
}
