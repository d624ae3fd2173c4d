/*
 * Time limits of the HTTP server's connections, as plain data.
 *
 * esp_http_server runs every connection on one task. While it waits for one
 * client's bytes nobody else is served, and with LRU purge off a connection
 * that never sends a request holds its session slot for ever. This module
 * keeps, per socket, when it was accepted, whether it has sent anything and
 * the deadline of its request; it answers "how long may the server wait on
 * this socket now" and "which sockets should be closed" (the sweep).
 * host/esp/http_guard.c applies the answers. Server task only: no locking.
 *
 * One deadline per connection: every response except the event stream
 * closes the connection, so a connection carries one request. An event
 * stream keeps the deadline of the request that opened it: once that has
 * passed, the server never waits on the stream again.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A connection that has sent no byte this long after accept() is closed. */
#define SESSION_GUARD_IDLE_MS 2000u
/* From a request's first byte, the server waits on that client (for its
 * head, its body, or for room to send the answer) at most this long. */
#define SESSION_GUARD_REQUEST_MS 1000u
/* How often the sweep runs; an idle connection lives at most
 * IDLE_MS + SWEEP_MS (plus the time the server task is busy). */
#define SESSION_GUARD_SWEEP_MS 250u

typedef enum {
    SESSION_FREE = 0,
    SESSION_IDLE,    /* accepted, nothing read yet: the idle bound runs */
    SESSION_REQUEST, /* first byte read: the request deadline runs */
    SESSION_STREAM,  /* an event stream: never swept, keeps its old deadline */
    SESSION_CLOSING, /* a close was asked for: never swept again */
} session_state_t;

typedef struct {
    int fd;
    session_state_t state;
    uint32_t opened_ms;
    uint32_t first_ms;    /* the request's first read (or write) */
    uint32_t deadline_ms; /* set by the first read (or write) */
    bool reset;           /* a write ran out of time: reset, do not linger */
} session_slot_t;

typedef struct {
    session_slot_t *slots;
    size_t capacity;
    uint32_t idle_ms;
    uint32_t request_ms;
} session_guard_t;

/* slots: capacity entries owned by the caller (one per session). */
void session_guard_init(session_guard_t *g, session_slot_t *slots, size_t capacity, uint32_t idle_ms,
                        uint32_t request_ms);

/* open_fn: a socket was accepted. False if fd is negative or every slot is
 * taken (cannot happen with capacity = max_open_sockets). */
bool session_guard_open(session_guard_t *g, int fd, uint32_t now_ms);

/* close_fn: forgets fd. True when the connection should be reset
 * (SO_LINGER 0) because a client did not take its answer in time, so that
 * the TCP stack does not keep the unsent bytes in FIN_WAIT. */
bool session_guard_close(session_guard_t *g, int fd);

/* Before every read or write on fd: the first call starts the request's
 * deadline. Returns how long the server may still block on fd (0: try once
 * without waiting, then give up). An unknown fd gets 0. */
uint32_t session_guard_wait_ms(session_guard_t *g, int fd, uint32_t now_ms);

/* The request on fd may hold the server for total_ms from its first byte
 * instead of request_ms (PUT /core, core_upload_request_ms()). Only
 * lengthens, and only a request in progress (not idle, a stream or
 * closing). */
void session_guard_extend(session_guard_t *g, int fd, uint32_t total_ms);

/* A wait on fd ran out. writing: it was waiting to send (the client does
 * not read), which makes the close a reset. */
void session_guard_timed_out(session_guard_t *g, int fd, bool writing);

/* The request on fd became an event stream. */
void session_guard_stream(session_guard_t *g, int fd);

/* The server was asked to close fd (httpd_sess_trigger_close). */
void session_guard_closing(session_guard_t *g, int fd);

/* Periodic: writes to fds (up to max) the sockets to close now and marks
 * them CLOSING; returns how many. Picked: IDLE sockets accepted idle_ms ago
 * or more, and REQUEST sockets past their deadline (a request that ended
 * without closing its connection). Never streams, never CLOSING ones. Must
 * run on the server task between requests, so none of them is being served. */
size_t session_guard_sweep(session_guard_t *g, uint32_t now_ms, int *fds, size_t max);

/* Sessions not FREE (for logs and tests). */
size_t session_guard_open_count(const session_guard_t *g);

/* State of fd (SESSION_FREE if unknown). */
session_state_t session_guard_state(const session_guard_t *g, int fd);

#ifdef __cplusplus
}
#endif
