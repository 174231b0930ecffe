/*
 * The port's cycle counter: DWT CYCCNT where the core has a working one, else
 * SysTick extended to 32 bits in software.
 *
 * What the number means on QEMU. QEMU (7.2 checked) reads DEMCR and the DWT as
 * zero and ignores writes, so the probe below falls back to SysTick, which QEMU
 * clocks from the board's system clock (25 MHz on AN386/AN500, 20 MHz on AN505).
 * Run QEMU with `-icount shift=0`: the virtual clock then advances exactly 1 ns per
 * executed instruction, so one SysTick tick is 40 (AN386/AN500) or 50 (AN505)
 * instructions. The port scales ticks by that ratio and reports cpu_hz = 1 GHz:
 * a "cycle" is one executed instruction (QEMU models no pipeline, cache or wait
 * state), counted in steps of 40 or 50.
 *
 * Repeatable from run to run. A span of N instructions covers floor(N / 40)
 * ticks or one more, depending on where in a tick it starts, and that phase is
 * not repeatable: while the core sleeps for serial input QEMU's virtual clock
 * follows the host's real time. So every reading stops SysTick, reads the frozen
 * count and starts it again: QEMU begins a new tick period at the instruction
 * that re-enables it, and the next reading is then a fixed number of ticks away
 * for a fixed number of instructions. A span between two readings with no sleep
 * in it (one inference) counts the same every run, to the tick (checked: a
 * 100,000-instruction loop reads 100,000 after any delay; 300 STEPs of hey_jarvis
 * give identical counts on every run). The price is up to one tick lost per
 * reading, so the counter is monotonic but long differences across many readings
 * run a little short; spans between consecutive readings are exact to the tick.
 * SysTick is also stopped while the core sleeps (hk_mps2_cycles_pause/resume
 * around WFI), so an idle board is not woken by wrap interrupts. A wrap (one per
 * 2^24 ticks of computing, 671 M instructions) adds its handler's few
 * instructions to the span it falls in.
 * Without -icount the virtual clock is the host's real time and the counts are
 * nanoseconds of emulation, which vary.
 *
 * On real MPS2 hardware the DWT probe succeeds: counts are core clock cycles,
 * cpu_hz is the board's clock, and pausing is not needed. (The SysTick scaling
 * above assumes QEMU; it is only used where the DWT does not count.)
 */
#include "hk_mps2.h"

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define DEMCR REG32(0xE000EDFCu)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CYCCNT REG32(0xE0001004u)
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SCB_ICSR REG32(0xE000ED04u)

#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL_CYCCNTENA (1u << 0)
#define DWT_CTRL_NOCYCCNT (1u << 25)
#define SYST_ENABLE (1u << 0)
#define SYST_TICKINT (1u << 1)
#define SYST_CLKSOURCE_CPU (1u << 2)
#define ICSR_PENDSTSET (1u << 26)

/* QEMU's virtual clock under -icount shift=0: one instruction per nanosecond. */
#define ICOUNT_HZ 1000000000u

/* SysTick reload value: the full 24 bits, so a wrap interrupt comes once per
 * 2^24 ticks (0.67 s of virtual time at 25 MHz). Overridable only to test the
 * wrap arithmetic with short periods. */
#ifndef HK_MPS2_SYSTICK_RELOAD
#define HK_MPS2_SYSTICK_RELOAD 0x00FFFFFFu
#endif
#define SYST_PERIOD (HK_MPS2_SYSTICK_RELOAD + 1u)

static int use_dwt;
static uint32_t ticks_scale; /* instructions per SysTick tick */
static volatile uint32_t systick_wraps;

void hk_mps2_systick_isr(void)
{
    systick_wraps++;
}

void hk_mps2_cycles_init(void)
{
    DEMCR |= DEMCR_TRCENA;
    if ((DWT_CTRL & DWT_CTRL_NOCYCCNT) == 0) {
        DWT_CYCCNT = 0;
        DWT_CTRL |= DWT_CTRL_CYCCNTENA;
        for (volatile int i = 0; i < 16; i++) {
        }
        use_dwt = DWT_CYCCNT != 0;
    }
    if (use_dwt) {
        return;
    }
    SYST_RVR = HK_MPS2_SYSTICK_RELOAD;
    SYST_CVR = 0; /* the count reloads on the next tick, without a wrap interrupt */
    SYST_CSR = SYST_CLKSOURCE_CPU | SYST_TICKINT | SYST_ENABLE;
    ticks_scale = ICOUNT_HZ / hk_mps2_board.sysclk_hz;
}

void hk_mps2_cycles_pause(void)
{
    if (!use_dwt) {
        SYST_CSR = SYST_CLKSOURCE_CPU | SYST_TICKINT;
    }
}

void hk_mps2_cycles_resume(void)
{
    if (!use_dwt) {
        SYST_CSR = SYST_CLKSOURCE_CPU | SYST_TICKINT | SYST_ENABLE;
    }
}

uint32_t hk_mps2_cycles_hz(void)
{
    return use_dwt ? hk_mps2_board.sysclk_hz : hk_mps2_board.sysclk_hz * ticks_scale;
}

uint32_t hk_mps2_cycles(void)
{
    if (use_dwt) {
        return DWT_CYCCNT;
    }
    uint32_t primask;
    __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    /* Stop, read, restart: the value read is exactly the count the restarted
     * counter continues from, and its tick period starts at the restart, so the
     * next reading is a fixed number of ticks away for a fixed number of
     * instructions (see the top of the file). Reading before stopping would let a
     * tick edge fall between the two, depending on the phase. */
    SYST_CSR = SYST_CLKSOURCE_CPU | SYST_TICKINT;
    uint32_t val = SYST_CVR;
    /* With interrupts masked the wrap count cannot change under us; a wrap whose
     * interrupt is still pending is counted here (the handler counts it again in
     * systick_wraps once interrupts are unmasked). */
    uint32_t wraps = systick_wraps + ((SCB_ICSR & ICSR_PENDSTSET) ? 1u : 0u);
    SYST_CSR = SYST_CLKSOURCE_CPU | SYST_TICKINT | SYST_ENABLE;
    __asm volatile("msr primask, %0" ::"r"(primask) : "memory");
    /* The counter runs RELOAD, ..., 1, 0 and then reloads; the wrap interrupt is
     * raised as it reaches 0, so a 0 already belongs to the next wrap count. All
     * arithmetic is modulo 2^32, like the result. */
    uint32_t ticks = val != 0 ? wraps * SYST_PERIOD + (HK_MPS2_SYSTICK_RELOAD - val) : wraps * SYST_PERIOD - 1u;
    return ticks * ticks_scale;
}
