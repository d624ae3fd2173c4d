/* http_coding: which Transfer-Encoding / Content-Encoding / Content-Length
 * combinations a PUT body may come with (docs/abi.md "HTTP contract"). The
 * expected statuses are what the simulator answers (Node's parser, then
 * sim/http.ts readBody), so that both hosts answer the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http_coding.h"

static http_header_t hdr(const char *value)
{
    if (value == NULL) {
        return (http_header_t){.present = false};
    }
    return (http_header_t){.present = true, .value = value, .len = strlen(value)};
}

static int status(const char *te, const char *ce, bool cl)
{
    http_header_t t = hdr(te);
    http_header_t c = hdr(ce);
    return http_coding_status(http_coding_check(&t, &c, cl));
}

static void plain_bodies_are_read(void **state)
{
    (void)state;
    assert_int_equal(status(NULL, NULL, true), 0);
    assert_int_equal(status(NULL, NULL, false), 0);
    assert_int_equal(status(NULL, "identity", true), 0);
    assert_int_equal(status(NULL, " IDENTITY\t", true), 0);
    assert_int_equal(status("chunked", NULL, false), 0);
    assert_int_equal(status("Chunked ", "identity", false), 0);
    /* NULL headers mean absent. */
    assert_int_equal(http_coding_check(NULL, NULL, true), HTTP_CODING_PLAIN);
}

static void compressed_body_is_415(void **state)
{
    (void)state;
    /* The review's case: Content-Encoding: br with body "led". */
    assert_int_equal(status(NULL, "br", true), 415);
    assert_int_equal(status(NULL, "gzip", true), 415);
    assert_int_equal(status(NULL, "BR", true), 415);
    assert_int_equal(status(NULL, "identity, gzip", true), 415);
    assert_int_equal(status(NULL, "identityx", true), 415);
    assert_int_equal(status(NULL, "identit", true), 415);
    assert_int_equal(status(NULL, "", true), 415);
    assert_int_equal(status(NULL, "  ", true), 415);
    assert_int_equal(status("chunked", "br", false), 415);
}

static void other_transfer_coding_is_501(void **state)
{
    (void)state;
    assert_int_equal(status("gzip", NULL, false), 501);
    assert_int_equal(status("gzip, chunked", NULL, false), 501);
    assert_int_equal(status("chunked, gzip", NULL, false), 501);
    assert_int_equal(status("chunk", NULL, false), 501);
    assert_int_equal(status("", NULL, false), 501);
    /* Transfer coding is judged first (sim/http.ts readBody). */
    assert_int_equal(status("gzip", "br", false), 501);
}

static void transfer_coding_with_content_length_is_400(void **state)
{
    (void)state;
    /* Node's parser answers 400 before any handler (RFC 9112 6.1); so does
     * esp_http_server's http_parser 2.7.0 for chunked (http_parser.c
     * "Cannot use chunked encoding and a content-length header together"). */
    assert_int_equal(status("gzip", NULL, true), 400);
    assert_int_equal(status("chunked", NULL, true), 400);
    assert_int_equal(status("gzip", "br", true), 400);
}

static void long_or_truncated_values_are_refused(void **state)
{
    (void)state;
    char pad[HTTP_CODING_VALUE_MAX + 8];
    memset(pad, ' ', sizeof(pad));
    memcpy(pad, "identity", 8);
    http_header_t ce = {.present = true, .value = pad, .len = HTTP_CODING_VALUE_MAX};
    assert_int_equal(http_coding_check(NULL, &ce, true), HTTP_CODING_PLAIN);
    ce.len = HTTP_CODING_VALUE_MAX + 1;
    assert_int_equal(http_coding_check(NULL, &ce, true), HTTP_CODING_COMPRESSED);
    /* The server copied only part of it: whatever the copy says, refuse. */
    http_header_t te = {.present = true, .truncated = true, .value = "chunked", .len = 7};
    assert_int_equal(http_coding_check(&te, NULL, false), HTTP_CODING_BAD_TRANSFER);
    /* Bytes past len are not looked at; a NUL inside is just a byte. */
    http_header_t cut = {.present = true, .value = "identity-not", .len = 8};
    assert_int_equal(http_coding_check(NULL, &cut, true), HTTP_CODING_PLAIN);
    http_header_t nul = {.present = true, .value = "ident\0ty", .len = 8};
    assert_int_equal(http_coding_check(NULL, &nul, true), HTTP_CODING_COMPRESSED);
    http_header_t null_value = {.present = true, .value = NULL, .len = 0};
    assert_int_equal(http_coding_check(NULL, &null_value, true), HTTP_CODING_COMPRESSED);
}

static void statuses(void **state)
{
    (void)state;
    assert_int_equal(http_coding_status(HTTP_CODING_PLAIN), 0);
    assert_int_equal(http_coding_status(HTTP_CODING_AMBIGUOUS), 400);
    assert_int_equal(http_coding_status(HTTP_CODING_BAD_TRANSFER), 501);
    assert_int_equal(http_coding_status(HTTP_CODING_COMPRESSED), 415);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_bodies_are_read),
        cmocka_unit_test(compressed_body_is_415),
        cmocka_unit_test(other_transfer_coding_is_501),
        cmocka_unit_test(transfer_coding_with_content_length_is_400),
        cmocka_unit_test(long_or_truncated_values_are_refused),
        cmocka_unit_test(statuses),
    };
    return cmocka_run_group_tests_name("http_coding", tests, NULL, NULL);
}
