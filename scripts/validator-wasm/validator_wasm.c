/*
 * Entry points of the signed-core validator compiled to Wasm for the
 * simulator (scripts/build-validator.sh -> dist/core_image.wasm): the very
 * host/portable/core_image.c the firmware runs, behind a flat interface
 * JavaScript can call (scripts/core-validator.ts). No imports; the module
 * exports its memory. Signature checking is not here: node:crypto verifies
 * the DER signature over the range this reports.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core_image.h"
#include "sse_frame.h"

#define EXPORT(name) __attribute__((export_name(name)))

/* Where JavaScript copies the file. Larger limits than this are refused by
 * cv_check, so a check never reads past it. */
#define CV_CAPACITY (256u * 1024u)

static uint8_t s_buffer[CV_CAPACITY];
static core_image_info_t s_info;

EXPORT("cv_buffer") uint8_t *cv_buffer(void)
{
    return s_buffer;
}

EXPORT("cv_capacity") uint32_t cv_capacity(void)
{
    return CV_CAPACITY;
}

/* Checks the first `len` bytes of the buffer (a `len` above max_len is
 * refused before any byte is read). Returns the verdict number, or -1 when
 * max_len exceeds the buffer. */
EXPORT("cv_check") int32_t cv_check(uint32_t len, uint32_t max_len, uint32_t max_memory)
{
    if (max_len > CV_CAPACITY) {
        return -1;
    }
    core_image_limits_t limits = core_image_limits_default();
    limits.max_len = max_len;
    limits.max_memory = max_memory;
    return (int32_t)core_image_check(s_buffer, len, &limits, &s_info);
}

EXPORT("cv_version") uint32_t cv_version(void)
{
    return s_info.version;
}

EXPORT("cv_signed_len") uint32_t cv_signed_len(void)
{
    return (uint32_t)s_info.signed_len;
}

EXPORT("cv_sig_offset") uint32_t cv_sig_offset(void)
{
    return (uint32_t)s_info.sig_offset;
}

EXPORT("cv_sig_len") uint32_t cv_sig_len(void)
{
    return (uint32_t)s_info.sig_len;
}

EXPORT("cv_memory_bytes") uint32_t cv_memory_bytes(void)
{
    return s_info.memory_bytes;
}

EXPORT("cv_error_offset") uint32_t cv_error_offset(void)
{
    return (uint32_t)s_info.error_offset;
}

EXPORT("cv_verdict_count") uint32_t cv_verdict_count(void)
{
    return CORE_IMAGE_VERDICT_COUNT;
}

/* NUL-terminated strings in the module's memory (0 for out of range). */
EXPORT("cv_verdict_name") const char *cv_verdict_name(int32_t verdict)
{
    return core_image_verdict_name((core_image_verdict_t)verdict);
}

EXPORT("cv_verdict_text") const char *cv_verdict_text(int32_t verdict)
{
    return core_image_verdict_text((core_image_verdict_t)verdict);
}

EXPORT("cv_verdict_status") int32_t cv_verdict_status(int32_t verdict)
{
    return core_image_verdict_http_status((core_image_verdict_t)verdict);
}

/* The trial's frame check (sse_frame.c) on the first `len` bytes of the
 * buffer. */
EXPORT("cv_frame_check") int32_t cv_frame_check(uint32_t len, int32_t expect_led, int32_t expect_id)
{
    return (int32_t)sse_frame_check(s_buffer, len < CV_CAPACITY ? len : CV_CAPACITY, expect_led, expect_id);
}

EXPORT("cv_frame_text") const char *cv_frame_text(int32_t verdict)
{
    return sse_frame_verdict_text((sse_frame_verdict_t)verdict);
}

EXPORT("cv_default_max_len") uint32_t cv_default_max_len(void)
{
    return CORE_IMAGE_DEFAULT_MAX_LEN;
}

EXPORT("cv_default_max_memory") uint32_t cv_default_max_memory(void)
{
    return CORE_IMAGE_DEFAULT_MAX_MEMORY;
}

EXPORT("cv_version_acceptable") int32_t cv_version_acceptable(uint32_t running, uint32_t candidate)
{
    return core_image_version_acceptable(running, candidate) ? 1 : 0;
}

/* The libc the sources and the compiler may call (built with -fno-builtin
 * so these loops stay loops). */
void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    for (size_t i = 0; i < n; i++) {
        d[i] = s[i];
    }
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s) {
        for (size_t i = 0; i < n; i++) {
            d[i] = s[i];
        }
    } else {
        for (size_t i = n; i > 0; i--) {
            d[i - 1] = s[i - 1];
        }
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++) {
        d[i] = (uint8_t)c;
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] < y[i] ? -1 : 1;
        }
    }
    return 0;
}

int strcmp(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    return n;
}
