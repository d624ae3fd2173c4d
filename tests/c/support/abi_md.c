#include "abi_md.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Splits a table row "| a | b | c |" into trimmed cells without backticks.
 * A backslash-escaped pipe stays inside its cell. Returns the cell count. */
static size_t split_row(const char *line, char cells[][ABI_MD_CELL], size_t max)
{
    size_t n = 0;
    const char *p = line;
    if (*p != '|') {
        return 0;
    }
    p++;
    while (*p && *p != '\n' && n < max) {
        char buf[ABI_MD_CELL];
        size_t len = 0;
        while (*p && *p != '\n' && !(*p == '|' && p[-1] != '\\')) {
            if (*p != '`' && len + 1 < sizeof(buf)) {
                buf[len++] = *p;
            }
            p++;
        }
        if (*p != '|') {
            break; /* text after the last pipe is not a cell */
        }
        buf[len] = '\0';
        char *s = buf;
        while (isspace((unsigned char)*s)) {
            s++;
        }
        char *e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1])) {
            *--e = '\0';
        }
        snprintf(cells[n++], ABI_MD_CELL, "%s", s);
        p++;
    }
    return n;
}

/* Start of the line after the heading that begins with prefix, or NULL. */
static const char *find_heading(const char *text, const char *prefix, const char **heading)
{
    const char *p = text;
    while (p && *p) {
        if (strncmp(p, prefix, strlen(prefix)) == 0) {
            *heading = p;
            const char *nl = strchr(p, '\n');
            return nl ? nl + 1 : p + strlen(p);
        }
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

/* Reads the rows of the first table after `from` up to the next heading. */
static bool read_table(const char *from, size_t want_cells, abi_md_row_t *rows, size_t *nrows,
                       bool is_import, char *err, size_t err_len)
{
    *nrows = 0;
    const char *p = from;
    while (p && *p && !(p[0] == '#' && p[1] == '#')) {
        const char *nl = strchr(p, '\n');
        if (strncmp(p, "| `", 3) == 0) {
            char cells[8][ABI_MD_CELL];
            size_t n = split_row(p, cells, 8);
            if (n != want_cells) {
                snprintf(err, err_len, "row with %zu cells, expected %zu: %.40s", n, want_cells, p);
                return false;
            }
            if (*nrows >= ABI_MD_MAX_ROWS) {
                snprintf(err, err_len, "too many rows");
                return false;
            }
            abi_md_row_t *r = &rows[(*nrows)++];
            memset(r, 0, sizeof(*r));
            snprintf(r->name, sizeof(r->name), "%s", cells[0]);
            if (is_import) {
                snprintf(r->wasm_type, sizeof(r->wasm_type), "%s", cells[1]);
                snprintf(r->signature, sizeof(r->signature), "%s", cells[2]);
            } else {
                snprintf(r->kind, sizeof(r->kind), "%s", cells[1]);
                snprintf(r->wasm_type, sizeof(r->wasm_type), "%s", cells[2]);
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    if (*nrows == 0) {
        snprintf(err, err_len, "table has no rows");
        return false;
    }
    return true;
}

bool abi_md_parse(const char *text, abi_md_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    const char *heading = NULL;
    const char *imports = find_heading(text, "## Imports", &heading);
    if (imports == NULL) {
        snprintf(err, err_len, "no '## Imports' heading");
        return false;
    }
    /* "## Imports (module `host`)" names the module. */
    const char *tick = strchr(heading, '`');
    const char *nl = strchr(heading, '\n');
    if (tick == NULL || (nl != NULL && tick > nl)) {
        snprintf(err, err_len, "Imports heading names no module");
        return false;
    }
    const char *end = strchr(tick + 1, '`');
    if (end == NULL || (size_t)(end - tick - 1) >= ABI_MD_CELL) {
        snprintf(err, err_len, "bad module name in Imports heading");
        return false;
    }
    memcpy(out->import_module, tick + 1, (size_t)(end - tick - 1));
    if (!read_table(imports, 4, out->imports, &out->nimports, true, err, err_len)) {
        return false;
    }
    const char *exports = find_heading(text, "## Exports", &heading);
    if (exports == NULL) {
        snprintf(err, err_len, "no '## Exports' heading");
        return false;
    }
    return read_table(exports, 4, out->exports, &out->nexports, false, err, err_len);
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ') {
        s++;
    }
    return s;
}

bool abi_md_parse_wasm_type(const char *s, unsigned *nparams, unsigned *nresults)
{
    unsigned np = 0;
    s = skip_ws(s);
    if (*s++ != '(') {
        return false;
    }
    s = skip_ws(s);
    if (*s != ')') {
        for (;;) {
            if (strncmp(s, "i32", 3) != 0) {
                return false;
            }
            np++;
            s = skip_ws(s + 3);
            if (*s == ',') {
                s = skip_ws(s + 1);
                continue;
            }
            break;
        }
    }
    if (*s++ != ')') {
        return false;
    }
    s = skip_ws(s);
    if (strncmp(s, "->", 2) != 0) {
        return false;
    }
    s = skip_ws(s + 2);
    unsigned nr;
    if (strcmp(s, "nil") == 0) {
        nr = 0;
    } else if (strcmp(s, "i32") == 0) {
        nr = 1;
    } else {
        return false;
    }
    *nparams = np;
    *nresults = nr;
    return true;
}

bool abi_md_type_matches(const wasm_functype_t *t, unsigned nparams, unsigned nresults)
{
    if (t == NULL || t->nparams != nparams || t->nresults != nresults) {
        return false;
    }
    for (unsigned i = 0; i < t->nparams; i++) {
        if (t->params[i] != WASM_I32) {
            return false;
        }
    }
    for (unsigned i = 0; i < t->nresults; i++) {
        if (t->results[i] != WASM_I32) {
            return false;
        }
    }
    return true;
}

bool abi_md_signature_arity(const char *sig, unsigned *nparams, unsigned *nresults)
{
    if (sig == NULL || *sig != '(') {
        return false;
    }
    unsigned np = 0;
    const char *p = sig + 1;
    char prev = '(';
    for (; *p && *p != ')'; p++) {
        switch (*p) {
        case 'i':
        case '*':
        case '$':
            break;
        case '~':
            if (prev != '*') {
                return false;
            }
            break;
        default:
            return false;
        }
        np++;
        prev = *p;
    }
    if (*p != ')') {
        return false;
    }
    p++;
    unsigned nr;
    if (*p == '\0') {
        nr = 0;
    } else if (p[0] == 'i' && p[1] == '\0') {
        nr = 1;
    } else {
        return false;
    }
    *nparams = np;
    *nresults = nr;
    return true;
}
