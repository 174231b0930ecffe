/*
 * Hand-counted checks of the ISS's flash model (include/hk_iss.h,
 * hk_iss_set_flash_model) with STM32F4's ART accelerator as Targets/stm32f4.yaml
 * describes it (RM0090 rev 19 section 3.5.2 / RM0390 section 3.4.2): 128-bit
 * (16-byte) lines, an instruction cache of 64 lines, a data cache of 8 lines,
 * prefetch of the next sequential line, W = 5 wait states. Run by
 * Tests/ISS/iss_selftest.c and CostModelTests.testARTFlashModelCountsExactly.
 *
 * The accelerator's rules, as the manual states them:
 *   - a line is read in W + 1 cycles; an instruction in the line being
 *     executed costs nothing more;
 *   - prefetch: while one line executes the next one is read, so straight-line
 *     code waits only if it runs through a line in fewer than W + 1 cycles;
 *   - a line that is neither the current, nor the prefetched, nor in the
 *     instruction cache pays the W wait states, and (only then) is copied into
 *     the cache ("each time a miss occurs ... the line read is copied into the
 *     instruction cache memory"): lines that came through the prefetch are not;
 *   - a data read from flash pays W unless its line is in the 8-line data cache.
 * The model's own choices: both caches replace the least recently used line;
 * a call's first instruction is fetched uncounted (as in every ISS count).
 *
 * Core cycles (W = 0) from the Cortex-M4 TRM r0p1 Table 3-1, as smlad_loop.S:
 * ALU 1, B / B<cc> taken 1 + P with P = 1 (a 16-bit target), not taken 1,
 * BX LR 1 + P with P = 2.
 *
 * art_straight(n), n >= 1: line L0 holds 8 ALU instructions (the prologue);
 * the loop is lines L1 (8 ALU) and L2 (6 ALU, subs, bne); L3 returns.
 *   W = 0:  8 + (17 n - 1) + 1 (mov) + 3 (bx lr)        = 17 n + 11
 *   ART, W = 5, clock t from the call's start:
 *     L0 is fetched at t = 0 (uncounted), the prefetch of L1 is ready at 6;
 *     L1 is needed at 8: ready, no wait. L2 (prefetched from 8) at 16: ready
 *     at 14, no wait. The bne at 25 goes to L1: L1 came through the prefetch,
 *     so it is not cached: miss, W. From then on L1 hits in the cache, and
 *     L2, prefetched while L1's 8 cycles run, is always ready; L3 likewise.
 *     cycles = 17 n + 11 + W   (n >= 2; n = 1 never branches: 17 n + 11)
 *   no accelerator (no cache, no prefetch: every line change pays W):
 *     changes L0>L1, then per iteration L1>L2, per taken bne L2>L1, at the
 *     end L2>L3: 1 + n + (n - 1) + 1 = 2 n + 1;  cycles = 17 n + 11 + W (2 n + 1)
 *
 * art_chain64(n, 0) and art_chain65(n, 0): K = 64 or 65 blocks, each at its own
 * 32-byte boundary (every other line); block i adds 1 and branches to block
 * i + 1, the last one loops back to block 0 with bne.w (a 16-bit target: P = 1).
 *   W = 0:  per iteration 3 (K - 1) + 4, the last not taken 3, + mov 1 + bx 3:
 *           cycles = (3 K + 1) n + 3, instructions = (2 K + 1) n + 2
 *   ART: every block is entered by a taken branch to a line that is neither
 *     current nor the prefetched one (the prefetch reads the unused line in
 *     between). Block 0's line is cached by the uncounted first fetch.
 *     K = 64: blocks 1..63 miss once, then all 64 lines stay in the 64-line
 *             cache: waits = 63 W, whatever n.
 *     K = 65: the 65th line evicts block 0's, and from then on every line was
 *             evicted just before it is needed (LRU over 65 lines in a cycle):
 *             waits = (65 n - 1) W.
 *   no accelerator: every block entry pays: (K n - 1) W.
 *
 * art_data(n, table, m): runs from RAM (no instruction waits); each of n
 * passes reads one word from each of m consecutive 16-byte lines of
 * art_table in flash.
 *   W = 0: push 3; per pass mov, mov 2, per line ldr 2 (not pipelined: after
 *          a mov or a bne) + adds 1 + subs 1 + bne 2 (1 on the last line),
 *          subs 1, bne 2 (1 on the last pass); pop 3, bx lr 3:
 *          cycles = (6 m + 4) n + 8
 *   ART: m = 8 lines fit the data cache: waits = 8 W; m = 9 lines cycle
 *        through an 8-line LRU cache and miss every time: waits = 9 n W.
 *   no accelerator: every read pays: m n W.
 */
    .syntax unified
    .cpu cortex-m4
    .thumb
    .text

    .global art_straight
    .type art_straight, %function
    .balign 16
    .thumb_func
