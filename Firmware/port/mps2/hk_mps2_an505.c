/* MPS2+ with the AN505 FPGA image (Cortex-M33, IoT Kit subsystem). The firmware
 * never leaves the secure state it resets into, so it uses the secure aliases:
 * UART0 at 0x5020_0000 (0x4020_0000 is the non-secure alias). The system clock is
 * 20 MHz. Link with mps2_an505.ld. */
#include "hk_mps2.h"

const hk_mps2_board_t hk_mps2_board = {
    "mps2-an505",
    0x50200000u, /* UART0, secure alias */
    32u,         /* UART0 RX is IRQ 32 (TX 33): the first line outside the subsystem */
    20000000u
};
