#include "sse_frame.h"

#include <stdbool.h>

/* Freestanding on purpose (no libc): it is also built for the simulator's
 * Wasm validator. */
static bool starts_with(const uint8_t *p, size_t n, const char *lit)
{
    size_t i = 0;
    for (; lit[i] != '\0'; i++) {
        if (i >= n || p[i] != (uint8_t)lit[i]) {
            return false;
        }
    }
    return true;
}

static size_t lit_len(const char *lit)
{
    size_t n = 0;
    while (lit[n] != '\0') {
        n++;
    }
    return n;
}

/* A decimal u31 without leading zeros ("0" alone is fine). */
static bool parse_number(const uint8_t *p, size_t n, int32_t *out)
{
    if (n == 0 || n > 10 || (n > 1 && p[0] == '0')) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        v = v * 10u + (uint64_t)(p[i] - '0');
    }
    if (v > INT32_MAX) {
        return false;
    }
    *out = (int32_t)v;
    return true;
}

/* data: {"led":true|false} or {"led":...,<more>} — the core's JSON starts
 * with the led field (docs/abi.md); anything after it must stay inside the
 * object and be printable. */
static sse_frame_verdict_t check_data(const uint8_t *p, size_t n, int32_t expect_led)
{
    static const char head[] = "{\"led\":";
    const size_t h = sizeof(head) - 1;
    if (!starts_with(p, n, head) || n < h + 2 || p[n - 1] != '}') {
        return SSE_FRAME_BAD_DATA;
    }
    int32_t led;
    size_t used;
    if (starts_with(p + h, n - h, "true")) {
        led = 1;
        used = 4;
    } else if (starts_with(p + h, n - h, "false")) {
        led = 0;
        used = 5;
    } else {
        return SSE_FRAME_BAD_DATA;
    }
    const size_t after = h + used;
    if (after != n - 1 && p[after] != ',') {
        return SSE_FRAME_BAD_DATA;
    }
    return led == expect_led ? SSE_FRAME_OK : SSE_FRAME_WRONG_LED;
}

sse_frame_verdict_t sse_frame_check(const uint8_t *frame, size_t len, int32_t expect_led, int32_t expect_id)
{
    if (frame == NULL || len == 0 || len > SSE_FRAME_MAX) {
        return SSE_FRAME_EMPTY;
    }
    if (len < 2 || frame[len - 1] != '\n' || frame[len - 2] != '\n' || (len >= 3 && frame[len - 3] == '\n')) {
        return SSE_FRAME_BAD_END;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t c = frame[i];
        if (c != '\n' && (c < 0x20 || c > 0x7e)) {
            return SSE_FRAME_BAD_BYTE;
        }
    }
    /* Lines, without the final empty one. */
    const size_t body = len - 1;
    enum { WANT_RETRY_OR_ID, WANT_ID, WANT_DATA, DONE } want = WANT_RETRY_OR_ID;
    bool comment = frame[0] == ':';
    int32_t id = -1;
    sse_frame_verdict_t data = SSE_FRAME_BAD_FIELD;
    for (size_t at = 0; at < body;) {
        size_t end = at;
        while (frame[end] != '\n') {
            end++;
        }
        const uint8_t *line = frame + at;
        const size_t n = end - at;
        if (comment) {
            if (n == 0 || line[0] != ':') {
                return SSE_FRAME_BAD_FIELD;
            }
        } else if (want == WANT_RETRY_OR_ID && starts_with(line, n, "retry: ")) {
            int32_t retry;
            if (!parse_number(line + lit_len("retry: "), n - lit_len("retry: "), &retry)) {
                return SSE_FRAME_BAD_NUMBER;
            }
            want = WANT_ID;
        } else if ((want == WANT_RETRY_OR_ID || want == WANT_ID) && starts_with(line, n, "id: ")) {
            if (!parse_number(line + lit_len("id: "), n - lit_len("id: "), &id)) {
                return SSE_FRAME_BAD_NUMBER;
            }
            want = WANT_DATA;
        } else if (want == WANT_DATA && starts_with(line, n, "data: ")) {
            data = check_data(line + lit_len("data: "), n - lit_len("data: "), expect_led);
            want = DONE;
        } else {
            return SSE_FRAME_BAD_FIELD;
        }
        at = end + 1;
    }
    if (comment) {
        return SSE_FRAME_COMMENT;
    }
    if (want != DONE) {
        return SSE_FRAME_BAD_FIELD;
    }
    if (data != SSE_FRAME_OK) {
        return data;
    }
    return id == expect_id ? SSE_FRAME_OK : SSE_FRAME_WRONG_ID;
}

const char *sse_frame_verdict_text(sse_frame_verdict_t v)
{
    switch (v) {
    case SSE_FRAME_OK:
    case SSE_FRAME_COMMENT:
        return "ok";
    case SSE_FRAME_EMPTY:
        return "an empty or oversized frame";
    case SSE_FRAME_BAD_END:
        return "a frame that does not end with one empty line";
    case SSE_FRAME_BAD_BYTE:
        return "a frame with a CR, NUL or non-ASCII byte";
    case SSE_FRAME_BAD_FIELD:
        return "a frame with a field other than retry, id, data (in that order) or a comment";
    case SSE_FRAME_BAD_NUMBER:
        return "a frame whose retry or id is not a decimal number";
    case SSE_FRAME_BAD_DATA:
        return "a frame whose data is not {\"led\":true|false...}";
    case SSE_FRAME_WRONG_LED:
        return "a frame whose led differs from led_set";
    case SSE_FRAME_WRONG_ID:
        return "a frame whose id differs from led_set's";
    case SSE_FRAME_VERDICT_COUNT:
    default:
        return "an unknown frame verdict";
    }
}
