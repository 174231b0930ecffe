/*
 * FULLY_CONNECTED for cores without a dual multiply (Cortex-M0/M0+, RV32IMC,
 * Xtensa LX106): the same bytes as hk_fully_connected_s8 (the reference) for
 * symmetric weights (filter_offset 0) and in_depth <= HK_FC_PACKED_MAX_DEPTH,
 * with the weights the compiler packed (hk_scalar_pack_weights) and the bias it
 * folded (hk_scalar_fold_bias). The code generator gives it FULLY_CONNECTED
 * and the one-pixel convolutions (a streaming model's pointwise layers).
 *
 * Each batch's inputs are staged once as unsigned halfwords, then each group of
 * four rows runs over them (hk__s_rows4, hk_scalar_impl.h): per four inputs
 * four halfword and sixteen byte loads, all with immediate offsets from two
 * pointers. The reference walks four row pointers with sign-extending loads,
 * which on the Cortex-M0 take register offsets and on the LX106 two more
 * instructions a byte.
 */
#include "harken/hk_kernels.h"
#include "hk_scalar_impl.h"

void hk_scalar_pack_weights(int32_t depth, int32_t rows, const int8_t *weights, uint8_t *packed)
{
    int32_t i;
    /* the layout is FULLY_CONNECTED's packed one; then each byte plus 128 */
    hk_fc_pack_weights(depth, rows, weights, (int8_t *)(void *)packed);
    for (i = 0; i < depth * rows; ++i) {
        packed[i] = (uint8_t)(packed[i] ^ 0x80u);
    }
}

void hk_scalar_fold_bias(int32_t depth, int32_t rows, const int8_t *weights, const int32_t *bias,
                         int32_t *folded)
{
    int32_t r, i;
    for (r = 0; r < rows; ++r) {
        /* bias + 32768 * depth - 256 * sum (w + 128), modulo 2^32 */
        uint32_t v = (bias != NULL ? (uint32_t)bias[r] : 0u) + 32768u * (uint32_t)depth;
        for (i = 0; i < depth; ++i) {
            v -= 256u * (uint32_t)(weights[r * depth + i] + 128);
        }
        folded[r] = hk__from_u32(v);
    }
}

/* Output o's byte from its sum: the per-tensor constants q, or channel o's. */
static int8_t hk__fcs_out(const hk_fc_params_t *p, const hk__s_rq_t *q, int32_t o, int32_t acc)
{
    hk__s_rq_t own;
    if (p->n_mult != 1) {
        hk__s_rq_prepare(p->out_mult[o], p->out_shift[o], p->output_offset, &own);
        q = &own;
    }
    return (int8_t)hk__s_rq_out(q, acc, p->output_offset, p->act_min, p->act_max);
}

void hk_fully_connected_s8_scalar(const hk_fc_params_t *p, const int8_t *input, const uint8_t *packed,
                                  const int32_t *folded, int8_t *output)
{
    const int32_t depth = p->in_depth, out_depth = p->out_depth, rows4 = out_depth & ~3;
    uint16_t xs[HK_FC_PACKED_MAX_DEPTH];
    int32_t acc[4];
    hk__s_rq_t q;
    int32_t b, o, j;

    hk__s_rq_prepare(p->out_mult[0], p->out_shift[0], p->output_offset, &q);
    for (b = 0; b < p->batches; ++b) {
        const uint32_t corr = hk__s_stage(input + b * depth, p->input_offset, depth, xs);
        int8_t *const y = output + b * out_depth;
        for (o = 0; o < rows4; o += 4) {
            hk__s_rows4(xs, packed + o * depth, depth, corr, folded + o, acc);
            for (j = 0; j < 4; ++j) {
                y[o + j] = hk__fcs_out(p, &q, o + j, acc[j]);
            }
        }
        for (; o < out_depth; ++o) { /* the rows left over, stored as they are */
            y[o] = hk__fcs_out(p, &q, o, hk__s_row1(xs, packed + o * depth, depth, corr, folded[o]));
        }
    }
}
