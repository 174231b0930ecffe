/*
 * PCAN (per-channel amplitude normalization): each channel is multiplied by
 * gain = 2^gain_bits * (noise_estimate + offset)^-strength, which flattens
 * loudness differences, and the resulting SNR goes through a soft knee
 * ("shrink"): quadratic below 2, linear minus 1 above, in Q6.
 *
 * The gain curve is evaluated from a table: for x <= 2 directly, above that
 * per octave [2^(i-1), 2^i) as a quadratic through the curve's values at the
 * octave's start, middle and end, with the position inside the octave in Q10.
 * The table is built by host/hk_fe_pcan_build.c.
 */
#include <harken/hk_frontend.h>

#define HK_FE_PCAN_SNR_BITS 12
#define HK_FE_PCAN_OUTPUT_BITS 6

static int16_t gain_lookup(const int16_t *lut, uint32_t x)
{
    if (x <= 2u) {
        return lut[x];
    }
    const int32_t octave = hk_fe_bit_length32(x);
    const int16_t *q = lut + hk_fe_pcan_octave_base(octave);
    /* Position inside the octave: the 10 bits below the leading one. */
    const uint32_t aligned = octave < 11 ? x << (11 - octave) : x >> (octave - 11);
    const int32_t t = (int32_t)(aligned & 0x3FFu);
    /* Horner in fixed point: (a2 t / 2^5 + a1 2^5) t / 2^15 = a2 t^2 / 2^20 +
     * a1 t / 2^10, rounded half up; cannot overflow (checked when built). */
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
