/*
 * Writing one SSE frame to one client or to every open client without
 * letting a slow or dead client hold up the others.
 *
 * Every target first gets one non-blocking send. Clients whose frame did
 * not fit are then served together until a shared time budget runs out;
 * whoever still has bytes left after that, or whose send failed, is dropped
 * (marked DROPPED in the registry and its socket shut down so the HTTP
 * server closes it). A frame is never left half-written on an open client.
 *
 * The socket operations are callbacks so that tests can inject partial
 * writes, stalls and errors.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "client_registry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Writes at most len bytes to fd without blocking. Returns the number
     * written (0 when the socket cannot take data now) or -1 on an error. */
    int (*send)(void *ctx, int fd, const uint8_t *buf, size_t len);
    /* Waits until one of fds[0..n) can take data or timeout_ms passes.
     * Returns > 0 when something is writable, 0 on timeout, < 0 on error. */
    int (*wait_writable)(void *ctx, const int *fds, size_t n, uint32_t timeout_ms);
    /* Shuts the socket down (not close: the HTTP server owns the fd). */
    void (*shutdown)(void *ctx, int fd);
    /* Monotonic milliseconds (wrapping). */
    uint32_t (*now_ms)(void *ctx);
    void *ctx;
    /* Total time one call may spend waiting for slow clients. */
    uint32_t budget_ms;
} sse_io_ops_t;

typedef struct {
    size_t targets;   /* clients the frame was addressed to */
    size_t delivered; /* clients that got the whole frame */
    size_t dropped;   /* clients dropped by this call */
} sse_fanout_result_t;

/* Upper bound of wait rounds in one call, so a clock that does not advance
 * (or a wait that always reports "ready") cannot spin forever. */
#define SSE_FANOUT_MAX_ROUNDS 32

/* Writes frame[0..len) to every OPEN client. */
sse_fanout_result_t sse_fanout_broadcast(client_registry_t *reg, const uint8_t *frame, size_t len,
                                         const sse_io_ops_t *io);

/* Writes frame[0..len) to client id. Returns 0 when written, -1 when id is
 * not an open client or the write failed (the client is then dropped). */
int32_t sse_fanout_send_one(client_registry_t *reg, int32_t id, const uint8_t *frame, size_t len,
                            const sse_io_ops_t *io);

#ifdef __cplusplus
}
#endif
