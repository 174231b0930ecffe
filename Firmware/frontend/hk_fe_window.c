/*
 * Analysis window: a periodic-offset Hann window in Q12 (its table is built by
 * host/hk_fe_window_build.c), applied to the buffered samples.
 */
#include <harken/hk_frontend.h>

#define HK_FE_WINDOW_BITS 12

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
