/*
 * Harken ISS: an instruction-set-simulator cycle counter for Cortex-M.
 *
 * Runs functions of an ELF built with arm-none-eabi-gcc for a Cortex-M core on
 * Unicorn (QEMU's Arm M-profile model), decodes every executed instruction with
 * Capstone, and charges it cycles from the core's timing table
 * (hk_iss_timing_*.c; each entry cites its source). The count is a model, not
 * a measurement: exact for the rules the tables state (the self-test kernels in
 * Tests/ISS check them instruction for instruction), and as good as those
 * rules elsewhere.
 *
 * What a call counts: from the first instruction of the called function up to
 * and including the instruction that returns from it (BX LR, POP {..., PC}).
 * The caller's BL is not counted, nor the wait states of fetching the first
 * instruction. Each call starts with a fresh stack (SP at the stack top) and
 * sees the memory that earlier calls left behind.
 *
 * Per-layer counts: if the ELF defines `hk_iss_marker` (harken/hk_marker.h), a
 * call to it starts a new region named by its argument. Cycles and
 * instructions accumulate per region id over calls until
 * hk_iss_regions_reset(); code before the first marker of a call goes to
 * HK_ISS_NO_MARKER. The marker's own body and return are not counted; the
 * caller's `movs r0, #id; bl hk_iss_marker` are (about 3 cycles on M4).
 *
 * Memory: every PT_LOAD segment is placed at its virtual address (so .data is
 * initialised and .bss zeroed without startup code) and, if different, at its
 * load address. Segments without write permission, and executable ones below
 * 0x20000000, are "flash" (as are the load images of .data): instruction
 * fetches after a control-flow change and data reads there pay the wait
 * states (see hk_iss_set_flash_cache). The stack top is the ELF symbol
 * `__hk_iss_stack_top`, `__hk_stack_top`, `__stack_top`, `__StackTop` or
 * `_estack` if one exists; otherwise a 64 KiB stack is mapped after the
 * highest writable segment. Exceptions (faults, SVC, BKPT) are not
 * simulated: the first one ends the call with an error.
 *
 * Not thread-safe per instance; separate instances are independent.
 * Every function returning int returns 0 on success and -1 on error, with
 * the message in hk_iss_error().
 */
#ifndef HK_ISS_H
#define HK_ISS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    HK_ISS_CORE_M0PLUS = 0,  /* Armv6-M, 2-stage pipeline (Unicorn model: Cortex-M0) */
    HK_ISS_CORE_M4 = 1,      /* Armv7E-M, 3-stage pipeline, DSP, FPv4-SP */
    HK_ISS_CORE_M7 = 2,      /* Armv7E-M, 6-stage dual-issue pipeline, FPv5 */
    HK_ISS_CORE_M33 = 3      /* Armv8-M Mainline, 3-stage pipeline, DSP, FPv5-SP */
} hk_iss_core_t;

typedef struct hk_iss hk_iss_t;

/* Counts of one call (hk_iss_call_ex). Every cycle is in `cycles`; the other
 * cycle fields say where some of them came from. */
typedef struct {
    uint64_t cycles;            /* total core clock cycles */
    uint64_t instructions;      /* executed instructions, IT-skipped ones included */
    uint64_t skipped;           /* conditional instructions in IT blocks that did not execute (1 cycle each) */
    uint64_t taken_branches;    /* control-flow changes: taken branches and PC writes */
    uint64_t refill_cycles;     /* the pipeline refill part (P) of taken branches */
    uint64_t loads;             /* instructions that read data memory */
    uint64_t stores;            /* instructions that write data memory */
    uint64_t stall_cycles;      /* address interlocks and unaligned-access penalties */
    uint64_t wait_cycles;       /* flash wait states (instruction fetch and data) */
    uint64_t dual_issued;       /* instructions issued in the same cycle as their predecessor (M7, M33) */
    uint64_t unknown;           /* instructions the timing table has no entry for (charged 1) */
    uint32_t ret;               /* r0 on return */
} hk_iss_stats_t;

#define HK_ISS_NO_MARKER 0xFFFFFFFFu

/* One region of the per-marker split. */
typedef struct {
    uint32_t id;                /* the marker's argument, or HK_ISS_NO_MARKER */
    uint64_t entries;           /* times the region was entered */
    uint64_t cycles;
    uint64_t instructions;
} hk_iss_region_t;

/* Opens an ELF (32-bit little-endian Arm) for a core. flash_wait_states is the
 * number of wait states the target's flash needs at its clock (0 for
 * zero-wait memory). On failure returns NULL with a message in err. */
hk_iss_t *hk_iss_open(const char *elf_path, hk_iss_core_t core, uint32_t flash_wait_states,
                      char *err, size_t errlen);
void hk_iss_close(hk_iss_t *iss);

/* The last error message ("" if none). */
const char *hk_iss_error(const hk_iss_t *iss);

