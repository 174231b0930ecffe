/*
 * What the pieces of the ISS share. Not installed.
 *
 *   hk_iss.c               the run API (include/hk_iss.h): open, call, memory, options
 *   hk_iss_elf.c           reads the ELF with libelf and lays it out in Unicorn's memory
 *   hk_iss_decode.c        Capstone decoding into hk_iss_insn_t, cached by address
 *   hk_iss_timing.c        charges each executed instruction: the Unicorn hooks, the
 *                          flash wait-state model and the per-marker regions
 *   hk_iss_timing_*.c      the per-core timing tables
 *
 * The timing tables use only the first half of this file. No Unicorn or
 * Capstone header is included here, so that they stay independent of both:
 * the simulator state below holds the engines' handles opaquely.
 */
#ifndef HK_ISS_INTERNAL_H
#define HK_ISS_INTERNAL_H

#include "hk_iss.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Instruction classes. Each is one row (or a group of same-cost rows) of the
 * Cortex-M4 TRM instruction timing table, so every core's table can charge
 * it with a cited figure. */
typedef enum {
    HK_CLS_UNKNOWN = 0,
    HK_CLS_ALU,        /* MOV/MOVW/MOVT/MVN, ADD/ADC/SUB/SBC/RSB/ADR, CMP/CMN/TST/TEQ, AND/ORR/EOR/BIC/ORN,
                          LSL/LSR/ASR/ROR/RRX, CLZ, SXTB/SXTH/UXTB/UXTH(+A), BFI/BFC/UBFX/SBFX, REV/RBIT */
    HK_CLS_SAT,        /* SSAT/USAT, SSAT16/USAT16, QADD/QSUB/QDADD/QDSUB */
    HK_CLS_SIMD,       /* parallel add/subtract (SADD16, UQSUB8, ...), SEL, PKHBT/PKHTB,
                          SXTB16/UXTB16/SXTAB16/UXTAB16, USAD8/USADA8 */
    HK_CLS_MUL,        /* MUL/MULS, MLA, MLS (32-bit result) */
    HK_CLS_MULL,       /* UMULL/SMULL/UMLAL/SMLAL/UMAAL (64-bit result) */
    HK_CLS_DSPMUL,     /* SMULxy/SMLAxy/SMULWx/SMLAWx, SMUAD/SMUSD, SMLAD/SMLSD, SMMUL/SMMLA/SMMLS */
    HK_CLS_DSPMULL,    /* SMLALxy, SMLALD, SMLSLD */
    HK_CLS_DIV,        /* SDIV/UDIV */
    HK_CLS_LOAD,       /* single loads: LDR/LDRB/LDRH/LDRSB/LDRSH (+T), LDREX(B/H) */
    HK_CLS_STORE,      /* single stores: STR/STRB/STRH (+T) */
    HK_CLS_STREX,      /* STREX(B/H): pipelines like a load */
    HK_CLS_LOADD,      /* LDRD */
    HK_CLS_STORED,     /* STRD */
    HK_CLS_LDM,        /* LDM/LDMDB/POP */
    HK_CLS_STM,        /* STM/STMDB/PUSH */
    HK_CLS_PLD,        /* PLD/PLI hints */
    HK_CLS_BRANCH,     /* B, B<cc>, BL (immediate target) */
    HK_CLS_CBZ,        /* CBZ/CBNZ */
    HK_CLS_BX,         /* BX/BLX register */
    HK_CLS_TB,         /* TBB/TBH */
    HK_CLS_IT,         /* IT */
    HK_CLS_HINT,       /* NOP, YIELD, SEV, WFE, WFI */
    HK_CLS_BARRIER,    /* DMB, DSB, ISB */
    HK_CLS_MRS,
    HK_CLS_MSR,
    HK_CLS_CPS,
    HK_CLS_EXC,        /* SVC, BKPT, UDF: not run by the simulator's calls */
    HK_CLS_FP,         /* single-cycle FPU data processing: VADD/VSUB/VMUL/VNMUL/VABS/VNEG/VCMP/VCVT/VMOV/VMRS/VMSR */
    HK_CLS_FPMAC,      /* VMLA/VMLS/VNMLA/VNMLS/VFMA/VFMS/VFNMA/VFNMS */
    HK_CLS_FPDIV,      /* VDIV, VSQRT */
    HK_CLS_FPLOAD,     /* VLDR */
    HK_CLS_FPSTORE,    /* VSTR */
    HK_CLS_FPLDM,      /* VLDM, VPOP */
    HK_CLS_FPSTM,      /* VSTM, VPUSH */
    HK_CLS_FPXFER,     /* VMOV between core and FPU registers */
    HK_CLS_COUNT
} hk_iss_class_t;

