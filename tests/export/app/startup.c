/* The application's own startup for mps2-an386 (Cortex-M4): a vector table, .data copied, .bss zeroed, main. */
#include <stdint.h>

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;
int main(void);

void reset_handler(void) {
    uint32_t *src = &__data_load;
    for (uint32_t *dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
    for (uint32_t *dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
    main();
    for (;;) {}
}

static void fault_handler(void) {
    for (;;) {}
}

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &__stack_top, reset_handler, fault_handler, fault_handler, fault_handler, fault_handler, fault_handler,
};
