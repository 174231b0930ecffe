/*
 * Cortex-M4 timing rules, one line at a time (Tests/ISS/iss_selftest.c checks
 * the totals). Figures: Cortex-M4 TRM r0p1 Table 3-1 [T3-1] and section 3.3.2
 * "Load/store timings" [LS], with the refill and divide rules stated in
 * Sources/CArmISS/hk_iss_timing_m4.c. Zero wait states.
 */
    .syntax unified
    .cpu cortex-m4
    .thumb
    .text

/*
 * void rules_mem(uint32_t *p): p is 8 words in RAM with p[0] = (uint32_t)p and
 * p[1] = 16 (a byte offset).
 *                                                                cycles
 *   ldr   r1, [r0]          2   first load                          2
 *   ldr   r2, [r1]          2   address = previous load's Rt:
 *                               not pipelined [LS]                  2
 *   ldr   r3, [r0, #4]      1   pipelined behind an LDR [LS]        1
 *   str   r3, [r0, #8]      1   STR immediate: always 1 [LS]        1
 *   ldr   r2, [r0, #12]     2   nothing pipelines after a store     2
 *   str   r2, [r0, r3]      1   register-offset STR after an LDR    1
 *   str   r2, [r0, r3]      2   register-offset STR, not after LDR  2
 *   adds  r1, r0, #4        1                                       1
 *   ldr   r2, [r1]          3   2 + 1: address from the preceding
 *                               data-processing result [LS]         3
 *   ldrd  r2, r3, [r0, #8]  3   1 + N, N = 2                        3
 *   ldr   r1, [r0, #1]      4   2 + 2: byte-aligned word [LS]       4
 *   ldr   r1, [r0, #2]      2   1 (pipelined) + 1: halfword-aligned 2
 *   ldrh  r1, [r0, #3]      2   1 (pipelined) + 1: odd halfword     2
 *   ldm   r0, {r1-r3}       4   1 + N                               4
 *   stm.w r0, {r1, r2}      3   1 + N                               3
 *   movs  r0, #0            1                                       1
 *   bx    lr                3   1 + P, P = 2 (register target)      3
 *                                                          total  37 cycles, 17 instructions
 */
    .global rules_mem
    .type rules_mem, %function
    .balign 4
    .thumb_func
rules_mem:
    ldr     r1, [r0]
    ldr     r2, [r1]
    ldr     r3, [r0, #4]
    str     r3, [r0, #8]
    ldr     r2, [r0, #12]
    str     r2, [r0, r3]
    str     r2, [r0, r3]
    adds    r1, r0, #4
    ldr     r2, [r1]
    ldrd    r2, r3, [r0, #8]
    ldr.w   r1, [r0, #1]
    ldr.w   r1, [r0, #2]
    ldrh.w  r1, [r0, #3]
    ldm     r0, {r1, r2, r3}
    stm.w   r0, {r1, r2}
    movs    r0, #0
    bx      lr
    .size rules_mem, . - rules_mem

/*
 * uint32_t rules_flow(uint32_t x), called with x = 1; returns 42.
 *                                                                cycles
 *   push  {r4, lr}          1 + N, N = 2                            3
 *   cmp   r0, #1            1                                       1
 *   ite   eq                1                                       1
 *   moveq r1, #100          1 (executed)                            1
 *   movne r1, #7            not executed: 1                         1
 *   movs  r2, #7            1                                       1
 *   sdiv  r3, r1, r2        100 / 7: q = clz(7) - clz(100) + 1 = 5,
 *                           2 + ceil(5 / 3)                         4
 *   mov   r4, #-1           1                                       1
 *   udiv  r3, r4, r0        0xffffffff / 1: q = 32, 2 + 11 -> 12   12
 *   udiv  r3, r2, r1        7 / 100: dividend < divisor             2
 *   bl    leaf              1 + P, P = 1 (16-bit target)            2
 *     adds r0, r0, #1       1                                       1
 *     bx   lr               1 + P, P = 2                            3
 *   cbz   r0, 9f            r0 = 2: not taken                       1
 *   cbnz  r0, 1f            taken: 1 + P, P = 1                     2
 * 1: movs  r1, #1           1                                       1
 *   tbb   [pc, r1]          2 (load) + 1 (add) + P, P = 3 [LS],
 *                           + 1: its index r1 comes from the
 *                           preceding movs (address interlock)      7
 * 4: b     6f               1 + P, P = 1 + 1: the target is a
 *                           32-bit instruction at 2 mod 4           3
 * 6: mov.w r0, #42          1                                       1
 * 9: pop   {r4, pc}         1 + N + P = 1 + 2 + 3                   6
 *                                                          total  54 cycles, 20 instructions
 */
    .global rules_flow
    .type rules_flow, %function
    .balign 4
    .thumb_func
rules_flow:
    push    {r4, lr}
    cmp     r0, #1
    ite     eq
    moveq   r1, #100
    movne   r1, #7
    movs    r2, #7
    sdiv    r3, r1, r2
    mov     r4, #-1
    udiv    r3, r4, r0
    udiv    r3, r2, r1
    bl      leaf
    cbz     r0, 9f
    cbnz    r0, 1f
    nop
1:  movs    r1, #1
    tbb     [pc, r1]
2:  .byte   (3f - 2b) / 2
    .byte   (4f - 2b) / 2
3:  movs    r0, #0
4:  b       6f
    .balign 4
5:  nop
6:  mov.w   r0, #42
9:  pop     {r4, pc}
    .size rules_flow, . - rules_flow

    .type leaf, %function
    .thumb_func
leaf:
    adds    r0, r0, #1
    bx      lr
    .size leaf, . - leaf

/* void iss_fault(void): UDF raises a UsageFault; the ISS must stop with an
 * error, not run on into a handler. (Unicorn 2.0.1 does not fault on an
 * unaligned LDRD, so that cannot serve here.) */
    .global iss_fault
    .type iss_fault, %function
    .thumb_func
iss_fault:
    udf     #0
    bx      lr
    .size iss_fault, . - iss_fault

    .bss
    .balign 8
    .global iss_words
    .type iss_words, %object
iss_words:
    .space 64
    .size iss_words, 64
