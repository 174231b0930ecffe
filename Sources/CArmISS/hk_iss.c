/*
 * Harken ISS: the run API of include/hk_iss.h. Opening sets up Unicorn and
 * Capstone for the core and loads the ELF (hk_iss_elf.c); a call runs one
 * function to its return with the charging hooks (hk_iss_timing.c) counting.
 */
#include "hk_iss.h"
#include "hk_iss_internal.h"

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void hk_iss_set_err(hk_iss_t *s, const char *fmt, ...)
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

/* --------------------------------------------------------------------- API */

hk_iss_t *hk_iss_open(const char *elf_path, hk_iss_core_t core, uint32_t flash_wait_states,
                      char *err, size_t errlen)
{
    hk_iss_t *s;
    uc_err e;
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
    s->cur_line = s->pf_line = HK_NONE;
    if (hk_iss_cache_init(&s->dcache, 1, 0) != 0) {
        hk_iss_set_err(s, "out of memory");
        goto fail;
    }
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
        hk_iss_set_err(s, "unknown core %d", (int)core);
        goto fail;
    }
    if (elf_path == NULL) {
        hk_iss_set_err(s, "no ELF path");
        goto fail;
    }
    e = uc_open(UC_ARCH_ARM, (uc_mode)(UC_MODE_THUMB | UC_MODE_MCLASS), &s->uc);
    if (e != UC_ERR_OK) {
        hk_iss_set_err(s, "unicorn: %s", uc_strerror(e));
        goto fail;
    }
    e = uc_ctl_set_cpu_model(s->uc, model);
    if (e != UC_ERR_OK) {
        hk_iss_set_err(s, "unicorn: cannot select %s: %s", hk_iss_core_name(core), uc_strerror(e));
        goto fail;
    }
    if (cs_open(CS_ARCH_ARM, mode, &s->cs) != CS_ERR_OK) {
        hk_iss_set_err(s, "capstone: cannot open the Thumb decoder");
        goto fail;
    }
    s->cs_open = 1;
    cs_option(s->cs, CS_OPT_DETAIL, CS_OPT_ON);
    if (hk_iss_load_elf(s, elf_path) != 0 || hk_iss_install_hooks(s) != 0) {
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
    hk_iss_cache_free(&iss->dcache);
    hk_iss_cache_free(&iss->icache);
    free(iss);
}

int hk_iss_lookup(const hk_iss_t *iss, const char *symbol, uint32_t *address, uint32_t *size)
{
    const hk_sym_t *sym = symbol != NULL ? hk_iss_find_sym(iss, symbol) : NULL;
    if (sym == NULL) {
        hk_iss_set_err((hk_iss_t *)iss, "no symbol '%s' in the ELF", symbol != NULL ? symbol : "(null)");
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
        hk_iss_set_err(iss, "flash line size %u is not a power of two", line_bytes);
        return -1;
    }
    hk_iss_cache_free(&iss->dcache);
    hk_iss_cache_free(&iss->icache);
    if (hk_iss_cache_init(&iss->dcache, line_bytes != 0 ? data_lines : 0, 0) != 0 ||
        hk_iss_cache_init(&iss->icache, line_bytes != 0 ? insn_lines : 0, 0) != 0) {
        hk_iss_set_err(iss, "out of memory for %u + %u flash lines", data_lines, insn_lines);
        return -1;
    }
    iss->flash_line = line_bytes;
    iss->line_model = 0;
    iss->prefetch = 0;
    iss->cur_line = iss->pf_line = HK_NONE;
    return 0;
}

int hk_iss_set_flash_model(hk_iss_t *iss, const hk_iss_flash_model_t *m)
{
    if (m == NULL || m->line_bytes == 0 || (m->line_bytes & (m->line_bytes - 1)) != 0) {
        hk_iss_set_err(iss, "flash line size %u is not a power of two", m != NULL ? m->line_bytes : 0);
        return -1;
    }
    if ((m->insn_ways != 0 && m->insn_lines % m->insn_ways != 0) || (m->data_ways != 0 && m->data_lines % m->data_ways != 0)) {
        hk_iss_set_err(iss, "cache lines (%u instruction, %u data) must be a multiple of the ways (%u, %u)",
                m->insn_lines, m->data_lines, m->insn_ways, m->data_ways);
        return -1;
    }
    hk_iss_cache_free(&iss->dcache);
    hk_iss_cache_free(&iss->icache);
    if (hk_iss_cache_init(&iss->dcache, m->data_lines, m->data_ways) != 0 ||
        hk_iss_cache_init(&iss->icache, m->insn_lines, m->insn_ways) != 0) {
        hk_iss_set_err(iss, "out of memory for %u + %u flash lines", m->data_lines, m->insn_lines);
        return -1;
    }
    iss->flash_line = m->line_bytes;
    iss->line_model = 1;
    iss->prefetch = m->prefetch != 0;
    iss->cur_line = iss->pf_line = HK_NONE;
    iss->pf_ready = 0;
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
    sym = symbol != NULL ? hk_iss_find_sym(s, symbol) : NULL;
    if (sym == NULL) {
        hk_iss_set_err(s, "no symbol '%s' in the ELF", symbol != NULL ? symbol : "(null)");
        return -1;
    }
    if (sym->type != 2) {
        hk_iss_set_err(s, "'%s' is not a function", symbol);
        return -1;
    }
    if (nargs > 4) {
        hk_iss_set_err(s, "at most 4 arguments (r0-r3), got %u", nargs);
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
    s->fetch_entry = 1;
    hk_iss_enter_region(s, HK_ISS_NO_MARKER);

    e = uc_emu_start(s->uc, entry | 1u, s->trap, 0, 0);
    uc_reg_read(s->uc, UC_ARM_REG_PC, &pc);
    if (s->limit_hit) {
        hk_iss_set_err(s, "%s: stopped after %llu instructions (limit) at pc 0x%08x", symbol,
                (unsigned long long)s->limit, pc);
        return -1;
    }
    if (s->exception != 0) {
        uint32_t at = s->exception_pc;
        const char *text = "?";
        if (s->pend_valid) {
            text = s->insns[s->pend].text;
        }
        hk_iss_set_err(s, "%s: %s at pc 0x%08x (%s); exceptions are not simulated", symbol,
                exception_name(s->exception - 1), at, text);
        return -1;
    }
    if (s->decode_failed) {
        hk_iss_set_err(s, "%s: out of memory decoding at pc 0x%08x", symbol, pc);
        return -1;
    }
    if (e != UC_ERR_OK) {
        const char *last = s->pend_valid ? s->insns[s->pend].text : "?";
        hk_iss_set_err(s, "%s: %s at pc 0x%08x (last instruction: %s)", symbol, uc_strerror(e), pc, last);
        return -1;
    }
    if (pc != s->trap) {
        hk_iss_set_err(s, "%s: stopped at pc 0x%08x before returning", symbol, pc);
        return -1;
    }
    if (s->pend_valid) {
        hk_iss_finalize(s, s->trap, NULL);
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
        hk_iss_set_err(iss, "cannot write %zu bytes at 0x%08x: %s", len, address, uc_strerror(e));
        return -1;
    }
    return 0;
}

int hk_iss_read(hk_iss_t *iss, uint32_t address, void *data, size_t len)
{
    uc_err e = uc_mem_read(iss->uc, address, data, len);
    if (e != UC_ERR_OK) {
        hk_iss_set_err(iss, "cannot read %zu bytes at 0x%08x: %s", len, address, uc_strerror(e));
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
        hk_iss_set_err(iss, "'%s' is %u bytes; cannot access %zu bytes at offset %u", symbol, size, len, offset);
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
