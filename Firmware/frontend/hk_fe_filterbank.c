/*
 * Mel filterbank: power spectrum -> num_channels triangular channels ->
 * square root. Bins are grouped into num_channels + 1 contiguous bands
 * between consecutive mel centres (the first band starts at the lower band
 * limit); a bin's `weight` is its share of the channel centred just below it,
 * its `unweight` (rounded separately, not 4096 - weight) the share of the
 * channel centred just above. The tables are built by
 * host/hk_fe_filterbank_build.c.
 */
#include <harken/hk_frontend.h>

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
