/*
 * The cascade firmware on the bench link: the wake-word app (hk_wake.h) with the
 * cascade (hk_cascade.h) behind its Sentry, fed audio by the host (FEED), its
 * decisions reported in FEED's replies, and for a server Judge its windows sent
 * to the host (JUDGE) and the answers taken from it. The harness's own commands
 * (HELLO, STEP, STATS, ...) keep working. Wire format: hk_bench_proto.h.
 */
#ifndef HARKEN_BENCH_CASCADE_H
#define HARKEN_BENCH_CASCADE_H

#include <stdint.h>

#include "harken/hk_bench_app.h"
#include "harken/hk_cascade.h"
#include "harken/hk_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What `harken firmware --judge` generates (model/hk_cascade_binding.c). */
typedef struct {
    const hk_model_api_t *sentry;
    const hk_model_api_t *judge;   /* the device Judge; NULL when it is on a server */
    hk_cascade_config_t config;
    int8_t *ring;
    uint32_t ring_bytes;           /* hk_cascade_ring_bytes(&config) */
} hk_cascade_app_t;

/* Starts the wake app and the cascade, sends HK_BENCH_BOOT, then serves forever.
 * If the app does not start (a ring or Judge that does not fit the configuration)
 * the cascade commands answer ERROR and the harness still serves. */
void hk_bench_serve_cascade(const hk_cascade_app_t *app, const hk_port_t *port);

#ifdef __cplusplus
}
#endif

#endif
