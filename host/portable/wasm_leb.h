/*
 * Bounds-checked reads of a WebAssembly binary (WebAssembly Core
 * Specification 1.0, 5.2 "Values"): bytes, LEB128 integers, names. Header
 * only, no libc, no allocation, so the same code runs in the firmware, the
 * unit tests and the validator compiled to Wasm for the simulator.
 *
 * The reader is sticky: the first failure is remembered in `fail`, the
 * cursor jumps to the end and every later read returns 0. Callers still
 * check `fail` in every loop condition so that a count read from the input
 * never drives a loop that consumes no bytes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    WASM_RD_OK = 0,
    WASM_RD_EOF,     /* a read ran past `end` */
    WASM_RD_BAD_LEB, /* over-long LEB128, or unused bits not zero / not the sign */
} wasm_rd_fail_t;

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
    wasm_rd_fail_t fail;
} wasm_rd_t;

static inline wasm_rd_t wasm_rd_init(const uint8_t *p, size_t len)
{
    wasm_rd_t r = {p, p + len, WASM_RD_OK};
    return r;
}

static inline size_t wasm_rd_left(const wasm_rd_t *r)
{
    return (size_t)(r->end - r->p);
}

static inline void wasm_rd_set_fail(wasm_rd_t *r, wasm_rd_fail_t why)
{
    if (r->fail == WASM_RD_OK) {
        r->fail = why;
    }
    r->p = r->end;
}

static inline uint8_t wasm_rd_u8(wasm_rd_t *r)
{
    if (r->p >= r->end) {
        wasm_rd_set_fail(r, WASM_RD_EOF);
        return 0;
    }
    return *r->p++;
}

static inline void wasm_rd_skip(wasm_rd_t *r, size_t n)
{
    if (n > wasm_rd_left(r)) {
        wasm_rd_set_fail(r, WASM_RD_EOF);
        return;
    }
    r->p += n;
}

/* Unsigned LEB128 of at most 32 bits: at most 5 bytes, the fifth with only
 * its low 4 bits set (spec 5.2.2: "the unused bits ... must be 0"). */
static inline uint32_t wasm_rd_u32(wasm_rd_t *r)
{
    uint32_t v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        uint8_t b = wasm_rd_u8(r);
        if (r->fail != WASM_RD_OK) {
            return 0;
        }
        if (shift == 28 && (b & 0xf0) != 0) {
            wasm_rd_set_fail(r, WASM_RD_BAD_LEB);
            return 0;
        }
        v |= (uint32_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            return v;
        }
    }
    return 0; /* not reached: the fifth byte either ends the number or failed above */
}

/* Signed LEB128 of `bits` bits (32, 33 or 64): at most ceil(bits / 7)
 * bytes; in the last one the bits beyond `bits` must all equal the sign
 * bit. Returns the low 32 bits of the value (all a caller here needs). */
static inline uint32_t wasm_rd_sleb(wasm_rd_t *r, unsigned bits)
{
    const unsigned max_bytes = (bits + 6) / 7;
    uint64_t v = 0;
    for (unsigned i = 0; i < max_bytes; i++) {
        uint8_t b = wasm_rd_u8(r);
        if (r->fail != WASM_RD_OK) {
            return 0;
        }
        unsigned shift = 7 * i;
        if (i == max_bytes - 1) {
            /* Last byte allowed: no continuation; bits [used, 7) copy bit used-1. */
            unsigned used = bits - shift;
            uint8_t unused_mask = (uint8_t)(0x7f & ~((1u << used) - 1u));
            uint8_t sign = (uint8_t)((b >> (used - 1)) & 1u);
            if ((b & 0x80) != 0 || (b & unused_mask) != (sign ? unused_mask : 0)) {
                wasm_rd_set_fail(r, WASM_RD_BAD_LEB);
                return 0;
            }
        }
        if (shift < 64) {
            v |= (uint64_t)(b & 0x7f) << shift;
        }
        if ((b & 0x80) == 0) {
            shift += 7;
            if (shift < 64 && (b & 0x40) != 0) {
                v |= ~(uint64_t)0 << shift; /* sign-extend */
            }
            return (uint32_t)v;
        }
    }
    return 0; /* not reached */
}

/* A name's bytes are valid UTF-8 (spec 5.2.4; Unicode 3.9 table 3-7: no
 * overlong forms, no surrogates, nothing above U+10FFFF). */
static inline bool wasm_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t more;
        uint8_t lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            more = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            more = 2;
            if (c == 0xe0) {
                lo = 0xa0;
            } else if (c == 0xed) {
                hi = 0x9f;
            }
        } else if (c >= 0xf0 && c <= 0xf4) {
            more = 3;
            if (c == 0xf0) {
                lo = 0x90;
            } else if (c == 0xf4) {
                hi = 0x8f;
            }
        } else {
            return false;
        }
        if (more > n - i - 1) {
            return false;
        }
        for (size_t k = 1; k <= more; k++) {
            uint8_t cc = s[i + k];
            if (k == 1 ? (cc < lo || cc > hi) : (cc < 0x80 || cc > 0xbf)) {
                return false;
            }
        }
        i += more + 1;
    }
    return true;
}

/* A name (spec 5.2.4): u32 length, then that many bytes of UTF-8. On
 * success *out / *len point into the input; returns false (and sets fail
 * for a short read or bad LEB) otherwise, *bad_utf8 telling which. */
static inline bool wasm_rd_name(wasm_rd_t *r, const uint8_t **out, uint32_t *len, bool *bad_utf8)
{
    *bad_utf8 = false;
    uint32_t n = wasm_rd_u32(r);
    if (r->fail != WASM_RD_OK) {
        return false;
    }
    const uint8_t *s = r->p;
    wasm_rd_skip(r, n);
    if (r->fail != WASM_RD_OK) {
        return false;
    }
    if (!wasm_utf8_valid(s, n)) {
        *bad_utf8 = true;
        return false;
    }
    *out = s;
    *len = n;
    return true;
}

/* The bytes of a name equal the NUL-terminated string `s`. */
static inline bool wasm_name_is(const uint8_t *name, uint32_t len, const char *s)
{
    uint32_t i = 0;
    for (; i < len; i++) {
        if (s[i] == '\0' || (uint8_t)s[i] != name[i]) {
            return false;
        }
    }
    return s[i] == '\0';
}
