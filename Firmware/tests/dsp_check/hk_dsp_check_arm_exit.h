/*
 * Ends a kernel check run on QEMU's Arm boards: a semihosting SYS_EXIT, which
 * QEMU turns into its exit status (0 for PASS, 1 for FAIL) when run with
 * -semihosting-config enable=on,target=native.
 */
#ifndef HK_DSP_CHECK_ARM_EXIT_H
#define HK_DSP_CHECK_ARM_EXIT_H

#include <stdint.h>

#define SEMIHOSTING_SYS_EXIT 0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u /* QEMU: exit status 0 */
#define ADP_STOPPED_RUNTIME_ERROR 0x20023u     /* QEMU: exit status 1 */

static void semihosting_exit(int pass)
{
    register uint32_t r0 __asm__("r0") = SEMIHOSTING_SYS_EXIT;
    register uint32_t r1 __asm__("r1") =
        pass ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR;
    __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
}

#endif
