#include "dns_answer.h"

#include <string.h>

#define HEADER_LEN 12u
#define MAX_NAME_WIRE 255u /* RFC 1035 2.3.4 */
#define MAX_LABEL 63u

#define FLAG_QR 0x8000u
#define FLAG_AA 0x0400u
#define FLAG_RD 0x0100u
#define FLAG_RA 0x0080u
#define OPCODE_SHIFT 11
#define OPCODE_MASK 0xFu

#define TYPE_A 1u
#define TYPE_OPT 41u
#define TYPE_ANY 255u
#define CLASS_IN 1u
#define CLASS_ANY 255u

#define A_RECORD_LEN 16u   /* pointer 2 + type 2 + class 2 + ttl 4 + rdlength 2 + address 4 */
#define OPT_RECORD_LEN 11u /* root 1 + type 2 + payload size 2 + ttl 4 + rdlength 2 */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/* Walks an uncompressed name starting at *pos; on success *pos is just past
 * its terminating zero. allow_pointer accepts a name ending in a
 * compression pointer (fine in records we only skip, never in the question,
 * which the answer refers to by offset 12). */
static bool skip_name(const uint8_t *msg, size_t len, size_t *pos, bool allow_pointer)
{
    size_t p = *pos;
    size_t wire = 0;
    for (;;) {
        if (p >= len) {
            return false;
        }
        uint8_t b = msg[p];
        if ((b & 0xC0u) == 0xC0u) {
            if (!allow_pointer || p + 2 > len) {
                return false;
            }
            *pos = p + 2;
            return true;
        }
        if ((b & 0xC0u) != 0) {
            return false; /* 01 and 10 label types are reserved/obsolete */
        }
        wire += (size_t)b + 1;
        if (wire > MAX_NAME_WIRE) {
            return false;
        }
        p += 1;
        if (b == 0) {
            *pos = p;
            return true;
        }
        if (p + b > len) {
            return false;
        }
        p += b;
    }
}

typedef struct {
    bool has_opt;
    uint8_t opt_version;
    bool formerr;
} additional_t;

/* Skips the additional section, noting the OPT record. False when a record
 * runs past the end of the datagram. */
static bool scan_additional(const uint8_t *msg, size_t len, size_t *pos, uint16_t count, additional_t *a)
{
    size_t p = *pos;
    for (uint16_t i = 0; i < count; i++) {
        size_t name_at = p;
        if (!skip_name(msg, len, &p, true) || p + 10 > len) {
            return false;
        }
        uint16_t type = get16(msg + p);
        uint8_t version = msg[p + 5]; /* TTL of an OPT: ext-RCODE, VERSION, DO+Z */
        size_t rdlen = get16(msg + p + 8);
        p += 10;
        if (p + rdlen > len) {
            return false;
        }
        p += rdlen;
        if (type == TYPE_OPT) {
            /* RFC 6891 6.1.1: one OPT at most, owned by the root. */
            if (a->has_opt || msg[name_at] != 0) {
                a->formerr = true;
            }
            a->has_opt = true;
            a->opt_version = version;
        }
    }
    *pos = p;
    return true;
}

/* RD copied, and RA set with it: to a phone's stub resolver this is the
 * recursive resolver, and every name is resolved (to the AP). Some stubs
 * distrust or retry a reply without RA to a recursive query. */
static uint32_t reply_flags(uint16_t query_flags)
{
    return (query_flags & FLAG_RD) ? (FLAG_RD | FLAG_RA) : 0u;
}

/* A reply of only a header, for queries refused before their question. */
static dns_answer_result_t header_only(const uint8_t *query, uint16_t flags, unsigned rcode, uint8_t *out,
                                       size_t out_cap, size_t *out_len)
{
    if (out_cap < HEADER_LEN) {
        return DNS_ANSWER_DROP;
    }
    memset(out, 0, HEADER_LEN);
    memcpy(out, query, 2);
    uint32_t opcode_bits = flags & (OPCODE_MASK << OPCODE_SHIFT);
    put16(out + 2, FLAG_QR | opcode_bits | reply_flags(flags) | (rcode & 0xFu));
    *out_len = HEADER_LEN;
    return DNS_ANSWER_REPLY;
}

