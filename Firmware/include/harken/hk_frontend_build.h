/*
 * Host side of the audio frontend: from settings in human units to the tables
 * and integer parameters the frontend runs on (hk_frontend_tables_t).
 *
 * This is the only part of the frontend that uses floating point and libm
 * (cosf, cos, sin, log1pf, powf), in the exact order of operations of
 * TensorFlow Lite Micro's frontend so the tables come out identical. It is
 * compiled only on the host (Firmware/frontend/host/): the Swift simulator
 * builds its tables here, and `harken firmware` builds them here and writes
 * them into the generated project as const data, so a device's libm, which
 * may round an ulp differently, never gets a say in the features.
 */
#ifndef HARKEN_FRONTEND_BUILD_H
#define HARKEN_FRONTEND_BUILD_H

#include "harken/hk_frontend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Frontend settings in human units. hk_frontend_config_default() gives the
 * settings microWakeWord models are trained with. */
typedef struct {
    int32_t sample_rate_hz;           /* 16000 */
    int32_t window_ms;                /* 30: window = window_ms * rate / 1000 samples */
    int32_t step_ms;                  /* 10 */
    int32_t num_channels;             /* 40 mel channels */
    float lower_band_hz;              /* 125 */
    float upper_band_hz;              /* 7500 */
    int32_t noise_smoothing_bits;     /* 10: extra precision of the noise estimate */
    float noise_even_smoothing;       /* 0.025: estimate update rate, even channels */
    float noise_odd_smoothing;        /* 0.06: same, odd channels */
    float noise_min_signal_remaining; /* 0.05: fraction of the signal always kept */
    int32_t pcan_enable;              /* 1 */
    float pcan_strength;              /* 0.95: exponent of the gain curve */
    float pcan_offset;                /* 80 */
    int32_t pcan_gain_bits;           /* 21 */
    int32_t log_enable;               /* 1 */
    int32_t log_scale_shift;          /* 6 */
} hk_frontend_config_t;

/* Built tables with their storage, sized for the largest configuration.
 * `tables` points into the arrays below, so the struct must not be copied
 * or moved once built. */
typedef struct {
    hk_frontend_tables_t tables;
    int16_t window[HK_FE_MAX_WINDOW];
    hk_cpx16_t twiddle[HK_FE_MAX_FFT / 2];
    hk_cpx16_t split_twiddle[HK_FE_MAX_FFT / 4];
    uint16_t band_start[HK_FE_MAX_CHANNELS + 2];
    int16_t weight[HK_FE_MAX_BINS];
    int16_t unweight[HK_FE_MAX_BINS];
    int16_t pcan_lut[HK_FE_PCAN_LUT_SIZE];
} hk_frontend_build_t;

/* microWakeWord's settings: 16 kHz, 30 ms window, 10 ms step, 40 channels,
 * 125..7500 Hz, noise reduction 10 / 0.025 / 0.06 / 0.05, PCAN 0.95 / 80 / 21,
 * log scale shift 6. */
void hk_frontend_config_default(hk_frontend_config_t *c);

/* Validates `c` and builds every table and parameter into `b` (unused array
 * entries are zero, so two builds of one config are equal byte for byte).
 * Returns HK_FE_OK (0) or one of HK_FE_ERR_*; on error `b` is unusable. */
int hk_frontend_build(hk_frontend_build_t *b, const hk_frontend_config_t *c);

/* ---- per stage, called in this order by hk_frontend_build() ----
 * Each reads the sizes already in b->tables and fills its own tables and
 * parameters; each returns HK_FE_OK or an HK_FE_ERR_* code. */

/* Q12 Hann window of b->tables.window_size samples. */
int hk_fe_window_build(hk_frontend_build_t *b);
/* Twiddles of the b->tables.fft_size-point real FFT. */
int hk_fe_fft_build(hk_frontend_build_t *b);
/* Mel bands and weights over the fft_size / 2 + 1 bins. */
int hk_fe_filterbank_build(hk_frontend_build_t *b, const hk_frontend_config_t *c);
/* The gain curve; needs b->tables.log_correction_bits and noise_smoothing_bits. */
int hk_fe_pcan_build(hk_frontend_build_t *b, const hk_frontend_config_t *c);

/* Build-time only. Rounds to float (or double) here and now: the value goes
 * through a volatile, so no compiler setting can fuse it into a following
 * add (FMA contraction, which GCC applies across statements in its GNU
 * modes) or keep it in a wider register. The reference's tables were built
 * with every product rounded; a fused one can move a Q12 weight by 1. */
static inline float hk_fe_f32(float x)
{
    volatile float v = x;
    return v;
}

static inline double hk_fe_f64(double x)
{
    volatile double v = x;
    return v;
}

#ifdef __cplusplus
}
#endif

#endif
