/*
 * The cascade's ring and state machine; the semantics are specified in
 * hk_cascade.h, and Harken's host reference (HarkenStream's CascadeRule) makes
 * the same decisions from the same frames.
 */
#include "harken/hk_cascade.h"

#include <string.h>

enum { IDLE = 0, COLLECTING = 1, WAITING = 2 };

static int config_ok(const hk_cascade_config_t *cfg)
{
    if (cfg->channels < 1 || cfg->frames_before < 1 || cfg->frames_after < 0) return 0;
    if (cfg->zero_code < -128 || cfg->zero_code > 127) return 0;
    if (cfg->cutoff_q16 < -1 || cfg->cutoff_q16 > 65535) return 0;
    if (cfg->placement == HK_CASCADE_ON_DEVICE) return 1;
    if (cfg->placement != HK_CASCADE_ON_SERVER) return 0;
    if (cfg->fallback != HK_CASCADE_FAIL_OPEN && cfg->fallback != HK_CASCADE_FAIL_CLOSED) return 0;
    return cfg->timeout_frames >= 1 && cfg->retry_frames >= 1;
}

/* Frames the ring holds: the window, and for a server Judge the frames that
 * arrive while a request may still be pending (they must not overwrite it). */
static int64_t ring_frames(const hk_cascade_config_t *cfg)
{
    int64_t n = (int64_t)cfg->frames_before + cfg->frames_after;
    if (cfg->placement == HK_CASCADE_ON_SERVER) n += cfg->timeout_frames;
    return n;
}

size_t hk_cascade_ring_bytes(const hk_cascade_config_t *cfg)
{
    if (cfg == NULL || !config_ok(cfg)) return 0;
    return (size_t)(ring_frames(cfg) * cfg->channels);
}

int hk_cascade_init(hk_cascade_t *c, const hk_cascade_config_t *cfg, int8_t *ring, size_t ring_bytes,
                    const hk_model_api_t *judge, hk_cascade_send_fn send, hk_cascade_decision_fn on_decision,
                    void *context)
{
    if (c == NULL || cfg == NULL || ring == NULL) return HK_CASCADE_ERR_NULL;
    if (!config_ok(cfg)) return HK_CASCADE_ERR_CONFIG;
    if (ring_bytes < hk_cascade_ring_bytes(cfg)) return HK_CASCADE_ERR_RING;
    if (cfg->placement == HK_CASCADE_ON_DEVICE) {
        if (judge == NULL) return HK_CASCADE_ERR_NULL;
        if (judge->input_bytes != (uint32_t)((cfg->frames_before + cfg->frames_after) * cfg->channels)) return HK_CASCADE_ERR_JUDGE;
    } else if (send == NULL) {
        return HK_CASCADE_ERR_NULL;
    }
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    c->ring = ring;
    c->ring_frames = (int32_t)ring_frames(cfg);
    c->window_frames = cfg->frames_before + cfg->frames_after;
    c->judge = judge;
    c->send = send;
    c->on_decision = on_decision;
    c->context = context;
    c->next_id = 1;
    hk_cascade_reset(c);
    return HK_CASCADE_OK;
}

void hk_cascade_reset(hk_cascade_t *c)
{
    memset(c->ring, (int8_t)c->cfg.zero_code, (size_t)c->ring_frames * (size_t)c->cfg.channels);
    c->head = 0;
    c->window_start = 0;
    c->frames = 0;
    c->state = IDLE;
    c->frames_left = 0;
    c->waited = 0;
    c->has_decided = 0;
    c->last_decided_frame = 0;
    c->triggers = 0;
    c->dropped = 0;
    c->decisions = 0;
    c->requests = 0;
    c->retransmissions = 0;
    c->ignored_answers = 0;
}

static void decide(hk_cascade_t *c, int judged, uint16_t score_q16)
{
    hk_cascade_decision_t *d = &c->current;
    d->decided_frame = c->frames - 1u;
    d->judged = (uint8_t)(judged != 0);
    d->score_q16 = judged ? score_q16 : 0u;
    if (judged) {
        d->accepted = (uint8_t)((int32_t)score_q16 > c->cfg.cutoff_q16);
    } else {
        d->accepted = (uint8_t)(c->cfg.fallback == HK_CASCADE_FAIL_OPEN);
    }
    c->state = IDLE;
    c->has_decided = 1;
    c->last_decided_frame = d->decided_frame;
    c->decisions++;
    if (c->on_decision != NULL) c->on_decision(c->context, d);
}

