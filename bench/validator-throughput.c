/*
 * Throughput of the signed-core validator (host/portable/core_image.c) and
 * of the signature check (core_sig.c, mbedTLS) on this machine, built with
 * the machine's cc -O2 by bench/core-update.ts. Prints one line per figure.
 *
 *   validator-throughput FILE.wasm PUBKEY.bin ITERATIONS
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core_image.h"
#include "core_sig.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    static uint8_t file[64 * 1024];
    uint8_t key[65];
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE.wasm PUBKEY.bin ITERATIONS\n", argv[0]);
        return 2;
    }
    size_t len = read_file(argv[1], file, sizeof(file));
    if (read_file(argv[2], key, sizeof(key)) != sizeof(key)) {
        fprintf(stderr, "%s: not a 65-byte public key\n", argv[2]);
        return 2;
    }
    long iterations = strtol(argv[3], NULL, 10);
    core_image_info_t info;
    volatile unsigned sink = 0;

    double t0 = now_s();
    for (long i = 0; i < iterations; i++) {
        sink += (unsigned)core_image_check(file, len, NULL, &info);
    }
    double check_s = (now_s() - t0) / (double)iterations;
    if (core_image_check(file, len, NULL, &info) != CORE_IMAGE_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], core_image_verdict_text(core_image_check(file, len, NULL, &info)));
        return 1;
    }

    long sig_iterations = iterations / 100 > 10 ? iterations / 100 : 10;
    uint8_t digest[32];
    t0 = now_s();
    for (long i = 0; i < sig_iterations; i++) {
        core_sig_sha256(file, info.signed_len, digest);
        sink += core_sig_verify_p256(key, digest, file + info.sig_offset, info.sig_len) ? 1u : 0u;
    }
    double sig_s = (now_s() - t0) / (double)sig_iterations;
    if (!core_sig_verify_p256(key, digest, file + info.sig_offset, info.sig_len)) {
        fprintf(stderr, "%s: the signature does not verify\n", argv[1]);
        return 1;
    }
    printf("file_bytes %zu\n", len);
    printf("check_us %.3f\n", check_s * 1e6);
    printf("check_mb_per_s %.1f\n", (double)len / check_s / 1e6);
    printf("sha256_and_verify_us %.1f\n", sig_s * 1e6);
    printf("sink %u\n", (unsigned)sink);
    return 0;
}
