/*
 * Harken ISS: Unicorn runs the code, Capstone decodes each executed
 * instruction once (cached by address), and the core's timing table
 * (hk_iss_timing_*.c) charges it. See include/hk_iss.h for what is counted.
 *
 * An instruction is charged when the next one is about to execute: only then
 * is it known whether it changed the flow, where to (the refill depends on
 * the target), and which data accesses it made (Unicorn's memory hooks fire
 * while it executes). Unicorn does not call the code hook for instructions an
 * IT block skips; they are found from the addresses of the block's slots and
 * charged 1 cycle each.
 */
#include "hk_iss.h"
#include "hk_iss_internal.h"

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HK_PAGE 0x1000u
#define HK_MAX_RANGES 32
#define HK_NONE 0xFFFFFFFFu
#define HK_DEFAULT_STACK (64u * 1024u)

typedef struct {
    char *name;
    uint32_t value, size;
    uint8_t type, bind;
} hk_sym_t;

typedef struct {
    uint32_t lo, hi;   /* [lo, hi) */
} hk_range_t;

#define HK_LRU_MAX 256

/* A fully associative LRU set of flash line numbers (most recent first). */
typedef struct {
    uint32_t tag[HK_LRU_MAX];
    uint32_t n, cap;
} hk_lru_t;

/* 1 on a hit; a miss inserts the line. cap 0: always a miss. */
static int lru_access(hk_lru_t *c, uint32_t line)
{
    uint32_t i;
    for (i = 0; i < c->n; ++i) {
        if (c->tag[i] == line) {
            for (; i > 0; --i) {
                c->tag[i] = c->tag[i - 1];
            }
            c->tag[0] = line;
            return 1;
        }
    }
    if (c->cap == 0) {
        return 0;
    }
    if (c->n < c->cap) {
        c->n++;
    }
    for (i = c->n - 1; i > 0; --i) {
        c->tag[i] = c->tag[i - 1];
    }
    c->tag[0] = line;
    return 0;
}

struct hk_iss {
    hk_iss_core_t core;
    const hk_iss_timing_t *timing;
    uc_engine *uc;
    csh cs;
    int cs_open;
    char err[256];

    /* ELF */
    hk_sym_t *syms;
    size_t nsyms;
    hk_range_t flash[HK_MAX_RANGES];
    size_t nflash;
    uint32_t stack_top;
    uint32_t trap;
    uint32_t marker_addr;   /* 0: no marker symbol */

    /* options */
    uint32_t wait_states;
    uint32_t flash_line;        /* bytes per flash line (a power of two), 0: no line buffering */
    hk_lru_t dcache, icache;    /* flash lines held for data reads / branch-target fetches */
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

/* ------------------------------------------------------------------ errors */

static void set_err(hk_iss_t *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
}

const char *hk_iss_error(const hk_iss_t *iss)
{
    return iss != NULL ? iss->err : "no simulator";
}

const char *hk_iss_core_name(hk_iss_core_t core)
{
    switch (core) {
    case HK_ISS_CORE_M0PLUS: return "cortex-m0plus";
    case HK_ISS_CORE_M4: return "cortex-m4";
    case HK_ISS_CORE_M7: return "cortex-m7";
    case HK_ISS_CORE_M33: return "cortex-m33";
    default: return "unknown";
    }
}

/* --------------------------------------------------------------------- ELF */

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static int in_file(size_t fsize, uint32_t off, uint32_t len)
{
    return (uint64_t)off + (uint64_t)len <= (uint64_t)fsize;
}

static int read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    long n;
    uint8_t *buf;

    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        snprintf(err, errlen, "%s: cannot read", path);
        return -1;
    }
    if (n > (long)(256L * 1024 * 1024)) {
        fclose(f);
        snprintf(err, errlen, "%s: larger than 256 MiB", path);
        return -1;
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        snprintf(err, errlen, "%s: cannot read", path);
        return -1;
    }
    fclose(f);
    *data = buf;
    *size = (size_t)n;
    return 0;
}

typedef struct {
    uint32_t vaddr, paddr, filesz, memsz, offset, flags;
} hk_seg_t;

static int sym_cmp_name(const void *a, const void *b)
{
    return strcmp(((const hk_sym_t *)a)->name, ((const hk_sym_t *)b)->name);
}

