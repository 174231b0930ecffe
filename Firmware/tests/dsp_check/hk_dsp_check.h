/*
 * Randomised comparison of the Cortex-M DSP kernel variants (hk_*_dsp) with
 * the reference kernels, byte for byte. Portable: the board (or host) main
 * supplies a text sink and a cycle counter.
 */
#ifndef HARKEN_DSP_CHECK_H
#define HARKEN_DSP_CHECK_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    void (*write)(const uint8_t *data, size_t n); /* text out, no terminator needed */
    uint32_t (*cycles)(void);                     /* free-running counter, wraps mod 2^32 */
} hk_dsp_check_io_t;

/* Runs every case and prints one summary line per kernel, a few bench lines
 * and "DSP CHECK PASS" or "DSP CHECK FAIL". Returns the number of mismatching
 * cases (0 = pass). cases_per_kernel <= 0 uses the default (400). */
int32_t hk_dsp_check_run(const hk_dsp_check_io_t *io, int32_t cases_per_kernel);

#endif
