#include "sse_fanout.h"

#include <stdbool.h>

typedef struct {
    int32_t id;
    int fd;
    size_t offset;
    bool partial;
    bool failed;
} target_t;

static void drop(client_registry_t *reg, const sse_io_ops_t *io, int32_t id,
                 client_drop_reason_t reason, sse_fanout_result_t *res)
{
    int fd = client_registry_drop(reg, id, reason);
    if (fd >= 0) {
        io->shutdown(io->ctx, fd);
        res->dropped++;
    }
}

/* One non-blocking attempt to push the rest of t's frame. Returns true when
 * the target is finished (fully written or failed). */
static bool push(target_t *t, const uint8_t *frame, size_t len, const sse_io_ops_t *io)
{
    size_t left = len - t->offset;
    int r = io->send(io->ctx, t->fd, frame + t->offset, left);
    if (r < 0 || (size_t)r > left) {
        t->failed = true;
        return true;
    }
    if (r > 0 && (size_t)r < left) {
        t->partial = true;
    }
    if (r == 0) {
        t->partial = true;
    }
    t->offset += (size_t)r;
    return t->offset == len;
}

static void fanout(client_registry_t *reg, target_t *targets, size_t n, const uint8_t *frame,
                   size_t len, const sse_io_ops_t *io, sse_fanout_result_t *res)
{
    res->targets = n;
    uint32_t start = io->now_ms(io->ctx);
    size_t pending = 0;
    bool done[CLIENT_REGISTRY_MAX] = {false};

    for (size_t i = 0; i < n; i++) {
        done[i] = (len == 0) || push(&targets[i], frame, len, io);
        if (!done[i]) {
            pending++;
        }
    }

    for (unsigned round = 0; pending > 0 && round < SSE_FANOUT_MAX_ROUNDS; round++) {
        uint32_t elapsed = io->now_ms(io->ctx) - start; /* wrap-safe */
        if (elapsed >= io->budget_ms) {
            break;
        }
        int fds[CLIENT_REGISTRY_MAX];
        size_t nfds = 0;
        for (size_t i = 0; i < n; i++) {
            if (!done[i]) {
                fds[nfds++] = targets[i].fd;
            }
        }
        int w = io->wait_writable(io->ctx, fds, nfds, io->budget_ms - elapsed);
        if (w < 0) {
            break;
        }
        if (w == 0) {
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (!done[i] && push(&targets[i], frame, len, io)) {
                done[i] = true;
                pending--;
            }
        }
    }

    for (size_t i = 0; i < n; i++) {
        target_t *t = &targets[i];
        if (t->failed) {
            drop(reg, io, t->id, CLIENT_DROP_SEND_ERROR, res);
        } else if (!done[i]) {
            drop(reg, io, t->id, CLIENT_DROP_TIMEOUT, res);
        } else {
            client_registry_note_sent(reg, t->id, len, t->partial);
            res->delivered++;
        }
    }
}

sse_fanout_result_t sse_fanout_broadcast(client_registry_t *reg, const uint8_t *frame, size_t len,
                                         const sse_io_ops_t *io)
{
    sse_fanout_result_t res = {0, 0, 0};
    if (reg == NULL || io == NULL || (frame == NULL && len > 0)) {
        return res;
    }
    target_t targets[CLIENT_REGISTRY_MAX];
    size_t n = 0;
    for (size_t i = 0; i < reg->capacity; i++) {
        const client_slot_t *s = &reg->slots[i];
        if (s->state == CLIENT_OPEN) {
            targets[n++] = (target_t){.id = s->id, .fd = s->fd};
        }
    }
    fanout(reg, targets, n, frame, len, io, &res);
    return res;
}

int32_t sse_fanout_send_one(client_registry_t *reg, int32_t id, const uint8_t *frame, size_t len,
                            const sse_io_ops_t *io)
{
    if (reg == NULL || io == NULL || (frame == NULL && len > 0)) {
        return -1;
    }
    const client_slot_t *s = client_registry_find_id(reg, id);
    if (s == NULL || s->state != CLIENT_OPEN) {
        return -1;
    }
    target_t t = {.id = id, .fd = s->fd};
    sse_fanout_result_t res = {0, 0, 0};
    fanout(reg, &t, 1, frame, len, io, &res);
    return res.delivered == 1 ? 0 : -1;
}
