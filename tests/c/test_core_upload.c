/* core_upload: what PUT /core decides before the validator (docs/update.md
 * "Protocol", "Board"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core_upload.h"
#include "session_guard.h"

/* As the simulator: split(';')[0].trim().toLowerCase() === 'application/wasm'. */
static void content_type(void **state)
{
    (void)state;
    assert_true(core_upload_type_ok("application/wasm"));
    assert_true(core_upload_type_ok("Application/WASM"));
    assert_true(core_upload_type_ok(" \tapplication/wasm \t"));
    assert_true(core_upload_type_ok("application/wasm; charset=binary"));
    assert_true(core_upload_type_ok("application/wasm;"));
    assert_false(core_upload_type_ok(NULL));
    assert_false(core_upload_type_ok(""));
    assert_false(core_upload_type_ok("application/octet-stream"));
    assert_false(core_upload_type_ok("application/wasm2"));
    assert_false(core_upload_type_ok("application/was"));
    assert_false(core_upload_type_ok("application/ wasm"));
    assert_false(core_upload_type_ok(";application/wasm"));
}

static void size_limit(void **state)
{
    (void)state;
    assert_false(core_upload_too_large(0, 32768));
    assert_false(core_upload_too_large(32768, 32768));
    assert_true(core_upload_too_large(32769, 32768));
    assert_true(core_upload_too_large(SIZE_MAX, 32768));
}

/* An upload may hold the server task longer than the 1 s of other
 * requests, in proportion to its declared length. */
static void request_bound(void **state)
{
    (void)state;
    assert_int_equal(CORE_UPLOAD_BASE_MS, SESSION_GUARD_REQUEST_MS);
    assert_int_equal(core_upload_request_ms(0), 1000);
    assert_int_equal(core_upload_request_ms(1), 2000);
    assert_int_equal(core_upload_request_ms(8192), 2000);
    assert_int_equal(core_upload_request_ms(8193), 3000);
    assert_int_equal(core_upload_request_ms(32768), 5000);
    assert_int_equal(core_upload_request_ms(SIZE_MAX), 1000 + 64 * 1000);
}

#define KEY_HEX                                                                                                  \
    "040e7fb6f18256e2eadbb7305264c20f3b79103dfe649b130d6edf812e6ceba5a0d595d9f40fbd71715ccb565348ace0c5693f30b3ce9" \
    "ece0d9bf385d7df83f241"

static void public_key_from_menuconfig(void **state)
{
    (void)state;
    uint8_t key[65];
    assert_int_equal(core_upload_parse_pubkey(KEY_HEX, key), CORE_UPLOAD_KEY_OK);
    assert_int_equal(key[0], 0x04);
    assert_int_equal(key[1], 0x0e);
    assert_int_equal(key[64], 0x41);
    char upper[200] = "  ";
    strcat(upper, KEY_HEX);
    strcat(upper, "\t");
    for (char *p = upper; *p != '\0'; p++) {
        if (*p >= 'a' && *p <= 'f') {
            *p = (char)(*p - 'a' + 'A');
        }
    }
    uint8_t key2[65];
    assert_int_equal(core_upload_parse_pubkey(upper, key2), CORE_UPLOAD_KEY_OK);
    assert_memory_equal(key, key2, 65);

    assert_int_equal(core_upload_parse_pubkey(NULL, key), CORE_UPLOAD_KEY_EMPTY);
    assert_int_equal(core_upload_parse_pubkey("", key), CORE_UPLOAD_KEY_EMPTY);
    assert_int_equal(core_upload_parse_pubkey("   ", key), CORE_UPLOAD_KEY_EMPTY);
    char bad[200];
    strcpy(bad, KEY_HEX);
    bad[129] = '\0'; /* 129 digits */
    assert_int_equal(core_upload_parse_pubkey(bad, key), CORE_UPLOAD_KEY_INVALID);
    for (size_t i = 0; i < 65; i++) {
        assert_int_equal(key[i], 0); /* nothing half-written */
    }
    strcpy(bad, KEY_HEX "0");
    assert_int_equal(core_upload_parse_pubkey(bad, key), CORE_UPLOAD_KEY_INVALID);
    strcpy(bad, KEY_HEX);
    bad[70] = 'g';
    assert_int_equal(core_upload_parse_pubkey(bad, key), CORE_UPLOAD_KEY_INVALID);
    strcpy(bad, KEY_HEX);
    bad[1] = '2'; /* 02...: a compressed point */
    assert_int_equal(core_upload_parse_pubkey(bad, key), CORE_UPLOAD_KEY_INVALID);
    strcpy(bad, KEY_HEX);
    bad[64] = ' ';
    assert_int_equal(core_upload_parse_pubkey(bad, key), CORE_UPLOAD_KEY_INVALID);
}

static void routes_and_status_lines(void **state)
{
    (void)state;
    assert_string_equal(core_upload_allow("/core"), "GET, PUT");
    assert_string_equal(core_upload_allow("/core?x=1"), "GET, PUT");
    assert_string_equal(core_upload_allow("/core/rollback"), "POST");
    assert_string_equal(core_upload_allow("/core/rollback#a"), "POST");
    assert_null(core_upload_allow("/core/"));
    assert_null(core_upload_allow("/cor"));
    assert_null(core_upload_allow("/core/rollbackx"));
    assert_null(core_upload_allow(NULL));
    /* Every status the update table of docs/update.md names. */
    static const int statuses[] = {200, 400, 403, 408, 409, 413, 415, 422, 503};
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        char code[8];
        snprintf(code, sizeof(code), "%d ", statuses[i]);
        assert_memory_equal(core_upload_status_line(statuses[i]), code, 4);
    }
    assert_string_equal(core_upload_status_line(422), "422 Unprocessable Content");
    assert_string_equal(core_upload_status_line(418), "500 Internal Server Error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_type),
        cmocka_unit_test(size_limit),
        cmocka_unit_test(request_bound),
        cmocka_unit_test(public_key_from_menuconfig),
        cmocka_unit_test(routes_and_status_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
