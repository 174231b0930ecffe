/*
 * Reset, vector table and exception handlers for the micro:bit (nRF51, Cortex-M0)
 * port, in C: the hardware loads SP from entry 0 and jumps to entry 1, so nothing
 * needs to run before C can. The same layout as the MPS2 port's startup, minus the
 * FPU (the M0 has none).
 */
#include "hk_nrf51.h"

#include "harken/hk_port_memory.h"

#include <string.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SCB_AIRCR REG32(0xE000ED0Cu)

/* Painted into the unused stack at reset; STATS reports how far down it was
 * overwritten. A live word that happens to equal it at the boundary under-reports
 * by one word, which is noise next to a model's stack. */

/* From the linker script (nrf51_microbit.ld). Only their addresses mean anything. */

int main(void);
void hk_nrf51_reset(void);
void hk_nrf51_fault(void);
void hk_nrf51_ignore(void);
void hk_nrf51_irq(void);

typedef void (*hk_vector_t)(void);

/* 16 system exceptions and the nRF51's 32 peripheral interrupts (UART0 is IRQ 2).
 * The M0 has no VTOR: the table must sit at address 0. */
__attribute__((section(".vectors"), used))
const hk_vector_t hk_nrf51_vectors[16 + 32] = {
    (hk_vector_t)(uintptr_t)&__hk_stack_top,
    hk_nrf51_reset,
    hk_nrf51_fault,      /* NMI */
    hk_nrf51_fault,      /* HardFault */
    0, 0, 0, 0, 0, 0, 0, /* reserved on Armv6-M */
    hk_nrf51_ignore,     /* SVCall */
    0, 0,
    hk_nrf51_ignore,     /* PendSV */
    hk_nrf51_systick_isr, /* SysTick */
    /* External interrupts: none is ever taken (UART0's only ends WFI, see
     * hk_nrf51_uart.c); a stray one is switched off. Designated ranges are GNU C, so the
     * 32 entries are spelled out. */
    hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq,
    hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq,
    hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq,
    hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq, hk_nrf51_irq
};

void hk_nrf51_reset(void)
{
    hk_port_init_sections();

    /* Paint the stack below the current frame; everything above SP is this
     * function's own frame and counts as used. */
    uintptr_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    for (volatile uint32_t *w = &__hk_stack_bottom; (uintptr_t)w < sp; w++) {
        *w = HK_STACK_PAINT;
    }

    (void)main();
    for (;;) {
    }
}

/* A fault restarts the board (SYSRESETREQ) rather than hanging it: the firmware
 * then sends BOOT, which tells the host that its request crashed the device. */
void hk_nrf51_fault(void)
{
    __asm volatile("dsb" ::: "memory");
    SCB_AIRCR = (0x05FAu << 16) | (1u << 2);
    __asm volatile("dsb" ::: "memory");
    for (;;) {
    }
}

void hk_nrf51_ignore(void)
{
}

/* A stray peripheral interrupt is switched off rather than returned from: a level
 * interrupt that nobody clears would otherwise re-enter forever. */
void hk_nrf51_irq(void)
{
    uint32_t ipsr;
    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    REG32(0xE000E180u) = 1u << ((ipsr - 16u) & 31u); /* NVIC_ICER0 */
}
