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

#include <errno.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "esp_check.h"
#include "esp_http_server.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "sdkconfig.h"

#include "core_abi.h"
#include "core_task.h"
#include "captive_portal.h"
#include "guarded_io.h"
#include "http_coding.h"
#include "http_contract.h"
#include "http_etag.h"
#include "phone_access.h"
#include "session_guard.h"
#include "sse_io.h"

static const char *TAG = "http";

#define HTTPD_STACK_SIZE 6144
#define SSE_OPEN_POST_WAIT_MS 100
#define CLOSE_POST_WAIT_MS 20
#define SWEEP_MAX_PER_RUN 8

static http_server_config_t s_cfg;
static httpd_handle_t s_server;

/* Time limits of every connection (session_guard.h), touched only on the
 * server task: open/close callbacks, recv/send overrides, handlers and the
 * sweep, which esp_timer hands to the server task with httpd_queue_work. */
static session_slot_t s_slots[CONFIG_LWIP_MAX_SOCKETS];
static session_guard_t s_guard;
static esp_timer_handle_t s_sweep_timer;
static atomic_bool s_sweep_queued;

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
    session_guard_closing(&s_guard, httpd_req_to_sockfd(req));
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

/* The page's strong ETag, built with it (web/build.mjs, dist/index.html.gz.etag;
 * EMBED_TXTFILES in host/CMakeLists.txt). */
extern const char s_page_etag[] asm("_binary_index_html_gz_etag_start");
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
    return send_all(req, resp, (size_t)n);
}

static esp_err_t on_page(httpd_req_t *req)
{
    if (page_not_modified(req)) {
        return reply_not_modified(req) == ESP_OK ? done_close(req) : ESP_FAIL;
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
    session_guard_stream(&s_guard, fd); /* never swept as idle */
    if (!core_task_post_event(CORE_EVENT_CLIENT_OPEN, id, core_task_now_ms(), pdMS_TO_TICKS(SSE_OPEN_POST_WAIT_MS))) {
        ESP_LOGW(TAG, "core queue full: closing new SSE client %d", (int)id);
        return ESP_FAIL;
    }
    return ESP_OK; /* keep the session: the core sends the first frame */
}

/* Reads the whole body: 0, or the HTTPD_SOCK_ERR_* that stopped it. No
 * retry on a timeout: the recv override has already waited as long as the
 * request's deadline allows. */
static int read_body(httpd_req_t *req, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        int r = httpd_req_recv(req, (char *)buf + got, len - got);
        if (r <= 0) {
            return r == 0 ? HTTPD_SOCK_ERR_FAIL : r; /* 0: the client closed */
        }
        got += (size_t)r;
    }
    return 0;
}

/* One request header for http_coding_check(). */
static http_header_t request_header(httpd_req_t *req, const char *name, char *buf, size_t size)
{
    esp_err_t err = httpd_req_get_hdr_value_str(req, name, buf, size);
    if (err == ESP_ERR_NOT_FOUND) {
        return (http_header_t){.present = false};
    }
    return (http_header_t){
        .present = true,
        .truncated = (err != ESP_OK),
        .value = buf,
        .len = (err == ESP_OK) ? strlen(buf) : 0,
    };
}

/* Refuses a body the core could not read as it is (docs/abi.md: 400, 415,
 * 501). esp_http_server hands over the first of repeated headers only. */
static bool body_coding_refused(httpd_req_t *req)
{
    char te_buf[HTTP_CODING_VALUE_MAX + 1];
    char ce_buf[HTTP_CODING_VALUE_MAX + 1];
    char cl_buf[2];
    http_header_t te = request_header(req, "Transfer-Encoding", te_buf, sizeof(te_buf));
    http_header_t ce = request_header(req, "Content-Encoding", ce_buf, sizeof(ce_buf));
    bool has_cl = request_header(req, "Content-Length", cl_buf, sizeof(cl_buf)).present;
    http_coding_t coding = http_coding_check(&te, &ce, has_cl);
    if (coding == HTTP_CODING_PLAIN) {
        return false;
    }
    reply_text(req, http_contract_error_reply(http_coding_status(coding)), NULL, false);
    return true;
}

