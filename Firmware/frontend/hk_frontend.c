/*
 * The frontend as a whole: configuration, table set-up, and the streaming
 * driver that runs the stages once per completed window.
 */
#include <harken/hk_frontend.h>

#include <string.h>

/* The filterbank's Q12 weights make its sums 2^12 too large; the square root
 * halves that to 6 bits. */
#define HK_FE_FILTERBANK_HALF_BITS 6
#define HK_FE_MAX_SAMPLE_RATE_HZ 192000

void hk_frontend_config_default(hk_frontend_config_t *c)
{
    c->sample_rate_hz = 16000;
    c->window_ms = 30;
    c->step_ms = 10;
    c->num_channels = 40;
    c->lower_band_hz = 125.0f;
    c->upper_band_hz = 7500.0f;
    c->noise_smoothing_bits = 10;
    c->noise_even_smoothing = 0.025f;
    c->noise_odd_smoothing = 0.06f;
    c->noise_min_signal_remaining = 0.05f;
    c->pcan_enable = 1;
    c->pcan_strength = 0.95f;
    c->pcan_offset = 80.0f;
    c->pcan_gain_bits = 21;
    c->log_enable = 1;
    c->log_scale_shift = 6;
}

int hk_frontend_init(hk_frontend_t *fe, const hk_frontend_config_t *c)
{
    if (fe == NULL || c == NULL) {
        return HK_FE_ERR_NULL;
    }
    memset(fe, 0, sizeof(*fe));
    if (c->num_channels < 1 || c->num_channels > HK_FE_MAX_CHANNELS) {
        return HK_FE_ERR_CHANNELS;
    }
    if (c->sample_rate_hz < 1 || c->sample_rate_hz > HK_FE_MAX_SAMPLE_RATE_HZ || c->window_ms < 1 ||
        c->step_ms < 1 || c->window_ms > 1000 || c->step_ms > 1000) {
        return HK_FE_ERR_WINDOW;
    }
    /* Whole samples, rounded down, as the reference does. */
    const int32_t window = (int32_t)((int64_t)c->window_ms * c->sample_rate_hz / 1000);
    const int32_t step = (int32_t)((int64_t)c->step_ms * c->sample_rate_hz / 1000);
    if (hk_fe_window_init(&fe->window, window, step) != 0) {
        return HK_FE_ERR_WINDOW;
    }
    int32_t n_fft = 1;
    while (n_fft < window) {
        n_fft <<= 1;
    }
    if (hk_fe_fft_init(&fe->fft, n_fft) != 0) {
        return HK_FE_ERR_WINDOW;
    }
    int status = hk_fe_filterbank_init(&fe->filterbank, c->num_channels, c->lower_band_hz,
                                       c->upper_band_hz, c->sample_rate_hz, n_fft / 2 + 1);
    if (status != HK_FE_OK) {
        return status;
    }
    status = hk_fe_noise_init(&fe->noise, c->num_channels, c->noise_smoothing_bits,
                              c->noise_even_smoothing, c->noise_odd_smoothing,
                              c->noise_min_signal_remaining);
    if (status != HK_FE_OK) {
        return status;
    }
    /* log2(n_fft) - 1 - 6: the FFT's 1/n_fft scaling against the
     * filterbank's leftover 2^6, so that the log sees the same magnitude
     * whatever the FFT length. */
    const int32_t correction_bits = hk_fe_bit_length32((uint32_t)n_fft) - 1 - HK_FE_FILTERBANK_HALF_BITS;
    status = hk_fe_pcan_init(&fe->pcan, c->pcan_enable, c->num_channels, c->pcan_strength,
                             c->pcan_offset, c->pcan_gain_bits, c->noise_smoothing_bits,
                             correction_bits);
    if (status != HK_FE_OK) {
        return status;
    }
    status = hk_fe_log_init(&fe->log, c->log_enable, c->log_scale_shift, correction_bits);
    if (status != HK_FE_OK) {
        return status;
    }
    hk_frontend_reset(fe);
    return HK_FE_OK;
}

void hk_frontend_reset(hk_frontend_t *fe)
{
    fe->window.used = 0;
    memset(fe->window.input, 0, sizeof(fe->window.input));
    hk_fe_noise_reset(&fe->noise);
}

int hk_frontend_num_channels(const hk_frontend_t *fe)
{
    return (int)fe->filterbank.num_channels;
}

int hk_frontend_process(hk_frontend_t *fe, const int16_t *samples, size_t n, size_t *consumed,
                        uint16_t *features)
{
    hk_fe_window_t *w = &fe->window;
    size_t take = (size_t)(w->size - w->used);
    if (take > n) {
        take = n;
    }
    if (take > 0) {
        memcpy(&w->input[w->used], samples, take * sizeof(int16_t));
        w->used += (int32_t)take;
    }
    if (consumed != NULL) {
        *consumed = take;
    }
    if (w->used < w->size) {
        return 0;
    }

    /* Block floating point: scale the windowed frame up so its largest
     * sample uses all 15 bits before the FFT (which divides by its length),
     * then take the same shift back off the magnitudes. The left shift is
     * done on 16 bits and wraps, as in the reference; only a frame whose
     * sole large value is -32768 can be affected. */
    const int32_t max_abs = hk_fe_window_apply(w, fe->fft_input);
    const int32_t shift = 15 - hk_fe_bit_length32((uint32_t)max_abs);
    for (int32_t k = 0; k < w->size; k++) {
        const uint32_t bits = (uint32_t)(uint16_t)fe->fft_input[k] << shift;
        fe->fft_input[k] = hk_fe_wrap16((int32_t)(bits & 0xFFFFu));
    }
    for (int32_t k = w->size; k < fe->fft.n_real; k++) {
        fe->fft_input[k] = 0;
    }
    hk_fe_fft_real(&fe->fft, fe->fft_input, fe->spectrum);

    const int32_t channels = fe->filterbank.num_channels;
    hk_fe_filterbank_energy(&fe->filterbank, fe->spectrum, fe->energy);
    hk_fe_filterbank_apply(&fe->filterbank, fe->energy, fe->band_sum, shift, fe->signal);
    hk_fe_noise_apply(&fe->noise, fe->signal);
    if (fe->pcan.enable) {
        hk_fe_pcan_apply(&fe->pcan, fe->noise.estimate, fe->signal);
    }
    hk_fe_log_apply(&fe->log, fe->signal, channels, features);

    /* Keep the overlap for the next window. */
    memmove(&w->input[0], &w->input[w->step], (size_t)(w->size - w->step) * sizeof(int16_t));
    w->used -= w->step;
    return 1;
}
