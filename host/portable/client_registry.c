#include "client_registry.h"

#include <string.h>

static bool id_in_use(const client_registry_t *reg, int32_t id)
{
    for (size_t i = 0; i < reg->capacity; i++) {
        if (reg->slots[i].state != CLIENT_FREE && reg->slots[i].id == id) {
            return true;
        }
    }
    return false;
}

/* Ids grow monotonically (wrapping to 0 after INT32_MAX) so that a late
 * event about a closed client can never be mistaken for a new one. */
static int32_t take_id(client_registry_t *reg)
{
    int32_t id = reg->next_id;
    while (id_in_use(reg, id)) {
        id = (id == INT32_MAX) ? 0 : id + 1;
    }
    reg->next_id = (id == INT32_MAX) ? 0 : id + 1;
    return id;
}

void client_registry_init(client_registry_t *reg, size_t capacity)
{
    memset(reg, 0, sizeof(*reg));
    if (capacity < 1) {
        capacity = 1;
    }
    if (capacity > CLIENT_REGISTRY_MAX) {
        capacity = CLIENT_REGISTRY_MAX;
    }
    reg->capacity = capacity;
    for (size_t i = 0; i < CLIENT_REGISTRY_MAX; i++) {
        reg->slots[i].fd = -1;
        reg->slots[i].id = -1;
    }
}

client_reg_result_t client_registry_reserve(client_registry_t *reg, int fd, int32_t *id_out)
{
    if (reg == NULL || fd < 0 || id_out == NULL) {
        return CLIENT_REG_INVALID;
    }
    client_slot_t *free_slot = NULL;
    for (size_t i = 0; i < reg->capacity; i++) {
        client_slot_t *s = &reg->slots[i];
        if (s->state == CLIENT_FREE) {
            if (free_slot == NULL) {
                free_slot = s;
            }
        } else if (s->fd == fd) {
            return CLIENT_REG_DUPLICATE_FD;
        }
    }
    if (free_slot == NULL) {
        reg->total_rejected++;
        return CLIENT_REG_FULL;
    }
    memset(free_slot, 0, sizeof(*free_slot));
    free_slot->fd = fd;
    free_slot->id = take_id(reg);
    free_slot->state = CLIENT_PENDING;
    *id_out = free_slot->id;
    return CLIENT_REG_OK;
}

client_slot_t *client_registry_find_id(client_registry_t *reg, int32_t id)
{
    if (reg == NULL || id < 0) {
        return NULL;
    }
    for (size_t i = 0; i < reg->capacity; i++) {
        if (reg->slots[i].state != CLIENT_FREE && reg->slots[i].id == id) {
            return &reg->slots[i];
        }
    }
    return NULL;
}

bool client_registry_activate(client_registry_t *reg, int32_t id)
{
    client_slot_t *s = client_registry_find_id(reg, id);
    if (s == NULL || s->state != CLIENT_PENDING) {
        return false;
    }
    s->state = CLIENT_OPEN;
    reg->total_opened++;
    return true;
}

bool client_registry_remove_fd(client_registry_t *reg, int fd, int32_t *id_out,
                               client_state_t *was_out)
{
    if (reg == NULL || fd < 0) {
        return false;
    }
    for (size_t i = 0; i < reg->capacity; i++) {
        client_slot_t *s = &reg->slots[i];
        if (s->state != CLIENT_FREE && s->fd == fd) {
            if (id_out != NULL) {
                *id_out = s->id;
            }
            if (was_out != NULL) {
                *was_out = s->state;
            }
            s->state = CLIENT_FREE;
            s->fd = -1;
            s->id = -1;
            return true;
        }
    }
    return false;
}

int client_registry_drop(client_registry_t *reg, int32_t id, client_drop_reason_t reason)
{
    client_slot_t *s = client_registry_find_id(reg, id);
    if (s == NULL || s->state != CLIENT_OPEN) {
        return -1;
    }
    s->state = CLIENT_DROPPED;
    s->drop_reason = reason;
    reg->total_dropped++;
    return s->fd;
}

size_t client_registry_used(const client_registry_t *reg)
{
    size_t n = 0;
    for (size_t i = 0; i < reg->capacity; i++) {
        if (reg->slots[i].state != CLIENT_FREE) {
            n++;
        }
    }
    return n;
}

size_t client_registry_open_count(const client_registry_t *reg)
{
    size_t n = 0;
    for (size_t i = 0; i < reg->capacity; i++) {
        if (reg->slots[i].state == CLIENT_OPEN) {
            n++;
        }
    }
    return n;
}

size_t client_registry_open_ids(const client_registry_t *reg, int32_t *ids, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < reg->capacity && n < max; i++) {
        if (reg->slots[i].state == CLIENT_OPEN) {
            ids[n++] = reg->slots[i].id;
        }
    }
    return n;
}

void client_registry_note_sent(client_registry_t *reg, int32_t id, size_t bytes, bool partial)
{
    client_slot_t *s = client_registry_find_id(reg, id);
    if (s == NULL) {
        return;
    }
    s->frames_sent++;
    s->bytes_sent += (uint32_t)bytes;
    if (partial) {
        s->partial_writes++;
    }
}
