/* MPS2 with the AN500 FPGA image (Cortex-M7): the AN385 peripheral map, so UART0
 * and the 25 MHz system clock are where AN386 has them. Link with mps2_an500.ld. */
#include "hk_mps2.h"

const hk_mps2_board_t hk_mps2_board = {
    "mps2-an500",
    0x40004000u, /* UART0 */
    0u,          /* UART0 RX is IRQ 0 (TX 1) */
    25000000u
};
