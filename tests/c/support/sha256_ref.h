/*
 * SHA-256 (FIPS 180-4) for the C tests: the hash core_slots is given in
 * tests (the firmware gives it core_sig_sha256(), mbedTLS). Test-only code,
 * checked against the FIPS 180-2 example vectors in test_core_slots.c.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

void sha256_ref(const uint8_t *data, size_t len, uint8_t out[32]);
