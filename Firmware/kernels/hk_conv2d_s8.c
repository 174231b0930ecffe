/*
 * CONV_2D, int8 activations, int8 per-channel weights, int32 bias: TFLite's
 * reference per-channel convolution, arranged for speed (below). Its readable
 * specification is the plain loop hk_conv2d_s8_spec (Firmware/tests/
 * kernel_spec); Firmware/tests/dsp_check compares the two on random cases.
 *
 * Accumulation: each term is (input + input_offset) * filter, summed in int32
 * as TFLite does, within the accumulator bound hk_kernels.h states
 * (HK_ACC_MAX_TERMS taps per output, which the importer enforces). Within it
 * integer addition is exact in any order, so the loops below sum taps in a
 * different order from TFLite and still give its bytes; the bias comes after
 * the taps, as in TFLite.
 *
 * Zero padding contributes nothing: the padded input equals the zero point,
 * zero after the offset. TFLite skips those taps; here they are multiplied
 * by a staged zero, which adds exactly 0.
 *
 * Grouped convolution: filter.c may divide input.c, output channel oc then
 * reads input channels of group oc / (output.c / groups).
 *
 * Speed (im2col without a scratch buffer): for one output pixel the window's
 * inputs, offset and in filter order [fy][fx][ic], are staged as int16 in a
 * fixed stack block, HK_CONV_X_BLOCK values at a time, once for all output
 * channels. Every output channel is then one contiguous dot product of that
 * block with its filter row, four channels sharing each staged value (see
 * hk__dot4_s16_s8 for why its inner loop is 16 wide). When the window is
 * longer than one block, the partial sums of up to HK_CONV_OC_BLOCK channels
 * wait on the stack between blocks, and the blocks are staged again for each
 * group of HK_CONV_OC_BLOCK channels.
 */
#include "hk_conv_walk.h"

/* xs[i] = window element s + i (filter order fy, fx, ic) plus the input
 * offset, or 0 where the tap lies in the padding; i < len. */
static void hk__conv_stage(const hk_conv_params_t *p, const int8_t *input, int32_t b, int32_t y0,
                           int32_t x0, int32_t c0, int32_t s, int32_t len, int16_t *xs)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t k_w = p->filter.w, k_c = p->filter.c;
    const int32_t in_off = p->input_offset;
    const int32_t tap = s / k_c;
    int32_t ic = s - tap * k_c;
    int32_t fy = tap / k_w;
    int32_t fx = tap - fy * k_w;
    int32_t i = 0, k;

    while (i < len) {
        const int32_t n = k_c - ic < len - i ? k_c - ic : len - i;
        const int32_t iy = y0 + fy * p->dilation_h;
        const int32_t ix = x0 + fx * p->dilation_w;
        int16_t *dst = xs + i;
        if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
            const int8_t *src = input + ((b * in_h + iy) * in_w + ix) * in_c + c0 + ic;
            hk__stage_s8_s16(src, in_off, n, dst);
        } else {
            for (k = 0; k < n; ++k) {
                dst[k] = 0;
            }
        }
        i += n;
        ic = 0;
        if (++fx == k_w) {
            fx = 0;
            ++fy;
        }
    }
}

/* Four rows at a time share each staged value; the rows left over go one by one. */
static void hk__conv_rows(const int16_t *xs, const int8_t *w, int32_t window, int32_t len, int32_t n_oc,
                          int32_t *acc)
{
    int32_t j;
    for (j = 0; j + 4 <= n_oc; j += 4) {
        hk__dot4_s16_s8(xs, w + j * window, window, len, acc + j);
    }
    for (; j < n_oc; ++j) {
        acc[j] = hk__dot1_s16_s8(xs, w + j * window, len, acc[j]);
    }
}

void hk_conv2d_s8(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                  const int32_t *bias, int8_t *output)
{
    hk__conv_walk(p, input, filter, bias, output, hk__conv_stage, hk__conv_rows);
}
