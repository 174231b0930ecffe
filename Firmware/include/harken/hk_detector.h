/*
 * Harken streaming detector: microWakeWord's sliding-window mean of the
 * model's probabilities against a cutoff, plus hysteresis and a refractory
 * time so one utterance gives one detection.
 *
 * Each inference step pushes the model's uint8 output q (0..255; microWakeWord
 * models quantize their sigmoid with scale 1/256 and zero point 0, so the
 * probability is q / 256). The detector keeps the last `window` values and
 * their integer sum S. Per push, in this order:
 *
 *   1. the value enters the window (the oldest leaves once it is full);
 *   2. if refractory steps remain, this push cannot fire and uses one up;
 *   3. if disarmed and S <= release_sum, the detector re-arms (this runs
 *      during the refractory time too);
 *   4. it fires (returns 1) when the window is full, it is armed, the push
 *      is not refractory and S > trigger_sum. Firing disarms it, and the
 *      next refractory_steps pushes cannot fire.
 *
 * All comparisons are on integer sums, so the device never divides.
 *
 * Choosing trigger_sum from a float cutoff c (the manifest's
 * probability_cutoff) and window W (sliding_window_size):
 *
 *  - pymicro-wakeword (checked against 2.5.0): it fires when the mean of the
 *    last W probabilities q/256, computed exactly and rounded to a double, is
 *    > c, and only once W values exist. Reproduce it exactly with
 *        trigger_sum = the largest S in [0, 255 W] with (double)S / (256.0 * W) <= c
 *    (the double division must be IEEE, correctly rounded), or -1 if none.
 *    For every cutoff not within a few ulps of a multiple of 1 / (256 W) this
 *    equals floor(c * 256 * W); note that for c = 0.85, W = 5 the exact real
 *    product of the double 0.85 is just below 1088, yet trigger_sum is 1088
 *    (1088 / 1280 rounds to the same double as 0.85, which is not > 0.85).
 *    pymicro-wakeword has no hysteresis or refractory time: it reports a
 *    detection at every step whose mean is above the cutoff. Get that with
 *    release_sum >= 255 * W (always re-armed) and refractory_steps = 0.
 *
 *  - ESPHome's micro_wake_word stores the cutoff on the 0..255 scale as an
 *    integer c8 and fires when S > c8 * W: trigger_sum = c8 * W.
 *
 * A release level below the trigger (e.g. half of it) and a refractory time
 * of about one utterance (e.g. 1 s = 1000 / (step_ms * stride) steps) give
 * one detection per wake word.
 */
#ifndef HARKEN_DETECTOR_H
#define HARKEN_DETECTOR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HK_DETECTOR_MAX_WINDOW 64

enum {
    HK_DET_OK = 0,
    HK_DET_ERR_NULL = 1,      /* a pointer argument was NULL */
    HK_DET_ERR_WINDOW = 2,    /* window < 1 or > HK_DETECTOR_MAX_WINDOW */
    HK_DET_ERR_REFRACTORY = 3 /* refractory_steps < 0 */
};

typedef struct {
    int32_t window;           /* W: probabilities averaged, 1..HK_DETECTOR_MAX_WINDOW */
    int32_t trigger_sum;      /* fire when the window sum is > this */
    int32_t release_sum;      /* re-arm when the window sum is <= this */
    int32_t refractory_steps; /* pushes after a detection that cannot fire */
} hk_detector_config_t;

typedef struct {
    hk_detector_config_t cfg;
    uint8_t ring[HK_DETECTOR_MAX_WINDOW];
    int32_t head;             /* slot the next value goes to */
    int32_t count;            /* values in the window, <= cfg.window */
    int32_t sum;              /* sum of the window, <= 255 * 64: no overflow */
    int32_t armed;
    int32_t refractory_left;
} hk_detector_t;

/* Returns HK_DET_OK or HK_DET_ERR_*; starts empty and armed. */
int hk_detector_init(hk_detector_t *d, const hk_detector_config_t *c);

/* Empties the window, re-arms, clears the refractory time. */
void hk_detector_reset(hk_detector_t *d);

/* Adds one inference's output; returns 1 if this step is a detection. */
int hk_detector_push(hk_detector_t *d, uint8_t prob);

/* Sum of the values currently in the window (the score is sum / (256 * W)). */
int32_t hk_detector_sum(const hk_detector_t *d);

/* Number of values in the window (W once it has filled). */
int32_t hk_detector_count(const hk_detector_t *d);

#ifdef __cplusplus
}
#endif

#endif
