/*
 * Exactness checks for the Harken ISS: every expected figure below is the hand
 * count written in the kernel's source (smlad_loop.S, m4_rules.S,
 * m0plus_loop.S, art_loop.S). Usage: iss_selftest <dir holding the four ELFs>.
 * Exit status 0 when every count matches.
 */
#include "hk_iss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(const char *what, uint64_t got, uint64_t want)
{
    printf("%-58s %8llu  (hand count %llu)  %s\n", what, (unsigned long long)got, (unsigned long long)want,
           got == want ? "ok" : "MISMATCH");
    if (got != want) {
        failures++;
    }
}

static hk_iss_t *open_or_die(const char *dir, const char *name, hk_iss_core_t core, uint32_t ws)
{
    char path[1024], err[256];
    hk_iss_t *s;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    s = hk_iss_open(path, core, ws, err, sizeof err);
    if (s == NULL) {
        fprintf(stderr, "iss_selftest: %s\n", err);
        exit(2);
    }
    return s;
}

static void call_or_die(hk_iss_t *s, const char *fn, const uint32_t *args, unsigned n, hk_iss_stats_t *st)
{
    if (hk_iss_call_ex(s, fn, args, n, st) != 0) {
        fprintf(stderr, "iss_selftest: %s\n", hk_iss_error(s));
        exit(2);
    }
}

/* smlad_dot over n words of a and b placed in iss_buf */
static void smlad_case(const char *dir, hk_iss_core_t core, uint32_t ws, const char *fn, uint32_t n,
                       uint64_t want_cycles, uint64_t want_insns)
{
    hk_iss_t *s = open_or_die(dir, "smlad_loop.elf", core, ws);
    int16_t a[2048], b[2048];
    uint32_t buf, args[3], i;
    int32_t want_ret = 0;
    hk_iss_stats_t st;
    char what[128];

    srand(n * 7u + ws);
    for (i = 0; i < 2 * n; ++i) {
        a[i] = (int16_t)(rand() % 2001 - 1000);
        b[i] = (int16_t)(rand() % 2001 - 1000);
        want_ret += a[i] * b[i] + a[i] * a[i];
    }
    if (hk_iss_lookup(s, "iss_buf", &buf, NULL) != 0 || hk_iss_write(s, buf, a, 4 * n) != 0 ||
        hk_iss_write(s, buf + 4096, b, 4 * n) != 0) {
        fprintf(stderr, "iss_selftest: %s\n", hk_iss_error(s));
        exit(2);
    }
    args[0] = buf;
    args[1] = buf + 4096;
    args[2] = n;
    call_or_die(s, fn, args, 3, &st);
    snprintf(what, sizeof what, "%s %s n=%u W=%u cycles", hk_iss_core_name(core), fn, n, ws);
    check(what, st.cycles, want_cycles);
    snprintf(what, sizeof what, "%s %s n=%u W=%u instructions", hk_iss_core_name(core), fn, n, ws);
    check(what, st.instructions, want_insns);
    snprintf(what, sizeof what, "%s %s n=%u result", hk_iss_core_name(core), fn, n);
    check(what, st.ret, (uint32_t)want_ret);
    hk_iss_close(s);
}

/* art_loop.S under one flash model: 0 = STM32F4's ART accelerator, 1 = no
 * accelerator. Expected counts are the file's hand counts. */
