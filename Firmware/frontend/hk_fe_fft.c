/*
 * Fixed-point real FFT with the arithmetic of KISS FFT's 16-bit build, which
 * the reference frontend uses: an n/2-point complex FFT of the samples taken
 * as (even, odd) pairs, then a split step that separates the two interleaved
 * real spectra.
 *
 * The numbers only match if every rounding happens where the reference
 * rounds, so these are the rules this file keeps:
 *  - Q15 products round half up: (a * b + 2^14) >> 15, then keep 16 bits.
 *  - Each radix-p butterfly first scales its p inputs by 1/p, as a Q15
 *    multiply by floor(32767 / p) (8191 for radix 4, 16383 for radix 2),
 *    so the output is the DFT divided by n and stays in int16 range (but
 *    for rare full-scale corners, where the wrapping below is reproduced).
 *  - Sums and differences are stored as int16, wrapping.
 *  - The complex FFT is decimation in time, radix 4 first and a single radix
 *    2 stage last when log2(n) is odd, applied innermost-first after a
 *    mixed-radix digit-reversal of the input.
 * The twiddle tables are built by host/hk_fe_fft_build.c.
 */
#include <harken/hk_frontend.h>

/* `>>` on a negative int32 must be arithmetic (floor division by 2^k). */
typedef char hk_fe_requires_arithmetic_shift[((-8) >> 1) == -4 ? 1 : -1];

#define HK_Q15_ONE 32767
#define HK_MAX_STAGES 8

static int16_t q15_round(int32_t product)
{
    /* |product| <= 2 * 32768 * 32767 + 2^14 < 2^31: no int32 overflow. */
    return hk_fe_wrap16((product + (1 << 14)) >> 15);
}

static int16_t q15_mul(int16_t a, int16_t b)
{
    return q15_round((int32_t)a * b);
}

static hk_cpx16_t cpx_mul(hk_cpx16_t a, hk_cpx16_t b)
{
    hk_cpx16_t m;
    /* Each component rounds once, after the two products are summed. */
    m.r = q15_round((int32_t)a.r * b.r - (int32_t)a.i * b.i);
    m.i = q15_round((int32_t)a.r * b.i + (int32_t)a.i * b.r);
    return m;
}

static hk_cpx16_t cpx_scale(hk_cpx16_t a, int16_t s)
{
    hk_cpx16_t m;
    m.r = q15_mul(a.r, s);
    m.i = q15_mul(a.i, s);
    return m;
}

static hk_cpx16_t cpx_add(hk_cpx16_t a, hk_cpx16_t b)
{
    hk_cpx16_t m;
    m.r = hk_fe_wrap16((int32_t)a.r + b.r);
    m.i = hk_fe_wrap16((int32_t)a.i + b.i);
    return m;
}

static hk_cpx16_t cpx_sub(hk_cpx16_t a, hk_cpx16_t b)
{
    hk_cpx16_t m;
    m.r = hk_fe_wrap16((int32_t)a.r - b.r);
    m.i = hk_fe_wrap16((int32_t)a.i - b.i);
    return m;
}

/* Stage radices, outermost first: all 4s, then a 2 if log2(n) is odd. */
static int32_t plan_stages(int32_t n, int32_t *radix)
{
    int32_t count = 0;
    while (n % 4 == 0) {
        radix[count++] = 4;
        n /= 4;
    }
    if (n == 2) {
        radix[count++] = 2;
    }
    return count;
}

static void butterfly2(hk_cpx16_t *x, int32_t m, const hk_cpx16_t *tw, int32_t tw_step)
{
    const int16_t half = HK_Q15_ONE / 2;
    for (int32_t k = 0; k < m; k++) {
        const hk_cpx16_t a = cpx_scale(x[k], half);
        const hk_cpx16_t b = cpx_scale(x[k + m], half);
        const hk_cpx16_t t = cpx_mul(b, tw[k * tw_step]);
        x[k + m] = cpx_sub(a, t);
        x[k] = cpx_add(a, t);
    }
}