art_straight:
    movs    r1, #0          @ L0
    movs    r2, #0
    movs    r3, #0
    adds    r2, r2, #1
    adds    r3, r3, #1
    adds    r2, r2, #1
    adds    r3, r3, #1
    adds    r2, r2, #1
1:  adds    r1, r1, #1      @ L1
    adds    r1, r1, #1
    adds    r1, r1, #1
    adds    r1, r1, #1
    adds    r1, r1, #1
    adds    r1, r1, #1
    adds    r1, r1, #1
    adds    r1, r1, #1
    adds    r1, r1, #1      @ L2
    adds    r1, r1, #1
    adds    r1, r1, #1
    adds    r1, r1, #1
    adds    r1, r1, #1
    adds    r1, r1, #1
    subs    r0, r0, #1
    bne     1b
    mov     r0, r1          @ L3
    bx      lr
    .size art_straight, . - art_straight

    .global art_chain64
    .type art_chain64, %function
    .balign 32
    .thumb_func
art_chain64:
    adds    r1, r1, #1
    b       art_chain64_1
    .balign 32
art_chain64_1:
    adds    r1, r1, #1
    b       art_chain64_2
    .balign 32
art_chain64_2:
    adds    r1, r1, #1
    b       art_chain64_3
    .balign 32
art_chain64_3:
    adds    r1, r1, #1
    b       art_chain64_4
    .balign 32
art_chain64_4:
    adds    r1, r1, #1
    b       art_chain64_5
    .balign 32
art_chain64_5:
    adds    r1, r1, #1
    b       art_chain64_6
    .balign 32
art_chain64_6:
    adds    r1, r1, #1
    b       art_chain64_7
    .balign 32
art_chain64_7:
    adds    r1, r1, #1
    b       art_chain64_8
    .balign 32
art_chain64_8:
    adds    r1, r1, #1
    b       art_chain64_9
    .balign 32
art_chain64_9:
    adds    r1, r1, #1
    b       art_chain64_10
    .balign 32
art_chain64_10:
    adds    r1, r1, #1
    b       art_chain64_11
    .balign 32
art_chain64_11:
    adds    r1, r1, #1
    b       art_chain64_12
    .balign 32
art_chain64_12:
    adds    r1, r1, #1
    b       art_chain64_13
    .balign 32
art_chain64_13:
    adds    r1, r1, #1
    b       art_chain64_14
    .balign 32
art_chain64_14:
    adds    r1, r1, #1
    b       art_chain64_15
    .balign 32
art_chain64_15:
    adds    r1, r1, #1
    b       art_chain64_16
    .balign 32
art_chain64_16:
    adds    r1, r1, #1
    b       art_chain64_17
    .balign 32
art_chain64_17:
    adds    r1, r1, #1
    b       art_chain64_18
    .balign 32
art_chain64_18:
    adds    r1, r1, #1
    b       art_chain64_19
    .balign 32
art_chain64_19:
    adds    r1, r1, #1
    b       art_chain64_20
    .balign 32
art_chain64_20:
    adds    r1, r1, #1
    b       art_chain64_21
    .balign 32
