/*
 * Harken int8 kernels: TFLite int8 semantics, C99, no allocation.
 *
 * Every kernel takes one params struct that the code generator (or the host
 * simulator) fills once from the imported graph: shapes, quantization and
 * geometry are constants by the time a kernel runs. Kernels do not validate;
 * the importer did (see HarkenGraph).
 *
 * Quantized multipliers follow TFLite's convention: a real multiplier M is
 * stored as a Q31 significand `mult` in [2^30, 2^31) and an exponent `shift`
 * with M = mult * 2^(shift - 31); shift > 0 shifts left before the high
 * multiply, shift < 0 is a rounding right shift after it.
 */
#ifndef HARKEN_KERNELS_H
#define HARKEN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* NHWC shape. Tensors of lower rank are right-aligned into it (h = w = 1). */
typedef struct {
    int32_t n, h, w, c;
} hk_shape4_t;

/* ---- Accumulator bound: how many products an int32 sum may hold ----
 * This is the one statement of it; the multiply-accumulate kernels and the importer (HarkenGraph's
 * Operators/Conv2D.swift and FullyConnected.swift, which refuse layers beyond it) refer here.
 *
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED sum products of two int8 operands in int32, as
 * TFLite does. An operand that carries an offset (an activation plus its negated zero point, or a
 * weight minus a non-zero weight zero point) is an int8 value minus an int8 zero point, so it lies
 * in [-128 - 127, 127 + 128] = [-255, 255] (the importer checks that zero points lie in their
 * type's range). A raw int8 weight lies in [-128, 127]. So:
 *  - activation x raw weight (convolutions; FULLY_CONNECTED with symmetric weights, TFLite's
 *    int8 scheme): |product| <= 255 * 128 = 32,640 < 2^15, and 65,536 = 2^16 products sum to at
 *    most 65,536 * 32,640 = 2,139,095,040 <= 2^31 - 1 = 2,147,483,647: HK_ACC_MAX_TERMS.
 *  - activation x offset weight (FULLY_CONNECTED with a non-zero weight zero point):
 *    |product| <= 255 * 255 = 65,025 < 2^16, and 32,768 = 2^15 products sum to at most
 *    2,130,739,200: HK_ACC_MAX_TERMS_OFFSET_WEIGHTS. (255 * 255 per product does not apply to
 *    convolutions, whose weights are never offset: their bound is the first one.)
 * Every partial sum of at most that many products is bounded the same way, so within the bound
 * integer addition is exact in any order: kernels may sum taps in another order than TFLite (the
 * blocked reference kernels, the DSP variants) and still give its bytes. The bias is added after
 * the products, as TFLite does, so a bias near the int32 limits overflows (or not) where
 * TFLite's does. */
#define HK_ACC_MAX_TERMS 65536
#define HK_ACC_MAX_TERMS_OFFSET_WEIGHTS 32768

/* ---- fixed-point helpers (TFLite / gemmlowp reference arithmetic) ---- */
int32_t hk_saturating_rounding_doubling_high_mul(int32_t a, int32_t b);
int32_t hk_rounding_divide_by_pot(int32_t x, int exponent);
int32_t hk_multiply_by_quantized_multiplier(int32_t x, int32_t mult, int shift);

/* ---- CONV_2D and DEPTHWISE_CONV_2D ----
 * filter layout: CONV_2D  [out_c][kh][kw][in_c]  (OHWI)
 *                DEPTHWISE [1][kh][kw][in_c * depth_multiplier]
 * bias may be NULL. out_mult / out_shift are per output channel.
 *
 * input, filter, output   NHWC shapes; CONV_2D: filter = {out_c, kh, kw, in_c / groups} (grouped
 *                     convolution when filter.c divides input.c, output.c a multiple of the groups);
 *                     DEPTHWISE: filter = {1, kh, kw, out_c}, out_c = in_c * depth_multiplier
 * stride_h/w >= 1; dilation_h/w >= 1
 * pad_h, pad_w        top / left padding >= 0: VALID = 0, SAME = max(0, ((out - 1) * stride +
 *                     (k - 1) * dilation + 1 - in) / 2); the odd extra pixel is bottom / right
 * depth_multiplier    >= 1 (CONV_2D: ignored)
 * input_offset        -input zero point, in [-127, 128]
 * output_offset       output zero point, in [-128, 127]
 * act_min, act_max    fused activation clamp (see the conventions further down)
 * out_mult, out_shift output.c entries each: QuantizeMultiplier(s_in * s_filter[oc] / s_out), with
 *                     s_filter[0] repeated for per-tensor filters
 * bias                output.c int32 values with scale s_in * s_filter[oc], zero point 0 */
