/*
 * PAD / PADV2, int8: the output is the input placed at offset `before`
 * inside a tensor filled with pad_value (the output zero point for PAD, so
 * that padding reads as real 0.0). Byte moves only.
 */
#include <string.h>

#include "harken/hk_kernels.h"

void hk_pad_s8(const hk_pad_params_t *p, const int8_t *input, int8_t *output)
{
    const hk_shape4_t *is = &p->input, *os = &p->output;
    const int32_t total = os->n * os->h * os->w * os->c;
    int32_t n, h, w;

    memset(output, (int)p->pad_value, (size_t)total); /* memset stores it modulo 256 */
    for (n = 0; n < is->n; ++n) {
        for (h = 0; h < is->h; ++h) {
            for (w = 0; w < is->w; ++w) {
                const int8_t *src = input + ((n * is->h + h) * is->w + w) * is->c;
                int8_t *dst = output
                              + (((n + p->before[0]) * os->h + (h + p->before[1])) * os->w
                                 + (w + p->before[2])) * os->c
                              + p->before[3];
                memcpy(dst, src, (size_t)is->c);
            }
        }
    }
}