static int load_symbols(hk_iss_t *s, const uint8_t *d, size_t n, const char *path)
{
    uint32_t shoff = rd32(d + 0x20), shentsize = rd16(d + 0x2E), shnum = rd16(d + 0x30);
    uint32_t i, j;

    if (shoff == 0 || shnum == 0) {
        return 0;   /* stripped: calls by symbol will fail with a clear message */
    }
    if (shentsize < 40 || !in_file(n, shoff, shnum * shentsize)) {
        set_err(s, "%s: section headers out of the file", path);
        return -1;
    }
    for (i = 0; i < shnum; ++i) {
        const uint8_t *sh = d + shoff + i * shentsize;
        uint32_t type = rd32(sh + 4), off = rd32(sh + 16), size = rd32(sh + 20), link = rd32(sh + 24);
        uint32_t entsize = rd32(sh + 36);
        const uint8_t *strsh;
        uint32_t stroff, strsize, count;

        if (type != 2 /* SHT_SYMTAB */) {
            continue;
        }
        if (entsize < 16 || link >= shnum || !in_file(n, off, size)) {
            set_err(s, "%s: bad symbol table", path);
            return -1;
        }
        strsh = d + shoff + link * shentsize;
        stroff = rd32(strsh + 16);
        strsize = rd32(strsh + 20);
        if (!in_file(n, stroff, strsize)) {
            set_err(s, "%s: bad string table", path);
            return -1;
        }
        count = size / entsize;
        s->syms = realloc(s->syms, (s->nsyms + count) * sizeof *s->syms);
        if (s->syms == NULL) {
            set_err(s, "out of memory");
            return -1;
        }
        for (j = 0; j < count; ++j) {
            const uint8_t *e = d + off + j * entsize;
            uint32_t name = rd32(e), value = rd32(e + 4), ssize = rd32(e + 8);
            uint8_t info = e[12];
            const char *nm;
            size_t len;
            hk_sym_t *sym;

            if (name == 0 || name >= strsize || (info & 0xF) > 2 /* NOTYPE, OBJECT, FUNC */) {
                continue;
            }
            nm = (const char *)(d + stroff + name);
            {
                const char *z = memchr(nm, '\0', strsize - name);
                len = z != NULL ? (size_t)(z - nm) : strsize - name;
            }
            if (len == strsize - name || len == 0 || nm[0] == '$') {
                continue;   /* unterminated, or a mapping symbol ($t, $d) */
            }
            sym = &s->syms[s->nsyms];
            sym->name = malloc(len + 1);
            if (sym->name == NULL) {
                set_err(s, "out of memory");
                return -1;
            }
            memcpy(sym->name, nm, len + 1);
            sym->value = value;
            sym->size = ssize;
            sym->type = info & 0xF;
            sym->bind = info >> 4;
            s->nsyms++;
        }
    }
    if (s->nsyms > 1) {
        qsort(s->syms, s->nsyms, sizeof *s->syms, sym_cmp_name);
    }
    return 0;
}

/* Global and weak symbols win over locals of the same name. */
static const hk_sym_t *find_sym(const hk_iss_t *s, const char *name)
{
    size_t lo = 0, hi = s->nsyms;
    const hk_sym_t *best = NULL;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->syms[mid].name, name);
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (; lo < s->nsyms && strcmp(s->syms[lo].name, name) == 0; ++lo) {
        if (best == NULL || (best->bind == 0 && s->syms[lo].bind != 0)) {
            best = &s->syms[lo];
        }
    }
    return best;
}

