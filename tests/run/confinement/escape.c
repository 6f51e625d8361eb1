/* Host test program for tests/run/test_confinement.py, run as a `--board host` firmware (argv: tg_in.bin
 * tg_out.bin): it tries what a hostile firmware would and writes one line per attempt to tg_out.bin.
 * OUTSIDE (a path to write), SECRET_FILE (a path to read) and PORT (a listening local TCP port) come from -D. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    FILE *out = fopen(argc > 2 ? argv[2] : "tg_out.bin", "w");
    if (out == NULL) return 9;
    FILE *f = fopen(OUTSIDE, "w");
    fprintf(out, "write outside: %s\n", f ? "written" : strerror(errno));
    if (f) fclose(f);
    f = fopen(SECRET_FILE, "r");
    fprintf(out, "read outside: %s\n", f ? "read" : strerror(errno));
    if (f) fclose(f);
    const char *secret = getenv("TG_SECRET");
    fprintf(out, "environment: %s\n", secret ? secret : "no TG_SECRET");
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fprintf(out, "connect: %s\n", connect(s, (struct sockaddr *)&to, sizeof to) == 0 ? "connected" : strerror(errno));
    void *big = malloc((size_t)2 << 30);
    fprintf(out, "malloc 2 GiB: %s\n", big ? "allocated" : "refused");
    return fclose(out) == 0 ? 0 : 8;
}
