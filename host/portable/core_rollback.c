#include "core_rollback.h"

#include <string.h>

/* ---- base64, as Node's Buffer.from(text, 'base64') reads ASCII ---- */

/* Value of a character of either alphabet (RFC 4648 4 and 5), -1 otherwise. */
static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
        return 62;
    }
    if (c == '/' || c == '_') {
        return 63;
    }
    return -1;
}

typedef struct {
    uint8_t out[CORE_ROLLBACK_SIG_MAX];
    size_t len;
    bool over;     /* more bytes than out holds */
    bool stopped;  /* an '=' was seen: the rest is ignored */
    uint32_t acc;  /* up to 4 sextets */
    unsigned n;    /* sextets in acc */
} b64_t;

static void b64_emit(b64_t *d, uint8_t byte)
{
    if (d->len < sizeof(d->out)) {
        d->out[d->len++] = byte;
    } else {
        d->over = true;
    }
}

static void b64_feed(b64_t *d, uint8_t c)
{
    if (d->stopped) {
        return;
    }
    if (c == '=') {
        d->stopped = true;
        return;
    }
    int v = b64_value(c);
    if (v < 0) {
        return; /* skipped, as Node does */
    }
    d->acc = (d->acc << 6) | (uint32_t)v;
    if (++d->n == 4) {
        b64_emit(d, (uint8_t)(d->acc >> 16));
        b64_emit(d, (uint8_t)(d->acc >> 8));
        b64_emit(d, (uint8_t)d->acc);
        d->acc = 0;
        d->n = 0;
    }
}

/* A last group of 2 or 3 characters gives 1 or 2 bytes; a lone one none. */
static void b64_finish(b64_t *d)
{
    if (d->n == 2) {
        b64_emit(d, (uint8_t)(d->acc >> 4));
    } else if (d->n == 3) {
        b64_emit(d, (uint8_t)(d->acc >> 10));
        b64_emit(d, (uint8_t)(d->acc >> 2));
    }
    d->n = 0;
}

/* ---- JSON (RFC 8259), iterative ---- */

/* Where the code units of a string go. */
typedef enum { SINK_DISCARD = 0, SINK_KEY, SINK_TO, SINK_SIG } sink_t;

/* Short ASCII text: a member name or the value of "to". Anything longer
 * than the buffer, or not ASCII, matches no name we look for. */
typedef struct {
    char text[12];
    size_t len;
    bool no_match;
} name_t;

static void name_feed(name_t *n, uint32_t unit)
{
    if (unit >= 0x80 || unit == 0 || n->len + 1 >= sizeof(n->text)) {
        n->no_match = true;
        return;
    }
    n->text[n->len++] = (char)unit;
    n->text[n->len] = '\0';
}

static bool name_is(const name_t *n, const char *s)
{
    return !n->no_match && strcmp(n->text, s) == 0;
}

typedef enum { MEMBER_OTHER = 0, MEMBER_TO, MEMBER_SIGNATURE } member_t;

/* What the last occurrence of a member held. */
typedef enum { VALUE_ABSENT = 0, VALUE_STRING, VALUE_OTHER } value_kind_t;

typedef struct {
    const uint8_t *b;
    size_t len;
    size_t pos;
    name_t key;
    name_t to_value;
    b64_t sig_value;
} parser_t;

static bool at_end(const parser_t *p)
{
    return p->pos >= p->len;
}

static void skip_ws(parser_t *p)
{
    while (!at_end(p) && (p->b[p->pos] == ' ' || p->b[p->pos] == '\t' || p->b[p->pos] == '\n' || p->b[p->pos] == '\r')) {
        p->pos++;
    }
}

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static void sink_feed(parser_t *p, sink_t sink, uint32_t unit)
{
    switch (sink) {
    case SINK_KEY:
        name_feed(&p->key, unit);
        break;
    case SINK_TO:
        name_feed(&p->to_value, unit);
        break;
    case SINK_SIG:
        /* Non-ASCII units are skipped: they are outside both alphabets. */
        if (unit < 0x80) {
            b64_feed(&p->sig_value, (uint8_t)unit);
        }
        break;
    case SINK_DISCARD:
    default:
        break;
    }
}

/* At the opening quote: reads the string, feeding its code units (escapes
 * decoded; raw bytes as they are) to sink. */
