/*
 * Harken ISS: charging. Unicorn runs the code, and its hooks hand every
 * executed instruction (decoded by hk_iss_decode.c) to the core's timing
 * table (hk_iss_timing_*.c), add the flash wait states, and book the cycles
 * to the current marker region. See include/hk_iss.h for what is counted.
 *
 * An instruction is charged when the next one is about to execute: only then
 * is it known whether it changed the flow, where to (the refill depends on
 * the target), and which data accesses it made (Unicorn's memory hooks fire
 * while it executes). Unicorn does not call the code hook for instructions an
 * IT block skips; they are found from the addresses of the block's slots and
 * charged 1 cycle each.
 */
#include "hk_iss_internal.h"

#include <unicorn/unicorn.h>

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ flash model */

int hk_iss_cache_init(hk_cache_t *c, uint32_t lines, uint32_t ways)
{
    uint32_t i;
    memset(c, 0, sizeof *c);
    if (lines == 0) {
        return 0;
    }
    if (ways == 0 || ways > lines) {
        ways = lines;
    }
    if (lines % ways != 0) {
        return -1;
    }
    c->tag = malloc(lines * sizeof *c->tag);
    if (c->tag == NULL) {
        return -1;
    }
    for (i = 0; i < lines; ++i) {
        c->tag[i] = HK_NONE;
    }
    c->lines = lines;
    c->ways = ways;
    c->sets = lines / ways;
    return 0;
}

void hk_iss_cache_free(hk_cache_t *c)
{
    free(c->tag);
    memset(c, 0, sizeof *c);
}

void hk_iss_invalidate_data_cache(hk_iss_t *iss)
{
    uint32_t i;
    for (i = 0; i < iss->dcache.lines; ++i) {
        iss->dcache.tag[i] = HK_NONE;
    }
}

/* 1 if the line is held (it becomes the most recent of its set). */
static int cache_hit(hk_cache_t *c, uint32_t line)
{
    uint32_t *set, i;
    if (c->lines == 0) {
        return 0;
    }
    set = c->tag + (size_t)(line % c->sets) * c->ways;
    for (i = 0; i < c->ways && set[i] != HK_NONE; ++i) {
        if (set[i] == line) {
            for (; i > 0; --i) {
                set[i] = set[i - 1];
            }
            set[0] = line;
            return 1;
        }
    }
    return 0;
}

/* Puts a line that missed into its set, evicting the least recent. */
static void cache_fill(hk_cache_t *c, uint32_t line)
{
    uint32_t *set, i;
    if (c->lines == 0) {
        return;
    }
    set = c->tag + (size_t)(line % c->sets) * c->ways;
    for (i = c->ways - 1; i > 0; --i) {
        set[i] = set[i - 1];
    }
    set[0] = line;
}

