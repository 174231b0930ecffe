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

#define SEMIHOSTING_SYS_EXIT 0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u /* QEMU: exit status 0 */
#define ADP_STOPPED_RUNTIME_ERROR 0x20023u     /* QEMU: exit status 1 */

static void semihosting_exit(int pass)
{
    register uint32_t r0 __asm__("r0") = SEMIHOSTING_SYS_EXIT;
    register uint32_t r1 __asm__("r1") =
        pass ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR;
    __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
}

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
