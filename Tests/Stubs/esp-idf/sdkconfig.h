/* Stub of the sdkconfig.h that ESP-IDF generates: the target (pass
 * -DCONFIG_IDF_TARGET_ESP32=1, _ESP32S3 or _ESP32C3) and the defaults of
 * Templates/esp-idf/main/Kconfig.projbuild, each overridable with -D. */
#pragma once

#if !defined(CONFIG_IDF_TARGET_ESP32) && !defined(CONFIG_IDF_TARGET_ESP32S3) && !defined(CONFIG_IDF_TARGET_ESP32C3)
#error "define CONFIG_IDF_TARGET_ESP32, CONFIG_IDF_TARGET_ESP32S3 or CONFIG_IDF_TARGET_ESP32C3"
#endif

#if defined(CONFIG_IDF_TARGET_ESP32)
#define CONFIG_IDF_TARGET "esp32"
#define SOC_I2S_HW_VERSION_1 1
#elif defined(CONFIG_IDF_TARGET_ESP32S3)
#define CONFIG_IDF_TARGET "esp32s3"
#define SOC_I2S_HW_VERSION_2 1
#else
#define CONFIG_IDF_TARGET "esp32c3"
#define SOC_I2S_HW_VERSION_2 1
#endif

#ifndef CONFIG_HARKEN_MIC_BCLK_GPIO
#define CONFIG_HARKEN_MIC_BCLK_GPIO 4
#endif
#ifndef CONFIG_HARKEN_MIC_WS_GPIO
#define CONFIG_HARKEN_MIC_WS_GPIO 5
#endif
#ifndef CONFIG_HARKEN_MIC_DIN_GPIO
#define CONFIG_HARKEN_MIC_DIN_GPIO 18
#endif
#ifndef CONFIG_HARKEN_MIC_GAIN_SHIFT
#define CONFIG_HARKEN_MIC_GAIN_SHIFT 2
#endif
#ifndef CONFIG_HARKEN_LED_GPIO
#if defined(CONFIG_IDF_TARGET_ESP32C3)
#define CONFIG_HARKEN_LED_GPIO 7
#else
#define CONFIG_HARKEN_LED_GPIO 2
#endif
#endif
/* CONFIG_HARKEN_MIC_RIGHT_SLOT: a bool, absent when off (pass -DCONFIG_HARKEN_MIC_RIGHT_SLOT=1). */
