/*
 * NS16550A UART, polled for transmit and waited on with WFI for receive.
 *
 * Registers, one byte apart at the board's UART0 base (DLAB = LCR bit 7):
 *   0 RBR/THR (DLL with DLAB)   1 IER (DLM with DLAB)   2 FCR (write)
 *   3 LCR   4 MCR   5 LSR: bit 0 data ready, bit 5 transmit holding register empty
 * Its interrupt reaches the hart through the PLIC, whose registers are, for
 * source s and context c (context 0 is hart 0's machine mode on virt):
 *   base + 4*s priority, base + 0x2000 + 0x80*c enables (bit per source),
 *   base + 0x200000 + 0x1000*c threshold, + 4 claim/complete.
 */
#include "hk_riscv_virt.h"

#define UART_REG(offset) (*(volatile uint8_t *)(hk_riscv_virt_board.uart0_base + (offset)))
#define UART_RBR UART_REG(0u)
#define UART_THR UART_REG(0u)
#define UART_DLL UART_REG(0u)
#define UART_IER UART_REG(1u)
#define UART_DLM UART_REG(1u)
#define UART_FCR UART_REG(2u)
#define UART_LCR UART_REG(3u)
#define UART_LSR UART_REG(5u)

#define LCR_8N1 0x03u
#define LCR_DLAB 0x80u
#define FCR_ENABLE_AND_CLEAR 0x07u
#define IER_RX_DATA 0x01u
#define LSR_DATA_READY 0x01u
#define LSR_THR_EMPTY 0x20u

#define PLIC_REG(offset) (*(volatile uint32_t *)(hk_riscv_virt_board.plic_base + (offset)))
#define PLIC_PRIORITY(source) PLIC_REG(4u * (source))
#define PLIC_ENABLE0 PLIC_REG(0x2000u)
#define PLIC_THRESHOLD0 PLIC_REG(0x200000u)
#define PLIC_CLAIM0 PLIC_REG(0x200004u)

#define MIE_MEIE (1u << 11)

#define BAUD_RATE 115200u

void hk_riscv_virt_uart_init(void)
{
    uint32_t divisor = hk_riscv_virt_board.uart0_clock_hz / (16u * BAUD_RATE);
    UART_LCR = LCR_DLAB;
    UART_DLL = (uint8_t)divisor;
    UART_DLM = (uint8_t)(divisor >> 8);
    UART_LCR = LCR_8N1;
    UART_FCR = FCR_ENABLE_AND_CLEAR;

    /* The receive interrupt is raised but never taken (mstatus.MIE stays 0): it
     * only ends WFI in wait_for_byte. WFI resumes on an interrupt that is pending
     * and enabled in mie whatever mstatus.MIE says, so no handler runs at a point
     * that depends on when a byte happened to arrive, and the instruction count
     * of the code being measured stays the same from run to run. */
    uint32_t irq = hk_riscv_virt_board.uart0_irq;
    PLIC_PRIORITY(irq) = 1u;
    PLIC_THRESHOLD0 = 0u;
    PLIC_ENABLE0 = 1u << irq;
    UART_IER = IER_RX_DATA;
    uint32_t meie = MIE_MEIE;
    __asm volatile(".option push\n\t.option arch, +zicsr\n\tcsrs mie, %0\n\t.option pop" ::"r"(meie) : "memory");
}

void hk_riscv_virt_uart_write(const uint8_t *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while ((UART_LSR & LSR_THR_EMPTY) == 0) {
        }
        UART_THR = data[i];
    }
}

/* Claim and complete whatever the PLIC has pending, so that a request that has
 * been served does not end the next WFI at once. */
static void clear_plic(void)
{
    uint32_t source = PLIC_CLAIM0;
    if (source != 0) {
        PLIC_CLAIM0 = source;
    }
}

/* Sleeps until a byte is there instead of spinning, so an idle board costs the
 * emulator no host CPU. A byte that arrives between the check and WFI leaves its
 * interrupt pending and WFI returns at once, so no wake-up is lost. */
static void wait_for_byte(void)
{
    while ((UART_LSR & LSR_DATA_READY) == 0) {
        __asm volatile("wfi" ::: "memory");
        clear_plic();
    }
}

int hk_riscv_virt_uart_read_byte(void)
{
    if ((UART_LSR & LSR_DATA_READY) == 0) {
        wait_for_byte();
    }
    return (int)UART_RBR;
}
