/*
 * Cortex-M7 timing (Armv7E-M, 6-stage in-order superscalar pipeline, FPv5).
 *
 * Sources:
 *  [M7TRM] Arm Cortex-M7 Processor Technical Reference Manual (ARM DDI 0489, r1p2),
 *          chapter 1 "Introduction", features: an in-order, dual-issue, six-stage
 *          pipeline with a 64-bit instruction fetch, a branch target address
 *          cache, separate load/store, ALU, MAC and FPU pipelines, 64-bit TCM and
 *          AXI interfaces. It publishes no per-instruction cycle table.
 *  [WP]    Arm white paper "The DSP capabilities of ARM Cortex-M4 and Cortex-M7
 *          Processors" (T. Lorenser, 2016): runs the same DSP kernels on both and
 *          attributes the Cortex-M7's higher throughput to dual issue (a load
 *          alongside data processing) and its load/store pipeline.
 *  [M4]    hk_iss_timing_m4.c: the Cortex-M4 TRM table and rules.
 *
 * Model (an estimate: conservative where Arm publishes nothing, not exact):
 *  - every instruction costs what the Cortex-M4 rules charge it [M4], except:
 *  - single loads and stores (LDR/STR families, LDREX/STREX) issue in 1 cycle:
 *    the M7's load/store pipeline overlaps the address and data phases that
 *    make the M4's LDR 2 cycles [M7TRM]; an instruction that reads the register
 *    the preceding single load wrote waits 1 cycle (load-use); the M4's
 *    address-generation interlock is not charged;
 *  - dual issue [M7TRM, WP]: an instruction charged 1 cycle issues in the same
 *    cycle as the preceding 1-cycle instruction when that one was not itself
 *    paired, neither changes the flow, neither is IT, a barrier, a system or an
 *    exception instruction, at most one of the two accesses memory, at most one
 *    uses the multiplier (MUL/MLA/long and DSP multiplies), at most one is an
 *    FPU instruction, and the second neither reads nor writes a register (or
 *    the flags) the first writes;
 *  - branches keep the M4 refill (P = 1..3): the branch target cache, which
 *    makes predicted branches cheaper, is not modelled (conservative);
 *  - caches and TCMs are not modelled: memory is zero-wait apart from the flash
 *    wait states the simulator adds (use 0 for code and data in TCM or warm
 *    caches).
 */
#include "hk_iss_internal.h"

static int is_single_mem(int cls)
{
    return cls == HK_CLS_LOAD || cls == HK_CLS_STORE || cls == HK_CLS_STREX;
}

static int is_memory(int cls)
{
    switch (cls) {
    case HK_CLS_LOAD: case HK_CLS_STORE: case HK_CLS_STREX: case HK_CLS_LOADD: case HK_CLS_STORED:
    case HK_CLS_LDM: case HK_CLS_STM: case HK_CLS_PLD:
    case HK_CLS_FPLOAD: case HK_CLS_FPSTORE: case HK_CLS_FPLDM: case HK_CLS_FPSTM:
        return 1;
    default:
        return 0;
    }
}

static int is_multiplier(int cls)
{
    return cls == HK_CLS_MUL || cls == HK_CLS_MULL || cls == HK_CLS_DSPMUL || cls == HK_CLS_DSPMULL;
}

static int is_fpu(int cls)
{
    return cls >= HK_CLS_FP && cls <= HK_CLS_FPXFER;
}

static int pairable(const hk_iss_insn_t *in)
{
    if (in == NULL || (in->flags & HK_F_WRITES_PC)) {
        return 0;
    }
    switch (in->cls) {
    case HK_CLS_UNKNOWN: case HK_CLS_BRANCH: case HK_CLS_CBZ: case HK_CLS_BX: case HK_CLS_TB:
    case HK_CLS_IT: case HK_CLS_BARRIER: case HK_CLS_MRS: case HK_CLS_MSR: case HK_CLS_CPS:
    case HK_CLS_EXC: case HK_CLS_DIV:
        return 0;
    default:
        return 1;
    }
}

static void m7_cost(const hk_iss_ctx_t *c, hk_iss_cost_t *o)
{
    const hk_iss_insn_t *in = c->insn, *pv = c->prev;

    hk_iss_cost_m4(c, o);
    if (is_single_mem(in->cls) && !(in->flags & HK_F_WRITES_PC)) {
        /* 1-cycle issue; keep only the unaligned-access penalty of the M4 stall */
        uint32_t unaligned = c->word_at_half + 2u * c->word_at_odd + c->half_at_odd;
        o->cycles = 1 + unaligned;
        o->stall = unaligned;
        o->refill = 0;
    }
    if (pv != NULL && pv->cls == HK_CLS_LOAD && (in->src & pv->rt) != 0) {
        o->cycles += 1;           /* load-use */
        o->stall += 1;
        return;
    }
    if (o->cycles == 1 && !c->prev_paired && c->prev_cycles == 1 && pairable(in) && pairable(pv) &&
        !(is_memory(in->cls) && is_memory(pv->cls)) && !(is_multiplier(in->cls) && is_multiplier(pv->cls)) &&
        !(is_fpu(in->cls) && is_fpu(pv->cls)) && (in->src & pv->dst) == 0 && (in->dst & pv->dst) == 0) {
        o->cycles = 0;
        o->paired = 1;
    }
}

const hk_iss_timing_t hk_iss_timing_m7 = { "cortex-m7", m7_cost };
