/*
 * Harken audio frontend: log-mel features with the semantics of TensorFlow Lite
 * Micro's audio microfrontend (the frontend microWakeWord and ESPHome feed
 * their models with), bit for bit.
 *
 * Pipeline per frame (one frame every `step_ms`, over the last `window_ms`):
 *
 *   int16 samples -> Hann window (Q12) -> block-scaled fixed-point real FFT
 *   -> |X|^2 per bin -> triangular mel filterbank (Q12 weights, 64-bit sums)
 *   -> rounded integer sqrt -> noise reduction (per-channel running floor)
 *   -> PCAN gain control -> fixed-point natural log -> uint16 per channel
 *
 * C99, no allocation. The state (hk_frontend_t) holds the streaming buffers;
 * the tables (Hann window, FFT twiddles, mel weights, PCAN gain curve) are
 * read-only and live outside it, described by hk_frontend_tables_t. The
 * tables come from float/double maths (cosf, log1pf, powf, as the reference
 * builds them), and a device's libm may round those an ulp differently from
 * the host's, which would move a Q12 weight and with it the features. So the
 * host builds them once (hk_frontend_build.h, compiled only on the host) and
 * `harken firmware` writes the result into the project as const data
 * (model/hk_frontend_tables.c, flash): a device never computes them and links
 * no libm for them. hk_frontend_init() and hk_frontend_process() are
 * integer-only.
 *
 * The implementation relies on two's-complement int16 narrowing being done
 * explicitly (hk_fe_wrap16) and on `>>` of a negative int32 being an
 * arithmetic shift (true of every compiler Harken targets; a compile-time
 * check in hk_fe_fft.c refuses anything else).
 */
#ifndef HARKEN_FRONTEND_H
#define HARKEN_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- capacity (the struct is sized for these; init rejects anything larger) ---- */
#define HK_FE_MAX_CHANNELS 64
#define HK_FE_MAX_FFT 512                       /* real FFT length, a power of two */
#define HK_FE_MAX_WINDOW HK_FE_MAX_FFT          /* samples per analysis window */
#define HK_FE_MAX_BINS (HK_FE_MAX_FFT / 2 + 1)  /* one-sided spectrum */
#define HK_FE_PCAN_LUT_SIZE 125                 /* 2 + 3 coefficients x 31 octaves, + padding */

/* Status codes of hk_frontend_init() and hk_frontend_build(). */
enum {
    HK_FE_OK = 0,
    HK_FE_ERR_NULL = 1,           /* a pointer argument (or a table pointer) was NULL */
    HK_FE_ERR_WINDOW = 2,         /* window / step / sample rate / FFT size out of range */
    HK_FE_ERR_CHANNELS = 3,       /* num_channels < 1 or > HK_FE_MAX_CHANNELS */
    HK_FE_ERR_BAND = 4,           /* band limits invalid or the filterbank passes Nyquist */
    HK_FE_ERR_NOISE = 5,          /* noise reduction parameters out of range */
    HK_FE_ERR_PCAN = 6,           /* PCAN parameters out of range */
    HK_FE_ERR_LOG = 7             /* log scale parameters out of range */
};

typedef struct {
    int16_t r, i;
} hk_cpx16_t;

/*
 * Everything the frontend derives from its settings, in the form it runs on:
 * each stage's integer parameters and its tables. Read-only while running;
 * hk_frontend_init() keeps the table pointers, so the tables must outlive the
 * frontend. Array lengths are given by the scalars beside them.
 */
typedef struct {
    int32_t window_size;                  /* samples per analysis window */
    int32_t window_step;                  /* samples per hop */
    int32_t fft_size;                     /* real FFT length: a power of two >= window_size */
    int32_t num_channels;
    int32_t start_bin;                    /* first FFT bin any channel uses */
    int32_t end_bin;                      /* one past the last */
    int32_t noise_smoothing_bits;         /* extra precision of the noise estimate */
    uint16_t noise_even_smoothing;        /* Q14 */
    uint16_t noise_odd_smoothing;         /* Q14 */
    uint16_t noise_min_signal_remaining;  /* Q14 */
    int32_t pcan_enable;
    int32_t pcan_snr_shift;
    int32_t log_enable;
    int32_t log_scale_shift;
    int32_t log_correction_bits;          /* undoes the filterbank's Q12 sqrt scaling */
    const int16_t *window;                /* [window_size] Hann window, Q12 */
    const hk_cpx16_t *twiddle;            /* [fft_size / 2] e^{-2 pi i k / (fft_size / 2)}, Q15 */
    const hk_cpx16_t *split_twiddle;      /* [fft_size / 4] real-FFT recombination factors, Q15 */
    const uint16_t *band_start;           /* [num_channels + 2] see hk_fe_filterbank_t */
    const int16_t *weight;                /* [fft_size / 2 + 1] Q12 */
    const int16_t *unweight;              /* [fft_size / 2 + 1] Q12 */
    const int16_t *pcan_lut;              /* [HK_FE_PCAN_LUT_SIZE] see hk_fe_pcan.c */
} hk_frontend_tables_t;

