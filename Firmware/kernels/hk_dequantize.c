/*
 * DEQUANTIZE to float32 as TFLite's reference: scale * (q - zero_point), the
 * difference formed in int32 and converted to float, one float multiply (so
 * the result is the correctly rounded float product).
 */
#include "harken/hk_kernels.h"

void hk_dequantize(const hk_dequantize_params_t *p, const void *input, float *output)
{
    int32_t i;

    for (i = 0; i < p->size; ++i) {
        int32_t q;
        switch (p->in_type) {
        case HK_TYPE_UINT8:
            q = ((const uint8_t *)input)[i];
            break;
        case HK_TYPE_INT16:
            q = ((const int16_t *)input)[i];
            break;
        default:
            q = ((const int8_t *)input)[i];
            break;
        }
        output[i] = p->scale * (float)(q - p->zero_point);
    }
}
