/*
 * Harken ISS: decoding. Capstone decodes each executed instruction once into
 * an hk_iss_insn_t (class, registers read and written, address registers,
 * flags), which is all the timing tables look at; the records are cached by
 * address, since a kernel's inner loop runs the same few instructions
 * millions of times.
 */
#include "hk_iss_internal.h"

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include <stdlib.h>
#include <string.h>

static int reg_num(unsigned reg)
{
    switch (reg) {
    case ARM_REG_R0: return 0;
    case ARM_REG_R1: return 1;
    case ARM_REG_R2: return 2;
    case ARM_REG_R3: return 3;
    case ARM_REG_R4: return 4;
    case ARM_REG_R5: return 5;
    case ARM_REG_R6: return 6;
    case ARM_REG_R7: return 7;
    case ARM_REG_R8: return 8;
    case ARM_REG_R9: return 9;
    case ARM_REG_R10: return 10;
    case ARM_REG_R11: return 11;
    case ARM_REG_R12: return 12;
    case ARM_REG_SP: return HK_REG_SP;
    case ARM_REG_LR: return HK_REG_LR;
    case ARM_REG_PC: return HK_REG_PC;
    case ARM_REG_CPSR: case ARM_REG_APSR: case ARM_REG_APSR_NZCV: return HK_REG_FLAGS;
    default: return -1;
    }
}

static uint32_t reg_bit(unsigned reg)
{
    int n = reg_num(reg);
    return n < 0 ? 0u : (1u << n);
}

static int is_core_reg(unsigned reg)
{
    int n = reg_num(reg);
    return n >= 0 && n <= 15;
}

static int is_dreg(unsigned reg)
{
    return reg >= ARM_REG_D0 && reg <= ARM_REG_D31;
}

