/*
 * The captive portal's DNS responder as plain data: one UDP query in, one
 * reply (or nothing) out. Every name gets the access point's IPv4 address
 * for A (and ANY) questions, so whatever a phone looks up leads to the page;
 * other types get an empty NOERROR answer (no AAAA: the AP has no IPv6).
 *
 * RFC 1035 4.1 message format; RFC 6891 EDNS(0) (an OPT record in a query is
 * answered with one of ours); nothing is ever recursed or cached.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Classic DNS over UDP is limited to 512 bytes (RFC 1035 4.2.1); a reply
 * here is at most 12 + 255 + 4 + 16 + 11 = 298 bytes. */
#define DNS_ANSWER_MAX_MESSAGE 512u

/* Seconds a phone may cache an answer. Short, so that a name looked up on
 * the AP does not stick once the phone is back on a real network (most
 * systems also flush their cache when the network changes). */
#define DNS_ANSWER_TTL_S 60u

/* EDNS(0) UDP payload size we advertise: what we accept, no more. */
#define DNS_ANSWER_EDNS_PAYLOAD DNS_ANSWER_MAX_MESSAGE

/* RCODEs used (RFC 1035 4.1.1; BADVERS is RFC 6891 9, an extended RCODE). */
enum {
    DNS_RCODE_NOERROR = 0,
    DNS_RCODE_FORMERR = 1,
    DNS_RCODE_NOTIMP = 4,
    DNS_RCODE_REFUSED = 5,
    DNS_RCODE_BADVERS = 16,
};

typedef enum {
    DNS_ANSWER_DROP = 0, /* send nothing: not a query, truncated, garbled, or no room */
    DNS_ANSWER_REPLY,    /* out[0 .. *out_len) is the reply to send back */
} dns_answer_result_t;

/*
 * Builds the reply to one datagram.
 *
 * DROP: shorter than a header, a response (QR=1, so two responders never
 * loop), a question or record running past the end, a malformed name
 * (label over 63 bytes, name over 255, a compression pointer in the
 * question), bytes after the last record, or out_cap too small.
 * REPLY with FORMERR: QDCOUNT other than 1, answer/authority records, or
 * more than one OPT (RFC 6891 6.1.1) or an OPT not owned by the root;
 * NOTIMP: an opcode other than QUERY; REFUSED: a class other than IN/ANY;
 * BADVERS: EDNS version above 0. Otherwise NOERROR, with one A record of
 * ipv4 (network order) for QTYPE A or ANY, none for every other type.
 * The question is echoed byte for byte (letter case included, which
 * resolvers using 0x20 randomisation check).
 */
dns_answer_result_t dns_answer_build(const uint8_t *query, size_t query_len, const uint8_t ipv4[4], uint8_t *out,
                                     size_t out_cap, size_t *out_len);

/* True when s is one DNS label usable as a host name (RFC 1123 2.1 and
 * RFC 952): 1..63 letters, digits and '-', not starting or ending with '-'.
 * The mDNS name esp32-led.local is such a label plus ".local". */
bool dns_answer_hostname_label_ok(const char *s);

#ifdef __cplusplus
}
#endif
