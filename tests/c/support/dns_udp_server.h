/*
 * The portable DNS responder (host/portable/dns_answer.c) behind a Linux
 * UDP socket on 127.0.0.1, the way host/esp/captive_dns.c serves it on the
 * board: one datagram in, dns_answer_build, one datagram (or none) out.
 * Test-only code: tests/c/test_dns_dig.c and the dns_server program.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int fd;
    uint16_t port;
    uint8_t ipv4[4];
    pthread_t thread;
    volatile bool stop;
    volatile unsigned replied;
    volatile unsigned dropped;
} dns_udp_server_t;

/* Binds 127.0.0.1:port (0 = a free port, stored in s->port). */
bool dns_udp_server_open(dns_udp_server_t *s, uint16_t port, const uint8_t ipv4[4]);

/* Serves datagrams until s->stop (checked every 50 ms). */
void dns_udp_server_run(dns_udp_server_t *s);

/* open + run on a thread; stop joins it and closes the socket. */
bool dns_udp_server_start(dns_udp_server_t *s, uint16_t port, const uint8_t ipv4[4]);
void dns_udp_server_stop(dns_udp_server_t *s);
