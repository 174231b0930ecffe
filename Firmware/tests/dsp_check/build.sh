#!/bin/sh
# Builds the kernel check firmware (specification, reference and DSP variant of
# each optimised kernel) for QEMU's MPS2 boards.
#   Firmware/tests/dsp_check/build.sh BOARD OUT.elf
# BOARD: an386 (Cortex-M4), an500 (Cortex-M7) or an505 (Cortex-M33).
# The flags are the MPS2 targets' (Targets/qemu-mps2-*.yaml cflags) plus the
# bare-metal template's (-O2 -ffunction-sections -fdata-sections, nano.specs,
# --gc-sections), with -std=c99 -Werror. Run the result as README.md says.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 an386|an500|an505 OUT.elf" >&2
    exit 2
fi
board=$1
out=$2
case "$board" in
    an386) cpu="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" ;;
    an500) cpu="-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16 -DHK_TUNE_DUAL_ISSUE" ;;
    an505) cpu="-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16" ;;
    *) echo "unknown board '$board' (an386, an500 or an505)" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
fw=$(cd "$here/../.." && pwd)
port="$fw/port/mps2"
k="$fw/kernels"
spec="$fw/tests/kernel_spec"
# The ports' shared memory bookkeeping (not the bench entry point: this image has its own main).
set -- "$fw/port/common/hk_port_memory.c"
# shellcheck disable=SC2086 # $cpu is a list of flags
arm-none-eabi-gcc $cpu -std=c99 -O2 -ffunction-sections -fdata-sections -Wall -Wextra -Werror \
    -I"$fw/include" -I"$k" -I"$port" -I"$here" -I"$spec" \
    "$here/hk_dsp_check.c" "$here/hk_dsp_check_mps2.c" \
    "$spec/hk_conv2d_s8_spec.c" "$spec/hk_dwconv2d_s8_spec.c" "$spec/hk_fully_connected_s8_spec.c" "$k/hk_fixedpoint.c" \
    "$k/hk_conv2d_s8.c" "$k/hk_conv2d_s8_dsp.c" "$k/hk_conv2d_tiles_s8_dsp.c" \
    "$k/hk_dwconv2d_s8.c" "$k/hk_dwconv2d_s8_dsp.c" "$k/hk_dwconv2d_3x3_s8_dsp.c" \
    "$k/hk_fully_connected_s8.c" "$k/hk_fully_connected_s8_dsp.c" \
    "$port/hk_mps2_startup.c" "$port/hk_mps2_uart.c" "$port/hk_mps2_cycles.c" "$port/hk_mps2_$board.c" "$@" \
    -nostartfiles --specs=nano.specs -T"$port/mps2_$board.ld" -L"$port" -Wl,--gc-sections \
    -lc -lm -lnosys -o "$out"
