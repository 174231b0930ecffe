/*
 * Bare-metal port of the benchmark harness to QEMU's Xtensa `sim` machine with
 * an lx106 core (qemu-system-xtensa -M sim -cpu lx106 -semihosting): an emulated
 * stand-in for the ESP32 family's instruction set (the lx106 is the ESP8266's
 * core; call0 ABI, no FPU, no divider). Shared by the port's files; nothing
 * outside Firmware/port/xtensa-sim includes it.
 *
 * The sim machine has no UART. Its serial link is the simulator console:
 * semihosting calls (SIMCALL) that read fd 0 and write fd 1, which QEMU routes to
 * the first -serial chardev when there is one, so `-serial pty` gives the host a
 * pseudo-terminal as on the other boards. Link with xtensa_sim.ld.
 */
#ifndef HARKEN_XTENSA_SIM_H
#define HARKEN_XTENSA_SIM_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;       /* reported in HELLO */
    uint32_t ccount_hz;     /* CCOUNT's rate as QEMU clocks it, for the idle timer */
} hk_xtensa_sim_board_t;

extern const hk_xtensa_sim_board_t hk_xtensa_sim_board;

/* The simulator console (see hk_xtensa_sim_console.c). */
void hk_xtensa_sim_console_write(const uint8_t *data, size_t n);
int hk_xtensa_sim_console_read_byte(void);

/* Instruction counter; see hk_xtensa_sim_cycles.c for what a "cycle" is. */
void hk_xtensa_sim_cycles_init(void);
uint32_t hk_xtensa_sim_cycles(void);
uint32_t hk_xtensa_sim_cycles_hz(void);

/* Stack painted at reset (hk_xtensa_sim_startup.c). */

#endif
