/*
 * Reset, vector table and exception handlers for the MPS2 port, in C: the
 * hardware loads SP from entry 0 and jumps to entry 1, so nothing needs to run
 * before C can.
 */
#include "hk_mps2.h"

#include "harken/hk_port_memory.h"

#include <string.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_CPACR REG32(0xE000ED88u)

/* Painted into the unused stack at reset; STATS reports how far down it was
 * overwritten. A live word that happens to equal it at the boundary under-reports
 * by one word, which is noise next to a model's stack. */

/* From the linker script (mps2_*.ld). Only their addresses mean anything. */

int main(void);
void hk_mps2_reset(void);
void hk_mps2_fault(void);
void hk_mps2_ignore(void);
void hk_mps2_irq(void);

typedef void (*hk_vector_t)(void);

/* 16 system exceptions and 48 external interrupts: enough for UART0's receive line
 * on every board (IRQ 0 on AN386/AN500, IRQ 32 on AN505). 64 entries keep the table
 * at 256 bytes, the alignment VTOR would need. */
__attribute__((section(".vectors"), used))
const hk_vector_t hk_mps2_vectors[16 + 48] = {
    (hk_vector_t)(uintptr_t)&__hk_stack_top,
    hk_mps2_reset,
    hk_mps2_fault,       /* NMI */
    hk_mps2_fault,       /* HardFault */
    hk_mps2_fault,       /* MemManage */
    hk_mps2_fault,       /* BusFault */
    hk_mps2_fault,       /* UsageFault */
    hk_mps2_fault,       /* SecureFault (Armv8-M), reserved before */
    0, 0, 0,
    hk_mps2_ignore,      /* SVCall */
    hk_mps2_ignore,      /* DebugMonitor */
    0,
    hk_mps2_ignore,      /* PendSV */
    hk_mps2_systick_isr, /* SysTick */
    /* External interrupts: only UART0 receive is ever enabled, so every line goes
     * to the one handler that acknowledges it. Designated ranges are GNU C, so the
     * 48 entries are spelled out. */
    hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq,
    hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq,
    hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq,
    hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq,
    hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq,
    hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq, hk_mps2_irq
};

void hk_mps2_reset(void)
{
    /* Full access to CP10/CP11 before anything runs: code built with
     * -mfloat-abi=hard may touch FP registers in any function (the kernels' float
     * quantize/dequantize do), and with the FPU off that is a UsageFault. */
    SCB_CPACR |= 0xFu << 20;
    __asm volatile("dsb\n\tisb" ::: "memory");

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
void hk_mps2_fault(void)
{
    __asm volatile("dsb" ::: "memory");
    SCB_AIRCR = (0x05FAu << 16) | (1u << 2);
    __asm volatile("dsb" ::: "memory");
    for (;;) {
    }
}

void hk_mps2_ignore(void)
{
}

void hk_mps2_irq(void)
{
    hk_mps2_uart_rx_isr();
}
