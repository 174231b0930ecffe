/*
 * The micro:bit port's cycle counter: SysTick (the Cortex-M0 has no DWT cycle
 * counter), rebased at every reading.
 *
 * What the number means on QEMU: with `-icount shift=0` the virtual clock
 * advances 1 ns per executed instruction and SysTick ticks at the 16 MHz HCLK, so
 * one tick is 62.5 instructions. The port reports cpu_hz = 1 GHz and counts
 * instructions: each reading adds floor(62.5 * ticks since the previous reading)
 * to the count, which so loses up to one tick and half an instruction per
 * reading, and a span between two readings with no sleep in it (one inference)
 * repeats exactly from run to run.
 *
 * Why rebase. As on the MPS2 port (Firmware/port/mps2/hk_mps2_cycles.c), the
 * phase of the tick grid must be tied to the instructions, or a span's count
 * wobbles by a tick. Restarting SysTick with its count kept is not enough here:
 * QEMU places the ticks of a 62.5 ns period at whole nanoseconds counted from the
 * restart *and* the count, so their positions depend on the count's parity,
 * which depends on how often the core slept before. Each reading therefore
 * clears the count (it then reads 0 for one tick and reloads to RELOAD), so
 * every span starts from the same state. Scaling the ticks of each span rather
 * than an absolute tick count keeps the instruction count free of the same
 * parity effect. The counter is paused while the core sleeps.
 *
 * A span longer than 2^24 ticks (about 1 G instructions) is counted through the
 * wrap interrupt, to within a tick. On a real micro:bit SysTick counts HCLK
 * cycles, so the scaling would be wrong there: this port is for QEMU.
 */
#include "hk_nrf51.h"

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SCB_ICSR REG32(0xE000ED04u)

#define SYST_ENABLE (1u << 0)
#define SYST_TICKINT (1u << 1)
#define SYST_CLKSOURCE_CPU (1u << 2)
#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSTCLR (1u << 25)

#define SYST_RELOAD 0x00FFFFFFu
#define SYST_PERIOD (SYST_RELOAD + 1u)

static volatile uint32_t systick_wraps; /* wraps since the last reading */
static uint32_t instructions;            /* the count handed out */

void hk_nrf51_systick_isr(void)
{
    systick_wraps++;
}

void hk_nrf51_cycles_init(void)
{
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = SYST_CLKSOURCE_CPU | SYST_TICKINT | SYST_ENABLE;
}

void hk_nrf51_cycles_pause(void)
{
    SYST_CSR = SYST_CLKSOURCE_CPU | SYST_TICKINT;
}

void hk_nrf51_cycles_resume(void)
{
    SYST_CSR = SYST_CLKSOURCE_CPU | SYST_TICKINT | SYST_ENABLE;
}

uint32_t hk_nrf51_cycles(void)
{
    uint32_t primask;
    __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    SYST_CSR = SYST_CLKSOURCE_CPU | SYST_TICKINT;
    uint32_t val = SYST_CVR;
    uint32_t wraps = systick_wraps + ((SCB_ICSR & ICSR_PENDSTSET) ? 1u : 0u);
    /* Rebase: clear the count and any pending wrap, restart the tick grid here. */
    SYST_CVR = 0;
    SCB_ICSR = ICSR_PENDSTCLR;
    systick_wraps = 0;
    SYST_CSR = SYST_CLKSOURCE_CPU | SYST_TICKINT | SYST_ENABLE;
    __asm volatile("msr primask, %0" ::"r"(primask) : "memory");
    /* After a rebase the count reads 0 for one tick, then RELOAD, RELOAD - 1, ...;
     * a full countdown to 0 raises the wrap interrupt. */
    uint32_t ticks = wraps * SYST_PERIOD + (val != 0 ? SYST_PERIOD - val : 0u);
    instructions += (uint32_t)(((uint64_t)ticks * 125u) >> 1);
    return instructions;
}
