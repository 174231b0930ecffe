/* Stub of ESP-IDF v5's hal/i2s_types.h: the subset the Harken templates use (syntax checks only). */
#pragma once

#include <stdint.h>

typedef enum {
    I2S_NUM_0 = 0,
    I2S_NUM_1 = 1,
    I2S_NUM_MAX,
    I2S_NUM_AUTO
} i2s_port_t;

typedef enum {
    I2S_ROLE_MASTER,
    I2S_ROLE_SLAVE
} i2s_role_t;

typedef enum {
    I2S_DATA_BIT_WIDTH_8BIT = 8,
    I2S_DATA_BIT_WIDTH_16BIT = 16,
    I2S_DATA_BIT_WIDTH_24BIT = 24,
    I2S_DATA_BIT_WIDTH_32BIT = 32
} i2s_data_bit_width_t;

typedef enum {
    I2S_SLOT_BIT_WIDTH_AUTO = 0,
    I2S_SLOT_BIT_WIDTH_8BIT = 8,
    I2S_SLOT_BIT_WIDTH_16BIT = 16,
    I2S_SLOT_BIT_WIDTH_24BIT = 24,
    I2S_SLOT_BIT_WIDTH_32BIT = 32
} i2s_slot_bit_width_t;

typedef enum {
    I2S_SLOT_MODE_MONO = 1,
    I2S_SLOT_MODE_STEREO = 2
} i2s_slot_mode_t;

typedef enum {
    I2S_STD_SLOT_LEFT = 1 << 0,
    I2S_STD_SLOT_RIGHT = 1 << 1,
    I2S_STD_SLOT_BOTH = (1 << 0) | (1 << 1)
} i2s_std_slot_mask_t;

typedef enum {
    I2S_MCLK_MULTIPLE_128 = 128,
    I2S_MCLK_MULTIPLE_256 = 256,
    I2S_MCLK_MULTIPLE_384 = 384,
    I2S_MCLK_MULTIPLE_512 = 512
} i2s_mclk_multiple_t;

typedef enum {
    I2S_CLK_SRC_DEFAULT = 1,
    I2S_CLK_SRC_PLL_160M = 1,
    I2S_CLK_SRC_XTAL = 2
} i2s_clock_src_t;
