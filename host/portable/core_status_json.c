#include "core_status_json.h"

#include <stdio.h>
#include <string.h>

/* Appends to buf like repeated snprintf: len counts what is needed, what
 * fits is written, buf stays NUL-terminated. */
typedef struct {
    char *buf;
    size_t cap;
    size_t len;
} out_t;

static void put_char(out_t *o, char c)
{
    if (o->len + 1 < o->cap) {
        o->buf[o->len] = c;
        o->buf[o->len + 1] = '\0';
    }
    o->len++;
}

static void put_str(out_t *o, const char *s)
{
    while (*s != '\0') {
        put_char(o, *s++);
    }
}

static void put_u32(out_t *o, uint32_t v)
{
    char digits[11];
    (void)snprintf(digits, sizeof(digits), "%lu", (unsigned long)v);
    put_str(o, digits);
}

static void put_int(out_t *o, int v)
{
    char digits[12];
    (void)snprintf(digits, sizeof(digits), "%d", v);
    put_str(o, digits);
}

/* A JSON string of at most CORE_STATUS_TEXT_MAX bytes of text: quote and
 * backslash escaped, anything outside printable ASCII replaced (texts come
 * from WAMR's exception messages and the host's own lines). */

static void put_text(out_t *o, const char *s)
{
    put_char(o, '"');
    for (size_t i = 0; s != NULL && s[i] != '\0' && i < CORE_STATUS_TEXT_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            put_char(o, '\\');
            put_char(o, (char)c);
        } else if (c >= 0x20 && c < 0x7f) {
            put_char(o, (char)c);
        } else {
            put_char(o, '?');
        }
    }
    put_char(o, '"');
}

static void put_sha256(out_t *o, const uint8_t sha[32])
{
    static const char HEX[] = "0123456789abcdef";
    put_char(o, '"');
    for (size_t i = 0; i < 32; i++) {
        put_char(o, HEX[sha[i] >> 4]);
        put_char(o, HEX[sha[i] & 15]);
    }
    put_char(o, '"');
}

static void put_slot(out_t *o, int slot)
{
    put_str(o, slot == 0 ? "\"A\"" : slot == 1 ? "\"B\"" : "null");
}

static const char *source_name(core_source_t s)
{
    return s == CORE_SOURCE_UPLOADED ? "\"uploaded\"" : "\"embedded\"";
}

static const char *state_name(core_run_state_t s)
{
    switch (s) {
    case CORE_RUN_TRIAL:
        return "\"trial\"";
    case CORE_RUN_GOOD:
        return "\"good\"";
    case CORE_RUN_EMBEDDED:
    default:
        return "\"embedded\"";
    }
}

/* Members shared by "running" and "previous"; "previous" names a slot only
 * for an uploaded core, as the simulator does. */
static void put_core(out_t *o, const core_status_core_t *c, bool always_slot)
{
    put_str(o, "{\"source\":");
    put_str(o, source_name(c->source));
    if (always_slot || c->source == CORE_SOURCE_UPLOADED) {
        put_str(o, ",\"slot\":");
        put_slot(o, c->source == CORE_SOURCE_UPLOADED ? c->slot : -1);
    }
    put_str(o, ",\"version\":");
    put_u32(o, c->source == CORE_SOURCE_UPLOADED ? c->version : 0u);
    put_str(o, ",\"sha256\":");
    put_sha256(o, c->sha256);
    put_str(o, ",\"size\":");
    put_u32(o, c->size);
}

size_t core_status_json(const core_status_t *s, char *buf, size_t cap)
{
    out_t o = {.buf = buf, .cap = cap, .len = 0};
    if (buf != NULL && cap > 0) {
        buf[0] = '\0';
    } else {
        o.cap = 0;
    }
    put_str(&o, "{\"abi\":");
    put_int(&o, s->abi);
    put_str(&o, ",\"updates\":");
    put_text(&o, s->updates != NULL ? s->updates : "disabled");
    put_str(&o, ",\"running\":");
    put_core(&o, &s->running, true);
    put_str(&o, ",\"state\":");
    put_str(&o, s->running.source == CORE_SOURCE_UPLOADED ? state_name(s->state) : state_name(CORE_RUN_EMBEDDED));
    put_str(&o, ",\"since_ms\":");
    put_u32(&o, s->since_ms);
    put_str(&o, ",\"traps\":");
    put_u32(&o, s->traps);
    put_str(&o, "},\"previous\":");
    if (s->has_previous) {
        put_core(&o, &s->previous, false);
        put_char(&o, '}');
    } else {
        put_str(&o, "null");
    }
    put_str(&o, ",\"watch\":{\"traps\":");
    put_u32(&o, s->watch_traps);
    put_str(&o, ",\"window_ms\":");
    put_u32(&o, s->watch_window_ms);
    put_str(&o, "},\"last_refusal\":");
    if (s->has_refusal) {
        put_str(&o, "{\"status\":");
        put_int(&o, s->refusal_status);
        put_str(&o, ",\"reason\":");
        put_text(&o, s->refusal_reason);
        put_str(&o, ",\"at_ms\":");
        put_u32(&o, s->refusal_at_ms);
        put_char(&o, '}');
    } else {
        put_str(&o, "null");
    }
    put_str(&o, ",\"last_rollback\":");
    if (s->has_rollback) {
        put_str(&o, "{\"reason\":");
        put_text(&o, s->rollback_reason);
        put_str(&o, ",\"at_ms\":");
        put_u32(&o, s->rollback_at_ms);
        put_char(&o, '}');
    } else {
        put_str(&o, "null");
    }
    put_char(&o, '}');
    return o.len;
}
