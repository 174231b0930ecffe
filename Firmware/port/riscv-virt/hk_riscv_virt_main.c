/*
 * Entry point of a benchmark firmware for QEMU's RISC-V virt machine: set up the
 * UART, then hand the model to the harness. The model comes from a generated
 * binding that defines hk_model for the compiled network.
 */
#include "hk_riscv_virt.h"

#include "harken/hk_port_memory.h"

int main(void)
{
    hk_riscv_virt_uart_init();

    hk_port_serve(hk_riscv_virt_board.name, hk_riscv_virt_cycles_hz(),
                  hk_riscv_virt_uart_write, hk_riscv_virt_uart_read_byte, hk_riscv_virt_cycles);
    return 0;
}
