/*
 * QUANTIZE as TFLite Micro's reference does it.
 *
 * Integer input (int8 / uint8 / int16) -> integer output: TFLite's
 * Requantize, out = clamp(MBQM(q - in_zp, mult, shift) + out_zp) with
 * mult/shift = QuantizeMultiplier(s_in / s_out). (TFLite's shortcut for
 * int8 <-> uint8 with equal scales, q ^ 0x80, gives the same bytes: with
 * mult = 2^30, shift = 1 the multiply is exact.)
 *
 * Float input -> integer output: TFLite's AffineQuantize,
 * out = clamp(round(x / scale) + zp), dividing in float and rounding half
 * away from zero. Quotients beyond +-2^20 are clamped before rounding; that
 * cannot change a result (every output type saturates far below) and keeps
 * the float -> int conversion defined. NaN lands on the lowest output.
 */
#include "harken/hk_kernels.h"
#include "hk_fixedpoint_impl.h"

static int32_t load_int(int32_t type, const void *data, int32_t i)
{
    switch (type) {
    case HK_TYPE_UINT8:
        return ((const uint8_t *)data)[i];
    case HK_TYPE_INT16:
        return ((const int16_t *)data)[i];
    case HK_TYPE_INT32:
        return ((const int32_t *)data)[i];
    default:
        return ((const int8_t *)data)[i];
    }
}

static void store_clamped(int32_t type, void *data, int32_t i, int32_t v)
{
    switch (type) {
    case HK_TYPE_UINT8:
        ((uint8_t *)data)[i] = (uint8_t)hk__clamp(v, 0, UINT8_MAX);
        break;
    case HK_TYPE_INT16:
        ((int16_t *)data)[i] = (int16_t)hk__clamp(v, INT16_MIN, INT16_MAX);
        break;
    case HK_TYPE_INT32:
        ((int32_t *)data)[i] = v;
        break;
    default:
        ((int8_t *)data)[i] = (int8_t)hk__clamp(v, INT8_MIN, INT8_MAX);
        break;
    }
}

/* round half away from zero for |q| <= 2^20, exactly: q - trunc(q) is exact
 * in float, so no double rounding as with trunc(q + 0.5f). */
static int32_t round_half_away(float q)
{
    const int32_t t = (int32_t)q;
    const float frac = q - (float)t;
    if (frac >= 0.5f) {
        return t + 1;
    }
    if (frac <= -0.5f) {
        return t - 1;
    }
    return t;
}

void hk_quantize(const hk_quantize_params_t *p, const void *input, void *output)
{
    int32_t i;

    if (p->in_type == HK_TYPE_FLOAT32) {
        const float *x = (const float *)input;
        for (i = 0; i < p->size; ++i) {
            float q = x[i] / p->scale;
            if (!(q > -1048576.0f)) {
                q = -1048576.0f;
            }
            if (!(q < 1048576.0f)) {
                q = 1048576.0f;
            }
            store_clamped(p->out_type, output, i, round_half_away(q) + p->output_zero_point);
        }
        return;
    }
    for (i = 0; i < p->size; ++i) {
        const int32_t q = load_int(p->in_type, input, i) - p->input_zero_point;
        store_clamped(p->out_type, output, i,
                      hk__mbqm(q, p->mult, (int)p->shift) + p->output_zero_point);
    }
}
