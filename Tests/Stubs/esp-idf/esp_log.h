/* Stub of ESP-IDF's esp_log.h: ESP_LOGx with the real macros' requirement of a
 * literal format string and printf-style argument checking (syntax checks only). */
#pragma once

#include <inttypes.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ESP_LOG_NONE,
    ESP_LOG_ERROR,
    ESP_LOG_WARN,
    ESP_LOG_INFO,
    ESP_LOG_DEBUG,
    ESP_LOG_VERBOSE
} esp_log_level_t;

uint32_t esp_log_timestamp(void);
void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...) __attribute__((format(printf, 3, 4)));

#define HK_STUB_ESP_LOG(level, letter, tag, format, ...) \
    esp_log_write(level, tag, letter " (%" PRIu32 ") %s: " format "\n", esp_log_timestamp(), tag, ##__VA_ARGS__)

#define ESP_LOGE(tag, format, ...) HK_STUB_ESP_LOG(ESP_LOG_ERROR, "E", tag, format, ##__VA_ARGS__)
#define ESP_LOGW(tag, format, ...) HK_STUB_ESP_LOG(ESP_LOG_WARN, "W", tag, format, ##__VA_ARGS__)
#define ESP_LOGI(tag, format, ...) HK_STUB_ESP_LOG(ESP_LOG_INFO, "I", tag, format, ##__VA_ARGS__)
#define ESP_LOGD(tag, format, ...) HK_STUB_ESP_LOG(ESP_LOG_DEBUG, "D", tag, format, ##__VA_ARGS__)

#ifdef __cplusplus
}
#endif