static void art_case(const char *dir, int none, uint32_t w, const char *fn, uint32_t n, uint32_t arg2,
                     uint64_t want_cycles, uint64_t want_waits)
{
    hk_iss_t *s = open_or_die(dir, "art_loop.elf", HK_ISS_CORE_M4, w);
    hk_iss_flash_model_t art = { 16, 64, 0, 8, 0, 1 }, bare = { 16, 0, 0, 0, 0, 0 };
    uint32_t args[3];
    hk_iss_stats_t st;
    char what[128];

    if (hk_iss_set_flash_model(s, none ? &bare : &art) != 0) {
        fprintf(stderr, "iss_selftest: %s\n", hk_iss_error(s));
        exit(2);
    }
    args[0] = n;
    args[1] = arg2;
    args[2] = 0;
    if (strcmp(fn, "art_data") == 0) {
        hk_iss_lookup(s, "art_table", &args[1], NULL);
        args[2] = arg2;
    }
    call_or_die(s, fn, args, 3, &st);
    snprintf(what, sizeof what, "cortex-m4 %s %s(%u, %u) W=%u cycles", none ? "no-cache" : "ART", fn, n, arg2, w);
    check(what, st.cycles, want_cycles);
    snprintf(what, sizeof what, "cortex-m4 %s %s(%u, %u) W=%u waits", none ? "no-cache" : "ART", fn, n, arg2, w);
    check(what, st.wait_cycles, want_waits);
    hk_iss_close(s);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    uint32_t ns[] = { 1, 2, 100, 1000 };
    size_t k;

    for (k = 0; k < sizeof ns / sizeof ns[0]; ++k) {
        uint32_t n = ns[k];
        smlad_case(dir, HK_ISS_CORE_M4, 0, "smlad_dot", n, 8ull * n + 17, 6ull * n + 5);
    }
    smlad_case(dir, HK_ISS_CORE_M4, 3, "smlad_dot", 100, 8ull * 100 + 17 + 3ull * 99, 605);
    smlad_case(dir, HK_ISS_CORE_M4, 5, "smlad_dot", 100, 8ull * 100 + 17 + 5ull * 99, 605);
    smlad_case(dir, HK_ISS_CORE_M4, 0, "smlad_dot_unaligned", 100, 9ull * 100 + 16, 605);
    /* the M33 model adds dual issue of 16-bit ALU pairs only; this loop has none */
    smlad_case(dir, HK_ISS_CORE_M33, 0, "smlad_dot", 100, 8ull * 100 + 17, 605);

    {
        hk_iss_t *s = open_or_die(dir, "m4_rules.elf", HK_ISS_CORE_M4, 0);
        uint32_t p, words[8] = { 0, 16, 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0, 0 };
        uint32_t arg;
        hk_iss_stats_t st;

        if (hk_iss_lookup(s, "iss_words", &p, NULL) != 0) {
            fprintf(stderr, "iss_selftest: %s\n", hk_iss_error(s));
            return 2;
        }
        words[0] = p;
        hk_iss_write(s, p, words, sizeof words);
        arg = p;
        call_or_die(s, "rules_mem", &arg, 1, &st);
        check("cortex-m4 rules_mem cycles", st.cycles, 37);
        check("cortex-m4 rules_mem instructions", st.instructions, 17);
        arg = 1;
        call_or_die(s, "rules_flow", &arg, 1, &st);
        check("cortex-m4 rules_flow cycles", st.cycles, 54);
        check("cortex-m4 rules_flow instructions", st.instructions, 20);
        check("cortex-m4 rules_flow IT-skipped", st.skipped, 1);
        check("cortex-m4 rules_flow result", st.ret, 42);
        arg = p + 1;
        {
            int rc = hk_iss_call_ex(s, "iss_fault", &arg, 1, &st);
            printf("%-58s %s\n", "cortex-m4 iss_fault (UDF) stops with an error",
                   rc != 0 ? "ok" : "MISMATCH");
            printf("    %s\n", hk_iss_error(s));
            failures += rc == 0;
        }
        /* the simulator is usable after a fault */
        arg = 1;
        call_or_die(s, "rules_flow", &arg, 1, &st);
        check("cortex-m4 rules_flow cycles after the fault", st.cycles, 54);
        hk_iss_close(s);
    }

    {
        uint32_t n;
        for (n = 1; n <= 100; n += 99) {
            int mul;
            for (mul = 0; mul < 2; ++mul) {
                hk_iss_t *s = open_or_die(dir, "m0plus_loop.elf", HK_ISS_CORE_M0PLUS, 0);
                uint32_t buf, args[3], i, vals[100], want = 0;
                hk_iss_stats_t st;
                char what[128];

                if (mul) {
                    hk_iss_set_m0plus_mul_cycles(s, 32);
                }
                for (i = 0; i < n; ++i) {
                    vals[i] = i * 3u + 1u;
                    want += vals[i] * vals[i];
                }
                hk_iss_lookup(s, "iss_buf", &buf, NULL);
                hk_iss_write(s, buf, vals, 4 * n);
                args[0] = buf;
                args[1] = n;
                args[2] = buf + 2048;
                call_or_die(s, "m0_sum_squares", args, 3, &st);
                snprintf(what, sizeof what, "cortex-m0plus m0_sum_squares n=%u MULS=%d cycles", n, mul ? 32 : 1);
                check(what, st.cycles, mul ? 40ull * n + 9 : 9ull * n + 9);
                snprintf(what, sizeof what, "cortex-m0plus m0_sum_squares n=%u instructions", n);
                check(what, st.instructions, 6ull * n + 4);
                snprintf(what, sizeof what, "cortex-m0plus m0_sum_squares n=%u result", n);
                check(what, st.ret, want);
                hk_iss_close(s);
            }
        }
    }

    {
        uint32_t ns[] = { 1, 2, 10 }, w = 5;
        for (k = 0; k < sizeof ns / sizeof ns[0]; ++k) {
            uint32_t n = ns[k];
            uint64_t base = 17ull * n + 11;
            art_case(dir, 0, 0, "art_straight", n, 0, base, 0);
            art_case(dir, 0, w, "art_straight", n, 0, base + (n >= 2 ? w : 0), n >= 2 ? w : 0);
            art_case(dir, 1, w, "art_straight", n, 0, base + w * (2ull * n + 1), w * (2ull * n + 1));
            art_case(dir, 0, 0, "art_chain64", n, 0, 193ull * n + 3, 0);
            art_case(dir, 0, w, "art_chain64", n, 0, 193ull * n + 3 + 63ull * w, 63ull * w);
            art_case(dir, 0, w, "art_chain65", n, 0, 196ull * n + 3 + (65ull * n - 1) * w, (65ull * n - 1) * w);
            art_case(dir, 1, w, "art_chain64", n, 0, 193ull * n + 3 + (64ull * n - 1) * w, (64ull * n - 1) * w);
            art_case(dir, 0, 0, "art_data", n, 8, 52ull * n + 8, 0);
            art_case(dir, 0, w, "art_data", n, 8, 52ull * n + 8 + 8ull * w, 8ull * w);
            art_case(dir, 0, w, "art_data", n, 9, 58ull * n + 8 + 9ull * n * w, 9ull * n * w);
            art_case(dir, 1, w, "art_data", n, 8, 52ull * n + 8 + 8ull * n * w, 8ull * n * w);
        }
    }

    printf("%s: %d mismatch(es)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
