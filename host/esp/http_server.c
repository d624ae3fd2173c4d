/*
 * The HTTP contract of docs/abi.md on esp_http_server.
 *
 * esp_http_server has no SSE support. GET /demo_sse writes the response
 * head itself, registers the socket and returns: the session stays open
 * (the server only reads it again if the browser sent something), frames
 * are written by the core task (sse_io.c), and the close callback below
 * runs when the browser goes away or a write failed.
 *
 * Every other response ends with "Connection: close" and the session is
 * closed after it, so that idle keep-alive connections never hold the
 * sockets the SSE streams need.
 */
#include "http_server.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "esp_check.h"
#include "esp_http_server.h"
#include "esp_log.h"
#include "sdkconfig.h"

#include "core_abi.h"
#include "core_task.h"
#include "core_update.h"
#include "core_upload.h"
#include "captive_portal.h"
#include "http_captive.h"
#include "http_contract.h"
#include "http_etag.h"
#include "http_guard.h"
#include "http_reply.h"
#include "http_request.h"
#include "phone_access.h"
#include "session_guard.h"
#include "sse_io.h"

static const char *TAG = "http";

/* PUT /core runs the validator, an ECDSA P-256 verification and flash
 * writes on this task (host/esp/core_update.c logs the high-water mark). */
#define HTTPD_STACK_SIZE 8192
#define SSE_OPEN_POST_WAIT_MS 100
#define CLOSE_POST_WAIT_MS 20

static http_server_config_t s_cfg;
static httpd_handle_t s_server;

/* No length and no chunked coding: the body is the frames and ends when the
 * connection closes (docs/abi.md; the simulator frames its streams alike). */
