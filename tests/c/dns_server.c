/*
 * The captive portal's DNS responder on a loopback UDP port, for trying it
 * with a real client by hand:
 *
 *   tests/c/build/dns_server [PORT] &      (default 5353 is mDNS: use e.g. 5300)
 *   dig @127.0.0.1 -p PORT anything.example A
 *
 * Answers every A query with 192.168.4.1, the ESP32 AP's address.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dns_udp_server.h"

int main(int argc, char **argv)
{
    static const uint8_t ap[4] = {192, 168, 4, 1};
    long port = argc > 1 ? strtol(argv[1], NULL, 10) : 5300;
    if (port < 0 || port > 65535) {
        fprintf(stderr, "usage: %s [PORT]   (0 = any free port)\n", argv[0]);
        return 2;
    }
    static dns_udp_server_t s;
    if (!dns_udp_server_open(&s, (uint16_t)port, ap)) {
        perror("dns_server: bind 127.0.0.1");
        return 1;
    }
    printf("dns_server: answering every A query with 192.168.4.1 on 127.0.0.1:%u (Ctrl-C stops)\n",
           (unsigned)s.port);
    fflush(stdout);
    dns_udp_server_run(&s);
    return 0;
}
