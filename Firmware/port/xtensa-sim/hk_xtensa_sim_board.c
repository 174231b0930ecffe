/* QEMU's sim machine with the lx106 core (QEMU 7.2 checked): CCOUNT runs at the
 * core configuration's 40 MHz of QEMU's virtual clock. Link with xtensa_sim.ld. */
#include "hk_xtensa_sim.h"

const hk_xtensa_sim_board_t hk_xtensa_sim_board = {
    "qemu-xtensa-sim-lx106",
    40000000u
};