static const char SSE_HEAD[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: text/event-stream\r\n"
                               "Cache-Control: no-cache\r\n"
                               "Connection: close\r\n"
                               "\r\n";

/* The page's strong ETag, built with it (web/build.mjs,
 * dist/index.html.gz.etag, embedded by main/). */
static const char *s_page_etag;
static bool s_etag_ok;

/* If-None-Match longer than this is not read: the page is sent (200). */
#define IF_NONE_MATCH_MAX 255

/* True when the browser's copy is current (http_etag.c decides). Only the
 * first If-None-Match line is seen: esp_http_server returns the first. */
static bool page_not_modified(httpd_req_t *req)
{
    char value[IF_NONE_MATCH_MAX + 1];
    size_t len = httpd_req_get_hdr_value_len(req, "If-None-Match");
    if (!s_etag_ok || len == 0 || len > IF_NONE_MATCH_MAX ||
        httpd_req_get_hdr_value_str(req, "If-None-Match", value, sizeof(value)) != ESP_OK) {
        return false;
    }
    return http_etag_none_match_hit(value, s_page_etag);
}

static esp_err_t reply_not_modified(httpd_req_t *req)
{
    /* Written raw, like 204: httpd_resp_send() would add Content-Length: 0,
     * which a 304 may only carry with the 200's length (RFC 9110 8.6). The
     * 200's ETag and Cache-Control are repeated (15.4.5). */
    char resp[128];
    int n = snprintf(resp, sizeof(resp),
                     "HTTP/1.1 304 Not Modified\r\nETag: %s\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
                     s_page_etag);
    if (n <= 0 || (size_t)n >= sizeof(resp)) {
        return ESP_FAIL;
    }
    return http_reply_send_all(req, resp, (size_t)n);
}

static esp_err_t on_page(httpd_req_t *req)
{
    if (page_not_modified(req)) {
        return reply_not_modified(req) == ESP_OK ? http_reply_done_close(req) : ESP_FAIL;
    }
    if (s_etag_ok) {
        httpd_resp_set_hdr(req, "ETag", s_page_etag);
    }
    httpd_resp_set_type(req, "text/html; charset=utf-8");
    httpd_resp_set_hdr(req, "Content-Encoding", "gzip");
    httpd_resp_set_hdr(req, "Cache-Control", "no-cache");
    httpd_resp_set_hdr(req, "Connection", "close");
    if (httpd_resp_send(req, (const char *)s_cfg.page_gz, (ssize_t)s_cfg.page_gz_len) != ESP_OK) {
        return ESP_FAIL;
    }
    return http_reply_done_close(req);
}

static esp_err_t on_sse(httpd_req_t *req)
{
    if (!core_task_ready()) {
        /* No core to send the first frame: let EventSource come back later. */
        http_reply_text(req, http_contract_error_reply(503), NULL, true);
        return http_reply_done_close(req);
    }
    int fd = httpd_req_to_sockfd(req);
    int32_t id = -1;
    switch (sse_io_reserve(fd, &id)) {
    case SSE_IO_RESERVED:
        break;
    case SSE_IO_FULL:
        /* Open streams are left alone; EventSource retries after 5 s. */
        http_reply_text(req, http_contract_error_reply(503), NULL, true);
        return http_reply_done_close(req);
    default:
        http_reply_text(req, http_contract_error_reply(500), NULL, false);
        return http_reply_done_close(req);
    }
    /* The slot is PENDING until the head is out, so no frame can precede it. */
    if (http_reply_send_all(req, SSE_HEAD, sizeof(SSE_HEAD) - 1) != ESP_OK || !sse_io_activate(id)) {
        return ESP_FAIL; /* session deleted: the close callback frees the slot */
    }
    http_guard_stream(fd); /* never swept as idle */
    if (!core_task_post_event(CORE_EVENT_CLIENT_OPEN, id, core_task_now_ms(), pdMS_TO_TICKS(SSE_OPEN_POST_WAIT_MS))) {
        ESP_LOGW(TAG, "core queue full: closing new SSE client %d", (int)id);
        return ESP_FAIL;
    }
    return ESP_OK; /* keep the session: the core sends the first frame */
}

static esp_err_t on_icon(httpd_req_t *req)
{
    /* A body the core could not read as it is (docs/abi.md: 400, 415, 501).
     * Like a 413: a small body is drained before the close, a larger one is
     * not read at all. */
    esp_err_t sent;
    if (http_request_refused_coding(req, &sent)) {
        return http_reply_finish(req, sent, req->content_len);
    }
    size_t cap = core_task_body_capacity();
    if (cap == 0) {
        http_reply_text(req, http_contract_error_reply(503), NULL, false);
        return http_reply_finish(req, ESP_OK, req->content_len);
    }
    switch (http_contract_body_action(req->content_len, cap)) {
    case HTTP_BODY_READ:
        break;
    case HTTP_BODY_REJECT_DRAIN:
        http_reply_text(req, http_contract_put_reply(CORE_PUT_TOO_LARGE), NULL, false);
        return http_reply_done_close(req);
    case HTTP_BODY_REJECT_ABORT:
    default:
        /* Not even read: the connection goes down right after the answer. */
        http_reply_text(req, http_contract_put_reply(CORE_PUT_TOO_LARGE), NULL, false);
        return ESP_FAIL;
    }
    uint8_t body[CORE_TASK_BODY_MAX];
    size_t len = req->content_len;
    int rr = http_request_read_body(req, body, len);
    if (rr != 0) {
        return http_request_body_failed(req, rr);
    }
    int32_t code = -1;
    core_task_status_t st = core_task_icon_put(body, len, s_cfg.put_timeout_ms, &code);
    if (st != CORE_TASK_OK) {
        ESP_LOGW(TAG, "PUT /icon: core %s", st == CORE_TASK_TIMEOUT ? "did not answer in time" : "unavailable");
        http_reply_text(req, http_contract_error_reply(503), NULL, false);
        return http_reply_done_close(req);
    }
    http_reply_t r = http_contract_put_reply(code);
    esp_err_t err = (r.status == 204) ? http_reply_no_content(req) : http_reply_text(req, r, NULL, false);
    if (err != ESP_OK) {
        return ESP_FAIL;
    }
    return http_reply_done_close(req);
}

/* The server calls this for a path it has no handler for (404) and for a
 * known path with another method (405); the contract decides which one it
 * is and what Allow says. */
static esp_err_t on_http_error(httpd_req_t *req, httpd_err_code_t err)
{
    const char *allow = http_contract_allow(http_contract_route(req->uri));
#ifdef CONFIG_WASM_LED_CAPTIVE_PORTAL
    /* Connectivity probes and other sites' URLs (the DNS sent every name here). */
    esp_err_t redirected;
    if (err == HTTPD_404_NOT_FOUND && http_captive_redirected(req, &redirected)) {
        return redirected;
    }
    if (allow == NULL) {
        allow = http_captive_allow(req->uri);
    }
#else
    (void)err;
#endif
    if (allow == NULL) {
        allow = core_upload_allow(req->uri); /* /core, /core/rollback */
    }
    http_reply_text(req, http_contract_error_reply(allow != NULL ? 405 : 404), allow, false);
    return http_reply_finish(req, ESP_OK, req->content_len);
}

/* Runs for every session the server deletes, whoever ended it. With a
 * close_fn set, closing the socket is our job. */
static void on_close(httpd_handle_t hd, int fd)
{
    (void)hd;
    http_guard_on_close(fd);
    int32_t id;
    if (sse_io_forget(fd, &id) &&
        !core_task_post_event(CORE_EVENT_CLIENT_CLOSE, id, core_task_now_ms(), pdMS_TO_TICKS(CLOSE_POST_WAIT_MS))) {
        ESP_LOGW(TAG, "core queue full: close of SSE client %d not posted", (int)id);
    }
    close(fd);
}

esp_err_t http_server_start(const http_server_config_t *cfg)
{
    ESP_RETURN_ON_FALSE(cfg != NULL && cfg->page_gz != NULL && cfg->page_gz_len > 0, ESP_ERR_INVALID_ARG, TAG,
                        "no page");
    s_cfg = *cfg;

    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    s_page_etag = cfg->page_etag;
    s_etag_ok = s_page_etag != NULL && http_etag_valid(s_page_etag);
    if (!s_etag_ok) {
        ESP_LOGW(TAG, "dist/index.html.gz.etag holds no valid ETag: the page is sent without one (npm run build:web)");
    }
    /* Every socket lwIP has, minus the server's 3 internal ones and the
     * captive portal's DNS socket (phone_access.h). */
    config.max_open_sockets =
        (uint16_t)http_contract_open_sockets(CONFIG_LWIP_MAX_SOCKETS - PHONE_ACCESS_LWIP_SOCKETS);
    /* LRU purge would evict SSE streams first: they never send a request,
     * so they are always the least recently used. When all sockets are
     * taken, new connections wait in the listen backlog instead, and the
     * sweep frees the sessions of connections that send nothing. */
    config.lru_purge_enable = false;
    config.open_fn = http_guard_on_open;
    config.close_fn = on_close;
    /* Per-call socket timeouts (seconds), a backstop only: the recv/send
     * overrides bound each request as a whole (SESSION_GUARD_REQUEST_MS). */
    config.recv_wait_timeout = 1;
    config.send_wait_timeout = 1;
    /* enable_so_linger would reset every close, the page's included; only
     * clients that stopped reading are reset (on_close, sse_io.c). */
    config.enable_so_linger = false;
    http_guard_init();
    config.stack_size = HTTPD_STACK_SIZE;
    /* The routes below (8 with the captive portal) and room to grow: the
     * default of 8 would be full. */
    config.max_uri_handlers = 12;
    /* TCP keep-alive finds SSE peers that vanished without a FIN (a phone
     * leaving the AP) even when no frame is being written. */
    config.keep_alive_enable = true;
    config.keep_alive_idle = 5;
    config.keep_alive_interval = 5;
    config.keep_alive_count = 3;

    ESP_RETURN_ON_ERROR(httpd_start(&s_server, &config), TAG, "httpd_start (max_open_sockets %u)",
                        (unsigned)config.max_open_sockets);

    static const httpd_uri_t routes[] = {
        {.uri = "/", .method = HTTP_GET, .handler = on_page},
        {.uri = "/index.html", .method = HTTP_GET, .handler = on_page},
#ifdef CONFIG_WASM_LED_CAPTIVE_PORTAL
        {.uri = CAPTIVE_PORTAL_API_PATH, .method = HTTP_GET, .handler = http_captive_on_api},
#endif
        {.uri = "/demo_sse", .method = HTTP_GET, .handler = on_sse},
        {.uri = "/icon", .method = HTTP_PUT, .handler = on_icon},
        /* Live core updates (docs/update.md "Protocol"), host/esp/core_update.c. */
        {.uri = CORE_UPLOAD_PATH, .method = HTTP_GET, .handler = core_update_on_get},
        {.uri = CORE_UPLOAD_PATH, .method = HTTP_PUT, .handler = core_update_on_put},
        {.uri = CORE_UPLOAD_ROLLBACK_PATH, .method = HTTP_POST, .handler = core_update_on_rollback},
    };
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        ESP_RETURN_ON_ERROR(httpd_register_uri_handler(s_server, &routes[i]), TAG, "route %s", routes[i].uri);
    }
    ESP_RETURN_ON_ERROR(httpd_register_err_handler(s_server, HTTPD_404_NOT_FOUND, on_http_error), TAG, "404");
    ESP_RETURN_ON_ERROR(httpd_register_err_handler(s_server, HTTPD_405_METHOD_NOT_ALLOWED, on_http_error), TAG,
                        "405");
    /* No 408 handler may be registered: esp_http_server's default 408 answer
     * returns ESP_FAIL and closes the socket; a handler returning ESP_OK
     * would make the head parser retry a recv that has no time left. */

    ESP_RETURN_ON_ERROR(http_guard_start_sweep(s_server), TAG, "sweep");
    ESP_LOGI(TAG, "HTTP server on port %u, %u sockets", (unsigned)config.server_port,
             (unsigned)config.max_open_sockets);
    return ESP_OK;
}
