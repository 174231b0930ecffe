/*
 * Harken ISS: the ELF image. libelf reads it (the same reader as `harken
 * size` and the firmware summary, so a file one accepts the others accept),
 * and this file lays it out in Unicorn's memory as include/hk_iss.h
 * describes: segments at their virtual and load addresses, the flash ranges
 * the wait-state model charges, a stack, and a return trap.
 */
#define _POSIX_C_SOURCE 200809L

#include "hk_iss_internal.h"

#include <gelf.h>
#include <libelf.h>
#include <unicorn/unicorn.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HK_PAGE 0x1000u
#define HK_DEFAULT_STACK (64u * 1024u)

typedef struct {
    uint32_t vaddr, paddr, filesz, memsz, flags;
    const void *bytes;   /* filesz bytes of the file, owned by libelf */
} hk_seg_t;

static int sym_cmp_name(const void *a, const void *b)
{
    return strcmp(((const hk_sym_t *)a)->name, ((const hk_sym_t *)b)->name);
}

static int load_symbols(hk_iss_t *s, Elf *elf, const char *path)
{
    Elf_Scn *scn = NULL;
    size_t symsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);

    /* No symbol table (stripped) is not an error here: calls by symbol then
     * fail with a message that names the symbol. */
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        Elf_Data *data;
        size_t count, j;

        if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_SYMTAB) {
            continue;
        }
        data = elf_getdata(scn, NULL);
        if (data == NULL || symsize == 0) {
            hk_iss_set_err(s, "%s: bad symbol table: %s", path, elf_errmsg(-1));
            return -1;
        }
        count = data->d_size / symsize;
        if (count == 0) {
            continue;
        }
        {
            hk_sym_t *p = realloc(s->syms, (s->nsyms + count) * sizeof *p);
            if (p == NULL) {
                hk_iss_set_err(s, "out of memory");
                return -1;
            }
            s->syms = p;
        }
        for (j = 0; j < count; ++j) {
            GElf_Sym e;
            const char *nm;
            size_t len;
            hk_sym_t *sym;
            unsigned type;

            if (gelf_getsym(data, (int)j, &e) == NULL) {
                continue;
            }
            type = GELF_ST_TYPE(e.st_info);
            if (e.st_name == 0 || type > STT_FUNC) {
                continue;   /* only NOTYPE, OBJECT and FUNC can be called or accessed */
            }
            nm = elf_strptr(elf, sh.sh_link, e.st_name);
            if (nm == NULL || nm[0] == '\0' || nm[0] == '$') {
                continue;   /* unreadable, or an Arm mapping symbol ($t, $d) */
            }
            len = strlen(nm);
            sym = &s->syms[s->nsyms];
            sym->name = malloc(len + 1);
            if (sym->name == NULL) {
                hk_iss_set_err(s, "out of memory");
                return -1;
            }
            memcpy(sym->name, nm, len + 1);
            sym->value = (uint32_t)e.st_value;
            sym->size = (uint32_t)e.st_size;
            sym->type = (uint8_t)type;
            sym->bind = (uint8_t)GELF_ST_BIND(e.st_info);
            s->nsyms++;
        }
    }
    if (s->nsyms > 1) {
        qsort(s->syms, s->nsyms, sizeof *s->syms, sym_cmp_name);
    }
    return 0;
}

const hk_sym_t *hk_iss_find_sym(const hk_iss_t *s, const char *name)
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
        if (best == NULL || (best->bind == STB_LOCAL && s->syms[lo].bind != STB_LOCAL)) {
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

/* Unicorn refuses overlapping maps, and segments often share a page. */
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
            hk_iss_set_err(s, "cannot map 0x%08x-0x%08x: %s", r[i].lo, r[i].hi, uc_strerror(e));
            return -1;
        }
    }
    return 0;
}

static uint32_t page_down(uint32_t a) { return a & ~(HK_PAGE - 1); }
static uint64_t page_up(uint64_t a) { return (a + HK_PAGE - 1) & ~(uint64_t)(HK_PAGE - 1); }

