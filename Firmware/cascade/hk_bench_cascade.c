/*
 * The cascade firmware's commands on the bench link (hk_bench_cascade.h, wire
 * format in hk_bench_proto.h). A singleton like the harness: its state is static,
 * so the stack high-water mark STATS reports is the app's call depth.
 */
#include "harken/hk_bench_cascade.h"
#include "harken/hk_bench_proto.h"
#include "harken/hk_wake.h"

#include <string.h>

/* Decisions waiting for the next FEED reply. A FEED carries at most
 * HK_BENCH_MAX_PAYLOAD / 2 samples (3.2 frames), and a trigger takes at least
 * frames_after + 1 frames to decide, so a few slots are plenty; the totals in
 * every reply let the host see a loss all the same. */
#define QUEUE_SLOTS 8
#define FEED_HEADER_BYTES 33

typedef struct {
    const hk_cascade_app_t *app;
    const hk_port_t *port;
    int ready;
    uint32_t detections;
    hk_cascade_decision_t queue[QUEUE_SLOTS];
    int32_t queued;
    /* The last FEED's (or FEED_FRAMES') type, seq and reply, answered again to a retry. */
    int has_last_feed;
    uint8_t last_feed_type;
    uint8_t last_feed_seq;
    uint16_t last_feed_bytes;
    uint8_t last_feed_reply[FEED_HEADER_BYTES + QUEUE_SLOTS * HK_BENCH_DECISION_BYTES];
} cascade_app_t;

static hk_wake_t wake;
static hk_cascade_t cascade;
static cascade_app_t app_state;

static void on_detect(void *context, uint32_t step, uint8_t probability, int32_t window_sum)
{
    (void)step;
    (void)probability;
    (void)window_sum;
    ((cascade_app_t *)context)->detections++;
}

static void on_decision(void *context, const hk_cascade_decision_t *d)
{
    cascade_app_t *a = (cascade_app_t *)context;
    if (a->queued < QUEUE_SLOTS) {
        a->queue[a->queued++] = *d;
    }
}

/* Copies up to `n` bytes of the window, starting `skip` bytes in, from its two spans. */
static void copy_window(uint8_t *out, const int8_t *first, size_t first_bytes, const int8_t *second, size_t skip, size_t n)
{
    if (skip < first_bytes) {
        size_t k = first_bytes - skip < n ? first_bytes - skip : n;
        memcpy(out, first + skip, k);
        out += k;
        n -= k;
        skip = 0;
    } else {
        skip -= first_bytes;
    }
    if (n > 0) {
        memcpy(out, second + skip, n);
    }
}

/* A request's window as JUDGE chunks, straight from the ring. */
static void send_window(void *context, uint32_t id, const int8_t *first, size_t first_bytes, const int8_t *second,
                        size_t second_bytes)
{
    cascade_app_t *a = (cascade_app_t *)context;
    const size_t total = first_bytes + second_bytes;
    for (size_t offset = 0; offset < total; offset += HK_BENCH_JUDGE_CHUNK) {
        const size_t n = total - offset < HK_BENCH_JUDGE_CHUNK ? total - offset : HK_BENCH_JUDGE_CHUNK;
        uint8_t *p = hk_bench_payload();
        p = hk_bench_put_u32(p, id);
        p = hk_bench_put_u16(p, (uint16_t)offset);
        p = hk_bench_put_u16(p, (uint16_t)total);
        copy_window(p, first, first_bytes, second, offset, n);
        hk_bench_send(a->port, HK_BENCH_JUDGE, (uint8_t)id, HK_BENCH_JUDGE_HEADER_BYTES + n);
    }
}

static uint8_t *put_decision(uint8_t *p, const hk_cascade_decision_t *d)
{
    p = hk_bench_put_u32(p, d->id);
    p = hk_bench_put_u32(p, d->trigger_step);
    p = hk_bench_put_u32(p, d->trigger_frame);
    p = hk_bench_put_u32(p, d->decided_frame);
    p = hk_bench_put_u32(p, (uint32_t)d->sentry_sum);
    p = hk_bench_put_u16(p, d->score_q16);
    *p++ = (uint8_t)(d->judged | (d->accepted << 1));
    *p++ = 0;
    return p;
}