/* 1 on a hit; a miss fills the line. */
static int cache_access(hk_cache_t *c, uint32_t line)
{
    if (cache_hit(c, line)) {
        return 1;
    }
    cache_fill(c, line);
    return 0;
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

/* Wait states of fetching the instruction at addr at clock `now` under
 * hk_iss_set_flash_model's rules (include/hk_iss.h): the held line is free,
 * the prefetched line costs what is left of its read, a cached line is free,
 * any other line pays the wait states and fills the instruction cache. */
static uint32_t line_fetch(hk_iss_t *s, uint32_t addr, uint64_t now)
{
    uint32_t line, wait;
    if (!in_flash(s, addr)) {
        return 0;
    }
    line = addr / s->flash_line;
    if (line == s->cur_line) {
        return 0;
    }
    if (s->prefetch && line == s->pf_line) {
        wait = s->pf_ready > now ? (uint32_t)(s->pf_ready - now) : 0;
    } else if (cache_hit(&s->icache, line)) {
        wait = 0;
    } else {
        wait = s->wait_states;
        cache_fill(&s->icache, line);
    }
    s->cur_line = line;
    if (s->prefetch) {
        /* The next line is read as soon as this one has arrived: one flash
         * access, the wait states + 1 cycles (RM0090 3.5.2, "Instruction prefetch"). */
        s->pf_line = line + 1;
        s->pf_ready = now + wait + s->wait_states + 1;
    }
    return wait;
}

/* ---------------------------------------------------------------- regions */

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

void hk_iss_enter_region(hk_iss_t *s, uint32_t id)
{
    s->cur_region = region_index(s, id);
    if (s->cur_region < s->nregions) {
        s->regions[s->cur_region].entries++;
    }
}

/* ------------------------------------------------------------------ hooks */

void hk_iss_finalize(hk_iss_t *s, uint32_t next_addr, const hk_iss_insn_t *next)
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

    if (s->wait_states != 0 && s->line_model) {
        /* The next instruction is needed once this one has run. The profiling
         * marker is not part of the program: the flash state passes over it. */
        if (s->marker_addr == 0 || next_addr != s->marker_addr) {
            waits += line_fetch(s, next_addr, s->clock + cost.cycles + waits + skipped);
        }
    } else if (taken && s->wait_states != 0 && in_flash(s, next_addr) &&
               !(s->flash_line != 0 && cache_access(&s->icache, next_addr / s->flash_line))) {
        waits += s->wait_states;   /* non-sequential instruction fetch */
    }
    total = cost.cycles + waits + skipped;
    s->clock += total;

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
            idx = hk_iss_decode(s, a);
            hk_iss_finalize(s, a, idx == HK_NONE ? NULL : &s->insns[idx]);
        }
        uc_reg_read(uc, UC_ARM_REG_R0, &r0);
        uc_reg_read(uc, UC_ARM_REG_LR, &lr);
        hk_iss_enter_region(s, r0);
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

    idx = hk_iss_decode(s, a);
    if (idx == HK_NONE) {
        uc_emu_stop(uc);
        return;
    }
    in = &s->insns[idx];
    if (s->fetch_entry) {
        /* A call's first instruction: its fetch is not counted (include/hk_iss.h),
         * but its line is now the one held, as on the device. */
        s->fetch_entry = 0;
        if (s->wait_states != 0 && s->line_model) {
            (void)line_fetch(s, a, s->clock);
            s->pf_ready = s->clock + s->wait_states + 1;   /* as if the line had been there */
        }
    }
    if (s->pend_valid) {
        hk_iss_finalize(s, a, in);
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
            uint32_t j = hk_iss_decode(s, p);
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
            !(s->flash_line != 0 && cache_access(&s->dcache, a / s->flash_line))) {
            s->p_waits += s->wait_states;
            /* Data accesses have priority on the flash (RM0090 3.5.2, "Data
             * management"): a prefetch still in progress waits for this read. */
            if (s->line_model && s->prefetch && s->pf_ready > s->clock) {
                s->pf_ready += s->wait_states + 1;
            }
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

int hk_iss_install_hooks(hk_iss_t *s)
{
    uc_hook h1, h2, h3;
    /* uc_hook_add takes callbacks as void *; a union avoids the (pedantic)
     * function-to-object pointer cast */
    union { void (*f)(uc_engine *, uint64_t, uint32_t, void *); void *p; } cb_code;
    union { void (*f)(uc_engine *, uc_mem_type, uint64_t, int, int64_t, void *); void *p; } cb_mem;
    union { void (*f)(uc_engine *, uint32_t, void *); void *p; } cb_intr;

    cb_code.f = hook_code;
    cb_mem.f = hook_mem;
    cb_intr.f = hook_intr;
    if (uc_hook_add(s->uc, &h1, UC_HOOK_CODE, cb_code.p, s, 1, 0) != UC_ERR_OK ||
        uc_hook_add(s->uc, &h2, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, cb_mem.p, s, 1, 0) != UC_ERR_OK ||
        uc_hook_add(s->uc, &h3, UC_HOOK_INTR, cb_intr.p, s, 1, 0) != UC_ERR_OK) {
        hk_iss_set_err(s, "unicorn: cannot install hooks");
        return -1;
    }
    return 0;
}
