/*
 * The kernel check as a micro:bit firmware (QEMU -M microbit: Cortex-M0, 16
 * KiB of RAM): the scalar-core families only (build.sh defines
 * HK_DSP_CHECK_SCALAR_ONLY), results on UART0, then the emulator is stopped
 * with a semihosting SYS_EXIT as on the MPS2 boards (status 0 for PASS, 1 for
 * FAIL; run QEMU with -semihosting-config enable=on,target=native and
 * -no-reboot, see README.md).
 */
#include "hk_dsp_check.h"
#include "hk_nrf51.h"
#include "hk_dsp_check_arm_exit.h"

int main(void)
{
    hk_dsp_check_io_t io;
    int32_t bad;

    hk_nrf51_uart_init();
    hk_nrf51_cycles_init();
    io.write = hk_nrf51_uart_write;
    io.cycles = hk_nrf51_cycles;
    bad = hk_dsp_check_run(&io, 0);
    semihosting_exit(bad == 0);
    for (;;) {
        __asm__ volatile("wfi" ::: "memory");
    }
}
