/* Stub of Zephyr's devicetree.h: node identifiers for the labels and aliases the
 * Harken templates use. A node is a token; devices exist only for the nodes the
 * templates' overlays and the DK boards define (device.h), so a misspelt label
 * fails to compile here as it fails in a real build. Syntax checks only. */
#pragma once

#include <zephyr/sys/util.h>

#define DT_NODELABEL(label) HK_STUB_CAT(DT_N_NODELABEL_, label)
#define DT_ALIAS(alias) HK_STUB_CAT(DT_N_ALIAS_, alias)
