/* dns_answer: the captive portal's DNS replies, byte by byte (RFC 1035 4.1,
 * RFC 6891 6.1 for EDNS), and every kind of malformed datagram dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dns_answer.h"

static const uint8_t AP[4] = {192, 168, 4, 1};

typedef struct {
    uint8_t b[600];
    size_t n;
} msg_t;

static void u8(msg_t *m, unsigned v)
{
    m->b[m->n++] = (uint8_t)v;
}

static void u16(msg_t *m, unsigned v)
{
    u8(m, v >> 8);
    u8(m, v & 0xFF);
}

static void header(msg_t *m, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
    m->n = 0;
    u16(m, id);
    u16(m, flags);
    u16(m, qd);
    u16(m, an);
    u16(m, ns);
    u16(m, ar);
}

/* "www.Example.com" -> 3www7Example3com0 */
static void name(msg_t *m, const char *dotted)
{
    while (*dotted) {
        size_t n = strcspn(dotted, ".");
        u8(m, (unsigned)n);
        memcpy(m->b + m->n, dotted, n);
        m->n += n;
        dotted += n;
        if (*dotted == '.') {
            dotted++;
        }
    }
    u8(m, 0);
}

static void opt(msg_t *m, unsigned version)
{
    u8(m, 0);        /* root */
    u16(m, 41);      /* OPT */
    u16(m, 1232);    /* requestor's payload size */
    u8(m, 0);        /* extended RCODE */
    u8(m, version);  /* VERSION */
    u16(m, 0x8000);  /* DO set: we must answer with it clear */
    u16(m, 0);       /* no options */
}

/* The usual stub query: RD set, one question, optional OPT. */
static void query(msg_t *m, unsigned id, const char *qname, unsigned qtype, unsigned qclass, int with_opt)
{
    header(m, id, 0x0100, 1, 0, 0, with_opt ? 1 : 0);
    name(m, qname);
    u16(m, qtype);
    u16(m, qclass);
    if (with_opt) {
        opt(m, 0);
    }
}

static unsigned g16(const uint8_t *p)
{
    return (unsigned)(p[0] << 8 | p[1]);
}

static dns_answer_result_t run(const msg_t *q, msg_t *r)
{
    r->n = 0;
    return dns_answer_build(q->b, q->n, AP, r->b, sizeof(r->b), &r->n);
}

