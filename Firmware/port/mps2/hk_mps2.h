/*
 * Bare-metal port of the benchmark harness to Arm's MPS2 FPGA images as QEMU
 * models them: mps2-an386 (Cortex-M4), mps2-an500 (Cortex-M7), mps2-an505
 * (Cortex-M33, run entirely in the secure state). Shared by the port's files;
 * nothing outside Firmware/port/mps2 includes it.
 *
 * A build links exactly one board file (hk_mps2_an386.c, hk_mps2_an500.c or
 * hk_mps2_an505.c) with its linker script (mps2_an386.ld, ...): the board file
 * says where UART0 is and how fast the clocks run, the script where memory is.
 */
#ifndef HARKEN_MPS2_H
#define HARKEN_MPS2_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;          /* QEMU machine name, reported in HELLO */
    uintptr_t uart0_base;      /* CMSDK APB UART0, as the running security state sees it */
    uint32_t uart0_rx_irq;     /* NVIC line of UART0's receive interrupt */
    uint32_t sysclk_hz;        /* the clock QEMU's SysTick and UART count in */
} hk_mps2_board_t;

extern const hk_mps2_board_t hk_mps2_board;

/* CMSDK APB UART0 at 115200 8N1 (QEMU ignores the rate on a pty). */
void hk_mps2_uart_init(void);
void hk_mps2_uart_write(const uint8_t *data, size_t n);
int hk_mps2_uart_read_byte(void);
void hk_mps2_uart_rx_isr(void);

/* Cycle counter; see hk_mps2_cycles.c for what a "cycle" is on QEMU. */
void hk_mps2_cycles_init(void);
uint32_t hk_mps2_cycles(void);
uint32_t hk_mps2_cycles_hz(void);
/* Stop and restart the count around sleeping (no effect with DWT). */
void hk_mps2_cycles_pause(void);
void hk_mps2_cycles_resume(void);
void hk_mps2_systick_isr(void);

/* Stack painted at reset (hk_mps2_startup.c). */

#endif