static esp_err_t on_icon(httpd_req_t *req)
{
    if (body_coding_refused(req)) {
        /* Like a 413: a small body is drained before the close, a larger
         * one is not read at all. */
        return (req->content_len > HTTP_BODY_DISCARD_LIMIT) ? ESP_FAIL : done_close(req);
    }
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
    int rr = read_body(req, body, len);
    if (rr == HTTPD_SOCK_ERR_TIMEOUT) {
        /* Stalled mid-body past the request's deadline: say so and drop it. */
        reply_text(req, http_contract_error_reply(408), NULL, false);
        return ESP_FAIL;
    }
    if (rr != 0) {
        return ESP_FAIL; /* the client went away */
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
#ifdef CONFIG_WASM_LED_CAPTIVE_PORTAL
/* The mDNS name as a Host value, NULL without mDNS. */
static const char *own_name(void)
{
    return CONFIG_WASM_LED_MDNS_HOSTNAME[0] != '\0' ? CONFIG_WASM_LED_MDNS_HOSTNAME ".local" : NULL;
}

/* The IPv4 address the client connected to (the AP's) as text. lwIP
 * reports it as ::ffff:a.b.c.d on esp_http_server's dual-stack socket
 * (CONFIG_LWIP_IPV6; lwIP sockets.c, lwip_getaddrname). */
static bool own_address(httpd_req_t *req, char *buf, size_t size)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof(a);
    if (getsockname(httpd_req_to_sockfd(req), (struct sockaddr *)&a, &len) != 0) {
        return false;
    }
    if (a.ss_family == AF_INET) {
        const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a;
        return captive_portal_ipv4_text(buf, size, (const unsigned char *)&a4->sin_addr.s_addr, 4) > 0;
    }
#if CONFIG_LWIP_IPV6
    if (a.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&a;
        return captive_portal_ipv4_text(buf, size, a6->sin6_addr.s6_addr, 16) > 0;
    }
#endif
    return false;
}

#define HOST_MAX 255

/* captive_portal_action() for a request no route claimed. */
static bool captive_redirects(httpd_req_t *req, const char *own_ip)
{
    const char *method = req->method == HTTP_GET ? "GET" : req->method == HTTP_HEAD ? "HEAD" : "other";
    char host[HOST_MAX + 1] = "";
    size_t len = httpd_req_get_hdr_value_len(req, "Host");
    const char *host_value = NULL;
    if (len > HOST_MAX) {
        host_value = "(too long: not this device)";
    } else if (len > 0 && httpd_req_get_hdr_value_str(req, "Host", host, sizeof(host)) == ESP_OK) {
        host_value = host;
    }
    return captive_portal_action(method, req->uri, host_value, own_ip, own_name()) == CAPTIVE_REDIRECT;
}

/* 302 to the page; a short body too: iOS wants content to detect the
 * portal (ESP-IDF v5.5.5 examples/protocols/http_server/captive_portal). */
static esp_err_t reply_redirect(httpd_req_t *req, const char *own_ip)
{
    char location[32];
    char body[80];
    if (captive_portal_location(location, sizeof(location), own_ip) == 0) {
        return ESP_FAIL;
    }
    int n = snprintf(body, sizeof(body), "302 Found: the page is at %s\n", location);
    httpd_resp_set_status(req, "302 Found");
    httpd_resp_set_type(req, "text/plain; charset=utf-8");
    httpd_resp_set_hdr(req, "Location", location);
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    httpd_resp_set_hdr(req, "Connection", "close");
    return httpd_resp_send(req, body, (req->method == HTTP_HEAD || n < 0) ? 0 : (ssize_t)n);
}

/* GET /captive-portal/api: RFC 8908 section 5, named by DHCP option 114. */
static esp_err_t on_captive_api(httpd_req_t *req)
{
    char ip[16];
    char json[96];
    if (!own_address(req, ip, sizeof(ip)) || captive_portal_api_json(json, sizeof(json), ip) == 0) {
        reply_text(req, http_contract_error_reply(500), NULL, false);
        return done_close(req);
    }
    httpd_resp_set_type(req, "application/captive+json");
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    httpd_resp_set_hdr(req, "Connection", "close");
    if (httpd_resp_sendstr(req, json) != ESP_OK) {
        return ESP_FAIL;
    }
    return done_close(req);
}
#endif /* CONFIG_WASM_LED_CAPTIVE_PORTAL */

static esp_err_t on_http_error(httpd_req_t *req, httpd_err_code_t err)
{
#ifdef CONFIG_WASM_LED_CAPTIVE_PORTAL
    /* Connectivity probes and other sites' URLs (the DNS sent every name here). */
    char own_ip[16];
    if (err == HTTPD_404_NOT_FOUND && own_address(req, own_ip, sizeof(own_ip)) && captive_redirects(req, own_ip)) {
        if (reply_redirect(req, own_ip) != ESP_OK || req->content_len > HTTP_BODY_DISCARD_LIMIT) {
            return ESP_FAIL;
        }
        return done_close(req);
    }
    const char *allow = captive_portal_is_api(req->uri) ? "GET" : http_contract_allow(http_contract_route(req->uri));
#else
    (void)err;
    const char *allow = http_contract_allow(http_contract_route(req->uri));
#endif
    reply_text(req, http_contract_error_reply(allow != NULL ? 405 : 404), allow, false);
    if (req->content_len > HTTP_BODY_DISCARD_LIMIT) {
        return ESP_FAIL; /* not worth draining */
    }
    return done_close(req);
}

/* SO_LINGER 0: close() then resets the connection and lwIP frees the PCB
 * and its send buffer at once, instead of keeping unsent bytes for a client
 * that does not read (FIN_WAIT). Needs CONFIG_LWIP_SO_LINGER. */
static void reset_on_close(int fd)
{
    const struct linger lg = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) != 0) {
        ESP_LOGD(TAG, "SO_LINGER on socket %d: errno %d (CONFIG_LWIP_SO_LINGER off?)", fd, errno);
    }
}

