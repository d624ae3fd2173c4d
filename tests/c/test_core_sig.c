/*
 * core_sig: SHA-256 and ECDSA P-256 verification on mbedTLS
 * (host/portable/core_sig.c), with the strict DER rules node:crypto
 * (OpenSSL) applies, against the fixtures' throwaway key and signatures
 * made by node:crypto (tests/support/core-fixtures.ts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core_fixtures.h"
#include "der_encode.h"
#include "core_image.h"
#include "core_sig.h"

static core_fixture_set_t s_set;

/* The order n of P-256 (SEC 2 v2, 2.4.2). */
static const uint8_t P256_N[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
                                   0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

static void hex32(const char *hex, uint8_t out[32])
{
    for (size_t i = 0; i < 32; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* FIPS 180-2 appendix B.1 / B.2 and the empty message. */
static void sha256_vectors(void **state)
{
    (void)state;
    uint8_t want[32], got[32];
    core_sig_sha256((const uint8_t *)"abc", 3, got);
    hex32("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want);
    assert_memory_equal(got, want, 32);
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    core_sig_sha256((const uint8_t *)two, strlen(two), got);
    hex32("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", want);
    assert_memory_equal(got, want, 32);
    core_sig_sha256((const uint8_t *)"", 0, got);
    hex32("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
    assert_memory_equal(got, want, 32);
    /* One million 'a' (FIPS 180-2 appendix B.3): many blocks. */
    uint8_t *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    core_sig_sha256(a, 1000000, got);
    free(a);
    hex32("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", want);
    assert_memory_equal(got, want, 32);
}

/* A fixture's signature, digest and file. */
typedef struct {
    uint8_t *bytes;
    size_t len;
    core_image_info_t info;
    uint8_t r[32], s[32];
} signed_t;

static void load_signed(const char *name, signed_t *out)
{
    out->bytes = core_fixture_bytes(CORE_FIXTURES, name, &out->len);
    assert_non_null(out->bytes);
    core_image_limits_t l = core_image_limits_default();
    l.sha256 = core_sig_sha256;
    assert_int_equal(core_image_check(out->bytes, out->len, &l, &out->info), CORE_IMAGE_OK);
    assert_true(core_sig_der_parse(out->bytes + out->info.sig_offset, out->info.sig_len, out->r, out->s));
}

static bool verify(const signed_t *g, const uint8_t *der, size_t len)
{
    return core_sig_verify_p256(s_set.pubkey, g->info.sha256, der, len);
}

static void fixture_signatures(void **state)
{
    (void)state;
    signed_t g, w, t;
    load_signed("good", &g);
    load_signed("wrong-key", &w);
    load_signed("tampered", &t);
    const uint8_t *sig = g.bytes + g.info.sig_offset;
    assert_true(verify(&g, sig, g.info.sig_len));
    /* Our own re-encoding is byte-identical to node:crypto's DER. */
    uint8_t der[80];
    size_t n = der_encode(g.r, g.s, der);
    assert_int_equal(n, g.info.sig_len);
    assert_memory_equal(der, sig, n);
    assert_false(core_sig_verify_p256(s_set.pubkey, w.info.sha256, w.bytes + w.info.sig_offset, w.info.sig_len));
    assert_false(core_sig_verify_p256(s_set.pubkey, t.info.sha256, t.bytes + t.info.sig_offset, t.info.sig_len));
    /* Another digest, the right signature. */
    uint8_t other[32];
    memcpy(other, g.info.sha256, 32);
    other[31] ^= 1;
    assert_false(core_sig_verify_p256(s_set.pubkey, other, sig, g.info.sig_len));
    free(g.bytes);
    free(w.bytes);
    free(t.bytes);
}

static void der_strictness(void **state)
{
    (void)state;
    signed_t g;
    load_signed("good", &g);
    uint8_t der[80], bad[84];
    size_t n = der_encode(g.r, g.s, der);
    assert_true(verify(&g, der, n));

    /* Trailing byte; truncated; wrong tags; long-form length. */
    memcpy(bad, der, n);
    bad[n] = 0;
    assert_false(verify(&g, bad, n + 1));
    bad[1]++;
    assert_false(verify(&g, bad, n + 1));
    assert_false(verify(&g, der, n - 1));
    assert_false(verify(&g, der, 0));
    assert_false(verify(&g, NULL, 0));
    memcpy(bad, der, n);
    bad[0] = 0x31;
    assert_false(verify(&g, bad, n));
    memcpy(bad, der, n);
    bad[2] = 0x03;
    assert_false(verify(&g, bad, n));
    bad[0] = 0x30;
    bad[1] = 0x81;
    bad[2] = der[1];
    memcpy(bad + 3, der + 2, n - 2);
    assert_false(verify(&g, bad, n + 1));

    /* An integer with a leading zero it does not need: not minimal,
     * refused as OpenSSL refuses it. */
    uint8_t r[32], s[32], r2[32];
    memcpy(r2, g.r, 32);
    r2[0] = 0x01; /* 32 value bytes, no sign byte needed */
    n = der_encode(r2, g.s, der);
    assert_int_equal(der[3], 32);
    assert_true(core_sig_der_parse(der, n, r, s));
    bad[0] = 0x30;
    bad[1] = (uint8_t)(der[1] + 1);
    bad[2] = 0x02;
    bad[3] = 33;
    bad[4] = 0x00;
    memcpy(bad + 5, der + 4, n - 4);
    assert_false(core_sig_der_parse(bad, n + 1, r, s));

    /* A negative integer (top bit set, no zero byte). */
    uint8_t neg[8] = {0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01};
    assert_false(core_sig_der_parse(neg, sizeof(neg), r, s));
    neg[4] = 0x7f;
    assert_true(core_sig_der_parse(neg, sizeof(neg), r, s));
    assert_int_equal(r[31], 0x7f);
    assert_int_equal(s[31], 0x01);
    /* Zero length integer; 33 value bytes without the sign zero. */
    uint8_t empty_int[6] = {0x30, 0x04, 0x02, 0x00, 0x02, 0x00};
    assert_false(core_sig_der_parse(empty_int, sizeof(empty_int), r, s));
    uint8_t wide[72] = {0x30, 70, 0x02, 33, 0x01};
    wide[37] = 0x02;
    wide[38] = 33;
    wide[39] = 0x01;
    assert_false(core_sig_der_parse(wide, sizeof(wide), r, s));

    /* Parses but does not verify: r = 0, s = n, r and s swapped. */
    uint8_t zero[32] = {0};
    n = der_encode(zero, g.s, der);
    assert_true(core_sig_der_parse(der, n, r, s));
    assert_false(verify(&g, der, n));
    n = der_encode(g.r, P256_N, der);
    assert_false(verify(&g, der, n));
    n = der_encode(g.s, g.r, der);
    assert_false(verify(&g, der, n));

    /* (r, n - s) is the other valid signature of the same digest: ECDSA
     * itself allows it and neither mbedTLS nor OpenSSL enforce low s, so
     * both hosts accept it; it signs the same bytes, so nothing is gained. */
    uint8_t neg_s[32];
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = P256_N[i] - g.s[i] - borrow;
        borrow = d < 0;
        neg_s[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
    n = der_encode(g.r, neg_s, der);
    assert_true(verify(&g, der, n));
    free(g.bytes);
}

static void public_keys(void **state)
{
    (void)state;
    signed_t g;
    load_signed("good", &g);
    const uint8_t *sig = g.bytes + g.info.sig_offset;
    uint8_t key[65];
    memcpy(key, s_set.pubkey, 65);
    assert_true(core_sig_verify_p256(key, g.info.sha256, sig, g.info.sig_len));
    key[64] ^= 1; /* Y changed: not on the curve */
    assert_false(core_sig_verify_p256(key, g.info.sha256, sig, g.info.sig_len));
    memcpy(key, s_set.pubkey, 65);
    key[0] = 0x02; /* compressed tag with an uncompressed length */
    assert_false(core_sig_verify_p256(key, g.info.sha256, sig, g.info.sig_len));
    memset(key, 0, 65);
    assert_false(core_sig_verify_p256(key, g.info.sha256, sig, g.info.sig_len));
    key[0] = 0x04;
    assert_false(core_sig_verify_p256(key, g.info.sha256, sig, g.info.sig_len));
    assert_false(core_sig_verify_p256(NULL, g.info.sha256, sig, g.info.sig_len));
    assert_false(core_sig_verify_p256(s_set.pubkey, NULL, sig, g.info.sig_len));
    free(g.bytes);
}

/* One bit changed anywhere in a good file (one bit per byte, rotating):
 * whatever the validator says, the result is never a file that is both
 * accepted and correctly signed. */
static void no_bit_flip_passes(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = core_fixture_bytes(CORE_FIXTURES, "good", &len);
    assert_non_null(b);
    core_image_limits_t l = core_image_limits_default();
    l.sha256 = core_sig_sha256;
    size_t accepted = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t bit = (uint8_t)(1u << (i % 8));
        b[i] ^= bit;
        core_image_info_t info;
        if (core_image_check(b, len, &l, &info) == CORE_IMAGE_OK) {
            accepted++;
            assert_false(core_sig_verify_p256(s_set.pubkey, info.sha256, b + info.sig_offset, info.sig_len));
        }
        b[i] ^= bit;
    }
    printf("bit flips: %zu of %zu still pass the validator, none verifies\n", accepted, len);
    assert_true(accepted > 0); /* the sweep did reach the signature check */
    free(b);
}

int main(void)
{
    if (!core_fixtures_load(CORE_FIXTURES, &s_set)) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_vectors),
        cmocka_unit_test(fixture_signatures),
        cmocka_unit_test(der_strictness),
        cmocka_unit_test(public_keys),
        cmocka_unit_test(no_bit_flip_passes),
    };
    return cmocka_run_group_tests_name("core_sig", tests, NULL, NULL);
}
