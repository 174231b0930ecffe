/*
 * Cortex-M4 timing (Armv7E-M, 3-stage pipeline, DSP extension, FPv4-SP).
 *
 * Sources:
 *  [T3-1]  Arm Cortex-M4 Processor Technical Reference Manual r0p1 (ARM DDI 0439B,
 *          re-issued as 100166_0001_00), section 3.3.1, Table 3-1 "Cortex-M4
 *          instruction set summary": cycle counts for a system with zero wait
 *          states. Reproduced as Table 3-25 "Cortex-M4F instructions and their
 *          cycle counts" in TI SWCU192 (CC13x2x7/CC26x2x7 TRM). Its abbreviations:
 *            P  pipeline refill, "1 to 3 depending on the alignment and width of
 *               the target instruction, and whether the processor manages to
 *               speculate the address early";
 *            N  registers in the list, including PC or LR;
 *            B  barrier cycles, "for DSB and DMB the minimum is zero, for ISB the
 *               minimum is a pipeline refill".
 *          Footnotes: a conditional branch not taken completes in 1 cycle;
 *          "neighboring load and store single instructions can pipeline their
 *          address and data phases", completing in one cycle.
 *  [LS]    same TRM, section 3.3.2 "Load/store timings" (also TI SWCU192's
 *          "Load/Store Timings" and the Cortex-M3 TRM, ARM DDI 0337I, section 3.3.2:
 *          the same rules):
 *            - STR Rx,[Ry,#imm] is always one cycle;
 *            - LDR PC,[any] is at least two cycles for the load and three for the
 *              pipeline reload (>= 5);
 *            - a load or store whose address depends on the result of the
 *              preceding data-processing instruction stalls one cycle (no
 *              forwarding path to the address generator);
 *            - TBB/TBH: two cycles for the load, one for the add, three for the
 *              reload (>= 6);
 *            - LDR [any] is pipelined when possible: if the next instruction is
 *              an LDR or STR and the first LDR's destination is not used to form
 *              its address, one cycle is removed from the next instruction
 *              (LDR R0,[R1]; LDR R1,[R2] = 3 cycles; three chained LDRs = 4);
 *            - STR can only be pipelined when it follows an LDR; nothing is
 *              pipelined after a store; STREX/LDREX pipeline as LDR;
 *            - LDRD/STRD are not pipelined with their neighbours (3 cycles);
 *              LDM/STM are not pipelined with their neighbours;
 *            - unaligned accesses: a halfword-aligned word access adds 1 cycle, a
 *              byte-aligned word access adds 2, a byte-aligned halfword adds 1.
 *  [T7-1]  same TRM, chapter 7 "Floating Point Unit", the FPU instruction set table
 *          with cycle counts; reproduced as TI SWCU192 Table 3-27.
 *
 * Model decisions where the TRM gives a range (ours, stated once here):
 *  P (refill) = 1 for branches whose target is an immediate offset (B, B<cc>, BL,
 *          CBZ/CBNZ: the target is formed in decode, "speculated early");
 *          2 for register targets (BX, BLX Rm, MOV/ADD PC): known only in execute;
 *          3 for targets loaded from memory (LDR/LDM/POP PC, TBB/TBH), per [LS];
 *          plus 1 when the target is a 32-bit instruction at an address = 2 mod 4
 *          (it spans two fetch words), never above 3.
 *          Consistency check (not an Arm source): a `1: subs r0,#1; bne 1b` delay
 *          loop comes out at 3 cycles per pass, the figure busy-wait loops on
 *          Cortex-M3/M4 boards are commonly calibrated with.
 *  SDIV/UDIV ([T3-1]: "2 to 12", early termination "based on the number of leading
 *          ones and zeroes in the input operands"): with a = |dividend|, b =
 *          |divisor| (unsigned for UDIV), q = 0 if b == 0 or a < b, else
 *          clz(b) - clz(a) + 1 (the quotient's significant bits):
 *          cycles = min(12, 2 + ceil(q / 3)).
 *  "1 or 2" rows (MRS, MSR, CPS) are charged 2.
 *  IT is charged 1 ([T3-1]); folding an IT onto the preceding 16-bit
 *          instruction (zero cycles) is not modelled.
 *  LDR Rx,[PC,#imm] "might add a cycle" for fetch contention [LS]: not charged.
 *  The store buffer is assumed never full, memory zero-wait apart from the
 *  flash wait states the simulator adds on top of these figures.
 */