static void send_window(hk_cascade_t *c)
{
    const size_t ch = (size_t)c->cfg.channels;
    const int32_t first = c->ring_frames - c->window_start < c->window_frames ? c->ring_frames - c->window_start : c->window_frames;
    c->requests++;
    c->send(c->context, c->current.id, c->ring + (size_t)c->window_start * ch, (size_t)first * ch, c->ring,
            (size_t)(c->window_frames - first) * ch);
}

/* The pending trigger's window is the newest window_frames frames. */
static void window_complete(hk_cascade_t *c)
{
    c->window_start = (c->head - c->window_frames + c->ring_frames) % c->ring_frames;
    if (c->cfg.placement == HK_CASCADE_ON_SERVER) {
        c->state = WAITING;
        c->waited = 0;
        send_window(c);
        return;
    }
    /* The Judge's input is the window in stream order: the ring unrolled. */
    const size_t ch = (size_t)c->cfg.channels;
    const int32_t first = c->ring_frames - c->window_start < c->window_frames ? c->ring_frames - c->window_start : c->window_frames;
    int8_t *input = (int8_t *)c->judge->input();
    memcpy(input, c->ring + (size_t)c->window_start * ch, (size_t)first * ch);
    memcpy(input + (size_t)first * ch, c->ring, (size_t)(c->window_frames - first) * ch);
    c->judge->invoke();
    const uint8_t raw = *(const uint8_t *)c->judge->output();
    /* An int8 probability has zero point -128: code + 128 is the uint8 form. */
    const uint32_t q = c->cfg.judge_output_int8 ? (uint32_t)((int32_t)(int8_t)raw + 128) : (uint32_t)raw;
    decide(c, 1, (uint16_t)(q << 8));
}

void hk_cascade_frame(hk_cascade_t *c, const int8_t *frame)
{
    const size_t ch = (size_t)c->cfg.channels;
    memcpy(c->ring + (size_t)c->head * ch, frame, ch);
    c->head = c->head + 1 == c->ring_frames ? 0 : c->head + 1;
    c->frames++;
    if (c->state == COLLECTING) {
        if (--c->frames_left == 0) window_complete(c);
    } else if (c->state == WAITING) {
        /* The ring holds timeout_frames frames beyond the window, so up to the
         * timeout the frames arriving now never overwrite the pending window. */
        c->waited++;
        if (c->waited >= c->cfg.timeout_frames) {
            decide(c, 0, 0);
        } else if (c->waited % c->cfg.retry_frames == 0) {
            c->retransmissions++;
            send_window(c);
        }
    }
}

int hk_cascade_trigger(hk_cascade_t *c, uint32_t step, int32_t sentry_sum)
{
    const uint32_t frame = c->frames - 1u;
    c->triggers++;
    /* Busy from a trigger through the frame of its decision, that frame included. */
    if (c->frames == 0 || c->state != IDLE || (c->has_decided && frame <= c->last_decided_frame)) {
        c->dropped++;
        return 0;
    }
    memset(&c->current, 0, sizeof c->current);
    c->current.id = c->next_id++;
    if (c->next_id == 0) c->next_id = 1;
    c->current.trigger_step = step;
    c->current.trigger_frame = frame;
    c->current.sentry_sum = sentry_sum;
    if (c->cfg.frames_after == 0) {
        window_complete(c);
    } else {
        c->state = COLLECTING;
        c->frames_left = c->cfg.frames_after;
    }
    return 1;
}

int hk_cascade_answer(hk_cascade_t *c, uint32_t id, uint16_t score_q16)
{
    if (c->state != WAITING || id != c->current.id) {
        c->ignored_answers++;
        return 0;
    }
    decide(c, 1, score_q16);
    return 1;
}

static void frame_hook(void *context, const int8_t *frame)
{
    hk_cascade_frame((hk_cascade_t *)context, frame);
}

static void detect_hook(void *context, uint32_t step, int32_t window_sum)
{
    (void)hk_cascade_trigger((hk_cascade_t *)context, step, window_sum);
}

void hk_cascade_attach(hk_cascade_t *c, hk_wake_t *wake)
{
    wake->frame_hook = frame_hook;
    wake->detect_hook = detect_hook;
    wake->hook_context = c;
}
