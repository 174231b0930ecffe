/*
 * Log scale: out = round(ln(x) * 2^scale_shift), saturated to uint16, from
 * fixed-point log2: integer part from the leading bit, fractional part in Q16
 * by linear interpolation in a 128-segment correction table.
 */
#include <harken/hk_frontend.h>

#define HK_FE_LOG_FRAC_BITS 16     /* log2 fraction in Q16 */
#define HK_FE_LOG_SEGMENT_BITS 7   /* 128 interpolation segments */
#define HK_FE_LN2_Q16 45426        /* round(ln(2) * 2^16) */

/* round(2^16 * (log2(1 + k/128) - k/128)), k = 0..128: how far log2 bows
 * above its chord on [1, 2]. Regenerate with
 *   [round(65536 * (math.log2(1 + k / 128) - k / 128)) for k in range(129)]
 */
static const uint16_t hk_fe_log2_bow[129] = {
    0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163,
    2329, 2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848,
    3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934,
    5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507,
    5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
    5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370,
    5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762,
    4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848,
    3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659,
    2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
    1094, 963, 830, 695, 559, 421, 282, 142, 0,
};

/* Q16 fraction of log2(x) for x in [2^e, 2^(e+1)). */
static uint32_t log2_fraction(uint32_t x, int32_t e)
{
    /* x - 2^e < 2^e <= 2^31: fits int32 (and is non-negative). */
    int32_t mantissa = (int32_t)(x - ((uint32_t)1 << e));
    if (e < HK_FE_LOG_FRAC_BITS) {
        mantissa <<= HK_FE_LOG_FRAC_BITS - e;
    } else {
        /* Truncates the bits below Q16, as the reference does. */
        mantissa >>= e - HK_FE_LOG_FRAC_BITS;
    }
    const int32_t seg_shift = HK_FE_LOG_FRAC_BITS - HK_FE_LOG_SEGMENT_BITS;
    const int32_t seg = mantissa >> seg_shift;
    const int32_t lo = hk_fe_log2_bow[seg];
    const int32_t hi = hk_fe_log2_bow[seg + 1];
    /* |hi - lo| < 2^9 and the offset inside a segment < 2^9: no overflow; the
     * shift floors, so a falling segment rounds down (toward -inf). */
    const int32_t inside = mantissa - (seg << seg_shift);
    const int32_t bow = lo + (((hi - lo) * inside) >> HK_FE_LOG_FRAC_BITS);
    return (uint32_t)(mantissa + bow);
}

static uint32_t scaled_ln(uint32_t x, int32_t scale_shift)
{
    const int32_t e = hk_fe_bit_length32(x) - 1;
    const uint32_t log2_q16 = ((uint32_t)e << HK_FE_LOG_FRAC_BITS) + log2_fraction(x, e);
    const uint32_t half = 1u << (HK_FE_LOG_FRAC_BITS - 1);
    /* log2_q16 < 2^21, times ln 2 in Q16: up to 2^37, so 64-bit; both steps
     * round half up. */
    const uint32_t ln_q16 = (uint32_t)(((uint64_t)HK_FE_LN2_Q16 * log2_q16 + half) >> HK_FE_LOG_FRAC_BITS);
    return ((ln_q16 << scale_shift) + half) >> HK_FE_LOG_FRAC_BITS;
}

void hk_fe_log_apply(const hk_fe_log_t *l, const uint32_t *signal, int32_t n, uint16_t *out)
{
    for (int32_t c = 0; c < n; c++) {
        uint32_t v = signal[c];
        if (l->enable) {
            /* Back to the filterbank's natural scale; a left shift may drop
             * high bits, as in the reference. */
            if (l->correction_bits < 0) {
                v >>= -l->correction_bits;
            } else {
                v <<= l->correction_bits;
            }
            v = v > 1u ? scaled_ln(v, l->scale_shift) : 0u;
        }
        out[c] = (uint16_t)(v < 0xFFFFu ? v : 0xFFFFu);
    }
}