static void butterfly4(hk_cpx16_t *x, int32_t m, const hk_cpx16_t *tw, int32_t tw_step)
{
    const int16_t quarter = HK_Q15_ONE / 4;
    for (int32_t k = 0; k < m; k++) {
        const hk_cpx16_t a0 = cpx_scale(x[k], quarter);
        const hk_cpx16_t a1 = cpx_scale(x[k + m], quarter);
        const hk_cpx16_t a2 = cpx_scale(x[k + 2 * m], quarter);
        const hk_cpx16_t a3 = cpx_scale(x[k + 3 * m], quarter);
        const hk_cpx16_t b1 = cpx_mul(a1, tw[k * tw_step]);
        const hk_cpx16_t b2 = cpx_mul(a2, tw[2 * k * tw_step]);
        const hk_cpx16_t b3 = cpx_mul(a3, tw[3 * k * tw_step]);
        /* Only sums and differences from here on; int16 wrap-around is
         * modular, so where the intermediate values are narrowed cannot
         * change the outputs. */
        const hk_cpx16_t even_sum = cpx_add(a0, b2);
        const hk_cpx16_t even_diff = cpx_sub(a0, b2);
        const hk_cpx16_t odd_sum = cpx_add(b1, b3);
        const hk_cpx16_t odd_diff = cpx_sub(b1, b3);
        hk_cpx16_t y;
        x[k] = cpx_add(even_sum, odd_sum);
        x[k + 2 * m] = cpx_sub(even_sum, odd_sum);
        /* Forward transform: multiply odd_diff by -i. */
        y.r = hk_fe_wrap16((int32_t)even_diff.r + odd_diff.i);
        y.i = hk_fe_wrap16((int32_t)even_diff.i - odd_diff.r);
        x[k + m] = y;
        y.r = hk_fe_wrap16((int32_t)even_diff.r - odd_diff.i);
        y.i = hk_fe_wrap16((int32_t)even_diff.i + odd_diff.r);
        x[k + 3 * m] = y;
    }
}

/* In-order complex FFT into f->work of the n points (in[2j], in[2j+1]). */
static void complex_fft(hk_fe_fft_t *f, const int16_t *in)
{
    const int32_t n = f->n_cpx;
    int32_t radix[HK_MAX_STAGES];
    int32_t span[HK_MAX_STAGES];   /* sub-transform length after stage s */
    int32_t stride[HK_MAX_STAGES]; /* input stride (and twiddle step) at stage s */
    const int32_t stages = plan_stages(n, radix);

    int32_t len = n;
    int32_t step = 1;
    for (int32_t s = 0; s < stages; s++) {
        len /= radix[s];
        span[s] = len;
        stride[s] = step;
        step *= radix[s];
    }

    /* Output position sum_s d_s * span[s] takes input sum_s d_s * stride[s]:
     * the mixed-radix digit reversal that decimation in time implies. */
    for (int32_t pos = 0; pos < n; pos++) {
        int32_t rest = pos;
        int32_t src = 0;
        for (int32_t s = 0; s < stages; s++) {
            const int32_t digit = rest / span[s];
            rest -= digit * span[s];
            src += digit * stride[s];
        }
        f->work[pos].r = in[2 * src];
        f->work[pos].i = in[2 * src + 1];
    }

    /* Combine sub-transforms from the innermost stage outwards. */
    for (int32_t s = stages - 1; s >= 0; s--) {
        const int32_t m = span[s];
        const int32_t block = m * radix[s];
        for (int32_t base = 0; base < n; base += block) {
            if (radix[s] == 4) {
                butterfly4(&f->work[base], m, f->twiddle, stride[s]);
            } else {
                butterfly2(&f->work[base], m, f->twiddle, stride[s]);
            }
        }
    }
}

void hk_fe_fft_real(hk_fe_fft_t *f, const int16_t *in, hk_cpx16_t *out)
{
    const int32_t n = f->n_cpx;
    const int16_t half = HK_Q15_ONE / 2;
    complex_fft(f, in);
    const hk_cpx16_t *z = f->work;

    /* DC and Nyquist: the sums of the even and of the odd samples. */
    const hk_cpx16_t dc = cpx_scale(z[0], half);
    out[0].r = hk_fe_wrap16((int32_t)dc.r + dc.i);
    out[0].i = 0;
    out[n].r = hk_fe_wrap16((int32_t)dc.r - dc.i);
    out[n].i = 0;

    for (int32_t k = 1; k <= n / 2; k++) {
        hk_cpx16_t mirror;
        mirror.r = z[n - k].r;
        mirror.i = hk_fe_wrap16(-(int32_t)z[n - k].i); /* conjugate; -(-32768) wraps */
        const hk_cpx16_t a = cpx_scale(z[k], half);
        const hk_cpx16_t b = cpx_scale(mirror, half);
        const hk_cpx16_t even = cpx_add(a, b);
        const hk_cpx16_t odd = cpx_mul(cpx_sub(a, b), f->split_twiddle[k - 1]);
        /* Halving a sum of two int16 values always fits int16 again. */
        out[k].r = (int16_t)(((int32_t)even.r + odd.r) >> 1);
        out[k].i = (int16_t)(((int32_t)even.i + odd.i) >> 1);
        /* At k = n/2 this overwrites the bin just written, as the reference
         * does. */
        out[n - k].r = (int16_t)(((int32_t)even.r - odd.r) >> 1);
        out[n - k].i = (int16_t)(((int32_t)odd.i - even.i) >> 1);
    }
}
