/*
 * Analysis window table: a periodic-offset Hann window in Q12.
 */
#include <harken/hk_frontend_build.h>

#include <math.h>

#define HK_FE_WINDOW_BITS 12

int hk_fe_window_build(hk_frontend_build_t *b)
{
    const int32_t size = b->tables.window_size;
    /* The FFT needs at least 16 points to factor into radix-4/2 stages. */
    if (size < 16 || size > HK_FE_MAX_WINDOW) {
        return HK_FE_ERR_WINDOW;
    }
    /* Sampled at sample centres (k + 1/2), in single precision with every
     * product rounded before the next add, as the reference computes it. */
    const float two_pi = (float)3.14159265358979323846 * 2.0f;
    const float arg = two_pi / (float)size;
    for (int32_t k = 0; k < size; k++) {
        const float phase = arg * ((float)k + 0.5f);
        const float half_cos = hk_fe_f32(0.5f * cosf(phase));
        const float value = 0.5f - half_cos;
        const float scaled = hk_fe_f32(value * (float)(1 << HK_FE_WINDOW_BITS));
        b->window[k] = (int16_t)floorf(scaled + 0.5f);
    }
    b->tables.window = b->window;
    return HK_FE_OK;
}
