/* Stub of ESP-IDF v5's driver/i2s_types.h: the subset the Harken templates use (syntax checks only). */
#pragma once

#include "hal/i2s_types.h"

typedef struct i2s_channel_obj_t *i2s_chan_handle_t;
