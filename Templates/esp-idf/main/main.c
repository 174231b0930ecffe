/*
 * Always-on wake-word detection on an ESP32, ESP32-S3 or ESP32-C3 (ESP-IDF v5).
 *
 * An I2S MEMS microphone in standard (Philips) mode, such as the INMP441, is
 * read at 16 kHz in 32-bit slots; the top 16 bits of each sample, with a
 * digital gain, feed Harken's wake-word pipeline (hk_wake.h: frontend, the
 * generated int8 model, detector). Each detection is logged and toggles an LED.
 *
 * Pins and gain are set in `idf.py menuconfig` -> "Harken wake word"
 * (main/Kconfig.projbuild); the defaults are below.
 *
 *   INMP441   ESP32 GPIO (default)
 *   SCK       CONFIG_HARKEN_MIC_BCLK_GPIO (4)
 *   WS        CONFIG_HARKEN_MIC_WS_GPIO (5)
 *   SD        CONFIG_HARKEN_MIC_DIN_GPIO (18)
 *   L/R       GND (left slot)
 *   VDD, GND  3V3, GND
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/gpio.h"
#include "driver/i2s_std.h"
#include "esp_err.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "sdkconfig.h"

#include "harken/hk_wake.h"

/* Defined by the generated model/hk_model_binding.c. */
extern const hk_model_api_t hk_model;

#define MIC_BCLK_GPIO CONFIG_HARKEN_MIC_BCLK_GPIO
#define MIC_WS_GPIO CONFIG_HARKEN_MIC_WS_GPIO
#define MIC_DIN_GPIO CONFIG_HARKEN_MIC_DIN_GPIO
#define MIC_GAIN_SHIFT CONFIG_HARKEN_MIC_GAIN_SHIFT
#define LED_GPIO CONFIG_HARKEN_LED_GPIO
#ifdef CONFIG_HARKEN_MIC_RIGHT_SLOT
#define MIC_SLOT I2S_STD_SLOT_RIGHT
#else
#define MIC_SLOT I2S_STD_SLOT_LEFT
#endif

#define SAMPLE_RATE_HZ 16000
#define READ_SAMPLES 320 /* 20 ms per read */
#define READ_TIMEOUT_MS 1000

static const char *TAG = "harken";

static hk_wake_t wake; /* about 6.5 KiB of frontend state: static, not on the task stack */
static int32_t slots[READ_SAMPLES];
static int16_t samples[READ_SAMPLES];
static uint32_t led_level;

static void on_detect(void *context, uint32_t step, uint8_t probability, int32_t window_sum)
{
    (void)context;
    if (LED_GPIO >= 0) {
        led_level ^= 1u;
        gpio_set_level((gpio_num_t)LED_GPIO, led_level);
    }
    ESP_LOGI(TAG, "wake word '%s' detected at %" PRId64 " ms (step %" PRIu32 ", probability %u/256, window sum %" PRId32 ")",
             hk_model.name, esp_timer_get_time() / 1000, step, (unsigned)probability, window_sum);
}

/* 24-bit audio, MSB-aligned in a 32-bit slot, to int16 with gain and saturation. */
static int16_t slot_to_int16(int32_t slot)
{
    const int32_t v = slot >> (16 - MIC_GAIN_SHIFT);
    if (v > INT16_MAX) return INT16_MAX;
    if (v < INT16_MIN) return INT16_MIN;
    return (int16_t)v;
}

static i2s_chan_handle_t microphone_start(void)
{
    i2s_chan_handle_t rx = NULL;
    i2s_chan_config_t chan_cfg = I2S_CHANNEL_DEFAULT_CONFIG(I2S_NUM_AUTO, I2S_ROLE_MASTER);
    i2s_std_config_t std_cfg = {
        .clk_cfg = I2S_STD_CLK_DEFAULT_CONFIG(SAMPLE_RATE_HZ),
        .slot_cfg = I2S_STD_PHILIPS_SLOT_DEFAULT_CONFIG(I2S_DATA_BIT_WIDTH_32BIT, I2S_SLOT_MODE_MONO),
        .gpio_cfg = {
            .mclk = I2S_GPIO_UNUSED,
            .bclk = (gpio_num_t)MIC_BCLK_GPIO,
            .ws = (gpio_num_t)MIC_WS_GPIO,
            .dout = I2S_GPIO_UNUSED,
            .din = (gpio_num_t)MIC_DIN_GPIO,
        },
    };
    /* In mono mode the default mask is both slots on the S3 and C3: take one. */
    std_cfg.slot_cfg.slot_mask = MIC_SLOT;
    ESP_ERROR_CHECK(i2s_new_channel(&chan_cfg, NULL, &rx));
    ESP_ERROR_CHECK(i2s_channel_init_std_mode(rx, &std_cfg));
    ESP_ERROR_CHECK(i2s_channel_enable(rx));
    return rx;
}

void app_main(void)
{
    i2s_chan_handle_t rx;

    if (LED_GPIO >= 0) {
        gpio_reset_pin((gpio_num_t)LED_GPIO);
        gpio_set_direction((gpio_num_t)LED_GPIO, GPIO_MODE_OUTPUT);
        gpio_set_level((gpio_num_t)LED_GPIO, 0);
    }
    if (hk_wake_init(&wake, &hk_model, on_detect, NULL) != 0) {
        ESP_LOGE(TAG, "hk_wake_init failed: the model's input is not whole frontend frames");
        return;
    }
    rx = microphone_start();
    ESP_LOGI(TAG, "listening for '%s' (arena %" PRIu32 " B, state %" PRIu32 " B, weights %" PRIu32 " B)", hk_model.name,
             hk_model.arena_bytes, hk_model.state_bytes, hk_model.weight_bytes);

    for (;;) {
        size_t bytes = 0;
        size_t n, i;
        const esp_err_t err = i2s_channel_read(rx, slots, sizeof slots, &bytes, READ_TIMEOUT_MS);
        if (err != ESP_OK) {
            ESP_LOGW(TAG, "i2s_channel_read: %s", esp_err_to_name(err));
            continue;
        }
        n = bytes / sizeof slots[0];
        for (i = 0; i < n; i++) {
            samples[i] = slot_to_int16(slots[i]);
        }
        hk_wake_feed(&wake, samples, n);
    }
}