static bool parse_string(parser_t *p, sink_t sink)
{
    p->pos++; /* the quote */
    while (!at_end(p)) {
        uint8_t c = p->b[p->pos++];
        if (c == '"') {
            return true;
        }
        if (c < 0x20) {
            return false; /* control characters must be escaped */
        }
        if (c != '\\') {
            sink_feed(p, sink, c);
            continue;
        }
        if (at_end(p)) {
            return false;
        }
        uint8_t e = p->b[p->pos++];
        uint32_t unit;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            unit = e;
            break;
        case 'b':
            unit = '\b';
            break;
        case 'f':
            unit = '\f';
            break;
        case 'n':
            unit = '\n';
            break;
        case 'r':
            unit = '\r';
            break;
        case 't':
            unit = '\t';
            break;
        case 'u':
            if (p->len - p->pos < 4) {
                return false;
            }
            unit = 0;
            for (int i = 0; i < 4; i++) {
                int h = hex_value(p->b[p->pos++]);
                if (h < 0) {
                    return false;
                }
                unit = (unit << 4) | (uint32_t)h;
            }
            break;
        default:
            return false;
        }
        sink_feed(p, sink, unit);
    }
    return false;
}

static bool parse_digits(parser_t *p)
{
    size_t start = p->pos;
    while (!at_end(p) && p->b[p->pos] >= '0' && p->b[p->pos] <= '9') {
        p->pos++;
    }
    return p->pos > start;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool parse_number(parser_t *p)
{
    if (p->b[p->pos] == '-') {
        p->pos++;
    }
    if (at_end(p)) {
        return false;
    }
    if (p->b[p->pos] == '0') {
        p->pos++;
    } else if (!parse_digits(p)) {
        return false;
    }
    if (!at_end(p) && p->b[p->pos] == '.') {
        p->pos++;
        if (!parse_digits(p)) {
            return false;
        }
    }
    if (!at_end(p) && (p->b[p->pos] == 'e' || p->b[p->pos] == 'E')) {
        p->pos++;
        if (!at_end(p) && (p->b[p->pos] == '+' || p->b[p->pos] == '-')) {
            p->pos++;
        }
        if (!parse_digits(p)) {
            return false;
        }
    }
    return true;
}

static bool parse_literal(parser_t *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->b + p->pos, word, n) != 0) {
        return false;
    }
    p->pos += n;
    return true;
}

