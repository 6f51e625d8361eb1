/* Test-only host program: the firmware's link layer (tg_link.c, rendered from its template) over
 * stdin/stdout. Every intact frame comes back as a success reply with the same seq and payload;
 * damage comes back as the ERROR notice the firmware sends. */
#include <stdio.h>
#include <stdlib.h>
#include "tg_link.h"
#include "uart.h"

void tg_uart_init(void) {}

void tg_uart_write(const uint8_t *data, uint32_t n) {
    fwrite(data, 1, n, stdout);
    fflush(stdout);
}

int tg_uart_read(void) {
    const int c = getchar();
    if (c == EOF) exit(0);
    return c;
}

int main(void) {
    static tg_frame frame;
    for (;;) {
        const int damage = tg_link_receive(&frame);
        if (damage) {
            const uint8_t error[2] = {(uint8_t)damage, frame.kind};
            tg_link_notify(TG_ERROR, frame.seq, error, 2);
        } else {
            tg_link_send((uint8_t)(frame.kind | TG_REPLY_BIT), frame.seq, frame.payload, frame.length);
        }
    }
}
