/*
 * Bare-metal port of the benchmark harness to the BBC micro:bit v1 as QEMU's
 * `-M microbit` models it: nRF51822, Cortex-M0 at 16 MHz, 256 KiB flash at
 * 0x0000_0000, 16 KiB RAM at 0x2000_0000, UART0 at 0x4000_2000. Shared by the
 * port's files; link with nrf51_microbit.ld.
 */
#ifndef HARKEN_NRF51_H
#define HARKEN_NRF51_H

#include <stddef.h>
#include <stdint.h>

#define HK_NRF51_BOARD "microbit"
#define HK_NRF51_HCLK_HZ 16000000u

void hk_nrf51_uart_init(void);
void hk_nrf51_uart_write(const uint8_t *data, size_t n);
int hk_nrf51_uart_read_byte(void);

/* Cycle counter; see hk_nrf51_cycles.c for what a "cycle" is on QEMU. */
void hk_nrf51_cycles_init(void);
uint32_t hk_nrf51_cycles(void);
void hk_nrf51_cycles_pause(void);
void hk_nrf51_cycles_resume(void);
void hk_nrf51_systick_isr(void);
#define HK_NRF51_CYCLES_HZ 1000000000u


#endif
