/*
 * Reset, vector table and exception handlers for the MPS2 port, in C: the
 * hardware loads SP from entry 0 and jumps to entry 1, so nothing needs to run
 * before C can.
 */
#include "hk_mps2.h"

#include <string.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_CPACR REG32(0xE000ED88u)

/* Painted into the unused stack at reset; STATS reports how far down it was
 * overwritten. A live word that happens to equal it at the boundary under-reports
 * by one word, which is noise next to a model's stack. */
#define STACK_PAINT 0xA5C3A5C3u

/* From the linker script (mps2_*.ld). Only their addresses mean anything. */
extern uint32_t __hk_flash_start, __hk_flash_end;
extern uint32_t __hk_data_load, __hk_data_start, __hk_data_end;
extern uint32_t __hk_bss_start, __hk_bss_end;
extern uint32_t __hk_stack_bottom, __hk_stack_top;

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

    /* Initialised data from its load image; the loops touch no global state. */
    size_t data_bytes = (size_t)((uintptr_t)&__hk_data_end - (uintptr_t)&__hk_data_start);
    memcpy(&__hk_data_start, &__hk_data_load, data_bytes);
    size_t bss_bytes = (size_t)((uintptr_t)&__hk_bss_end - (uintptr_t)&__hk_bss_start);
    memset(&__hk_bss_start, 0, bss_bytes);

    /* Paint the stack below the current frame; everything above SP is this
     * function's own frame and counts as used. */
    uintptr_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    for (volatile uint32_t *w = &__hk_stack_bottom; (uintptr_t)w < sp; w++) {
        *w = STACK_PAINT;
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

uint32_t hk_mps2_stack_used(void)
{
    const uint32_t *w = &__hk_stack_bottom;
    while (w < &__hk_stack_top && *w == STACK_PAINT) {
        w++;
    }
    return (uint32_t)((uintptr_t)&__hk_stack_top - (uintptr_t)w);
}

uint32_t hk_mps2_stack_bytes(void)
{
    return (uint32_t)((uintptr_t)&__hk_stack_top - (uintptr_t)&__hk_stack_bottom);
}

/* .data + .bss, without the stack (reported on its own). */
uint32_t hk_mps2_static_ram_bytes(void)
{
    return (uint32_t)((uintptr_t)&__hk_bss_end - (uintptr_t)&__hk_data_start);
}

/* Vectors, .text, .rodata and the .data load image. */
uint32_t hk_mps2_flash_bytes(void)
{
    return (uint32_t)((uintptr_t)&__hk_flash_end - (uintptr_t)&__hk_flash_start);
}
