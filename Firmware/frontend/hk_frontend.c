/*
 * The frontend as a whole: attaching built tables, and the streaming driver
 * that runs the stages once per completed window. Integer-only; the tables
 * come from hk_frontend_build() on the host or from const data.
 */
#include <harken/hk_frontend.h>

#include <string.h>

int hk_frontend_init(hk_frontend_t *fe, const hk_frontend_tables_t *t)
{
    if (fe == NULL || t == NULL) {
        return HK_FE_ERR_NULL;
    }
    memset(fe, 0, sizeof(*fe));
    if (t->window == NULL || t->twiddle == NULL || t->split_twiddle == NULL || t->band_start == NULL ||
        t->weight == NULL || t->unweight == NULL || t->pcan_lut == NULL) {
        return HK_FE_ERR_NULL;
    }
    /* The buffers in hk_frontend_t are sized for the HK_FE_MAX_* limits and
     * the stages index them by these numbers, so they are checked even
     * though the tables' builder already did. */
    if (t->window_size < 16 || t->window_size > HK_FE_MAX_WINDOW || t->window_step < 1 ||
        t->window_step > t->window_size || t->fft_size < t->window_size || t->fft_size > HK_FE_MAX_FFT ||
        (t->fft_size & (t->fft_size - 1)) != 0) {
        return HK_FE_ERR_WINDOW;
    }
    if (t->num_channels < 1 || t->num_channels > HK_FE_MAX_CHANNELS) {
        return HK_FE_ERR_CHANNELS;
    }
    if (t->start_bin < 0 || t->start_bin > t->end_bin || t->end_bin > t->fft_size / 2) {
        return HK_FE_ERR_BAND;
    }
    if (t->noise_smoothing_bits < 0 || t->noise_smoothing_bits > 16) {
        return HK_FE_ERR_NOISE;
    }
    if (t->pcan_snr_shift < 0 || t->pcan_snr_shift > 63) {
        return HK_FE_ERR_PCAN;
    }
    if (t->log_scale_shift < 0 || t->log_scale_shift > 10 || t->log_correction_bits < -31 ||
        t->log_correction_bits > 31) {
        return HK_FE_ERR_LOG;
    }

    fe->window.size = t->window_size;
    fe->window.step = t->window_step;
    fe->window.coef = t->window;

    fe->fft.n_real = t->fft_size;
    fe->fft.n_cpx = t->fft_size / 2;
    fe->fft.twiddle = t->twiddle;
    fe->fft.split_twiddle = t->split_twiddle;

    fe->filterbank.num_channels = t->num_channels;
    fe->filterbank.start_bin = t->start_bin;
    fe->filterbank.end_bin = t->end_bin;
    fe->filterbank.band_start = t->band_start;
    fe->filterbank.weight = t->weight;
    fe->filterbank.unweight = t->unweight;

    fe->noise.num_channels = t->num_channels;
    fe->noise.smoothing_bits = t->noise_smoothing_bits;
    fe->noise.even_smoothing = t->noise_even_smoothing;
    fe->noise.odd_smoothing = t->noise_odd_smoothing;
    fe->noise.min_signal_remaining = t->noise_min_signal_remaining;

    fe->pcan.enable = t->pcan_enable != 0;
    fe->pcan.num_channels = t->num_channels;
    fe->pcan.snr_shift = t->pcan_snr_shift;
    fe->pcan.lut = t->pcan_lut;

    fe->log.enable = t->log_enable != 0;
    fe->log.scale_shift = t->log_scale_shift;
    fe->log.correction_bits = t->log_correction_bits;

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
