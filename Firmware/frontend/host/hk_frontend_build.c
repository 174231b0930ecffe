/*
 * The frontend's settings in human units -> hk_frontend_tables_t, on the host.
 * Stage tables come from the hk_fe_*_build() files beside this one; the
 * scalar parameters are derived here.
 */
#include <harken/hk_frontend_build.h>

#include <string.h>

/* The filterbank's Q12 weights make its sums 2^12 too large; the square root
 * halves that to 6 bits. */
#define HK_FE_FILTERBANK_HALF_BITS 6
#define HK_FE_MAX_SAMPLE_RATE_HZ 192000
#define HK_FE_NOISE_BITS 14

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

static int q14_fraction(float x, uint16_t *out)
{
    if (!(x >= 0.0f) || !(x <= 1.0f)) {
        return 1;
    }
    /* Truncated, not rounded, like the reference: 0.025 -> 409, 0.06 -> 983,
     * 0.05 -> 819. */
    const float scaled = x * (float)(1 << HK_FE_NOISE_BITS);
    *out = (uint16_t)scaled;
    return 0;
}

static int noise_build(hk_frontend_tables_t *t, const hk_frontend_config_t *c)
{
    if (c->noise_smoothing_bits < 0 || c->noise_smoothing_bits > 16) {
        return HK_FE_ERR_NOISE;
    }
    if (q14_fraction(c->noise_even_smoothing, &t->noise_even_smoothing) != 0 ||
        q14_fraction(c->noise_odd_smoothing, &t->noise_odd_smoothing) != 0 ||
        q14_fraction(c->noise_min_signal_remaining, &t->noise_min_signal_remaining) != 0) {
        return HK_FE_ERR_NOISE;
    }
    t->noise_smoothing_bits = c->noise_smoothing_bits;
    return HK_FE_OK;
}

int hk_frontend_build(hk_frontend_build_t *b, const hk_frontend_config_t *c)
{
    if (b == NULL || c == NULL) {
        return HK_FE_ERR_NULL;
    }
    memset(b, 0, sizeof(*b));
    hk_frontend_tables_t *t = &b->tables;
    if (c->num_channels < 1 || c->num_channels > HK_FE_MAX_CHANNELS) {
        return HK_FE_ERR_CHANNELS;
    }
    if (c->sample_rate_hz < 1 || c->sample_rate_hz > HK_FE_MAX_SAMPLE_RATE_HZ || c->window_ms < 1 ||
        c->step_ms < 1 || c->window_ms > 1000 || c->step_ms > 1000) {
        return HK_FE_ERR_WINDOW;
    }
    /* Whole samples, rounded down, as the reference does. */
    t->window_size = (int32_t)((int64_t)c->window_ms * c->sample_rate_hz / 1000);
    t->window_step = (int32_t)((int64_t)c->step_ms * c->sample_rate_hz / 1000);
    if (t->window_step < 1 || t->window_step > t->window_size) {
        return HK_FE_ERR_WINDOW;
    }
    int status = hk_fe_window_build(b);
    if (status != HK_FE_OK) {
        return status;
    }
    t->fft_size = 1;
    while (t->fft_size < t->window_size) {
        t->fft_size <<= 1;
    }
    status = hk_fe_fft_build(b);
    if (status != HK_FE_OK) {
        return status;
    }
    status = hk_fe_filterbank_build(b, c);
    if (status != HK_FE_OK) {
        return status;
    }
    status = noise_build(t, c);
    if (status != HK_FE_OK) {
        return status;
    }
    /* log2(n_fft) - 1 - 6: the FFT's 1/n_fft scaling against the
     * filterbank's leftover 2^6, so that the log sees the same magnitude
     * whatever the FFT length. */
    t->log_correction_bits = hk_fe_bit_length32((uint32_t)t->fft_size) - 1 - HK_FE_FILTERBANK_HALF_BITS;
    status = hk_fe_pcan_build(b, c);
    if (status != HK_FE_OK) {
        return status;
    }
    /* ln(2^32) * 2^16 < 2^21, so shifts up to 10 keep the scaled log below 2^31. */
    if (c->log_scale_shift < 0 || c->log_scale_shift > 10) {
        return HK_FE_ERR_LOG;
    }
    t->log_enable = c->log_enable != 0;
    t->log_scale_shift = c->log_scale_shift;
    return HK_FE_OK;
}

/* Programs built on the host from Firmware/ (tests, tools) run hk_wake with
 * tables built here at first use; a generated firmware links its const
 * copy instead (model/hk_frontend_tables.c) and never this file. Not
 * thread-safe: the first call must finish before a second one starts. */
const hk_frontend_tables_t *hk_frontend_tables(void)
{
    static hk_frontend_build_t built;
    static int status = -1;
    if (status < 0) {
        hk_frontend_config_t c;
        hk_frontend_config_default(&c);
        status = hk_frontend_build(&built, &c);
    }
    return status == HK_FE_OK ? &built.tables : NULL;
}
