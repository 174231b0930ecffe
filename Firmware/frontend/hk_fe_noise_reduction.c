/*
 * Noise reduction: each channel keeps a slow running average of its own
 * magnitude (the noise estimate) and subtracts it, but never removes more
 * than (1 - min_signal_remaining) of the signal. Even and odd channels adapt
 * at different rates. The estimate is also PCAN's gain input.
 */
#include <harken/hk_frontend.h>

#define HK_FE_NOISE_BITS 14

void hk_fe_noise_reset(hk_fe_noise_t *nr)
{
    for (int32_t c = 0; c < HK_FE_MAX_CHANNELS; c++) {
        nr->estimate[c] = 0;
    }
}

void hk_fe_noise_apply(hk_fe_noise_t *nr, uint32_t *signal)
{
    const uint32_t one = 1u << HK_FE_NOISE_BITS;
    for (int32_t c = 0; c < nr->num_channels; c++) {
        const uint32_t alpha = (c & 1) == 0 ? nr->even_smoothing : nr->odd_smoothing;
        /* The shift may drop high bits of a very loud channel; the reference
         * works in the same 32 bits, so it drops the same ones. */
        const uint32_t scaled = signal[c] << nr->smoothing_bits;
        /* A Q14 weighted mean of two 32-bit values: 46 bits, so 64-bit math,
         * truncated back to 32 bits after the shift. */
        const uint64_t mix = (uint64_t)scaled * alpha + (uint64_t)nr->estimate[c] * (one - alpha);
        uint32_t estimate = (uint32_t)(mix >> HK_FE_NOISE_BITS);
        nr->estimate[c] = estimate;
        if (estimate > scaled) {
            estimate = scaled;
        }
        const uint32_t floor =
            (uint32_t)(((uint64_t)signal[c] * nr->min_signal_remaining) >> HK_FE_NOISE_BITS);
        const uint32_t remaining = (scaled - estimate) >> nr->smoothing_bits;
        signal[c] = remaining > floor ? remaining : floor;
    }
}
