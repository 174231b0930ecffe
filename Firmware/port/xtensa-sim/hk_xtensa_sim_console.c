/*
 * The simulator console as the port's serial link: SIMCALL semihosting calls
 * (the Xtensa ISS convention QEMU implements, enabled with -semihosting).
 *
 *   a2 = call number (3 read, 4 write), a3 = fd, a4 = buffer, a5 = length;
 *   SIMCALL returns the byte count (or -1) in a2 and an errno in a3.
 *
 * When the machine has a -serial chardev QEMU serves fds 0-2 from it instead of
 * its own stdio: writes to fd 1 go out whole, and a read of fd 0 returns what
 * QEMU has buffered (at most 16 bytes) or -1 with EAGAIN at once. There is no
 * interrupt for input, so waiting is polling; between polls the core sleeps in
 * WAITI until the CCOMPARE0 timer wakes it, so an idle board costs the emulator
 * almost no host CPU.
 */
#include "hk_xtensa_sim.h"

enum {
    SIM_READ = 3,
    SIM_WRITE = 4
};

/* The register bindings are what SIMCALL reads and writes; nothing else fixes
 * them, so each call is one asm statement with its operands pinned. */
static int32_t simcall(int32_t call, int32_t fd, void *buffer, uint32_t n)
{
    register int32_t a2 __asm__("a2") = call;
    register int32_t a3 __asm__("a3") = fd;
    register void *a4 __asm__("a4") = buffer;
    register uint32_t a5 __asm__("a5") = n;
    __asm volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
    return a2;
}

void hk_xtensa_sim_console_write(const uint8_t *data, size_t n)
{
    while (n > 0) {
        int32_t done = simcall(SIM_WRITE, 1, (void *)(uintptr_t)data, (uint32_t)n);
        if (done <= 0) {
            return; /* no console: nothing to retry against */
        }
        data += done;
        n -= (size_t)done;
    }
}

/* How long the core sleeps between polls when no input is buffered: 1 ms of
 * QEMU's virtual clock, which follows the host's clock while the core sleeps.
 * Measured with QEMU 7.2: an idle board then costs about 2.5% of a host core (5%
 * at 500 us, 20% at 100 us), while a 200-step bench run took about 2 s with
 * each: the longer sleep costs the link no measurable throughput. */
#define IDLE_POLL_US 1000u

#define TIMER0_INTERRUPT 6u

/* One WAITI until CCOMPARE0 matches. Writing CCOMPARE0 also clears a timer
 * interrupt still pending from the previous sleep. PS.INTLEVEL is raised to 1
 * first so that the timer cannot fire between enabling it and WAITI (its handler
 * disables it again, and WAITI would then sleep for ever); WAITI lowers the level
 * to 0 and sleeps in one step. The handler (in hk_xtensa_sim_startup.c) disables
 * the interrupt and returns after WAITI, at level 0. */
static void sleep_until_timer(void)
{
    uint32_t ticks = hk_xtensa_sim_board.ccount_hz / 1000000u * IDLE_POLL_US;
    uint32_t ps;
    uint32_t now;
    __asm volatile("rsil %0, 1" : "=r"(ps)::"memory");
    __asm volatile("rsr.ccount %0" : "=r"(now));
    uint32_t compare = now + ticks;
    __asm volatile("wsr.ccompare0 %0" ::"r"(compare) : "memory");
    uint32_t enable = 1u << TIMER0_INTERRUPT;
    __asm volatile("wsr.intenable %0\n\trsync" ::"r"(enable) : "memory");
    __asm volatile("waiti 0" ::: "memory");
    __asm volatile("wsr.ps %0\n\trsync" ::"r"(ps) : "memory");
}

static uint8_t rx_buffer[16]; /* QEMU buffers at most 16 bytes of console input */
static size_t rx_fill;
static size_t rx_next;

int hk_xtensa_sim_console_read_byte(void)
{
    while (rx_next == rx_fill) {
        int32_t got = simcall(SIM_READ, 0, rx_buffer, (uint32_t)sizeof rx_buffer);
        if (got > 0) {
            rx_fill = (size_t)got;
            rx_next = 0;
        } else {
            sleep_until_timer();
            /* The polls are counted instructions too: reading the counter
             * folds it before days of idling could run it into its limit. */
            (void)hk_xtensa_sim_cycles();
        }
    }
    return (int)rx_buffer[rx_next++];
}
