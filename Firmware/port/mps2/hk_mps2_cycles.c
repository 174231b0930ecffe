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
 * Repeatable to the instruction: SysTick is stopped while the core sleeps for
 * serial input (hk_mps2_cycles_pause/resume around WFI). While asleep QEMU's
 * virtual clock follows the host's real time; QEMU restarts a stopped SysTick's
 * tick period at the instruction that enables it, so after each sleep the tick
 * grid is again a fixed number of instructions from the code that runs, and a
 * span that contains no sleep (an inference) gives the same count every run.
 * Without -icount the virtual clock is the host's real time and the counts are
 * nanoseconds of emulation, which vary.
 *
 * On real MPS2 hardware the DWT probe succeeds: counts are core clock cycles,
 * cpu_hz is the board's clock, and pausing is not needed.
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
    /* Full 24-bit period: the wrap interrupt comes every 2^24 ticks (0.67 s of
     * virtual time at 25 MHz) and costs a handful of instructions. */
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
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
    /* (wraps, VAL) must be one consistent pair. With interrupts masked the wrap
     * count cannot change under us, but the counter can wrap with its interrupt
     * still pending: then VAL is re-read after the reload and the pending wrap is
     * counted here. */
    uint32_t primask;
    __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    uint32_t wraps = systick_wraps;
    uint32_t val = SYST_CVR;
    if (SCB_ICSR & ICSR_PENDSTSET) {
        val = SYST_CVR;
        wraps++;
    }
    __asm volatile("msr primask, %0" ::"r"(primask) : "memory");
    /* SysTick counts down from 0xFFFFFF; elapsed ticks, modulo 2^32 like the result. */
    uint32_t ticks = (wraps << 24) + (0x00FFFFFFu - val);
    return ticks * ticks_scale;
}