typedef struct {
    hk_shape4_t input, filter, output;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;            /* top / left padding, SAME resolved by the importer */
    int32_t depth_multiplier;        /* depthwise only */
    int32_t input_offset;            /* -input zero point */
    int32_t output_offset;           /* output zero point */
    int32_t act_min, act_max;        /* fused activation clamp, in output units */
    const int32_t *out_mult;
    const int32_t *out_shift;
} hk_conv_params_t;

void hk_conv2d_s8(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                  const int32_t *bias, int8_t *output);
void hk_dwconv2d_s8(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                    const int32_t *bias, int8_t *output);

/* ---- FULLY_CONNECTED ----
 * weights [out_depth][in_depth]; per-tensor (n_mult == 1) or per-channel (n_mult == out_depth).
 *
 * batches             input elements / in_depth (the input is flattened to [batches][in_depth])
 * input_offset        -input zero point; filter_offset: -weights zero point (0 for int8 weights)
 * output_offset       output zero point
 * out_mult, out_shift n_mult entries: QuantizeMultiplier(s_in * s_w[o] / s_out) in double (per-tensor:
 *                     s_w[0]); TFLM multiplies in double here, not float(s_in * s_w) as older
 *                     TFLite sources do
 * bias                may be NULL; out_depth int32 values */
typedef struct {
    int32_t batches, in_depth, out_depth;
    int32_t input_offset, filter_offset, output_offset;
    int32_t act_min, act_max;
    int32_t n_mult;
    const int32_t *out_mult;
    const int32_t *out_shift;
} hk_fc_params_t;

void hk_fully_connected_s8(const hk_fc_params_t *p, const int8_t *input, const int8_t *weights,
                           const int32_t *bias, int8_t *output);

/* ---- CONCATENATION, SPLIT, SPLIT_V (same quantization on every side: byte copies) ----
 * The tensor is viewed as [outer][axis * inner]; part i covers part_bytes[i] of each row.
 *
 * outer               product of the dimensions before the axis (1 for axis 0)
 * n_parts             number of inputs (concat) or outputs (split), >= 1
 * part_bytes          n_parts entries: part i's extent along the axis * inner * element bytes
 * row_bytes           sum of part_bytes (the concatenated tensor's row) */
typedef struct {
    int32_t outer;
    int32_t n_parts;
    const int32_t *part_bytes;
    int32_t row_bytes;               /* sum of part_bytes */
} hk_concat_params_t;

void hk_concat(const hk_concat_params_t *p, const void *const *inputs, void *output);
void hk_split(const hk_concat_params_t *p, const void *input, void *const *outputs);

/* ---- STRIDED_SLICE (begin/end/strides and masks resolved at import, up to 5-D) ----
 * rank                1..5; the shapes below use the first `rank` entries
 * elem_bytes          bytes per element (1 for int8)
 * in_shape            input extents
 * begin               resolved first index per axis (TFLite's StartForAxis), 0 <= begin < in_shape
 * stride              per axis, non-zero, may be negative
 * out_shape           element count per axis, >= 1 (1 for shrunk axes, which keep their place in
 *                     memory); begin + (out_shape - 1) * stride stays inside the axis */
typedef struct {
    int32_t rank;
    int32_t elem_bytes;
    int32_t in_shape[5];
    int32_t begin[5];
    int32_t stride[5];
    int32_t out_shape[5];
} hk_slice_params_t;

void hk_strided_slice(const hk_slice_params_t *p, const void *input, void *output);

/* ---- LOGISTIC int8 (gemmlowp fixed-point logistic, output scale 1/256, zp -128) ----
 * size                element count
 * input_zero_point    raw input zero point
 * input_multiplier, input_left_shift   frexp(s_in * 2^27) = (q, e): multiplier = round(q * 2^31)
 *                     (half away from zero), left shift = e; the input becomes Q4.27
 * input_range_radius  floor(15 * 2^27 / 2^e): |q - zp| at or beyond it saturates to -128 / 127 */
