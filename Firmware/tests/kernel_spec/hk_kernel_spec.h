/*
 * The plain loops that specify Harken's optimised int8 kernels: one output
 * value at a time, every product in TFLite's order, then bias,
 * requantization and the clamp, nothing arranged for speed. Each has the
 * signature and contract of the kernel it specifies (hk_kernels.h), so a test
 * can run both on the same case and compare bytes: Firmware/tests/dsp_check
 * compares hk_conv2d_s8, hk_dwconv2d_s8 and hk_fully_connected_s8 (blocked,
 * staged and unrolled) and their _dsp variants with these, on the host and on
 * emulated Cortex-M cores. Test code: not compiled into the runtime or into
 * firmware projects.
 */
#ifndef HARKEN_KERNEL_SPEC_H
#define HARKEN_KERNEL_SPEC_H

#include "harken/hk_kernels.h"

void hk_conv2d_s8_spec(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                       const int32_t *bias, int8_t *output);
void hk_dwconv2d_s8_spec(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                         const int32_t *bias, int8_t *output);
void hk_fully_connected_s8_spec(const hk_fc_params_t *p, const int8_t *input, const int8_t *weights,
                                const int32_t *bias, int8_t *output);

#endif
