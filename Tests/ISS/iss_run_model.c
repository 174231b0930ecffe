/*
 * Runs a model compiled by `harken compile` and linked for a Cortex-M core on
 * the Harken ISS: <name>_init once, then <name>_invoke for every step, with
 * the inputs from a file (as Benchmarks/step_driver.c takes them) or seeded
 * random bytes. Reports cycles and instructions per invoke and, when the
 * build has markers (harken/hk_marker.h), per kernel call.
 *
 * usage: iss_run_model ELF CORE WAIT_STATES NAME INPUT_BYTES OUTPUT_BYTES
 *                      [--steps N] [--inputs INPUTS.bin] [--outputs OUTPUTS.bin]
 *                      [--markers NAMES.txt] [--seed S] [--flash-cache LINE,DATA_LINES,INSN_LINES]
 *   CORE: m0plus, m4, m7, m33.  NAMES.txt: "k<TAB>label" per marker (build.sh writes it).
 */
#include "hk_iss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MARKERS 256

static void die(const char *msg, const char *detail)
{
    fprintf(stderr, "iss_run_model: %s%s%s\n", msg, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

static int parse_core(const char *s, hk_iss_core_t *core)
{
    if (strcmp(s, "m0plus") == 0 || strcmp(s, "cortex-m0plus") == 0) *core = HK_ISS_CORE_M0PLUS;
    else if (strcmp(s, "m4") == 0 || strcmp(s, "cortex-m4") == 0) *core = HK_ISS_CORE_M4;
    else if (strcmp(s, "m7") == 0 || strcmp(s, "cortex-m7") == 0) *core = HK_ISS_CORE_M7;
    else if (strcmp(s, "m33") == 0 || strcmp(s, "cortex-m33") == 0) *core = HK_ISS_CORE_M33;
    else return -1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *elf, *name, *inputs = NULL, *outputs = NULL, *markers = NULL;
    hk_iss_core_t core;
    uint32_t ws, in_bytes, out_bytes, steps = 100, seed = 1, i;
    unsigned line = 16, dlines = 1, ilines = 0;
    char err[256], fn[256], *labels[MAX_MARKERS] = { 0 };
    hk_iss_t *s;
    hk_iss_stats_t st, tot;
    uint64_t cmin = ~0ull, cmax = 0, init_cycles;
    uint8_t *inbuf, *outbuf;
    FILE *fin = NULL, *fout = NULL;
    uint32_t in_addr, out_addr;
    hk_iss_region_t regs[MAX_MARKERS];
    size_t nregs;
    int a;

    if (argc < 7) {
        fprintf(stderr, "usage: %s ELF CORE WAIT_STATES NAME INPUT_BYTES OUTPUT_BYTES [--steps N] "
                        "[--inputs F] [--outputs F] [--markers F] [--seed S] [--flash-cache L,D,I]\n", argv[0]);
        return 2;
    }
    elf = argv[1];
    if (parse_core(argv[2], &core) != 0) {
        die("unknown core (m0plus, m4, m7, m33)", argv[2]);
    }
    ws = (uint32_t)strtoul(argv[3], NULL, 0);
    name = argv[4];
    in_bytes = (uint32_t)strtoul(argv[5], NULL, 0);
    out_bytes = (uint32_t)strtoul(argv[6], NULL, 0);
    for (a = 7; a + 1 < argc; a += 2) {
        if (strcmp(argv[a], "--steps") == 0) steps = (uint32_t)strtoul(argv[a + 1], NULL, 0);
        else if (strcmp(argv[a], "--inputs") == 0) inputs = argv[a + 1];
        else if (strcmp(argv[a], "--outputs") == 0) outputs = argv[a + 1];
        else if (strcmp(argv[a], "--markers") == 0) markers = argv[a + 1];
        else if (strcmp(argv[a], "--seed") == 0) seed = (uint32_t)strtoul(argv[a + 1], NULL, 0);
        else if (strcmp(argv[a], "--flash-cache") == 0) {
            if (sscanf(argv[a + 1], "%u,%u,%u", &line, &dlines, &ilines) != 3) {
                die("--flash-cache takes LINE_BYTES,DATA_LINES,INSN_LINES", argv[a + 1]);
            }
        }
        else die("unknown option", argv[a]);
    }
    if (in_bytes == 0 || in_bytes > 65536 || out_bytes == 0 || out_bytes > 65536 || steps == 0) {
        die("bad sizes or step count", NULL);
    }
    if (markers != NULL) {
        FILE *f = fopen(markers, "r");
        char line[512];
        if (f == NULL) {
            die("cannot open", markers);
        }
        while (fgets(line, sizeof line, f) != NULL) {
            char *tab = strchr(line, '\t');
            unsigned long k = strtoul(line, NULL, 10);
            if (tab != NULL && k < MAX_MARKERS) {
                tab[strcspn(tab, "\n")] = '\0';
                size_t len = strlen(tab + 1);
                free(labels[k]);
                labels[k] = malloc(len + 1);
                if (labels[k] != NULL) {
                    memcpy(labels[k], tab + 1, len + 1);
                }
            }
        }
        fclose(f);
    }

    s = hk_iss_open(elf, core, ws, err, sizeof err);
    if (s == NULL) {
        die(err, NULL);
    }
    if (hk_iss_set_flash_cache(s, line, dlines, ilines) != 0) {
        die(hk_iss_error(s), NULL);
    }
    inbuf = malloc(in_bytes);
    outbuf = malloc(out_bytes);
    if (inbuf == NULL || outbuf == NULL) {
        die("out of memory", NULL);
    }
    if (inputs != NULL && (fin = fopen(inputs, "rb")) == NULL) {
        die("cannot open", inputs);
    }
    if (outputs != NULL && (fout = fopen(outputs, "wb")) == NULL) {
        die("cannot create", outputs);
    }

    snprintf(fn, sizeof fn, "%s_init", name);
    if (hk_iss_call_ex(s, fn, NULL, 0, &st) != 0) {
        die(hk_iss_error(s), NULL);
    }
    init_cycles = st.cycles;
    snprintf(fn, sizeof fn, "%s_input", name);
    if (hk_iss_call_ex(s, fn, NULL, 0, &st) != 0) {
        die(hk_iss_error(s), NULL);
    }
    in_addr = st.ret;
    snprintf(fn, sizeof fn, "%s_output", name);
    if (hk_iss_call_ex(s, fn, NULL, 0, &st) != 0) {
        die(hk_iss_error(s), NULL);
    }
    out_addr = st.ret;
    hk_iss_regions_reset(s);

    memset(&tot, 0, sizeof tot);
    snprintf(fn, sizeof fn, "%s_invoke", name);
    for (i = 0; i < steps; ++i) {
        if (fin != NULL) {
            if (fread(inbuf, 1, in_bytes, fin) != in_bytes) {
                die("inputs file shorter than the step count", inputs);
            }
        } else {
            uint32_t k;
            for (k = 0; k < in_bytes; ++k) {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                inbuf[k] = (uint8_t)seed;
            }
        }
        if (hk_iss_write(s, in_addr, inbuf, in_bytes) != 0 || hk_iss_call_ex(s, fn, NULL, 0, &st) != 0 ||
            hk_iss_read(s, out_addr, outbuf, out_bytes) != 0) {
            die(hk_iss_error(s), NULL);
        }
        if (fout != NULL) {
            fwrite(outbuf, 1, out_bytes, fout);
        }
        if (st.cycles < cmin) cmin = st.cycles;
        if (st.cycles > cmax) cmax = st.cycles;
        tot.cycles += st.cycles;
        tot.instructions += st.instructions;
        tot.skipped += st.skipped;
        tot.taken_branches += st.taken_branches;
        tot.refill_cycles += st.refill_cycles;
        tot.loads += st.loads;
        tot.stores += st.stores;
        tot.stall_cycles += st.stall_cycles;
        tot.wait_cycles += st.wait_cycles;
        tot.dual_issued += st.dual_issued;
        tot.unknown += st.unknown;
    }
    if (fout != NULL) {
        fclose(fout);
    }
    if (fin != NULL) {
        fclose(fin);
    }

    printf("%s on %s, %u flash wait state(s) (flash lines %u B, data buffer %u, branch cache %u), "
           "%u steps (%s inputs)\n", elf, hk_iss_core_name(core), ws, line, dlines, ilines, steps,
           inputs != NULL ? "file" : "random");
    printf("  %s_init            %llu cycles\n", name, (unsigned long long)init_cycles);
    printf("  cycles/invoke      %.1f (min %llu, max %llu)\n", (double)tot.cycles / steps,
           (unsigned long long)cmin, (unsigned long long)cmax);
    printf("  instructions/invoke %.1f  (CPI %.3f)\n", (double)tot.instructions / steps,
           (double)tot.cycles / (double)tot.instructions);
    printf("  per invoke: taken branches %.1f (refill %.1f cycles), loads %.1f, stores %.1f, "
           "stalls %.1f cycles, wait states %.1f cycles, IT-skipped %.1f, dual-issued %.1f, untimed %.1f\n",
           (double)tot.taken_branches / steps, (double)tot.refill_cycles / steps, (double)tot.loads / steps,
           (double)tot.stores / steps, (double)tot.stall_cycles / steps, (double)tot.wait_cycles / steps,
           (double)tot.skipped / steps, (double)tot.dual_issued / steps, (double)tot.unknown / steps);

    nregs = hk_iss_regions(s, regs, MAX_MARKERS);
    if (nregs > 1) {
        size_t r;
        printf("  per kernel call (marker regions), per invoke:\n");
        printf("    %-6s %-46s %10s %10s %6s %6s\n", "marker", "layer", "cycles", "instr", "CPI", "share");
        for (r = 0; r < nregs && r < MAX_MARKERS; ++r) {
            const char *label = regs[r].id == HK_ISS_NO_MARKER ? "(entry, before the first marker)"
                                : regs[r].id < MAX_MARKERS && labels[regs[r].id] ? labels[regs[r].id] : "?";
            char id[16];
            if (regs[r].id == HK_ISS_NO_MARKER) {
                snprintf(id, sizeof id, "-");
            } else {
                snprintf(id, sizeof id, "%u", regs[r].id);
            }
            printf("    %-6s %-46s %10.1f %10.1f %6.2f %5.1f%%\n", id, label, (double)regs[r].cycles / steps,
                   (double)regs[r].instructions / steps,
                   regs[r].instructions ? (double)regs[r].cycles / (double)regs[r].instructions : 0.0,
                   100.0 * (double)regs[r].cycles / (double)tot.cycles);
        }
    }
    hk_iss_close(s);
    free(inbuf);
    free(outbuf);
    for (i = 0; i < MAX_MARKERS; ++i) {
        free(labels[i]);
    }
    return 0;
}
