/*
 * POST /core/rollback (docs/update.md "Protocol", "Rollback"): the body
 * {"to":"previous"|"embedded","signature":"<base64 DER>"} and the text the
 * signature covers, rollback:<to>:<sha256 of the running core, lower-case
 * hex>.
 *
 * The body is untrusted: the parser reads it once, left to right, without
 * allocation or recursion, and is fuzzed (tests/c/fuzz/fuzz_core_rollback.c).
 * It accepts what the simulator's JSON.parse accepts and reads the two
 * members as it does (the last of repeated names wins, escapes are decoded,
 * other members are allowed), with one bound: containers nested deeper than
 * CORE_ROLLBACK_MAX_DEPTH are refused. The signature is decoded as Node's
 * Buffer.from(text, 'base64') decodes ASCII: either alphabet, other
 * characters skipped, up to the first '='.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest body read (the simulator's limit too, sim/http.ts). */
#define CORE_ROLLBACK_BODY_MAX 1024u
/* Objects and arrays nested deeper than this are refused. */
#define CORE_ROLLBACK_MAX_DEPTH 32u
/* A DER ECDSA P-256 signature is 8..72 bytes, as in a signed core. */
#define CORE_ROLLBACK_SIG_MAX CORE_IMAGE_SIG_MAX_LEN
/* "rollback:" + "previous" + ":" + 64 hex digits, and a NUL. */
#define CORE_ROLLBACK_MESSAGE_MAX 96u

typedef enum {
    CORE_ROLLBACK_TO_PREVIOUS = 0, /* the previous good core, else the embedded one */
    CORE_ROLLBACK_TO_EMBEDDED,
} core_rollback_to_t;

typedef enum {
    CORE_ROLLBACK_OK = 0,
    CORE_ROLLBACK_NOT_JSON,      /* not one JSON value (RFC 8259), or nested too deep */
    CORE_ROLLBACK_NOT_OBJECT,    /* JSON, but not an object */
    CORE_ROLLBACK_BAD_TO,        /* "to" missing, not a string, or neither "previous" nor "embedded" */
    CORE_ROLLBACK_BAD_SIGNATURE, /* "signature" missing or not a string */
} core_rollback_result_t;

typedef struct {
    core_rollback_to_t to;
    /* The decoded signature; sig_ok false when it decoded to no byte or to
     * more than CORE_ROLLBACK_SIG_MAX (it cannot verify: 403, not 400). */
    uint8_t sig[CORE_ROLLBACK_SIG_MAX];
    size_t sig_len;
    bool sig_ok;
} core_rollback_req_t;

/* Parses body[0 .. len). Any result other than CORE_ROLLBACK_OK is a 400;
 * *out is fully written either way. */
core_rollback_result_t core_rollback_parse(const uint8_t *body, size_t len, core_rollback_req_t *out);

/* One line for logs. */
const char *core_rollback_result_text(core_rollback_result_t r);

/* "previous" or "embedded". */
const char *core_rollback_to_name(core_rollback_to_t to);

/* Writes rollback:<to>:<hex of sha256> and a NUL into buf; returns its
 * length, or 0 when cap is smaller than that plus one. */
size_t core_rollback_message(core_rollback_to_t to, const uint8_t sha256[32], char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
