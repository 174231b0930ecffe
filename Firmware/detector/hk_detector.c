/*
 * Sliding-window mean detector with hysteresis and refractory time; the
 * semantics are specified in hk_detector.h.
 */
#include <harken/hk_detector.h>

#include <stddef.h>

int hk_detector_init(hk_detector_t *d, const hk_detector_config_t *c)
{
    if (d == NULL || c == NULL) {
        return HK_DET_ERR_NULL;
    }
    if (c->window < 1 || c->window > HK_DETECTOR_MAX_WINDOW) {
        return HK_DET_ERR_WINDOW;
    }
    if (c->refractory_steps < 0) {
        return HK_DET_ERR_REFRACTORY;
    }
    d->cfg = *c;
    hk_detector_reset(d);
    return HK_DET_OK;
}

void hk_detector_reset(hk_detector_t *d)
{
    for (int32_t i = 0; i < HK_DETECTOR_MAX_WINDOW; i++) {
        d->ring[i] = 0;
    }
    d->head = 0;
    d->count = 0;
    d->sum = 0;
    d->armed = 1;
    d->refractory_left = 0;
}

int hk_detector_push(hk_detector_t *d, uint8_t prob)
{
    const int32_t w = d->cfg.window;
    /* A running sum instead of re-adding the window: exact, since it is an
     * integer and the values that leave are the ones that entered. */
    if (d->count == w) {
        d->sum -= d->ring[d->head];
    } else {
        d->count++;
    }
    d->ring[d->head] = prob;
    d->sum += prob;
    d->head = d->head + 1 == w ? 0 : d->head + 1;

    const int32_t blocked = d->refractory_left > 0;
    if (blocked) {
        d->refractory_left--;
    }
    if (!d->armed && d->sum <= d->cfg.release_sum) {
        d->armed = 1;
    }
    if (!blocked && d->count == w && d->armed && d->sum > d->cfg.trigger_sum) {
        d->armed = 0;
        d->refractory_left = d->cfg.refractory_steps;
        return 1;
    }
    return 0;
}

int32_t hk_detector_sum(const hk_detector_t *d)
{
    return d->sum;
}

int32_t hk_detector_count(const hk_detector_t *d)
{
    return d->count;
}
