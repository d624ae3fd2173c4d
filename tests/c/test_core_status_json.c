/* core_status_json: the JSON of GET /core (docs/update.md "Protocol"), with
 * the members and order of the simulator's status() (sim/core-update.ts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core_rollback.h"
#include "core_status_json.h"

#define SHA_AB_HEX "abababababababababababababababababababababababababababababababab"
#define SHA_01_HEX "0101010101010101010101010101010101010101010101010101010101010101"

static core_status_t uploaded_on_trial(void)
{
    core_status_t s = {
        .abi = 2,
        .updates = "enabled",
        .running = {.source = CORE_SOURCE_UPLOADED, .slot = 0, .version = 1764090000u, .size = 1914},
        .state = CORE_RUN_TRIAL,
        .since_ms = 81234,
        .traps = 0,
        .has_previous = true,
        .previous = {.source = CORE_SOURCE_EMBEDDED, .slot = -1, .version = 0, .size = 1781},
        .watch_traps = 3,
        .watch_window_ms = 60000,
        .has_refusal = true,
        .refusal_status = 403,
        .refusal_reason = "refused: the signature does not verify with the project's key",
        .refusal_at_ms = 80120,
    };
    memset(s.running.sha256, 0xab, 32);
    memset(s.previous.sha256, 0x01, 32);
    return s;
}

static void the_documented_example(void **state)
{
    (void)state;
    core_status_t s = uploaded_on_trial();
    char buf[CORE_STATUS_JSON_MAX];
    size_t n = core_status_json(&s, buf, sizeof(buf));
    const char *want =
        "{\"abi\":2,\"updates\":\"enabled\","
        "\"running\":{\"source\":\"uploaded\",\"slot\":\"A\",\"version\":1764090000,\"sha256\":\"" SHA_AB_HEX "\","
        "\"size\":1914,\"state\":\"trial\",\"since_ms\":81234,\"traps\":0},"
        "\"previous\":{\"source\":\"embedded\",\"version\":0,\"sha256\":\"" SHA_01_HEX "\",\"size\":1781},"
        "\"watch\":{\"traps\":3,\"window_ms\":60000},"
        "\"last_refusal\":{\"status\":403,\"reason\":\"refused: the signature does not verify with the project's key\","
        "\"at_ms\":80120},"
        "\"last_rollback\":null}";
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void embedded_running_good_previous_and_a_rollback(void **state)
{
    (void)state;
    core_status_t s = uploaded_on_trial();
    s.running = (core_status_core_t){.source = CORE_SOURCE_EMBEDDED, .slot = 1, .version = 9, .size = 1781};
    s.state = CORE_RUN_GOOD; /* ignored for the embedded core */
    s.has_previous = false;
    s.has_refusal = false;
    s.has_rollback = true;
    s.rollback_reason = "3 faults within 60000 ms: slot B (version 7) is bad, the embedded core runs";
    s.rollback_at_ms = UINT32_MAX;
    s.updates = "disabled: no public key";
    char buf[CORE_STATUS_JSON_MAX];
    core_status_json(&s, buf, sizeof(buf));
    assert_non_null(strstr(buf, "\"running\":{\"source\":\"embedded\",\"slot\":null,\"version\":0,"));
    assert_non_null(strstr(buf, "\"state\":\"embedded\""));
    assert_non_null(strstr(buf, "\"previous\":null,"));
    assert_non_null(strstr(buf, "\"last_refusal\":null,"));
    assert_non_null(strstr(buf, "\"updates\":\"disabled: no public key\""));
    assert_non_null(strstr(buf, "\"last_rollback\":{\"reason\":\"3 faults within 60000 ms: slot B (version 7) is "
                                "bad, the embedded core runs\",\"at_ms\":4294967295}}"));

    /* A good uploaded core with a good uploaded previous one. */
    s = uploaded_on_trial();
    s.state = CORE_RUN_GOOD;
    s.running.slot = 1;
    s.previous = (core_status_core_t){.source = CORE_SOURCE_UPLOADED, .slot = 0, .version = 41, .size = 2000};
    core_status_json(&s, buf, sizeof(buf));
    assert_non_null(strstr(buf, "\"slot\":\"B\",\"version\":1764090000,"));
    assert_non_null(strstr(buf, "\"state\":\"good\""));
    assert_non_null(strstr(buf, "\"previous\":{\"source\":\"uploaded\",\"slot\":\"A\",\"version\":41,"));
    /* Uploaded but not stored (a flash error): no slot. */
    s.running.slot = -1;
    core_status_json(&s, buf, sizeof(buf));
    assert_non_null(strstr(buf, "\"running\":{\"source\":\"uploaded\",\"slot\":null,"));
}

