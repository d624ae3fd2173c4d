/*
 * The HTTP side of docs/abi.md as plain data: which route a path is, which
 * methods it allows, what status and text an icon_put code becomes, what to
 * do with a request body of a given length, and the socket budget.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    HTTP_ROUTE_NONE = 0, /* no such path: 404 */
    HTTP_ROUTE_PAGE,     /* GET / and /index.html */
    HTTP_ROUTE_SSE,      /* GET /demo_sse */
    HTTP_ROUTE_ICON,     /* PUT /icon */
} http_route_t;

typedef struct {
    int status;              /* e.g. 204 */
    const char *status_line; /* e.g. "204 No Content" (for httpd_resp_set_status) */
    const char *text;        /* short text/plain body; NULL for 204 */
} http_reply_t;

typedef enum {
    HTTP_BODY_READ = 0,     /* fits: read it and hand it to the core */
    HTTP_BODY_REJECT_DRAIN, /* 413; small enough for the server to read and discard first */
    HTTP_BODY_REJECT_ABORT, /* 413 and close at once: not worth reading at all */
} http_body_action_t;

/* Bodies larger than the core's capacity but at most this many bytes are
 * drained by the server after the 413, so that closing the connection does
 * not reset it before the client has read the answer; larger ones are not
 * read at all. */
#define HTTP_BODY_DISCARD_LIMIT 1024u

/* True when the request target's path (before any '?' or '#') is exactly
 * `path`; false for a NULL target. */
bool http_contract_path_is(const char *uri, const char *path);

/* Route of a request target: the path before any '?' or '#'. */
http_route_t http_contract_route(const char *uri);

/* The Allow header value of a route ("GET" / "PUT"), NULL for NONE. */
const char *http_contract_allow(http_route_t route);

/* True when method (e.g. "GET") is the one the route serves. */
bool http_contract_method_allowed(http_route_t route, const char *method);

/* Status and text for an icon_put result code; an unknown code (a core
 * bug) becomes 500. */
http_reply_t http_contract_put_reply(int32_t code);

/* Status and text for the host's own errors: 400 (ambiguous body framing),
 * 404, 405, 408, 413, 415, 500, 501, 503. */
http_reply_t http_contract_error_reply(int status);

/* What to do with a PUT body of content_len bytes when the core accepts at
 * most capacity bytes. */
http_body_action_t http_contract_body_action(size_t content_len, size_t capacity);

/* Sockets esp_http_server keeps for itself (listen + 2 control sockets). */
#define HTTP_SERVER_INTERNAL_SOCKETS 3u
/* Sockets kept free for page loads and PUT /icon beside the SSE streams. */
#define HTTP_SPARE_SOCKETS 2u

/* max_open_sockets for esp_http_server given LWIP_MAX_SOCKETS: everything
 * lwIP has except the server's internal sockets (0 if that is not positive). */
size_t http_contract_open_sockets(size_t lwip_max_sockets);

/* True when max_sse_clients streams plus the spare sockets fit. */
bool http_contract_socket_budget_ok(size_t lwip_max_sockets, size_t max_sse_clients);

#ifdef __cplusplus
}
#endif