art_chain64_21:
    adds    r1, r1, #1
    b       art_chain64_22
    .balign 32
art_chain64_22:
    adds    r1, r1, #1
    b       art_chain64_23
    .balign 32
art_chain64_23:
    adds    r1, r1, #1
    b       art_chain64_24
    .balign 32
art_chain64_24:
    adds    r1, r1, #1
    b       art_chain64_25
    .balign 32
art_chain64_25:
    adds    r1, r1, #1
    b       art_chain64_26
    .balign 32
art_chain64_26:
    adds    r1, r1, #1
    b       art_chain64_27
    .balign 32
art_chain64_27:
    adds    r1, r1, #1
    b       art_chain64_28
    .balign 32
art_chain64_28:
    adds    r1, r1, #1
    b       art_chain64_29
    .balign 32
art_chain64_29:
    adds    r1, r1, #1
    b       art_chain64_30
    .balign 32
art_chain64_30:
    adds    r1, r1, #1
    b       art_chain64_31
    .balign 32
art_chain64_31:
    adds    r1, r1, #1
    b       art_chain64_32
    .balign 32
art_chain64_32:
    adds    r1, r1, #1
    b       art_chain64_33
    .balign 32
art_chain64_33:
    adds    r1, r1, #1
    b       art_chain64_34
    .balign 32
art_chain64_34:
    adds    r1, r1, #1
    b       art_chain64_35
    .balign 32
art_chain64_35:
    adds    r1, r1, #1
    b       art_chain64_36
    .balign 32
art_chain64_36:
    adds    r1, r1, #1
    b       art_chain64_37
    .balign 32
art_chain64_37:
    adds    r1, r1, #1
    b       art_chain64_38
    .balign 32
art_chain64_38:
    adds    r1, r1, #1
    b       art_chain64_39
    .balign 32
art_chain64_39:
    adds    r1, r1, #1
    b       art_chain64_40
    .balign 32
art_chain64_40:
    adds    r1, r1, #1
    b       art_chain64_41
    .balign 32
art_chain64_41:
    adds    r1, r1, #1
    b       art_chain64_42
    .balign 32
art_chain64_42:
    adds    r1, r1, #1
    b       art_chain64_43
    .balign 32
art_chain64_43:
    adds    r1, r1, #1
    b       art_chain64_44
    .balign 32
art_chain64_44:
    adds    r1, r1, #1
    b       art_chain64_45
    .balign 32
art_chain64_45:
    adds    r1, r1, #1
    b       art_chain64_46
    .balign 32
art_chain64_46:
    adds    r1, r1, #1
    b       art_chain64_47
    .balign 32
art_chain64_47:
    adds    r1, r1, #1
    b       art_chain64_48
    .balign 32
art_chain64_48:
    adds    r1, r1, #1
    b       art_chain64_49
    .balign 32
art_chain64_49:
    adds    r1, r1, #1
    b       art_chain64_50
    .balign 32
art_chain64_50:
    adds    r1, r1, #1
    b       art_chain64_51
    .balign 32
art_chain64_51:
    adds    r1, r1, #1
    b       art_chain64_52
    .balign 32
art_chain64_52:
    adds    r1, r1, #1
    b       art_chain64_53
    .balign 32
art_chain64_53:
    adds    r1, r1, #1
    b       art_chain64_54
    .balign 32
art_chain64_54:
    adds    r1, r1, #1
    b       art_chain64_55
    .balign 32
art_chain64_55:
    adds    r1, r1, #1
    b       art_chain64_56
    .balign 32
art_chain64_56:
    adds    r1, r1, #1
    b       art_chain64_57
    .balign 32
art_chain64_57:
    adds    r1, r1, #1
    b       art_chain64_58
    .balign 32
art_chain64_58:
    adds    r1, r1, #1
    b       art_chain64_59
    .balign 32
art_chain64_59:
    adds    r1, r1, #1
    b       art_chain64_60
    .balign 32
