/*
 * Per-layer markers for the Harken ISS cycle counter (Sources/CArmISS).
 *
 * A profiling build of a generated model calls hk_iss_marker(k) just before
 * its k-th kernel call (k = 0, 1, ... in the order of <name>_invoke). The ISS
 * hooks the function's address: each call closes the running region and opens
 * the region named k, so cycles and instructions are split per kernel call.
 * On hardware or any other simulator the function is an empty call.
 *
 * Generated code writes HK_ISS_MARK(k), which is a call only when the build
 * defines HK_ISS_PROFILE; link Firmware/profile/hk_marker.c into such builds.
 * Its cost, counted by the ISS in the region the marker closes: the argument
 * set-up and the BL (about 3 cycles on a Cortex-M4); the marker's body and
 * return are excluded from the counts.
 */
#ifndef HARKEN_MARKER_H
#define HARKEN_MARKER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void hk_iss_marker(uint32_t layer);

#ifdef HK_ISS_PROFILE
#define HK_ISS_MARK(layer) hk_iss_marker((uint32_t)(layer))
#else
#define HK_ISS_MARK(layer) ((void)0)
#endif

#ifdef __cplusplus
}
#endif

#endif
