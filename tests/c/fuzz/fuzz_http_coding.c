/* libFuzzer harness for http_coding_check(): the header values are bytes a
 * client chooses. Input layout: byte 0 = flags (bit 0/1: Transfer- and
 * Content-Encoding present, bit 2: truncated, bit 3: Content-Length
 * present), then the two values split at the first '\n'. Checks that the
 * decision only reads the given bytes (ASan) and is consistent with a
 * simple reference. Run by tests/c/run.sh (npm run test:c). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "http_coding.h"

/* Reference: trimmed, case-insensitive equality, written the slow way. */
static bool ref_is(const uint8_t *v, size_t len, const char *want)
{
    if (len > HTTP_CODING_VALUE_MAX) {
        return false;
    }
    char buf[HTTP_CODING_VALUE_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        buf[n++] = (char)((v[i] >= 'A' && v[i] <= 'Z') ? v[i] + 32 : v[i]);
    }
    size_t a = 0;
    while (a < n && (buf[a] == ' ' || buf[a] == '\t')) {
        a++;
    }
    while (n > a && (buf[n - 1] == ' ' || buf[n - 1] == '\t')) {
        n--;
    }
    return n - a == strlen(want) && memcmp(buf + a, want, n - a) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t flags = data[0];
    const uint8_t *rest = data + 1;
    size_t rest_len = size - 1;
    const uint8_t *nl = memchr(rest, '\n', rest_len);
    size_t te_len = nl != NULL ? (size_t)(nl - rest) : rest_len;
    size_t ce_off = nl != NULL ? te_len + 1 : rest_len;
    /* Exact-size copies, so ASan sees any read past a value. */
    uint8_t *te_v = malloc(te_len + 1);
    uint8_t *ce_v = malloc(rest_len - ce_off + 1);
    CHECK(te_v != NULL && ce_v != NULL);
    memcpy(te_v, rest, te_len);
    memcpy(ce_v, rest + ce_off, rest_len - ce_off);
    http_header_t te = {.present = (flags & 1) != 0, .truncated = (flags & 4) != 0, .value = (const char *)te_v,
                        .len = te_len};
    http_header_t ce = {.present = (flags & 2) != 0, .value = (const char *)ce_v, .len = rest_len - ce_off};
    bool cl = (flags & 8) != 0;
    http_coding_t got = http_coding_check(&te, &ce, cl);

    http_coding_t want = HTTP_CODING_PLAIN;
    if (te.present && cl) {
        want = HTTP_CODING_AMBIGUOUS;
    } else if (te.present && (te.truncated || !ref_is(te_v, te.len, "chunked"))) {
        want = HTTP_CODING_BAD_TRANSFER;
    } else if (ce.present && !ref_is(ce_v, ce.len, "identity")) {
        want = HTTP_CODING_COMPRESSED;
    }
    CHECK(got == want);
    int status = http_coding_status(got);
    CHECK((got == HTTP_CODING_PLAIN) == (status == 0));
    free(te_v);
    free(ce_v);
    return 0;
}
