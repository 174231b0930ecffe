/*
 * The port's cycle counter: the Debug option's ICOUNT register, which counts
 * executed instructions, extended in software so that it wraps at 2^32 like a
 * free-running counter.
 *
 * What the number means. QEMU (7.2 checked) clocks CCOUNT from its virtual clock
 * at the core's 40 MHz: under -icount shift=0 one tick per 25 instructions, with
 * a tick phase that depends on how long the core slept waiting for input, so
 * CCOUNT differences are neither fine nor repeatable; and CCOUNT cannot restart
 * its phase (writing it moves the count, not the tick boundaries). ICOUNT does not
 * depend on any clock: QEMU adds one per executed instruction while the current
 * interrupt level (CINTLEVEL) is below ICOUNTLEVEL. With ICOUNTLEVEL = 1 it
 * counts everything the firmware runs at level 0, and stops in the exception
 * handler (EXCM raises CINTLEVEL to 1); the idle loop's SIMCALL polls run at
 * level 0 too but never inside a measured span. So a "cycle" here is one
 * executed instruction, exact and the same every run, and the port reports
 * cpu_hz = 1 GHz (one instruction per nanosecond) as the other QEMU stand-ins do.
 * No -icount option is needed for it.
 *
 * ICOUNT raises a debug exception instead of wrapping from 0xFFFFFFFF to 0, so
 * the register is folded into a software offset once it passes 2^31, long
 * before that; the fold accounts for its own instructions, so the extended count
 * stays exact.
 *
 * On a real lx106 or ESP32 core ICOUNT is the debugger's single-step counter;
 * count with CCOUNT there (core clock cycles).
 */
#include "hk_xtensa_sim.h"

/* The count the harness reads is offset + ICOUNT. */
static uint32_t offset;

#define FOLD_AT 0x80000000u

void hk_xtensa_sim_cycles_init(void)
{
    uint32_t zero = 0;
    uint32_t level = 1;
    offset = 0;
    __asm volatile("wsr.icount %0\n\twsr.icountlevel %1\n\tisync" ::"r"(zero), "r"(level) : "memory");
}

/* Moves ICOUNT into offset and restarts it from 0. On QEMU the value RSR reads
 * includes the RSR itself, and WSR replaces the count without counting itself,
 * so when ICOUNT restarts at 0 after WSR the count had reached read + 1.
 * Checked: a span whose closing reading folds comes out longer than the same
 * span without a fold by exactly the instructions the fold path adds (11 with
 * GCC 12 at -O2). */
static void fold(void)
{
    uint32_t read;
    uint32_t zero = 0;
    __asm volatile("rsr.icount %0\n\twsr.icount %1\n\tisync" : "=&r"(read) : "r"(zero) : "memory");
    offset += read + 1u;
}

uint32_t hk_xtensa_sim_cycles(void)
{
    uint32_t count;
    __asm volatile("rsr.icount %0" : "=r"(count));
    if (count >= FOLD_AT) {
        fold();
        __asm volatile("rsr.icount %0" : "=r"(count));
    }
    return offset + count;
}

uint32_t hk_xtensa_sim_cycles_hz(void)
{
    return 1000000000u;
}
