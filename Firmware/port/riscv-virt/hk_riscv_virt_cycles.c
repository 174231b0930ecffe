/*
 * The port's cycle counter: the mcycle CSR, low 32 bits (the harness only ever
 * takes differences of two readings, modulo 2^32).
 *
 * What the number means on QEMU. QEMU (7.2 checked) models no pipeline: mcycle is
 * its virtual clock in nanoseconds. Run it with `-icount shift=0`: the virtual
 * clock then advances exactly 1 ns per executed instruction, so mcycle counts
 * executed instructions and the port reports cpu_hz = 1 GHz. QEMU brings its
 * instruction count up to date before a counter CSR is read under -icount, so
 * the count is exact to the instruction (checked: a 2000-instruction loop reads
 * 2005 every time, the rest being the reading's own call and return): a span
 * with no sleep in it (one inference) gives the same count every run, and,
 * unlike SysTick on the MPS2 boards, there is no tick phase to restart. While
 * the hart sleeps in WFI for serial input the virtual clock follows the host's
 * real time, so spans that include waiting (none the harness measures) are not
 * repeatable.
 * Without -icount mcycle is the host's time-stamp counter, which varies.
 *
 * On real rv32 hardware mcycle counts core clock cycles; the ESP32-C3 has no
 * mcycle and needs its own counter in its own port.
 */
#include "hk_riscv_virt.h"

/* QEMU's virtual clock under -icount shift=0: one instruction per nanosecond. */
#define ICOUNT_HZ 1000000000u

uint32_t hk_riscv_virt_cycles(void)
{
    uint32_t value;
    /* Zicsr named here rather than in -march: see hk_riscv_virt_startup.c. */
    __asm volatile(".option push\n\t.option arch, +zicsr\n\tcsrr %0, mcycle\n\t.option pop" : "=r"(value));
    return value;
}

uint32_t hk_riscv_virt_cycles_hz(void)
{
    return ICOUNT_HZ;
}
