/*
 * Registry of SSE clients: a fixed array of slots, one per open
 * `GET /demo_sse` stream, mapping the client id the core knows to the socket
 * the host writes to, with per-client bookkeeping for fan-out.
 *
 * Not thread-safe by itself: the firmware wraps every call in one mutex
 * (sse_io.c). Lifecycle of a slot:
 *   FREE -> PENDING (reserve: slot held while the HTTP headers go out)
 *        -> OPEN    (activate: frames may be written)
 *        -> DROPPED (a write failed or timed out: no more frames; the socket
 *                    stays until the HTTP server closes it)
 *        -> FREE    (remove_fd, from the server's close callback)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Upper bound of the configurable capacity (the socket budget of the
 * firmware is far below it). */
#define CLIENT_REGISTRY_MAX 32

typedef enum {
    CLIENT_FREE = 0,
    CLIENT_PENDING,
    CLIENT_OPEN,
    CLIENT_DROPPED,
} client_state_t;

typedef enum {
    CLIENT_DROP_NONE = 0,
    CLIENT_DROP_SEND_ERROR, /* send() reported an error */
    CLIENT_DROP_TIMEOUT,    /* frame not fully written within the budget */
} client_drop_reason_t;

typedef struct {
    int fd;
    int32_t id;
    client_state_t state;
    client_drop_reason_t drop_reason;
    uint32_t frames_sent;
    uint32_t bytes_sent;
    uint32_t partial_writes; /* writes that needed more than one send() */
} client_slot_t;

typedef struct {
    client_slot_t slots[CLIENT_REGISTRY_MAX];
    size_t capacity;
    int32_t next_id;
    uint32_t total_opened;
    uint32_t total_dropped;
    uint32_t total_rejected; /* reserve() refused because full */
} client_registry_t;

typedef enum {
    CLIENT_REG_OK = 0,
    CLIENT_REG_FULL,
    CLIENT_REG_DUPLICATE_FD,
    CLIENT_REG_INVALID,
} client_reg_result_t;

/* capacity is clamped to 1..CLIENT_REGISTRY_MAX. */
void client_registry_init(client_registry_t *reg, size_t capacity);

/* Takes a slot for socket fd in state PENDING and assigns it a fresh id
 * (>= 0, not used by any other slot). */
client_reg_result_t client_registry_reserve(client_registry_t *reg, int fd, int32_t *id_out);

/* PENDING -> OPEN. False if id is not a pending client. */
bool client_registry_activate(client_registry_t *reg, int32_t id);

/* Frees the slot of socket fd whatever its state. Returns true (and the id
 * and the state it had) if fd was registered. */
bool client_registry_remove_fd(client_registry_t *reg, int fd, int32_t *id_out,
                               client_state_t *was_out);

/* OPEN -> DROPPED. Returns the fd to shut down, or -1 if id is not open. */
int client_registry_drop(client_registry_t *reg, int32_t id, client_drop_reason_t reason);

/* Slot of an id in any non-free state, or NULL. */
client_slot_t *client_registry_find_id(client_registry_t *reg, int32_t id);

/* Slots in use (PENDING, OPEN or DROPPED): what counts against capacity. */
size_t client_registry_used(const client_registry_t *reg);

/* Number of OPEN clients. */
size_t client_registry_open_count(const client_registry_t *reg);

/* Copies the ids of OPEN clients (in slot order) into ids[0..max). Returns
 * how many were copied. */
size_t client_registry_open_ids(const client_registry_t *reg, int32_t *ids, size_t max);

/* Records a frame fully written to id. */
void client_registry_note_sent(client_registry_t *reg, int32_t id, size_t bytes, bool partial);

#ifdef __cplusplus
}
#endif
