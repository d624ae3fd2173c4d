/*
 * Native build of the signed-core validator for tests/node/core-image.test.ts,
 * which compares it with the Wasm build (dist/core_image.wasm) input by
 * input: same C, two targets (64-bit and 32-bit size_t), same answers.
 *
 * stdin: records of u32 little-endian length + bytes. stdout: one line per
 * record: verdict version signed_len sig_offset sig_len memory_bytes error_offset.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core_image.h"

int main(void)
{
    static uint8_t buf[1 << 20];
    uint8_t len_bytes[4];
    while (fread(len_bytes, 1, 4, stdin) == 4) {
        uint32_t len = (uint32_t)len_bytes[0] | (uint32_t)len_bytes[1] << 8 | (uint32_t)len_bytes[2] << 16 |
                       (uint32_t)len_bytes[3] << 24;
        if (len > sizeof(buf) || fread(buf, 1, len, stdin) != len) {
            fprintf(stderr, "core-image-cli: bad record\n");
            return 2;
        }
        core_image_info_t info;
        core_image_verdict_t v = core_image_check(buf, len, NULL, &info);
        printf("%d %u %zu %zu %zu %u %zu\n", (int)v, info.version, info.signed_len, info.sig_offset, info.sig_len,
               info.memory_bytes, info.error_offset);
    }
    return 0;
}
