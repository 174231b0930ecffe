/*
 * PCAN (per-channel amplitude normalization): each channel is multiplied by
 * gain = 2^gain_bits * (noise_estimate + offset)^-strength, which flattens
 * loudness differences, and the resulting SNR goes through a soft knee
 * ("shrink"): quadratic below 2, linear minus 1 above, in Q6.
 *
 * The gain curve is evaluated from a table: for x <= 2 directly, above that
 * per octave [2^(i-1), 2^i) as a quadratic through the curve's values at the
 * octave's start, middle and end, with the position inside the octave in Q10.
 */
#include <harken/hk_frontend.h>

#include <math.h>

#define HK_FE_PCAN_SNR_BITS 12
#define HK_FE_PCAN_OUTPUT_BITS 6
#define HK_FE_PCAN_OCTAVES 32

/* Octave i (2..32) keeps y0, a1, a2 at lut[4i - 6 .. 4i - 4]; lut[4i - 3] is
 * padding. lut[0], lut[1] hold the curve at 0 and 1. */
static int32_t octave_base(int32_t octave)
{
    return 4 * octave - 6;
}

static int16_t gain_at(float strength, float offset, int32_t gain_bits, int32_t input_bits,
                       uint32_t x)
{
    /* Single precision with every product rounded before the next add, as in
     * the reference. */
    const float level = hk_fe_f32((float)x / (float)((uint32_t)1 << input_bits));
    const float base = level + offset;
    const float power = powf(base, -strength);
    const float gain = hk_fe_f32((float)((uint32_t)1 << gain_bits) * power);
    if (gain > 32767.0f) {
        return 32767;
    }
    return (int16_t)(gain + 0.5f);
}

static int32_t magnitude(int16_t v)
{
    return v < 0 ? -(int32_t)v : v;
}

int hk_fe_pcan_init(hk_fe_pcan_t *p, int32_t enable, int32_t num_channels, float strength,
                    float offset, int32_t gain_bits, int32_t smoothing_bits,
                    int32_t correction_bits)
{
    for (int32_t k = 0; k < HK_FE_PCAN_LUT_SIZE; k++) {
        p->lut[k] = 0;
    }
    p->enable = enable != 0;
    p->num_channels = num_channels;
    p->snr_shift = 0;
    if (!p->enable) {
        return HK_FE_OK;
    }
    const int32_t input_bits = smoothing_bits - correction_bits;
    const int32_t snr_shift = gain_bits - correction_bits - HK_FE_PCAN_SNR_BITS;
    if (gain_bits < 0 || gain_bits > 31 || input_bits < 0 || input_bits > 31 || snr_shift < 0 ||
        snr_shift > 63 || !(strength >= 0.0f) || !(strength <= 16.0f) || !(offset >= 0.0f) ||
        !(offset <= 1.0e9f)) {
        return HK_FE_ERR_PCAN;
    }
    p->snr_shift = snr_shift;
    p->lut[0] = gain_at(strength, offset, gain_bits, input_bits, 0);
    p->lut[1] = gain_at(strength, offset, gain_bits, input_bits, 1);
    for (int32_t octave = 2; octave <= HK_FE_PCAN_OCTAVES; octave++) {
        const uint32_t x0 = (uint32_t)1 << (octave - 1);
        const uint32_t x1 = x0 + (x0 >> 1);
        /* The last octave's end, 2^32, does not fit: use 2^32 - 1. */
        const uint32_t x2 = octave == HK_FE_PCAN_OCTAVES ? x0 + (x0 - 1) : 2 * x0;
        const int32_t y0 = gain_at(strength, offset, gain_bits, input_bits, x0);
        const int32_t y1 = gain_at(strength, offset, gain_bits, input_bits, x1);
        const int32_t y2 = gain_at(strength, offset, gain_bits, input_bits, x2);
        /* y(t) = y0 + a1 t + a2 t^2 through t = 0, 1/2, 1. */
        const int32_t d1 = y1 - y0;
        const int32_t d2 = y2 - y0;
        const int32_t a1 = 4 * d1 - d2;
        const int32_t a2 = d2 - a1;
        const int32_t b = octave_base(octave);
        p->lut[b] = (int16_t)y0;
        p->lut[b + 1] = hk_fe_wrap16(a1);
        p->lut[b + 2] = hk_fe_wrap16(a2);
        /* apply() evaluates ((a2 * t >> 5) + 32 * a1) * t in int32 with
         * t <= 1023; refuse a curve steep enough to overflow it. */
        const int64_t inner = (int64_t)magnitude(p->lut[b + 2]) * 1023 / 32 + 1 +
                              (int64_t)magnitude(p->lut[b + 1]) * 32;
        if (inner * 1023 + (1 << 14) > INT32_MAX) {
            return HK_FE_ERR_PCAN;
        }
    }
    return HK_FE_OK;
}

static int16_t gain_lookup(const int16_t *lut, uint32_t x)
{
    if (x <= 2u) {
        return lut[x];
    }
    const int32_t octave = hk_fe_bit_length32(x);
    const int16_t *q = lut + octave_base(octave);
    /* Position inside the octave: the 10 bits below the leading one. */
    const uint32_t aligned = octave < 11 ? x << (11 - octave) : x >> (octave - 11);
    const int32_t t = (int32_t)(aligned & 0x3FFu);
    /* Horner in fixed point: (a2 t / 2^5 + a1 2^5) t / 2^15 = a2 t^2 / 2^20 +
     * a1 t / 2^10, rounded half up; cannot overflow (checked at init). */
    int32_t y = ((int32_t)q[2] * t) >> 5;
    y += (int32_t)q[1] * 32;
    y *= t;
    y = (y + (1 << 14)) >> 15;
    y += q[0];
    return hk_fe_wrap16(y);
}

static uint32_t shrink(uint32_t snr)
{
    if (snr < (2u << HK_FE_PCAN_SNR_BITS)) {
        /* snr^2 < 2^26: no overflow. Q12 squared -> Q24, / 4, -> Q6. */
        return (snr * snr) >> (2 + 2 * HK_FE_PCAN_SNR_BITS - HK_FE_PCAN_OUTPUT_BITS);
    }
    return (snr >> (HK_FE_PCAN_SNR_BITS - HK_FE_PCAN_OUTPUT_BITS)) - (1u << HK_FE_PCAN_OUTPUT_BITS);
}

void hk_fe_pcan_apply(const hk_fe_pcan_t *p, const uint32_t *noise_estimate, uint32_t *signal)
{
    for (int32_t c = 0; c < p->num_channels; c++) {
        /* A negative table value would become a huge unsigned gain, exactly
         * as in the reference (it cannot happen for sane configs). */
        const uint32_t gain = (uint32_t)(int32_t)gain_lookup(p->lut, noise_estimate[c]);
        /* 32 x 32 bits needs 64; the result is truncated to 32 like the
         * reference's. */
        const uint32_t snr = (uint32_t)(((uint64_t)signal[c] * gain) >> p->snr_shift);
        signal[c] = shrink(snr);
    }
}
