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

/* An application's own frames beside the harness's commands (the cascade's, in
 * hk_bench_cascade.c). handle() is called for each frame whose type the harness
 * does not know; it returns 1 when it took the frame (and sent any reply itself,
 * with hk_bench_send), 0 to have the harness answer ERROR. reset() runs on RESET. */
typedef struct {
    int (*handle)(void *context, const hk_port_t *port, uint8_t type, uint8_t seq, const uint8_t *payload, uint16_t len);
    void (*reset)(void *context);
    void *context;
} hk_bench_ext_t;

/* hk_bench_serve with an extension (NULL: none). */
void hk_bench_serve_ext(const hk_model_api_t *model, const hk_port_t *port, const hk_bench_ext_t *ext);

/* The harness's transmit payload (HK_BENCH_MAX_PAYLOAD bytes): an extension writes a
 * frame's payload here, then sends it with hk_bench_send. */
uint8_t *hk_bench_payload(void);
void hk_bench_send(const hk_port_t *port, uint8_t type, uint8_t seq, size_t payload_bytes);

#ifdef __cplusplus
}
#endif

#endif
