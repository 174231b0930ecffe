/*
 * MUL, int8, with 4-D broadcasting: TFLite's reference int8 mul. The product
 * of the two offset inputs is at most 255 * 255 < 2^16 and is rescaled once
 * by s1 * s2 / s_out.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

static void broadcast_strides(const hk_shape4_t *s, int32_t st[4])
{
    st[3] = s->c == 1 ? 0 : 1;
    st[2] = s->w == 1 ? 0 : s->c;
    st[1] = s->h == 1 ? 0 : s->w * s->c;
    st[0] = s->n == 1 ? 0 : s->h * s->w * s->c;
}

void hk_mul_s8(const hk_mul_params_t *p, const int8_t *input1, const int8_t *input2, int8_t *output)
{
    int32_t s1[4], s2[4];
    int32_t n, h, w, c;

    broadcast_strides(&p->input1, s1);
    broadcast_strides(&p->input2, s2);
    for (n = 0; n < p->output.n; ++n) {
        for (h = 0; h < p->output.h; ++h) {
            for (w = 0; w < p->output.w; ++w) {
                const int32_t i1 = n * s1[0] + h * s1[1] + w * s1[2];
                const int32_t i2 = n * s2[0] + h * s2[1] + w * s2[2];
                for (c = 0; c < p->output.c; ++c) {
                    const int32_t a = (int32_t)input1[i1 + c * s1[3]] + p->input1_offset;
                    const int32_t b = (int32_t)input2[i2 + c * s2[3]] + p->input2_offset;
                    const int32_t y = hk__mbqm(a * b, p->output_mult, (int)p->output_shift)
                                      + p->output_offset;
                    *output++ = (int8_t)hk__clamp(y, p->act_min, p->act_max);
                }
            }
        }
    }
}