#include "hk_iss_internal.h"

#include <string.h>

/* Base cycles per class for an executed instruction that does not change the
 * flow (refill and stalls are added by the rules below). */
static const uint8_t m4_base[HK_CLS_COUNT] = {
    [HK_CLS_UNKNOWN] = 1,
    [HK_CLS_ALU] = 1,      /* [T3-1] Move, Add, Subtract, Compare, Logical, Shift, Rotate, Count (CLZ),
                              Extend, Bit field, Reverse: 1 */
    [HK_CLS_SAT] = 1,      /* [T3-1] Saturate SSAT/USAT 1; DSP rows QADD/QSUB/QDADD/QDSUB, SSAT16/USAT16: 1 */
    [HK_CLS_SIMD] = 1,     /* [T3-1] parallel add/subtract (SADD16 ... UQSUB8), SEL, PKHBT/PKHTB,
                              SXTB16/UXTB16/SXTAB16/UXTAB16, USAD8/USADA8: 1 */
    [HK_CLS_MUL] = 1,      /* [T3-1] Multiply MUL 1, Multiply accumulate MLA 1, Multiply subtract MLS 1 */
    [HK_CLS_MULL] = 1,     /* [T3-1] Long signed/unsigned SMULL/UMULL 1, long accumulate SMLAL/UMLAL 1, UMAAL 1 */
    [HK_CLS_DSPMUL] = 1,   /* [T3-1] SMULxy, SMLAxy, SMULWx, SMLAWx, SMUAD/SMUSD, SMLAD/SMLSD (dual MAC),
                              SMMUL/SMMLA/SMMLS: 1 */
    [HK_CLS_DSPMULL] = 1,  /* [T3-1] SMLALxy, SMLALD/SMLSLD: 1 */
    [HK_CLS_DIV] = 2,      /* [T3-1] SDIV/UDIV 2 to 12: see div_cycles() */
    [HK_CLS_LOAD] = 2,     /* [T3-1] LDR/LDRH/LDRB/LDRSH/LDRSB/LDRT/LDREX 2 (1 when pipelined, [LS]) */
    [HK_CLS_STORE] = 2,    /* [T3-1] STR/STRH/STRB/STRT 2; [LS] STR with immediate offset always 1 */
    [HK_CLS_STREX] = 2,    /* [T3-1] STREX 2; [LS] pipelines as LDR */
    [HK_CLS_LOADD] = 3,    /* [T3-1] LDRD 1 + N with N = 2; [LS] "operates as three cycles" */
    [HK_CLS_STORED] = 3,   /* [T3-1] STRD 1 + N with N = 2 */
    [HK_CLS_LDM] = 1,      /* [T3-1] LDM/POP 1 + N (+ P with PC): N added below */
    [HK_CLS_STM] = 1,      /* [T3-1] STM/PUSH 1 + N: N added below */
    [HK_CLS_PLD] = 1,      /* preload hint: no cache on the M4, issued as a 1-cycle hint (our assumption) */
    [HK_CLS_BRANCH] = 1,   /* [T3-1] B<cc> 1 (not taken) or 1 + P; B, BL 1 + P */
    [HK_CLS_CBZ] = 1,      /* [T3-1] CBZ/CBNZ 1 or 1 + P */
    [HK_CLS_BX] = 1,       /* [T3-1] BX, BLX 1 + P */
    [HK_CLS_TB] = 3,       /* [LS] TBB/TBH: 2 (load) + 1 (add) + P (3) */
    [HK_CLS_IT] = 1,       /* [T3-1] IT 1 (folding not modelled) */
    [HK_CLS_HINT] = 1,     /* [T3-1] NOP, SEV, YIELD: 1; WFE/WFI 1 + W with W = 0 (nothing to wait for here) */
    [HK_CLS_BARRIER] = 1,  /* [T3-1] DMB/DSB 1 + B with B = 0; ISB 1 + B with B = P = 1 (below) */
    [HK_CLS_MRS] = 2,      /* [T3-1] MRS 1 or 2: 2 */
    [HK_CLS_MSR] = 2,      /* [T3-1] MSR 1 or 2: 2 */
    [HK_CLS_CPS] = 2,      /* [T3-1] CPSID/CPSIE 1 or 2: 2 */
    [HK_CLS_EXC] = 1,      /* SVC/BKPT/UDF: exception entry is not simulated */
    [HK_CLS_FP] = 1,       /* [T7-1] VABS, VADD, VSUB, VMUL, VNMUL, VNEG, VCMP(E), VCVT, VMOV (immediate,
                              register), VMRS, VMSR: 1 */
    [HK_CLS_FPMAC] = 3,    /* [T7-1] VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS: 3 */
    [HK_CLS_FPDIV] = 14,   /* [T7-1] VDIV 14, VSQRT 14 */
    [HK_CLS_FPLOAD] = 2,   /* [T7-1] VLDR single 2, double 3 */
    [HK_CLS_FPSTORE] = 2,  /* [T7-1] VSTR single 2, double 3 */
    [HK_CLS_FPLDM] = 1,    /* [T7-1] VLDM/VPOP 1 + N (N words: doubles count 2) */
    [HK_CLS_FPSTM] = 1,    /* [T7-1] VSTM/VPUSH 1 + N (N words) */
    [HK_CLS_FPXFER] = 2,   /* [T7-1] VMOV one float or two floats/one double to or from core registers: 2 */
};