static int classify(unsigned id)
{
    switch (id) {
    case ARM_INS_ADC: case ARM_INS_ADD: case ARM_INS_ADR: case ARM_INS_AND: case ARM_INS_BFC:
    case ARM_INS_BFI: case ARM_INS_BIC: case ARM_INS_CLZ: case ARM_INS_CMN: case ARM_INS_CMP:
    case ARM_INS_EOR: case ARM_INS_MOV: case ARM_INS_MOVT: case ARM_INS_MOVW: case ARM_INS_MVN:
    case ARM_INS_ORR: case ARM_INS_ORN: case ARM_INS_RBIT: case ARM_INS_REV: case ARM_INS_REV16:
    case ARM_INS_REVSH: case ARM_INS_RSB: case ARM_INS_SBC: case ARM_INS_SBFX: case ARM_INS_SUB:
    case ARM_INS_SXTAB: case ARM_INS_SXTAH: case ARM_INS_SXTB: case ARM_INS_SXTH: case ARM_INS_TEQ:
    case ARM_INS_TST: case ARM_INS_UBFX: case ARM_INS_UXTAB: case ARM_INS_UXTAH: case ARM_INS_UXTB:
    case ARM_INS_UXTH: case ARM_INS_ADDW: case ARM_INS_SUBW: case ARM_INS_ASR: case ARM_INS_LSL:
    case ARM_INS_LSR: case ARM_INS_ROR: case ARM_INS_RRX:
        return HK_CLS_ALU;
    case ARM_INS_SSAT: case ARM_INS_USAT: case ARM_INS_SSAT16: case ARM_INS_USAT16: case ARM_INS_QADD:
    case ARM_INS_QSUB: case ARM_INS_QDADD: case ARM_INS_QDSUB:
        return HK_CLS_SAT;
    case ARM_INS_QADD16: case ARM_INS_QADD8: case ARM_INS_QASX: case ARM_INS_QSAX: case ARM_INS_QSUB16:
    case ARM_INS_QSUB8: case ARM_INS_SADD16: case ARM_INS_SADD8: case ARM_INS_SASX: case ARM_INS_SSAX:
    case ARM_INS_SSUB16: case ARM_INS_SSUB8: case ARM_INS_SHADD16: case ARM_INS_SHADD8: case ARM_INS_SHASX:
    case ARM_INS_SHSAX: case ARM_INS_SHSUB16: case ARM_INS_SHSUB8: case ARM_INS_UADD16: case ARM_INS_UADD8:
    case ARM_INS_UASX: case ARM_INS_USAX: case ARM_INS_USUB16: case ARM_INS_USUB8: case ARM_INS_UHADD16:
    case ARM_INS_UHADD8: case ARM_INS_UHASX: case ARM_INS_UHSAX: case ARM_INS_UHSUB16: case ARM_INS_UHSUB8:
    case ARM_INS_UQADD16: case ARM_INS_UQADD8: case ARM_INS_UQASX: case ARM_INS_UQSAX: case ARM_INS_UQSUB16:
    case ARM_INS_UQSUB8: case ARM_INS_SEL: case ARM_INS_PKHBT: case ARM_INS_PKHTB: case ARM_INS_SXTB16:
    case ARM_INS_SXTAB16: case ARM_INS_UXTB16: case ARM_INS_UXTAB16: case ARM_INS_USAD8: case ARM_INS_USADA8:
        return HK_CLS_SIMD;
    case ARM_INS_MUL: case ARM_INS_MLA: case ARM_INS_MLS:
        return HK_CLS_MUL;
    case ARM_INS_UMULL: case ARM_INS_SMULL: case ARM_INS_UMLAL: case ARM_INS_SMLAL: case ARM_INS_UMAAL:
        return HK_CLS_MULL;
    case ARM_INS_SMULBB: case ARM_INS_SMULBT: case ARM_INS_SMULTB: case ARM_INS_SMULTT: case ARM_INS_SMLABB:
    case ARM_INS_SMLABT: case ARM_INS_SMLATB: case ARM_INS_SMLATT: case ARM_INS_SMULWB: case ARM_INS_SMULWT:
    case ARM_INS_SMLAWB: case ARM_INS_SMLAWT: case ARM_INS_SMUAD: case ARM_INS_SMUADX: case ARM_INS_SMUSD:
    case ARM_INS_SMUSDX: case ARM_INS_SMLAD: case ARM_INS_SMLADX: case ARM_INS_SMLSD: case ARM_INS_SMLSDX:
    case ARM_INS_SMMUL: case ARM_INS_SMMULR: case ARM_INS_SMMLA: case ARM_INS_SMMLAR: case ARM_INS_SMMLS:
    case ARM_INS_SMMLSR:
        return HK_CLS_DSPMUL;
    case ARM_INS_SMLALBB: case ARM_INS_SMLALBT: case ARM_INS_SMLALTB: case ARM_INS_SMLALTT: case ARM_INS_SMLALD:
    case ARM_INS_SMLALDX: case ARM_INS_SMLSLD: case ARM_INS_SMLSLDX:
        return HK_CLS_DSPMULL;
    case ARM_INS_SDIV: case ARM_INS_UDIV:
        return HK_CLS_DIV;
    case ARM_INS_LDR: case ARM_INS_LDRB: case ARM_INS_LDRH: case ARM_INS_LDRSB: case ARM_INS_LDRSH:
    case ARM_INS_LDRT: case ARM_INS_LDRBT: case ARM_INS_LDRHT: case ARM_INS_LDRSBT: case ARM_INS_LDRSHT:
    case ARM_INS_LDREX: case ARM_INS_LDREXB: case ARM_INS_LDREXH: case ARM_INS_LDA: case ARM_INS_LDAB:
    case ARM_INS_LDAH: case ARM_INS_LDAEX: case ARM_INS_LDAEXB: case ARM_INS_LDAEXH:
        return HK_CLS_LOAD;
    case ARM_INS_STR: case ARM_INS_STRB: case ARM_INS_STRH: case ARM_INS_STRT: case ARM_INS_STRBT:
    case ARM_INS_STRHT: case ARM_INS_STL: case ARM_INS_STLB: case ARM_INS_STLH:
        return HK_CLS_STORE;
    case ARM_INS_STREX: case ARM_INS_STREXB: case ARM_INS_STREXH: case ARM_INS_STLEX: case ARM_INS_STLEXB:
    case ARM_INS_STLEXH:
        return HK_CLS_STREX;
    case ARM_INS_LDRD: case ARM_INS_LDREXD: case ARM_INS_LDAEXD:
        return HK_CLS_LOADD;
    case ARM_INS_STRD: case ARM_INS_STREXD: case ARM_INS_STLEXD:
        return HK_CLS_STORED;
    case ARM_INS_LDM: case ARM_INS_LDMDB: case ARM_INS_LDMDA: case ARM_INS_LDMIB: case ARM_INS_POP:
        return HK_CLS_LDM;
    case ARM_INS_STM: case ARM_INS_STMDB: case ARM_INS_STMDA: case ARM_INS_STMIB: case ARM_INS_PUSH:
        return HK_CLS_STM;
    case ARM_INS_PLD: case ARM_INS_PLDW: case ARM_INS_PLI:
        return HK_CLS_PLD;
    case ARM_INS_B: case ARM_INS_BL:
        return HK_CLS_BRANCH;
    case ARM_INS_CBZ: case ARM_INS_CBNZ:
        return HK_CLS_CBZ;
    case ARM_INS_BX: case ARM_INS_BLX:
        return HK_CLS_BX;
    case ARM_INS_TBB: case ARM_INS_TBH:
        return HK_CLS_TB;
    case ARM_INS_IT:
        return HK_CLS_IT;
    case ARM_INS_NOP: case ARM_INS_YIELD: case ARM_INS_WFE: case ARM_INS_WFI: case ARM_INS_SEV:
    case ARM_INS_SEVL: case ARM_INS_HINT: case ARM_INS_DBG: case ARM_INS_CLREX:
        return HK_CLS_HINT;
    case ARM_INS_DMB: case ARM_INS_DSB: case ARM_INS_ISB:
        return HK_CLS_BARRIER;
    case ARM_INS_MRS:
        return HK_CLS_MRS;
    case ARM_INS_MSR:
        return HK_CLS_MSR;
    case ARM_INS_CPS:
        return HK_CLS_CPS;
    case ARM_INS_SVC: case ARM_INS_BKPT: case ARM_INS_UDF: case ARM_INS_TRAP:
        return HK_CLS_EXC;
    case ARM_INS_VABS: case ARM_INS_VADD: case ARM_INS_VSUB: case ARM_INS_VMUL: case ARM_INS_VNMUL:
    case ARM_INS_VNEG: case ARM_INS_VCMP: case ARM_INS_VCMPE: case ARM_INS_VCVT: case ARM_INS_VCVTA:
    case ARM_INS_VCVTB: case ARM_INS_VCVTM: case ARM_INS_VCVTN: case ARM_INS_VCVTP: case ARM_INS_VCVTT:
    case ARM_INS_VCVTR: case ARM_INS_VMOV: case ARM_INS_VMRS: case ARM_INS_VMSR: case ARM_INS_VSELEQ:
    case ARM_INS_VSELGE: case ARM_INS_VSELGT: case ARM_INS_VSELVS: case ARM_INS_VMAXNM: case ARM_INS_VMINNM:
    case ARM_INS_VRINTA: case ARM_INS_VRINTM: case ARM_INS_VRINTN: case ARM_INS_VRINTP: case ARM_INS_VRINTR:
    case ARM_INS_VRINTX: case ARM_INS_VRINTZ:
        return HK_CLS_FP;
    case ARM_INS_VMLA: case ARM_INS_VMLS: case ARM_INS_VNMLA: case ARM_INS_VNMLS: case ARM_INS_VFMA:
    case ARM_INS_VFMS: case ARM_INS_VFNMA: case ARM_INS_VFNMS:
        return HK_CLS_FPMAC;
    case ARM_INS_VDIV: case ARM_INS_VSQRT:
        return HK_CLS_FPDIV;
    case ARM_INS_VLDR:
        return HK_CLS_FPLOAD;
    case ARM_INS_VSTR:
        return HK_CLS_FPSTORE;
    case ARM_INS_VLDMIA: case ARM_INS_VLDMDB: case ARM_INS_VPOP:
        return HK_CLS_FPLDM;
    case ARM_INS_VSTMIA: case ARM_INS_VSTMDB: case ARM_INS_VPUSH:
        return HK_CLS_FPSTM;
    default:
        return HK_CLS_UNKNOWN;
    }
}