static void feed(cascade_app_t *a, uint8_t type, uint8_t seq, const uint8_t *payload, uint16_t len)
{
    uint8_t *start = a->last_feed_reply;
    uint8_t *p = start;
    if (type == HK_BENCH_FEED_FRAMES) {
        const uint32_t channels = (uint32_t)a->app->config.channels;
        for (uint32_t at = 0; at + channels <= len; at += channels) {
            hk_wake_feed_frame(&wake, (const int8_t *)(payload + at));
        }
    } else {
        /* 10 ms at a time, so the samples sit aligned in a small buffer. */
        for (uint32_t at = 0; at < len; at += 320u) {
            int16_t samples[160];
            const uint32_t left = (uint32_t)len - at;
            const uint32_t n = (left < 320u ? left : 320u) / 2u;
            for (uint32_t i = 0; i < n; i++) {
                samples[i] = (int16_t)hk_bench_get_u16(payload + at + 2u * i);
            }
            hk_wake_feed(&wake, samples, n);
        }
    }
    p = hk_bench_put_u32(p, cascade.frames);
    p = hk_bench_put_u32(p, wake.step);
    p = hk_bench_put_u32(p, a->detections);
    p = hk_bench_put_u32(p, cascade.decisions);
    p = hk_bench_put_u32(p, cascade.dropped);
    p = hk_bench_put_u32(p, cascade.requests);
    p = hk_bench_put_u32(p, cascade.retransmissions);
    p = hk_bench_put_u32(p, cascade.ignored_answers);
    *p++ = (uint8_t)a->queued;
    for (int32_t i = 0; i < a->queued; i++) {
        p = put_decision(p, &a->queue[i]);
    }
    a->queued = 0;
    a->has_last_feed = 1;
    a->last_feed_type = type;
    a->last_feed_seq = seq;
    a->last_feed_bytes = (uint16_t)(p - start);
}

/* A cascade command whose payload length is not the one it needs. */
static int bad_length(const hk_port_t *port, uint8_t seq, uint8_t type)
{
    uint8_t *p = hk_bench_payload();
    p[0] = HK_BENCH_ERR_BAD_LENGTH;
    p[1] = type;
    hk_bench_send(port, HK_BENCH_ERROR, seq, 2);
    return 1;
}

static void send_copy(const hk_port_t *port, uint8_t type, uint8_t seq, const uint8_t *payload, size_t n)
{
    memcpy(hk_bench_payload(), payload, n);
    hk_bench_send(port, type, seq, n);
}

/* Writes one chunk of a window into the device Judge's input; runs it once the window is whole. */
static int judge_step(cascade_app_t *a, const hk_port_t *port, uint8_t seq, const uint8_t *payload, uint16_t len)
{
    const hk_model_api_t *judge = a->app->judge;
    if (len < 4) return bad_length(port, seq, HK_BENCH_JUDGE_STEP);
    const uint32_t offset = hk_bench_get_u16(payload), total = hk_bench_get_u16(payload + 2);
    const uint32_t n = (uint32_t)len - 4u;
    if (total != judge->input_bytes || offset + n > total || judge->output_bytes > HK_BENCH_MAX_PAYLOAD - 4) {
        return bad_length(port, seq, HK_BENCH_JUDGE_STEP);
    }
    memcpy((uint8_t *)judge->input() + offset, payload + 4, n);
    if (offset + n < total) {
        hk_bench_send(port, HK_BENCH_JUDGE_STEP | HK_BENCH_REPLY, seq, 0);
        return 1;
    }
    const uint32_t t0 = port->cycles();
    judge->invoke();
    const uint32_t cycles = port->cycles() - t0;
    uint8_t *p = hk_bench_put_u32(hk_bench_payload(), cycles);
    memcpy(p, judge->output(), judge->output_bytes);
    hk_bench_send(port, HK_BENCH_JUDGE_STEP | HK_BENCH_REPLY, seq, 4u + judge->output_bytes);
    return 1;
}

