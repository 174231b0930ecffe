/* MPS2 with the AN386 FPGA image (Cortex-M4F): UART0 and the 25 MHz system clock
 * as in Arm's AN386 and QEMU's mps2-an386. Link with mps2_an386.ld. */
#include "hk_mps2.h"

const hk_mps2_board_t hk_mps2_board = {
    "mps2-an386",
    0x40004000u, /* UART0 */
    0u,          /* UART0 RX is IRQ 0 (TX 1) */
    25000000u
};
