/*
 * The always-on wake-word pipeline of a device application, independent of the
 * board: 16 kHz int16 audio in, frontend, feature quantization, the generated
 * model, the detector, and a callback on each detection. Board glue (a
 * microphone driver, an LED, a serial line) stays in the project template.
 */
#ifndef HARKEN_WAKE_H
#define HARKEN_WAKE_H

#include <stddef.h>
#include <stdint.h>

#include "harken/hk_detector.h"
#include "harken/hk_frontend.h"
#include "harken/hk_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*hk_wake_callback_t)(void *context, uint32_t step, uint8_t probability, int32_t window_sum);

/* Hooks a later stage sets (hk_cascade_attach): every quantized feature frame as
 * the model is fed it, and every detection before on_detect. NULL: none. */
typedef void (*hk_wake_frame_hook_t)(void *context, const int8_t *frame);
typedef void (*hk_wake_detect_hook_t)(void *context, uint32_t step, int32_t window_sum);

typedef struct {
    const hk_model_api_t *model;
    hk_frontend_t frontend;
    hk_detector_t detector;
    hk_feature_quant_t quant;
    int32_t frames_per_step;
    int32_t pending;
    uint32_t step;
    uint8_t last_probability;
    hk_wake_callback_t on_detect;
    void *context;
    hk_wake_frame_hook_t frame_hook;
    hk_wake_detect_hook_t detect_hook;
    void *hook_context;
} hk_wake_t;

/* Frontend with microWakeWord's settings, quantization and detector from the model's
 * defaults. Returns 0, or nonzero when the model's input is not whole feature frames. */
int hk_wake_init(hk_wake_t *w, const hk_model_api_t *model, hk_wake_callback_t on_detect, void *context);

/* Streams samples; runs an inference each time a step's frames are complete. */
void hk_wake_feed(hk_wake_t *w, const int16_t *samples, size_t n);

/* One frame of int8 features (frontend and quantization done elsewhere, e.g. the
 * host replaying a recording's features), taken exactly as a frame the frontend
 * made would be. Do not mix with hk_wake_feed mid-stream: the frontend keeps the
 * audio it has not made a frame of yet. */
void hk_wake_feed_frame(hk_wake_t *w, const int8_t *frame);

#ifdef __cplusplus
}
#endif

#endif