/* The PT_LOAD segments that occupy memory, with their file bytes. */
static int read_segments(hk_iss_t *s, Elf *elf, const char *path, hk_seg_t *segs, size_t *nsegs)
{
    size_t phnum = 0, i;

    if (elf_getphdrnum(elf, &phnum) != 0 || phnum == 0) {
        hk_iss_set_err(s, "%s: no program headers (link it into an executable)", path);
        return -1;
    }
    *nsegs = 0;
    for (i = 0; i < phnum; ++i) {
        GElf_Phdr ph;
        hk_seg_t g;

        if (gelf_getphdr(elf, (int)i, &ph) == NULL) {
            hk_iss_set_err(s, "%s: program header %zu: %s", path, i, elf_errmsg(-1));
            return -1;
        }
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        if (ph.p_filesz > ph.p_memsz || ph.p_vaddr + ph.p_memsz > 0x100000000ull ||
            ph.p_paddr + ph.p_filesz > 0x100000000ull) {
            hk_iss_set_err(s, "%s: program header %zu out of range", path, i);
            return -1;
        }
        g.vaddr = (uint32_t)ph.p_vaddr;
        g.paddr = (uint32_t)ph.p_paddr;
        g.filesz = (uint32_t)ph.p_filesz;
        g.memsz = (uint32_t)ph.p_memsz;
        g.flags = (uint32_t)ph.p_flags;
        g.bytes = NULL;
        if (g.filesz > 0) {
            Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, g.filesz, ELF_T_BYTE);
            if (d == NULL || d->d_buf == NULL) {
                hk_iss_set_err(s, "%s: program header %zu out of range", path, i);
                return -1;
            }
            g.bytes = d->d_buf;
        }
        if (*nsegs == HK_MAX_RANGES) {
            hk_iss_set_err(s, "%s: more than %d loadable segments", path, HK_MAX_RANGES);
            return -1;
        }
        segs[(*nsegs)++] = g;
    }
    if (*nsegs == 0) {
        hk_iss_set_err(s, "%s: no loadable segments", path);
        return -1;
    }
    return 0;
}

static int check_header(hk_iss_t *s, Elf *elf, const char *path)
{
    const char *ident;
    GElf_Ehdr eh;

    if (elf_kind(elf) != ELF_K_ELF || (ident = elf_getident(elf, NULL)) == NULL ||
        gelf_getehdr(elf, &eh) == NULL) {
        hk_iss_set_err(s, "%s: not an ELF file", path);
        return -1;
    }
    if (ident[EI_CLASS] != ELFCLASS32 || ident[EI_DATA] != ELFDATA2LSB) {
        hk_iss_set_err(s, "%s: not a 32-bit little-endian ELF (class %u, data %u)", path,
                       (unsigned)(unsigned char)ident[EI_CLASS], (unsigned)(unsigned char)ident[EI_DATA]);
        return -1;
    }
    if (eh.e_machine != EM_ARM) {
        hk_iss_set_err(s, "%s: not an Arm ELF (e_machine %u, expected %u)", path, (unsigned)eh.e_machine,
                       (unsigned)EM_ARM);
        return -1;
    }
    return 0;
}

