/* Stub of Zephyr's sys/util.h: the subset the Harken templates use (syntax checks only). */
#pragma once

#define ARG_UNUSED(x) (void)(x)
#define BIT(n) (1UL << (n))
#define BIT_MASK(n) (BIT(n) - 1UL)

/* Token pasting after expansion of both sides. */
#define HK_STUB_CAT(a, b) HK_STUB_CAT_(a, b)
#define HK_STUB_CAT_(a, b) a##b
