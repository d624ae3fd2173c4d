/*
 * Reading requests on esp_http_server, shared by the handlers: the body in
 * full, and whether its coding is one the host can read (docs/abi.md: the
 * decision is http_coding.c's).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads exactly len bytes of the body: 0, or the HTTPD_SOCK_ERR_* that
 * stopped it (HTTPD_SOCK_ERR_TIMEOUT: stalled past the request's deadline;
 * the recv override has already waited as long as that allows). */
int http_request_read_body(httpd_req_t *req, uint8_t *buf, size_t len);

/* 0 when the body is sent plain, else the status refusing it (400, 415 or
 * 501). esp_http_server hands over only the first of repeated headers. */
int http_request_coding_status(httpd_req_t *req);

/* Answers a body whose coding the host cannot read (the status above) and
 * returns true, with the send's result in *sent; false when it is plain. */
bool http_request_refused_coding(httpd_req_t *req, esp_err_t *sent);

/* After http_request_read_body failed with rr: 408 when the body stalled,
 * nothing when the client went away. Always ESP_FAIL (the session ends). */
esp_err_t http_request_body_failed(httpd_req_t *req, int rr);

#ifdef __cplusplus
}
#endif