core_rollback_result_t core_rollback_parse(const uint8_t *body, size_t len, core_rollback_req_t *out)
{
    memset(out, 0, sizeof(*out));
    parser_t p;
    memset(&p, 0, sizeof(p));
    p.b = body;
    p.len = body != NULL ? len : 0;

    value_kind_t to_kind = VALUE_ABSENT;
    value_kind_t sig_kind = VALUE_ABSENT;
    bool to_ok = false;
    core_rollback_to_t to = CORE_ROLLBACK_TO_PREVIOUS;
    b64_t sig;
    memset(&sig, 0, sizeof(sig));

    /* Open containers: bit d set when the one at depth d + 1 is an object. */
    uint32_t objects = 0;
    unsigned depth = 0;
    bool top_is_object = false;
    member_t member = MEMBER_OTHER; /* name of the depth-1 member whose value comes next */
    bool want_key = false;          /* after '{' or ',' inside an object */

    skip_ws(&p);
    for (;;) {
        if (at_end(&p)) {
            return CORE_ROLLBACK_NOT_JSON;
        }
        if (want_key) {
            /* A member: "name" : value. Names of the top object are read. */
            if (p.b[p.pos] != '"') {
                return CORE_ROLLBACK_NOT_JSON;
            }
            memset(&p.key, 0, sizeof(p.key));
            if (!parse_string(&p, depth == 1 ? SINK_KEY : SINK_DISCARD)) {
                return CORE_ROLLBACK_NOT_JSON;
            }
            member = MEMBER_OTHER;
            if (depth == 1 && name_is(&p.key, "to")) {
                member = MEMBER_TO;
            } else if (depth == 1 && name_is(&p.key, "signature")) {
                member = MEMBER_SIGNATURE;
            }
            skip_ws(&p);
            if (at_end(&p) || p.b[p.pos] != ':') {
                return CORE_ROLLBACK_NOT_JSON;
            }
            p.pos++;
            skip_ws(&p);
            want_key = false;
            continue;
        }

        /* A value. Its member, if it is one of the top object's. */
        member_t this_member = (depth == 1 && top_is_object) ? member : MEMBER_OTHER;
        member = MEMBER_OTHER;
        uint8_t c = p.b[p.pos];
        bool opened = false;
        if (c == '{' || c == '[') {
            if (depth >= CORE_ROLLBACK_MAX_DEPTH) {
                return CORE_ROLLBACK_NOT_JSON;
            }
            if (depth == 0) {
                top_is_object = (c == '{');
            }
            if (c == '{') {
                objects |= (1u << depth);
            } else {
                objects &= ~(1u << depth);
            }
            depth++;
            p.pos++;
            skip_ws(&p);
            if (at_end(&p)) {
                return CORE_ROLLBACK_NOT_JSON;
            }
            if (p.b[p.pos] == (c == '{' ? '}' : ']')) {
                depth--; /* empty: the value ends here */
                p.pos++;
            } else {
                opened = true;
                want_key = (c == '{');
            }
            if (this_member == MEMBER_TO) {
                to_kind = VALUE_OTHER;
            } else if (this_member == MEMBER_SIGNATURE) {
                sig_kind = VALUE_OTHER;
            }
            if (opened) {
                continue;
            }
        } else if (c == '"') {
            sink_t sink = SINK_DISCARD;
            if (this_member == MEMBER_TO) {
                memset(&p.to_value, 0, sizeof(p.to_value));
                sink = SINK_TO;
            } else if (this_member == MEMBER_SIGNATURE) {
                memset(&p.sig_value, 0, sizeof(p.sig_value));
                sink = SINK_SIG;
            }
            if (!parse_string(&p, sink)) {
                return CORE_ROLLBACK_NOT_JSON;
            }
            if (this_member == MEMBER_TO) {
                to_kind = VALUE_STRING;
                to_ok = true;
                if (name_is(&p.to_value, "previous")) {
                    to = CORE_ROLLBACK_TO_PREVIOUS;
                } else if (name_is(&p.to_value, "embedded")) {
                    to = CORE_ROLLBACK_TO_EMBEDDED;
                } else {
                    to_ok = false;
                }
            } else if (this_member == MEMBER_SIGNATURE) {
                sig_kind = VALUE_STRING;
                b64_finish(&p.sig_value);
                sig = p.sig_value;
            }
        } else {
            bool ok;
            if (c == 't') {
                ok = parse_literal(&p, "true");
            } else if (c == 'f') {
                ok = parse_literal(&p, "false");
            } else if (c == 'n') {
                ok = parse_literal(&p, "null");
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                ok = parse_number(&p);
            } else {
                ok = false;
            }
            if (!ok) {
                return CORE_ROLLBACK_NOT_JSON;
            }
            if (this_member == MEMBER_TO) {
                to_kind = VALUE_OTHER;
            } else if (this_member == MEMBER_SIGNATURE) {
                sig_kind = VALUE_OTHER;
            }
        }

        /* After a value: close containers, or go on with a comma. */
        for (;;) {
            skip_ws(&p);
            if (depth == 0) {
                if (!at_end(&p)) {
                    return CORE_ROLLBACK_NOT_JSON; /* something after the value */
                }
                goto done;
            }
            if (at_end(&p)) {
                return CORE_ROLLBACK_NOT_JSON;
            }
            bool in_object = (objects >> (depth - 1)) & 1u;
            uint8_t d = p.b[p.pos++];
            if (d == ',') {
                skip_ws(&p);
                want_key = in_object;
                break;
            }
            if (d != (in_object ? '}' : ']')) {
                return CORE_ROLLBACK_NOT_JSON;
            }
            depth--;
        }
    }

done:
    if (!top_is_object) {
        return CORE_ROLLBACK_NOT_OBJECT;
    }
    if (to_kind != VALUE_STRING || !to_ok) {
        return CORE_ROLLBACK_BAD_TO;
    }
    if (sig_kind != VALUE_STRING) {
        return CORE_ROLLBACK_BAD_SIGNATURE;
    }
    out->to = to;
    out->sig_ok = !sig.over && sig.len > 0;
    out->sig_len = out->sig_ok ? sig.len : 0;
    if (out->sig_ok) {
        memcpy(out->sig, sig.out, sig.len);
    }
    return CORE_ROLLBACK_OK;
}

const char *core_rollback_result_text(core_rollback_result_t r)
{
    switch (r) {
    case CORE_ROLLBACK_OK:
        return "ok";
    case CORE_ROLLBACK_NOT_JSON:
        return "the body is not JSON";
    case CORE_ROLLBACK_NOT_OBJECT:
        return "the body is not a JSON object";
    case CORE_ROLLBACK_BAD_TO:
        return "\"to\" is not \"previous\" or \"embedded\"";
    case CORE_ROLLBACK_BAD_SIGNATURE:
        return "\"signature\" is missing or not a string";
    default:
        return "unknown result";
    }
}

const char *core_rollback_to_name(core_rollback_to_t to)
{
    return to == CORE_ROLLBACK_TO_EMBEDDED ? "embedded" : "previous";
}

size_t core_rollback_message(core_rollback_to_t to, const uint8_t sha256[32], char *buf, size_t cap)
{
    static const char HEX[] = "0123456789abcdef";
    const char *name = core_rollback_to_name(to);
    size_t n = strlen("rollback:") + strlen(name) + 1 + 64;
    if (buf == NULL || cap < n + 1) {
        return 0;
    }
    size_t k = 0;
    memcpy(buf, "rollback:", 9);
    k += 9;
    memcpy(buf + k, name, strlen(name));
    k += strlen(name);
    buf[k++] = ':';
    for (size_t i = 0; i < 32; i++) {
        buf[k++] = HEX[sha256[i] >> 4];
        buf[k++] = HEX[sha256[i] & 15];
    }
    buf[k] = '\0';
    return k;
}
