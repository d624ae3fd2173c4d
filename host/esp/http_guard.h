/*
 * Time limits of every connection of the board's HTTP server
 * (session_guard.h has the numbers): a connection that sends no request is
 * closed after SESSION_GUARD_IDLE_MS, and no request (head, body, answer)
 * holds the server task longer than SESSION_GUARD_REQUEST_MS. Event streams
 * are exempt once marked. Everything here runs on the server task.
 */
#pragma once

#include <stdint.h>

#include "esp_err.h"
#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Before httpd_start. */
void http_guard_init(void);

/* httpd_config_t.open_fn: records the connection and installs the recv/send
 * overrides. Never fails (a failing open_fn makes esp_http_server close the
 * socket twice). */
esp_err_t http_guard_on_open(httpd_handle_t hd, int fd);

/* From close_fn, before the socket is closed: a connection that stopped
 * reading is reset (SO_LINGER 0) rather than left in FIN_WAIT. */
void http_guard_on_close(int fd);

/* fd is an event stream now: never swept as idle. */
void http_guard_stream(int fd);

/* The request on fd may hold the server task for total_ms from its first
 * byte instead of SESSION_GUARD_REQUEST_MS (PUT /core, core_upload.h). */
void http_guard_extend(int fd, uint32_t total_ms);

/* fd's exchange is over; the server closes it after the handler. */
void http_guard_closing(int fd);

/* After httpd_start: the periodic sweep of idle connections. */
esp_err_t http_guard_start_sweep(httpd_handle_t server);

#ifdef __cplusplus
}
#endif
