/* http_contract: routes, methods, icon_put -> status mapping, the body
 * length policy and the socket budget of docs/abi.md and docs/firmware.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core_abi.h"
#include "http_contract.h"

static void routes(void **state)
{
    (void)state;
    assert_int_equal(http_contract_route("/"), HTTP_ROUTE_PAGE);
    assert_int_equal(http_contract_route("/index.html"), HTTP_ROUTE_PAGE);
    assert_int_equal(http_contract_route("/demo_sse"), HTTP_ROUTE_SSE);
    assert_int_equal(http_contract_route("/icon"), HTTP_ROUTE_ICON);
    /* Query strings and fragments do not change the route. */
    assert_int_equal(http_contract_route("/demo_sse?t=1"), HTTP_ROUTE_SSE);
    assert_int_equal(http_contract_route("/?x"), HTTP_ROUTE_PAGE);
    assert_int_equal(http_contract_route("/icon#a"), HTTP_ROUTE_ICON);
    /* Exact paths only. */
    assert_int_equal(http_contract_route("/icon/"), HTTP_ROUTE_NONE);
    assert_int_equal(http_contract_route("/ICON"), HTTP_ROUTE_NONE);
    assert_int_equal(http_contract_route("/index.htm"), HTTP_ROUTE_NONE);
    assert_int_equal(http_contract_route("/index.html.gz"), HTTP_ROUTE_NONE);
    assert_int_equal(http_contract_route("/demo_sse2"), HTTP_ROUTE_NONE);
    assert_int_equal(http_contract_route("//"), HTTP_ROUTE_NONE);
    assert_int_equal(http_contract_route(""), HTTP_ROUTE_NONE);
    assert_int_equal(http_contract_route("?"), HTTP_ROUTE_NONE);
    assert_int_equal(http_contract_route(NULL), HTTP_ROUTE_NONE);
}

static void methods_and_allow(void **state)
{
    (void)state;
    assert_string_equal(http_contract_allow(HTTP_ROUTE_PAGE), "GET");
    assert_string_equal(http_contract_allow(HTTP_ROUTE_SSE), "GET");
    assert_string_equal(http_contract_allow(HTTP_ROUTE_ICON), "PUT");
    assert_null(http_contract_allow(HTTP_ROUTE_NONE));
    assert_true(http_contract_method_allowed(HTTP_ROUTE_PAGE, "GET"));
    assert_true(http_contract_method_allowed(HTTP_ROUTE_ICON, "PUT"));
    assert_false(http_contract_method_allowed(HTTP_ROUTE_ICON, "GET"));
    assert_false(http_contract_method_allowed(HTTP_ROUTE_PAGE, "POST"));
    assert_false(http_contract_method_allowed(HTTP_ROUTE_PAGE, "HEAD"));
    assert_false(http_contract_method_allowed(HTTP_ROUTE_PAGE, "get"));
    assert_false(http_contract_method_allowed(HTTP_ROUTE_NONE, "GET"));
    assert_false(http_contract_method_allowed(HTTP_ROUTE_ICON, NULL));
}

static void put_codes_map_to_abi_statuses(void **state)
{
    (void)state;
    static const struct {
        int32_t code;
        int status;
        const char *line;
    } table[] = {
        {CORE_PUT_OK, 204, "204 No Content"},
        {CORE_PUT_UNKNOWN_ICON, 404, "404 Not Found"},
        {CORE_PUT_BAD_BODY, 400, "400 Bad Request"},
        {CORE_PUT_TOO_LARGE, 413, "413 Content Too Large"},
        {CORE_PUT_QUEUE_FULL, 503, "503 Service Unavailable"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        http_reply_t r = http_contract_put_reply(table[i].code);
        assert_int_equal(r.status, table[i].status);
        assert_string_equal(r.status_line, table[i].line);
        /* The status line starts with the number it claims. */
        assert_int_equal(atoi(r.status_line), r.status);
        if (r.status == 204) {
            assert_null(r.text);
        } else {
            assert_non_null(r.text);
            assert_true(strlen(r.text) > 0);
        }
    }
}

static void unknown_put_codes_are_500(void **state)
{
    (void)state;
    const int32_t bad[] = {-1, 5, 99, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        http_reply_t r = http_contract_put_reply(bad[i]);
        assert_int_equal(r.status, 500);
        assert_string_equal(r.status_line, "500 Internal Server Error");
    }
}

static void host_error_replies(void **state)
{
    (void)state;
    const int statuses[] = {400, 404, 405, 408, 413, 415, 501, 503};
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        http_reply_t r = http_contract_error_reply(statuses[i]);
        assert_int_equal(r.status, statuses[i]);
        assert_int_equal(atoi(r.status_line), statuses[i]);
        assert_non_null(r.text);
    }
    assert_int_equal(http_contract_error_reply(418).status, 500);
}

static void body_policy(void **state)
{
    (void)state;
    assert_int_equal(http_contract_body_action(0, 64), HTTP_BODY_READ);
    assert_int_equal(http_contract_body_action(3, 64), HTTP_BODY_READ);
    assert_int_equal(http_contract_body_action(64, 64), HTTP_BODY_READ);
    assert_int_equal(http_contract_body_action(65, 64), HTTP_BODY_REJECT_DRAIN);
    assert_int_equal(http_contract_body_action(HTTP_BODY_DISCARD_LIMIT, 64), HTTP_BODY_REJECT_DRAIN);
    assert_int_equal(http_contract_body_action(HTTP_BODY_DISCARD_LIMIT + 1, 64), HTTP_BODY_REJECT_ABORT);
    assert_int_equal(http_contract_body_action(SIZE_MAX, 64), HTTP_BODY_REJECT_ABORT);
    /* A core that accepts nothing: any byte is too much. */
    assert_int_equal(http_contract_body_action(1, 0), HTTP_BODY_REJECT_DRAIN);
    assert_int_equal(http_contract_body_action(0, 0), HTTP_BODY_READ);
}

static void socket_budget(void **state)
{
    (void)state;
    /* ESP32 defaults of this project: LWIP_MAX_SOCKETS=16, 10 SSE clients. */
    assert_int_equal(http_contract_open_sockets(16), 13);
    assert_true(http_contract_socket_budget_ok(16, 10));
    assert_true(http_contract_socket_budget_ok(16, 11));
    assert_false(http_contract_socket_budget_ok(16, 12));
    /* ESP-IDF's own default of 10 sockets cannot hold 10 streams. */
    assert_false(http_contract_socket_budget_ok(10, 10));
    assert_true(http_contract_socket_budget_ok(10, 5));
    assert_int_equal(http_contract_open_sockets(3), 0);
    assert_int_equal(http_contract_open_sockets(0), 0);
    assert_false(http_contract_socket_budget_ok(3, 1));
    assert_false(http_contract_socket_budget_ok(5, 1));
    assert_true(http_contract_socket_budget_ok(6, 1));
    assert_false(http_contract_socket_budget_ok(16, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routes),
        cmocka_unit_test(methods_and_allow),
        cmocka_unit_test(put_codes_map_to_abi_statuses),
        cmocka_unit_test(unknown_put_codes_are_500),
        cmocka_unit_test(host_error_replies),
        cmocka_unit_test(body_policy),
        cmocka_unit_test(socket_budget),
    };
    return cmocka_run_group_tests_name("http_contract", tests, NULL, NULL);
}
