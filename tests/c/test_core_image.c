/*
 * core_image: the signed-core validator (host/portable/core_image.c,
 * wasm_code.c, wasm_leb.h). Every fixture of tests/support/core-fixtures.ts
 * gets the verdict, version and policy answer its manifest says (the Node
 * test checks the same manifest against the Wasm build of the same C);
 * hand-made modules cover each parser rule on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core_abi.h"
#include "core_fixtures.h"
#include "core_image.h"
#include "core_sig.h"
#include "wasm_code.h"

static core_fixture_set_t s_set;

static core_image_verdict_t verdict_by_name(const char *name)
{
    for (int v = 0; v < CORE_IMAGE_VERDICT_COUNT; v++) {
        if (strcmp(core_image_verdict_name((core_image_verdict_t)v), name) == 0) {
            return (core_image_verdict_t)v;
        }
    }
    fail_msg("manifest names an unknown verdict %s", name);
    return CORE_IMAGE_VERDICT_COUNT;
}

static core_image_limits_t hashing_limits(void)
{
    core_image_limits_t l = core_image_limits_default();
    l.sha256 = core_sig_sha256;
    return l;
}

/* ---- every fixture ------------------------------------------------------ */

static void fixture_case(void **state)
{
    const core_fixture_t *fx = *state;
    size_t len = 0;
    uint8_t *bytes = core_fixture_bytes(CORE_FIXTURES, fx->name, &len);
    assert_non_null(bytes);
    core_image_limits_t limits = hashing_limits();
    core_image_info_t info;
    core_image_verdict_t v = core_image_check(bytes, len, &limits, &info);
    if (v != verdict_by_name(fx->verdict)) {
        fail_msg("%s: got %s (%s) at byte %zu, manifest says %s", fx->name, core_image_verdict_name(v),
                 core_image_verdict_text(v), info.error_offset, fx->verdict);
    }
    if (fx->has_version) {
        assert_int_equal(info.version, fx->version);
    }
    if (strcmp(fx->acceptable, "-") != 0) {
        assert_int_equal(core_image_version_acceptable(s_set.running, info.version), strcmp(fx->acceptable, "yes") == 0);
    }
    if (v == CORE_IMAGE_OK) {
        /* The reported ranges: signature last, payload to the very end. */
        assert_true(info.signed_len > 8 && info.signed_len < info.sig_offset);
        assert_int_equal(info.sig_offset + info.sig_len, len);
        assert_true(info.has_sha256);
        uint8_t digest[32];
        core_sig_sha256(bytes, info.signed_len, digest);
        assert_memory_equal(digest, info.sha256, 32);
        bool valid = core_sig_verify_p256(s_set.pubkey, info.sha256, bytes + info.sig_offset, info.sig_len);
        assert_int_equal(valid, strcmp(fx->signature, "valid") == 0);
    } else {
        assert_false(info.has_sha256);
    }
    free(bytes);
}

/* ---- hand-made modules -------------------------------------------------- */

typedef struct {
    uint8_t b[8192];
    size_t n;
} buf_t;

static void put(buf_t *m, const void *p, size_t n)
{
    assert_true(m->n + n <= sizeof(m->b));
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void put_u8(buf_t *m, uint8_t v)
{
    put(m, &v, 1);
}

static void put_leb(buf_t *m, uint32_t v)
{
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        put_u8(m, (uint8_t)(b | (v ? 0x80 : 0)));
    } while (v);
}

