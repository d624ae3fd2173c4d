/*
 * The SSE client registry behind one mutex, wired to lwIP sockets: the HTTP
 * server registers streams and unregisters them in its close callback, the
 * core task writes frames with non-blocking sends (sse_fanout.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SSE_IO_RESERVED = 0,
    SSE_IO_FULL,
    SSE_IO_ERROR,
} sse_io_reserve_t;

/* max_clients: configured limit of streams; budget_ms: time one frame may
 * wait for slow clients before they are dropped. */
esp_err_t sse_io_init(size_t max_clients, uint32_t budget_ms);

/* HTTP server task: holds a slot for socket fd before the headers go out. */
sse_io_reserve_t sse_io_reserve(int fd, int32_t *id_out);

/* HTTP server task: the headers are out, frames may follow. */
bool sse_io_activate(int32_t id);

/* HTTP server close callback: frees fd's slot. True (with its id) when fd
 * was an SSE client; the caller then posts EVENT_CLIENT_CLOSE. */
bool sse_io_forget(int fd, int32_t *id_out);

/* Core task (natives): one client / every open client. */
int32_t sse_io_send(int32_t id, const uint8_t *frame, uint32_t len);
void sse_io_broadcast(const uint8_t *frame, uint32_t len);

/* Ids of the open clients (for the resync after a core restart). */
size_t sse_io_open_ids(int32_t *ids, size_t max);

#ifdef __cplusplus
}
#endif
