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
#include <string.h>
#include <unistd.h>

#include "esp_check.h"
#include "esp_http_server.h"
#include "esp_log.h"
#include "sdkconfig.h"

#include "core_abi.h"
#include "core_task.h"
#include "http_contract.h"
#include "sse_io.h"

static const char *TAG = "http";

#define HTTPD_STACK_SIZE 6144
#define SSE_OPEN_POST_WAIT_MS 100
#define CLOSE_POST_WAIT_MS 20
#define RECV_TIMEOUT_RETRIES 2

static http_server_config_t s_cfg;
static httpd_handle_t s_server;

static const char SSE_HEAD[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: text/event-stream\r\n"
                               "Cache-Control: no-cache\r\n"
                               "\r\n";

static esp_err_t send_all(httpd_req_t *req, const char *buf, size_t len)
{
    while (len > 0) {
        int r = httpd_send(req, buf, len);
        if (r <= 0) {
            return ESP_FAIL;
        }
        buf += r;
        len -= (size_t)r;
    }
    return ESP_OK;
}

/* Ends a non-SSE exchange. The close runs after the handler returns and
 * the server has read what is left of the request body, so the client gets
 * a clean FIN after the response rather than a reset. */
static esp_err_t done_close(httpd_req_t *req)
{
    if (httpd_sess_trigger_close(req->handle, httpd_req_to_sockfd(req)) != ESP_OK) {
        return ESP_FAIL; /* the server closes it at once instead */
    }
    return ESP_OK;
}

static esp_err_t reply_text(httpd_req_t *req, http_reply_t r, const char *allow, bool retry_after)
{
    httpd_resp_set_status(req, r.status_line);
    httpd_resp_set_type(req, "text/plain; charset=utf-8");
    httpd_resp_set_hdr(req, "Connection", "close");
    if (allow != NULL) {
        httpd_resp_set_hdr(req, "Allow", allow);
    }
    if (retry_after) {
        httpd_resp_set_hdr(req, "Retry-After", "5");
    }
    return httpd_resp_sendstr(req, r.text != NULL ? r.text : "");
}

static esp_err_t reply_no_content(httpd_req_t *req)
{
    /* Written raw: httpd_resp_send() adds Content-Type and Content-Length,
     * which a 204 must not carry (RFC 9110, 8.6). */
    static const char resp[] = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
    return send_all(req, resp, sizeof(resp) - 1);
}

static esp_err_t on_page(httpd_req_t *req)
{
    httpd_resp_set_type(req, "text/html; charset=utf-8");
    httpd_resp_set_hdr(req, "Content-Encoding", "gzip");
    httpd_resp_set_hdr(req, "Cache-Control", "no-cache");
    httpd_resp_set_hdr(req, "Connection", "close");
    if (httpd_resp_send(req, (const char *)s_cfg.page_gz, (ssize_t)s_cfg.page_gz_len) != ESP_OK) {
        return ESP_FAIL;
    }
    return done_close(req);
}

static esp_err_t on_sse(httpd_req_t *req)
{
    if (!core_task_ready()) {
        /* No core to send the first frame: let EventSource come back later. */
        reply_text(req, http_contract_error_reply(503), NULL, true);
        return done_close(req);
    }
    int fd = httpd_req_to_sockfd(req);
    int32_t id = -1;
    switch (sse_io_reserve(fd, &id)) {
    case SSE_IO_RESERVED:
        break;
    case SSE_IO_FULL:
        /* Open streams are left alone; EventSource retries after 5 s. */
        reply_text(req, http_contract_error_reply(503), NULL, true);
        return done_close(req);
    default:
        reply_text(req, http_contract_error_reply(500), NULL, false);
        return done_close(req);
    }
    /* The slot is PENDING until the head is out, so no frame can precede it. */
    if (send_all(req, SSE_HEAD, sizeof(SSE_HEAD) - 1) != ESP_OK || !sse_io_activate(id)) {
        return ESP_FAIL; /* session deleted: the close callback frees the slot */
    }
    if (!core_task_post_event(CORE_EVENT_CLIENT_OPEN, id, core_task_now_ms(), pdMS_TO_TICKS(SSE_OPEN_POST_WAIT_MS))) {
        ESP_LOGW(TAG, "core queue full: closing new SSE client %d", (int)id);
        return ESP_FAIL;
    }
    return ESP_OK; /* keep the session: the core sends the first frame */
}

static esp_err_t read_body(httpd_req_t *req, uint8_t *buf, size_t len)
{
    size_t got = 0;
    int timeouts = 0;
    while (got < len) {
        int r = httpd_req_recv(req, (char *)buf + got, len - got);
        if (r == HTTPD_SOCK_ERR_TIMEOUT && ++timeouts <= RECV_TIMEOUT_RETRIES) {
            continue;
        }
        if (r <= 0) {
            return ESP_FAIL;
        }
        got += (size_t)r;
    }
    return ESP_OK;
}

static esp_err_t on_icon(httpd_req_t *req)
{
    size_t cap = core_task_body_capacity();
    if (cap == 0) {
        reply_text(req, http_contract_error_reply(503), NULL, false);
        return (req->content_len > HTTP_BODY_DISCARD_LIMIT) ? ESP_FAIL : done_close(req);
    }
    switch (http_contract_body_action(req->content_len, cap)) {
    case HTTP_BODY_READ:
        break;
    case HTTP_BODY_REJECT_DRAIN:
        reply_text(req, http_contract_put_reply(CORE_PUT_TOO_LARGE), NULL, false);
        return done_close(req);
    case HTTP_BODY_REJECT_ABORT:
    default:
        /* Not even read: the connection goes down right after the answer. */
        reply_text(req, http_contract_put_reply(CORE_PUT_TOO_LARGE), NULL, false);
        return ESP_FAIL;
    }
    uint8_t body[CORE_TASK_BODY_MAX];
    size_t len = req->content_len;
    if (read_body(req, body, len) != ESP_OK) {
        return ESP_FAIL; /* client went away or stalled mid-body */
    }
    int32_t code = -1;
    core_task_status_t st = core_task_icon_put(body, len, s_cfg.put_timeout_ms, &code);
    if (st != CORE_TASK_OK) {
        ESP_LOGW(TAG, "PUT /icon: core %s", st == CORE_TASK_TIMEOUT ? "did not answer in time" : "unavailable");
        reply_text(req, http_contract_error_reply(503), NULL, false);
        return done_close(req);
    }
    http_reply_t r = http_contract_put_reply(code);
    esp_err_t err = (r.status == 204) ? reply_no_content(req) : reply_text(req, r, NULL, false);
    if (err != ESP_OK) {
        return ESP_FAIL;
    }
    return done_close(req);
}

/* The server calls this for a path it has no handler for (404) and for a
 * known path with another method (405); the contract decides which one it
 * is and what Allow says. */
static esp_err_t on_http_error(httpd_req_t *req, httpd_err_code_t err)
{
    (void)err;
    const char *allow = http_contract_allow(http_contract_route(req->uri));
    reply_text(req, http_contract_error_reply(allow != NULL ? 405 : 404), allow, false);
    if (req->content_len > HTTP_BODY_DISCARD_LIMIT) {
        return ESP_FAIL; /* not worth draining */
    }
    return done_close(req);
}

/* Runs for every session the server deletes, whoever ended it. With a
 * close_fn set, closing the socket is our job. */
static void on_close(httpd_handle_t hd, int fd)
{
    (void)hd;
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
    /* Every socket lwIP has, minus the server's 3 internal ones. */
    config.max_open_sockets = (uint16_t)http_contract_open_sockets(CONFIG_LWIP_MAX_SOCKETS);
    /* LRU purge would evict SSE streams first: they never send a request,
     * so they are always the least recently used. When all sockets are
     * taken, new connections wait in the listen backlog instead. */
    config.lru_purge_enable = false;
    config.close_fn = on_close;
    config.stack_size = HTTPD_STACK_SIZE;
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
        {.uri = "/demo_sse", .method = HTTP_GET, .handler = on_sse},
        {.uri = "/icon", .method = HTTP_PUT, .handler = on_icon},
    };
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        ESP_RETURN_ON_ERROR(httpd_register_uri_handler(s_server, &routes[i]), TAG, "route %s", routes[i].uri);
    }
    ESP_RETURN_ON_ERROR(httpd_register_err_handler(s_server, HTTPD_404_NOT_FOUND, on_http_error), TAG, "404");
    ESP_RETURN_ON_ERROR(httpd_register_err_handler(s_server, HTTPD_405_METHOD_NOT_ALLOWED, on_http_error), TAG,
                        "405");
    ESP_LOGI(TAG, "HTTP server on port %u, %u sockets", (unsigned)config.server_port,
             (unsigned)config.max_open_sockets);
    return ESP_OK;
}
