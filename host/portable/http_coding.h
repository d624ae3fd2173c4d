/*
 * Whether a request body arrives in a form the core can read, from the
 * Transfer-Encoding, Content-Encoding and Content-Length headers
 * (docs/abi.md "HTTP contract"). The values are untrusted bytes from the
 * client; nothing here allocates or writes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    HTTP_CODING_PLAIN = 0,      /* read the body as it is */
    HTTP_CODING_AMBIGUOUS,      /* 400: Transfer-Encoding and Content-Length together */
    HTTP_CODING_BAD_TRANSFER,   /* 501: a transfer coding other than chunked */
    HTTP_CODING_COMPRESSED,     /* 415: a content coding other than identity */
} http_coding_t;

/* One request header as the server found it. */
typedef struct {
    bool present;
    bool truncated; /* longer than the buffer it was copied to */
    const char *value;
    size_t len;
} http_header_t;

/* Longest header value the decision looks at; a longer one is refused
 * (the accepted values, trimmed, are 7 and 8 bytes). */
#define HTTP_CODING_VALUE_MAX 32u

/* The decision, in the order the simulator (Node's parser, then
 * sim/http.ts readBody) applies it:
 *  1. Transfer-Encoding with Content-Length: 400 (RFC 9112 6.1; Node's
 *     parser rejects it, and so does esp_http_server's when it is chunked);
 *  2. Transfer-Encoding other than "chunked": 501 (RFC 9112 6.1);
 *  3. Content-Encoding other than "identity": 415 (RFC 9110 15.5.16).
 * Values compare case-insensitively after trimming spaces and tabs; a
 * present but empty value is refused. */
http_coding_t http_coding_check(const http_header_t *transfer_encoding, const http_header_t *content_encoding,
                                bool has_content_length);

/* HTTP status of a refusal (400, 415, 501); 0 for HTTP_CODING_PLAIN. */
int http_coding_status(http_coding_t c);

#ifdef __cplusplus
}
#endif