static void a_query_gets_the_ap_address(void **state)
{
    (void)state;
    msg_t q, r;
    query(&q, 0xBEEF, "connectivitycheck.gstatic.com", 1, 1, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    size_t qlen = q.n;
    assert_int_equal(r.n, qlen + 16);
    assert_int_equal(g16(r.b), 0xBEEF);
    /* QR, AA, RD echoed with RA, NOERROR */
    assert_int_equal(g16(r.b + 2), 0x8000 | 0x0400 | 0x0100 | 0x0080);
    assert_int_equal(g16(r.b + 4), 1);
    assert_int_equal(g16(r.b + 6), 1);
    assert_int_equal(g16(r.b + 8), 0);
    assert_int_equal(g16(r.b + 10), 0);
    assert_memory_equal(r.b + 12, q.b + 12, qlen - 12); /* the question, verbatim */
    const uint8_t *a = r.b + qlen;
    assert_int_equal(g16(a), 0xC00C);      /* pointer to the question's name */
    assert_int_equal(g16(a + 2), 1);       /* A */
    assert_int_equal(g16(a + 4), 1);       /* IN */
    assert_int_equal(g16(a + 6), 0);       /* TTL high */
    assert_int_equal(g16(a + 8), DNS_ANSWER_TTL_S);
    assert_int_equal(g16(a + 10), 4);
    assert_memory_equal(a + 12, AP, 4);
}

static void letter_case_and_any_name_are_kept(void **state)
{
    (void)state;
    msg_t q, r;
    query(&q, 1, "CaPtIvE.aPpLe.CoM", 1, 1, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_memory_equal(r.b + 12, q.b + 12, q.n - 12);
    /* The root name and a single label are names too. */
    query(&q, 2, "", 1, 1, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(g16(r.b + 6), 1);
    query(&q, 3, "esp32-led", 1, 1, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(g16(r.b + 6), 1);
}

static void any_type_answers_a_other_types_are_empty(void **state)
{
    (void)state;
    msg_t q, r;
    query(&q, 7, "example.com", 255, 1, 0); /* ANY */
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(g16(r.b + 6), 1);
    static const unsigned others[] = {28 /* AAAA */, 15 /* MX */, 16 /* TXT */, 65 /* HTTPS */, 64 /* SVCB */, 12};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        query(&q, 8, "example.com", others[i], 1, 0);
        assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
        assert_int_equal(r.n, q.n);                      /* question only */
        assert_int_equal(g16(r.b + 2) & 0xF, 0);         /* NOERROR: the name exists, no data */
        assert_int_equal(g16(r.b + 6), 0);
    }
    /* Class ANY is answered like IN. */
    query(&q, 9, "example.com", 1, 255, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(g16(r.b + 6), 1);
}

static void other_classes_are_refused(void **state)
{
    (void)state;
    msg_t q, r;
    query(&q, 10, "version.bind", 16, 3 /* CH */, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(g16(r.b + 2) & 0xF, DNS_RCODE_REFUSED);
    assert_int_equal(g16(r.b + 6), 0);
    assert_int_equal(g16(r.b + 4), 1);
}

static void rd_clear_gives_ra_clear(void **state)
{
    (void)state;
    msg_t q, r;
    query(&q, 11, "a.b", 1, 1, 0);
    q.b[2] = 0; /* RD off */
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(g16(r.b + 2), 0x8400);
}

static void edns_is_answered_with_opt(void **state)
{
    (void)state;
    msg_t q, r;
    query(&q, 12, "example.org", 1, 1, 1);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(g16(r.b + 6), 1);
    assert_int_equal(g16(r.b + 10), 1); /* ARCOUNT */
    size_t question_end = q.n - 11;
    const uint8_t *o = r.b + question_end + 16;
    assert_int_equal(r.n, question_end + 16 + 11);
    assert_int_equal(o[0], 0);
    assert_int_equal(g16(o + 1), 41);
    assert_int_equal(g16(o + 3), DNS_ANSWER_EDNS_PAYLOAD);
    assert_int_equal(g16(o + 5), 0); /* ext RCODE 0, version 0 */
    assert_int_equal(g16(o + 7), 0); /* DO clear: no DNSSEC here */
    assert_int_equal(g16(o + 9), 0);
}

static void edns_version_1_is_badvers(void **state)
{
    (void)state;
    msg_t q, r;
    header(&q, 13, 0x0100, 1, 0, 0, 1);
    name(&q, "example.org");
    u16(&q, 1);
    u16(&q, 1);
    opt(&q, 1);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(g16(r.b + 2) & 0xF, 0); /* BADVERS = 16: low bits 0 ... */
    assert_int_equal(g16(r.b + 6), 0);
    const uint8_t *o = r.b + r.n - 11;
    assert_int_equal(o[5], 1);               /* ... high bits 1 in the OPT */
}

static void two_opts_or_a_named_opt_are_formerr(void **state)
{
    (void)state;
    msg_t q, r;
    header(&q, 14, 0x0100, 1, 0, 0, 2);
    name(&q, "x.y");
    u16(&q, 1);
    u16(&q, 1);
    opt(&q, 0);
    opt(&q, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(r.n, 12);
    assert_int_equal(g16(r.b + 2) & 0xF, DNS_RCODE_FORMERR);

    header(&q, 15, 0x0100, 1, 0, 0, 1);
    name(&q, "x.y");
    u16(&q, 1);
    u16(&q, 1);
    name(&q, "z"); /* OPT owned by a name */
    u16(&q, 41);
    u16(&q, 512);
    u16(&q, 0);
    u16(&q, 0);
    u16(&q, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(g16(r.b + 2) & 0xF, DNS_RCODE_FORMERR);
}

static void other_additional_records_are_skipped(void **state)
{
    (void)state;
    msg_t q, r;
    header(&q, 16, 0x0100, 1, 0, 0, 1);
    name(&q, "x.y");
    u16(&q, 1);
    u16(&q, 1);
    u8(&q, 0xC0); /* a compressed owner name is fine outside the question */
    u8(&q, 12);
    u16(&q, 16); /* TXT */
    u16(&q, 1);
    u16(&q, 0);
    u16(&q, 0);
    u16(&q, 3);
    u8(&q, 2);
    u8(&q, 'h');
    u8(&q, 'i');
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(g16(r.b + 6), 1);
    assert_int_equal(g16(r.b + 10), 0); /* not echoed */
}

static void header_level_errors(void **state)
{
    (void)state;
    msg_t q, r;
    /* Opcode 4 (NOTIFY) and 5 (UPDATE): NOTIMP, header only, opcode kept. */
    query(&q, 20, "a.b", 1, 1, 0);
    q.b[2] = (uint8_t)(0x01 | (4 << 3));
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(r.n, 12);
    assert_int_equal(g16(r.b), 20);
    assert_int_equal(g16(r.b + 2), 0x8000 | (4u << 11) | 0x0100 | 0x0080 | DNS_RCODE_NOTIMP);
    /* No question, two questions, answers or authority in a query: FORMERR. */
    static const unsigned counts[][3] = {{0, 0, 0}, {2, 0, 0}, {1, 1, 0}, {1, 0, 1}};
    for (size_t i = 0; i < 4; i++) {
        header(&q, 21, 0x0100, counts[i][0], counts[i][1], counts[i][2], 0);
        name(&q, "a.b");
        u16(&q, 1);
        u16(&q, 1);
        assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
        assert_int_equal(r.n, 12);
        assert_int_equal(g16(r.b + 2) & 0xF, DNS_RCODE_FORMERR);
        assert_int_equal(g16(r.b + 4), 0);
    }
}

static void malformed_datagrams_are_dropped(void **state)
{
    (void)state;
    msg_t q, r;
    /* Shorter than a header. */
    query(&q, 30, "a.b", 1, 1, 0);
    for (size_t n = 0; n < 12; n++) {
        assert_int_equal(dns_answer_build(q.b, n, AP, r.b, sizeof(r.b), &r.n), DNS_ANSWER_DROP);
    }
    /* Every truncation of a valid query, header included. */
    query(&q, 31, "www.example.com", 1, 1, 1);
    for (size_t n = 12; n < q.n; n++) {
        assert_int_equal(dns_answer_build(q.b, n, AP, r.b, sizeof(r.b), &r.n), DNS_ANSWER_DROP);
    }
    /* A response (QR=1) is never answered: two portals cannot ping-pong. */
    query(&q, 32, "a.b", 1, 1, 0);
    q.b[2] |= 0x80;
    assert_int_equal(run(&q, &r), DNS_ANSWER_DROP);
    /* Trailing bytes after the last record. */
    query(&q, 33, "a.b", 1, 1, 0);
    u8(&q, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_DROP);
    /* A compression pointer in the question (the answer points at it). */
    header(&q, 34, 0x0100, 1, 0, 0, 0);
    u8(&q, 0xC0);
    u8(&q, 12);
    u16(&q, 1);
    u16(&q, 1);
    assert_int_equal(run(&q, &r), DNS_ANSWER_DROP);
    /* Reserved label types 01 and 10. */
    for (unsigned t = 0x40; t <= 0x80; t += 0x40) {
        header(&q, 35, 0x0100, 1, 0, 0, 0);
        u8(&q, t | 1);
        u8(&q, 'a');
        u8(&q, 0);
        u16(&q, 1);
        u16(&q, 1);
        assert_int_equal(run(&q, &r), DNS_ANSWER_DROP);
    }
    /* A label length past the end. */
    header(&q, 36, 0x0100, 1, 0, 0, 0);
    u8(&q, 63);
    u8(&q, 'a');
    assert_int_equal(run(&q, &r), DNS_ANSWER_DROP);
    /* An additional record whose RDLENGTH runs past the end. */
    header(&q, 37, 0x0100, 1, 0, 0, 1);
    name(&q, "a.b");
    u16(&q, 1);
    u16(&q, 1);
    u8(&q, 0);
    u16(&q, 41);
    u16(&q, 512);
    u16(&q, 0);
    u16(&q, 0);
    u16(&q, 5);
    u8(&q, 1);
    assert_int_equal(run(&q, &r), DNS_ANSWER_DROP);
    /* ARCOUNT larger than the records present. */
    query(&q, 38, "a.b", 1, 1, 1);
    q.b[11] = 2;
    assert_int_equal(run(&q, &r), DNS_ANSWER_DROP);
    /* Over 512 bytes. */
    query(&q, 39, "a.b", 1, 1, 0);
    assert_int_equal(dns_answer_build(q.b, DNS_ANSWER_MAX_MESSAGE + 1, AP, r.b, sizeof(r.b), &r.n), DNS_ANSWER_DROP);
    /* NULL arguments. */
    assert_int_equal(dns_answer_build(NULL, 20, AP, r.b, sizeof(r.b), &r.n), DNS_ANSWER_DROP);
    assert_int_equal(dns_answer_build(q.b, q.n, NULL, r.b, sizeof(r.b), &r.n), DNS_ANSWER_DROP);
    assert_int_equal(dns_answer_build(q.b, q.n, AP, NULL, sizeof(r.b), &r.n), DNS_ANSWER_DROP);
    assert_int_equal(dns_answer_build(q.b, q.n, AP, r.b, sizeof(r.b), NULL), DNS_ANSWER_DROP);
}

static void name_length_limits(void **state)
{
    (void)state;
    msg_t q, r;
    char label63[64];
    memset(label63, 'a', 63);
    label63[63] = '\0';
    char big[300];
    /* 63-byte labels: 4 of them are 4 * 64 + 1 = 257 wire bytes > 255. */
    snprintf(big, sizeof(big), "%s.%s.%s.%.61s", label63, label63, label63, label63); /* 64*3 + 62 + 1 = 255 */
    query(&q, 40, big, 1, 1, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_REPLY);
    assert_int_equal(r.n, q.n + 16);
    snprintf(big, sizeof(big), "%s.%s.%s.%.62s", label63, label63, label63, label63); /* 256 */
    query(&q, 41, big, 1, 1, 0);
    assert_int_equal(run(&q, &r), DNS_ANSWER_DROP);
    /* A 64-byte label has length byte 0x40: a reserved label type. */
    header(&q, 42, 0x0100, 1, 0, 0, 0);
    u8(&q, 64);
    memset(q.b + q.n, 'a', 64);
    q.n += 64;
    u8(&q, 0);
    u16(&q, 1);
    u16(&q, 1);
    assert_int_equal(run(&q, &r), DNS_ANSWER_DROP);
}

static void reply_must_fit_the_buffer(void **state)
{
    (void)state;
    msg_t q, r;
    query(&q, 50, "example.com", 1, 1, 1);
    size_t need = q.n + 16; /* + A, question and OPT sizes already in q.n */
    assert_int_equal(dns_answer_build(q.b, q.n, AP, r.b, need - 1, &r.n), DNS_ANSWER_DROP);
    assert_int_equal(dns_answer_build(q.b, q.n, AP, r.b, need, &r.n), DNS_ANSWER_REPLY);
    assert_int_equal(r.n, need);
    header(&q, 51, 0x0100, 2, 0, 0, 0);
    assert_int_equal(dns_answer_build(q.b, q.n, AP, r.b, 11, &r.n), DNS_ANSWER_DROP);
}

static void hostname_labels(void **state)
{
    (void)state;
    assert_true(dns_answer_hostname_label_ok("esp32-led"));
    assert_true(dns_answer_hostname_label_ok("a"));
    assert_true(dns_answer_hostname_label_ok("1"));
    char l63[64];
    memset(l63, 'x', 63);
    l63[63] = '\0';
    assert_true(dns_answer_hostname_label_ok(l63));
    char l64[65];
    memset(l64, 'x', 64);
    l64[64] = '\0';
    assert_false(dns_answer_hostname_label_ok(l64));
    assert_false(dns_answer_hostname_label_ok(""));
    assert_false(dns_answer_hostname_label_ok(NULL));
    assert_false(dns_answer_hostname_label_ok("-led"));
    assert_false(dns_answer_hostname_label_ok("led-"));
    assert_false(dns_answer_hostname_label_ok("esp32.led"));
    assert_false(dns_answer_hostname_label_ok("esp32_led"));
    assert_false(dns_answer_hostname_label_ok("esp32 led"));
    assert_false(dns_answer_hostname_label_ok("caf\xc3\xa9"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_query_gets_the_ap_address),
        cmocka_unit_test(letter_case_and_any_name_are_kept),
        cmocka_unit_test(any_type_answers_a_other_types_are_empty),
        cmocka_unit_test(other_classes_are_refused),
        cmocka_unit_test(rd_clear_gives_ra_clear),
        cmocka_unit_test(edns_is_answered_with_opt),
        cmocka_unit_test(edns_version_1_is_badvers),
        cmocka_unit_test(two_opts_or_a_named_opt_are_formerr),
        cmocka_unit_test(other_additional_records_are_skipped),
        cmocka_unit_test(header_level_errors),
        cmocka_unit_test(malformed_datagrams_are_dropped),
        cmocka_unit_test(name_length_limits),
        cmocka_unit_test(reply_must_fit_the_buffer),
        cmocka_unit_test(hostname_labels),
    };
    return cmocka_run_group_tests_name("dns_answer", tests, NULL, NULL);
}
