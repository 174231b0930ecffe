/*
 * Entry point of a benchmark firmware for the micro:bit under QEMU: set up the
 * UART and the cycle counter, then hand the model (from the generated binding
 * that defines hk_model) to the harness.
 */
#include "hk_nrf51.h"

#include "harken/hk_port_memory.h"

int main(void)
{
    hk_nrf51_uart_init();
    hk_nrf51_cycles_init();

    hk_port_serve(HK_NRF51_BOARD, HK_NRF51_CYCLES_HZ,
                  hk_nrf51_uart_write, hk_nrf51_uart_read_byte, hk_nrf51_cycles);
    return 0;
}
