/*
 * A generated model as applications and the bench harness see it. The firmware
 * generator writes one `hk_model_api_t` per project from harken compile's output.
 */
#ifndef HARKEN_MODEL_H
#define HARKEN_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *name;
    void (*init)(void);
    void *(*input)(void);
    void (*invoke)(void);
    const void *(*output)(void);
    uint32_t input_bytes, output_bytes;
    uint32_t arena_bytes, state_bytes, weight_bytes;
    /* The model's int8 input quantization of frontend features (see hk_frontend.h). */
    int32_t feature_num, feature_bias, feature_den, feature_zero_point;
    /* Detector defaults from the manifest: window and levels as sums over it. */
    int32_t window, trigger_sum, release_sum, refractory_steps;
} hk_model_api_t;

#ifdef __cplusplus
}
#endif

#endif
