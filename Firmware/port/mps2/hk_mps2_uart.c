/*
 * CMSDK APB UART (Arm's Cortex-M System Design Kit UART), polled for transmit
 * and waited on with WFI for receive.
 *
 * Registers, at the board's UART0 base:
 *   0x00 DATA      one byte in or out
 *   0x04 STATE     bit 0 TX buffer full, bit 1 RX buffer full (bits 2-3 overruns, write 1 to clear)
 *   0x08 CTRL      bit 0 TX enable, bit 1 RX enable, bit 3 RX interrupt enable
 *   0x0C INTSTATUS read: pending interrupts; write 1 to clear (bit 1 = RX)
 *   0x10 BAUDDIV   PCLK / baud rate, at least 16
 */
#include "hk_mps2.h"

#define UART_REG(offset) (*(volatile uint32_t *)(hk_mps2_board.uart0_base + (offset)))
#define UART_DATA UART_REG(0x00u)
#define UART_STATE UART_REG(0x04u)
#define UART_CTRL UART_REG(0x08u)
#define UART_INTCLEAR UART_REG(0x0Cu)
#define UART_BAUDDIV UART_REG(0x10u)

#define STATE_TX_FULL (1u << 0)
#define STATE_RX_FULL (1u << 1)
#define CTRL_TX_EN (1u << 0)
#define CTRL_RX_EN (1u << 1)
#define CTRL_RX_INT_EN (1u << 3)
#define INT_RX (1u << 1)

#define NVIC_ISER(n) (*(volatile uint32_t *)(0xE000E100u + 4u * (n)))

#define BAUD_RATE 115200u

void hk_mps2_uart_init(void)
{
    UART_BAUDDIV = hk_mps2_board.sysclk_hz / BAUD_RATE;
    UART_CTRL = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN;
    /* The receive interrupt only wakes the core from WFI in read_byte; its
     * handler just acknowledges it. */
    uint32_t irq = hk_mps2_board.uart0_rx_irq;
    NVIC_ISER(irq / 32u) = 1u << (irq % 32u);
}

void hk_mps2_uart_rx_isr(void)
{
    UART_INTCLEAR = INT_RX;
}

void hk_mps2_uart_write(const uint8_t *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (UART_STATE & STATE_TX_FULL) {
        }
        UART_DATA = data[i];
    }
}

/* Sleeps until a byte is there instead of spinning, so an idle board costs the
 * emulator no host CPU. Interrupts are masked between the check and WFI: a byte
 * arriving in that gap leaves its interrupt pending, and a pending interrupt
 * ends WFI even while masked, so no wake-up is lost. Unmasking afterwards lets
 * the pending SysTick (counter extension) and UART handlers run. */
int hk_mps2_uart_read_byte(void)
{
    for (;;) {
        __asm volatile("cpsid i" ::: "memory");
        if (UART_STATE & STATE_RX_FULL) {
            __asm volatile("cpsie i" ::: "memory");
            return (int)(UART_DATA & 0xFFu);
        }
        __asm volatile("wfi");
        __asm volatile("cpsie i" ::: "memory");
    }
}
