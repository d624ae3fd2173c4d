/*
 * The DNS responder served on a loopback UDP port to a real client, Debian's
 * dig (bind9-dnsutils): what a phone's resolver sends, dig sends (EDNS with a
 * cookie by default, or plain with +noedns), and dig must accept every reply.
 * Garbage datagrams are dropped without an answer and do not stop the server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns_udp_server.h"

static const uint8_t AP[4] = {192, 168, 4, 1};
static dns_udp_server_t s_server;
static char s_out[16384];

static int setup(void **state)
{
    (void)state;
    if (system("command -v dig >/dev/null 2>&1") != 0) {
        fprintf(stderr, "dig not found: apt-get install bind9-dnsutils (npm run setup)\n");
        return -1;
    }
    return dns_udp_server_start(&s_server, 0, AP) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    dns_udp_server_stop(&s_server);
    return 0;
}

/* Runs dig against the server with args; returns its output in s_out. */
static const char *dig(const char *args)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "dig @127.0.0.1 -p %u +tries=1 +time=2 %s 2>&1", (unsigned)s_server.port, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(s_out, 1, sizeof(s_out) - 1, p);
    s_out[n] = '\0';
    int rc = pclose(p);
    if (rc != 0) {
        fail_msg("%s exited with %d:\n%s", cmd, rc, s_out);
    }
    return s_out;
}

/* dig aligns columns with a varying number of tabs: compare with every run
 * of spaces and tabs as one space. */
static const char *squeeze(const char *in)
{
    static char buf[sizeof(s_out)];
    size_t o = 0;
    for (const char *p = in; *p != '\0' && o + 1 < sizeof(buf); p++) {
        bool ws = (*p == ' ' || *p == '\t');
        if (ws && o > 0 && buf[o - 1] == ' ') {
            continue;
        }
        buf[o++] = ws ? ' ' : *p;
    }
    buf[o] = '\0';
    return buf;
}

static void expect(const char *out, const char *needle)
{
    if (strstr(squeeze(out), needle) == NULL) {
        fail_msg("dig output lacks [%s]:\n%s", needle, out);
    }
}

static void reject(const char *out, const char *needle)
{
    if (strstr(out, needle) != NULL) {
        fail_msg("dig output has [%s]:\n%s", needle, out);
    }
}

static void any_name_resolves_to_the_ap(void **state)
{
    (void)state;
    const char *out = dig("anything.example A");
    expect(out, "status: NOERROR");
    expect(out, "flags: qr aa rd ra;");
    expect(out, "QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1");
    expect(out, "anything.example. 60 IN A 192.168.4.1");
    expect(out, "; EDNS: version: 0, flags:; udp: 512");
    reject(out, "WARNING");
    out = dig("+short connectivitycheck.gstatic.com");
    assert_string_equal(out, "192.168.4.1\n");
    out = dig("+short captive.apple.com A");
    assert_string_equal(out, "192.168.4.1\n");
}

static void without_edns(void **state)
{
    (void)state;
    const char *out = dig("+noedns www.msftconnecttest.com A");
    expect(out, "status: NOERROR");
    expect(out, "ADDITIONAL: 0");
    reject(out, "OPT PSEUDOSECTION");
    expect(out, "www.msftconnecttest.com. 60 IN A 192.168.4.1");
}

static void letter_case_is_echoed(void **state)
{
    (void)state;
    const char *out = dig("DetectPortal.FireFox.COM A");
    expect(out, "DetectPortal.FireFox.COM. 60 IN A 192.168.4.1");
}

static void aaaa_and_others_are_empty(void **state)
{
    (void)state;
    const char *out = dig("example.com AAAA");
    expect(out, "status: NOERROR");
    expect(out, "ANSWER: 0,");
    out = dig("example.com MX");
    expect(out, "ANSWER: 0,");
    /* dig sends ANY over TCP unless told not to; the responder is UDP only. */
    out = dig("+notcp +short example.com ANY");
    assert_string_equal(out, "192.168.4.1\n");
}

static void refused_notimp_badvers(void **state)
{
    (void)state;
    const char *out = dig("-c CH version.bind TXT");
    expect(out, "status: REFUSED");
    out = dig("+opcode=status example.com");
    expect(out, "status: NOTIMP");
    out = dig("+edns=1 +noednsnegotiation example.com A");
    expect(out, "status: BADVERS");
}

static void garbage_is_dropped_and_harmless(void **state)
{
    (void)state;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(s_server.port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    static const uint8_t junk[][16] = {
        {0x12},                                                                      /* 1 byte */
        {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0},                 /* a response */
        {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f, 'a', 'b', 'c'},        /* label past the end */
    };
    static const size_t lens[] = {1, 16, 16};
    unsigned before = s_server.dropped;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(sendto(fd, junk[i], lens[i], 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)lens[i]);
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 300), 0); /* no reply to any of them */
    close(fd);
    assert_int_equal(s_server.dropped - before, 3);
    assert_string_equal(dig("+short still.works"), "192.168.4.1\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(any_name_resolves_to_the_ap),
        cmocka_unit_test(without_edns),
        cmocka_unit_test(letter_case_is_echoed),
        cmocka_unit_test(aaaa_and_others_are_empty),
        cmocka_unit_test(refused_notimp_badvers),
        cmocka_unit_test(garbage_is_dropped_and_harmless),
    };
    return cmocka_run_group_tests_name("dns_dig", tests, setup, teardown);
}
