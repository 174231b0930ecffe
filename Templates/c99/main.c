/*
 * Wake-word detection on a stream of 16 kHz mono int16 little-endian PCM read
 * from standard input, for any C99 toolchain (a fixed-point DSP, a host).
 *
 * Everything is integer arithmetic: the frontend, the int8 model and the
 * detector (hk_wake.h); this file only unpacks bytes into samples and prints
 * a line per detection, with times in whole milliseconds. The frontend's
 * tables were computed on the host by `harken firmware` and are const data
 * (model/hk_frontend_tables.c), so no maths library is linked.
 *
 *   ./<name>_wake [--trace] < audio.raw
 *   sox speech.wav -t raw -r 16000 -c 1 -b 16 -e signed-integer -L - | ./<name>_wake
 *
 * Output, one line per detection:
 *   detected <name> step=<step> time_ms=<end of the audio it saw> probability=<0..255>/256 window_mean=<0..1000>/1000
 * with --trace also one line per inference step:
 *   step=<step> time_ms=<end of the audio it saw> probability=<0..255>/256
 * and a summary on standard error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harken/hk_wake.h"

/* Defined by the generated model/hk_model_binding.c. */
extern const hk_model_api_t hk_model;

#define CHUNK_SAMPLES 1600 /* 100 ms per read */
#define SAMPLE_RATE_HZ 16000
#define FRAME_STEP_SAMPLES 160   /* 10 ms hop of the frontend */
#define FRAME_WINDOW_SAMPLES 480 /* 30 ms analysis window */

typedef struct {
    const hk_wake_t *wake;
    unsigned long detections;
} session_t;

/* The last frame of step s is frame (s + 1) * frames_per_step - 1 (0-based);
 * its window ends 480 samples after that frame's hop starts. The same time
 * `harken simulate` reports. */
static unsigned long step_end_ms(const hk_wake_t *w, uint32_t step)
{
    const unsigned long last_frame = ((unsigned long)step + 1UL) * (unsigned long)w->frames_per_step - 1UL;
    const unsigned long end_sample = last_frame * FRAME_STEP_SAMPLES + FRAME_WINDOW_SAMPLES;
    return end_sample / (SAMPLE_RATE_HZ / 1000);
}

static void on_detect(void *context, uint32_t step, uint8_t probability, int32_t window_sum)
{
    session_t *s = (session_t *)context;
    const long window = (long)s->wake->detector.cfg.window;
    /* Mean probability over the window, in thousandths: sum / (256 W). */
    const long mean_permille = window > 0 ? ((long)window_sum * 1000L) / (256L * window) : 0L;
    s->detections++;
    printf("detected %s step=%lu time_ms=%lu probability=%u/256 window_mean=%ld/1000\n", s->wake->model->name,
           (unsigned long)step, step_end_ms(s->wake, step), (unsigned)probability, mean_permille);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static hk_wake_t wake; /* about 6.5 KiB of frontend state: static, not on the stack */
    static unsigned char bytes[CHUNK_SAMPLES * 2];
    static int16_t samples[CHUNK_SAMPLES];
    unsigned long total = 0;
    size_t carry = 0; /* a lone byte left over from an odd-sized read */
    session_t session;
    int trace = 0;
    int rc;

    if (argc == 2 && strcmp(argv[1], "--trace") == 0) {
        trace = 1;
    } else if (argc != 1) {
        fprintf(stderr, "usage: %s [--trace] < audio.raw   (16 kHz mono int16 little-endian PCM)\n", argv[0]);
        return 2;
    }

    session.wake = &wake;
    session.detections = 0;
    rc = hk_wake_init(&wake, &hk_model, on_detect, &session);
    if (rc != 0) {
        fprintf(stderr, "hk_wake_init failed (%d): the model's input is not whole frontend frames\n", rc);
        return 2;
    }
    for (;;) {
        size_t got = fread(bytes + carry, 1, sizeof bytes - carry, stdin);
        size_t n, i;
        if (got == 0) {
            break;
        }
        got += carry;
        n = got / 2;
        for (i = 0; i < n; i++) {
            /* Little-endian int16 regardless of the host's byte order and int width. */
            const int32_t u = (int32_t)bytes[2 * i] | ((int32_t)bytes[2 * i + 1] << 8);
            samples[i] = (int16_t)(u >= 32768 ? u - 65536 : u);
        }
        carry = got - 2 * n;
        if (carry) {
            bytes[0] = bytes[got - 1];
        }
        /* One frontend hop per call: at most one inference step each, so --trace sees every step. */
        for (i = 0; i < n; i += FRAME_STEP_SAMPLES) {
            const uint32_t before = wake.step;
            hk_wake_feed(&wake, samples + i, n - i < FRAME_STEP_SAMPLES ? n - i : FRAME_STEP_SAMPLES);
            if (trace && wake.step != before) {
                printf("step=%lu time_ms=%lu probability=%u/256\n", (unsigned long)before, step_end_ms(&wake, before),
                       (unsigned)wake.last_probability);
            }
        }
        total += (unsigned long)n;
    }
    if (ferror(stdin)) {
        fprintf(stderr, "error reading standard input\n");
        return 1;
    }
    fprintf(stderr, "%s: %lu samples (%lu ms), %lu steps, %lu detection%s\n", hk_model.name, total,
            total / (SAMPLE_RATE_HZ / 1000), (unsigned long)wake.step, session.detections,
            session.detections == 1 ? "" : "s");
    return 0;
}
