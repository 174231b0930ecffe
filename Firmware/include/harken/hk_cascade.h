/*
 * The cascade on the device: a ring of the int8 feature frames the Sentry was
 * fed, and the state machine that hands a trigger's window to the Judge and
 * turns its answer (or its silence) into one decision per trigger.
 *
 * Per feature frame, in stream order (hk_cascade_frame), then per Sentry
 * detection at the step that frame completed (hk_cascade_trigger):
 *
 *   IDLE        a trigger at frame t is taken when t is after the previous
 *               decision's frame, else dropped (counted, never decided); a taken
 *               trigger gets the next request id and starts COLLECTING.
 *   COLLECTING  frames_after more frames enter the ring; with the last of them
 *               the window is complete: the newest frames_before + frames_after
 *               frames, oldest first, the frame of the trigger the
 *               frames_before-th (frames before the stream's start hold
 *               zero_code, as the ring does after reset).
 *                 placement device: the window is copied into the Judge's input
 *                 and the Judge runs at once; decided at this frame.
 *                 placement server: the window is sent (send callback) and the
 *                 cascade WAITs.
 *   WAITING     (server) hk_cascade_answer with the pending id decides; an answer
 *               with any other id, or a second answer for a decided id, is
 *               ignored (counted). Every retry_frames frames without an answer
 *               the same request (same id, same window) is sent again; after
 *               timeout_frames frames the fallback decides: fail-open accepts,
 *               fail-closed rejects.
 *
 * A decision accepts when the Judge's probability, as score_q16 = p * 65536,
 * exceeds cutoff_q16 (the largest S with S / 65536 <= the stage's cutoff). A
 * device Judge's output byte q (probability q / 256) is score q << 8, so the
 * comparison is exactly p > cutoff; a server's float probability is floored to
 * 1/65536 on the host.
 *
 * The ring holds frames_before + frames_after frames, plus timeout_frames for a
 * server Judge: frames keep arriving while a request waits, and the window of a
 * pending request must stay intact for its retransmissions until the timeout
 * (hk_cascade_ring_bytes).
 *
 * Time is counted in feature frames (10 ms of audio each): on a device the
 * microphone is the clock. The Judge on the device runs inside
 * hk_cascade_frame (about 4.6 M MACs for Harken's device Judge); on a single
 * core the audio driver must buffer that long, or the Judge runs on a second core.
 */
#ifndef HARKEN_CASCADE_H
#define HARKEN_CASCADE_H

#include <stddef.h>
#include <stdint.h>

#include "harken/hk_model.h"
#include "harken/hk_wake.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    HK_CASCADE_OK = 0,
    HK_CASCADE_ERR_NULL = 1,     /* a pointer the placement needs is NULL */
    HK_CASCADE_ERR_CONFIG = 2,   /* a field out of range (see hk_cascade_config_t) */
    HK_CASCADE_ERR_RING = 3,     /* the ring is smaller than hk_cascade_ring_bytes() */
    HK_CASCADE_ERR_JUDGE = 4     /* the Judge's input is not the window's size */
};

enum {
    HK_CASCADE_ON_DEVICE = 0,    /* the Judge's generated C, called through an hk_model_api_t */
    HK_CASCADE_ON_SERVER = 1     /* the window goes out through the send callback */
};

enum {
    HK_CASCADE_FAIL_OPEN = 0,    /* no answer in time: trust the Sentry */
    HK_CASCADE_FAIL_CLOSED = 1   /* no answer in time: reject */
};

typedef struct {
    int32_t channels;            /* int8 features per frame, >= 1 */
    int32_t frames_before;       /* >= 1 */
    int32_t frames_after;        /* >= 0 */
    int32_t zero_code;           /* the int8 code of a zero feature (the Sentry's input zero point) */
    int32_t placement;           /* HK_CASCADE_ON_DEVICE or HK_CASCADE_ON_SERVER */
    int32_t cutoff_q16;          /* accept when score_q16 > this; -1 accepts everything, 65535 nothing */
    int32_t judge_output_int8;   /* device: the Judge's probability is int8 (zero point -128), else uint8 */
    int32_t fallback;            /* server: HK_CASCADE_FAIL_OPEN or HK_CASCADE_FAIL_CLOSED */
    int32_t timeout_frames;      /* server: frames after the request until the fallback decides, >= 1 */
    int32_t retry_frames;        /* server: frames between retransmissions, >= 1 (>= timeout: none) */
} hk_cascade_config_t;

