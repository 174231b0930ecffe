/*
 * Harken wake-word detection for Arduino: the C API of hk_wake.h and the
 * generated model `hk_model`.
 *
 *   static hk_wake_t wake;                        // about 6.5 KiB: keep it static
 *   hk_wake_init(&wake, &hk_model, on_detect, context);
 *   hk_wake_feed(&wake, samples, n);              // 16 kHz mono int16 audio, any block size
 *
 * on_detect(context, step, probability, window_sum) runs inside hk_wake_feed
 * for each detection.
 */
#ifndef HARKEN_ARDUINO_H
#define HARKEN_ARDUINO_H

#include "harken/hk_wake.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Defined by the generated model/hk_model_binding.c. */
extern const hk_model_api_t hk_model;

#ifdef __cplusplus
}
#endif

#endif
