/*
 * SOFTMAX with exp looked up: the same bytes as hk_softmax_s8 for a fraction
 * of its cycles. An int8 row's differences from its maximum take at most 256
 * values, and exp of each depends only on the layer's constants, so the
 * compiler tabulates it with this file's arithmetic (hk_softmax_s8_lut_fill
 * runs on the host) and the kernel loads one entry per element where the
 * reference evaluates a polynomial and up to seven high multiplies, twice.
 * Every element takes the same path, so the kernel's cycles depend on the
 * shape alone, which is what the cost model needs: a difference past the
 * table reads the zero stored after it, a value the compiler cannot see, so
 * it cannot branch around the multiply for it.
 *
 * The table's entries end with its last exp of at least 2^11: a smaller exp adds
 * nothing to the Q12 sum (it rounds to 0 there), and its output is 0 in 1/256
 * steps (1/S <= 1, and the final shift is at least 23 bits because S >= 1),
 * which is what the reference writes for differences below diff_min too.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"
#include "hk_softmax_impl.h"

int32_t hk_softmax_s8_lut_fill(const hk_softmax_params_t *p, int32_t *table)
{
    int32_t i, entries = 0;
    for (i = 0; i < 256; ++i) {
        int32_t e = 0;
        if (-i >= p->diff_min) {
            e = hk_exp_on_negative_values(hk__srdhm(-i * ((int32_t)1 << p->input_left_shift), p->input_mult),
                                          HK_SOFTMAX_DIFF_INTEGER_BITS);
        }
        table[i] = e;
        if (e >= ((int32_t)1 << 11)) {
            entries = i + 1;
        }
    }
    table[entries] = 0; /* past the table (entries <= 256) */
    return entries;
}

void hk_softmax_s8_lut(const hk_softmax_lut_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t depth = p->depth, entries = p->entries;
    const int32_t *exp_q0 = p->exp_q0;
    int32_t row, c;

    for (row = 0; row < p->outer; ++row) {
        const int8_t *x = input + row * depth;
        int8_t *y = output + row * depth;
        const int32_t max_q = hk__softmax_row_max(x, depth);
        int32_t sum_q12 = 0;
        int32_t reciprocal_q0;
        int bits_over_unit;

        for (c = 0; c < depth; ++c) {
            const int32_t i = max_q - x[c];
            sum_q12 += hk__rdbpot(exp_q0[i < entries ? i : entries], HK_SOFTMAX_SUM_INTEGER_BITS);
        }

        reciprocal_q0 = hk__softmax_reciprocal(sum_q12, &bits_over_unit);
        for (c = 0; c < depth; ++c) {
            const int32_t i = max_q - x[c];
            const int32_t v = hk__rdbpot(hk__srdhm(reciprocal_q0, exp_q0[i < entries ? i : entries]), bits_over_unit + 31 - 8);
            y[c] = (int8_t)hk__clamp(v - 128, INT8_MIN, INT8_MAX);
        }
    }
}
