#include "der_encode.h"

#include <stdbool.h>
#include <string.h>

size_t der_encode(const uint8_t r[32], const uint8_t s[32], uint8_t out[80])
{
    uint8_t body[76];
    size_t n = 0;
    const uint8_t *ints[2] = {r, s};
    for (int k = 0; k < 2; k++) {
        size_t skip = 0;
        while (skip < 31 && ints[k][skip] == 0) {
            skip++;
        }
        size_t vlen = 32 - skip;
        bool pad = ints[k][skip] & 0x80;
        body[n++] = 0x02;
        body[n++] = (uint8_t)(vlen + pad);
        if (pad) {
            body[n++] = 0;
        }
        memcpy(body + n, ints[k] + skip, vlen);
        n += vlen;
    }
    out[0] = 0x30;
    out[1] = (uint8_t)n;
    memcpy(out + 2, body, n);
    return n + 2;
}
