/* The bench firmware's common entry into the harness: every port's main() sets up
 * its link and cycle counter, then calls this with them. */
#include "harken/hk_bench_app.h"
#include "harken/hk_port_memory.h"

extern const hk_model_api_t hk_model;

void hk_port_serve(const char *board, uint32_t cpu_hz, void (*write)(const uint8_t *, size_t),
                   int (*read_byte)(void), uint32_t (*cycles)(void))
{
    static hk_port_t port;
    hk_port_describe(&port, board, cpu_hz, write, read_byte, cycles);
    hk_bench_serve(&hk_model, &port);
}
