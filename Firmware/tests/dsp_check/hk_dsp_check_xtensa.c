/*
 * The kernel check as a firmware for QEMU's Xtensa sim machine (lx106): the
 * scalar-core families only (build.sh defines HK_DSP_CHECK_SCALAR_ONLY),
 * results on the simulator console, then the simulator is stopped with the
 * SIMCALL exit call (1), whose argument becomes QEMU's exit status (0 for
 * PASS, 1 for FAIL). Run with -semihosting.
 */
#include "hk_dsp_check.h"
#include "hk_xtensa_sim.h"

enum { SIM_EXIT = 1 };

static void sim_exit(int32_t status)
{
    register int32_t a2 __asm__("a2") = SIM_EXIT;
    register int32_t a3 __asm__("a3") = status;
    __asm volatile("simcall" : "+r"(a2) : "r"(a3) : "memory");
}

int main(void)
{
    hk_dsp_check_io_t io;
    int32_t bad;

    hk_xtensa_sim_cycles_init();
    io.write = hk_xtensa_sim_console_write;
    io.cycles = hk_xtensa_sim_cycles;
    bad = hk_dsp_check_run(&io, 0);
    sim_exit(bad == 0 ? 0 : 1);
    for (;;) {
    }
}
