#include "wasm_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
    char *err;
    size_t err_len;
    bool ok;
} cursor_t;

static void fail(cursor_t *c, const char *why)
{
    if (c->ok) {
        snprintf(c->err, c->err_len, "%s", why);
    }
    c->ok = false;
    c->p = c->end;
}

static uint8_t byte(cursor_t *c)
{
    if (!c->ok || c->p >= c->end) {
        fail(c, "unexpected end of data");
        return 0;
    }
    return *c->p++;
}

/* Unsigned LEB128, at most 5 bytes for a u32. */
static uint32_t u32(cursor_t *c)
{
    uint32_t v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        uint8_t b = byte(c);
        if (!c->ok) {
            return 0;
        }
        if (shift == 28 && (b & 0x70) != 0) {
            fail(c, "LEB128 value does not fit 32 bits");
            return 0;
        }
        v |= (uint32_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            return v;
        }
    }
    fail(c, "LEB128 too long");
    return 0;
}

static void name(cursor_t *c, char *out)
{
    uint32_t n = u32(c);
    if (!c->ok) {
        return;
    }
    if (n >= WASM_NAME_MAX || n > (size_t)(c->end - c->p)) {
        fail(c, "name too long or truncated");
        return;
    }
    memcpy(out, c->p, n);
    out[n] = '\0';
    c->p += n;
}

static void skip(cursor_t *c, size_t n)
{
    if (n > (size_t)(c->end - c->p)) {
        fail(c, "truncated");
        return;
    }
    c->p += n;
}

static void limits(cursor_t *c)
{
    uint8_t flags = byte(c);
    (void)u32(c);
    if (flags & 1) {
        (void)u32(c);
    }
}

static void read_types(cursor_t *c, wasm_module_info_t *m)
{
    uint32_t n = u32(c);
    if (n > WASM_MAX_TYPES) {
        fail(c, "too many types");
        return;
    }
    for (uint32_t i = 0; i < n && c->ok; i++) {
        wasm_functype_t *t = &m->types[i];
        if (byte(c) != 0x60) {
            fail(c, "type is not a function type");
            return;
        }
        t->nparams = u32(c);
        if (t->nparams > WASM_MAX_PARAMS) {
            fail(c, "too many params");
            return;
        }
        for (uint32_t k = 0; k < t->nparams; k++) {
            t->params[k] = byte(c);
        }
        t->nresults = u32(c);
        if (t->nresults > 2) {
            fail(c, "too many results");
            return;
        }
        for (uint32_t k = 0; k < t->nresults; k++) {
            t->results[k] = byte(c);
        }
    }
    m->ntypes = n;
}

static void read_imports(cursor_t *c, wasm_module_info_t *m)
{
    uint32_t n = u32(c);
    if (n > WASM_MAX_IMPORTS) {
        fail(c, "too many imports");
        return;
    }
    for (uint32_t i = 0; i < n && c->ok; i++) {
        wasm_import_t *im = &m->imports[i];
        name(c, im->module);
        name(c, im->name);
        im->kind = byte(c);
        switch (im->kind) {
        case 0:
            im->type_index = u32(c);
            if (c->ok && im->type_index >= m->ntypes) {
                fail(c, "import type index out of range");
            }
            m->nfunc_imports++;
            break;
        case 1:
            (void)byte(c); /* reftype */
            limits(c);
            break;
        case 2:
            limits(c);
            break;
        case 3:
            (void)byte(c); /* valtype */
            (void)byte(c); /* mutability */
            break;
        default:
            fail(c, "unknown import kind");
            return;
        }
    }
    m->nimports = n;
}

static void read_functions(cursor_t *c, wasm_module_info_t *m)
{
    uint32_t n = u32(c);
    if (n > WASM_MAX_FUNCS) {
        fail(c, "too many functions");
        return;
    }
    for (uint32_t i = 0; i < n && c->ok; i++) {
        m->func_types[i] = u32(c);
        if (c->ok && m->func_types[i] >= m->ntypes) {
            fail(c, "function type index out of range");
        }
    }
    m->nfuncs = n;
}

static void read_exports(cursor_t *c, wasm_module_info_t *m)
{
    uint32_t n = u32(c);
    if (n > WASM_MAX_EXPORTS) {
        fail(c, "too many exports");
        return;
    }
    for (uint32_t i = 0; i < n && c->ok; i++) {
        name(c, m->exports[i].name);
        m->exports[i].kind = byte(c);
        m->exports[i].index = u32(c);
    }
    m->nexports = n;
}

bool wasm_read(const uint8_t *buf, size_t len, wasm_module_info_t *out, char *err, size_t err_len)
{
    static const uint8_t header[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    memset(out, 0, sizeof(*out));
    cursor_t c = {buf, buf + len, err, err_len, true};
    if (buf == NULL || len < sizeof(header) || memcmp(buf, header, sizeof(header)) != 0) {
        fail(&c, "not a wasm 1.0 binary");
        return false;
    }
    c.p += sizeof(header);
    while (c.ok && c.p < c.end) {
        uint8_t id = byte(&c);
        uint32_t size = u32(&c);
        if (!c.ok) {
            break;
        }
        if (size > (size_t)(c.end - c.p)) {
            fail(&c, "section runs past the end");
            break;
        }
        cursor_t s = {c.p, c.p + size, err, err_len, true};
        switch (id) {
        case 1:
            read_types(&s, out);
            break;
        case 2:
            read_imports(&s, out);
            break;
        case 3:
            read_functions(&s, out);
            break;
        case 7:
            read_exports(&s, out);
            break;
        default:
            s.p = s.end; /* sections we do not need */
            break;
        }
        if (!s.ok) {
            c.ok = false;
            break;
        }
        if (id == 1 || id == 2 || id == 3 || id == 7) {
            if (s.p != s.end) {
                fail(&c, "section has trailing bytes");
                break;
            }
        }
        skip(&c, size);
    }
    return c.ok;
}

const wasm_functype_t *wasm_func_type(const wasm_module_info_t *m, uint32_t fi)
{
    if (fi < m->nfunc_imports) {
        uint32_t seen = 0;
        for (uint32_t i = 0; i < m->nimports; i++) {
            if (m->imports[i].kind == 0) {
                if (seen == fi) {
                    return &m->types[m->imports[i].type_index];
                }
                seen++;
            }
        }
        return NULL;
    }
    uint32_t local = fi - m->nfunc_imports;
    if (local >= m->nfuncs) {
        return NULL;
    }
    return &m->types[m->func_types[local]];
}

const wasm_export_t *wasm_find_export(const wasm_module_info_t *m, const char *name_)
{
    for (uint32_t i = 0; i < m->nexports; i++) {
        if (strcmp(m->exports[i].name, name_) == 0) {
            return &m->exports[i];
        }
    }
    return NULL;
}

uint8_t *wasm_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            uint8_t *nbuf = realloc(buf, ncap);
            if (nbuf == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len_out = len;
    return buf;
}
