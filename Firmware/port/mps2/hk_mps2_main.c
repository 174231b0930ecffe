/*
 * Entry point of a benchmark firmware for the MPS2 boards: set up the UART and
 * the cycle counter, then hand the model to the harness. The model comes from a
 * generated binding that defines hk_model for the compiled network.
 */
#include "hk_mps2.h"

#include "harken/hk_port_memory.h"

int main(void)
{
    hk_mps2_uart_init();
    hk_mps2_cycles_init();

    hk_port_serve(hk_mps2_board.name, hk_mps2_cycles_hz(),
                  hk_mps2_uart_write, hk_mps2_uart_read_byte, hk_mps2_cycles);
    return 0;
}