enum { P_DIRECT = 1, P_REGISTER = 2, P_MEMORY = 3 };

static uint32_t m4_refill(uint32_t base, const hk_iss_ctx_t *c)
{
    uint32_t p = base + (c->target_wide_unaligned ? 1u : 0u);
    return p > 3 ? 3 : p;
}

static int clz32(uint32_t x)
{
    int n = 0;
    if (x == 0) {
        return 32;
    }
    while ((x & 0x80000000u) == 0) {
        x <<= 1;
        ++n;
    }
    return n;
}

static uint32_t div_cycles(const hk_iss_ctx_t *c)
{
    uint32_t a = c->div_n, b = c->div_d;
    int q;
    uint32_t cyc;

    if (c->insn->flags & HK_F_SIGNED) {
        a = (a & 0x80000000u) ? 0u - a : a;   /* |INT_MIN| = 2^31 as unsigned */
        b = (b & 0x80000000u) ? 0u - b : b;
    }
    if (b == 0 || a < b) {
        return 2;
    }
    q = clz32(b) - clz32(a) + 1;
    cyc = 2u + (uint32_t)((q + 2) / 3);
    return cyc > 12 ? 12 : cyc;
}

static int is_memory(int cls)
{
    switch (cls) {
    case HK_CLS_LOAD: case HK_CLS_STORE: case HK_CLS_STREX: case HK_CLS_LOADD: case HK_CLS_STORED:
    case HK_CLS_LDM: case HK_CLS_STM: case HK_CLS_PLD: case HK_CLS_TB:
    case HK_CLS_FPLOAD: case HK_CLS_FPSTORE: case HK_CLS_FPLDM: case HK_CLS_FPSTM:
        return 1;
    default:
        return 0;
    }
}

/* [LS]: the previous instruction was a single load (LDR family, LDREX, STREX)
 * whose destination does not form this instruction's address. */
