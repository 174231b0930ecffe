#include "harken/hk_port_memory.h"

#include <stddef.h>
#include <string.h>

void hk_port_init_sections(void)
{
    size_t data_bytes = (size_t)((uintptr_t)&__hk_data_end - (uintptr_t)&__hk_data_start);
    size_t bss_bytes = (size_t)((uintptr_t)&__hk_bss_end - (uintptr_t)&__hk_bss_start);
    memcpy(&__hk_data_start, &__hk_data_load, data_bytes);
    memset(&__hk_bss_start, 0, bss_bytes);
}

uint32_t hk_port_stack_used(void)
{
    const uint32_t *w = &__hk_stack_bottom;
    while (w < &__hk_stack_top && *w == HK_STACK_PAINT) {
        w++;
    }
    return (uint32_t)((uintptr_t)&__hk_stack_top - (uintptr_t)w);
}

uint32_t hk_port_stack_bytes(void)
{
    return (uint32_t)((uintptr_t)&__hk_stack_top - (uintptr_t)&__hk_stack_bottom);
}

uint32_t hk_port_static_ram_bytes(void)
{
    return (uint32_t)((uintptr_t)&__hk_bss_end - (uintptr_t)&__hk_data_start);
}

uint32_t hk_port_flash_bytes(void)
{
    return (uint32_t)((uintptr_t)&__hk_flash_end - (uintptr_t)&__hk_flash_start);
}