art_chain64_60:
    adds    r1, r1, #1
    b       art_chain64_61
    .balign 32
art_chain64_61:
    adds    r1, r1, #1
    b       art_chain64_62
    .balign 32
art_chain64_62:
    adds    r1, r1, #1
    b       art_chain64_63
    .balign 32
art_chain64_63:
    adds    r1, r1, #1
    subs    r0, r0, #1
    bne.w   art_chain64
    mov     r0, r1
    bx      lr
    .size art_chain64, . - art_chain64


    .global art_chain65
    .type art_chain65, %function
    .balign 32
    .thumb_func
art_chain65:
    adds    r1, r1, #1
    b       art_chain65_1
    .balign 32
art_chain65_1:
    adds    r1, r1, #1
    b       art_chain65_2
    .balign 32
art_chain65_2:
    adds    r1, r1, #1
    b       art_chain65_3
    .balign 32
art_chain65_3:
    adds    r1, r1, #1
    b       art_chain65_4
    .balign 32
art_chain65_4:
    adds    r1, r1, #1
    b       art_chain65_5
    .balign 32
art_chain65_5:
    adds    r1, r1, #1
    b       art_chain65_6
    .balign 32
art_chain65_6:
    adds    r1, r1, #1
    b       art_chain65_7
    .balign 32
art_chain65_7:
    adds    r1, r1, #1
    b       art_chain65_8
    .balign 32
art_chain65_8:
    adds    r1, r1, #1
    b       art_chain65_9
    .balign 32
art_chain65_9:
    adds    r1, r1, #1
    b       art_chain65_10
    .balign 32
art_chain65_10:
    adds    r1, r1, #1
    b       art_chain65_11
    .balign 32
art_chain65_11:
    adds    r1, r1, #1
    b       art_chain65_12
    .balign 32
art_chain65_12:
    adds    r1, r1, #1
    b       art_chain65_13
    .balign 32
art_chain65_13:
    adds    r1, r1, #1
    b       art_chain65_14
    .balign 32
art_chain65_14:
    adds    r1, r1, #1
    b       art_chain65_15
    .balign 32
art_chain65_15:
    adds    r1, r1, #1
    b       art_chain65_16
    .balign 32
art_chain65_16:
    adds    r1, r1, #1
    b       art_chain65_17
    .balign 32
art_chain65_17:
    adds    r1, r1, #1
    b       art_chain65_18
    .balign 32
art_chain65_18:
    adds    r1, r1, #1
    b       art_chain65_19
    .balign 32
art_chain65_19:
    adds    r1, r1, #1
    b       art_chain65_20
    .balign 32
art_chain65_20:
    adds    r1, r1, #1
    b       art_chain65_21
    .balign 32
art_chain65_21:
    adds    r1, r1, #1
    b       art_chain65_22
    .balign 32
art_chain65_22:
    adds    r1, r1, #1
    b       art_chain65_23
    .balign 32
art_chain65_23:
    adds    r1, r1, #1
    b       art_chain65_24
    .balign 32
art_chain65_24:
    adds    r1, r1, #1
    b       art_chain65_25
    .balign 32
art_chain65_25:
    adds    r1, r1, #1
    b       art_chain65_26
    .balign 32
art_chain65_26:
    adds    r1, r1, #1
    b       art_chain65_27
    .balign 32
art_chain65_27:
    adds    r1, r1, #1
    b       art_chain65_28
    .balign 32
art_chain65_28:
    adds    r1, r1, #1
    b       art_chain65_29
    .balign 32
art_chain65_29:
    adds    r1, r1, #1
    b       art_chain65_30
    .balign 32
art_chain65_30:
    adds    r1, r1, #1
    b       art_chain65_31
    .balign 32
art_chain65_31:
    adds    r1, r1, #1
    b       art_chain65_32
    .balign 32
art_chain65_32:
    adds    r1, r1, #1
    b       art_chain65_33
    .balign 32
art_chain65_33:
    adds    r1, r1, #1
    b       art_chain65_34
    .balign 32