static int pipelines_after(const hk_iss_insn_t *prev, const hk_iss_insn_t *insn)
{
    if (prev == NULL || (prev->cls != HK_CLS_LOAD && prev->cls != HK_CLS_STREX)) {
        return 0;
    }
    if (prev->flags & HK_F_WRITES_PC) {
        return 0;
    }
    return (insn->addr_regs & prev->rt) == 0;
}

void hk_iss_cost_m4(const hk_iss_ctx_t *c, hk_iss_cost_t *o)
{
    const hk_iss_insn_t *in = c->insn;
    const hk_iss_insn_t *pv = c->prev;
    uint32_t cyc, refill = 0, stall = 0;

    memset(o, 0, sizeof *o);
    cyc = m4_base[in->cls < HK_CLS_COUNT ? in->cls : HK_CLS_UNKNOWN];

    switch (in->cls) {
    case HK_CLS_UNKNOWN:
        o->unknown = 1;
        break;
    case HK_CLS_DIV:
        cyc = div_cycles(c);
        break;
    case HK_CLS_LOAD:
    case HK_CLS_STREX:
        if (in->flags & HK_F_WRITES_PC) {
            refill = P_MEMORY;                       /* [T3-1] LDR PC 2 + P; [LS] >= 5 */
        } else if (pipelines_after(pv, in)) {
            cyc = 1;                                 /* [LS] pipelined behind an LDR */
        }
        break;
    case HK_CLS_STORE:
        if (!(in->flags & HK_F_REG_OFFSET)) {
            cyc = 1;                                 /* [LS] STR Rx,[Ry,#imm] always 1 */
        } else if (pipelines_after(pv, in)) {
            cyc = 1;                                 /* [LS] STR pipelined behind an LDR */
        }
        break;
    case HK_CLS_LDM:
        cyc += in->nregs;                            /* 1 + N */
        if (in->flags & HK_F_WRITES_PC) {
            refill = P_MEMORY;                       /* 1 + N + P */
        }
        break;
    case HK_CLS_STM:
    case HK_CLS_FPLDM:
    case HK_CLS_FPSTM:
        cyc += in->nregs;                            /* 1 + N */
        break;
    case HK_CLS_FPLOAD:
    case HK_CLS_FPSTORE:
        if (in->flags & HK_F_DOUBLE) {
            cyc = 3;                                 /* [T7-1] double 3 */
        }
        break;
    case HK_CLS_BRANCH:
    case HK_CLS_CBZ:
        if (c->taken) {
            refill = P_DIRECT;
        }
        break;
    case HK_CLS_BX:
        refill = P_REGISTER;
        break;
    case HK_CLS_TB:
        refill = P_MEMORY;
        break;
    case HK_CLS_BARRIER:
        if (in->flags & HK_F_ISB) {
            cyc = 2;                                 /* 1 + B, B = minimum refill */
        }
        break;
    default:
        if ((in->flags & HK_F_WRITES_PC) && c->taken) {
            refill = P_REGISTER;                     /* [T3-1] MOV PC / ADD PC 1 + P */
        }
        break;
    }
    if (refill != 0) {
        refill = c->taken ? m4_refill(refill, c) : 0;
    }

    if (is_memory(in->cls)) {
        /* [LS] address formed from the preceding data-processing result */
        if (pv != NULL && hk_iss_is_data_processing(pv->cls) && (in->addr_regs & pv->dst) != 0) {
            stall += 1;
        }
        /* [LS] unaligned accesses */
        stall += c->word_at_half + 2u * c->word_at_odd + c->half_at_odd;
    }

    o->cycles = cyc + refill + stall;
    o->refill = refill;
    o->stall = stall;
}

static void m4_cost(const hk_iss_ctx_t *c, hk_iss_cost_t *o)
{
    hk_iss_cost_m4(c, o);
}

const hk_iss_timing_t hk_iss_timing_m4 = { "cortex-m4", m4_cost };