static int range_cmp(const void *a, const void *b)
{
    const hk_range_t *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

static int overlaps(const hk_range_t *r, size_t n, uint32_t lo, uint32_t hi)
{
    size_t i;
    for (i = 0; i < n; ++i) {
        if (lo < r[i].hi && r[i].lo < hi) {
            return 1;
        }
    }
    return 0;
}

static int map_ranges(hk_iss_t *s, hk_range_t *r, size_t n)
{
    size_t i, m = 0;
    uc_err e;

    qsort(r, n, sizeof *r, range_cmp);
    for (i = 0; i < n; ++i) {
        if (m > 0 && r[i].lo <= r[m - 1].hi) {
            if (r[i].hi > r[m - 1].hi) {
                r[m - 1].hi = r[i].hi;
            }
        } else {
            r[m++] = r[i];
        }
    }
    for (i = 0; i < m; ++i) {
        e = uc_mem_map(s->uc, r[i].lo, (size_t)r[i].hi - r[i].lo, UC_PROT_ALL);
        if (e != UC_ERR_OK) {
            set_err(s, "cannot map 0x%08x-0x%08x: %s", r[i].lo, r[i].hi, uc_strerror(e));
            return -1;
        }
    }
    return 0;
}

static uint32_t page_down(uint32_t a) { return a & ~(HK_PAGE - 1); }
static uint64_t page_up(uint64_t a) { return (a + HK_PAGE - 1) & ~(uint64_t)(HK_PAGE - 1); }

static int load_elf(hk_iss_t *s, const char *path)
{
    uint8_t *d = NULL;
    size_t n = 0;
    uint32_t phoff, phentsize, phnum, i;
    hk_seg_t segs[HK_MAX_RANGES];
    size_t nsegs = 0, nr = 0;
    hk_range_t r[HK_MAX_RANGES * 2 + 4];
    uint32_t ram_lo = HK_NONE, ram_hi = 0;
    const char *stack_names[] = { "__hk_iss_stack_top", "__hk_stack_top", "__stack_top", "__StackTop", "_estack" };
    const uint32_t trap_candidates[] = { 0x3FFFF000u, 0x2FFFF000u, 0x1FFFF000u, 0x0FFFF000u, 0x6FFFF000u };
    int rc = -1;

    if (read_file(path, &d, &n, s->err, sizeof s->err) != 0) {
        return -1;
    }
    if (n < 52 || memcmp(d, "\177ELF", 4) != 0) {
        set_err(s, "%s: not an ELF file", path);
        goto out;
    }
    if (d[4] != 1 || d[5] != 1) {
        set_err(s, "%s: not a 32-bit little-endian ELF (class %u, data %u)", path, d[4], d[5]);
        goto out;
    }
    if (rd16(d + 0x12) != 40) {
        set_err(s, "%s: not an Arm ELF (e_machine %u, expected 40)", path, rd16(d + 0x12));
        goto out;
    }
    phoff = rd32(d + 0x1C);
    phentsize = rd16(d + 0x2A);
    phnum = rd16(d + 0x2C);
    if (phnum == 0 || phentsize < 32 || !in_file(n, phoff, phnum * phentsize)) {
        set_err(s, "%s: no program headers (link it into an executable)", path);
        goto out;
    }
    for (i = 0; i < phnum; ++i) {
        const uint8_t *ph = d + phoff + i * phentsize;
        hk_seg_t g;
        if (rd32(ph) != 1 /* PT_LOAD */) {
            continue;
        }
        g.offset = rd32(ph + 4);
        g.vaddr = rd32(ph + 8);
        g.paddr = rd32(ph + 12);
        g.filesz = rd32(ph + 16);
        g.memsz = rd32(ph + 20);
        g.flags = rd32(ph + 24);
        if (g.memsz == 0) {
            continue;
        }
        if (g.filesz > g.memsz || !in_file(n, g.offset, g.filesz) ||
            (uint64_t)g.vaddr + g.memsz > 0x100000000ull || (uint64_t)g.paddr + g.filesz > 0x100000000ull) {
            set_err(s, "%s: program header %u out of range", path, i);
            goto out;
        }
        if (nsegs == HK_MAX_RANGES) {
            set_err(s, "%s: more than %d loadable segments", path, HK_MAX_RANGES);
            goto out;
        }
        segs[nsegs++] = g;
    }
    if (nsegs == 0) {
        set_err(s, "%s: no loadable segments", path);
        goto out;
    }
    if (load_symbols(s, d, n, path) != 0) {
        goto out;
    }

    for (i = 0; i < nsegs; ++i) {
        const hk_seg_t *g = &segs[i];
        r[nr].lo = page_down(g->vaddr);
        r[nr].hi = (uint32_t)page_up((uint64_t)g->vaddr + g->memsz);
        nr++;
        if (g->paddr != g->vaddr && g->filesz > 0) {
            r[nr].lo = page_down(g->paddr);
            r[nr].hi = (uint32_t)page_up((uint64_t)g->paddr + g->filesz);
            nr++;
        }
        /* flash: not writable, or executable in the Armv7-M Code region (an RWX
         * segment a linker merged); everything else is RAM */
        if ((g->flags & 2 /* PF_W */) && !((g->flags & 1 /* PF_X */) && g->vaddr < 0x20000000u)) {
            if (g->vaddr < ram_lo) {
                ram_lo = g->vaddr;
            }
            if (g->vaddr + g->memsz > ram_hi) {
                ram_hi = g->vaddr + g->memsz;
            }
            if (g->paddr != g->vaddr && g->filesz > 0 && s->nflash < HK_MAX_RANGES) {
                s->flash[s->nflash].lo = g->paddr;
                s->flash[s->nflash].hi = g->paddr + g->filesz;
                s->nflash++;
            }
        } else if (s->nflash < HK_MAX_RANGES) {
            s->flash[s->nflash].lo = g->vaddr;
            s->flash[s->nflash].hi = g->vaddr + g->memsz;
            s->nflash++;
        }
    }

    /* stack */
    s->stack_top = 0;
    for (i = 0; i < sizeof stack_names / sizeof stack_names[0]; ++i) {
        const hk_sym_t *sym = find_sym(s, stack_names[i]);
        if (sym != NULL && sym->value != 0) {
            s->stack_top = sym->value & ~7u;
            break;
        }
    }
    if (s->stack_top == 0) {
        uint64_t top = (ram_hi != 0 ? page_up(ram_hi) : 0x20000000ull) + HK_DEFAULT_STACK;
        if (top > 0xFFFFF000ull) {
            set_err(s, "%s: no room for a stack after the writable segments", path);
            goto out;
        }
        s->stack_top = (uint32_t)top;
    }
    if (ram_lo != HK_NONE && ram_lo < s->stack_top && s->stack_top - ram_lo <= 64u * 1024u * 1024u) {
        /* everything from the first writable segment to the stack top is RAM */
        r[nr].lo = page_down(ram_lo);
        r[nr].hi = (uint32_t)page_up(s->stack_top);
    } else {
        r[nr].lo = page_down(s->stack_top - HK_DEFAULT_STACK);
        r[nr].hi = (uint32_t)page_up(s->stack_top);
    }
    nr++;

    /* return trap: an unused page */
    s->trap = 0;
    for (i = 0; i < sizeof trap_candidates / sizeof trap_candidates[0]; ++i) {
        if (!overlaps(r, nr, trap_candidates[i], trap_candidates[i] + HK_PAGE)) {
            s->trap = trap_candidates[i];
            break;
        }
    }
    if (s->trap == 0) {
        set_err(s, "%s: no free page for the return trap", path);
        goto out;
    }
    r[nr].lo = s->trap;
    r[nr].hi = s->trap + HK_PAGE;
    nr++;

    if (map_ranges(s, r, nr) != 0) {
        goto out;
    }
    for (i = 0; i < nsegs; ++i) {
        const hk_seg_t *g = &segs[i];
        if (g->filesz == 0) {
            continue;
        }
        if (uc_mem_write(s->uc, g->vaddr, d + g->offset, g->filesz) != UC_ERR_OK ||
            (g->paddr != g->vaddr && uc_mem_write(s->uc, g->paddr, d + g->offset, g->filesz) != UC_ERR_OK)) {
            set_err(s, "%s: cannot load segment at 0x%08x", path, g->vaddr);
            goto out;
        }
    }
    {
        const uint8_t loop[4] = { 0xFE, 0xE7, 0xFE, 0xE7 };   /* b . */
        uc_mem_write(s->uc, s->trap, loop, sizeof loop);
    }
    {
        const hk_sym_t *m = find_sym(s, "hk_iss_marker");
        s->marker_addr = (m != NULL && m->type == 2) ? (m->value & ~1u) : 0;
    }
    rc = 0;
out:
    free(d);
    return rc;
}

static int in_flash(const hk_iss_t *s, uint32_t a)
{
    size_t i;
    for (i = 0; i < s->nflash; ++i) {
        if (a >= s->flash[i].lo && a < s->flash[i].hi) {
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ decode */

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

/* Index of the decoded instruction at addr, decoding it on first use. */
static uint32_t decode(hk_iss_t *s, uint32_t addr)
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

/* ----------------------------------------------------------------- regions */

static uint32_t region_index(hk_iss_t *s, uint32_t id)
{
    size_t i;
    for (i = 0; i < s->nregions; ++i) {
        if (s->regions[i].id == id) {
            return (uint32_t)i;
        }
    }
    if (s->nregions == s->capregions) {
        size_t ncap = s->capregions ? s->capregions * 2 : 32;
        hk_iss_region_t *p = realloc(s->regions, ncap * sizeof *p);
        if (p == NULL) {
            return 0;   /* falls back to the first region */
        }
        s->regions = p;
        s->capregions = ncap;
    }
    memset(&s->regions[s->nregions], 0, sizeof s->regions[0]);
    s->regions[s->nregions].id = id;
    return (uint32_t)s->nregions++;
}

static void enter_region(hk_iss_t *s, uint32_t id)
{
    s->cur_region = region_index(s, id);
    if (s->cur_region < s->nregions) {
        s->regions[s->cur_region].entries++;
    }
}

size_t hk_iss_regions(const hk_iss_t *iss, hk_iss_region_t *out, size_t max)
{
    size_t i;
    for (i = 0; i < iss->nregions && i < max; ++i) {
        out[i] = iss->regions[i];
    }
    return iss->nregions;
}

void hk_iss_regions_reset(hk_iss_t *iss)
{
    iss->nregions = 0;
}

/* ------------------------------------------------------------------- hooks */

static void finalize(hk_iss_t *s, uint32_t next_addr, const hk_iss_insn_t *next)
{
    const hk_iss_insn_t *in = &s->insns[s->pend];
    uint32_t fall = in->addr + in->size;
    uint32_t skipped = 0, waits = s->p_waits, total;
    int taken = 0, k;
    hk_iss_ctx_t ctx;
    hk_iss_cost_t cost;

    if (next_addr != fall) {
        if (in->flags & HK_F_WRITES_PC) {
            taken = 1;
        } else {
            /* IT-skipped slots from fall up to next_addr? */
            int start = -1;
            for (k = 0; k < s->it_n; ++k) {
                if (s->it_slot[k] == fall) {
                    start = k;
                    break;
                }
            }
            if (start >= 0) {
                for (k = start; k < s->it_n && s->it_slot[k] != next_addr; ++k) {
                    skipped++;
                }
                if (k == s->it_n && s->it_slot[s->it_n] != next_addr) {
                    skipped = 0;
                    taken = 1;
                }
            } else {
                taken = 1;   /* unexpected flow change (an exception): charged as a branch */
            }
        }
    }

    memset(&ctx, 0, sizeof ctx);
    ctx.insn = in;
    ctx.prev = s->prev_valid ? &s->insns[s->prev] : NULL;
    ctx.prev_paired = s->prev_valid ? s->prev_paired : 0;
    ctx.prev_cycles = s->prev_valid ? s->prev_cycles : 0;
    ctx.taken = taken;
    ctx.target_wide_unaligned = taken && next != NULL && next->size == 4 && (next_addr & 2u) != 0;
    ctx.word_at_half = s->p_word_half;
    ctx.word_at_odd = s->p_word_odd;
    ctx.half_at_odd = s->p_half_odd;
    ctx.div_n = s->p_div_n;
    ctx.div_d = s->p_div_d;
    ctx.m0plus_mul = s->m0plus_mul;
    s->timing->cost(&ctx, &cost);

    if (taken && s->wait_states != 0 && in_flash(s, next_addr) &&
        !(s->flash_line != 0 && lru_access(&s->icache, next_addr / s->flash_line))) {
        waits += s->wait_states;   /* non-sequential instruction fetch */
    }
    total = cost.cycles + waits + skipped;

    s->st.cycles += total;
    s->st.instructions += 1u + skipped;
    s->st.skipped += skipped;
    s->st.taken_branches += (uint64_t)taken;
    s->st.refill_cycles += cost.refill;
    s->st.stall_cycles += cost.stall;
    s->st.wait_cycles += waits;
    s->st.dual_issued += (uint64_t)(cost.paired != 0);
    s->st.unknown += (uint64_t)(cost.unknown != 0);
    s->st.loads += (uint64_t)(s->p_reads != 0);
    s->st.stores += (uint64_t)(s->p_writes != 0);
    if (s->pend_region < s->nregions) {
        s->regions[s->pend_region].cycles += total;
        s->regions[s->pend_region].instructions += 1u + skipped;
    }

    if (s->trace != NULL) {
        fprintf(s->trace, "%08x %3u  %-40s", in->addr, total, in->text);
        if (taken) {
            fprintf(s->trace, " taken(P=%u)", cost.refill);
        }
        if (cost.stall) {
            fprintf(s->trace, " stall=%u", cost.stall);
        }
        if (waits) {
            fprintf(s->trace, " wait=%u", waits);
        }
        if (cost.paired) {
            fprintf(s->trace, " dual-issued");
        }
        if (skipped) {
            fprintf(s->trace, " +%u IT-skipped", skipped);
        }
        if (cost.unknown) {
            fprintf(s->trace, " (no timing entry)");
        }
        fputc('\n', s->trace);
    }

    if (skipped) {
        s->prev_valid = 0;
    } else {
        s->prev_valid = 1;
        s->prev = s->pend;
        s->prev_paired = cost.paired;
        s->prev_cycles = cost.cycles;
    }
    s->pend_valid = 0;
}

static void hook_code(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    hk_iss_t *s = user;
    uint32_t a = (uint32_t)address;
    uint32_t idx;
    const hk_iss_insn_t *in;
    (void)size;

    if (s->marker_addr != 0 && a == s->marker_addr) {
        uint32_t lr = 0, r0 = 0;
        if (s->pend_valid) {
            idx = decode(s, a);
            finalize(s, a, idx == HK_NONE ? NULL : &s->insns[idx]);
        }
        uc_reg_read(uc, UC_ARM_REG_R0, &r0);
        uc_reg_read(uc, UC_ARM_REG_LR, &lr);
        enter_region(s, r0);
        s->in_marker = 1;
        s->marker_ret = lr & ~1u;
        s->prev_valid = 0;
        return;
    }
    if (s->in_marker) {
        if (a != s->marker_ret) {
            return;
        }
        s->in_marker = 0;
        s->prev_valid = 0;
    }

    idx = decode(s, a);
    if (idx == HK_NONE) {
        uc_emu_stop(uc);
        return;
    }
    in = &s->insns[idx];
    if (s->pend_valid) {
        finalize(s, a, in);
        in = &s->insns[idx];
    }
    s->pend_valid = 1;
    s->pend = idx;
    s->pend_region = s->cur_region;
    s->p_reads = s->p_writes = s->p_word_half = s->p_word_odd = s->p_half_odd = s->p_waits = 0;

    if (in->cls == HK_CLS_IT) {
        uint32_t p = a + in->size;
        int k;
        s->it_n = in->it_count;
        for (k = 0; k < s->it_n; ++k) {
            uint32_t j = decode(s, p);
            s->it_slot[k] = p;
            p += (j == HK_NONE) ? 2u : s->insns[j].size;
        }
        s->it_slot[s->it_n] = p;
        in = &s->insns[idx];
    } else if (in->cls == HK_CLS_DIV) {
        static const int regs[16] = {
            UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4, UC_ARM_REG_R5,
            UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
            UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC
        };
        s->p_div_n = s->p_div_d = 0;
        uc_reg_read(uc, regs[in->div_rn & 15], &s->p_div_n);
        uc_reg_read(uc, regs[in->div_rm & 15], &s->p_div_d);
    }

    if (++s->executed > s->limit) {
        s->limit_hit = 1;
        uc_emu_stop(uc);
    }
}

static void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *user)
{
    hk_iss_t *s = user;
    uint32_t a = (uint32_t)address;
    (void)uc;
    (void)value;

    if (s->in_marker || !s->pend_valid) {
        return;
    }
    if (type == UC_MEM_READ) {
        s->p_reads++;
        if (s->wait_states != 0 && in_flash(s, a) &&
            !(s->flash_line != 0 && lru_access(&s->dcache, a / s->flash_line))) {
            s->p_waits += s->wait_states;
        }
    } else {
        s->p_writes++;
    }
    if (size == 4) {
        if (a & 1u) {
            s->p_word_odd++;
        } else if (a & 2u) {
            s->p_word_half++;
        }
    } else if (size == 2 && (a & 1u)) {
        s->p_half_odd++;
    }
}

static const char *exception_name(int intno)
{
    switch (intno) {
    case 1: return "undefined instruction (UsageFault)";
    case 2: return "SVC";
    case 3: return "prefetch abort (bad instruction fetch)";
    case 4: return "data abort (BusFault)";
    case 5: return "interrupt";
    case 7: return "BKPT";
    case 8: return "exception return";
    case 16: return "semihosting call";
    case 17: return "coprocessor not enabled (NOCP UsageFault)";
    case 18: return "invalid state (INVSTATE UsageFault)";
    case 19: return "stack overflow (STKOF)";
    case 22: return "unaligned access (UsageFault)";
    default: return "exception";
    }
}

/* Exceptions are not simulated: the first one stops the call with an error. */
static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
    hk_iss_t *s = user;
    if (s->exception == 0) {
        s->exception = (int)intno + 1;
        s->exception_pc = s->pend_valid ? s->insns[s->pend].addr : 0;
    }
    uc_emu_stop(uc);
}

/* --------------------------------------------------------------------- API */

hk_iss_t *hk_iss_open(const char *elf_path, hk_iss_core_t core, uint32_t flash_wait_states,
                      char *err, size_t errlen)
{
    hk_iss_t *s;
    uc_err e;
    uc_hook h1, h2, h3;
    union { void (*f)(uc_engine *, uint64_t, uint32_t, void *); void *p; } cb_code;
    union { void (*f)(uc_engine *, uc_mem_type, uint64_t, int, int64_t, void *); void *p; } cb_mem;
    union { void (*f)(uc_engine *, uint32_t, void *); void *p; } cb_intr;
    int model;
    cs_mode mode = (cs_mode)(CS_MODE_THUMB | CS_MODE_MCLASS);

    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "out of memory");
        }
        return NULL;
    }
    s->core = core;
    s->wait_states = flash_wait_states;
    s->flash_line = 16;
    s->dcache.cap = 1;
    s->m0plus_mul = 1;
    s->limit = 2000000000ull;
    switch (core) {
    case HK_ISS_CORE_M0PLUS: s->timing = &hk_iss_timing_m0plus; model = UC_CPU_ARM_CORTEX_M0; break;
    case HK_ISS_CORE_M4: s->timing = &hk_iss_timing_m4; model = UC_CPU_ARM_CORTEX_M4; break;
    case HK_ISS_CORE_M7: s->timing = &hk_iss_timing_m7; model = UC_CPU_ARM_CORTEX_M7; break;
    case HK_ISS_CORE_M33:
        s->timing = &hk_iss_timing_m33;
        model = UC_CPU_ARM_CORTEX_M33;
        mode = (cs_mode)(mode | CS_MODE_V8);
        break;
    default:
        set_err(s, "unknown core %d", (int)core);
        goto fail;
    }
    if (elf_path == NULL) {
        set_err(s, "no ELF path");
        goto fail;
    }
    e = uc_open(UC_ARCH_ARM, (uc_mode)(UC_MODE_THUMB | UC_MODE_MCLASS), &s->uc);
    if (e != UC_ERR_OK) {
        set_err(s, "unicorn: %s", uc_strerror(e));
        goto fail;
    }
    e = uc_ctl_set_cpu_model(s->uc, model);
    if (e != UC_ERR_OK) {
        set_err(s, "unicorn: cannot select %s: %s", hk_iss_core_name(core), uc_strerror(e));
        goto fail;
    }
    if (cs_open(CS_ARCH_ARM, mode, &s->cs) != CS_ERR_OK) {
        set_err(s, "capstone: cannot open the Thumb decoder");
        goto fail;
    }
    s->cs_open = 1;
    cs_option(s->cs, CS_OPT_DETAIL, CS_OPT_ON);
    if (load_elf(s, elf_path) != 0) {
        goto fail;
    }
    /* uc_hook_add takes callbacks as void *; a union avoids the (pedantic)
     * function-to-object pointer cast */
    cb_code.f = hook_code;
    cb_mem.f = hook_mem;
    cb_intr.f = hook_intr;
    if (uc_hook_add(s->uc, &h1, UC_HOOK_CODE, cb_code.p, s, 1, 0) != UC_ERR_OK ||
        uc_hook_add(s->uc, &h2, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, cb_mem.p, s, 1, 0) != UC_ERR_OK ||
        uc_hook_add(s->uc, &h3, UC_HOOK_INTR, cb_intr.p, s, 1, 0) != UC_ERR_OK) {
        set_err(s, "unicorn: cannot install hooks");
        goto fail;
    }
    return s;

