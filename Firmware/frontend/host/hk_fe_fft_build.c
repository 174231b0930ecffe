/*
 * Twiddle tables of the fixed-point real FFT (hk_fe_fft.c): Q15 factors for
 * the n/2-point complex FFT and for the split step that separates the two
 * interleaved real spectra.
 */
#include <harken/hk_frontend_build.h>

#include <math.h>

#define HK_Q15_ONE 32767

/* floor(0.5 + 32767 * cos), floor(0.5 + 32767 * sin), in double, each
 * product rounded before the add (no FMA), as the reference computes them. */
static hk_cpx16_t q15_unit(double phase)
{
    hk_cpx16_t u;
    u.r = (int16_t)floor(0.5 + hk_fe_f64((double)HK_Q15_ONE * cos(phase)));
    u.i = (int16_t)floor(0.5 + hk_fe_f64((double)HK_Q15_ONE * sin(phase)));
    return u;
}

int hk_fe_fft_build(hk_frontend_build_t *b)
{
    const int32_t n_real = b->tables.fft_size;
    if (n_real < 16 || n_real > HK_FE_MAX_FFT || (n_real & (n_real - 1)) != 0) {
        return HK_FE_ERR_WINDOW;
    }
    const double pi = 3.14159265358979323846;
    const int32_t n = n_real / 2;
    for (int32_t k = 0; k < n; k++) {
        const double phase = -2.0 * pi * (double)k / (double)n;
        b->twiddle[k] = q15_unit(phase);
    }
    /* Split-step factors e^{-i pi ((k + 1) / n + 1/2)}, k < n / 2. */
    for (int32_t k = 0; k < n / 2; k++) {
        const double phase = -pi * ((double)(k + 1) / (double)n + 0.5);
        b->split_twiddle[k] = q15_unit(phase);
    }
    b->tables.twiddle = b->twiddle;
    b->tables.split_twiddle = b->split_twiddle;
    return HK_FE_OK;
}