static void texts_are_escaped_and_bounded(void **state)
{
    (void)state;
    core_status_t s = uploaded_on_trial();
    s.refusal_reason = "refused: failed its trial: trapped: \"Exception\\: x\"\n\x01\xff";
    char buf[CORE_STATUS_JSON_MAX];
    core_status_json(&s, buf, sizeof(buf));
    assert_non_null(strstr(buf, "\"reason\":\"refused: failed its trial: trapped: \\\"Exception\\\\: x\\\"???\""));
    s.refusal_reason = NULL;
    core_status_json(&s, buf, sizeof(buf));
    assert_non_null(strstr(buf, "\"reason\":\"\""));
}

/* Output of the writer is one JSON object: the rollback body parser (a
 * validating JSON reader) reads it through and finds no "to". */
static void output_is_json(void **state)
{
    (void)state;
    core_status_t s = uploaded_on_trial();
    s.refusal_reason = "a \"quoted\" \\ text";
    s.has_rollback = true;
    s.rollback_reason = "why";
    char buf[CORE_STATUS_JSON_MAX];
    size_t n = core_status_json(&s, buf, sizeof(buf));
    core_rollback_req_t req;
    assert_int_equal(core_rollback_parse((const uint8_t *)buf, n, &req), CORE_ROLLBACK_BAD_TO);
    /* Cut one byte short it is not. */
    assert_int_equal(core_rollback_parse((const uint8_t *)buf, n - 1, &req), CORE_ROLLBACK_NOT_JSON);
}

/* Like snprintf: the length needed whatever the room, a NUL-terminated
 * prefix in what room there is. */
static void cut_like_snprintf(void **state)
{
    (void)state;
    core_status_t s = uploaded_on_trial();
    char full[CORE_STATUS_JSON_MAX];
    size_t n = core_status_json(&s, full, sizeof(full));
    char buf[CORE_STATUS_JSON_MAX];
    for (size_t cap = 0; cap <= n + 1; cap++) {
        memset(buf, 'x', sizeof(buf));
        assert_int_equal(core_status_json(&s, buf, cap), n);
        if (cap > 0) {
            size_t kept = cap - 1 < n ? cap - 1 : n;
            assert_int_equal(strlen(buf), kept);
            assert_memory_equal(buf, full, kept);
        }
        assert_int_equal(buf[cap], 'x'); /* nothing written past the room */
    }
    assert_int_equal(core_status_json(&s, NULL, 0), n);
}

/* The longest status fits CORE_STATUS_JSON_MAX: every number at its
 * largest, every text CORE_STATUS_TEXT_MAX quotes (each escaped to two
 * bytes). */
static void the_largest_status_fits(void **state)
{
    (void)state;
    char quotes[CORE_STATUS_TEXT_MAX + 50];
    memset(quotes, '"', sizeof(quotes) - 1);
    quotes[sizeof(quotes) - 1] = '\0';
    core_status_t s = uploaded_on_trial();
    s.abi = -2147483647 - 1;
    s.updates = quotes;
    s.running.version = UINT32_MAX;
    s.running.size = UINT32_MAX;
    s.since_ms = UINT32_MAX;
    s.traps = UINT32_MAX;
    s.previous = s.running;
    s.watch_traps = UINT32_MAX;
    s.watch_window_ms = UINT32_MAX;
    s.refusal_status = -2147483647 - 1;
    s.refusal_reason = quotes;
    s.refusal_at_ms = UINT32_MAX;
    s.has_rollback = true;
    s.rollback_reason = quotes;
    s.rollback_at_ms = UINT32_MAX;
    size_t n = core_status_json(&s, NULL, 0);
    assert_true(n < CORE_STATUS_JSON_MAX);
    /* The texts were cut at CORE_STATUS_TEXT_MAX: 3 x 200 escaped quotes. */
    char buf[CORE_STATUS_JSON_MAX];
    core_status_json(&s, buf, sizeof(buf));
    size_t escaped = 0;
    for (const char *p = buf; (p = strstr(p, "\\\"")) != NULL; p += 2) {
        escaped++;
    }
    assert_int_equal(escaped, 3 * CORE_STATUS_TEXT_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_documented_example),
        cmocka_unit_test(embedded_running_good_previous_and_a_rollback),
        cmocka_unit_test(texts_are_escaped_and_bounded),
        cmocka_unit_test(output_is_json),
        cmocka_unit_test(cut_like_snprintf),
        cmocka_unit_test(the_largest_status_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