fail:
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "%s", s->err);
    }
    hk_iss_close(s);
    return NULL;
}

void hk_iss_close(hk_iss_t *iss)
{
    size_t i;
    if (iss == NULL) {
        return;
    }
    if (iss->uc != NULL) {
        uc_close(iss->uc);
    }
    if (iss->cs_open) {
        cs_close(&iss->cs);
    }
    for (i = 0; i < iss->nsyms; ++i) {
        free(iss->syms[i].name);
    }
    free(iss->syms);
    free(iss->hkeys);
    free(iss->hvals);
    free(iss->insns);
    free(iss->regions);
    free(iss);
}

int hk_iss_lookup(const hk_iss_t *iss, const char *symbol, uint32_t *address, uint32_t *size)
{
    const hk_sym_t *sym = symbol != NULL ? find_sym(iss, symbol) : NULL;
    if (sym == NULL) {
        set_err((hk_iss_t *)iss, "no symbol '%s' in the ELF", symbol != NULL ? symbol : "(null)");
        return -1;
    }
    if (address != NULL) {
        *address = sym->type == 2 ? (sym->value & ~1u) : sym->value;
    }
    if (size != NULL) {
        *size = sym->size;
    }
    return 0;
}

int hk_iss_set_flash_cache(hk_iss_t *iss, uint32_t line_bytes, uint32_t data_lines, uint32_t insn_lines)
{
    if (line_bytes != 0 && (line_bytes & (line_bytes - 1)) != 0) {
        set_err(iss, "flash line size %u is not a power of two", line_bytes);
        return -1;
    }
    if (data_lines > HK_LRU_MAX || insn_lines > HK_LRU_MAX) {
        set_err(iss, "at most %d flash lines per buffer", HK_LRU_MAX);
        return -1;
    }
    iss->flash_line = line_bytes;
    memset(&iss->dcache, 0, sizeof iss->dcache);
    memset(&iss->icache, 0, sizeof iss->icache);
    iss->dcache.cap = line_bytes != 0 ? data_lines : 0;
    iss->icache.cap = line_bytes != 0 ? insn_lines : 0;
    return 0;
}
void hk_iss_set_m0plus_mul_cycles(hk_iss_t *iss, uint32_t cycles) { iss->m0plus_mul = cycles == 32 ? 32 : 1; }
void hk_iss_set_limit(hk_iss_t *iss, uint64_t max_instructions) { iss->limit = max_instructions; }
void hk_iss_set_trace(hk_iss_t *iss, FILE *f) { iss->trace = f; }