/* One trigger and what the cascade made of it. Frames count from 0 since reset;
 * a trigger's frame is the last frame of the Sentry step that fired. */
typedef struct {
    uint32_t id;                 /* request id: 1, 2, ... never reused until 2^32 triggers */
    uint32_t trigger_step;
    uint32_t trigger_frame;
    uint32_t decided_frame;      /* the frame during or after which the decision was made */
    int32_t sentry_sum;          /* the detector's window sum when it fired */
    uint16_t score_q16;          /* the Judge's probability * 65536 (0 when not judged) */
    uint8_t judged;              /* 1: scored by the Judge; 0: the fallback decided (timeout) */
    uint8_t accepted;
} hk_cascade_decision_t;

typedef void (*hk_cascade_decision_fn)(void *context, const hk_cascade_decision_t *decision);

/* Server placement: send request `id`'s window, oldest frame first, as two spans
 * (the ring wraps): first[0..first_bytes) then second[0..second_bytes). Called
 * again with the same id and bytes for a retransmission. */
typedef void (*hk_cascade_send_fn)(void *context, uint32_t id, const int8_t *first, size_t first_bytes,
                                   const int8_t *second, size_t second_bytes);

typedef struct {
    hk_cascade_config_t cfg;
    int8_t *ring;
    int32_t ring_frames;
    int32_t window_frames;
    int32_t head;                /* slot of the next frame */
    int32_t window_start;        /* slot of the pending window's oldest frame */
    uint32_t frames;             /* frames since reset */
    int32_t state;
    int32_t frames_left;         /* COLLECTING: frames still to come */
    int32_t waited;              /* WAITING: frames since the request was first sent */
    int32_t has_decided;
    uint32_t last_decided_frame;
    uint32_t next_id;
    hk_cascade_decision_t current;
    const hk_model_api_t *judge;
    hk_cascade_send_fn send;
    hk_cascade_decision_fn on_decision;
    void *context;
    /* Counters since reset. */
    uint32_t triggers;           /* every trigger, taken or not */
    uint32_t dropped;            /* triggers that came while a decision was pending */
    uint32_t decisions;
    uint32_t requests;           /* windows sent, retransmissions included */
    uint32_t retransmissions;
    uint32_t ignored_answers;    /* late, duplicate or unknown answers */
} hk_cascade_t;

/* Ring bytes the configuration needs (0 when it is out of range). */
size_t hk_cascade_ring_bytes(const hk_cascade_config_t *cfg);

/* `ring` (ring_bytes >= hk_cascade_ring_bytes) is the caller's, as is the Judge:
 * `judge` for HK_CASCADE_ON_DEVICE (its input must be the window's size), `send`
 * for HK_CASCADE_ON_SERVER; the other may be NULL. on_decision may be NULL.
 * Returns HK_CASCADE_OK or HK_CASCADE_ERR_*; starts reset. */
int hk_cascade_init(hk_cascade_t *c, const hk_cascade_config_t *cfg, int8_t *ring, size_t ring_bytes,
                    const hk_model_api_t *judge, hk_cascade_send_fn send, hk_cascade_decision_fn on_decision,
                    void *context);

/* The ring back to zero_code, no pending trigger, frame count and counters 0.
 * Request ids keep counting, so an answer meant for a request before the reset
 * never matches one after it. */
void hk_cascade_reset(hk_cascade_t *c);

/* The next feature frame (cfg.channels int8 codes). */
void hk_cascade_frame(hk_cascade_t *c, const int8_t *frame);

/* The Sentry fired at `step`, whose last frame is the latest frame given.
 * Returns 1 when the trigger was taken, 0 when it was dropped. */
int hk_cascade_trigger(hk_cascade_t *c, uint32_t step, int32_t sentry_sum);

/* A server's answer to request `id`. Returns 1 when it decided the pending
 * request, 0 when it was ignored. */
int hk_cascade_answer(hk_cascade_t *c, uint32_t id, uint16_t score_q16);

/* Feeds `wake`'s quantized frames and detections to the cascade (hk_wake's hooks). */
void hk_cascade_attach(hk_cascade_t *c, hk_wake_t *wake);

#ifdef __cplusplus
}
#endif

#endif
