#include "http_coding.h"

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* True when the header's value, trimmed, is `want` (lower case) in any case. */
static bool value_is(const http_header_t *h, const char *want)
{
    if (h->value == NULL || h->truncated || h->len > HTTP_CODING_VALUE_MAX) {
        return false;
    }
    size_t start = 0;
    size_t end = h->len;
    while (start < end && is_ows(h->value[start])) {
        start++;
    }
    while (end > start && is_ows(h->value[end - 1])) {
        end--;
    }
    size_t i = 0;
    for (; start + i < end; i++) {
        if (want[i] == '\0' || lower(h->value[start + i]) != want[i]) {
            return false;
        }
    }
    return want[i] == '\0';
}

http_coding_t http_coding_check(const http_header_t *transfer_encoding, const http_header_t *content_encoding,
                                bool has_content_length)
{
    bool te = transfer_encoding != NULL && transfer_encoding->present;
    bool ce = content_encoding != NULL && content_encoding->present;
    if (te && has_content_length) {
        return HTTP_CODING_AMBIGUOUS;
    }
    if (te && !value_is(transfer_encoding, "chunked")) {
        return HTTP_CODING_BAD_TRANSFER;
    }
    if (ce && !value_is(content_encoding, "identity")) {
        return HTTP_CODING_COMPRESSED;
    }
    return HTTP_CODING_PLAIN;
}

int http_coding_status(http_coding_t c)
{
    switch (c) {
    case HTTP_CODING_AMBIGUOUS:
        return 400;
    case HTTP_CODING_BAD_TRANSFER:
        return 501;
    case HTTP_CODING_COMPRESSED:
        return 415;
    case HTTP_CODING_PLAIN:
    default:
        return 0;
    }
}