enum {
    HK_F_WRITES_PC = 1u << 0,   /* changes the flow: branch, or PC among the destinations */
    HK_F_REG_OFFSET = 1u << 1,  /* load/store address uses an index register */
    HK_F_COND = 1u << 2,        /* may fall through: B<cc> outside IT, CBZ/CBNZ */
    HK_F_SIGNED = 1u << 3,      /* SDIV */
    HK_F_DOUBLE = 1u << 4,      /* double-precision FPU operation or transfer */
    HK_F_LINK = 1u << 5,        /* BL, BLX */
    HK_F_PC_LOAD = 1u << 6,     /* the new PC comes from memory (LDR/LDM/POP with PC) */
    HK_F_XFER2 = 1u << 7,       /* VMOV of two core registers or one double */
    HK_F_ISB = 1u << 8          /* ISB (the other barriers are DMB, DSB) */
};

#define HK_REG_SP 13
#define HK_REG_LR 14
#define HK_REG_PC 15
#define HK_REG_FLAGS 16

typedef struct {
    uint32_t addr;
    uint16_t id;          /* Capstone ARM_INS_* (for traces) */
    uint8_t size;         /* 2 or 4 bytes */
    uint8_t cls;          /* hk_iss_class_t */
    uint8_t nregs;        /* LDM/STM/PUSH/POP: registers; VLDM/VSTM/VPUSH/VPOP: 32-bit words */
    uint8_t it_count;     /* IT: instructions in the block */
    uint8_t div_rn, div_rm;
    uint16_t flags;       /* HK_F_* */
    uint32_t dst;         /* registers written: bit n = Rn (15 = PC), HK_REG_FLAGS = APSR flags */
    uint32_t src;         /* registers read, same bits */
    uint32_t addr_regs;   /* registers that form a data address (base, index) */
    uint32_t rt;          /* transfer registers of a single load (Rt, Rt2) */
    char text[48];        /* mnemonic and operands, for traces */
} hk_iss_insn_t;

/* What a timing function knows when it charges an instruction. */
typedef struct {
    const hk_iss_insn_t *insn;
    const hk_iss_insn_t *prev;   /* the instruction issued just before, NULL after a call entry,
                                    a marker, or an IT-skipped slot */
    int prev_paired;             /* prev was itself dual-issued with its predecessor */
    uint32_t prev_cycles;        /* cycles charged to prev (wait states excluded) */
    int taken;                   /* the instruction changed the flow (next PC != fall-through) */
    int target_wide_unaligned;   /* the next instruction is 32-bit at an address = 2 (mod 4) */
    uint32_t word_at_half;       /* word accesses at an address = 2 (mod 4) */
    uint32_t word_at_odd;        /* word accesses at an odd address */
    uint32_t half_at_odd;        /* halfword accesses at an odd address */
    uint32_t div_n, div_d;       /* SDIV/UDIV operand values before execution */
    uint32_t m0plus_mul;         /* Cortex-M0+ MULS cycles (1 or 32) */
} hk_iss_ctx_t;

typedef struct {
    uint32_t cycles;    /* all cycles of the instruction except flash wait states */
    uint32_t refill;    /* of which pipeline refill (P) */
    uint32_t stall;     /* of which interlocks and unaligned-access penalties */
    int paired;         /* issued in the same cycle as prev (cycles == 0) */
    int unknown;        /* no table entry; charged 1 */
} hk_iss_cost_t;

typedef struct {
    const char *name;
    void (*cost)(const hk_iss_ctx_t *ctx, hk_iss_cost_t *out);
} hk_iss_timing_t;

extern const hk_iss_timing_t hk_iss_timing_m0plus;
extern const hk_iss_timing_t hk_iss_timing_m4;
extern const hk_iss_timing_t hk_iss_timing_m7;
extern const hk_iss_timing_t hk_iss_timing_m33;

/* The Cortex-M4 rules, shared by the M7 and M33 models (hk_iss_timing_m4.c). */
void hk_iss_cost_m4(const hk_iss_ctx_t *ctx, hk_iss_cost_t *out);

/* Data-processing classes (results from the ALU/MAC, not from memory). */
static inline int hk_iss_is_data_processing(int cls)
{
    return cls == HK_CLS_ALU || cls == HK_CLS_SAT || cls == HK_CLS_SIMD || cls == HK_CLS_MUL ||
           cls == HK_CLS_MULL || cls == HK_CLS_DSPMUL || cls == HK_CLS_DSPMULL || cls == HK_CLS_DIV;
}

/* ------------------------------------------------------- simulator state */

/* Unicorn's uc_engine is a typedef of this tag; Capstone's csh is a size_t. */
struct uc_struct;

#define HK_NONE 0xFFFFFFFFu
#define HK_MAX_RANGES 32