static int thumb_size(uint16_t hw)
{
    uint16_t top = hw >> 11;
    return (top == 0x1D || top == 0x1E || top == 0x1F) ? 4 : 2;
}

static void fill_insn(hk_iss_t *s, const cs_insn *ci, hk_iss_insn_t *in)
{
    const cs_arm *a = &ci->detail->arm;
    cs_regs rr, ww;
    uint8_t nr = 0, nw = 0;
    int k, first_list = 0;

    in->id = (uint16_t)ci->id;
    in->size = (uint8_t)ci->size;
    in->cls = (uint8_t)classify(ci->id);
    {
        size_t m = strlen(ci->mnemonic), o = strlen(ci->op_str), cap = sizeof in->text - 1;
        if (m > cap) {
            m = cap;
        }
        memcpy(in->text, ci->mnemonic, m);
        if (o > 0 && m + 1 < cap) {
            in->text[m++] = ' ';
            if (o > cap - m) {
                o = cap - m;
            }
            memcpy(in->text + m, ci->op_str, o);
            m += o;
        }
        in->text[m] = '\0';
    }

    for (k = 0; k < a->op_count; ++k) {
        const cs_arm_op *op = &a->operands[k];
        if (op->type == ARM_OP_REG) {
            uint32_t b = reg_bit(op->reg);
            uint8_t acc = op->access;
            if (acc == 0) {
                /* Capstone 4 leaves some accesses unset: a first operand of a
                 * data-processing instruction is its destination */
                acc = (k == 0 && hk_iss_is_data_processing(in->cls)) ? CS_AC_WRITE : CS_AC_READ;
            }
            if (acc & CS_AC_WRITE) {
                in->dst |= b;
            }
            if (acc & CS_AC_READ) {
                in->src |= b;
            }
        } else if (op->type == ARM_OP_MEM) {
            uint32_t b = reg_bit(op->mem.base) | reg_bit(op->mem.index);
            in->addr_regs |= b;
            in->src |= b;
            if (op->mem.index != ARM_REG_INVALID) {
                in->flags |= HK_F_REG_OFFSET;
            }
            if (a->writeback) {
                in->dst |= reg_bit(op->mem.base);
            }
        }
    }
    if (cs_regs_access(s->cs, ci, rr, &nr, ww, &nw) == CS_ERR_OK) {
        for (k = 0; k < nr; ++k) {
            in->src |= reg_bit(rr[k]);
        }
        for (k = 0; k < nw; ++k) {
            in->dst |= reg_bit(ww[k]);
        }
    }
    if (a->update_flags) {
        in->dst |= 1u << HK_REG_FLAGS;
    }
    if (ci->id == ARM_INS_ADC || ci->id == ARM_INS_SBC || ci->id == ARM_INS_RRX ||
        (in->cls == HK_CLS_BRANCH && a->cc != ARM_CC_AL && a->cc != ARM_CC_INVALID)) {
        in->src |= 1u << HK_REG_FLAGS;
    }

    switch (in->cls) {
    case HK_CLS_LOAD:
    case HK_CLS_STREX:
    case HK_CLS_LOADD:
        if (a->op_count > 0 && a->operands[0].type == ARM_OP_REG) {
            in->rt |= reg_bit(a->operands[0].reg);
        }
        if (in->cls == HK_CLS_LOADD && a->op_count > 1 && a->operands[1].type == ARM_OP_REG) {
            in->rt |= reg_bit(a->operands[1].reg);
        }
        break;
    case HK_CLS_LDM:
    case HK_CLS_STM:
    case HK_CLS_FPLDM:
    case HK_CLS_FPSTM:
        if (ci->id == ARM_INS_PUSH || ci->id == ARM_INS_POP || ci->id == ARM_INS_VPUSH || ci->id == ARM_INS_VPOP) {
            in->addr_regs |= 1u << HK_REG_SP;
            in->src |= 1u << HK_REG_SP;
            in->dst |= 1u << HK_REG_SP;
            first_list = 0;
        } else {
            if (a->op_count > 0 && a->operands[0].type == ARM_OP_REG) {
                in->addr_regs |= reg_bit(a->operands[0].reg);
                in->src |= reg_bit(a->operands[0].reg);
                if (a->writeback) {
                    in->dst |= reg_bit(a->operands[0].reg);
                }
            }
            first_list = 1;
        }
        for (k = first_list; k < a->op_count; ++k) {
            if (a->operands[k].type != ARM_OP_REG) {
                continue;
            }
            in->nregs += is_dreg(a->operands[k].reg) ? 2 : 1;
            if (in->cls == HK_CLS_LDM) {
                in->dst |= reg_bit(a->operands[k].reg);
                in->src &= ~reg_bit(a->operands[k].reg) | in->addr_regs;
            } else if (in->cls == HK_CLS_STM) {
                in->src |= reg_bit(a->operands[k].reg);
            }
        }
        break;
    case HK_CLS_TB:
        break;
    case HK_CLS_DIV:
        if (a->op_count >= 3 && a->operands[1].type == ARM_OP_REG && a->operands[2].type == ARM_OP_REG) {
            in->div_rn = (uint8_t)reg_num(a->operands[1].reg);
            in->div_rm = (uint8_t)reg_num(a->operands[2].reg);
        } else if (a->op_count == 2 && a->operands[0].type == ARM_OP_REG && a->operands[1].type == ARM_OP_REG) {
            in->div_rn = (uint8_t)reg_num(a->operands[0].reg);
            in->div_rm = (uint8_t)reg_num(a->operands[1].reg);
        }
        if (ci->id == ARM_INS_SDIV) {
            in->flags |= HK_F_SIGNED;
        }
        break;
    case HK_CLS_IT: {
        unsigned mask = ci->bytes[0] & 0xFu;
        in->it_count = mask & 1u ? 4 : mask & 2u ? 3 : mask & 4u ? 2 : 1;
        in->dst = in->src = 0;
        break;
    }
    case HK_CLS_BARRIER:
        if (ci->id == ARM_INS_ISB) {
            in->flags |= HK_F_ISB;
        }
        break;
    default:
        break;
    }

    if (in->cls >= HK_CLS_FP && in->cls <= HK_CLS_FPXFER) {
        int ncore = 0, dbl = 0;
        for (k = 0; k < a->op_count; ++k) {
            if (a->operands[k].type == ARM_OP_REG) {
                if (is_core_reg(a->operands[k].reg) && !(in->cls == HK_CLS_FPLDM || in->cls == HK_CLS_FPSTM)) {
                    ncore++;
                }
                if (is_dreg(a->operands[k].reg)) {
                    dbl = 1;
                }
            }
        }
        if (dbl) {
            in->flags |= HK_F_DOUBLE;
        }
        if (ci->id == ARM_INS_VMOV && ncore > 0) {
            in->cls = HK_CLS_FPXFER;
            if (ncore >= 2 || dbl) {
                in->flags |= HK_F_XFER2;
            }
        }
    }

    if (in->cls == HK_CLS_BRANCH || in->cls == HK_CLS_CBZ || in->cls == HK_CLS_BX || in->cls == HK_CLS_TB ||
        (in->dst & (1u << HK_REG_PC))) {
        in->flags |= HK_F_WRITES_PC;
        in->dst |= 1u << HK_REG_PC;
    }
    if ((in->cls == HK_CLS_LOAD || in->cls == HK_CLS_LDM) && (in->dst & (1u << HK_REG_PC))) {
        in->flags |= HK_F_PC_LOAD;
    }
    if ((in->cls == HK_CLS_BRANCH && a->cc != ARM_CC_AL && a->cc != ARM_CC_INVALID) || in->cls == HK_CLS_CBZ) {
        in->flags |= HK_F_COND;
    }
    if (ci->id == ARM_INS_BL || ci->id == ARM_INS_BLX) {
        in->flags |= HK_F_LINK;
        in->dst |= 1u << HK_REG_LR;
    }
    in->src &= ~(1u << HK_REG_PC);   /* reading PC (literal pools, ADR) is not a dependency */
}

