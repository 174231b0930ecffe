/*
 * The DSP kernel check on the host: without __ARM_FEATURE_DSP the _dsp kernels
 * build their plain C helpers, which model the instructions lane by lane, so
 * this checks the variants' bookkeeping (staging order, tap pairing, tails)
 * against the reference, and both against the plain-loop specification, on
 * any machine; the scalar-core kernels are plain C everywhere. Exit status 0 =
 * PASS.
 *
 *   cc -std=c99 -O2 -Wall -Wextra -Werror -IFirmware/include -IFirmware/kernels \
 *      -IFirmware/tests/kernel_spec Firmware/tests/kernel_spec/hk_*_spec.c Firmware/kernels/hk_fixedpoint.c \
 *      Firmware/tests/dsp_check/hk_dsp_check.c Firmware/tests/dsp_check/hk_dsp_check_host.c \
 *      Firmware/kernels/hk_conv2d_s8.c Firmware/kernels/hk_conv2d_s8_dsp.c \
 *      Firmware/kernels/hk_conv2d_tiles_s8_dsp.c Firmware/kernels/hk_conv2d_tiles_s8_scalar.c \
 *      Firmware/kernels/hk_dwconv2d_s8.c Firmware/kernels/hk_dwconv2d_s8_dsp.c \
 *      Firmware/kernels/hk_dwconv2d_3x3_s8_dsp.c Firmware/kernels/hk_dwconv2d_3x3_s8_scalar.c \
 *      Firmware/kernels/hk_fully_connected_s8.c Firmware/kernels/hk_fully_connected_s8_dsp.c \
 *      Firmware/kernels/hk_fully_connected_s8_scalar.c \
 *      -o dsp_check && ./dsp_check [cases per kernel]
 *
 * Cycle counts read 0 here (no portable counter in C99).
 */
#include "hk_dsp_check.h"

#include <stdio.h>
#include <stdlib.h>

static void host_write(const uint8_t *data, size_t n)
{
    fwrite(data, 1, n, stdout);
}

static uint32_t host_cycles(void)
{
    return 0;
}

int main(int argc, char **argv)
{
    hk_dsp_check_io_t io;
    io.write = host_write;
    io.cycles = host_cycles;
    return hk_dsp_check_run(&io, argc > 1 ? (int32_t)atoi(argv[1]) : 0) == 0 ? 0 : 1;
}
