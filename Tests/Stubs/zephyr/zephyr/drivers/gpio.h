/* Stub of Zephyr's drivers/gpio.h: the devicetree-spec API the Harken templates use (syntax checks only). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint8_t gpio_pin_t;
typedef uint16_t gpio_dt_flags_t;
typedef uint32_t gpio_flags_t;

#define GPIO_INPUT (1U << 16)
#define GPIO_OUTPUT (1U << 17)
#define GPIO_OUTPUT_INIT_LOW (1U << 18)
#define GPIO_OUTPUT_INIT_HIGH (1U << 19)
#define GPIO_OUTPUT_INIT_LOGICAL (1U << 20)
#define GPIO_OUTPUT_LOW (GPIO_OUTPUT | GPIO_OUTPUT_INIT_LOW)
#define GPIO_OUTPUT_HIGH (GPIO_OUTPUT | GPIO_OUTPUT_INIT_HIGH)
#define GPIO_OUTPUT_INACTIVE (GPIO_OUTPUT | GPIO_OUTPUT_INIT_LOW | GPIO_OUTPUT_INIT_LOGICAL)
#define GPIO_OUTPUT_ACTIVE (GPIO_OUTPUT | GPIO_OUTPUT_INIT_HIGH | GPIO_OUTPUT_INIT_LOGICAL)

struct gpio_dt_spec {
    const struct device *port;
    gpio_pin_t pin;
    gpio_dt_flags_t dt_flags;
};

/* The spec of the first entry of property prop (e.g. gpios) of node node_id. */
#define GPIO_DT_SPEC_GET(node_id, prop) \
    { .port = DEVICE_DT_GET(node_id), .pin = 0, .dt_flags = 0 }

bool gpio_is_ready_dt(const struct gpio_dt_spec *spec);
int gpio_pin_configure_dt(const struct gpio_dt_spec *spec, gpio_flags_t extra_flags);
int gpio_pin_set_dt(const struct gpio_dt_spec *spec, int value);
int gpio_pin_toggle_dt(const struct gpio_dt_spec *spec);

#ifdef __cplusplus
}
#endif
