/*
 * nRF51 UART0 at 115200 8N1 (QEMU ignores the rate on a pty): transmit polled,
 * receive waited on with WFI.
 *
 * Registers at 0x4000_2000 (nRF51 Series Reference Manual, UART chapter):
 *   0x000 TASKS_STARTRX, 0x008 TASKS_STARTTX    write 1 to start
 *   0x108 EVENTS_RXDRDY, 0x11C EVENTS_TXDRDY    1 when a byte arrived / left; write 0 to clear
 *   0x304 INTENSET                              bit 2 RXDRDY
 *   0x500 ENABLE                                4 = enabled
 *   0x50C PSELTXD, 0x514 PSELRXD                pins (micro:bit: TX P0.24, RX P0.25)
 *   0x518 RXD, 0x51C TXD, 0x524 BAUDRATE
 * A TXD write while a byte is still going out is dropped, so every byte waits
 * for TXDRDY; reading RXD with more bytes queued raises RXDRDY again.
 */
#include "hk_nrf51.h"

#define UART_REG(offset) (*(volatile uint32_t *)(0x40002000u + (offset)))
#define UART_STARTRX UART_REG(0x000u)
#define UART_STARTTX UART_REG(0x008u)
#define UART_RXDRDY UART_REG(0x108u)
#define UART_TXDRDY UART_REG(0x11Cu)
#define UART_INTENSET UART_REG(0x304u)
#define UART_ENABLE UART_REG(0x500u)
#define UART_PSELTXD UART_REG(0x50Cu)
#define UART_PSELRXD UART_REG(0x514u)
#define UART_RXD UART_REG(0x518u)
#define UART_TXD UART_REG(0x51Cu)
#define UART_BAUDRATE UART_REG(0x524u)

#define UART_INT_RXDRDY (1u << 2)
#define UART_IRQ 2u
#define BAUDRATE_115200 0x01D7E000u

#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NVIC_ICER0 (*(volatile uint32_t *)0xE000E180u)
#define NVIC_ICPR0 (*(volatile uint32_t *)0xE000E280u)

void hk_nrf51_uart_init(void)
{
    UART_PSELTXD = 24u;
    UART_PSELRXD = 25u;
    UART_BAUDRATE = BAUDRATE_115200;
    UART_ENABLE = 4u;
    /* The receive interrupt is raised but never taken: it only ends WFI in
     * wait_for_byte, with the NVIC line enabled just for that. */
    UART_INTENSET = UART_INT_RXDRDY;
    UART_STARTTX = 1u;
    UART_STARTRX = 1u;
}

void hk_nrf51_uart_write(const uint8_t *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        UART_TXDRDY = 0;
        UART_TXD = data[i];
        while (UART_TXDRDY == 0) {
        }
    }
}

/* As on the MPS2 port: interrupts stay masked, the enabled-but-masked UART
 * interrupt ends WFI without being taken (a handler at a random point would add
 * a varying number of instructions to whatever ran), and the cycle counter is
 * paused while asleep. RXDRDY stays 1 while a byte waits, so it is also the
 * interrupt's level: a byte arriving between the check and WFI leaves it pending. */
static void wait_for_byte(void)
{
    __asm volatile("cpsid i" ::: "memory");
    hk_nrf51_cycles_pause();
    NVIC_ICPR0 = 1u << UART_IRQ;
    NVIC_ISER0 = 1u << UART_IRQ;
    while (UART_RXDRDY == 0) {
        __asm volatile("wfi" ::: "memory");
        NVIC_ICPR0 = 1u << UART_IRQ;
    }
    NVIC_ICER0 = 1u << UART_IRQ;
    NVIC_ICPR0 = 1u << UART_IRQ;
    hk_nrf51_cycles_resume();
    __asm volatile("cpsie i" ::: "memory");
}

int hk_nrf51_uart_read_byte(void)
{
    if (UART_RXDRDY == 0) {
        wait_for_byte();
    }
    /* Clear before reading: the read sets RXDRDY again if more bytes are queued. */
    UART_RXDRDY = 0;
    return (int)(UART_RXD & 0xFFu);
}