typedef struct {
    int32_t size;
    int32_t input_zero_point;
    int32_t input_range_radius;
    int32_t input_multiplier;
    int32_t input_left_shift;
} hk_logistic_params_t;

void hk_logistic_s8(const hk_logistic_params_t *p, const int8_t *input, int8_t *output);

/* ---- QUANTIZE: int8/uint8 -> int8/uint8 requantization, float -> int8/uint8 ---- */
enum { HK_TYPE_INT8 = 0, HK_TYPE_UINT8 = 1, HK_TYPE_FLOAT32 = 2, HK_TYPE_INT16 = 3, HK_TYPE_INT32 = 4 };
/* size                element count
 * in_type, out_type   int8 / uint8 / int16 -> int8 / uint8 / int16 / int32 (requantize), or
 *                     float32 -> int8 / uint8 / int16
 * input_zero_point    raw input zero point (integer input); output_zero_point: raw
 * mult, shift         integer input: QuantizeMultiplier(s_in / s_out); unused for float input */
typedef struct {
    int32_t size;
    int32_t in_type, out_type;
    int32_t input_zero_point, output_zero_point;
    int32_t mult, shift;             /* integer requantization */
    float scale;                     /* float -> integer: the output scale itself. TFLM divides by
                                        it (x / scale); x * (1 / scale) rounds differently. */
} hk_quantize_params_t;

void hk_quantize(const hk_quantize_params_t *p, const void *input, void *output);

/* ======================================================================
 * Additions: documentation of the structs above, gemmlowp transcendental
 * helpers, and the kernels the Sentry architectures need.
 *
 * Conventions for every params struct below:
 *  - "offset" fields are already negated zero points where the kernel adds
 *    them to an input (input_offset = -zero_point), and plain zero points
 *    where they are added to an output (output_offset = zero_point).
 *  - mult / shift pairs use the convention at the top of this file and are
 *    produced by TFLite's QuantizeMultiplier (frexp + round, see the
 *    importer); mult is 0 or in [2^30, 2^31), shift in [-31, 30].
 *  - act_min / act_max are the fused-activation clamp in output units, with
 *    -128 <= act_min <= act_max <= 127.
 *  - Shapes are NHWC, every dimension >= 1.
 * ====================================================================== */

/* ---- gemmlowp fixed-point transcendental functions (LOGISTIC, SOFTMAX) ----
 * A "Qm" value is an int32 with m integer bits and 31 - m fractional bits.
 * hk_exp_on_negative_values: a in Qm (a <= 0, 0 <= m <= 30), returns exp(a) in Q0.
 * hk_one_over_one_plus_x_for_x_in_0_1: a in Q0 (0 <= a), returns 1 / (1 + a) in Q0.
 * hk_logistic_fixed: a in Qm, returns 1 / (1 + exp(-a)) in Q0. */
int32_t hk_exp_on_negative_values(int32_t a, int integer_bits);
int32_t hk_one_over_one_plus_x_for_x_in_0_1(int32_t a);
int32_t hk_logistic_fixed(int32_t a, int integer_bits);

/* ---- AVERAGE_POOL_2D, MAX_POOL_2D (int8; input and output share scale and zero point) ----
 * filter_h, filter_w  window size, >= 1
 * stride_h, stride_w  >= 1
 * pad_h, pad_w        top / left padding (SAME resolved by the importer, VALID = 0); windows are
 *                     clipped to the image, the average divides by the clipped count
 * act_min, act_max    fused activation clamp in output units */
typedef struct {
    hk_shape4_t input, output;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;
    int32_t act_min, act_max;
} hk_pool_params_t;

void hk_avgpool2d_s8(const hk_pool_params_t *p, const int8_t *input, int8_t *output);
void hk_maxpool2d_s8(const hk_pool_params_t *p, const int8_t *input, int8_t *output);

/* ---- ADD (int8, TFLite's general rescaling scheme, 4-D broadcasting) ----
 * input1, input2      shapes right-aligned to 4-D; each dimension equals output's or is 1
 *                     (a 1 is repeated along that dimension)
 * input1_offset, input2_offset   -zero point of each input, in [-127, 128]
 * output_offset       output zero point, in [-128, 127]
 * left_shift          20 for int8: inputs are scaled up by 2^20 before the rescale so that the
 *                     two rescaled inputs keep ~20 fractional bits; |x| <= 255 * 2^20 < 2^31
 * input1_mult/shift   QuantizeMultiplier(s1 / (2 * max(s1, s2))), shift <= 0
 * input2_mult/shift   QuantizeMultiplier(s2 / (2 * max(s1, s2))), shift <= 0
 * output_mult/shift   QuantizeMultiplier(2 * max(s1, s2) / (2^left_shift * s_out)), shift <= 0 */
typedef struct {
    hk_shape4_t input1, input2, output;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;
    int32_t input1_mult, input1_shift;
    int32_t input2_mult, input2_shift;
    int32_t output_mult, output_shift;
    int32_t act_min, act_max;
} hk_add_params_t;

void hk_add_s8(const hk_add_params_t *p, const int8_t *input1, const int8_t *input2, int8_t *output);

/* ---- MUL (int8, 4-D broadcasting as ADD) ----
 * output_mult/shift   QuantizeMultiplier(s1 * s2 / s_out) */
typedef struct {
    hk_shape4_t input1, input2, output;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_mult, output_shift;
    int32_t act_min, act_max;
} hk_mul_params_t;

void hk_mul_s8(const hk_mul_params_t *p, const int8_t *input1, const int8_t *input2, int8_t *output);

/* ---- MEAN (int8) over a contiguous run of axes ----
 * The input is viewed as [outer][reduce][inner] and the output as [outer][inner]; MEAN over H and W
 * of NHWC is outer = N, reduce = H * W, inner = C (keep_dims only changes the output's shape).
 * TFLM takes this path for every int8 MEAN, also when input and output share scale and zero point.
 * input_zero_point, output_zero_point   raw zero points
 * mult, shift         QuantizeMultiplier(s_in / s_out) = (mult0, shift0) with 1/reduce folded in:
 *                       k = min(floor(log2(reduce)), 32, 31 + shift0)
 *                       mult = (mult0 << k) / reduce (int64, truncating), shift = shift0 - k
 * reduce < 2^23 keeps the int32 sums exact. */
typedef struct {
    int32_t outer, reduce, inner;
    int32_t input_zero_point, output_zero_point;
    int32_t mult, shift;
} hk_mean_params_t;

void hk_mean_s8(const hk_mean_params_t *p, const int8_t *input, int8_t *output);

/* ---- PAD (int8; PAD fills with the output zero point, PADV2 with its constant) ----
 * input, output       4-D shapes (right-aligned); output = before + input + after per dimension
 * before[4]           leading padding of n, h, w, c, >= 0
 * pad_value           value written outside the input, in [-128, 127] */
typedef struct {
    hk_shape4_t input, output;
    int32_t before[4];
    int32_t pad_value;
} hk_pad_params_t;

void hk_pad_s8(const hk_pad_params_t *p, const int8_t *input, int8_t *output);

/* ---- SOFTMAX (int8 in; int8 out with scale 1/256, zero point -128) ----
 * Softmax runs over the last dimension: the tensor is [outer][depth].
 * input_mult, input_left_shift   QuantizeMultiplier(min(beta * s_in * 2^(31 - 5), 2^31 - 1)),
 *                     left shift >= 0: input differences become Q5.26
 * diff_min            -floor((2^5 - 1) * 2^26 / 2^input_left_shift): differences from the row
 *                     maximum below this give exp() == 0 and output -128
 * A row whose exps sum to 512 or more (which takes a depth of 512 or more) would need the final
 * rounding shift past 31 bits, outside TFLite's arithmetic as well (gemmlowp asserts it is at most
 * 31); the kernels are checked on depths up to 511. */
typedef struct {
    int32_t outer, depth;
    int32_t input_mult, input_left_shift;
    int32_t diff_min;
} hk_softmax_params_t;

void hk_softmax_s8(const hk_softmax_params_t *p, const int8_t *input, int8_t *output);

/* The same softmax with exp looked up (hk_softmax_s8_lut.c): an int8 row's differences from its
 * maximum take at most 256 values, so the compiler tabulates exp of each (hk_softmax_s8_lut_fill,
 * on the host, with the device's arithmetic).
 * exp_q0[i]           exp(-i * beta * s_in) in Q0 as hk_softmax_s8 computes it, i = max - q, for
 *                     i < entries (<= 256), then a 0 that every difference at or past entries reads
 *                     (they contribute nothing) */
typedef struct {
    int32_t outer, depth;
    int32_t entries;
    const int32_t *exp_q0;
} hk_softmax_lut_params_t;

/* Writes the table (at most 257 values) and returns `entries`. */
int32_t hk_softmax_s8_lut_fill(const hk_softmax_params_t *p, int32_t *table);
void hk_softmax_s8_lut(const hk_softmax_lut_params_t *p, const int8_t *input, int8_t *output);

/* ---- DEQUANTIZE (int8 / uint8 / int16 -> float32): out = scale * (float)(q - zero_point) ---- */
typedef struct {
    int32_t size;
    int32_t in_type;                 /* HK_TYPE_INT8, HK_TYPE_UINT8 or HK_TYPE_INT16 */
    int32_t zero_point;
    float scale;
} hk_dequantize_params_t;

void hk_dequantize(const hk_dequantize_params_t *p, const void *input, float *output);

/* ---- HARD_SWISH (int8, TFLite's 16-bit fixed-point reference) ----
 * With hires = double(s_in) / 128 (TFLM computes these ratios in double; rounding them to float
 * first, as some TFLite sources read, gives different multipliers and different bytes):
 * output_mult, output_exponent    QuantizeMultiplier(hires / s_out) = (m, e), m rounded to Q15 by
 *                     DownScaleInt32ToInt16Multiplier: m >= 2^31 - 1 - 2^15 ? 32767 : (m + 2^15) >> 16;
 *                     output_exponent = e <= 0
 * reluish_mult, reluish_exponent  same for hires / (3 / 32768); exponent in [-31, 30]
 * All multipliers are in [0, 32767]. */
typedef struct {
    int32_t size;
    int32_t input_zero_point, output_zero_point;
    int32_t reluish_mult, reluish_exponent;
    int32_t output_mult, output_exponent;
} hk_hard_swish_params_t;

void hk_hard_swish_s8(const hk_hard_swish_params_t *p, const int8_t *input, int8_t *output);

/* ---- An int8 -> int8 function of one element, looked up (LOGISTIC, HARD_SWISH on the devices) ----
 * size                element count
 * table               256 outputs, table[q + 128] for input q: the compiler fills it by running
 *                     the function's reference kernel on every int8 input, so the bytes are its */
typedef struct {
    int32_t size;
    const int8_t *table;
} hk_table_params_t;

void hk_table_s8(const hk_table_params_t *p, const int8_t *input, int8_t *output);

/* ---- RELU (int8): the input requantized to the output's scale, clamped at real 0 ----
 * size                element count
 * input_zero_point, output_zero_point   raw zero points
 * mult, shift         QuantizeMultiplier(s_in / s_out) (in double, as TFLM)
 * act_min, act_max    max(-128, output_zero_point) and 127: the output's real 0 upwards */
typedef struct {
    int32_t size;
    int32_t input_zero_point, output_zero_point;
    int32_t mult, shift;
    int32_t act_min, act_max;
} hk_relu_params_t;

void hk_relu_s8(const hk_relu_params_t *p, const int8_t *input, int8_t *output);

/* ======================================================================
 * Cortex-M DSP variants
 *
 * The reference kernel's signature, parameters and output bytes, computed with
 * the Armv7E-M / Armv8-M DSP extension (Cortex-M4, M7, M33, M35P, M55): int8
 * operands widened to pairs of int16 lanes with SXTB16 / SXTAB16 (the input
 * offset folded into the extend), two multiply-accumulates per SMLAD into int32
 * accumulators (DEPTHWISE_CONV_2D: SMLABB / SMLATT, one channel per lane), then
 * the reference's requantization. Integer sums are exact in any order within
 * the accumulator bound (top of this file), so the output equals the reference's for
 * every shape and parameter set, byte for byte (checked, and timed, by
 * Firmware/tests/dsp_check on emulated Cortex-M4, M7 and M33).
 *
 * Every variant compiles for every target: without __ARM_FEATURE_DSP (host,
 * Cortex-M0+, RISC-V, big-endian Arm) the same file builds plain C that
 * computes the same lanes, so one test binary can link both and compare. The
 * code generator picks the variant for the target (CEmitter.KernelVariant).
 * ====================================================================== */
void hk_conv2d_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                      const int32_t *bias, int8_t *output);
/* CONV_2D in 2 x 2 tiles (two pixels, two output channels), the same bytes as
 * hk_conv2d_s8 with its filter, for two pixels or more: hk_conv2d_1x1_s8_dsp
 * for a 1x1 ungrouped filter at stride 1 without padding (filter.c = input.c;
 * more than HK_PW_MAX_IN in segments of that many, the sums carried between
 * them and requantized in a pass of their own), hk_conv2d_im2col_s8_dsp for any
 * ungrouped filter whose window (filter.h * filter.w * input.c) is at most
 * HK_PW_MAX_IN. Both read the filter as hk_conv_pack_weights16 packs it. The code generator picks them on
 * cores with the DSP extension. */
/* Two windows staged as int16 take 1 KiB of stack; with a chunk's constants
 * and sums and im2col's gathered windows the tiles use about 3 KiB. */
#define HK_PW_MAX_IN 256
#define HK_PW_CHUNK 64   /* output channels per pass over the pixels (their sums or constants on the stack) */
/* A chunk is requantized inside the tiles when its channel count is even, the
 * clamp the whole int8 range and every shift in [HK_PW_FUSED_SHIFT_MIN, -2];
 * otherwise in a pass of its own. */
#define HK_PW_FUSED_SHIFT_MIN (-23)
void hk_conv2d_1x1_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int16_t *packed,
                          const int32_t *bias, int8_t *output);
void hk_conv2d_im2col_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int16_t *packed,
                             const int32_t *bias, int8_t *output);

/* A [rows][depth] int8 filter sign-extended to int16 and packed for the tiles:
 * per pair of rows and group of four elements e0..e3, the pairs row 0 (e0, e2),
 * row 1 (e0, e2), row 0 (e1, e3), row 1 (e1, e3), zeros past an odd last row
 * and the depth, then HK_CONV_PACKED16_PAD zeros (which the Cortex-M7 schedule's
 * last loads read). HK_CONV_PACKED16_LEN int16 values. */
#define HK_CONV_PACKED16_PAD 4
#define HK_CONV_PACKED16_LEN(rows, depth) \
    ((((rows) + 1) & ~1) * (((depth) + 3) & ~3) + HK_CONV_PACKED16_PAD)
void hk_conv_pack_weights16(int32_t rows, int32_t depth, const int8_t *filter, int16_t *packed);
void hk_dwconv2d_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                        const int32_t *bias, int8_t *output);
/* DEPTHWISE_CONV_2D one channel plane at a time (staged as int16 on the stack,
 * HK_DW3_PLANE values, in strips of at most HK_DW3_ACC outputs), the same bytes as
 * hk_dwconv2d_s8, for the calls hk_dw3_fits accepts: a 3x3 filter, depth
 * multiplier 1, dilation 1, stride 1 or 2 along the plane's rows (the width,
 * or the height of a map taller than wide, which is walked transposed), three
 * plane rows within HK_DW3_PLANE. The code generator picks it on cores with the
 * DSP extension. */
#define HK_DW3_PLANE 384 /* int16 values: 768 bytes of stack */
#define HK_DW3_ACC 128   /* a strip's int32 sums: 516 bytes of stack */
int32_t hk_dw3_fits(const hk_conv_params_t *p);
void hk_dwconv2d_3x3_s8_dsp(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                            const int32_t *bias, int8_t *output);
void hk_fully_connected_s8_dsp(const hk_fc_params_t *p, const int8_t *input, const int8_t *weights,
                               const int32_t *bias, int8_t *output);

/* FULLY_CONNECTED with weights the compiler packed (hk_fc_pack_weights) for four
 * rows per load: the same bytes as hk_fully_connected_s8 with the unpacked
 * weights, for filter_offset 0 and in_depth <= HK_FC_PACKED_MAX_DEPTH (its
 * inputs are staged on the stack). The code generator picks it on cores with
 * the DSP extension, for FULLY_CONNECTED and for one-pixel convolutions. */
#define HK_FC_PACKED_MAX_DEPTH 256
void hk_fully_connected_s8_packed_dsp(const hk_fc_params_t *p, const int8_t *input,
                                      const int8_t *packed, const int32_t *bias, int8_t *output);

/* The packed layout, the same size as [out_depth][in_depth]: for each group of
 * four rows, each run of four inputs of the four rows in turn (16 bytes), then
 * the in_depth % 4 inputs left over, row by row; the out_depth % 4 rows left
 * over after the groups stay as they are. */
