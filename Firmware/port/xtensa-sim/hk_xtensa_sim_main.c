/*
 * Entry point of a benchmark firmware for QEMU's Xtensa sim machine: start the
 * instruction counter, then hand the model to the harness. The model comes from
 * a generated binding that defines hk_model for the compiled network.
 */
#include "hk_xtensa_sim.h"

#include "harken/hk_port_memory.h"

int main(void)
{
    hk_xtensa_sim_cycles_init();

    hk_port_serve(hk_xtensa_sim_board.name, hk_xtensa_sim_cycles_hz(),
                  hk_xtensa_sim_console_write, hk_xtensa_sim_console_read_byte, hk_xtensa_sim_cycles);
    return 0;
}