int hk_iss_call_ex(hk_iss_t *s, const char *symbol, const uint32_t *args, unsigned nargs, hk_iss_stats_t *stats)
{
    static const int argregs[4] = { UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3 };
    const hk_sym_t *sym;
    uint32_t entry, sp, lr, pc = 0, r0 = 0;
    unsigned i;
    uc_err e;

    if (stats != NULL) {
        memset(stats, 0, sizeof *stats);
    }
    sym = symbol != NULL ? find_sym(s, symbol) : NULL;
    if (sym == NULL) {
        set_err(s, "no symbol '%s' in the ELF", symbol != NULL ? symbol : "(null)");
        return -1;
    }
    if (sym->type != 2) {
        set_err(s, "'%s' is not a function", symbol);
        return -1;
    }
    if (nargs > 4) {
        set_err(s, "at most 4 arguments (r0-r3), got %u", nargs);
        return -1;
    }
    entry = sym->value & ~1u;
    for (i = 0; i < nargs; ++i) {
        uc_reg_write(s->uc, argregs[i], &args[i]);
    }
    sp = s->stack_top;
    lr = s->trap | 1u;
    uc_reg_write(s->uc, UC_ARM_REG_SP, &sp);
    uc_reg_write(s->uc, UC_ARM_REG_LR, &lr);

    memset(&s->st, 0, sizeof s->st);
    s->pend_valid = 0;
    s->prev_valid = 0;
    s->in_marker = 0;
    s->it_n = 0;
    s->executed = 0;
    s->limit_hit = 0;
    s->decode_failed = 0;
    s->exception = 0;
    enter_region(s, HK_ISS_NO_MARKER);

    e = uc_emu_start(s->uc, entry | 1u, s->trap, 0, 0);
    uc_reg_read(s->uc, UC_ARM_REG_PC, &pc);
    if (s->limit_hit) {
        set_err(s, "%s: stopped after %llu instructions (limit) at pc 0x%08x", symbol,
                (unsigned long long)s->limit, pc);
        return -1;
    }
    if (s->exception != 0) {
        uint32_t at = s->exception_pc;
        const char *text = "?";
        if (s->pend_valid) {
            text = s->insns[s->pend].text;
        }
        set_err(s, "%s: %s at pc 0x%08x (%s); exceptions are not simulated", symbol,
                exception_name(s->exception - 1), at, text);
        return -1;
    }
    if (s->decode_failed) {
        set_err(s, "%s: out of memory decoding at pc 0x%08x", symbol, pc);
        return -1;
    }
    if (e != UC_ERR_OK) {
        const char *last = s->pend_valid ? s->insns[s->pend].text : "?";
        set_err(s, "%s: %s at pc 0x%08x (last instruction: %s)", symbol, uc_strerror(e), pc, last);
        return -1;
    }
    if (pc != s->trap) {
        set_err(s, "%s: stopped at pc 0x%08x before returning", symbol, pc);
        return -1;
    }
    if (s->pend_valid) {
        finalize(s, s->trap, NULL);
    }
    uc_reg_read(s->uc, UC_ARM_REG_R0, &r0);
    s->st.ret = r0;
    if (stats != NULL) {
        *stats = s->st;
    }
    s->err[0] = '\0';
    return 0;
}

