/* Stub of ESP-IDF v5's driver/i2s_common.h: the subset the Harken templates use (syntax checks only). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/i2s_types.h"
#include "esp_err.h"
#include "hal/gpio_types.h"
#include "hal/i2s_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define I2S_CHANNEL_DEFAULT_CONFIG(i2s_num, i2s_role) { \
    .id = i2s_num,                                      \
    .role = i2s_role,                                   \
    .dma_desc_num = 6,                                  \
    .dma_frame_num = 240,                               \
    .auto_clear_after_cb = false,                       \
    .auto_clear_before_cb = false,                      \
    .intr_priority = 0,                                 \
}

#define I2S_GPIO_UNUSED GPIO_NUM_NC

typedef struct {
    i2s_port_t id;
    i2s_role_t role;
    uint32_t dma_desc_num;
    uint32_t dma_frame_num;
    union {
        bool auto_clear;
        bool auto_clear_after_cb;
    };
    bool auto_clear_before_cb;
    int intr_priority;
} i2s_chan_config_t;

esp_err_t i2s_new_channel(const i2s_chan_config_t *chan_cfg, i2s_chan_handle_t *ret_tx_handle, i2s_chan_handle_t *ret_rx_handle);
esp_err_t i2s_del_channel(i2s_chan_handle_t handle);
esp_err_t i2s_channel_enable(i2s_chan_handle_t handle);
esp_err_t i2s_channel_disable(i2s_chan_handle_t handle);
esp_err_t i2s_channel_read(i2s_chan_handle_t handle, void *dest, size_t size, size_t *bytes_read, uint32_t timeout_ms);

#ifdef __cplusplus
}
#endif
