/* Bare-metal test firmware for tests/run/test_confinement.py (mps2-an386, Cortex-M4): through Arm semihosting it
 * opens OUTSIDE (an absolute host path, -D) for writing, then reports to tg_out.bin in the run's folder:
 * int32 handle of OUTSIDE (-1: refused), int32 the host errno for it, then the first 16 bytes of tg_in.bin. */
#include <stdint.h>

enum { SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITE = 0x05, SYS_READ = 0x06, SYS_ERRNO = 0x13, SYS_EXIT = 0x18 };
enum { MODE_RB = 1, MODE_W = 4, MODE_WB = 5, APPLICATION_EXIT = 0x20026 };

extern uint32_t stack_top;

static int32_t call(int32_t op, const void *arg) {
    register int32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static int32_t open_file(const char *name, int32_t mode) {
    int32_t n = 0;
    while (name[n]) ++n;
    const uint32_t args[3] = {(uint32_t)name, (uint32_t)mode, (uint32_t)n};
    return call(SYS_OPEN, args);
}

static void transfer(int32_t op, int32_t handle, void *data, int32_t len) {
    const uint32_t args[3] = {(uint32_t)handle, (uint32_t)data, (uint32_t)len};
    call(op, args);
}

void reset(void) {
    int32_t report[6] = {0};
    report[0] = open_file(OUTSIDE, MODE_W);
    report[1] = call(SYS_ERRNO, 0);
    if (report[0] >= 0) transfer(SYS_WRITE, report[0], "escaped", 7);
    const int32_t in = open_file("tg_in.bin", MODE_RB);
    transfer(SYS_READ, in, &report[2], 16);
    const int32_t out = open_file("tg_out.bin", MODE_WB);
    transfer(SYS_WRITE, out, report, sizeof report);
    call(SYS_CLOSE, &out);
    call(SYS_EXIT, (const void *)APPLICATION_EXIT);
    for (;;) {
    }
}

__attribute__((section(".vectors"), used)) static const void *const vectors[2] = {&stack_top, reset};