art_chain65_34:
    adds    r1, r1, #1
    b       art_chain65_35
    .balign 32
art_chain65_35:
    adds    r1, r1, #1
    b       art_chain65_36
    .balign 32
art_chain65_36:
    adds    r1, r1, #1
    b       art_chain65_37
    .balign 32
art_chain65_37:
    adds    r1, r1, #1
    b       art_chain65_38
    .balign 32
art_chain65_38:
    adds    r1, r1, #1
    b       art_chain65_39
    .balign 32
art_chain65_39:
    adds    r1, r1, #1
    b       art_chain65_40
    .balign 32
art_chain65_40:
    adds    r1, r1, #1
    b       art_chain65_41
    .balign 32
art_chain65_41:
    adds    r1, r1, #1
    b       art_chain65_42
    .balign 32
art_chain65_42:
    adds    r1, r1, #1
    b       art_chain65_43
    .balign 32
art_chain65_43:
    adds    r1, r1, #1
    b       art_chain65_44
    .balign 32
art_chain65_44:
    adds    r1, r1, #1
    b       art_chain65_45
    .balign 32
art_chain65_45:
    adds    r1, r1, #1
    b       art_chain65_46
    .balign 32
art_chain65_46:
    adds    r1, r1, #1
    b       art_chain65_47
    .balign 32
art_chain65_47:
    adds    r1, r1, #1
    b       art_chain65_48
    .balign 32
art_chain65_48:
    adds    r1, r1, #1
    b       art_chain65_49
    .balign 32
art_chain65_49:
    adds    r1, r1, #1
    b       art_chain65_50
    .balign 32
art_chain65_50:
    adds    r1, r1, #1
    b       art_chain65_51
    .balign 32
art_chain65_51:
    adds    r1, r1, #1
    b       art_chain65_52
    .balign 32
art_chain65_52:
    adds    r1, r1, #1
    b       art_chain65_53
    .balign 32
art_chain65_53:
    adds    r1, r1, #1
    b       art_chain65_54
    .balign 32
art_chain65_54:
    adds    r1, r1, #1
    b       art_chain65_55
    .balign 32
art_chain65_55:
    adds    r1, r1, #1
    b       art_chain65_56
    .balign 32
art_chain65_56:
    adds    r1, r1, #1
    b       art_chain65_57
    .balign 32
art_chain65_57:
    adds    r1, r1, #1
    b       art_chain65_58
    .balign 32
art_chain65_58:
    adds    r1, r1, #1
    b       art_chain65_59
    .balign 32
art_chain65_59:
    adds    r1, r1, #1
    b       art_chain65_60
    .balign 32
art_chain65_60:
    adds    r1, r1, #1
    b       art_chain65_61
    .balign 32
art_chain65_61:
    adds    r1, r1, #1
    b       art_chain65_62
    .balign 32
art_chain65_62:
    adds    r1, r1, #1
    b       art_chain65_63
    .balign 32
art_chain65_63:
    adds    r1, r1, #1
    b       art_chain65_64
    .balign 32
art_chain65_64:
    adds    r1, r1, #1
    subs    r0, r0, #1
    bne.w   art_chain65
    mov     r0, r1
    bx      lr
    .size art_chain65, . - art_chain65


    /* In RAM (.data; the simulator executes any mapped memory): its fetches never wait. */
    .section .data.art_data, "aw", %progbits
    .global art_data
    .type art_data, %function
    .balign 4
    .thumb_func
art_data:
    push    {r4, r5}
1:  mov     r3, r1
    mov     r5, r2
2:  ldr     r4, [r3]
    adds    r3, r3, #16
    subs    r5, r5, #1
    bne     2b
    subs    r0, r0, #1
    bne     1b
    pop     {r4, r5}
    bx      lr
    .size art_data, . - art_data

    .section .rodata.art_table, "a", %progbits
    .balign 16
    .global art_table
    .type art_table, %object
art_table:
    .space 256
    .size art_table, 256
