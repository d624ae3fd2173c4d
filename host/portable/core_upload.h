/*
 * What the board decides about a PUT /core before the validator sees a
 * byte (docs/update.md "Protocol"): the Content-Type, the Content-Length
 * against the limit, how long the upload may hold the server task, and the
 * public key from menuconfig. host/esp/core_update.c applies the answers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The media type of a core (the simulator compares the same way). */
#define CORE_UPLOAD_MEDIA_TYPE "application/wasm"

/* The request bound of an upload: the server's usual one
 * (SESSION_GUARD_REQUEST_MS) plus this much per started block of
 * CORE_UPLOAD_BLOCK_BYTES of declared body. 32 KiB: 1 s + 4 x 1 s = 5 s,
 * at least 8 KiB/s. */
#define CORE_UPLOAD_BASE_MS 1000u
#define CORE_UPLOAD_BLOCK_MS 1000u
#define CORE_UPLOAD_BLOCK_BYTES 8192u

/* Hex digits of the uncompressed P-256 public key (04 || X || Y). */
#define CORE_UPLOAD_PUBKEY_HEX_LEN 130u

/* True when the Content-Type value (NULL: absent) is application/wasm:
 * case-insensitive, parameters after ';' and spaces/tabs around ignored. */
bool core_upload_type_ok(const char *value);

/* True when a declared body of content_len bytes must be refused with 413
 * before it is read (max_len: the size limit). */
bool core_upload_too_large(size_t content_len, size_t max_len);

/* How long, from the request's first byte, the server task may wait on an
 * upload of content_len bytes (head, body and answer). */
uint32_t core_upload_request_ms(size_t content_len);

/* Routes of the update service and their methods. */
#define CORE_UPLOAD_PATH "/core"
#define CORE_UPLOAD_ROLLBACK_PATH "/core/rollback"

/* The Allow header of a 405 for uri (query ignored): "GET, PUT" for /core,
 * "POST" for /core/rollback, NULL for any other path. */
const char *core_upload_allow(const char *uri);

/* "403 Forbidden" etc. for the statuses the update service answers (200,
 * 400, 403, 408, 409, 413, 415, 422, 500, 503); "500 Internal Server
 * Error" for any other. */
const char *core_upload_status_line(int status);

typedef enum {
    CORE_UPLOAD_KEY_OK = 0,
    CORE_UPLOAD_KEY_EMPTY,   /* no key configured: updates disabled */
    CORE_UPLOAD_KEY_INVALID, /* not 130 hex digits of an uncompressed point (04 ...): updates disabled */
} core_upload_key_t;

/* Reads the menuconfig key (surrounding spaces allowed, either case) into
 * out. Whether the point is on the curve is up to core_sig. */
core_upload_key_t core_upload_parse_pubkey(const char *hex, uint8_t out[65]);

#ifdef __cplusplus
}
#endif
