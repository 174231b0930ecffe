#!/bin/sh
# Builds the kernel check firmware (specification, reference and optimised
# variant of each optimised kernel) for an emulated board.
#   Firmware/tests/dsp_check/build.sh BOARD OUT.elf
# BOARD: an386 (Cortex-M4), an500 (Cortex-M7), an505 (Cortex-M33): every
# family, the DSP and the scalar-core kernels; microbit (Cortex-M0), riscv
# (rv32imc, QEMU virt), xtensa (lx106, QEMU sim): the scalar-core families only
# (HK_DSP_CHECK_SCALAR_ONLY; the micro:bit's in small buffers and on small
# bench shapes, HK_DSP_CHECK_SMALL_RAM). The flags are the targets' (Targets/*.yaml cflags,
# ldflags and libs) plus the bare-metal template's (-O2 -ffunction-sections
# -fdata-sections, --gc-sections), with -std=c99 -Werror. Run the result as
# README.md says.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 an386|an500|an505|microbit|riscv|xtensa OUT.elf" >&2
    exit 2
fi
board=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
fw=$(cd "$here/../.." && pwd)
k="$fw/kernels"
spec="$fw/tests/kernel_spec"
defs=""
case "$board" in
    an386|an500|an505)
        cc=arm-none-eabi-gcc
        case "$board" in
            an386) cpu="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" ;;
            an500) cpu="-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16" ;;
            *) cpu="-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16" ;;
        esac
        port="$fw/port/mps2"
        main="$here/hk_dsp_check_mps2.c"
        ports="$port/hk_mps2_startup.c $port/hk_mps2_uart.c $port/hk_mps2_cycles.c $port/hk_mps2_$board.c"
        ld="-nostartfiles --specs=nano.specs -T$port/mps2_$board.ld -L$port"
        libs="-lc -lm -lnosys"
        ;;
    microbit)
        cc=arm-none-eabi-gcc
        cpu="-mcpu=cortex-m0 -mthumb -mfloat-abi=soft"
        port="$fw/port/microbit"
        main="$here/hk_dsp_check_microbit.c"
        ports="$port/hk_nrf51_startup.c $port/hk_nrf51_uart.c $port/hk_nrf51_cycles.c"
        ld="-nostartfiles --specs=nano.specs -T$port/nrf51_microbit.ld -L$port"
        libs="-lc -lm -lnosys"
        defs="-DHK_DSP_CHECK_SCALAR_ONLY -DHK_DSP_CHECK_SMALL_RAM"
        ;;
    riscv)
        cc=riscv64-unknown-elf-gcc
        cpu="-march=rv32imc -mabi=ilp32 --specs=picolibc.specs"
        port="$fw/port/riscv-virt"
        main="$here/hk_dsp_check_riscv.c"
        ports="$port/hk_riscv_virt_startup.c $port/hk_riscv_virt_uart.c $port/hk_riscv_virt_cycles.c $port/hk_riscv_virt_board.c"
        ld="-nostartfiles -T$port/riscv_virt.ld -L$port"
        libs="-lc -lgcc"
        defs="-DHK_DSP_CHECK_SCALAR_ONLY"
        ;;
    xtensa)
        cc=xtensa-lx106-elf-gcc
        cpu="--specs=/usr/lib/xtensa-lx106-elf/picolibc.specs"
        port="$fw/port/xtensa-sim"
        main="$here/hk_dsp_check_xtensa.c"
        ports="$port/hk_xtensa_sim_startup.c $port/hk_xtensa_sim_console.c $port/hk_xtensa_sim_cycles.c $port/hk_xtensa_sim_board.c $port/hk_xtensa_sim_libgcc.c"
        ld="-nostartfiles -T$port/xtensa_sim.ld -L$port"
        libs="-lc -lgcc"
        defs="-DHK_DSP_CHECK_SCALAR_ONLY"
        ;;
    *) echo "unknown board '$board' (an386, an500, an505, microbit, riscv or xtensa)" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086 # $cpu, $defs, $ports, $ld and $libs are lists of flags or files
$cc $cpu $defs -std=c99 -O2 -ffunction-sections -fdata-sections -Wall -Wextra -Werror \
    -I"$fw/include" -I"$k" -I"$port" -I"$here" -I"$spec" \
    "$here/hk_dsp_check.c" "$main" \
    "$spec/hk_conv2d_s8_spec.c" "$spec/hk_dwconv2d_s8_spec.c" "$spec/hk_fully_connected_s8_spec.c" "$k/hk_fixedpoint.c" \
    "$k/hk_conv2d_s8.c" "$k/hk_conv2d_s8_dsp.c" "$k/hk_conv2d_tiles_s8_dsp.c" "$k/hk_conv2d_tiles_s8_scalar.c" \
    "$k/hk_dwconv2d_s8.c" "$k/hk_dwconv2d_s8_dsp.c" "$k/hk_dwconv2d_3x3_s8_dsp.c" "$k/hk_dwconv2d_3x3_s8_scalar.c" \
    "$k/hk_fully_connected_s8.c" "$k/hk_fully_connected_s8_dsp.c" "$k/hk_fully_connected_s8_scalar.c" \
    "$k/hk_softmax_s8.c" "$k/hk_softmax_s8_lut.c" "$k/hk_logistic_s8.c" "$k/hk_hard_swish_s8.c" "$k/hk_table_s8.c" \
    $ports "$fw/port/common/hk_port_memory.c" \
    $ld -Wl,--gc-sections $libs -o "$out"
