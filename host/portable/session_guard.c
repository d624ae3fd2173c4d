#include "session_guard.h"

#include <string.h>

/* Times are milliseconds that wrap after ~49.7 days; only differences are
 * compared, as signed values. */
static bool reached(uint32_t now_ms, uint32_t when_ms)
{
    return (int32_t)(now_ms - when_ms) >= 0;
}

static session_slot_t *find(const session_guard_t *g, int fd)
{
    if (fd < 0) {
        return NULL;
    }
    for (size_t i = 0; i < g->capacity; i++) {
        if (g->slots[i].state != SESSION_FREE && g->slots[i].fd == fd) {
            return &g->slots[i];
        }
    }
    return NULL;
}

void session_guard_init(session_guard_t *g, session_slot_t *slots, size_t capacity, uint32_t idle_ms,
                        uint32_t request_ms)
{
    memset(slots, 0, capacity * sizeof(slots[0]));
    for (size_t i = 0; i < capacity; i++) {
        slots[i].fd = -1;
    }
    g->slots = slots;
    g->capacity = capacity;
    g->idle_ms = idle_ms;
    g->request_ms = request_ms;
}

bool session_guard_open(session_guard_t *g, int fd, uint32_t now_ms)
{
    if (fd < 0) {
        return false;
    }
    /* A known fd means its close was never reported and the number was
     * reused: the old entry is stale and is replaced. */
    session_slot_t *s = find(g, fd);
    for (size_t i = 0; i < g->capacity && s == NULL; i++) {
        if (g->slots[i].state == SESSION_FREE) {
            s = &g->slots[i];
        }
    }
    if (s == NULL) {
        return false;
    }
    *s = (session_slot_t){.fd = fd, .state = SESSION_IDLE, .opened_ms = now_ms, .deadline_ms = now_ms};
    return true;
}

bool session_guard_close(session_guard_t *g, int fd)
{
    session_slot_t *s = find(g, fd);
    if (s == NULL) {
        return false;
    }
    bool reset = s->reset;
    *s = (session_slot_t){.fd = -1, .state = SESSION_FREE};
    return reset;
}

uint32_t session_guard_wait_ms(session_guard_t *g, int fd, uint32_t now_ms)
{
    session_slot_t *s = find(g, fd);
    if (s == NULL) {
        return 0;
    }
    if (s->state == SESSION_IDLE) {
        s->state = SESSION_REQUEST;
        s->first_ms = now_ms;
        s->deadline_ms = now_ms + g->request_ms;
    }
    if (reached(now_ms, s->deadline_ms)) {
        return 0;
    }
    return s->deadline_ms - now_ms;
}

void session_guard_extend(session_guard_t *g, int fd, uint32_t total_ms)
{
    session_slot_t *s = find(g, fd);
    if (s == NULL || s->state != SESSION_REQUEST) {
        return;
    }
    uint32_t deadline = s->first_ms + total_ms;
    if (!reached(s->deadline_ms, deadline)) {
        s->deadline_ms = deadline;
    }
}

void session_guard_timed_out(session_guard_t *g, int fd, bool writing)
{
    session_slot_t *s = find(g, fd);
    if (s != NULL && writing) {
        s->reset = true;
    }
}

void session_guard_stream(session_guard_t *g, int fd)
{
    session_slot_t *s = find(g, fd);
    if (s != NULL && s->state == SESSION_REQUEST) {
        s->state = SESSION_STREAM;
    }
}

static void mark_closing(session_slot_t *s)
{
    if (s->state == SESSION_IDLE) {
        /* Never read: a late read must not wait either. */
        s->deadline_ms = s->opened_ms;
    }
    s->state = SESSION_CLOSING;
}

void session_guard_closing(session_guard_t *g, int fd)
{
    session_slot_t *s = find(g, fd);
    if (s != NULL) {
        mark_closing(s);
    }
}

size_t session_guard_sweep(session_guard_t *g, uint32_t now_ms, int *fds, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < g->capacity && n < max; i++) {
        session_slot_t *s = &g->slots[i];
        bool close_it = false;
        switch (s->state) {
        case SESSION_IDLE:
            close_it = (uint32_t)(now_ms - s->opened_ms) >= g->idle_ms;
            break;
        case SESSION_REQUEST:
            close_it = reached(now_ms, s->deadline_ms);
            break;
        case SESSION_FREE:
        case SESSION_STREAM:
        case SESSION_CLOSING:
        default:
            break;
        }
        if (close_it) {
            mark_closing(s);
            fds[n++] = s->fd;
        }
    }
    return n;
}

size_t session_guard_open_count(const session_guard_t *g)
{
    size_t n = 0;
    for (size_t i = 0; i < g->capacity; i++) {
        if (g->slots[i].state != SESSION_FREE) {
            n++;
        }
    }
    return n;
}

session_state_t session_guard_state(const session_guard_t *g, int fd)
{
    const session_slot_t *s = find(g, fd);
    return s != NULL ? s->state : SESSION_FREE;
}