dns_answer_result_t dns_answer_build(const uint8_t *query, size_t query_len, const uint8_t ipv4[4], uint8_t *out,
                                     size_t out_cap, size_t *out_len)
{
    if (query == NULL || ipv4 == NULL || out == NULL || out_len == NULL || query_len < HEADER_LEN ||
        query_len > DNS_ANSWER_MAX_MESSAGE) {
        return DNS_ANSWER_DROP;
    }
    *out_len = 0;
    uint16_t flags = get16(query + 2);
    if (flags & FLAG_QR) {
        return DNS_ANSWER_DROP;
    }
    if (((flags >> OPCODE_SHIFT) & OPCODE_MASK) != 0) {
        return header_only(query, flags, DNS_RCODE_NOTIMP, out, out_cap, out_len);
    }
    if (get16(query + 4) != 1 || get16(query + 6) != 0 || get16(query + 8) != 0) {
        return header_only(query, flags, DNS_RCODE_FORMERR, out, out_cap, out_len);
    }

    size_t pos = HEADER_LEN;
    if (!skip_name(query, query_len, &pos, false) || pos + 4 > query_len) {
        return DNS_ANSWER_DROP;
    }
    uint16_t qtype = get16(query + pos);
    uint16_t qclass = get16(query + pos + 2);
    pos += 4;
    size_t question_end = pos;

    additional_t add = {0};
    if (!scan_additional(query, query_len, &pos, get16(query + 10), &add) || pos != query_len) {
        return DNS_ANSWER_DROP;
    }
    if (add.formerr) {
        return header_only(query, flags, DNS_RCODE_FORMERR, out, out_cap, out_len);
    }

    unsigned rcode = DNS_RCODE_NOERROR;
    bool answer = false;
    if (add.has_opt && add.opt_version != 0) {
        rcode = DNS_RCODE_BADVERS;
    } else if (qclass != CLASS_IN && qclass != CLASS_ANY) {
        rcode = DNS_RCODE_REFUSED;
    } else {
        answer = (qtype == TYPE_A || qtype == TYPE_ANY);
    }

    size_t need = question_end + (answer ? A_RECORD_LEN : 0) + (add.has_opt ? OPT_RECORD_LEN : 0);
    if (out_cap < need) {
        return DNS_ANSWER_DROP;
    }
    memcpy(out, query, question_end); /* ID and the question, byte for byte */
    put16(out + 2, FLAG_QR | FLAG_AA | reply_flags(flags) | (rcode & 0xFu));
    put16(out + 4, 1);
    put16(out + 6, answer ? 1u : 0u);
    put16(out + 8, 0);
    put16(out + 10, add.has_opt ? 1u : 0u);
    size_t o = question_end;
    if (answer) {
        put16(out + o, 0xC000u | HEADER_LEN); /* the question's name */
        put16(out + o + 2, TYPE_A);
        put16(out + o + 4, CLASS_IN);
        put32(out + o + 6, DNS_ANSWER_TTL_S);
        put16(out + o + 10, 4);
        memcpy(out + o + 12, ipv4, 4);
        o += A_RECORD_LEN;
    }
    if (add.has_opt) {
        out[o] = 0; /* root */
        put16(out + o + 1, TYPE_OPT);
        put16(out + o + 3, DNS_ANSWER_EDNS_PAYLOAD);
        /* TTL: upper 8 bits of the extended RCODE, version 0, DO clear (no DNSSEC). */
        put32(out + o + 5, (uint32_t)(rcode >> 4) << 24);
        put16(out + o + 9, 0);
        o += OPT_RECORD_LEN;
    }
    *out_len = o;
    return DNS_ANSWER_REPLY;
}

static bool is_ldh(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool dns_answer_hostname_label_ok(const char *s)
{
    if (s == NULL) {
        return false;
    }
    size_t n = strlen(s);
    if (n < 1 || n > MAX_LABEL || s[0] == '-' || s[n - 1] == '-') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_ldh(s[i])) {
            return false;
        }
    }
    return true;
}
