/* http_etag: If-None-Match against the page's ETag (RFC 9110 13.1.2, weak
 * comparison), from the vectors the simulator's test reads too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http_etag.h"

/* "\t" in a vector stands for a tab. */
static void unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] == 't') {
            *w++ = '\t';
            r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static void shared_vectors(void **state)
{
    (void)state;
    FILE *f = fopen(IF_NONE_MATCH_VECTORS, "r");
    assert_non_null(f);
    char line[512];
    char etag[512] = "";
    int checked = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "# etag ", 7) == 0) {
            snprintf(etag, sizeof(etag), "%s", line + 7);
            continue;
        }
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        assert_true((line[0] == '0' || line[0] == '1') && line[1] == ' ');
        bool want = line[0] == '1';
        char *value = line + 2;
        unescape(value);
        const char *field = strcmp(value, "<none>") == 0 ? NULL : value;
        bool got = http_etag_none_match_hit(field, etag);
        if (got != want) {
            fail_msg("If-None-Match [%s] vs ETag %s: expected %s", value, etag, want ? "304" : "200");
        }
        checked++;
    }
    fclose(f);
    assert_true(etag[0] == '"');
    assert_true(checked >= 30);
}

static void our_etag_must_be_valid(void **state)
{
    (void)state;
    assert_true(http_etag_valid("\"abc\""));
    assert_true(http_etag_valid("W/\"abc\""));
    assert_true(http_etag_valid("\"\""));
    assert_false(http_etag_valid("abc"));
    assert_false(http_etag_valid("\"abc\" "));
    assert_false(http_etag_valid("\"a\"b\""));
    assert_false(http_etag_valid("\"a b\"")); /* SP is not an etagc */
    assert_false(http_etag_valid(NULL));
    /* An invalid ETag of our own never produces a 304. */
    assert_false(http_etag_none_match_hit("abc", "abc"));
    assert_false(http_etag_none_match_hit("*", "abc"));
}

static void weak_etag_of_ours_compares_weakly(void **state)
{
    (void)state;
    assert_true(http_etag_none_match_hit("\"v1\"", "W/\"v1\""));
    assert_true(http_etag_none_match_hit("W/\"v1\"", "W/\"v1\""));
    assert_false(http_etag_none_match_hit("\"v2\"", "W/\"v1\""));
}

static void obs_text_is_an_etagc(void **state)
{
    (void)state;
    assert_true(http_etag_none_match_hit("\"caf\xc3\xa9\"", "\"caf\xc3\xa9\""));
    assert_false(http_etag_none_match_hit("\"a\x7f\"", "\"a\x7f\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_vectors),
        cmocka_unit_test(our_etag_must_be_valid),
        cmocka_unit_test(weak_etag_of_ours_compares_weakly),
        cmocka_unit_test(obs_text_is_an_etagc),
    };
    return cmocka_run_group_tests_name("http_etag", tests, NULL, NULL);
}
