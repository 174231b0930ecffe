/*
 * Exactness check for the Cortex-M0+ timing model (Tests/ISS/iss_selftest.c).
 *
 * uint32_t m0_sum_squares(const uint32_t *p, uint32_t n, uint32_t *out)
 *   n >= 1; sums p[i] * p[i], writing the running sum to *out each iteration.
 *
 * Hand count from the Cortex-M0+ TRM r0p1 (ARM DDI 0484C) instruction summary
 * (Sources/CArmISS/hk_iss_timing_m0plus.c), zero wait states:
 *
 *   push {r4, lr}          1 + N, N = 2                3
 *   movs r3, #0            1                           1
 * loop:
 *   ldm  r0!, {r4}         1 + N, N = 1                2
 *   muls r4, r4, r4        1 (fast multiplier) / 32    1
 *   adds r3, r3, r4        1                           1
 *   str  r3, [r2]          2                           2
 *   subs r1, r1, #1        1                           1
 *   bne  loop              taken 2, not taken 1        2 / 1
 *   movs r0, r3            1                           1
 *   pop  {r4, pc}          3 + N, N = 2                5
 *
 *   cycles       = 3 + 1 + (9 n - 1) + 1 + 5 = 9 n + 9   (n = 100: 909)
 *   small multiplier (MULS 32): 40 n + 9                  (n = 100: 4009)
 *   instructions = 2 + 6 n + 2 = 6 n + 4                  (n = 100: 604)
 */
    .syntax unified
    .cpu cortex-m0plus
    .thumb
    .text

    .global m0_sum_squares
    .type m0_sum_squares, %function
    .balign 4
    .thumb_func
m0_sum_squares:
    push    {r4, lr}
    movs    r3, #0
1:  ldm     r0!, {r4}
    muls    r4, r4, r4
    adds    r3, r3, r4
    str     r3, [r2]
    subs    r1, r1, #1
    bne     1b
    movs    r0, r3
    pop     {r4, pc}
    .size m0_sum_squares, . - m0_sum_squares

    .bss
    .balign 8
    .global iss_buf
    .type iss_buf, %object
iss_buf:
    .space 4096
    .size iss_buf, 4096