static int hgrow(hk_iss_t *s)
{
    size_t ncap = s->hcap ? s->hcap * 2 : 4096, i;
    uint32_t *nk = calloc(ncap, sizeof *nk), *nv = calloc(ncap, sizeof *nv);

    if (nk == NULL || nv == NULL) {
        free(nk);
        free(nv);
        return -1;
    }
    for (i = 0; i < s->hcap; ++i) {
        if (s->hkeys[i] != 0) {
            size_t h = (s->hkeys[i] * 2654435761u) & (ncap - 1);
            while (nk[h] != 0) {
                h = (h + 1) & (ncap - 1);
            }
            nk[h] = s->hkeys[i];
            nv[h] = s->hvals[i];
        }
    }
    free(s->hkeys);
    free(s->hvals);
    s->hkeys = nk;
    s->hvals = nv;
    s->hcap = ncap;
    return 0;
}

uint32_t hk_iss_decode(hk_iss_t *s, uint32_t addr)
{
    uint32_t key = addr + 1;
    size_t h;
    uint8_t buf[4] = { 0, 0, 0, 0 };
    size_t len = 4;
    cs_insn *ci = NULL;
    hk_iss_insn_t in;

    if (s->hcap != 0) {
        h = (key * 2654435761u) & (s->hcap - 1);
        while (s->hkeys[h] != 0) {
            if (s->hkeys[h] == key) {
                return s->hvals[h];
            }
            h = (h + 1) & (s->hcap - 1);
        }
    }
    if ((s->hcount + 1) * 2 > s->hcap && hgrow(s) != 0) {
        s->decode_failed = 1;
        return HK_NONE;
    }
    if (s->ninsns == s->capinsns) {
        size_t ncap = s->capinsns ? s->capinsns * 2 : 1024;
        hk_iss_insn_t *p = realloc(s->insns, ncap * sizeof *p);
        if (p == NULL) {
            s->decode_failed = 1;
            return HK_NONE;
        }
        s->insns = p;
        s->capinsns = ncap;
    }

    memset(&in, 0, sizeof in);
    in.addr = addr;
    if (uc_mem_read(s->uc, addr, buf, 4) != UC_ERR_OK) {
        len = 2;
        uc_mem_read(s->uc, addr, buf, 2);
    }
    if (cs_disasm(s->cs, buf, len, addr, 1, &ci) == 1) {
        fill_insn(s, ci, &in);
        cs_free(ci, 1);
    } else {
        in.size = (uint8_t)thumb_size((uint16_t)(buf[0] | (buf[1] << 8)));
        in.cls = HK_CLS_UNKNOWN;
        snprintf(in.text, sizeof in.text, "(undecoded %02x%02x%s%02x%02x)", buf[1], buf[0],
                 in.size == 4 ? " " : "", in.size == 4 ? buf[3] : 0, in.size == 4 ? buf[2] : 0);
    }
    s->insns[s->ninsns] = in;

    h = (key * 2654435761u) & (s->hcap - 1);
    while (s->hkeys[h] != 0) {
        h = (h + 1) & (s->hcap - 1);
    }
    s->hkeys[h] = key;
    s->hvals[h] = (uint32_t)s->ninsns;
    s->hcount++;
    return (uint32_t)s->ninsns++;
}