/* ---- per-stage state (exposed so stages can be tested one by one) ---- */

typedef struct {
    int32_t size;                         /* samples per window */
    int32_t step;                         /* samples per hop */
    int32_t used;                         /* samples currently buffered */
    const int16_t *coef;                  /* [size] Hann window, Q12 */
    int16_t input[HK_FE_MAX_WINDOW];      /* the last `used` samples */
} hk_fe_window_t;

typedef struct {
    int32_t n_real;                       /* real FFT length */
    int32_t n_cpx;                        /* n_real / 2: length of the complex FFT inside */
    const hk_cpx16_t *twiddle;            /* [n_cpx] e^{-2 pi i k / n_cpx}, Q15 */
    const hk_cpx16_t *split_twiddle;      /* [n_cpx / 2] real-FFT recombination factors, Q15 */
    hk_cpx16_t work[HK_FE_MAX_FFT / 2];   /* complex FFT buffer */
} hk_fe_fft_t;

typedef struct {
    int32_t num_channels;
    int32_t start_bin;                    /* first FFT bin any channel uses */
    int32_t end_bin;                      /* one past the last */
    /* Band b (0..num_channels) covers bins [band_start[b], band_start[b + 1]),
     * the bins between mel centres b-1 and b. Channel c's triangle peaks at
     * centre c: it rises over band c (unweights) and falls over band c+1
     * (weights). Band 0's weights and the last band's unweights belong to
     * no channel. */
    const uint16_t *band_start;           /* [num_channels + 2] */
    const int16_t *weight;                /* share of the channel centred below the bin, Q12 */
    const int16_t *unweight;              /* share of the channel centred above the bin, Q12 */
} hk_fe_filterbank_t;

typedef struct {
    int32_t num_channels;
    int32_t smoothing_bits;
    uint16_t even_smoothing;              /* Q14 */
    uint16_t odd_smoothing;               /* Q14 */
    uint16_t min_signal_remaining;        /* Q14 */
    uint32_t estimate[HK_FE_MAX_CHANNELS];/* noise estimate, << smoothing_bits */
} hk_fe_noise_t;

typedef struct {
    int32_t enable;
    int32_t num_channels;
    int32_t snr_shift;
    const int16_t *lut;                   /* [HK_FE_PCAN_LUT_SIZE] gain curve, see hk_fe_pcan.c */
} hk_fe_pcan_t;

typedef struct {
    int32_t enable;
    int32_t scale_shift;
    int32_t correction_bits;              /* undoes the filterbank's Q12 sqrt scaling */
} hk_fe_log_t;

typedef struct {
    hk_fe_window_t window;
    hk_fe_fft_t fft;
    hk_fe_filterbank_t filterbank;
    hk_fe_noise_t noise;
    hk_fe_pcan_t pcan;
    hk_fe_log_t log;
    /* per-frame scratch; nothing here survives from one frame to the next */
    int16_t fft_input[HK_FE_MAX_FFT];
    hk_cpx16_t spectrum[HK_FE_MAX_BINS];
    uint32_t energy[HK_FE_MAX_BINS];
    uint64_t band_sum[HK_FE_MAX_CHANNELS + 1];
    uint32_t signal[HK_FE_MAX_CHANNELS];
} hk_frontend_t;

/* ---- frontend API ---- */

/* Points `fe` at `t` (kept, not copied: `t` and its tables must outlive
 * `fe`) and resets the streaming state. Checks only what keeps the
 * fixed-size buffers safe; the tables themselves are trusted as built.
 * Returns HK_FE_OK (0) or one of HK_FE_ERR_*; on error `fe` is unusable. */
int hk_frontend_init(hk_frontend_t *fe, const hk_frontend_tables_t *t);

/* The tables an application runs with (hk_wake_init() uses them). A
 * generated firmware defines this in model/hk_frontend_tables.c, returning
 * const data written by `harken firmware`; on the host, frontend/host/
 * defines it by building microWakeWord's settings once. NULL if that failed. */
const hk_frontend_tables_t *hk_frontend_tables(void);

/* Forgets buffered audio and the noise estimate; keeps the tables. */
void hk_frontend_reset(hk_frontend_t *fe);

/* Reads at most as many of the `n` samples as are needed to complete the
 * current window (*consumed says how many) and returns 1 if that completed a
 * window, in which case `features` received num_channels values; else 0.
 * Feeding one step (160 samples at 16 kHz / 10 ms) per call yields one frame
 * per call once a whole window (480 samples) has arrived. */
