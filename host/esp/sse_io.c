/*
 * Socket side of SSE fan-out. The registry mutex also guarantees that a
 * socket the core task writes to is not closed (and its number reused)
 * meanwhile: the HTTP server closes sockets only in its close callback,
 * which takes the same mutex first.
 */
#include "sse_io.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/select.h>
#include <sys/time.h>

#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"

#include "client_registry.h"
#include "sse_fanout.h"

static const char *TAG = "sse_io";

static SemaphoreHandle_t s_lock;
static client_registry_t s_reg;
static sse_io_ops_t s_ops;

static int io_send(void *ctx, int fd, const uint8_t *buf, size_t len)
{
    (void)ctx;
    /* Never block the core task on one client: a full send buffer returns
     * EAGAIN and the fan-out decides how long to keep trying. */
    int r = send(fd, buf, len, MSG_DONTWAIT);
    if (r >= 0) {
        return r;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return 0;
    }
    ESP_LOGD(TAG, "send on socket %d failed: errno %d", fd, errno);
    return -1;
}

static int io_wait_writable(void *ctx, const int *fds, size_t n, uint32_t timeout_ms)
{
    (void)ctx;
    fd_set wfds;
    FD_ZERO(&wfds);
    int maxfd = -1;
    for (size_t i = 0; i < n; i++) {
        FD_SET(fds[i], &wfds);
        if (fds[i] > maxfd) {
            maxfd = fds[i];
        }
    }
    struct timeval tv = {
        .tv_sec = (time_t)(timeout_ms / 1000u),
        .tv_usec = (suseconds_t)((timeout_ms % 1000u) * 1000u),
    };
    return select(maxfd + 1, NULL, &wfds, NULL, &tv);
}

static void io_shutdown(void *ctx, int fd)
{
    (void)ctx;
    /* A dropped client did not take its frames: with SO_LINGER 0 lwIP's
     * shutdown(SHUT_RDWR), which is its close, aborts the connection (RST)
     * and frees the PCB and up to TCP_SND_BUF of unsent bytes at once,
     * instead of keeping them in FIN_WAIT for a reader that is not reading
     * (esp-lwip api_msg.c lwip_netconn_do_close_internal). Needs
     * CONFIG_LWIP_SO_LINGER; on other stacks the later close() resets. */
    const struct linger lg = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) != 0) {
        ESP_LOGD(TAG, "SO_LINGER on socket %d: errno %d (CONFIG_LWIP_SO_LINGER off?)", fd, errno);
    }
    /* Not close(): esp_http_server owns the socket. A shutdown wakes its
     * select() with end-of-stream, it deletes the session and our close
     * callback unregisters the client and posts EVENT_CLIENT_CLOSE. */
    if (shutdown(fd, SHUT_RDWR) != 0) {
        ESP_LOGD(TAG, "shutdown(%d): errno %d", fd, errno);
    }
}

static uint32_t io_now_ms(void *ctx)
{
    (void)ctx;
    return (uint32_t)(esp_timer_get_time() / 1000);
}

esp_err_t sse_io_init(size_t max_clients, uint32_t budget_ms)
{
    s_lock = xSemaphoreCreateMutex();
    if (s_lock == NULL) {
        return ESP_ERR_NO_MEM;
    }
    client_registry_init(&s_reg, max_clients);
    s_ops = (sse_io_ops_t){
        .send = io_send,
        .wait_writable = io_wait_writable,
        .shutdown = io_shutdown,
        .now_ms = io_now_ms,
        .ctx = NULL,
        .budget_ms = budget_ms,
    };
    ESP_LOGI(TAG, "up to %u SSE clients, %u ms write budget", (unsigned)s_reg.capacity, (unsigned)budget_ms);
    return ESP_OK;
}

sse_io_reserve_t sse_io_reserve(int fd, int32_t *id_out)
{
    xSemaphoreTake(s_lock, portMAX_DELAY);
    client_reg_result_t r = client_registry_reserve(&s_reg, fd, id_out);
    if (r == CLIENT_REG_DUPLICATE_FD) {
        /* Cannot happen while the close callback runs for every session;
         * if it ever does, the old entry is stale. */
        ESP_LOGW(TAG, "socket %d was still registered: replacing it", fd);
        client_registry_remove_fd(&s_reg, fd, NULL, NULL);
        r = client_registry_reserve(&s_reg, fd, id_out);
    }
    size_t used = client_registry_used(&s_reg);
    xSemaphoreGive(s_lock);
    switch (r) {
    case CLIENT_REG_OK:
        ESP_LOGI(TAG, "client %d on socket %d (%u/%u)", (int)*id_out, fd, (unsigned)used,
                 (unsigned)s_reg.capacity);
        return SSE_IO_RESERVED;
    case CLIENT_REG_FULL:
        ESP_LOGW(TAG, "SSE client limit %u reached, refusing socket %d", (unsigned)s_reg.capacity, fd);
        return SSE_IO_FULL;
    default:
        return SSE_IO_ERROR;
    }
}

bool sse_io_activate(int32_t id)
{
    xSemaphoreTake(s_lock, portMAX_DELAY);
    bool ok = client_registry_activate(&s_reg, id);
    xSemaphoreGive(s_lock);
    return ok;
}

bool sse_io_forget(int fd, int32_t *id_out)
{
    client_state_t was = CLIENT_FREE;
    xSemaphoreTake(s_lock, portMAX_DELAY);
    bool found = client_registry_remove_fd(&s_reg, fd, id_out, &was);
    xSemaphoreGive(s_lock);
    if (found) {
        ESP_LOGI(TAG, "client %d on socket %d closed%s", (int)*id_out, fd,
                 was == CLIENT_DROPPED ? " (dropped: write failed or too slow)" : "");
    }
    return found;
}

int32_t sse_io_send(int32_t id, const uint8_t *frame, uint32_t len)
{
    xSemaphoreTake(s_lock, portMAX_DELAY);
    int32_t r = sse_fanout_send_one(&s_reg, id, frame, len, &s_ops);
    xSemaphoreGive(s_lock);
    return r;
}

void sse_io_broadcast(const uint8_t *frame, uint32_t len)
{
    xSemaphoreTake(s_lock, portMAX_DELAY);
    sse_fanout_result_t r = sse_fanout_broadcast(&s_reg, frame, len, &s_ops);
    xSemaphoreGive(s_lock);
    if (r.dropped > 0) {
        ESP_LOGW(TAG, "broadcast: %u of %u client(s) dropped", (unsigned)r.dropped, (unsigned)r.targets);
    }
}

size_t sse_io_open_ids(int32_t *ids, size_t max)
{
    xSemaphoreTake(s_lock, portMAX_DELAY);
    size_t n = client_registry_open_ids(&s_reg, ids, max);
    xSemaphoreGive(s_lock);
    return n;
}
