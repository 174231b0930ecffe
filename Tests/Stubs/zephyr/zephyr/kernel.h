/* Stub of Zephyr's kernel.h: the subset the Harken templates use (syntax checks only). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <zephyr/sys/printk.h>
#include <zephyr/sys/util.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SYS_FOREVER_MS (-1)

struct k_mem_slab {
    char *buffer;
    size_t block_size;
    uint32_t num_blocks;
};

/* A slab of slab_num_blocks blocks of slab_block_size bytes, aligned to slab_align. */
#define K_MEM_SLAB_DEFINE_STATIC(name, slab_block_size, slab_num_blocks, slab_align)              \
    static char __attribute__((aligned(slab_align)))                                          \
        _k_mem_slab_buf_##name[(slab_num_blocks) * (((slab_block_size) + 3) / 4 * 4)];        \
    static struct k_mem_slab name = {_k_mem_slab_buf_##name, (slab_block_size), (slab_num_blocks)}

void k_mem_slab_free(struct k_mem_slab *slab, void *mem);

int64_t k_uptime_get(void);
uint32_t k_uptime_get_32(void);

#ifdef __cplusplus
}
#endif
