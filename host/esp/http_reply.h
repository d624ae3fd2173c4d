/*
 * Writing responses on esp_http_server: plain-text replies from
 * http_contract.h, a raw 204, and the close that ends every exchange but an
 * event stream.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "esp_err.h"
#include "esp_http_server.h"
#include "http_contract.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes all of buf on the request's socket. */
esp_err_t http_reply_send_all(httpd_req_t *req, const char *buf, size_t len);

/* Ends a non-SSE exchange: the session is closed after the handler returns
 * (and after the server has read what is left of the body). */
esp_err_t http_reply_done_close(httpd_req_t *req);

/* Ends an exchange after its answer (`sent`, the send's result): closed as
 * above when the unread body is small enough for the server to drain
 * (HTTP_BODY_DISCARD_LIMIT), ESP_FAIL (closed at once) when the send failed
 * or a larger body would have to be read first. */
esp_err_t http_reply_finish(httpd_req_t *req, esp_err_t sent, size_t unread);

/* r as text/plain with Connection: close, an Allow header when allow is not
 * NULL and Retry-After: 5 when asked. */
esp_err_t http_reply_text(httpd_req_t *req, http_reply_t r, const char *allow, bool retry_after);

/* 204 without Content-Type or Content-Length (RFC 9110, 8.6). */
esp_err_t http_reply_no_content(httpd_req_t *req);

#ifdef __cplusplus
}
#endif
