#include "http_etag.h"

#include <stddef.h>
#include <string.h>

/* etagc = %x21 / %x23-7E / obs-text (%x80-FF): any visible byte but DQUOTE. */
static bool is_etagc(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c != 0x7F);
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Parses one entity-tag at s; on success *opaque and *len are the characters
 * between the quotes and *end is just past the closing quote. */
static bool parse_tag(const char *s, const char **opaque, size_t *len, const char **end)
{
    if (s[0] == 'W' && s[1] == '/') {
        s += 2; /* "W/" is case-sensitive (8.8.3) */
    }
    if (*s != '"') {
        return false;
    }
    const char *p = s + 1;
    while (*p != '\0' && *p != '"') {
        if (!is_etagc((unsigned char)*p)) {
            return false;
        }
        p++;
    }
    if (*p != '"') {
        return false;
    }
    *opaque = s + 1;
    *len = (size_t)(p - (s + 1));
    *end = p + 1;
    return true;
}

bool http_etag_valid(const char *etag)
{
    const char *o;
    const char *end;
    size_t n;
    return etag != NULL && parse_tag(etag, &o, &n, &end) && *end == '\0';
}

bool http_etag_none_match_hit(const char *if_none_match, const char *etag)
{
    const char *mine;
    const char *mine_end;
    size_t mine_len;
    if (if_none_match == NULL || etag == NULL || !parse_tag(etag, &mine, &mine_len, &mine_end) ||
        *mine_end != '\0') {
        return false;
    }
    const char *p = if_none_match;
    while (is_ows(*p)) {
        p++;
    }
    if (*p == '*') {
        p++;
        while (is_ows(*p)) {
            p++;
        }
        return *p == '\0'; /* "*" only as the whole value */
    }
    bool hit = false;
    bool any = false;
    for (;;) {
        while (is_ows(*p) || *p == ',') {
            p++; /* empty elements and whitespace (5.6.1) */
        }
        if (*p == '\0') {
            break;
        }
        const char *o;
        const char *end;
        size_t n;
        if (!parse_tag(p, &o, &n, &end)) {
            return false; /* not a valid list: serve the page */
        }
        any = true;
        if (n == mine_len && memcmp(o, mine, n) == 0) {
            hit = true; /* keep parsing: a malformed rest still voids the field */
        }
        p = end;
        while (is_ows(*p)) {
            p++;
        }
        if (*p != ',' && *p != '\0') {
            return false;
        }
    }
    return any && hit;
}
