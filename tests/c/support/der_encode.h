/* Canonical DER of an ECDSA P-256 signature (r, s), as OpenSSL and so
 * node:crypto write it: the reference the tests and the fuzzer hold
 * core_sig_der_parse() to. Test code only. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Writes SEQUENCE { INTEGER r, INTEGER s } with minimal integers to out
 * (at most 72 bytes); returns its length. */
size_t der_encode(const uint8_t r[32], const uint8_t s[32], uint8_t out[80]);
