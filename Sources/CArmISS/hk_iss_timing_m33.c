/*
 * Cortex-M33 timing (Armv8-M Mainline, 3-stage pipeline, DSP extension, FPv5-SP).
 *
 * Sources:
 *  [M33TRM] Arm Cortex-M33 Processor Technical Reference Manual (Arm 100230): describes
 *           the 3-stage pipeline but publishes no per-instruction cycle table.
 *  [YIU]    J. Yiu, "Definitive Guide to Arm Cortex-M23 and Cortex-M33 Processors"
 *           (Newnes, 2020), the Cortex-M33 pipeline: same three stages as the
 *           Cortex-M4, with limited dual issue of pairs of 16-bit instructions.
 *  [M4]     hk_iss_timing_m4.c: the Cortex-M4 TRM table and load/store rules. The
 *           M33 executes the same Armv7E-M-compatible instruction set (DSP and
 *           single-precision FPU included) on a pipeline of the same depth.
 *
 * Model (an estimate: Arm publishes no M33 table, so this cannot be exact):
 *  - every instruction costs what the Cortex-M4 rules charge it [M4];
 *  - dual issue [YIU]: a 16-bit data-processing instruction (class ALU: move,
 *    add/subtract, compare, logical, shift, extend, reverse) that the M4 rules
 *    charge 1 cycle issues in the same cycle as the preceding instruction when
 *    that one is also a 16-bit 1-cycle ALU instruction that was not itself
 *    paired, neither writes PC, and the second neither reads nor writes a
 *    register (or the flags) the first writes. Arm does not publish the pairing
 *    rules; these are ours, chosen to be conservative.
 */
#include "hk_iss_internal.h"

static int m33_pairable(const hk_iss_insn_t *in)
{
    return in != NULL && in->size == 2 && in->cls == HK_CLS_ALU && !(in->flags & HK_F_WRITES_PC);
}

static void m33_cost(const hk_iss_ctx_t *c, hk_iss_cost_t *o)
{
    const hk_iss_insn_t *in = c->insn, *pv = c->prev;

    hk_iss_cost_m4(c, o);
    if (o->cycles == 1 && !c->prev_paired && c->prev_cycles == 1 && m33_pairable(in) && m33_pairable(pv) &&
        (in->src & pv->dst) == 0 && (in->dst & pv->dst) == 0) {
        o->cycles = 0;
        o->paired = 1;
    }
}

const hk_iss_timing_t hk_iss_timing_m33 = { "cortex-m33", m33_cost };
