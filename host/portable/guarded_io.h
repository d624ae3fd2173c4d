/*
 * One read or write on a client socket for esp_http_server's recv/send
 * overrides, bounded by the session guard: a non-blocking attempt first (so
 * bytes that are already there are always taken), then waits of at most
 * what the guard still allows. The socket calls are given as ops, so the
 * loop runs here under a fake clock; host/esp/http_guard.c gives the real
 * recv/send/select.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "session_guard.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Results below 0; the first three have the values of esp_http_server's
 * HTTPD_SOCK_ERR_FAIL, _INVALID and _TIMEOUT (esp_http_server.h). */
#define GUARDED_IO_FAIL (-1)
#define GUARDED_IO_INVALID (-2)
#define GUARDED_IO_TIMEOUT (-3)
/* Only from ops->attempt: nothing moved, the call would block. */
#define GUARDED_IO_AGAIN (-100)

typedef enum {
    GUARDED_IO_READ = 0,
    GUARDED_IO_WRITE,
} guarded_io_dir_t;

typedef struct {
    /* One non-blocking recv/send: bytes moved (a read of 0 is the end of the
     * stream), GUARDED_IO_AGAIN, or GUARDED_IO_FAIL / _INVALID. */
    int (*attempt)(void *ctx, int fd, guarded_io_dir_t dir, void *buf, size_t len);
    /* Blocks until fd is ready for dir, timeout_ms pass or a signal: > 0
     * ready, 0 not ready (yet), < 0 error. */
    int (*wait)(void *ctx, int fd, guarded_io_dir_t dir, uint32_t timeout_ms);
    uint32_t (*now_ms)(void *ctx);
    void *ctx;
} guarded_io_ops_t;

/* Moves up to len bytes. Returns the bytes moved (0: the peer closed, for a
 * read), GUARDED_IO_FAIL / _INVALID, or GUARDED_IO_TIMEOUT once the guard's
 * deadline for fd has passed (and then tells the guard, which makes a
 * timed-out write a reset on close). */
int guarded_io(session_guard_t *g, const guarded_io_ops_t *ops, int fd, guarded_io_dir_t dir, void *buf,
               size_t len);

#ifdef __cplusplus
}
#endif
