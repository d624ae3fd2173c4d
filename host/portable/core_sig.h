/*
 * Signature check of a signed core image (docs/update.md "Crypto"): ECDSA
 * on NIST P-256 over SHA-256, the signature DER-encoded as
 * SEQUENCE { INTEGER r, INTEGER s } (RFC 3279 2.2.3, SEC 1 C.8), on mbedTLS.
 *
 * Only mbedTLS calls present in both Debian 12's 2.28 (the tests here) and
 * the 3.x that ESP-IDF 5.x bundles are used, so the same file builds for
 * both; see core_sig.c for the list and the one #if.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Uncompressed SEC 1 point: 0x04 || X (32 bytes) || Y (32 bytes). */
#define CORE_SIG_PUBKEY_LEN 65u

/* SHA-256 of data[0 .. len). */
void core_sig_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

/* True only when der_sig is a strict DER encoding (minimal lengths and
 * integers, nothing after it: what OpenSSL, and so node:crypto, accepts)
 * of a valid ECDSA P-256 signature of sha256 under pubkey. A public key
 * that is not a point of the curve is false, never a crash. */
bool core_sig_verify_p256(const uint8_t pubkey[CORE_SIG_PUBKEY_LEN], const uint8_t sha256[32], const uint8_t *der_sig,
                          size_t sig_len);

/* The strict DER parse on its own (no crypto): r and s as 32-byte
 * big-endian numbers. False for anything but SEQUENCE { INTEGER, INTEGER }
 * with minimal encodings, positive values of at most 32 bytes and no
 * trailing byte. Exposed for the tests and the fuzzer. */
bool core_sig_der_parse(const uint8_t *der, size_t len, uint8_t r[32], uint8_t s[32]);

#ifdef __cplusplus
}
#endif
