/*
 * The ISS marker (harken/hk_marker.h): an empty function that must stay a
 * real call. noinline keeps its address the one the ISS hooks; the empty
 * volatile asm gives it a side effect, so no compiler (with or without LTO)
 * can prove the call useless and delete it.
 */
#include "harken/hk_marker.h"

#if defined(__GNUC__)
__attribute__((noinline, used))
#endif
void hk_iss_marker(uint32_t layer)
{
#if defined(__GNUC__)
    __asm__ volatile("" : : "r"(layer) : "memory");
#else
    (void)layer;
#endif
}
