/*
 * The host's check of the frames a core writes (docs/update.md, "Trial"):
 * before an uploaded core serves any page, the frames of its self-test must
 * be well-formed events of docs/abi.md "SSE frames" that say what led_set
 * said. The same C runs in the simulator (compiled to Wasm with the
 * validator, scripts/build-validator.sh).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SSE_FRAME_OK = 0,
    SSE_FRAME_COMMENT,      /* a well-formed comment frame (": keepalive\n\n") */
    SSE_FRAME_EMPTY,        /* no bytes, or more than SSE_FRAME_MAX */
    SSE_FRAME_BAD_END,      /* does not end with exactly one empty line */
    SSE_FRAME_BAD_BYTE,     /* CR, NUL or a byte outside printable ASCII */
    SSE_FRAME_BAD_FIELD,    /* a line other than retry/id/data/comment, or out of order */
    SSE_FRAME_BAD_NUMBER,   /* retry or id not a decimal number that fits */
    SSE_FRAME_BAD_DATA,     /* data is not {"led":true|false ...} */
    SSE_FRAME_WRONG_LED,    /* led differs from the last led_set */
    SSE_FRAME_WRONG_ID,     /* id differs from the last led_set */
    SSE_FRAME_VERDICT_COUNT
} sse_frame_verdict_t;

/* Longest frame a core may hand over (its frame buffer is 64 bytes; room
 * for extra JSON fields). */
#define SSE_FRAME_MAX 512u

/* Checks one frame: a state frame `[retry: N\n]id: <id>\ndata: {"led":<bool>...}\n\n`
 * whose led and id match expect_led (0/1) and expect_id, or a comment frame
 * made of `:` lines. */
sse_frame_verdict_t sse_frame_check(const uint8_t *frame, size_t len, int32_t expect_led, int32_t expect_id);

/* One line saying what is wrong ("ok" for SSE_FRAME_OK and SSE_FRAME_COMMENT). */
const char *sse_frame_verdict_text(sse_frame_verdict_t v);

#ifdef __cplusplus
}
#endif