/* Everything after the file is read: the memory map, then the bytes. */
static int lay_out(hk_iss_t *s, const char *path, const hk_seg_t *segs, size_t nsegs)
{
    static const char *const stack_names[] = {
        "__hk_iss_stack_top", "__hk_stack_top", "__stack_top", "__StackTop", "_estack"
    };
    /* high in regions a Cortex-M image rarely uses, tried in order */
    static const uint32_t trap_candidates[] = { 0x3FFFF000u, 0x2FFFF000u, 0x1FFFF000u, 0x0FFFF000u, 0x6FFFF000u };
    hk_range_t r[HK_MAX_RANGES * 2 + 4];
    size_t nr = 0, i;
    uint32_t ram_lo = HK_NONE, ram_hi = 0;

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
        if ((g->flags & PF_W) && !((g->flags & PF_X) && g->vaddr < 0x20000000u)) {
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

    s->stack_top = 0;
    for (i = 0; i < sizeof stack_names / sizeof stack_names[0]; ++i) {
        const hk_sym_t *sym = hk_iss_find_sym(s, stack_names[i]);
        if (sym != NULL && sym->value != 0) {
            s->stack_top = sym->value & ~7u;
            break;
        }
    }
    if (s->stack_top == 0) {
        uint64_t top = (ram_hi != 0 ? page_up(ram_hi) : 0x20000000ull) + HK_DEFAULT_STACK;
        if (top > 0xFFFFF000ull) {
            hk_iss_set_err(s, "%s: no room for a stack after the writable segments", path);
            return -1;
        }
        s->stack_top = (uint32_t)top;
    }
    if (ram_lo != HK_NONE && ram_lo < s->stack_top && s->stack_top - ram_lo <= 64u * 1024u * 1024u) {
        /* the gap between the writable segments and the stack top is RAM too
         * (a linker script's heap or reserved stack area has no segment) */
        r[nr].lo = page_down(ram_lo);
        r[nr].hi = (uint32_t)page_up(s->stack_top);
    } else {
        r[nr].lo = page_down(s->stack_top - HK_DEFAULT_STACK);
        r[nr].hi = (uint32_t)page_up(s->stack_top);
    }
    nr++;

    /* A call returns to the trap page (LR); the run stops when PC gets there. */
    s->trap = 0;
    for (i = 0; i < sizeof trap_candidates / sizeof trap_candidates[0]; ++i) {
        if (!overlaps(r, nr, trap_candidates[i], trap_candidates[i] + HK_PAGE)) {
            s->trap = trap_candidates[i];
            break;
        }
    }
    if (s->trap == 0) {
        hk_iss_set_err(s, "%s: no free page for the return trap", path);
        return -1;
    }
    r[nr].lo = s->trap;
    r[nr].hi = s->trap + HK_PAGE;
    nr++;

    if (map_ranges(s, r, nr) != 0) {
        return -1;
    }
    for (i = 0; i < nsegs; ++i) {
        const hk_seg_t *g = &segs[i];
        if (g->filesz == 0) {
            continue;
        }
        if (uc_mem_write(s->uc, g->vaddr, g->bytes, g->filesz) != UC_ERR_OK ||
            (g->paddr != g->vaddr && uc_mem_write(s->uc, g->paddr, g->bytes, g->filesz) != UC_ERR_OK)) {
            hk_iss_set_err(s, "%s: cannot load segment at 0x%08x", path, g->vaddr);
            return -1;
        }
    }
    {
        const uint8_t loop[4] = { 0xFE, 0xE7, 0xFE, 0xE7 };   /* b . */
        uc_mem_write(s->uc, s->trap, loop, sizeof loop);
    }
    {
        const hk_sym_t *m = hk_iss_find_sym(s, "hk_iss_marker");
        s->marker_addr = (m != NULL && m->type == STT_FUNC) ? (m->value & ~1u) : 0;
    }
    return 0;
}

int hk_iss_load_elf(hk_iss_t *s, const char *path)
{
    hk_seg_t segs[HK_MAX_RANGES];
    size_t nsegs = 0;
    Elf *elf;
    struct stat st;
    int fd, rc = -1;

    if (elf_version(EV_CURRENT) == EV_NONE) {
        hk_iss_set_err(s, "libelf: %s", elf_errmsg(-1));
        return -1;
    }
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        hk_iss_set_err(s, "%s: cannot open", path);
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        hk_iss_set_err(s, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    elf = elf_begin(fd, ELF_C_READ, NULL);
    if (elf == NULL) {
        hk_iss_set_err(s, "%s: not an ELF file (%s)", path, elf_errmsg(-1));
        close(fd);
        return -1;
    }
    if (check_header(s, elf, path) == 0 && read_segments(s, elf, path, segs, &nsegs) == 0 &&
        load_symbols(s, elf, path) == 0 && lay_out(s, path, segs, nsegs) == 0) {
        rc = 0;
    }
    elf_end(elf);
    close(fd);
    return rc;
}
