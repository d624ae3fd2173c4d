#include "dns_udp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns_answer.h"

bool dns_udp_server_open(dns_udp_server_t *s, uint16_t port, const uint8_t ipv4[4])
{
    memset(s, 0, sizeof(*s));
    memcpy(s->ipv4, ipv4, 4);
    s->fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (s->fd < 0) {
        return false;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof(a);
    if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || getsockname(s->fd, (struct sockaddr *)&a, &alen) != 0) {
        close(s->fd);
        s->fd = -1;
        return false;
    }
    s->port = ntohs(a.sin_port);
    return true;
}

void dns_udp_server_run(dns_udp_server_t *s)
{
    uint8_t in[DNS_ANSWER_MAX_MESSAGE];
    uint8_t out[DNS_ANSWER_MAX_MESSAGE];
    while (!s->stop) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        struct sockaddr_in from;
        socklen_t flen = sizeof(from);
        /* MSG_TRUNC: the real length, so an oversized datagram is dropped
         * rather than parsed cut short (lwIP on the board truncates the same way). */
        ssize_t n = recvfrom(s->fd, in, sizeof(in), MSG_TRUNC, (struct sockaddr *)&from, &flen);
        if (n < 0) {
            continue;
        }
        size_t len = 0;
        if ((size_t)n > sizeof(in) ||
            dns_answer_build(in, (size_t)n, s->ipv4, out, sizeof(out), &len) != DNS_ANSWER_REPLY) {
            s->dropped++;
            continue;
        }
        if (sendto(s->fd, out, len, 0, (struct sockaddr *)&from, flen) == (ssize_t)len) {
            s->replied++;
        }
    }
}

static void *thread_main(void *arg)
{
    dns_udp_server_run(arg);
    return NULL;
}

bool dns_udp_server_start(dns_udp_server_t *s, uint16_t port, const uint8_t ipv4[4])
{
    if (!dns_udp_server_open(s, port, ipv4)) {
        return false;
    }
    if (pthread_create(&s->thread, NULL, thread_main, s) != 0) {
        close(s->fd);
        return false;
    }
    return true;
}

void dns_udp_server_stop(dns_udp_server_t *s)
{
    s->stop = true;
    pthread_join(s->thread, NULL);
    close(s->fd);
    s->fd = -1;
}