int hk_frontend_process(hk_frontend_t *fe, const int16_t *samples, size_t n, size_t *consumed,
                        uint16_t *features);

int hk_frontend_num_channels(const hk_frontend_t *fe);

/* ---- stages (called in this order by hk_frontend_process) ---- */

/* Multiplies the full window buffer by the window into `out` and returns the
 * largest magnitude seen (see hk_fe_window.c for the -32768 corner). */
int32_t hk_fe_window_apply(const hk_fe_window_t *w, int16_t *out);

/* Real FFT of n_real int16 samples into n_real/2 + 1 bins, with the exact
 * scaling and rounding of KISS FFT's 16-bit fixed-point build. `in` is not
 * modified. */
void hk_fe_fft_real(hk_fe_fft_t *f, const int16_t *in, hk_cpx16_t *out);

/* energy[k] = |spectrum[k]|^2 for the bins the filterbank uses. */
void hk_fe_filterbank_energy(const hk_fe_filterbank_t *fb, const hk_cpx16_t *spectrum,
                             uint32_t *energy);
/* Weighted band sums, then out[c] = round(sqrt(sum_c)) >> scale_down_shift. */
void hk_fe_filterbank_apply(const hk_fe_filterbank_t *fb, const uint32_t *energy,
                            uint64_t *band_sum, int32_t scale_down_shift, uint32_t *out);
/* Rounded integer square root as the reference computes it (saturating). */
uint32_t hk_fe_sqrt_u64(uint64_t x);

void hk_fe_noise_reset(hk_fe_noise_t *nr);
void hk_fe_noise_apply(hk_fe_noise_t *nr, uint32_t *signal);

void hk_fe_pcan_apply(const hk_fe_pcan_t *p, const uint32_t *noise_estimate, uint32_t *signal);

void hk_fe_log_apply(const hk_fe_log_t *l, const uint32_t *signal, int32_t n, uint16_t *out);

/* ---- shared integer helpers ---- */

/* Index of the highest set bit plus one (0 for 0): 1 -> 1, 0x8000 -> 16. */
static inline int32_t hk_fe_bit_length32(uint32_t x)
{
    int32_t n = 0;
    while (x != 0u) {
        x >>= 1;
        n++;
    }
    return n;
}

/* Narrows to int16 the way the reference's int16 stores do on
 * two's-complement machines (keep the low 16 bits), without relying on the
 * implementation-defined out-of-range conversion. */
static inline int16_t hk_fe_wrap16(int32_t x)
{
    int32_t low = (int32_t)((uint32_t)x & 0xFFFFu);
    return (int16_t)(low >= 0x8000 ? low - 0x10000 : low);
}

/* The PCAN table's layout, shared by its builder and its reader: lut[0] and
 * lut[1] hold the gain at 0 and 1; octave i (2..32, inputs [2^(i-1), 2^i))
 * keeps y0, a1, a2 at lut[4i - 6 .. 4i - 4]; lut[4i - 3] is padding (the
 * last octave has none). */
static inline int32_t hk_fe_pcan_octave_base(int32_t octave)
{
    return 4 * octave - 6;
}

/* ---- feature quantization to a model's int8 input ----
 * out = clamp((f * num + bias) / den + zero_point, -128, 127), integer
 * division truncating toward zero (C semantics).
 * Valid for 0 <= num <= 16384, |bias| <= 2^30 and den > 0: then f * num
 * <= 65535 * 16384 < 2^30 and the sum stays inside int32. */
typedef struct {
    int32_t num, bias, den, zero_point;
} hk_feature_quant_t;

/* ESPHome micro_wake_word's constants: (f * 256 + 333) / 666 - 128, its
 * integer stand-in for round(f / 25.6 / input_scale) + zero_point with the
 * published models' input scale (about 0.102) and zero point -128. It differs
 * by one step from that float formula on a few percent of real features,
 * which is why Harken fixes the integer form as the device's definition. */
hk_feature_quant_t hk_feature_quant_esphome(void);
void hk_features_quantize(const hk_feature_quant_t *q, const uint16_t *features, int n,
                          int8_t *out);

/*
 * Any monotonic rounding rule as a step table, so the device can reproduce
 * exactly how a model's training pipeline rounded its float features (e.g.
 * microWakeWord's round-half-even of f/25.6/scale + zero point) with integer
 * compares only: out = first_code + (number of thresholds <= f). The host
 * computes the table; thresholds ascend; count <= 255.
 */
typedef struct {
    int32_t first_code;
    int32_t count;
    uint16_t threshold[255];
} hk_feature_table_t;

void hk_features_quantize_table(const hk_feature_table_t *t, const uint16_t *features, int n, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif
