/*
 * Writing TFLite flatbuffers from Swift: a builder that collects buffers,
 * operator codes, subgraphs, tensors and operators, then serializes them with
 * the flatbuffers library and the code flatc generated from Harken's schema.
 */
#ifndef HARKEN_TFLITE_WRITER_H
#define HARKEN_TFLITE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "hk_tflite.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hk_tflw hk_tflw;

hk_tflw *hk_tflw_new(void);
void hk_tflw_free(hk_tflw *w);

/* A buffer holding `length` bytes; returns its index (buffer 0 is the empty one every model has). */
uint32_t hk_tflw_buffer(hk_tflw *w, const uint8_t *data, size_t length);
/* The index of the operator code for a builtin operator, added on first use. */
uint32_t hk_tflw_opcode(hk_tflw *w, int32_t builtin_code, int32_t version);

/* Tensors and operators go to the subgraph begun last. */
void hk_tflw_begin_subgraph(hk_tflw *w, const char *name);
int32_t hk_tflw_tensor(hk_tflw *w, const char *name, int32_t type, const int32_t *shape, uint32_t rank, uint32_t buffer,
                       const float *scales, const int64_t *zero_points, uint32_t quant_count, int32_t quantized_dimension);
/* options_type is the BuiltinOptions union type (0 for none); only its fields of `o` are read. */
void hk_tflw_operator(hk_tflw *w, uint32_t opcode, const int32_t *inputs, uint32_t input_count,
                      const int32_t *outputs, uint32_t output_count, int32_t options_type, const hk_tfl_options *o);
void hk_tflw_end_subgraph(hk_tflw *w, const int32_t *inputs, uint32_t input_count, const int32_t *outputs, uint32_t output_count);

/* Serializes the model; *data stays valid until hk_tflw_free. */
void hk_tflw_finish(hk_tflw *w, const char *description, const uint8_t **data, size_t *length);

#ifdef __cplusplus
}
#endif

#endif
