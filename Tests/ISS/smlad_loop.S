/*
 * Exactness check for the Cortex-M4 timing model (Tests/ISS/iss_selftest.c runs it).
 *
 * int32_t smlad_dot(const int16_t *a, const int16_t *b, uint32_t n)
 *   n >= 1 iterations; each loads one word (two int16 lanes) of a and of b and
 *   accumulates a.b with SMLAD into r6 and a.a into r7; returns r6 + r7.
 *
 * Hand count from the Cortex-M4 TRM r0p1 Table 3-1 and section 3.3.2 (the rules
 * in Sources/CArmISS/hk_iss_timing_m4.c), zero wait states, a and b in RAM:
 *
 *   push  {r4-r7, lr}        1 + N, N = 5                        6
 *   movs  r6, #0             1                                   1
 *   mov.w r7, #0             1 (32-bit: puts the loop on a word) 1
 * loop (word-aligned; its first instruction is 32-bit):
 *   ldr   r4, [r0], #4       2: after movs / bne, not pipelined  2
 *   ldr   r5, [r1], #4       1: pipelined behind an LDR whose
 *                               destination (r4) does not form
 *                               its address                      1
 *   smlad r6, r4, r5, r6     1                                   1
 *   smlad r7, r4, r4, r7     1                                   1
 *   subs  r2, r2, #1         1                                   1
 *   bne   loop               taken: 1 + P, P = 1 (immediate
 *                               target, 32-bit target on a word) 2
 *                            last iteration, not taken           1
 *   adds  r0, r6, r7         1                                   1
 *   pop   {r4-r7, pc}        1 + N + P, N = 5, P = 3 (PC loaded
 *                               from memory)                     9
 *
 *   cycles       = 6 + 1 + 1 + (8 n - 1) + 1 + 9 = 8 n + 17      (n = 100: 817)
 *   instructions = 3 + 6 n + 2                   = 6 n + 5       (n = 100: 605)
 *   with W flash wait states: + W for each taken bne (a non-sequential fetch
 *   from flash; the final return goes to the caller, not counted): 8 n + 17 + W (n - 1)
 *
 * smlad_dot_unaligned: the same loop one halfword off (movs r7, #0 is 16-bit),
 * so the bne target is a 32-bit instruction at an address = 2 mod 4: P = 2,
 * 9 cycles per taken iteration, 7 for the last (bne not taken: 1 instead of 3):
 *   cycles = 6 + 1 + 1 + (9 n - 2) + 1 + 9 = 9 n + 16,  instructions = 6 n + 5.
 */
    .syntax unified
    .cpu cortex-m4
    .thumb
    .text

    .global smlad_dot
    .type smlad_dot, %function
    .balign 4
    .thumb_func
smlad_dot:
    push    {r4, r5, r6, r7, lr}
    movs    r6, #0
    mov.w   r7, #0
1:  ldr     r4, [r0], #4
    ldr     r5, [r1], #4
    smlad   r6, r4, r5, r6
    smlad   r7, r4, r4, r7
    subs    r2, r2, #1
    bne     1b
    adds    r0, r6, r7
    pop     {r4, r5, r6, r7, pc}
    .size smlad_dot, . - smlad_dot

    .global smlad_dot_unaligned
    .type smlad_dot_unaligned, %function
    .balign 4
    .thumb_func
smlad_dot_unaligned:
    push    {r4, r5, r6, r7, lr}
    movs    r6, #0
    movs    r7, #0
1:  ldr     r4, [r0], #4
    ldr     r5, [r1], #4
    smlad   r6, r4, r5, r6
    smlad   r7, r4, r4, r7
    subs    r2, r2, #1
    bne     1b
    adds    r0, r6, r7
    pop     {r4, r5, r6, r7, pc}
    .size smlad_dot_unaligned, . - smlad_dot_unaligned

    .bss
    .balign 8
    .global iss_buf
    .type iss_buf, %object
iss_buf:
    .space 8192
    .size iss_buf, 8192
