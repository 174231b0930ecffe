/*
 * Memory bookkeeping every bare-metal port shares, from the symbols each port's
 * linker script defines: __hk_flash_start/end, __hk_data_load/start/end,
 * __hk_bss_start/end, __hk_stack_bottom/top.
 */
#ifndef HARKEN_PORT_MEMORY_H
#define HARKEN_PORT_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "harken/hk_bench_app.h"

/* The value the reset handler writes over the unused stack, so the deepest
 * overwritten word marks the high-water. */
#define HK_STACK_PAINT 0xA5C3A5C3u

extern uint32_t __hk_flash_start, __hk_flash_end;
extern uint32_t __hk_data_load, __hk_data_start, __hk_data_end;
extern uint32_t __hk_bss_start, __hk_bss_end;
extern uint32_t __hk_stack_bottom, __hk_stack_top;

/* Copies .data from its load image and zeroes .bss; touches no global state. */
void hk_port_init_sections(void);
uint32_t hk_port_stack_used(void);
uint32_t hk_port_stack_bytes(void);
/* .data + .bss, without the stack (reported on its own). */
uint32_t hk_port_static_ram_bytes(void);
/* Vectors, .text, .rodata and the .data load image. */
uint32_t hk_port_flash_bytes(void);

/* Serves the generated model (`hk_model`) to the bench harness over the port's
 * link, with the memory figures above; never returns. */
void hk_port_serve(const char *board, uint32_t cpu_hz, void (*write)(const uint8_t *, size_t),
                   int (*read_byte)(void), uint32_t (*cycles)(void));

/* The port as the harness takes it: its link and cycle counter, and the memory figures above. */
static inline void hk_port_describe(hk_port_t *port, const char *board, uint32_t cpu_hz,
                                    void (*write)(const uint8_t *, size_t), int (*read_byte)(void),
                                    uint32_t (*cycles)(void))
{
    port->board = board;
    port->cpu_hz = cpu_hz;
    port->write = write;
    port->read_byte = read_byte;
    port->cycles = cycles;
    port->stack_used = hk_port_stack_used;
    port->stack_bytes = hk_port_stack_bytes();
    port->static_ram_bytes = hk_port_static_ram_bytes();
    port->flash_bytes = hk_port_flash_bytes();
}

#endif
