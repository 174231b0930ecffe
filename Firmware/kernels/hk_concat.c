/*
 * CONCATENATION: TFLite requires every input to share the output's scale and
 * zero point for int8, so concatenation is a byte copy. Each of the `outer`
 * output rows is the inputs' rows laid end to end.
 */
#include <string.h>

#include "harken/hk_kernels.h"

void hk_concat(const hk_concat_params_t *p, const void *const *inputs, void *output)
{
    uint8_t *dst = (uint8_t *)output;
    int32_t row, i;

    for (row = 0; row < p->outer; ++row) {
        for (i = 0; i < p->n_parts; ++i) {
            const int32_t n = p->part_bytes[i];
            memcpy(dst, (const uint8_t *)inputs[i] + (size_t)row * (size_t)n, (size_t)n);
            dst += n;
        }
    }
}