static void cascade_info(cascade_app_t *a, const hk_port_t *port, uint8_t seq)
{
    const hk_cascade_config_t *c = &a->app->config;
    const hk_model_api_t *judge = a->app->judge;
    uint8_t *p = hk_bench_payload();
    uint8_t *start = p;
    *p++ = (uint8_t)c->placement;
    *p++ = (uint8_t)c->fallback;
    p = hk_bench_put_u16(p, (uint16_t)c->channels);
    p = hk_bench_put_u16(p, (uint16_t)c->frames_before);
    p = hk_bench_put_u16(p, (uint16_t)c->frames_after);
    p = hk_bench_put_u16(p, (uint16_t)c->timeout_frames);
    p = hk_bench_put_u16(p, (uint16_t)c->retry_frames);
    p = hk_bench_put_u32(p, (uint32_t)c->cutoff_q16);
    p = hk_bench_put_u32(p, a->app->ring_bytes);
    p = hk_bench_put_u32(p, judge ? judge->input_bytes : 0u);
    p = hk_bench_put_u32(p, judge ? judge->arena_bytes : 0u);
    p = hk_bench_put_u32(p, judge ? judge->weight_bytes : 0u);
    hk_bench_send(port, HK_BENCH_CASCADE | HK_BENCH_REPLY, seq, (size_t)(p - start));
}

static int handle(void *context, const hk_port_t *port, uint8_t type, uint8_t seq, const uint8_t *payload, uint16_t len)
{
    cascade_app_t *a = (cascade_app_t *)context;
    if (!a->ready) return 0;
    switch (type) {
    case HK_BENCH_FEED:
    case HK_BENCH_FEED_FRAMES:
        if (len % (type == HK_BENCH_FEED ? 2u : (uint32_t)a->app->config.channels) != 0) return bad_length(port, seq, type);
        if (!(a->has_last_feed && type == a->last_feed_type && seq == a->last_feed_seq)) {
            feed(a, type, seq, payload, len);
        }
        send_copy(port, type | HK_BENCH_REPLY, seq, a->last_feed_reply, a->last_feed_bytes);
        return 1;
    case HK_BENCH_JUDGE | HK_BENCH_REPLY:
        /* An answer, late, repeated or current: the cascade tells them apart by id. No reply. */
        if (len == 6) {
            (void)hk_cascade_answer(&cascade, hk_bench_get_u32(payload), hk_bench_get_u16(payload + 4));
        }
        return 1;
    case HK_BENCH_JUDGE_STEP:
        return a->app->judge != NULL && judge_step(a, port, seq, payload, len);
    case HK_BENCH_CASCADE:
        if (len != 0) return bad_length(port, seq, type);
        cascade_info(a, port, seq);
        return 1;
    default:
        return 0;
    }
}

static void reset(void *context)
{
    cascade_app_t *a = (cascade_app_t *)context;
    if (!a->ready) return;
    /* hk_wake_init restarts the frontend, detector and model; the hooks go with it. */
    (void)hk_wake_init(&wake, a->app->sentry, on_detect, a);
    hk_cascade_attach(&cascade, &wake);
    hk_cascade_reset(&cascade);
    a->detections = 0;
    a->queued = 0;
    a->has_last_feed = 0;
}

void hk_bench_serve_cascade(const hk_cascade_app_t *app, const hk_port_t *port)
{
    static hk_bench_ext_t ext;
    cascade_app_t *a = &app_state;
    a->app = app;
    a->port = port;
    a->ready = hk_wake_init(&wake, app->sentry, on_detect, a) == 0
        && hk_cascade_init(&cascade, &app->config, app->ring, app->ring_bytes, app->judge, send_window, on_decision, a) == HK_CASCADE_OK;
    if (a->ready) {
        hk_cascade_attach(&cascade, &wake);
        if (app->judge != NULL) app->judge->init();
    }
    ext.handle = handle;
    ext.reset = reset;
    ext.context = a;
    hk_bench_serve_ext(app->sentry, port, &ext);
}
