/* Stub of ESP-IDF's esp_timer.h: the subset the Harken templates use (syntax checks only). */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Microseconds since boot. */
int64_t esp_timer_get_time(void);

#ifdef __cplusplus
}
#endif
