/* Stub of Zephyr's sys/printk.h (syntax checks only). */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif
