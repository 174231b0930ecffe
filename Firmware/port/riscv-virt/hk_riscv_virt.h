/*
 * Bare-metal port of the benchmark harness to QEMU's RISC-V `virt` machine with
 * one rv32 hart (qemu-system-riscv32 -M virt -bios none): an emulated stand-in for
 * the ESP32-C3's rv32imc core. The firmware runs in machine mode from reset;
 * nothing (no OpenSBI, no bootloader) runs before it. Shared by the port's files;
 * nothing outside Firmware/port/riscv-virt includes it.
 *
 * Link with riscv_virt.ld. Every file here is common to the port: there is one
 * board, so the board-specific list (the target's port_sources) only names the
 * description in hk_riscv_virt_board.c.
 */
#ifndef HARKEN_RISCV_VIRT_H
#define HARKEN_RISCV_VIRT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;          /* reported in HELLO */
    uintptr_t uart0_base;      /* NS16550A, byte-spaced registers */
    uint32_t uart0_clock_hz;   /* the UART's reference clock, for the divisor */
    uint32_t uart0_irq;        /* PLIC source of UART0 */
    uintptr_t plic_base;       /* SiFive-compatible PLIC */
    uintptr_t test_base;       /* sifive_test: write 0x7777 to reset the machine */
} hk_riscv_virt_board_t;

extern const hk_riscv_virt_board_t hk_riscv_virt_board;

/* NS16550A UART0 at 115200 8N1 (QEMU ignores the rate on a pty). */
void hk_riscv_virt_uart_init(void);
void hk_riscv_virt_uart_write(const uint8_t *data, size_t n);
int hk_riscv_virt_uart_read_byte(void);

/* The mcycle CSR; see hk_riscv_virt_cycles.c for what a "cycle" is on QEMU. */
uint32_t hk_riscv_virt_cycles(void);
uint32_t hk_riscv_virt_cycles_hz(void);

/* Stack painted at reset (hk_riscv_virt_startup.c). */

/* Restart the whole machine (as a watchdog would); never returns. */
void hk_riscv_virt_restart(void);

#endif
