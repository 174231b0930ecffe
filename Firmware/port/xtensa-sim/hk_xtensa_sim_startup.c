/*
 * Vectors, reset and exception handling for the Xtensa sim port.
 *
 * QEMU's sim machine starts the lx106 at its reset vector, 0x5000_0000 (the
 * start of "sysrom0", which QEMU backs with RAM), whatever the ELF's entry point
 * says; the linker script puts the vector table there, and VECBASE is pointed at
 * the same table so that one 128-byte block holds every vector. Vectors sit at
 * fixed offsets 16 or 32 bytes apart, so each is a single jump. GCC has no naked
 * functions for Xtensa, so the code that must run before C (no stack yet) and the
 * exception handlers that must not touch the stack are file-scope assembly.
 *
 * A fault (any exception other than the idle timer's interrupt) restarts the
 * firmware from the start: the sim machine has no reset device, and the start
 * sequence sets every piece of state the firmware relies on (PS, VECBASE,
 * INTENABLE, the stack, .data and .bss, the counters), so the host sees BOOT
 * after a crash as it would after a watchdog reset.
 */
#include "hk_xtensa_sim.h"

#include "harken/hk_port_memory.h"

#include <string.h>

/* Painted into the unused stack at reset; STATS reports how far down it was
 * overwritten. A live word that happens to equal it at the boundary under-reports
 * by one word, which is noise next to a model's stack. */

/* From the linker script (xtensa_sim.ld). Only their addresses mean anything. */

int main(void);
void hk_xtensa_sim_reset(void);

/* Vector offsets from VECBASE on the lx106 configuration: debug (level 2) 0x10,
 * NMI (level 3) 0x20, kernel exception 0x30, user exception 0x50, double
 * exception 0x70. The reset vector is the table's own start (VECBASE and reset
 * vector coincide at 0x5000_0000), which leaves 16 bytes for the jump to start.
 *
 * Start: PS = 0 (interrupt level 0, EXCM clear so exceptions are ordinary, UM
 * clear so they go to the kernel vector), no interrupt enabled, sp at the top of
 * the stack; then C. The same code serves as the fault handler. */
__asm__(
    "    .section .hk_vectors, \"ax\"\n"
    "    .global hk_xtensa_sim_vectors\n"
    "hk_xtensa_sim_vectors:\n"
    "    j hk_xtensa_sim_start\n"
    "    .org 0x10\n"
    "    j hk_xtensa_sim_fault\n"
    "    .org 0x20\n"
    "    j hk_xtensa_sim_fault\n"
    "    .org 0x30\n"
    "    j hk_xtensa_sim_kernel_exception\n"
    "    .org 0x50\n"
    "    j hk_xtensa_sim_fault\n"
    "    .org 0x70\n"
    "    j hk_xtensa_sim_fault\n"
    "\n"
    "    .section .text.hk_xtensa_sim_start, \"ax\"\n"
    "    .align 4\n"
    "    .global hk_xtensa_sim_start\n"
    "hk_xtensa_sim_start:\n"
    "hk_xtensa_sim_fault:\n"
    "    movi a0, 0\n"
    "    wsr.intenable a0\n"
    "    movi a2, hk_xtensa_sim_vectors\n"
    "    wsr.vecbase a2\n"
    "    movi a1, __hk_stack_top\n"
    "    wsr.ps a0\n"
    "    rsync\n"
    "    call0 hk_xtensa_sim_reset\n"
    "1:  j 1b\n"
    "\n"
    /* The only exception expected is the level-1 interrupt of the idle timer
     * (hk_xtensa_sim_console.c), taken only inside WAITI: disable it and return.
     * Anything else is a fault. EXCSAVE1 holds a2 meanwhile, so no stack is
     * needed, which also keeps a stack overflow (an access below RAM, which
     * QEMU answers with a PIF address error) from faulting again here. */
    "    .align 4\n"
    "hk_xtensa_sim_kernel_exception:\n"
    "    wsr.excsave1 a2\n"
    "    rsr.exccause a2\n"
    "    beqi a2, 4, 1f\n"
    "    j hk_xtensa_sim_fault\n"
    "1:  movi a2, 0\n"
    "    wsr.intenable a2\n"
    "    rsr.excsave1 a2\n"
    "    rfe\n");

void hk_xtensa_sim_reset(void)
{
    hk_port_init_sections();

    /* Paint the stack below the current frame; everything above sp (a1) is this
     * function's own frame and counts as used. */
    uintptr_t sp;
    __asm volatile("mov %0, a1" : "=r"(sp));
    for (volatile uint32_t *w = &__hk_stack_bottom; (uintptr_t)w < sp; w++) {
        *w = HK_STACK_PAINT;
    }

    (void)main();
}
