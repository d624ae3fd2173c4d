/*
 * Time limits of every HTTP connection on the board (http_guard.h), wired
 * to esp_http_server: the open callback, recv/send overrides that bound a
 * request as a whole, and a periodic sweep of connections that send
 * nothing. The decisions are session_guard.c's and guarded_io.c's.
 */
#include "http_guard.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "esp_check.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "sdkconfig.h"

#include "core_task.h"
#include "guarded_io.h"
#include "session_guard.h"

static const char *TAG = "http_guard";

#define SWEEP_MAX_PER_RUN 8

/* Touched only on the server task: open/close callbacks, recv/send
 * overrides, handlers and the sweep, which esp_timer hands to the server
 * task with httpd_queue_work. */
static session_slot_t s_slots[CONFIG_LWIP_MAX_SOCKETS];
static session_guard_t s_guard;
static httpd_handle_t s_server;
static esp_timer_handle_t s_sweep_timer;
static atomic_bool s_sweep_queued;

void http_guard_init(void)
{
    session_guard_init(&s_guard, s_slots, sizeof(s_slots) / sizeof(s_slots[0]), SESSION_GUARD_IDLE_MS,
                       SESSION_GUARD_REQUEST_MS);
}

void http_guard_stream(int fd)
{
    session_guard_stream(&s_guard, fd);
}

void http_guard_extend(int fd, uint32_t total_ms)
{
    session_guard_extend(&s_guard, fd, total_ms);
}

void http_guard_closing(int fd)
{
    session_guard_closing(&s_guard, fd);
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
esp_err_t http_guard_on_open(httpd_handle_t hd, int fd)
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

void http_guard_on_close(int fd)
{
    if (session_guard_close(&s_guard, fd)) {
        reset_on_close(fd);
    }
}

esp_err_t http_guard_start_sweep(httpd_handle_t server)
{
    s_server = server;
    const esp_timer_create_args_t sweep = {.callback = sweep_tick, .name = "http_sweep"};
    ESP_RETURN_ON_ERROR(esp_timer_create(&sweep, &s_sweep_timer), TAG, "sweep timer");
    ESP_RETURN_ON_ERROR(esp_timer_start_periodic(s_sweep_timer, SESSION_GUARD_SWEEP_MS * 1000u), TAG,
                        "sweep timer start");
    return ESP_OK;
}
