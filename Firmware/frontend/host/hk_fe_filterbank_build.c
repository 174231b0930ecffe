/*
 * Mel filterbank tables: which bins fall in which band, and each bin's Q12
 * share of the channels on either side of it (see hk_fe_filterbank.c).
 */
#include <harken/hk_frontend_build.h>

#include <math.h>

#define HK_FE_FILTERBANK_BITS 12

static float hz_to_mel(float hz)
{
    const float ratio = hz / 700.0f;
    return hk_fe_f32(1127.0f * log1pf(ratio));
}

static int16_t quantize_weight(float w)
{
    const float scaled = hk_fe_f32(w * (float)(1 << HK_FE_FILTERBANK_BITS));
    return (int16_t)floorf(scaled + 0.5f);
}

int hk_fe_filterbank_build(hk_frontend_build_t *b, const hk_frontend_config_t *c)
{
    const int32_t num_channels = c->num_channels;
    const float lower_hz = c->lower_band_hz;
    const float upper_hz = c->upper_band_hz;
    const int32_t n_bins = b->tables.fft_size / 2 + 1;
    if (num_channels < 1 || num_channels > HK_FE_MAX_CHANNELS) {
        return HK_FE_ERR_CHANNELS;
    }
    if (!(lower_hz >= 0.0f) || !(upper_hz > lower_hz) || n_bins < 2 || n_bins > HK_FE_MAX_BINS) {
        return HK_FE_ERR_BAND;
    }
    const int32_t n_bands = num_channels + 1;
    float centre[HK_FE_MAX_CHANNELS + 1];

    /* Everything below is single precision with every product rounded before
     * the next add (hk_fe_f32), like the reference: band edges are decided by
     * `<=` comparisons of these floats and the weights are rounded to Q12, so
     * a fused multiply-add could move a bin or a weight. */
    const float mel_low = hz_to_mel(lower_hz);
    const float mel_high = hz_to_mel(upper_hz);
    const float mel_span = mel_high - mel_low;
    const float mel_step = mel_span / (float)n_bands;
    for (int32_t band = 0; band < n_bands; band++) {
        const float offset = hk_fe_f32(mel_step * (float)(band + 1));
        centre[band] = mel_low + offset;
    }

    const float half_rate = hk_fe_f32(0.5f * (float)c->sample_rate_hz);
    const float hz_per_bin = half_rate / ((float)n_bins - 1.0f);
    const float first = 1.5f + lower_hz / hz_per_bin;
    const int32_t start = (int32_t)first;
    if (start < 0 || start >= n_bins) {
        return HK_FE_ERR_BAND;
    }

    for (int32_t k = 0; k < HK_FE_MAX_BINS; k++) {
        b->weight[k] = 0;
        b->unweight[k] = 0;
    }
    for (int32_t band = 0; band < HK_FE_MAX_CHANNELS + 2; band++) {
        b->band_start[band] = 0;
    }

    int32_t bin = start;
    for (int32_t band = 0; band < n_bands; band++) {
        b->band_start[band] = (uint16_t)bin;
        while (bin < n_bins && hz_to_mel((float)bin * hz_per_bin) <= centre[band]) {
            bin++;
        }
    }
    b->band_start[n_bands] = (uint16_t)bin;
    /* The last band must stop short of the Nyquist bin. */
    if (bin >= n_bins) {
        return HK_FE_ERR_BAND;
    }

    for (int32_t band = 0; band < n_bands; band++) {
        const float lower_centre = band == 0 ? mel_low : centre[band - 1];
        const float width = centre[band] - lower_centre;
        for (int32_t k = b->band_start[band]; k < b->band_start[band + 1]; k++) {
            const float distance = centre[band] - hz_to_mel((float)k * hz_per_bin);
            const float w = distance / width;
            b->weight[k] = quantize_weight(w);
            b->unweight[k] = quantize_weight(1.0f - w);
        }
    }
    b->tables.num_channels = num_channels;
    b->tables.start_bin = start;
    b->tables.end_bin = bin;
    b->tables.band_start = b->band_start;
    b->tables.weight = b->weight;
    b->tables.unweight = b->unweight;
    return HK_FE_OK;
}
