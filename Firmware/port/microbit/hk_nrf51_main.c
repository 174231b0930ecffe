/*
 * Entry point of a benchmark firmware for the micro:bit under QEMU: set up the
 * UART and the cycle counter, then hand the model (from the generated binding
 * that defines hk_model) to the harness.
 */
#include "hk_nrf51.h"

#include "harken/hk_bench_app.h"
#include "harken/hk_port_memory.h"

extern const hk_model_api_t hk_model;

int main(void)
{
    hk_nrf51_uart_init();
    hk_nrf51_cycles_init();

    static hk_port_t port;
    port.board = HK_NRF51_BOARD;
    port.cpu_hz = HK_NRF51_CYCLES_HZ;
    port.write = hk_nrf51_uart_write;
    port.read_byte = hk_nrf51_uart_read_byte;
    port.cycles = hk_nrf51_cycles;
    port.stack_used = hk_port_stack_used;
    port.stack_bytes = hk_port_stack_bytes();
    port.static_ram_bytes = hk_port_static_ram_bytes();
    port.flash_bytes = hk_port_flash_bytes();

    hk_bench_serve(&hk_model, &port);
    return 0;
}
