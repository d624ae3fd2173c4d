/* libFuzzer harness for core_rollback_parse(): the POST /core/rollback body
 * is bytes anyone who reaches the board chooses. Checks, under ASan/UBSan,
 * that the parser reads only the given bytes and that its answers hang
 * together: deterministic; an accepted body's fields in range; the
 * canonical re-encoding of what it read is read the same; any value is
 * skipped when it is another member's; bytes after the value are refused.
 * Run by tests/c/run.sh (npm run test:c). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core_rollback.h"
#include "fuzz_check.h"

static core_rollback_result_t parse_copy(const uint8_t *data, size_t size, core_rollback_req_t *out)
{
    /* An exact-size copy, so ASan sees any read past the body. */
    uint8_t *copy = malloc(size > 0 ? size : 1);
    CHECK(copy != NULL);
    memcpy(copy, data, size);
    core_rollback_result_t r = core_rollback_parse(copy, size, out);
    free(copy);
    return r;
}

static size_t b64_encode(const uint8_t *in, size_t n, char *out)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= in[i + 2];
        }
        out[k++] = A[(v >> 18) & 63];
        out[k++] = A[(v >> 12) & 63];
        out[k++] = i + 1 < n ? A[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? A[v & 63] : '=';
    }
    return k;
}

static size_t count_openers(const uint8_t *data, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < size; i++) {
        n += (data[i] == '[' || data[i] == '{');
    }
    return n;
}

/* head + data + tail must read as to = embedded, signature "abc" (or be
 * refused for nesting, when data is deep). */
static void wrapped(const uint8_t *data, size_t size, const char *head, const char *tail, bool deep)
{
    size_t hn = strlen(head), tn = strlen(tail);
    uint8_t *w = malloc(hn + size + tn);
    CHECK(w != NULL);
    memcpy(w, head, hn);
    memcpy(w + hn, data, size);
    memcpy(w + hn + size, tail, tn);
    core_rollback_req_t b;
    core_rollback_result_t wr = parse_copy(w, hn + size + tn, &b);
    free(w);
    CHECK((wr == CORE_ROLLBACK_OK && b.to == CORE_ROLLBACK_TO_EMBEDDED && b.sig_len == 3 &&
           memcmp(b.sig, "abc", 3) == 0) ||
          (wr == CORE_ROLLBACK_NOT_JSON && deep));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4 * CORE_ROLLBACK_BODY_MAX) {
        return 0;
    }
    core_rollback_req_t a, b;
    core_rollback_result_t r = parse_copy(data, size, &a);
    /* Deterministic, and *out fully written. */
    CHECK(parse_copy(data, size, &b) == r && memcmp(&a, &b, sizeof(a)) == 0);
    CHECK(r <= CORE_ROLLBACK_BAD_SIGNATURE);
    if (r == CORE_ROLLBACK_OK) {
        CHECK(a.to == CORE_ROLLBACK_TO_PREVIOUS || a.to == CORE_ROLLBACK_TO_EMBEDDED);
        CHECK(a.sig_len <= CORE_ROLLBACK_SIG_MAX && a.sig_ok == (a.sig_len > 0));
        /* What was read, written canonically, reads the same. */
        char canon[64 + 4 * CORE_ROLLBACK_SIG_MAX];
        size_t k = 0;
        const char *to = core_rollback_to_name(a.to);
        memcpy(canon + k, "{\"to\":\"", 7);
        k += 7;
        memcpy(canon + k, to, strlen(to));
        k += strlen(to);
        memcpy(canon + k, "\",\"signature\":\"", 15);
        k += 15;
        k += b64_encode(a.sig, a.sig_len, canon + k);
        memcpy(canon + k, "\"}", 2);
        k += 2;
        CHECK(parse_copy((const uint8_t *)canon, k, &b) == CORE_ROLLBACK_OK && b.to == a.to &&
              b.sig_len == a.sig_len && memcmp(b.sig, a.sig, a.sig_len) == 0);
        /* One more byte after the object is not JSON any more. */
        uint8_t *more = malloc(size + 1);
        CHECK(more != NULL);
        memcpy(more, data, size);
        more[size] = 'x';
        CHECK(parse_copy(more, size + 1, &b) == CORE_ROLLBACK_NOT_JSON);
        free(more);
    }
    /* Any JSON value is skipped as another member's value, before or after
     * the members that count: nothing inside it is taken for them. */
    if (r != CORE_ROLLBACK_NOT_JSON) {
        bool deep = count_openers(data, size) >= CORE_ROLLBACK_MAX_DEPTH;
        wrapped(data, size, "{\"x\":", ",\"to\":\"embedded\",\"signature\":\"YWJj\"}", deep);
        wrapped(data, size, "{\"to\":\"embedded\",\"signature\":\"YWJj\",\"x\":", "}", deep);
    }
    return 0;
}
