/*
 * STRIDED_SLICE with begin, strides and output extents resolved at import
 * (masks, negative indices and clamping are the importer's job). Output
 * element (i0..i4) reads input element (begin_k + i_k * stride_k); strides
 * may be negative. Works on any element size: it is a gather of bytes, and
 * the innermost axes that are read contiguously collapse into one memcpy per
 * run (a streaming model's "drop the oldest frame" slice is a single copy).
 */
#include <string.h>

#include "harken/hk_kernels.h"

void hk_strided_slice(const hk_slice_params_t *p, const void *input, void *output)
{
    /* Right-align the shape into 5-D: missing leading axes have extent 1. */
    int32_t in_shape[5], begin[5], stride[5], out_shape[5];
    int32_t in_stride[5], loops[5];
    int32_t last = 5;       /* axes >= last are covered by one contiguous run */
    size_t run = 0;
    const int32_t pad = 5 - p->rank;
    const size_t eb = (size_t)p->elem_bytes;
    const uint8_t *src = (const uint8_t *)input;
    uint8_t *dst = (uint8_t *)output;
    int32_t k, i0, i1, i2, i3, i4;

    for (k = 0; k < 5; ++k) {
        if (k < pad) {
            in_shape[k] = 1;
            begin[k] = 0;
            stride[k] = 1;
            out_shape[k] = 1;
        } else {
            in_shape[k] = p->in_shape[k - pad];
            begin[k] = p->begin[k - pad];
            stride[k] = p->stride[k - pad];
            out_shape[k] = p->out_shape[k - pad];
        }
    }
    in_stride[4] = 1;
    for (k = 3; k >= 0; --k) {
        in_stride[k] = in_stride[k + 1] * in_shape[k + 1];
    }

    if (stride[4] == 1) {
        last = 4;
        run = (size_t)out_shape[4] * eb;
        /* A whole axis (from 0, every element) extends the run outward while the
         * axis outside it also steps by one. */
        while (last > 0 && begin[last] == 0 && out_shape[last] == in_shape[last] && stride[last - 1] == 1) {
            --last;
            run *= (size_t)out_shape[last];
        }
    }
    for (k = 0; k < 5; ++k) {
        loops[k] = k < last ? out_shape[k] : 1;
    }
    if (run == 0 && last < 5) {
        return; /* an empty slice */
    }
    for (i0 = 0; i0 < loops[0]; ++i0) {
        const int32_t o0 = (begin[0] + i0 * stride[0]) * in_stride[0];
        for (i1 = 0; i1 < loops[1]; ++i1) {
            const int32_t o1 = o0 + (begin[1] + i1 * stride[1]) * in_stride[1];
            for (i2 = 0; i2 < loops[2]; ++i2) {
                const int32_t o2 = o1 + (begin[2] + i2 * stride[2]) * in_stride[2];
                for (i3 = 0; i3 < loops[3]; ++i3) {
                    const int32_t o3 = o2 + (begin[3] + i3 * stride[3]) * in_stride[3];
                    if (last < 5) {
                        memcpy(dst, src + (size_t)(o3 + begin[4]) * eb, run);
                        dst += run;
                        continue;
                    }
                    for (i4 = 0; i4 < out_shape[4]; ++i4) {
                        const int32_t o4 = o3 + begin[4] + i4 * stride[4];
                        memcpy(dst, src + (size_t)o4 * eb, eb);
                        dst += eb;
                    }
                }
            }
        }
    }
}
