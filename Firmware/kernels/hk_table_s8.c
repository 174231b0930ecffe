/*
 * An int8 -> int8 function of one element as a table: one load per element.
 * LOGISTIC and HARD_SWISH cost tens of cycles per element in fixed point
 * (and LOGISTIC's depend on the value); an int8 input has only 256 values, so
 * the compiler runs the reference kernel on each of them once and the device
 * reads the answer, for 256 bytes of flash.
 */
#include "harken/hk_kernels.h"

void hk_table_s8(const hk_table_params_t *p, const int8_t *input, int8_t *output)
{
    const int8_t *const centre = p->table + 128; /* centre[q] = table[q + 128] */
    int32_t i;

    for (i = 0; i < p->size; ++i) {
        output[i] = centre[input[i]];
    }
}
