/* A user's application with two exported models, digits and kws: writes each model's input from inputs.h (the
 * test writes it), invokes both, prints every output as hex lines "<model> <output> <hex>", exits 0.
 * SHARED_ARENA: both libraries were exported with --arena extern and share one buffer, so each model's outputs
 * are printed before the other model runs. Bare metal: semihosting prints and exits; the host: stdio. */
#include <stdint.h>
#include <string.h>
#include "digits.h"
#include "inputs.h"
#include "kws.h"

#if defined(__arm__)
static int semihost(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
static void say(const char *text) { semihost(0x04, text); } /* SYS_WRITE0 */
static void stop(int code) {
    const uint32_t block[2] = {0x20026u, (uint32_t)code}; /* ADP_Stopped_ApplicationExit, status */
    semihost(0x20, block); /* SYS_EXIT_EXTENDED: the status too */
    for (;;) {}
}
#else
#include <stdio.h>
#include <stdlib.h>
static void say(const char *text) { fputs(text, stdout); }
static void stop(int code) { exit(code); }
#endif

static void print_output(const char *model, int32_t index, const void *data, int32_t bytes) {
    static const char digits[] = "0123456789abcdef";
    char line[2 * 4096 + 32];
    size_t n = strlen(model);
    memcpy(line, model, n);
    line[n++] = ' ';
    line[n++] = (char)('0' + index);
    line[n++] = ' ';
    for (int32_t i = 0; i < bytes; ++i) {
        const uint8_t b = ((const uint8_t *)data)[i];
        line[n++] = digits[b >> 4];
        line[n++] = digits[b & 15];
    }
    line[n++] = '\n';
    line[n] = '\0';
    say(line);
}

#if defined(SHARED_ARENA)
#define MAX(a, b) ((a) > (b) ? (a) : (b))
static uint8_t arena[MAX(DIGITS_ARENA_BYTES, KWS_ARENA_BYTES)]
    __attribute__((aligned(MAX(DIGITS_ARENA_ALIGN, KWS_ARENA_ALIGN))));
#endif

int main(void) {
#if defined(SHARED_ARENA)
    if (digits_invoke() != -1) stop(3); /* no arena yet: refused */
    if (digits_init(arena) != 0 || kws_init(arena) != 0) stop(4);
#endif
    memcpy(digits_input(0), digits_input_data, DIGITS_INPUT0_BYTES);
    if (digits_invoke() != 0) stop(5);
    for (int32_t i = 0; i < DIGITS_NUM_OUTPUTS; ++i) print_output("digits", i, digits_output(i), digits_output_bytes(i));
    memcpy(kws_input(0), kws_input_data, KWS_INPUT0_BYTES);
    if (kws_invoke() != 0) stop(6);
    for (int32_t i = 0; i < KWS_NUM_OUTPUTS; ++i) print_output("kws", i, kws_output(i), kws_output_bytes(i));
    stop(0);
    return 0;
}