static uint32_t io_now_ms(void *ctx)
{
    (void)ctx;
    return core_task_now_ms();
}

static int io_attempt(void *ctx, int fd, guarded_io_dir_t dir, void *buf, size_t len)
{
    (void)ctx;
    int r = (dir == GUARDED_IO_READ) ? recv(fd, buf, len, MSG_DONTWAIT) : send(fd, buf, len, MSG_DONTWAIT);
    if (r >= 0) {
        return r;
    }
    switch (errno) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINTR:
        return GUARDED_IO_AGAIN;
    case EBADF:
    case EINVAL:
    case EFAULT:
    case ENOTSOCK:
        return GUARDED_IO_INVALID;
    default:
        return GUARDED_IO_FAIL;
    }
}

static int io_wait(void *ctx, int fd, guarded_io_dir_t dir, uint32_t timeout_ms)
{
    (void)ctx;
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    struct timeval tv = {
        .tv_sec = (time_t)(timeout_ms / 1000u),
        .tv_usec = (suseconds_t)((timeout_ms % 1000u) * 1000u),
    };
    int r = (dir == GUARDED_IO_READ) ? select(fd + 1, &set, NULL, NULL, &tv) : select(fd + 1, NULL, &set, NULL, &tv);
    return (r < 0 && errno == EINTR) ? 0 : r;
}

static const guarded_io_ops_t s_io_ops = {
    .attempt = io_attempt,
    .wait = io_wait,
    .now_ms = io_now_ms,
    .ctx = NULL,
};

/* recv/send overrides of every session: the server task waits on one
 * client at most until that request's deadline (session_guard.h). */
static int guarded_recv(httpd_handle_t hd, int fd, char *buf, size_t len, int flags)
{
    (void)hd;
    (void)flags;
    int r = guarded_io(&s_guard, &s_io_ops, fd, GUARDED_IO_READ, buf, len);
    if (r == GUARDED_IO_TIMEOUT) {
        ESP_LOGW(TAG, "socket %d: request not received within %u ms", fd, (unsigned)s_guard.request_ms);
    }
    return r; /* the GUARDED_IO_* errors are the HTTPD_SOCK_ERR_* values */
}

static int guarded_send(httpd_handle_t hd, int fd, const char *buf, size_t len, int flags)
{
    (void)hd;
    (void)flags;
    int r = guarded_io(&s_guard, &s_io_ops, fd, GUARDED_IO_WRITE, (void *)buf, len);
    if (r == GUARDED_IO_TIMEOUT) {
        ESP_LOGW(TAG, "socket %d: answer not taken within %u ms, resetting", fd, (unsigned)s_guard.request_ms);
    }
    return r;
}