void hk_fc_pack_weights(int32_t in_depth, int32_t out_depth, const int8_t *weights, int8_t *packed);

/* ======================================================================
 * Scalar-core variants (Cortex-M0/M0+, RV32IMC, Xtensa LX106: one multiply
 * an instruction, no packed arithmetic)
 *
 * The reference kernel's parameters and output bytes, arranged for cores that
 * multiply one pair at a time: planes and tiles that keep filter values and
 * inputs in registers across outputs, the input offset added once when the
 * data are staged. Plain C99 for every target; checked byte for byte against
 * the reference (and the plain-loop specification) by Firmware/tests/dsp_check
 * on the host and on emulated Cortex-M0, RV32IMC and Xtensa LX106. The code
 * generator picks them per layer on those cores (KernelVariant.scalar).
 * ====================================================================== */

/* DEPTHWISE_CONV_2D one channel plane at a time, the filter in registers, the
 * plane staged as int32 in a ring of three rows of at most HK_DW3_SCALAR_ROW
 * values: the same bytes as hk_dwconv2d_s8 for the calls hk_dw3_scalar_fits
 * accepts: a 3x3 filter, depth multiplier 1, dilation 1, stride 1 or 2 along
 * the walked rows (the width, or the height of a map taller than wide, walked
 * transposed), any stride across them, a row of at most HK_DW3_SCALAR_ROW staged
 * values (stride * (outputs - 1) + 3). Stack: 16 * HK_DW3_SCALAR_ROW bytes
 * (2.5 KiB) for the rows and a row's sums, plus a few words. */
#define HK_DW3_SCALAR_ROW 160
int32_t hk_dw3_scalar_fits(const hk_conv_params_t *p);
void hk_dwconv2d_3x3_s8_scalar(const hk_conv_params_t *p, const int8_t *input, const int8_t *filter,
                               const int32_t *bias, int8_t *output);

/* The matrix kernels below (CONV_2D's tiles, FULLY_CONNECTED) read the filter
 * as hk_scalar_pack_weights packs it (hk_fc_pack_weights's layout, each byte
 * plus 128 as uint8: zero-extending loads, which every scalar core has with an
 * immediate offset) and the bias as hk_scalar_fold_bias folds it (never NULL:
 * bias + 32768 * depth - 256 * the sum of a row's packed bytes, modulo 2^32).
 * depth is the filter row's length (the window, or in_depth), rows the output
 * channels. */
void hk_scalar_pack_weights(int32_t depth, int32_t rows, const int8_t *weights, uint8_t *packed);
void hk_scalar_fold_bias(int32_t depth, int32_t rows, const int8_t *weights, const int32_t *bias,
                         int32_t *folded);

/* CONV_2D four output channels at a time, for one pixel (Thumb-1) or two
 * (the cores with more registers): the same bytes as
 * hk_conv2d_s8 with its filter and bias for the calls the DSP tiles take
 * (hk_conv2d_1x1_s8_dsp, hk_conv2d_im2col_s8_dsp above: two pixels or more,
 * ungrouped, a window of at most HK_PW_MAX_IN elements; 1x1 also stride 1
 * without padding). Stack: two staged windows (1 KiB), a chunk's sums for two
 * pixels and its requantization constants (1.5 KiB), im2col's gathered window
 * (256 bytes): about 2.8 KiB. */
void hk_conv2d_1x1_s8_scalar(const hk_conv_params_t *p, const int8_t *input, const uint8_t *packed,
                             const int32_t *folded, int8_t *output);
void hk_conv2d_im2col_s8_scalar(const hk_conv_params_t *p, const int8_t *input, const uint8_t *packed,
                                const int32_t *folded, int8_t *output);

/* FULLY_CONNECTED four rows at a time: the same bytes as hk_fully_connected_s8
 * with its weights and bias, for filter_offset 0 and in_depth <=
 * HK_FC_PACKED_MAX_DEPTH (FULLY_CONNECTED and one-pixel convolutions, as the
 * packed DSP kernel). Stack: the staged inputs (512 bytes) and a few words. */
void hk_fully_connected_s8_scalar(const hk_fc_params_t *p, const int8_t *input, const uint8_t *packed,
                                  const int32_t *folded, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif
