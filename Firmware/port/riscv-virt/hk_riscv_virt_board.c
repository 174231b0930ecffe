/* QEMU `virt` (hw/riscv/virt.c) as QEMU 7.2 maps it: UART0 at 0x1000_0000 on PLIC
 * source 10, clocked at 3.6864 MHz; the PLIC at 0x0C00_0000; the SiFive test
 * device, which can reset the machine, at 0x0010_0000. Link with riscv_virt.ld. */
#include "hk_riscv_virt.h"

const hk_riscv_virt_board_t hk_riscv_virt_board = {
    "qemu-riscv32-virt",
    0x10000000u, /* UART0 */
    3686400u,
    10u,
    0x0C000000u, /* PLIC */
    0x00100000u  /* sifive_test */
};
