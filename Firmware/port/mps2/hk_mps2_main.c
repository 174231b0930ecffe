/*
 * Entry point of a benchmark firmware for the MPS2 boards: set up the UART and
 * the cycle counter, then hand the model to the harness. The model comes from a
 * generated binding that defines hk_model for the compiled network.
 */
#include "hk_mps2.h"

#include "harken/hk_bench_app.h"
#include "harken/hk_port_memory.h"

extern const hk_model_api_t hk_model;

int main(void)
{
    hk_mps2_uart_init();
    hk_mps2_cycles_init();

    /* cpu_hz depends on what the cycle counter probe found, so the port
     * description is filled in at run time. */
    static hk_port_t port;
    port.board = hk_mps2_board.name;
    port.cpu_hz = hk_mps2_cycles_hz();
    port.write = hk_mps2_uart_write;
    port.read_byte = hk_mps2_uart_read_byte;
    port.cycles = hk_mps2_cycles;
    port.stack_used = hk_port_stack_used;
    port.stack_bytes = hk_port_stack_bytes();
    port.static_ram_bytes = hk_port_static_ram_bytes();
    port.flash_bytes = hk_port_flash_bytes();

    hk_bench_serve(&hk_model, &port);
    return 0;
}
