/*
 * Frontend features (uint16) to a model's int8 input, integer-only.
 */
#include <harken/hk_frontend.h>

hk_feature_quant_t hk_feature_quant_esphome(void)
{
    hk_feature_quant_t q;
    q.num = 256;
    q.bias = 333; /* den / 2: round half up */
    q.den = 666;
    q.zero_point = -128;
    return q;
}

void hk_features_quantize(const hk_feature_quant_t *q, const uint16_t *features, int n, int8_t *out)
{
    for (int i = 0; i < n; i++) {
        /* f <= 65535 and num <= 16384 keep f * num < 2^30, so with
         * |bias| <= 2^30 nothing here leaves int32. Division truncates toward
         * zero, the same as ESPHome's C++. */
        int32_t v = ((int32_t)features[i] * q->num + q->bias) / q->den + q->zero_point;
        if (v < -128) {
            v = -128;
        } else if (v > 127) {
            v = 127;
        }
        out[i] = (int8_t)v;
    }
}

void hk_features_quantize_table(const hk_feature_table_t *t, const uint16_t *features, int n, int8_t *out)
{
    for (int i = 0; i < n; i++) {
        /* Binary search for the number of thresholds <= f: 8 compares for a full table. */
        int32_t lo = 0, hi = t->count;
        while (lo < hi) {
            int32_t mid = (lo + hi) / 2;
            if (t->threshold[mid] <= features[i]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        out[i] = (int8_t)(t->first_code + lo);
    }
}