/* "cortex-m4" etc. */
const char *hk_iss_core_name(hk_iss_core_t core);

/* A symbol's address (Thumb bit cleared) and size. */
int hk_iss_lookup(const hk_iss_t *iss, const char *symbol, uint32_t *address, uint32_t *size);

/* Calls a function with no arguments; cycles and instructions may be NULL. */
int hk_iss_call(hk_iss_t *iss, const char *symbol, uint64_t *cycles, uint64_t *instructions);

/* Calls a function with up to 4 word arguments (r0-r3). stats may be NULL. */
int hk_iss_call_ex(hk_iss_t *iss, const char *symbol, const uint32_t *args, unsigned nargs,
                   hk_iss_stats_t *stats);

/* Target memory by address. */
int hk_iss_write(hk_iss_t *iss, uint32_t address, const void *data, size_t len);
int hk_iss_read(hk_iss_t *iss, uint32_t address, void *data, size_t len);

/* Target memory by symbol: offset + len must lie inside the symbol's size. */
int hk_iss_write_symbol(hk_iss_t *iss, const char *symbol, uint32_t offset, const void *data, size_t len);
int hk_iss_read_symbol(hk_iss_t *iss, const char *symbol, uint32_t offset, void *data, size_t len);

/* Per-marker regions accumulated since open or the last reset, in order of
 * first entry. Writes up to max entries and returns how many regions exist. */
size_t hk_iss_regions(const hk_iss_t *iss, hk_iss_region_t *out, size_t max);
void hk_iss_regions_reset(hk_iss_t *iss);

/* Flash wait-state model, simple form. Flash is read in line_bytes lines (a
 * power of two; 128-bit = 16 on most flash accelerators). Sequential
 * instruction fetches are free (a prefetch buffer assumed always ahead). A
 * fetch after a control-flow change into flash pays the wait states unless
 * its line is among the last insn_lines lines so fetched. A data read from
 * flash pays them unless its line is among the last data_lines lines read
 * (0: every read pays). All line sets are fully associative LRU and persist
 * across calls. Default: 16, 1, 0. line_bytes 0: every data read and every
 * non-sequential fetch pays. hk_iss_set_flash_model replaces this model. */
int hk_iss_set_flash_cache(hk_iss_t *iss, uint32_t line_bytes, uint32_t data_lines, uint32_t insn_lines);

/* Flash wait-state model, line by line, as a flash accelerator or a core's
 * L1 caches work (STM32F4's ART accelerator, the Cortex-M7's caches):
 *
 * - Flash is read one line_bytes line at a time; reading a line costs the
 *   wait states on top of the fetch the core's timing already charges.
 * - The fetch unit holds the line it executes from: instructions in it are
 *   free. Crossing into another line (sequentially or by a branch) takes the
 *   line from (a) the prefetch buffer, if prefetch is on and the line is the
 *   one after the previous line: the fetch waits only until that read, begun
 *   when the previous line arrived, completes (wait states + 1 cycles after);
 *   (b) the instruction cache (insn_lines lines in insn_ways ways, LRU in a
 *   set; ways 0 = fully associative): free; (c) otherwise the flash: the wait
 *   states, and the line is copied into the instruction cache. Lines that
 *   arrive through the prefetch buffer are not copied into the cache
 *   (RM0090 3.5.2: only a miss fills it).
 * - A data read from flash is free if its line is in the data cache
 *   (data_lines, data_ways), otherwise it pays the wait states, fills the
 *   data cache, and delays a prefetch in progress by one flash read (data
 *   accesses have priority on the flash).
 * - insn_lines and data_lines 0 with prefetch 0 is flash without any
 *   accelerator: every new instruction line and every data read pays.
 *
 * Every buffer and cache persists across calls; the fetch of a call's first
 * instruction primes them without being charged. line_bytes must be a power
 * of two, lines a multiple of ways. */
typedef struct {
    uint32_t line_bytes;
    uint32_t insn_lines, insn_ways;
    uint32_t data_lines, data_ways;
    uint32_t prefetch;
} hk_iss_flash_model_t;

int hk_iss_set_flash_model(hk_iss_t *iss, const hk_iss_flash_model_t *model);

/* Empties the data cache (the instruction cache and the line buffers keep their lines). */
void hk_iss_invalidate_data_cache(hk_iss_t *iss);

/* Cortex-M0+ multiplier option: 1 (fast, the default) or 32 (small) cycles. */
void hk_iss_set_m0plus_mul_cycles(hk_iss_t *iss, uint32_t cycles);

/* Stops a call with an error after this many instructions (default 2e9). */
void hk_iss_set_limit(hk_iss_t *iss, uint64_t max_instructions);

/* Writes one line per instruction (address, cycles, text, notes) to f; NULL
 * turns tracing off. */
void hk_iss_set_trace(hk_iss_t *iss, FILE *f);

#ifdef __cplusplus
}
#endif

#endif
