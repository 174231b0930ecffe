/*
 * The kernel check as a firmware for QEMU's RISC-V virt machine (rv32imc): the
 * scalar-core families only (build.sh defines HK_DSP_CHECK_SCALAR_ONLY),
 * results on UART0, then the machine is stopped through its sifive_test device:
 * 0x5555 ends QEMU with status 0 (PASS), 0x3333 with (code << 16) with status
 * `code` (1 for FAIL).
 */
#include "hk_dsp_check.h"
#include "hk_riscv_virt.h"

static void finish(int pass)
{
    *(volatile uint32_t *)hk_riscv_virt_board.test_base = pass ? 0x5555u : (1u << 16) | 0x3333u;
}

int main(void)
{
    hk_dsp_check_io_t io;
    int32_t bad;

    hk_riscv_virt_uart_init();
    io.write = hk_riscv_virt_uart_write;
    io.cycles = hk_riscv_virt_cycles;
    bad = hk_dsp_check_run(&io, 0);
    finish(bad == 0);
    for (;;) {
        __asm__ volatile("wfi" ::: "memory");
    }
}