int hk_iss_call(hk_iss_t *iss, const char *symbol, uint64_t *cycles, uint64_t *instructions)
{
    hk_iss_stats_t st;
    if (hk_iss_call_ex(iss, symbol, NULL, 0, &st) != 0) {
        return -1;
    }
    if (cycles != NULL) {
        *cycles = st.cycles;
    }
    if (instructions != NULL) {
        *instructions = st.instructions;
    }
    return 0;
}

int hk_iss_write(hk_iss_t *iss, uint32_t address, const void *data, size_t len)
{
    uc_err e = uc_mem_write(iss->uc, address, data, len);
    if (e != UC_ERR_OK) {
        set_err(iss, "cannot write %zu bytes at 0x%08x: %s", len, address, uc_strerror(e));
        return -1;
    }
    return 0;
}

int hk_iss_read(hk_iss_t *iss, uint32_t address, void *data, size_t len)
{
    uc_err e = uc_mem_read(iss->uc, address, data, len);
    if (e != UC_ERR_OK) {
        set_err(iss, "cannot read %zu bytes at 0x%08x: %s", len, address, uc_strerror(e));
        return -1;
    }
    return 0;
}

static int symbol_span(hk_iss_t *iss, const char *symbol, uint32_t offset, size_t len, uint32_t *addr)
{
    uint32_t a, size;
    if (hk_iss_lookup(iss, symbol, &a, &size) != 0) {
        return -1;
    }
    if ((uint64_t)offset + len > size) {
        set_err(iss, "'%s' is %u bytes; cannot access %zu bytes at offset %u", symbol, size, len, offset);
        return -1;
    }
    *addr = a + offset;
    return 0;
}

int hk_iss_write_symbol(hk_iss_t *iss, const char *symbol, uint32_t offset, const void *data, size_t len)
{
    uint32_t a;
    if (symbol_span(iss, symbol, offset, len, &a) != 0) {
        return -1;
    }
    return hk_iss_write(iss, a, data, len);
}

int hk_iss_read_symbol(hk_iss_t *iss, const char *symbol, uint32_t offset, void *data, size_t len)
{
    uint32_t a;
    if (symbol_span(iss, symbol, offset, len, &a) != 0) {
        return -1;
    }
    return hk_iss_read(iss, a, data, len);
}
