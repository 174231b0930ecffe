/*
 * Cortex-M0+ timing (Armv6-M, 2-stage pipeline).
 *
 * Sources:
 *  [M0P]  Arm Cortex-M0+ Processor Technical Reference Manual r0p1 (ARM DDI 0484C),
 *         chapter 3 "Programmers Model", the instruction summary table with cycle
 *         counts for a zero-wait-state system: data processing 1; MULS 1 or 32
 *         (the fast or the small multiplier, an implementation option); loads and
 *         stores (LDR/LDRH/LDRB/LDRSH/LDRSB/STR/STRH/STRB, every addressing mode) 2;
 *         LDM/STM/PUSH/POP 1 + N; POP with PC 3 + N; B<cc> 1 not taken, 2 taken;
 *         B 2; BL 3; BX/BLX 2; MOV PC,Rm and ADD PC,PC,Rm 2; MRS/MSR 3; DMB/DSB/ISB 3;
 *         CPSID/CPSIE 1; NOP/SEV/WFE/WFI/YIELD 1.
 *  [M0]   Cortex-M0 TRM r0p0 (ARM DDI 0432C) Table 3-1 for comparison: the same
 *         figures with one more cycle on every change of flow (B 3, BL 4, BX 3,
 *         POP PC 4 + N), the refill of the three-stage pipeline the M0+ drops.
 *
 * There is no load pipelining, no address interlock and no unaligned access
 * (Armv6-M faults on them). Single-cycle I/O port accesses are not modelled
 * (every load/store is 2). Unicorn has no Cortex-M0+ model; its Cortex-M0
 * (the same Armv6-M instruction set) runs the code.
 */
#include "hk_iss_internal.h"

#include <string.h>

static const uint8_t m0p_base[HK_CLS_COUNT] = {
    [HK_CLS_UNKNOWN] = 1,  /* not an Armv6-M instruction (Unicorn's M0 faults on those first) */
    [HK_CLS_ALU] = 1,      /* [M0P] MOVS/MOV, ADDS/ADD/ADCS/ADR, SUBS/SBCS/RSBS, CMP/CMN, ANDS/EORS/ORRS/BICS/MVNS/TST,
                              LSLS/LSRS/ASRS/RORS, SXTB/SXTH/UXTB/UXTH, REV/REV16/REVSH: 1 */
    [HK_CLS_MUL] = 1,      /* [M0P] MULS 1 or 32: ctx->m0plus_mul (default 1) */
    [HK_CLS_LOAD] = 2,     /* [M0P] LDR, LDRH, LDRB, LDRSH, LDRSB (immediate, register, PC- and SP-relative): 2 */
    [HK_CLS_STORE] = 2,    /* [M0P] STR, STRH, STRB: 2 */
    [HK_CLS_LDM] = 1,      /* [M0P] LDM, POP 1 + N; POP with PC 3 + N */
    [HK_CLS_STM] = 1,      /* [M0P] STM, PUSH 1 + N */
    [HK_CLS_BRANCH] = 1,   /* [M0P] B<cc> 1 not taken / 2 taken, B 2, BL 3 */
    [HK_CLS_BX] = 1,       /* [M0P] BX 2, BLX 2 = 1 + refill 1 */
    [HK_CLS_HINT] = 1,     /* [M0P] NOP, SEV, WFE, WFI, YIELD 1 */
    [HK_CLS_BARRIER] = 3,  /* [M0P] DMB, DSB, ISB 3 */
    [HK_CLS_MRS] = 3,      /* [M0P] MRS 3 */
    [HK_CLS_MSR] = 3,      /* [M0P] MSR 3 */
    [HK_CLS_CPS] = 1,      /* [M0P] CPSID, CPSIE 1 */
    [HK_CLS_EXC] = 1,      /* SVC, BKPT, UDF: exception entry is not simulated */
};

static void m0plus_cost(const hk_iss_ctx_t *c, hk_iss_cost_t *o)
{
    const hk_iss_insn_t *in = c->insn;
    uint32_t cyc = 1, refill = 0;

    memset(o, 0, sizeof *o);
    if (in->cls < HK_CLS_COUNT && m0p_base[in->cls] != 0) {
        cyc = m0p_base[in->cls];
    } else {
        o->unknown = 1;
    }
    switch (in->cls) {
    case HK_CLS_MUL:
        cyc = c->m0plus_mul;
        break;
    case HK_CLS_LDM:
        cyc += in->nregs;
        if ((in->flags & HK_F_WRITES_PC) && c->taken) {
            refill = 2;                  /* POP {..., PC}: 3 + N = 1 + N + 2 */
        }
        break;
    case HK_CLS_STM:
        cyc += in->nregs;
        break;
    case HK_CLS_BRANCH:
        if (c->taken) {
            refill = (in->flags & HK_F_LINK) ? 2 : 1;   /* BL 3 (a 32-bit instruction), B / B<cc> 2 */
        }
        break;
    case HK_CLS_BX:
        refill = c->taken ? 1 : 0;       /* BX/BLX 2 */
        break;
    case HK_CLS_LOAD:
        if ((in->flags & HK_F_WRITES_PC) && c->taken) {
            refill = 1;                  /* not in Armv6-M; treated as MOV PC */
        }
        break;
    default:
        if ((in->flags & HK_F_WRITES_PC) && c->taken) {
            refill = 1;                  /* [M0P] MOV PC,Rm / ADD PC,PC,Rm 2 */
        }
        break;
    }
    o->cycles = cyc + refill;
    o->refill = refill;
}

const hk_iss_timing_t hk_iss_timing_m0plus = { "cortex-m0plus", m0plus_cost };
