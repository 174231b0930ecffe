/*
 * Always-on wake-word detection on Zephyr: a PDM microphone through the DMIC
 * API at 16 kHz, mono, 16-bit, feeding Harken's wake-word pipeline
 * (hk_wake.h: frontend, the generated int8 model, detector). Each detection is
 * printed and toggles the LED behind the devicetree alias led0.
 *
 * The microphone is the devicetree node labelled dmic_dev; boards/ holds
 * overlays for the nRF52840-DK and the nRF5340-DK that put it on the PDM
 * peripheral (pins in the overlay).
 */
#include <stddef.h>
#include <stdint.h>

#include <zephyr/audio/dmic.h>
#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/printk.h>

#include "harken/hk_wake.h"

/* Defined by the generated model/hk_model_binding.c. */
extern const hk_model_api_t hk_model;

#define SAMPLE_RATE_HZ 16000
#define SAMPLE_BITS 16
#define BLOCK_MS 100
#define BLOCK_BYTES ((SAMPLE_RATE_HZ / 1000) * BLOCK_MS * (SAMPLE_BITS / 8))
#define BLOCK_COUNT 4
#define READ_TIMEOUT_MS 1000

/* PDM clock range and duty cycle the microphone accepts (its datasheet). */
#define MIC_MIN_PDM_CLK_HZ 1000000
#define MIC_MAX_PDM_CLK_HZ 3250000
#define MIC_MIN_DUTY_PERCENT 40
#define MIC_MAX_DUTY_PERCENT 60

/* The driver fills these blocks; the application frees each after use. */
K_MEM_SLAB_DEFINE_STATIC(audio_slab, BLOCK_BYTES, BLOCK_COUNT, 4);

static const struct device *const dmic = DEVICE_DT_GET(DT_NODELABEL(dmic_dev));
static const struct gpio_dt_spec led = GPIO_DT_SPEC_GET(DT_ALIAS(led0), gpios);

static hk_wake_t wake; /* about 6.5 KiB of frontend state: static, not on the stack */

static void on_detect(void *context, uint32_t step, uint8_t probability, int32_t window_sum)
{
    ARG_UNUSED(context);
    (void)gpio_pin_toggle_dt(&led);
    printk("wake word '%s' detected at %u ms (step %u, probability %u/256, window sum %d)\n", hk_model.name,
           (unsigned int)k_uptime_get_32(), (unsigned int)step, (unsigned int)probability, (int)window_sum);
}

int main(void)
{
    struct pcm_stream_cfg stream = {
        .pcm_rate = SAMPLE_RATE_HZ,
        .pcm_width = SAMPLE_BITS,
        .block_size = BLOCK_BYTES,
        .mem_slab = &audio_slab,
    };
    struct dmic_cfg cfg = {
        .io = {
            .min_pdm_clk_freq = MIC_MIN_PDM_CLK_HZ,
            .max_pdm_clk_freq = MIC_MAX_PDM_CLK_HZ,
            .min_pdm_clk_dc = MIC_MIN_DUTY_PERCENT,
            .max_pdm_clk_dc = MIC_MAX_DUTY_PERCENT,
        },
        .streams = &stream,
        .channel = {
            .req_num_chan = 1,
            .req_num_streams = 1,
        },
    };
    int ret;

    cfg.channel.req_chan_map_lo = dmic_build_channel_map(0, 0, PDM_CHAN_LEFT);

    if (!device_is_ready(dmic)) {
        printk("microphone %s is not ready\n", dmic->name);
        return 0;
    }
    if (!gpio_is_ready_dt(&led)) {
        printk("LED (alias led0) is not ready\n");
        return 0;
    }
    ret = gpio_pin_configure_dt(&led, GPIO_OUTPUT_INACTIVE);
    if (ret < 0) {
        printk("LED configuration failed: %d\n", ret);
        return 0;
    }
    if (hk_wake_init(&wake, &hk_model, on_detect, NULL) != 0) {
        printk("hk_wake_init failed: the model's input is not whole frontend frames\n");
        return 0;
    }
    ret = dmic_configure(dmic, &cfg);
    if (ret < 0) {
        printk("dmic_configure failed: %d\n", ret);
        return 0;
    }
    ret = dmic_trigger(dmic, DMIC_TRIGGER_START);
    if (ret < 0) {
        printk("dmic_trigger(START) failed: %d\n", ret);
        return 0;
    }
    printk("listening for '%s' (arena %u B, state %u B, weights %u B)\n", hk_model.name,
           (unsigned int)hk_model.arena_bytes, (unsigned int)hk_model.state_bytes, (unsigned int)hk_model.weight_bytes);

    for (;;) {
        void *block;
        size_t size;

        ret = dmic_read(dmic, 0, &block, &size, READ_TIMEOUT_MS);
        if (ret < 0) {
            printk("dmic_read failed: %d\n", ret);
            continue;
        }
        hk_wake_feed(&wake, (const int16_t *)block, size / sizeof(int16_t));
        k_mem_slab_free(&audio_slab, block);
    }
    return 0;
}
