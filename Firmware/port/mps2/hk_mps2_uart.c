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
#define NVIC_ICER(n) (*(volatile uint32_t *)(0xE000E180u + 4u * (n)))
#define NVIC_ICPR(n) (*(volatile uint32_t *)(0xE000E280u + 4u * (n)))

#define BAUD_RATE 115200u

void hk_mps2_uart_init(void)
{
    UART_BAUDDIV = hk_mps2_board.sysclk_hz / BAUD_RATE;
    /* The receive interrupt is raised but never taken: it only ends WFI in
     * wait_for_byte, with the NVIC line enabled just for that. */
    UART_CTRL = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN;
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

static void clear_rx_interrupt(uint32_t word, uint32_t bit)
{
    UART_INTCLEAR = INT_RX;
    NVIC_ICPR(word) = bit;
}

/* Sleeps until a byte is there instead of spinning, so an idle board costs the
 * emulator no host CPU.
 *
 * Interrupts stay masked throughout: a pending interrupt that is enabled in the
 * NVIC ends WFI even while PRIMASK masks it, so the receive interrupt wakes the
 * core without ever being taken. Taking it would run a handler at whatever point
 * a byte happened to arrive, and so add a varying number of instructions to the
 * code that was running. A byte that arrives between the check and WFI leaves
 * the interrupt pending and WFI returns at once, so no wake-up is lost.
 *
 * The cycle counter is paused while asleep: on QEMU that keeps the counter's
 * phase tied to the instructions executed (see hk_mps2_cycles.c). */
static void wait_for_byte(void)
{
    uint32_t irq = hk_mps2_board.uart0_rx_irq;
    uint32_t word = irq / 32u;
    uint32_t bit = 1u << (irq % 32u);

    __asm volatile("cpsid i" ::: "memory");
    hk_mps2_cycles_pause();
    clear_rx_interrupt(word, bit);
    NVIC_ISER(word) = bit;
    while ((UART_STATE & STATE_RX_FULL) == 0) {
        __asm volatile("wfi" ::: "memory");
        clear_rx_interrupt(word, bit);
    }
    NVIC_ICER(word) = bit;
    clear_rx_interrupt(word, bit);
    hk_mps2_cycles_resume();
    __asm volatile("cpsie i" ::: "memory");
}

int hk_mps2_uart_read_byte(void)
{
    if ((UART_STATE & STATE_RX_FULL) == 0) {
        wait_for_byte();
    }
    return (int)(UART_DATA & 0xFFu);
}
