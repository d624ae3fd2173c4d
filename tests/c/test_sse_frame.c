/* sse_frame: the host's check of a core's frames during its trial. The real
 * core's frames (all shapes of docs/abi.md "SSE frames") pass; each way a
 * frame can be wrong is refused with its own verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sse_frame.h"

static sse_frame_verdict_t check(const char *frame, int32_t led, int32_t id)
{
    return sse_frame_check((const uint8_t *)frame, strlen(frame), led, id);
}

static void the_core_frames_pass(void **state)
{
    (void)state;
    assert_int_equal(check("retry: 2000\nid: 7\ndata: {\"led\":true}\n\n", 1, 7), SSE_FRAME_OK);
    assert_int_equal(check("id: 0\ndata: {\"led\":false}\n\n", 0, 0), SSE_FRAME_OK);
    assert_int_equal(check("id: 2147483647\ndata: {\"led\":false}\n\n", 0, INT32_MAX), SSE_FRAME_OK);
    assert_int_equal(check(": keepalive\n\n", 0, 0), SSE_FRAME_COMMENT);
    /* extra JSON fields after led (an ABI-compatible core may add them) */
    assert_int_equal(check("id: 3\ndata: {\"led\":true,\"core\":2}\n\n", 1, 3), SSE_FRAME_OK);
}

static void wrong_state_is_caught(void **state)
{
    (void)state;
    assert_int_equal(check("id: 7\ndata: {\"led\":true}\n\n", 0, 7), SSE_FRAME_WRONG_LED);
    assert_int_equal(check("id: 8\ndata: {\"led\":true}\n\n", 1, 7), SSE_FRAME_WRONG_ID);
}

static void malformed_frames_are_refused(void **state)
{
    (void)state;
    assert_int_equal(sse_frame_check(NULL, 0, 0, 0), SSE_FRAME_EMPTY);
    assert_int_equal(check("", 0, 0), SSE_FRAME_EMPTY);
    assert_int_equal(check("id: 1\ndata: {\"led\":true}\n", 1, 1), SSE_FRAME_BAD_END);
    assert_int_equal(check("id: 1\ndata: {\"led\":true}\n\n\n", 1, 1), SSE_FRAME_BAD_END);
    assert_int_equal(check("id: 1\r\ndata: {\"led\":true}\n\n", 1, 1), SSE_FRAME_BAD_BYTE);
    assert_int_equal(check("data: {\"led\":true}\nid: 1\n\n", 1, 1), SSE_FRAME_BAD_FIELD);
    assert_int_equal(check("event: x\nid: 1\ndata: {\"led\":true}\n\n", 1, 1), SSE_FRAME_BAD_FIELD);
    assert_int_equal(check("id: 1\n\n", 1, 1), SSE_FRAME_BAD_FIELD);
    assert_int_equal(check(": ok\nid: 1\n\n", 1, 1), SSE_FRAME_BAD_FIELD);
    assert_int_equal(check("id: 01\ndata: {\"led\":true}\n\n", 1, 1), SSE_FRAME_BAD_NUMBER);
    assert_int_equal(check("id: 2147483648\ndata: {\"led\":true}\n\n", 1, 0), SSE_FRAME_BAD_NUMBER);
    assert_int_equal(check("retry: x\nid: 1\ndata: {\"led\":true}\n\n", 1, 1), SSE_FRAME_BAD_NUMBER);
    assert_int_equal(check("id: 1\ndata: {\"led\":1}\n\n", 1, 1), SSE_FRAME_BAD_DATA);
    assert_int_equal(check("id: 1\ndata: {\"led\":truex}\n\n", 1, 1), SSE_FRAME_BAD_DATA);
    assert_int_equal(check("id: 1\ndata: {\"led\":true\n\n", 1, 1), SSE_FRAME_BAD_DATA);
    assert_int_equal(check("id: 1\ndata: [\"led\",true]\n\n", 1, 1), SSE_FRAME_BAD_DATA);
    uint8_t big[SSE_FRAME_MAX + 1];
    memset(big, ':', sizeof(big));
    assert_int_equal(sse_frame_check(big, sizeof(big), 0, 0), SSE_FRAME_EMPTY);
    uint8_t nul[] = {'i', 'd', ':', ' ', '1', 0, '\n', '\n'};
    assert_int_equal(sse_frame_check(nul, sizeof(nul), 0, 1), SSE_FRAME_BAD_BYTE);
}

static void every_verdict_has_a_text(void **state)
{
    (void)state;
    for (int v = 0; v < SSE_FRAME_VERDICT_COUNT; v++) {
        const char *t = sse_frame_verdict_text((sse_frame_verdict_t)v);
        assert_non_null(t);
        assert_true(strlen(t) > 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_core_frames_pass),
        cmocka_unit_test(wrong_state_is_caught),
        cmocka_unit_test(malformed_frames_are_refused),
        cmocka_unit_test(every_verdict_has_a_text),
    };
    return cmocka_run_group_tests_name("sse_frame", tests, NULL, NULL);
}
