/*
 * Reset and trap handling for the RISC-V virt port.
 *
 * With -bios none QEMU's reset code (in its mask ROM) jumps to the start of RAM,
 * 0x8000_0000, in machine mode, whatever the ELF's entry point says; the linker
 * script puts hk_riscv_virt_start there. The only code that cannot be C is the
 * start, which sets what C needs: sp, and gp for the linker's gp-relative
 * relaxation of accesses to small data.
 */
#include "hk_riscv_virt.h"

#include "harken/hk_port_memory.h"

#include <string.h>

/* Painted into the unused stack at reset; STATS reports how far down it was
 * overwritten. A live word that happens to equal it at the boundary under-reports
 * by one word, which is noise next to a model's stack. */

/* From the linker script (riscv_virt.ld). Only their addresses mean anything. */
extern uint32_t __hk_guard_start;

int main(void);
void hk_riscv_virt_start(void);
void hk_riscv_virt_reset(void);
void hk_riscv_virt_trap(void);

/* CSR instructions belong to Zicsr, which -march=rv32imc does not name (GCC 12
 * follows the 2019 ISA spec that split it out of I). Naming it here instead of in
 * -march keeps the libraries GCC picks for rv32imc (the rv32im multilib). */
#define CSR_WRITE(csr, value) \
    __asm volatile(".option push\n\t.option arch, +zicsr\n\tcsrw " #csr ", %0\n\t.option pop" ::"r"(value) : "memory")

__attribute__((naked, section(".text.hk_start"))) void hk_riscv_virt_start(void)
{
    __asm volatile(
        ".option push\n\t"
        ".option norelax\n\t" /* gp is not set yet, so this one must not be relaxed against it */
        "la gp, __global_pointer$\n\t"
        ".option pop\n\t"
        "la sp, __hk_stack_top\n\t"
        "j hk_riscv_virt_reset");
}

/* PMP configuration: entry 0 off (its address is only the bottom of entry 1's
 * range), entry 1 locked (so it binds machine mode too), top-of-range, no read,
 * write or execute. */
#define PMP_CFG_GUARD (0x88u << 8)

void hk_riscv_virt_reset(void)
{
    /* Every trap (illegal instruction, misaligned or faulting access, a stack
     * overflow into the guard below) restarts the machine. Direct mode: the
     * handler's address must be 4-byte aligned, which its alignment attribute
     * guarantees even with compressed instructions around it. */
    CSR_WRITE(mtvec, (uintptr_t)hk_riscv_virt_trap);

    /* Everything between the end of the image and the bottom of the stack is
     * locked out: a stack overflow (by any frame smaller than that gap, almost
     * 4 MiB) traps instead of silently writing into memory that QEMU happens to
     * back with RAM. The linker script starts the guard on a page boundary so the
     * image's last page keeps QEMU's fast path. */
    CSR_WRITE(pmpaddr0, (uintptr_t)&__hk_guard_start >> 2);
    CSR_WRITE(pmpaddr1, (uintptr_t)&__hk_stack_bottom >> 2);
    CSR_WRITE(pmpcfg0, PMP_CFG_GUARD);

    hk_port_init_sections();

    /* Paint the stack below the current frame; everything above sp is this
     * function's own frame and counts as used. */
    uintptr_t sp;
    __asm volatile("mv %0, sp" : "=r"(sp));
    for (volatile uint32_t *w = &__hk_stack_bottom; (uintptr_t)w < sp; w++) {
        *w = HK_STACK_PAINT;
    }

    (void)main();
    hk_riscv_virt_restart();
}

/* The sifive_test device resets the whole machine (QEMU reloads the image and
 * runs from its reset vector), so the host sees BOOT after a crash, as on a board
 * whose watchdog fired. The reset also unlocks the PMP guard. */
void hk_riscv_virt_restart(void)
{
    *(volatile uint32_t *)hk_riscv_virt_board.test_base = 0x7777u;
    for (;;) {
    }
}

/* Naked: a trap may come from a stack overflow, with sp in the guard, so sp is
 * moved back to the top before any C runs. Nothing on the stack is needed any
 * more: the handler never returns. */
__attribute__((naked, aligned(4))) void hk_riscv_virt_trap(void)
{
    __asm volatile(
        "la sp, __hk_stack_top\n\t"
        "j hk_riscv_virt_restart");
}
