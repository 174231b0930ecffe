/*
 * The device side of the benchmark harness: a command loop speaking
 * hk_bench_proto.h over a port's serial link, driving one generated model.
 */
#ifndef HARKEN_BENCH_APP_H
#define HARKEN_BENCH_APP_H

#include <stddef.h>
#include <stdint.h>

#include "harken/hk_model.h"

#ifdef __cplusplus
extern "C" {
#endif


/* What a board port provides. */
typedef struct {
    const char *board;
    uint32_t cpu_hz;
    void (*write)(const uint8_t *data, size_t n);
    int (*read_byte)(void);            /* blocks until a byte arrives; returns 0..255 */
    uint32_t (*cycles)(void);          /* free-running cycle counter (wraps at 2^32) */
    uint32_t (*stack_used)(void);      /* high-water mark of the stack, bytes */
    uint32_t stack_bytes;
    uint32_t static_ram_bytes;         /* .data + .bss */
    uint32_t flash_bytes;              /* .text + .rodata + .data load image */
} hk_port_t;

/* Sends HK_BENCH_BOOT, then serves requests forever. */
void hk_bench_serve(const hk_model_api_t *model, const hk_port_t *port);

#ifdef __cplusplus
}
#endif

#endif
