/* Stub of Zephyr's audio/dmic.h: the DMIC API the Harken templates use, with the
 * real structures' fields and the real functions' signatures (syntax checks only). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/kernel.h>

#ifdef __cplusplus
extern "C" {
#endif

enum dmic_trigger {
    DMIC_TRIGGER_STOP,
    DMIC_TRIGGER_START,
    DMIC_TRIGGER_PAUSE,
    DMIC_TRIGGER_RELEASE,
    DMIC_TRIGGER_RESET
};

enum pdm_lr {
    PDM_CHAN_LEFT,
    PDM_CHAN_RIGHT
};

struct pdm_io_cfg {
    uint32_t min_pdm_clk_freq;
    uint32_t max_pdm_clk_freq;
    uint8_t min_pdm_clk_dc;
    uint8_t max_pdm_clk_dc;
    uint8_t pdm_clk_pol;
    uint8_t pdm_data_pol;
    uint32_t pdm_clk_skew;
};

struct pcm_stream_cfg {
    uint32_t pcm_rate;
    uint8_t pcm_width;
    uint16_t block_size;
    struct k_mem_slab *mem_slab;
};

struct pdm_chan_cfg {
    uint32_t req_chan_map_lo;
    uint32_t req_chan_map_hi;
    uint32_t act_chan_map_lo;
    uint32_t act_chan_map_hi;
    uint8_t req_num_chan;
    uint8_t act_num_chan;
    uint8_t req_num_streams;
    uint8_t act_num_streams;
};

struct dmic_cfg {
    struct pdm_io_cfg io;
    struct pcm_stream_cfg *streams;
    struct pdm_chan_cfg channel;
};

/* Logical channel -> (PDM controller, left/right), 4 bits per channel. */
static inline uint32_t dmic_build_channel_map(uint8_t channel, uint8_t pdm, enum pdm_lr lr)
{
    const uint32_t code = ((uint32_t)(pdm & 7u) << 1) | (uint32_t)lr;
    return code << ((channel & 7u) * 4u);
}

int dmic_configure(const struct device *dev, struct dmic_cfg *cfg);
int dmic_trigger(const struct device *dev, enum dmic_trigger cmd);
int dmic_read(const struct device *dev, uint8_t stream, void **buffer, size_t *size, int32_t timeout);

#ifdef __cplusplus
}
#endif
