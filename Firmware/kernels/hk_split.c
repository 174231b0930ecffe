/*
 * SPLIT and SPLIT_V: the inverse of hk_concat; outputs keep the input's
 * quantization, so the op is a byte copy of each row's slices.
 */
#include <string.h>

#include "harken/hk_kernels.h"

void hk_split(const hk_concat_params_t *p, const void *input, void *const *outputs)
{
    const uint8_t *src = (const uint8_t *)input;
    int32_t row, i;

    for (row = 0; row < p->outer; ++row) {
        for (i = 0; i < p->n_parts; ++i) {
            const int32_t n = p->part_bytes[i];
            memcpy((uint8_t *)outputs[i] + (size_t)row * (size_t)n, src, (size_t)n);
            src += n;
        }
    }
}
