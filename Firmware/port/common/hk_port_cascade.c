/* The cascade firmware's entry into the harness (`harken firmware --judge`): in
 * place of hk_port_serve.c, the same hk_port_serve() with the wake app and the
 * cascade behind the bench link. The generated binding defines hk_cascade_app. */
#include "harken/hk_bench_cascade.h"
#include "harken/hk_port_memory.h"

extern const hk_cascade_app_t hk_cascade_app;

void hk_port_serve(const char *board, uint32_t cpu_hz, void (*write)(const uint8_t *, size_t),
                   int (*read_byte)(void), uint32_t (*cycles)(void))
{
    static hk_port_t port;
    hk_port_describe(&port, board, cpu_hz, write, read_byte, cycles);
    hk_bench_serve_cascade(&hk_cascade_app, &port);
}