static void header(buf_t *m)
{
    static const uint8_t h[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    m->n = 0;
    put(m, h, sizeof(h));
}

static void section(buf_t *m, uint8_t id, const void *payload, size_t n)
{
    put_u8(m, id);
    put_leb(m, (uint32_t)n);
    put(m, payload, n);
}

static void custom(buf_t *m, const char *name, const void *payload, size_t n)
{
    buf_t s = {.n = 0};
    put_leb(&s, (uint32_t)strlen(name));
    put(&s, name, strlen(name));
    put(&s, payload, n);
    section(m, 0, s.b, s.n);
}

/* A version and a signature-shaped payload (not a real signature: the
 * validator only checks its shape). */
static void sign_sections(buf_t *m)
{
    static const uint8_t version[4] = {3, 0, 0, 0};
    uint8_t sig[70] = {0x30, 68, 0x02, 32};
    sig[36] = 0x02;
    sig[37] = 32;
    custom(m, CORE_IMAGE_VERSION_SECTION, version, sizeof(version));
    custom(m, CORE_IMAGE_SIGNATURE_SECTION, sig, sizeof(sig));
}

static core_image_verdict_t check(const buf_t *m)
{
    core_image_info_t info;
    return core_image_check(m->b, m->n, NULL, &info);
}

/* Type section: () -> nil, (i32) -> i32. */
static const uint8_t TYPES[] = {0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f};

static void header_and_size(void **state)
{
    (void)state;
    buf_t m;
    header(&m);
    assert_int_equal(check(&m), CORE_IMAGE_NO_SIGNATURE); /* an empty module parses */
    for (size_t i = 0; i < 8; i++) {
        header(&m);
        m.b[i] ^= 0x01;
        assert_int_equal(check(&m), CORE_IMAGE_NOT_WASM);
    }
    header(&m);
    assert_int_equal(core_image_check(m.b, 7, NULL, &(core_image_info_t){0}), CORE_IMAGE_NOT_WASM);
    assert_int_equal(core_image_check(NULL, 0, NULL, &(core_image_info_t){0}), CORE_IMAGE_NOT_WASM);
    core_image_limits_t small = core_image_limits_default();
    small.max_len = 8;
    assert_int_equal(core_image_check(m.b, 8, &small, &(core_image_info_t){0}), CORE_IMAGE_NO_SIGNATURE);
    assert_int_equal(core_image_check(m.b, 9, &small, &(core_image_info_t){0}), CORE_IMAGE_TOO_LARGE);
    /* The size limit is checked before a byte is read. */
    assert_int_equal(core_image_check(NULL, SIZE_MAX, NULL, &(core_image_info_t){0}), CORE_IMAGE_TOO_LARGE);
}

static void section_framing(void **state)
{
    (void)state;
    buf_t m;
    /* Declared size past the end of the file. */
    header(&m);
    put_u8(&m, 1);
    put_leb(&m, 100);
    put(&m, TYPES, sizeof(TYPES));
    assert_int_equal(check(&m), CORE_IMAGE_TRUNCATED);
    /* File ends inside a section header's LEB. */
    header(&m);
    put_u8(&m, 1);
    put_u8(&m, 0x80);
    assert_int_equal(check(&m), CORE_IMAGE_TRUNCATED);
    /* Over-long and overflowing section sizes. */
    static const uint8_t too_long[] = {1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    header(&m);
    put(&m, too_long, sizeof(too_long));
    assert_int_equal(check(&m), CORE_IMAGE_BAD_LEB128);
    static const uint8_t too_big[] = {1, 0xff, 0xff, 0xff, 0xff, 0x1f};
    header(&m);
    put(&m, too_big, sizeof(too_big));
    assert_int_equal(check(&m), CORE_IMAGE_BAD_LEB128);
    /* A padded but valid LEB128 size is fine (spec 5.2.2 allows it). */
    header(&m);
    put_u8(&m, 1);
    put_u8(&m, (uint8_t)(0x80 | sizeof(TYPES)));
    put_u8(&m, 0x80);
    put_u8(&m, 0x00);
    put(&m, TYPES, sizeof(TYPES));
    assert_int_equal(check(&m), CORE_IMAGE_NO_SIGNATURE);
    /* Contents shorter / longer than the declared size. */
    header(&m);
    section(&m, 1, TYPES, sizeof(TYPES) - 1);
    assert_int_equal(check(&m), CORE_IMAGE_BAD_SECTION_SIZE);
    uint8_t longer[sizeof(TYPES) + 1];
    memcpy(longer, TYPES, sizeof(TYPES));
    longer[sizeof(TYPES)] = 0;
    header(&m);
    section(&m, 1, longer, sizeof(longer));
    assert_int_equal(check(&m), CORE_IMAGE_BAD_SECTION_SIZE);
    /* A count larger than the bytes left. */
    static const uint8_t count[] = {0xff, 0x01, 0x60};
    header(&m);
    section(&m, 1, count, sizeof(count));
    assert_int_equal(check(&m), CORE_IMAGE_BAD_SECTION_SIZE);
}

static void section_order(void **state)
{
    (void)state;
    static const uint8_t empty_vec[] = {0x00};
    buf_t m;
    header(&m);
    section(&m, 1, TYPES, sizeof(TYPES));
    section(&m, 1, TYPES, sizeof(TYPES));
    assert_int_equal(check(&m), CORE_IMAGE_BAD_SECTION); /* repeated */
    header(&m);
    section(&m, 7, empty_vec, 1);
    section(&m, 3, empty_vec, 1);
    assert_int_equal(check(&m), CORE_IMAGE_BAD_SECTION); /* out of order */
    header(&m);
    section(&m, 12, empty_vec, 1);
    assert_int_equal(check(&m), CORE_IMAGE_BAD_SECTION); /* data count: bulk memory */
    header(&m);
    section(&m, 200, empty_vec, 1);
    assert_int_equal(check(&m), CORE_IMAGE_BAD_SECTION);
    /* Custom sections may sit anywhere. */
    header(&m);
    custom(&m, "a", "x", 1);
    section(&m, 1, TYPES, sizeof(TYPES));
    custom(&m, "b", "", 0);
    section(&m, 7, empty_vec, 1);
    assert_int_equal(check(&m), CORE_IMAGE_NO_SIGNATURE);
}

static void names_are_utf8(void **state)
{
    (void)state;
    buf_t m;
    header(&m);
    custom(&m, "\xc3\xa9t\xc3\xa9 \xf0\x9f\x92\xa1", "", 0); /* été + U+1F4A1 */
    assert_int_equal(check(&m), CORE_IMAGE_NO_SIGNATURE);
    static const char *bad[] = {"\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xff", "\x80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        header(&m);
        custom(&m, bad[i], "", 0);
        assert_int_equal(check(&m), CORE_IMAGE_MALFORMED);
    }
    /* Custom section whose name runs past the section. */
    static const uint8_t past[] = {0x05, 'a', 'b'};
    header(&m);
    section(&m, 0, past, sizeof(past));
    assert_int_equal(check(&m), CORE_IMAGE_BAD_SECTION_SIZE);
}

static void signature_sections(void **state)
{
    (void)state;
    static const uint8_t v4[4] = {7, 0, 0, 0};
    uint8_t sig[72] = {0x30};
    buf_t m;
    header(&m);
    sign_sections(&m);
    assert_int_equal(check(&m), CORE_IMAGE_EXPORT_MISSING); /* past the signature rules */
    core_image_info_t info;
    assert_int_equal(core_image_check(m.b, m.n, NULL, &info), CORE_IMAGE_EXPORT_MISSING);
    assert_int_equal(info.version, 3);
    assert_int_equal(info.sig_len, 70);
    assert_int_equal(info.sig_offset + info.sig_len, m.n);
    assert_int_equal(info.signed_len, m.n - 70 - 1 - 1 - 1 - strlen(CORE_IMAGE_SIGNATURE_SECTION));

    /* Anything after the signature, including a second one or the version. */
    header(&m);
    sign_sections(&m);
    custom(&m, "x", "", 0);
    assert_int_equal(check(&m), CORE_IMAGE_SIGNATURE_NOT_LAST);
    header(&m);
    sign_sections(&m);
    custom(&m, CORE_IMAGE_SIGNATURE_SECTION, sig, 70);
    assert_int_equal(check(&m), CORE_IMAGE_SIGNATURE_NOT_LAST);
    header(&m);
    custom(&m, CORE_IMAGE_SIGNATURE_SECTION, sig, 70);
    custom(&m, CORE_IMAGE_VERSION_SECTION, v4, 4);
    assert_int_equal(check(&m), CORE_IMAGE_SIGNATURE_NOT_LAST);
    header(&m);
    sign_sections(&m);
    section(&m, 1, TYPES, sizeof(TYPES));
    assert_int_equal(check(&m), CORE_IMAGE_SIGNATURE_NOT_LAST);

    /* Signature sizes: 8..72 bytes starting with a SEQUENCE tag. */
    const size_t lens[] = {0, 7, 73, 200};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        uint8_t big[200] = {0x30};
        header(&m);
        custom(&m, CORE_IMAGE_VERSION_SECTION, v4, 4);
        custom(&m, CORE_IMAGE_SIGNATURE_SECTION, big, lens[i]);
        assert_int_equal(check(&m), CORE_IMAGE_BAD_SIGNATURE_FORMAT);
    }
    sig[0] = 0x31;
    header(&m);
    custom(&m, CORE_IMAGE_VERSION_SECTION, v4, 4);
    custom(&m, CORE_IMAGE_SIGNATURE_SECTION, sig, 70);
    assert_int_equal(check(&m), CORE_IMAGE_BAD_SIGNATURE_FORMAT);
    sig[0] = 0x30;
    header(&m);
    custom(&m, CORE_IMAGE_VERSION_SECTION, v4, 4);
    custom(&m, CORE_IMAGE_SIGNATURE_SECTION, sig, 8);
    assert_int_equal(check(&m), CORE_IMAGE_EXPORT_MISSING);

    /* Version: exactly one section of exactly 4 bytes. */
    const size_t vlens[] = {0, 3, 5};
    for (size_t i = 0; i < sizeof(vlens) / sizeof(vlens[0]); i++) {
        header(&m);
        custom(&m, CORE_IMAGE_VERSION_SECTION, "\1\2\3\4\5", vlens[i]);
        custom(&m, CORE_IMAGE_SIGNATURE_SECTION, sig, 70);
        assert_int_equal(check(&m), CORE_IMAGE_NO_VERSION);
    }
    header(&m);
    custom(&m, CORE_IMAGE_VERSION_SECTION, v4, 4);
    sign_sections(&m);
    assert_int_equal(check(&m), CORE_IMAGE_NO_VERSION);
    header(&m);
    custom(&m, CORE_IMAGE_SIGNATURE_SECTION, sig, 70);
    assert_int_equal(check(&m), CORE_IMAGE_NO_VERSION);
    /* Little-endian, all 32 bits. */
    static const uint8_t big_version[4] = {0x78, 0x56, 0x34, 0x12};
    header(&m);
    custom(&m, CORE_IMAGE_VERSION_SECTION, big_version, 4);
    custom(&m, CORE_IMAGE_SIGNATURE_SECTION, sig, 70);
    assert_int_equal(core_image_check(m.b, m.n, NULL, &info), CORE_IMAGE_EXPORT_MISSING);
    assert_int_equal(info.version, 0x12345678u);
}

/* Import section with one entry: module, name, kind, then `desc`. */
static void one_import(buf_t *m, const char *module, const char *name, const uint8_t *desc, size_t desc_len)
{
    buf_t s = {.n = 0};
    put_leb(&s, 1);
    put_leb(&s, (uint32_t)strlen(module));
    put(&s, module, strlen(module));
    put_leb(&s, (uint32_t)strlen(name));
    put(&s, name, strlen(name));
    put(&s, desc, desc_len);
    section(m, 2, s.b, s.n);
}

static void imports(void **state)
{
    (void)state;
    /* Types: 0 = (i32, i32) -> nil (led_set), 1 = (i32) -> i32. */
    static const uint8_t types[] = {0x02, 0x60, 0x02, 0x7f, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f};
    static const uint8_t func0[] = {0x00, 0x00}, func1[] = {0x00, 0x01}, func9[] = {0x00, 0x09};
    static const uint8_t memory[] = {0x02, 0x00, 0x01}, global[] = {0x03, 0x7f, 0x00};
    static const uint8_t table[] = {0x01, 0x70, 0x00, 0x00}, bad_kind[] = {0x04, 0x00};
    struct {
        const char *module, *name;
        const uint8_t *desc;
        size_t desc_len;
        core_image_verdict_t want;
    } cases[] = {
        {"host", "led_set", func0, 2, CORE_IMAGE_EXPORT_MISSING}, /* right: on to the exports */
        {"host", "led_set", func1, 2, CORE_IMAGE_IMPORT_TYPE},
        {"host", "sse_send", func0, 2, CORE_IMAGE_IMPORT_TYPE},
        {"host", "led_get", func0, 2, CORE_IMAGE_BAD_IMPORT},
        {"host", "led_se", func0, 2, CORE_IMAGE_BAD_IMPORT},
        {"host", "led_setx", func0, 2, CORE_IMAGE_BAD_IMPORT},
        {"Host", "led_set", func0, 2, CORE_IMAGE_BAD_IMPORT},
        {"env", "abort", func0, 2, CORE_IMAGE_BAD_IMPORT},
        {"host", "memory", memory, sizeof(memory), CORE_IMAGE_BAD_IMPORT},
        {"host", "g", global, sizeof(global), CORE_IMAGE_BAD_IMPORT},
        {"host", "t", table, sizeof(table), CORE_IMAGE_BAD_IMPORT},
        {"host", "led_set", func9, 2, CORE_IMAGE_MALFORMED}, /* no type 9 */
        {"host", "led_set", bad_kind, 2, CORE_IMAGE_MALFORMED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_t m;
        header(&m);
        section(&m, 1, types, sizeof(types));
        one_import(&m, cases[i].module, cases[i].name, cases[i].desc, cases[i].desc_len);
        sign_sections(&m);
        core_image_verdict_t v = check(&m);
        if (v != cases[i].want) {
            fail_msg("import %s.%s: got %s, want %s", cases[i].module, cases[i].name, core_image_verdict_name(v),
                     core_image_verdict_name(cases[i].want));
        }
    }
    /* The same native twice. */
    buf_t m;
    header(&m);
    section(&m, 1, types, sizeof(types));
    static const uint8_t twice[] = {0x02, 4, 'h', 'o', 's', 't', 7, 'l', 'e', 'd', '_', 's', 'e', 't', 0x00, 0x00,
                                    4,    'h', 'o', 's', 't', 7, 'l', 'e', 'd', '_', 's', 'e', 't', 0x00, 0x00};
    section(&m, 2, twice, sizeof(twice));
    sign_sections(&m);
    assert_int_equal(check(&m), CORE_IMAGE_BAD_IMPORT);
}

static void memories_and_tables(void **state)
{
    (void)state;
    struct {
        uint8_t id;
        uint8_t payload[10];
        size_t len;
        core_image_verdict_t want;
    } cases[] = {
        {5, {0x01, 0x00, 0x01}, 3, CORE_IMAGE_NO_SIGNATURE},
        {5, {0x01, 0x01, 0x01, 0x01}, 4, CORE_IMAGE_NO_SIGNATURE},
        {5, {0x02, 0x00, 0x01, 0x00, 0x01}, 5, CORE_IMAGE_UNSUPPORTED},       /* two memories */
        {5, {0x01, 0x03, 0x01, 0x01}, 4, CORE_IMAGE_UNSUPPORTED},             /* shared */
        {5, {0x01, 0x01, 0x02, 0x01}, 4, CORE_IMAGE_MALFORMED},               /* min > max */
        {5, {0x01, 0x00, 0x81, 0x80, 0x04}, 5, CORE_IMAGE_MALFORMED},         /* 65537 pages */
        {4, {0x01, 0x70, 0x00, 0x01}, 4, CORE_IMAGE_NO_SIGNATURE},            /* funcref table */
        {4, {0x01, 0x6f, 0x00, 0x01}, 4, CORE_IMAGE_UNSUPPORTED},             /* externref */
        {4, {0x02, 0x70, 0x00, 0x01, 0x70, 0x00, 0x01}, 7, CORE_IMAGE_UNSUPPORTED},
        {6, {0x01, 0x7f, 0x00, 0x41, 0x05, 0x0b}, 6, CORE_IMAGE_NO_SIGNATURE},/* i32 global */
        {6, {0x01, 0x7f, 0x02, 0x41, 0x05, 0x0b}, 6, CORE_IMAGE_MALFORMED},   /* mutability 2 */
        {6, {0x01, 0x7e, 0x00, 0x41, 0x05, 0x0b}, 6, CORE_IMAGE_MALFORMED},   /* i64 from i32.const */
        {6, {0x01, 0x7f, 0x00, 0x23, 0x00, 0x0b}, 6, CORE_IMAGE_MALFORMED},   /* global.get, no import */
        {6, {0x01, 0x7f, 0x00, 0x41, 0x05, 0x41, 0x0b}, 7, CORE_IMAGE_MALFORMED}, /* no end */
        {6, {0x01, 0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 10, CORE_IMAGE_BAD_LEB128},
        {8, {0x00}, 1, CORE_IMAGE_MALFORMED},                                 /* start: no function 0 */
        {9, {0x01, 0x00, 0x41, 0x00, 0x0b, 0x00}, 6, CORE_IMAGE_MALFORMED},   /* elements without a table */
        {11, {0x01, 0x00, 0x41, 0x00, 0x0b, 0x00}, 6, CORE_IMAGE_MALFORMED},  /* data without a memory */
        {10, {0x01, 0x02, 0x00, 0x0b}, 4, CORE_IMAGE_MALFORMED},              /* a body, no function */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_t m;
        header(&m);
        section(&m, cases[i].id, cases[i].payload, cases[i].len);
        core_image_verdict_t v = check(&m);
        if (v != cases[i].want) {
            fail_msg("case %zu (section %u): got %s, want %s", i, cases[i].id, core_image_verdict_name(v),
                     core_image_verdict_name(cases[i].want));
        }
    }
    /* Functions declared, no code section; passive data; element forms. */
    static const uint8_t one_func[] = {0x01, 0x00};
    buf_t m;
    header(&m);
    section(&m, 1, TYPES, sizeof(TYPES));
    section(&m, 3, one_func, sizeof(one_func));
    assert_int_equal(check(&m), CORE_IMAGE_MALFORMED);
    static const uint8_t mem[] = {0x01, 0x00, 0x01}, passive[] = {0x01, 0x01, 0x00};
    header(&m);
    section(&m, 5, mem, sizeof(mem));
    section(&m, 11, passive, sizeof(passive));
    assert_int_equal(check(&m), CORE_IMAGE_UNSUPPORTED);
    static const uint8_t active[] = {0x01, 0x00, 0x41, 0x10, 0x0b, 0x02, 'h', 'i'};
    header(&m);
    section(&m, 5, mem, sizeof(mem));
    section(&m, 11, active, sizeof(active));
    assert_int_equal(check(&m), CORE_IMAGE_NO_SIGNATURE);
    static const uint8_t data_past[] = {0x01, 0x00, 0x41, 0x10, 0x0b, 0x05, 'h', 'i'};
    header(&m);
    section(&m, 5, mem, sizeof(mem));
    section(&m, 11, data_past, sizeof(data_past));
    assert_int_equal(check(&m), CORE_IMAGE_BAD_SECTION_SIZE);
}

/* Exports are typed through the import section too: an ABI export may
 * name an imported function (and then has the import's type). */
static void exports_of_imports(void **state)
{
    (void)state;
    /* Types: 0 = (i32, i32) -> nil, 1 = () -> i32. */
    static const uint8_t types[] = {0x02, 0x60, 0x02, 0x7f, 0x7f, 0x00, 0x60, 0x00, 0x01, 0x7f};
    static const uint8_t imports[] = {0x02, 4, 'h', 'o', 's', 't', 7, 'l', 'e', 'd', '_', 's', 'e', 't', 0x00, 0x00,
                                      4, 'h', 'o', 's', 't', 13, 's', 's', 'e', '_', 'b', 'r', 'o', 'a', 'd', 'c',
                                      'a', 's', 't', 0x00, 0x00};
    static const uint8_t funcs[] = {0x01, 0x01};
    static const uint8_t code[] = {0x01, 0x04, 0x00, 0x41, 0x02, 0x0b};
    for (uint8_t target = 0; target < 3; target++) {
        const uint8_t exports[] = {0x01, 11, 'a', 'b', 'i', '_', 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x00, target};
        buf_t m;
        header(&m);
        section(&m, 1, types, sizeof(types));
        section(&m, 2, imports, sizeof(imports));
        section(&m, 3, funcs, sizeof(funcs));
        section(&m, 7, exports, sizeof(exports));
        section(&m, 10, code, sizeof(code));
        sign_sections(&m);
        /* Imports 0 and 1 are (i32, i32) -> nil; function 2 is () -> i32,
         * so abi_version passes and init is the first one missing. */
        assert_int_equal(check(&m), target < 2 ? CORE_IMAGE_EXPORT_TYPE : CORE_IMAGE_EXPORT_MISSING);
    }
}

static void elements(void **state)
{
    (void)state;
    static const uint8_t funcs[] = {0x01, 0x00};
    static const uint8_t table[] = {0x01, 0x70, 0x00, 0x02};
    static const uint8_t code[] = {0x01, 0x02, 0x00, 0x0b};
    struct {
        uint8_t payload[10];
        size_t len;
        core_image_verdict_t want;
    } cases[] = {
        {{0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x00, 0x00}, 8, CORE_IMAGE_NO_SIGNATURE},
        {{0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x00, 0x01}, 8, CORE_IMAGE_MALFORMED}, /* no function 1 */
        {{0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x00}, 7, CORE_IMAGE_BAD_SECTION_SIZE},
        {{0x01, 0x00, 0x42, 0x00, 0x0b, 0x01, 0x00}, 7, CORE_IMAGE_MALFORMED},       /* i64 offset */
        {{0x01, 0x02, 0x00, 0x41, 0x00, 0x0b, 0x00, 0x01, 0x00}, 9, CORE_IMAGE_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_t m;
        header(&m);
        section(&m, 1, TYPES, sizeof(TYPES));
        section(&m, 3, funcs, sizeof(funcs));
        section(&m, 4, table, sizeof(table));
        section(&m, 9, cases[i].payload, cases[i].len);
        section(&m, 10, code, sizeof(code));
        core_image_verdict_t v = check(&m);
        if (v != cases[i].want) {
            fail_msg("element case %zu: got %s, want %s", i, core_image_verdict_name(v),
                     core_image_verdict_name(cases[i].want));
        }
    }
}

/* Code bodies with the instruction decoder directly. */
static wasm_code_status_t scan(const uint8_t *body, size_t len, wasm_code_facts_t *facts)
{
    const wasm_code_env_t env = {
        .params = 1, .types = 2, .functions = 3, .globals = 2, .has_memory = true, .has_table = false};
    return wasm_code_scan(body, len, &env, facts);
}

#define SCAN(want, ...)                                                                                                \
    do {                                                                                                               \
        const uint8_t body_[] = {__VA_ARGS__};                                                                         \
        wasm_code_facts_t f_;                                                                                          \
        wasm_code_status_t got_ = scan(body_, sizeof(body_), &f_);                                                     \
        if (got_ != (want)) {                                                                                          \
            fail_msg("line %d: status %d, want %d (stopped at %zu)", __LINE__, got_, (want), f_.error_at);            \
        }                                                                                                              \
    } while (0)

static void instructions(void **state)
{
    (void)state;
    SCAN(WASM_CODE_OK, 0x00, 0x0b);
    SCAN(WASM_CODE_MALFORMED, 0x00);             /* no end */
    SCAN(WASM_CODE_MALFORMED, 0x00, 0x0b, 0x01); /* bytes after the final end */
    SCAN(WASM_CODE_MALFORMED, 0x00, 0x02, 0x40, 0x0b);
    /* Locals: params + declared, checked by local.get; caps. */
    SCAN(WASM_CODE_OK, 0x01, 0x02, 0x7f, 0x20, 0x02, 0x1a, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x01, 0x02, 0x7f, 0x20, 0x03, 0x1a, 0x0b);
    SCAN(WASM_CODE_MALFORMED, 0x01, 0x01, 0x40, 0x0b);
    SCAN(WASM_CODE_OK, 0x01, 0xff, 0x07, 0x7f, 0x0b);       /* 1 + 1023 */
    SCAN(WASM_CODE_TOO_MANY_LOCALS, 0x01, 0x80, 0x08, 0x7f, 0x0b); /* 1 + 1024 */
    SCAN(WASM_CODE_TOO_MANY_LOCALS, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x01, 0x7f, 0x0b);
    /* Branches: depth counted, labels in range. */
    SCAN(WASM_CODE_OK, 0x00, 0x02, 0x40, 0x0c, 0x01, 0x0b, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x02, 0x40, 0x0c, 0x02, 0x0b, 0x0b);
    SCAN(WASM_CODE_OK, 0x00, 0x41, 0x01, 0x04, 0x40, 0x05, 0x0b, 0x0b);
    SCAN(WASM_CODE_OK, 0x00, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x00, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x01, 0x0b);
    SCAN(WASM_CODE_MALFORMED, 0x00, 0x41, 0x00, 0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x02, 0x7b, 0x0b, 0x0b); /* v128 block */
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x02, 0x00, 0x0b, 0x0b); /* type-index block */
    /* Calls and globals. */
    SCAN(WASM_CODE_OK, 0x00, 0x10, 0x02, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x10, 0x03, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b); /* no table */
    SCAN(WASM_CODE_OK, 0x00, 0x23, 0x01, 0x24, 0x00, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x23, 0x02, 0x1a, 0x0b);
    /* Memory instructions. */
    SCAN(WASM_CODE_OK, 0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x1a, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x41, 0x00, 0x28, 0x03, 0x00, 0x1a, 0x0b);
    SCAN(WASM_CODE_OK, 0x00, 0x41, 0x00, 0x29, 0x03, 0x08, 0x1a, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x41, 0x00, 0x2d, 0x01, 0x00, 0x1a, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x41, 0x00, 0x28, 0x42, 0x00, 0x00, 0x1a, 0x0b); /* multi-memory form */
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0x41, 0x00, 0x40, 0x01, 0x1a, 0x0b);
    /* Constants: LEB128 widths and sign bits (spec 5.2.2). */
    SCAN(WASM_CODE_OK, 0x00, 0x41, 0xff, 0xff, 0xff, 0xff, 0x07, 0x1a, 0x0b); /* INT32_MAX */
    SCAN(WASM_CODE_OK, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x1a, 0x0b); /* INT32_MIN */
    SCAN(WASM_CODE_BAD_LEB, 0x00, 0x41, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1a, 0x0b);
    SCAN(WASM_CODE_BAD_LEB, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a, 0x0b);
    SCAN(WASM_CODE_OK, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, 0x1a, 0x0b);
    SCAN(WASM_CODE_OK, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a, 0x0b);
    SCAN(WASM_CODE_BAD_LEB, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x1a, 0x0b);
    SCAN(WASM_CODE_OK, 0x00, 0x43, 0, 0, 0x80, 0x3f, 0x1a, 0x0b);
    SCAN(WASM_CODE_MALFORMED, 0x00, 0x44, 0, 0, 0, 0, 0, 0, 0xf0);
    /* Extensions asc emits: saturating truncations and sign extension. */
    for (uint8_t sub = 0; sub <= 7; sub++) {
        const uint8_t body[] = {0x00, 0x43, 0, 0, 0, 0, 0xfc, sub, 0x1a, 0x0b};
        wasm_code_facts_t f;
        assert_int_equal(scan(body, sizeof(body), &f), WASM_CODE_OK);
    }
    for (uint8_t op = 0xc0; op <= 0xc4; op++) {
        const uint8_t body[] = {0x00, 0x41, 0x00, op, 0x1a, 0x0b};
        wasm_code_facts_t f;
        assert_int_equal(scan(body, sizeof(body), &f), WASM_CODE_OK);
    }
    /* Everything else is refused: bulk memory, SIMD, references, exceptions, ... */
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0xfc, 0x08, 0x00, 0x00, 0x0b);
    SCAN(WASM_CODE_BAD_INSTRUCTION, 0x00, 0xfc, 0x0b, 0x00, 0x0b);
    SCAN(WASM_CODE_BAD_LEB, 0x00, 0xfc, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b);
    static const uint8_t refused[] = {0x06, 0x08, 0x12, 0x1c, 0x25, 0x26, 0xc5, 0xd0, 0xd2, 0xfb, 0xfd, 0xfe, 0xff};
    for (size_t i = 0; i < sizeof(refused); i++) {
        const uint8_t body[] = {0x00, refused[i], 0x00, 0x0b};
        wasm_code_facts_t f;
        assert_int_equal(scan(body, sizeof(body), &f), WASM_CODE_BAD_INSTRUCTION);
        assert_int_equal(f.error_at, 1);
    }
    /* memory.grow / memory.size are found wherever they are. */
    const uint8_t grow[] = {0x00, 0x02, 0x40, 0x41, 0x00, 0x40, 0x00, 0x1a, 0x0b, 0x0b};
    const uint8_t size[] = {0x00, 0x3f, 0x00, 0x1a, 0x0b};
    wasm_code_facts_t f;
    assert_int_equal(scan(grow, sizeof(grow), &f), WASM_CODE_OK);
    assert_true(f.memory_grow);
    assert_false(f.memory_size);
    assert_int_equal(scan(size, sizeof(size), &f), WASM_CODE_OK);
    assert_true(f.memory_size);
    assert_false(f.memory_grow);
    /* The memory.grow byte inside an immediate is not an instruction. */
    const uint8_t hidden[] = {0x00, 0x41, 0x40, 0x1a, 0x0b}; /* i32.const -64 */
    assert_int_equal(scan(hidden, sizeof(hidden), &f), WASM_CODE_OK);
    assert_false(f.memory_grow);
}

/* ---- the good fixture, cut and limited --------------------------------- */

static uint8_t *good(size_t *len)
{
    uint8_t *b = core_fixture_bytes(CORE_FIXTURES, "good", len);
    assert_non_null(b);
    return b;
}

/* Every prefix: a cut inside a section is TRUNCATED, a cut between two
 * sections leaves a module without its signature. Never OK. */
static void every_prefix(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = good(&len);
    /* Section boundaries, walked independently of the validator; a cut
     * after the function section but before the code section leaves
     * functions without bodies. */
    static core_image_verdict_t at_boundary[65536];
    assert_true(len < sizeof(at_boundary) / sizeof(at_boundary[0]));
    for (size_t i = 0; i < len; i++) {
        at_boundary[i] = CORE_IMAGE_TRUNCATED;
    }
    size_t p = 8;
    bool functions = false;
    at_boundary[p] = CORE_IMAGE_NO_SIGNATURE;
    while (p < len) {
        uint8_t id = b[p++];
        functions = (functions || id == 3) && id != 10;
        uint32_t size = 0;
        for (unsigned shift = 0;; shift += 7) {
            uint8_t c = b[p++];
            size |= (uint32_t)(c & 0x7f) << shift;
            if (!(c & 0x80)) {
                break;
            }
        }
        p += size;
        if (p < len) {
            at_boundary[p] = functions ? CORE_IMAGE_MALFORMED : CORE_IMAGE_NO_SIGNATURE;
        }
    }
    assert_int_equal(p, len);
    for (size_t n = 0; n < len; n++) {
        core_image_info_t info;
        core_image_verdict_t v = core_image_check(b, n, NULL, &info);
        core_image_verdict_t want = n < 8 ? CORE_IMAGE_NOT_WASM : at_boundary[n];
        if (v != want) {
            fail_msg("prefix of %zu bytes: %s, want %s", n, core_image_verdict_name(v), core_image_verdict_name(want));
        }
    }
    free(b);
}

static void limits_and_info(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = good(&len);
    core_image_info_t info;
    core_image_limits_t l = core_image_limits_default();
    assert_int_equal(l.max_len, 32768);
    assert_int_equal(l.max_memory, 16384);
    assert_null(l.sha256);
    assert_int_equal(core_image_check(b, len, NULL, &info), CORE_IMAGE_OK);
    assert_false(info.has_sha256); /* no hook, no hash */
    assert_int_equal(info.memory_bytes, 4096);
    assert_int_equal(info.error_offset, 0);
    l.max_len = len;
    assert_int_equal(core_image_check(b, len, &l, &info), CORE_IMAGE_OK);
    l.max_len = len - 1;
    assert_int_equal(core_image_check(b, len, &l, &info), CORE_IMAGE_TOO_LARGE);
    l = core_image_limits_default();
    l.max_memory = 4096;
    assert_int_equal(core_image_check(b, len, &l, &info), CORE_IMAGE_OK);
    l.max_memory = 4095;
    assert_int_equal(core_image_check(b, len, &l, &info), CORE_IMAGE_MEMORY_TOO_LARGE);
    /* info is fully rewritten on each call. */
    memset(&info, 0xa5, sizeof(info));
    assert_int_equal(core_image_check(b, 3, NULL, &info), CORE_IMAGE_NOT_WASM);
    assert_int_equal(info.version, 0);
    assert_int_equal(info.signed_len, 0);
    assert_false(info.has_sha256);
    free(b);
}

static void verdict_texts(void **state)
{
    (void)state;
    for (int a = 0; a < CORE_IMAGE_VERDICT_COUNT; a++) {
        const char *t = core_image_verdict_text((core_image_verdict_t)a);
        const char *n = core_image_verdict_name((core_image_verdict_t)a);
        assert_non_null(t);
        assert_non_null(n);
        assert_true(strlen(t) > 5 && strlen(t) < 160);
        assert_null(strchr(t, '\n'));
        assert_true(a == CORE_IMAGE_OK ? strcmp(t, "accepted") == 0 : strncmp(t, "refused: ", 9) == 0);
        for (int b = 0; b < a; b++) {
            assert_string_not_equal(t, core_image_verdict_text((core_image_verdict_t)b));
            assert_string_not_equal(n, core_image_verdict_name((core_image_verdict_t)b));
        }
    }
    assert_string_equal(core_image_verdict_text(CORE_IMAGE_VERDICT_COUNT), "unknown verdict");
    assert_string_equal(core_image_verdict_text((core_image_verdict_t)-1), "unknown verdict");
    assert_null(core_image_verdict_name(CORE_IMAGE_VERDICT_COUNT));
}

static void version_policy(void **state)
{
    (void)state;
    assert_false(core_image_version_acceptable(0, 0));
    assert_true(core_image_version_acceptable(0, 1));
    assert_false(core_image_version_acceptable(2, 2));
    assert_false(core_image_version_acceptable(3, 2));
    assert_true(core_image_version_acceptable(2, 3));
    assert_true(core_image_version_acceptable(UINT32_MAX - 1, UINT32_MAX));
    assert_false(core_image_version_acceptable(UINT32_MAX, 0));
}

int main(void)
{
    if (!core_fixtures_load(CORE_FIXTURES, &s_set)) {
        return 1;
    }
    static struct CMUnitTest fixture_tests[CORE_FIXTURES_MAX];
    for (size_t i = 0; i < s_set.count; i++) {
        fixture_tests[i] = (struct CMUnitTest){s_set.items[i].name, fixture_case, NULL, NULL, &s_set.items[i]};
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_and_size),
        cmocka_unit_test(section_framing),
        cmocka_unit_test(section_order),
        cmocka_unit_test(names_are_utf8),
        cmocka_unit_test(signature_sections),
        cmocka_unit_test(imports),
        cmocka_unit_test(memories_and_tables),
        cmocka_unit_test(exports_of_imports),
        cmocka_unit_test(elements),
        cmocka_unit_test(instructions),
        cmocka_unit_test(every_prefix),
        cmocka_unit_test(limits_and_info),
        cmocka_unit_test(verdict_texts),
        cmocka_unit_test(version_policy),
    };
    int failed = _cmocka_run_group_tests("core_image_fixtures", fixture_tests, s_set.count, NULL, NULL);
    failed += cmocka_run_group_tests_name("core_image", tests, NULL, NULL);
    return failed;
}