/* Runs for every accepted socket, before anything is read from it. Never
 * fails: a failing open_fn makes esp_http_server close the socket twice
 * (close_fn, then httpd_accept_conn's own close). */
static esp_err_t on_open(httpd_handle_t hd, int fd)
{
    if (!session_guard_open(&s_guard, fd, core_task_now_ms())) {
        ESP_LOGE(TAG, "socket %d: no guard slot (more sessions than LWIP_MAX_SOCKETS?)", fd);
    }
    if (httpd_sess_set_recv_override(hd, fd, guarded_recv) != ESP_OK ||
        httpd_sess_set_send_override(hd, fd, guarded_send) != ESP_OK) {
        ESP_LOGE(TAG, "socket %d: I/O overrides not set: it has the server's 1 s timeouts only", fd);
    }
    return ESP_OK;
}

/* Server task (httpd_queue_work): ends the connections the guard picks.
 * shutdown() makes the server's select() see end-of-stream; it deletes the
 * session and on_close() closes the socket, as for a dropped SSE client. */
static void sweep_work(void *arg)
{
    (void)arg;
    atomic_store(&s_sweep_queued, false);
    int fds[SWEEP_MAX_PER_RUN];
    size_t n = session_guard_sweep(&s_guard, core_task_now_ms(), fds, SWEEP_MAX_PER_RUN);
    for (size_t i = 0; i < n; i++) {
        ESP_LOGI(TAG, "socket %d: no request within %u ms (or past its deadline), closing", fds[i],
                 (unsigned)s_guard.idle_ms);
        if (shutdown(fds[i], SHUT_RDWR) != 0) {
            ESP_LOGD(TAG, "shutdown(%d): errno %d", fds[i], errno);
        }
    }
}

/* esp_timer task: at most one sweep is queued at a time, so a server task
 * that is busy for a while does not find a pile of them. */
static void sweep_tick(void *arg)
{
    (void)arg;
    if (!atomic_exchange(&s_sweep_queued, true) && httpd_queue_work(s_server, sweep_work, NULL) != ESP_OK) {
        atomic_store(&s_sweep_queued, false);
    }
}

/* Runs for every session the server deletes, whoever ended it. With a
 * close_fn set, closing the socket is our job. */
static void on_close(httpd_handle_t hd, int fd)
{
    (void)hd;
    if (session_guard_close(&s_guard, fd)) {
        reset_on_close(fd);
    }
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
    s_etag_ok = http_etag_valid(s_page_etag);
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
    config.open_fn = on_open;
    config.close_fn = on_close;
    /* Per-call socket timeouts (seconds), a backstop only: the recv/send
     * overrides bound each request as a whole (SESSION_GUARD_REQUEST_MS). */
    config.recv_wait_timeout = 1;
    config.send_wait_timeout = 1;
    /* enable_so_linger would reset every close, the page's included; only
     * clients that stopped reading are reset (on_close, sse_io.c). */
    config.enable_so_linger = false;
    session_guard_init(&s_guard, s_slots, sizeof(s_slots) / sizeof(s_slots[0]), SESSION_GUARD_IDLE_MS,
                       SESSION_GUARD_REQUEST_MS);
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
#ifdef CONFIG_WASM_LED_CAPTIVE_PORTAL
        {.uri = CAPTIVE_PORTAL_API_PATH, .method = HTTP_GET, .handler = on_captive_api},
#endif
        {.uri = "/demo_sse", .method = HTTP_GET, .handler = on_sse},
        {.uri = "/icon", .method = HTTP_PUT, .handler = on_icon},
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

    const esp_timer_create_args_t sweep = {.callback = sweep_tick, .name = "http_sweep"};
    ESP_RETURN_ON_ERROR(esp_timer_create(&sweep, &s_sweep_timer), TAG, "sweep timer");
    ESP_RETURN_ON_ERROR(esp_timer_start_periodic(s_sweep_timer, SESSION_GUARD_SWEEP_MS * 1000u), TAG,
                        "sweep timer start");
    ESP_LOGI(TAG, "HTTP server on port %u, %u sockets", (unsigned)config.server_port,
             (unsigned)config.max_open_sockets);
    return ESP_OK;
}