typedef struct {
    char *name;
    uint32_t value, size;
    uint8_t type, bind;
} hk_sym_t;

typedef struct {
    uint32_t lo, hi;   /* [lo, hi) */
} hk_range_t;

/* A set-associative cache of flash line numbers, LRU within a set (most
 * recent first); ways == lines makes it fully associative. An empty slot
 * holds HK_NONE. lines 0: no cache (every lookup misses). */
typedef struct {
    uint32_t *tag;     /* sets x ways */
    uint32_t lines, ways, sets;
} hk_cache_t;

struct hk_iss {
    hk_iss_core_t core;
    const hk_iss_timing_t *timing;
    struct uc_struct *uc;
    size_t cs;
    int cs_open;
    char err[256];

    /* ELF */
    hk_sym_t *syms;             /* sorted by name */
    size_t nsyms;
    hk_range_t flash[HK_MAX_RANGES];
    size_t nflash;
    uint32_t stack_top;
    uint32_t trap;
    uint32_t marker_addr;   /* 0: no marker symbol */

    /* options */
    uint32_t wait_states;
    uint32_t flash_line;        /* bytes per flash line (a power of two), 0: no line buffering */
    hk_cache_t dcache, icache;  /* flash lines held for data reads / instruction fetches */
    int line_model;             /* 1: hk_iss_set_flash_model's rules (every line change is a fetch);
                                   0: hk_iss_set_flash_cache's (only non-sequential fetches pay) */
    int prefetch;               /* the next sequential line is read while the current one executes */
    uint32_t cur_line;          /* the instruction line the fetch unit holds (HK_NONE: none) */
    uint32_t pf_line;           /* the line the prefetch buffer holds or is reading (HK_NONE: none) */
    uint64_t pf_ready;          /* clock at which the prefetched line arrives */
    uint64_t clock;             /* cycles charged since open (never reset: the flash state's time base) */
    int fetch_entry;            /* the next instruction starts a call: its fetch primes the buffers, uncharged */
    uint32_t m0plus_mul;
    uint64_t limit;
    FILE *trace;

    /* decode cache: open addressing, key = address + 1 (0 = empty) */
    uint32_t *hkeys, *hvals;
    size_t hcap, hcount;
    hk_iss_insn_t *insns;
    size_t ninsns, capinsns;

    /* per-call state */
    int pend_valid;
    uint32_t pend;              /* index into insns */
    uint32_t pend_region;
    uint32_t p_reads, p_writes, p_word_half, p_word_odd, p_half_odd, p_waits;
    uint32_t p_div_n, p_div_d;
    int prev_valid;
    uint32_t prev;
    int prev_paired;
    uint32_t prev_cycles;
    uint32_t it_slot[5];        /* slot addresses; it_slot[it_n] = end of the block */
    int it_n;
    int in_marker;
    uint32_t marker_ret;
    uint64_t executed;
    int limit_hit;
    int decode_failed;
    int exception;              /* QEMU exception number + 1 (0: none) */
    uint32_t exception_pc;
    hk_iss_stats_t st;

    /* regions */
    hk_iss_region_t *regions;
    size_t nregions, capregions;
    uint32_t cur_region;        /* index */
};

#if defined(__GNUC__)
#define HK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HK_PRINTF(f, a)
#endif

/* hk_iss.c */
void hk_iss_set_err(hk_iss_t *s, const char *fmt, ...) HK_PRINTF(2, 3);

/* hk_iss_elf.c: maps and loads the image, fills the symbols, flash ranges,
 * stack top, return trap and marker address. Unicorn must be open. */
int hk_iss_load_elf(hk_iss_t *s, const char *path);
/* Global and weak symbols win over locals of the same name. */
const hk_sym_t *hk_iss_find_sym(const hk_iss_t *s, const char *name);

/* hk_iss_decode.c: index into s->insns of the instruction at addr, decoded on
 * first use; HK_NONE (and s->decode_failed) when out of memory. */
uint32_t hk_iss_decode(hk_iss_t *s, uint32_t addr);

/* hk_iss_timing.c */
int hk_iss_install_hooks(hk_iss_t *s);
/* Charges the pending instruction, which is followed by next_addr (next: its
 * decoded instruction, NULL if not known). */
void hk_iss_finalize(hk_iss_t *s, uint32_t next_addr, const hk_iss_insn_t *next);
void hk_iss_enter_region(hk_iss_t *s, uint32_t id);
/* Allocates a cache of `lines` lines in `ways` ways (0: fully associative); -1 on a bad shape. */
int hk_iss_cache_init(hk_cache_t *c, uint32_t lines, uint32_t ways);
void hk_iss_cache_free(hk_cache_t *c);

#endif
