/* Stub of Zephyr's device.h: the subset the Harken templates use (syntax checks only). */
#pragma once

#include <stdbool.h>

#include <zephyr/devicetree.h>
#include <zephyr/sys/util.h>

#ifdef __cplusplus
extern "C" {
#endif

struct device {
    const char *name;
    const void *config;
    const void *api;
    void *data;
};

bool device_is_ready(const struct device *dev);

/* One device object per devicetree node with a driver. */
#define DEVICE_DT_NAME_GET(node_id) HK_STUB_CAT(__device_dts_ord_, node_id)
#define DEVICE_DT_GET(node_id) (&DEVICE_DT_NAME_GET(node_id))

/* The nodes the Harken templates reach: the microphone overlay's label and the DKs' led0 controller. */
extern const struct device __device_dts_ord_DT_N_NODELABEL_dmic_dev;
extern const struct device __device_dts_ord_DT_N_ALIAS_led0;

#ifdef __cplusplus
}
#endif
