/*
 * The DSP kernel check as an MPS2 firmware (QEMU mps2-an386 = Cortex-M4,
 * mps2-an500 = Cortex-M7, mps2-an505 = Cortex-M33): results on UART0, then the
 * emulator is stopped. Built by build.sh; see README.md for the QEMU command.
 *
 * Stopping: a semihosting SYS_EXIT (QEMU with -semihosting-config
 * enable=on,target=native) ends QEMU with status 0 for PASS and 1 for FAIL.
 * Without semihosting the BKPT faults, the port's fault handler requests a
 * system reset, and QEMU run with -no-reboot exits on that instead of
 * rebooting; the UART lines say what happened either way.
 */
#include "hk_dsp_check.h"
#include "hk_mps2.h"
#include "hk_dsp_check_arm_exit.h"

int main(void)
{
    hk_dsp_check_io_t io;
    int32_t bad;

    hk_mps2_uart_init();
    hk_mps2_cycles_init();
    io.write = hk_mps2_uart_write;
    io.cycles = hk_mps2_cycles;
    bad = hk_dsp_check_run(&io, 0);
    semihosting_exit(bad == 0);
    for (;;) {
        __asm__ volatile("wfi" ::: "memory");
    }
}
