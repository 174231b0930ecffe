/*
 * ADD, int8, with 4-D broadcasting: TFLite's general int8 add.
 *
 * Both inputs are brought to a common scale before summing. (q + offset) is
 * at most 255 in magnitude; shifting it left by left_shift = 20 keeps it
 * below 2^28, and each input's multiplier (< 1/2, see hk_kernels.h) leaves
 * room for the sum of two in int32. The sum is then rescaled to the output.
 * Every rescale is TFLite's double-rounding multiply.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

/* Element strides of a broadcast input: 0 along dimensions of extent 1. */
static void broadcast_strides(const hk_shape4_t *s, int32_t st[4])
{
    st[3] = s->c == 1 ? 0 : 1;
    st[2] = s->w == 1 ? 0 : s->c;
    st[1] = s->h == 1 ? 0 : s->w * s->c;
    st[0] = s->n == 1 ? 0 : s->h * s->w * s->c;
}

void hk_add_s8(const hk_add_params_t *p, const int8_t *input1, const int8_t *input2, int8_t *output)
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
                    const int32_t a = ((int32_t)input1[i1 + c * s1[3]] + p->input1_offset)
                                      * ((int32_t)1 << p->left_shift);
                    const int32_t b = ((int32_t)input2[i2 + c * s2[3]] + p->input2_offset)
                                      * ((int32_t)1 << p->left_shift);
                    const int32_t sa = hk__mbqm(a, p->input1_mult, (int)p->input1_shift);
                    const int32_t sb = hk__mbqm(b, p->input2_mult, (int)p->input2_shift);
                    const int32_t y = hk__mbqm(sa + sb, p->output_mult, (int)p->output_shift)
                                      + p->output_offset;
                    *output++ = (int8_t)hk__clamp(y, p->act_min, p->act_max);
                }
            }
        }
    }
}
