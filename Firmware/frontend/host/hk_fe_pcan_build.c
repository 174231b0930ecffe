/*
 * PCAN gain table: gain(x) = 2^gain_bits * (x / 2^input_bits + offset)^-strength,
 * exact at 0, 1 and 2 and, above, per octave [2^(i-1), 2^i) a quadratic
 * through the curve's values at the octave's start, middle and end (the
 * layout is hk_fe_pcan_octave_base(); the reader is hk_fe_pcan.c).
 */
#include <harken/hk_frontend_build.h>

#include <math.h>

#define HK_FE_PCAN_SNR_BITS 12
#define HK_FE_PCAN_OCTAVES 32

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

int hk_fe_pcan_build(hk_frontend_build_t *b, const hk_frontend_config_t *c)
{
    int16_t *lut = b->pcan_lut;
    for (int32_t k = 0; k < HK_FE_PCAN_LUT_SIZE; k++) {
        lut[k] = 0;
    }
    b->tables.pcan_lut = lut;
    b->tables.pcan_enable = c->pcan_enable != 0;
    b->tables.pcan_snr_shift = 0;
    if (!b->tables.pcan_enable) {
        return HK_FE_OK;
    }
    const float strength = c->pcan_strength;
    const float offset = c->pcan_offset;
    const int32_t gain_bits = c->pcan_gain_bits;
    const int32_t correction_bits = b->tables.log_correction_bits;
    const int32_t input_bits = b->tables.noise_smoothing_bits - correction_bits;
    const int32_t snr_shift = gain_bits - correction_bits - HK_FE_PCAN_SNR_BITS;
    if (gain_bits < 0 || gain_bits > 31 || input_bits < 0 || input_bits > 31 || snr_shift < 0 ||
        snr_shift > 63 || !(strength >= 0.0f) || !(strength <= 16.0f) || !(offset >= 0.0f) ||
        !(offset <= 1.0e9f)) {
        return HK_FE_ERR_PCAN;
    }
    b->tables.pcan_snr_shift = snr_shift;
    lut[0] = gain_at(strength, offset, gain_bits, input_bits, 0);
    lut[1] = gain_at(strength, offset, gain_bits, input_bits, 1);
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
        const int32_t base = hk_fe_pcan_octave_base(octave);
        lut[base] = (int16_t)y0;
        lut[base + 1] = hk_fe_wrap16(a1);
        lut[base + 2] = hk_fe_wrap16(a2);
        /* The reader evaluates ((a2 * t >> 5) + 32 * a1) * t in int32 with
         * t <= 1023; refuse a curve steep enough to overflow it. */
        const int64_t inner = (int64_t)magnitude(lut[base + 2]) * 1023 / 32 + 1 +
                              (int64_t)magnitude(lut[base + 1]) * 32;
        if (inner * 1023 + (1 << 14) > INT32_MAX) {
            return HK_FE_ERR_PCAN;
        }
    }
    return HK_FE_OK;
}
