/*
 * Analysis window: a periodic-offset Hann window in Q12, applied to the
 * buffered samples.
 */
#include <harken/hk_frontend.h>

#include <math.h>
#include <string.h>

#define HK_FE_WINDOW_BITS 12

int hk_fe_window_init(hk_fe_window_t *w, int32_t size, int32_t step)
{
    /* The FFT needs at least 16 points to factor into radix-4/2 stages. */
    if (size < 16 || size > HK_FE_MAX_WINDOW || step < 1 || step > size) {
        return 1;
    }
    w->size = size;
    w->step = step;
    w->used = 0;

    /* Sampled at sample centres (k + 1/2), in single precision with every
     * product rounded before the next add, as the reference computes it. */
    const float two_pi = (float)3.14159265358979323846 * 2.0f;
    const float arg = two_pi / (float)size;
    for (int32_t k = 0; k < size; k++) {
        const float phase = arg * ((float)k + 0.5f);
        const float half_cos = hk_fe_f32(0.5f * cosf(phase));
        const float value = 0.5f - half_cos;
        const float scaled = hk_fe_f32(value * (float)(1 << HK_FE_WINDOW_BITS));
        w->coef[k] = (int16_t)floorf(scaled + 0.5f);
    }
    memset(w->input, 0, sizeof(w->input));
    return 0;
}

int32_t hk_fe_window_apply(const hk_fe_window_t *w, int16_t *out)
{
    int32_t max_abs = 0;
    for (int32_t k = 0; k < w->size; k++) {
        /* coef <= 4096, so |x * coef| >> 12 <= 32768 and the only value that
         * reaches it is -32768 (x = -32768 at the window's peak): it fits. */
        const int32_t v = ((int32_t)w->input[k] * w->coef[k]) >> HK_FE_WINDOW_BITS;
        out[k] = (int16_t)v;
        /* The reference takes the magnitude in int16, where -(-32768) wraps
         * back to -32768 and so never counts as the maximum; keep that, since
         * the maximum sets the FFT's input gain. */
        const int32_t mag = v < 0 ? hk_fe_wrap16(-v) : v;
        if (mag > max_abs) {
            max_abs = mag;
        }
    }
    return max_abs;
}
