/*
 * Mel filterbank: power spectrum -> num_channels triangular channels ->
 * square root. Bins are grouped into num_channels + 1 contiguous bands
 * between consecutive mel centres (the first band starts at the lower band
 * limit); a bin's `weight` is its share of the channel centred just below it,
 * its `unweight` (rounded separately, not 4096 - weight) the share of the
 * channel centred just above.
 */
#include <harken/hk_frontend.h>

#include <math.h>

#define HK_FE_FILTERBANK_BITS 12

static float hz_to_mel(float hz)
{
    const float ratio = hz / 700.0f;
    return hk_fe_f32(1127.0f * log1pf(ratio));
}

static int16_t quantize_weight(float w)
{
    const float scaled = hk_fe_f32(w * (float)(1 << HK_FE_FILTERBANK_BITS));
    return (int16_t)floorf(scaled + 0.5f);
}

int hk_fe_filterbank_init(hk_fe_filterbank_t *fb, int32_t num_channels, float lower_hz,
                          float upper_hz, int32_t sample_rate_hz, int32_t n_bins)
{
    if (num_channels < 1 || num_channels > HK_FE_MAX_CHANNELS) {
        return HK_FE_ERR_CHANNELS;
    }
    if (!(lower_hz >= 0.0f) || !(upper_hz > lower_hz) || n_bins < 2 || n_bins > HK_FE_MAX_BINS) {
        return HK_FE_ERR_BAND;
    }
    const int32_t n_bands = num_channels + 1;
    float centre[HK_FE_MAX_CHANNELS + 1];

    /* Everything below is single precision with every product rounded before
     * the next add (hk_fe_f32), like the reference: band edges are decided by
     * `<=` comparisons of these floats and the weights are rounded to Q12, so
     * a fused multiply-add could move a bin or a weight. */
    const float mel_low = hz_to_mel(lower_hz);
    const float mel_high = hz_to_mel(upper_hz);
    const float mel_span = mel_high - mel_low;
    const float mel_step = mel_span / (float)n_bands;
    for (int32_t b = 0; b < n_bands; b++) {
        const float offset = hk_fe_f32(mel_step * (float)(b + 1));
        centre[b] = mel_low + offset;
    }

    const float half_rate = hk_fe_f32(0.5f * (float)sample_rate_hz);
    const float hz_per_bin = half_rate / ((float)n_bins - 1.0f);
    const float first = 1.5f + lower_hz / hz_per_bin;
    const int32_t start = (int32_t)first;
    if (start < 0 || start >= n_bins) {
        return HK_FE_ERR_BAND;
    }

    fb->num_channels = num_channels;
    fb->start_bin = start;
    for (int32_t k = 0; k < HK_FE_MAX_BINS; k++) {
        fb->weight[k] = 0;
        fb->unweight[k] = 0;
    }

    int32_t bin = start;
    for (int32_t b = 0; b < n_bands; b++) {
        fb->band_start[b] = (uint16_t)bin;
        while (bin < n_bins && hz_to_mel((float)bin * hz_per_bin) <= centre[b]) {
            bin++;
        }
    }
    fb->band_start[n_bands] = (uint16_t)bin;
    fb->end_bin = bin;
    /* The last band must stop short of the Nyquist bin. */
    if (bin >= n_bins) {
        return HK_FE_ERR_BAND;
    }

    for (int32_t b = 0; b < n_bands; b++) {
        const float lower_centre = b == 0 ? mel_low : centre[b - 1];
        const float width = centre[b] - lower_centre;
        for (int32_t k = fb->band_start[b]; k < fb->band_start[b + 1]; k++) {
            const float distance = centre[b] - hz_to_mel((float)k * hz_per_bin);
            const float w = distance / width;
            fb->weight[k] = quantize_weight(w);
            fb->unweight[k] = quantize_weight(1.0f - w);
        }
    }
    return HK_FE_OK;
}

void hk_fe_filterbank_energy(const hk_fe_filterbank_t *fb, const hk_cpx16_t *spectrum,
                             uint32_t *energy)
{
    for (int32_t k = fb->start_bin; k < fb->end_bin; k++) {
        const int32_t r = spectrum[k].r;
        const int32_t i = spectrum[k].i;
        /* Each square is <= 2^30; their sum can reach 2^31, so add unsigned. */
        energy[k] = (uint32_t)(r * r) + (uint32_t)(i * i);
    }
}

void hk_fe_filterbank_apply(const hk_fe_filterbank_t *fb, const uint32_t *energy,
                            uint64_t *band_sum, int32_t scale_down_shift, uint32_t *out)
{
    /* band_sum[b] collects the channel centred between bands b-1 and b:
     * band b-1's unweighted energy (carried) plus band b's weighted energy.
     * band_sum[0] is band 0's weights alone and belongs to no channel. */
    uint64_t carry = 0;
    for (int32_t b = 0; b <= fb->num_channels; b++) {
        uint64_t total = carry;
        uint64_t next = 0;
        for (int32_t k = fb->band_start[b]; k < fb->band_start[b + 1]; k++) {
            /* The reference keeps energies as int32 and widens them signed, so
             * the single energy that does not fit (2^31, from a bin of
             * -32768 - 32768i) becomes 2^64 - 2^31. Reproduce that; the sums
             * are modulo 2^64 in both. Weights are in [0, 4096]. */
            uint64_t e = energy[k];
            if ((e & 0x80000000u) != 0u) {
                e |= 0xFFFFFFFF00000000u;
            }
            total += (uint64_t)fb->weight[k] * e;
            next += (uint64_t)fb->unweight[k] * e;
        }
        band_sum[b] = total;
        carry = next;
    }
    for (int32_t c = 0; c < fb->num_channels; c++) {
        out[c] = hk_fe_sqrt_u64(band_sum[c + 1]) >> scale_down_shift;
    }
}

/* floor(sqrt(x)) by the binary digit-by-digit method; *rem = x - root^2. */
static uint32_t sqrt_floor32(uint32_t x, uint32_t *rem)
{
    uint32_t root = 0;
    uint32_t bit = 1u << 30;
    while (bit > x) {
        bit >>= 2;
    }
    while (bit != 0u) {
        if (x >= root + bit) {
            x -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    *rem = x;
    return root;
}

static uint64_t sqrt_floor64(uint64_t x, uint64_t *rem)
{
    uint64_t root = 0;
    uint64_t bit = (uint64_t)1 << 62;
    while (bit > x) {
        bit >>= 2;
    }
    while (bit != 0u) {
        if (x >= root + bit) {
            x -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    *rem = x;
    return root;
}

uint32_t hk_fe_sqrt_u64(uint64_t x)
{
    /* Round to nearest: x - r^2 > r  <=>  x > (r + 1/2)^2 for integers (no
     * ties). The reference refuses to round up past the largest value of its
     * result type, 0xFFFF for inputs below 2^32 and 0xFFFFFFFF above, so the
     * results saturate instead of wrapping to 0. */
    if ((x >> 32) == 0u) {
        uint32_t rem;
        uint32_t r = sqrt_floor32((uint32_t)x, &rem);
        if (rem > r && r != 0xFFFFu) {
            r++;
        }
        return r;
    }
    uint64_t rem;
    uint64_t r = sqrt_floor64(x, &rem);
    if (rem > r && r != 0xFFFFFFFFu) {
        r++;
    }
    return (uint32_t)r;
}
