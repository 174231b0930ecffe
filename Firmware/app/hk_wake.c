/*
 * Frames arrive every 10 ms; the model consumes frames_per_step of them per
 * inference (3 for microWakeWord's models), so the input buffer is filled in
 * place and the model runs when it is full.
 */
#include "harken/hk_wake.h"

int hk_wake_init(hk_wake_t *w, const hk_model_api_t *model, hk_wake_callback_t on_detect, void *context)
{
    hk_detector_config_t dc;
    int32_t channels;

    w->model = model;
    w->on_detect = on_detect;
    w->context = context;
    w->pending = 0;
    w->step = 0;
    w->last_probability = 0;
    w->frame_hook = NULL;
    w->detect_hook = NULL;
    w->hook_context = NULL;
    /* Const tables in a generated firmware (flash, no libm), built ones on the host. */
    if (hk_frontend_init(&w->frontend, hk_frontend_tables()) != 0) return 1;
    channels = hk_frontend_num_channels(&w->frontend);
    if (channels <= 0 || model->input_bytes % (uint32_t)channels != 0) return 2;
    w->frames_per_step = (int32_t)(model->input_bytes / (uint32_t)channels);
    w->quant.num = model->feature_num;
    w->quant.bias = model->feature_bias;
    w->quant.den = model->feature_den;
    w->quant.zero_point = model->feature_zero_point;
    dc.window = model->window;
    dc.trigger_sum = model->trigger_sum;
    dc.release_sum = model->release_sum;
    dc.refractory_steps = model->refractory_steps;
    if (hk_detector_init(&w->detector, &dc) != 0) return 3;
    model->init();
    return 0;
}

/* A frame is in the model's input slot `pending`: hand it on, and run the model
 * once the step's frames are complete. */
static void frame_ready(hk_wake_t *w, const int8_t *frame)
{
    if (w->frame_hook) {
        w->frame_hook(w->hook_context, frame);
    }
    if (++w->pending == w->frames_per_step) {
        const uint8_t *out;
        w->pending = 0;
        w->model->invoke();
        out = (const uint8_t *)w->model->output();
        w->last_probability = out[0];
        if (hk_detector_push(&w->detector, out[0])) {
            const int32_t sum = hk_detector_sum(&w->detector);
            if (w->detect_hook) {
                w->detect_hook(w->hook_context, w->step, sum);
            }
            if (w->on_detect) {
                w->on_detect(w->context, w->step, out[0], sum);
            }
        }
        w->step++;
    }
}

void hk_wake_feed(hk_wake_t *w, const int16_t *samples, size_t n)
{
    uint16_t features[HK_FE_MAX_CHANNELS];
    const int32_t channels = hk_frontend_num_channels(&w->frontend);
    while (n > 0) {
        size_t used = 0;
        const int ready = hk_frontend_process(&w->frontend, samples, n, &used, features);
        samples += used;
        n -= used;
        if (ready) {
            int8_t *frame = (int8_t *)w->model->input() + w->pending * channels;
            hk_features_quantize(&w->quant, features, channels, frame);
            frame_ready(w, frame);
        }
        if (used == 0 && !ready) break;
    }
}

void hk_wake_feed_frame(hk_wake_t *w, const int8_t *frame)
{
    const int32_t channels = hk_frontend_num_channels(&w->frontend);
    int8_t *slot = (int8_t *)w->model->input() + w->pending * channels;
    for (int32_t i = 0; i < channels; i++) {
        slot[i] = frame[i];
    }
    frame_ready(w, slot);
}
