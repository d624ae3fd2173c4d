/*
 * ECDSA P-256 / SHA-256 verification of a signed core (core_sig.h) on
 * mbedTLS. Every call used exists with the same prototype in mbedTLS
 * 2.28 (Debian 12's libmbedtls-dev) and 3.x (ESP-IDF 5.1-5.5 bundle 3.4-3.6),
 * checked in the headers of tags v2.28.3 and v3.6.6 (and v3.4.1):
 *   mbedtls_ecp_group_init/_free, mbedtls_ecp_group_load      ecp.h
 *   mbedtls_ecp_point_init/_free, mbedtls_ecp_point_read_binary,
 *   mbedtls_ecp_check_pubkey                                   ecp.h
 *   mbedtls_mpi_init/_free, mbedtls_mpi_read_binary            bignum.h
 *   mbedtls_ecdsa_verify (group, hash, Q, r, s)                ecdsa.h
 * None touches a struct field, so 3.x's private fields (MBEDTLS_PRIVATE)
 * need no accessor. The only difference is the one-shot SHA-256:
 * mbedtls_sha256_ret in 2.28 (mbedtls_sha256 there is the deprecated void
 * form), mbedtls_sha256 returning int in 3.x (sha256.h).
 *
 * The DER signature is parsed here, strictly, rather than with
 * mbedtls_ecdsa_read_signature: that one needs the key in an
 * mbedtls_ecdsa_context, whose fields are private in 3.x, and it accepts
 * some non-minimal encodings that node:crypto (OpenSSL) refuses; the board
 * and the simulator must agree on every signature.
 */
#include "core_sig.h"

#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"
#include "mbedtls/sha256.h"
#include "mbedtls/version.h"

#define DER_SEQUENCE 0x30
#define DER_INTEGER 0x02
#define P256_BYTES 32u

void core_sig_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    int ret = mbedtls_sha256(data, len, out, 0);
#else
    int ret = mbedtls_sha256_ret(data, len, out, 0);
#endif
    if (ret != 0) {
        /* Only a hardware-accelerator failure can get here: a digest of all
         * zeros matches no signature the project ever made. */
        memset(out, 0, 32);
    }
}

/* One DER INTEGER at der[*pos]: positive, minimal, at most 32 bytes of
 * value; copied right-aligned into out. */
static bool der_integer(const uint8_t *der, size_t end, size_t *pos, uint8_t out[P256_BYTES])
{
    size_t p = *pos;
    if (end - p < 2 || der[p] != DER_INTEGER) {
        return false;
    }
    size_t n = der[p + 1];
    p += 2;
    if (n == 0 || n > end - p || (der[p] & 0x80) != 0) {
        return false; /* empty, past the end, or negative */
    }
    if (der[p] == 0x00) {
        if (n == 1) {
            /* zero itself: well-formed, and refused by the verifier (r, s >= 1) */
        } else if ((der[p + 1] & 0x80) == 0) {
            return false; /* a leading zero that is not needed */
        } else {
            p++;
            n--;
        }
    }
    if (n > P256_BYTES) {
        return false;
    }
    memset(out, 0, P256_BYTES);
    memcpy(out + (P256_BYTES - n), der + p, n);
    *pos = p + n;
    return true;
}

bool core_sig_der_parse(const uint8_t *der, size_t len, uint8_t r[32], uint8_t s[32])
{
    /* Content is at most 2 x (2 + 33) = 70 bytes, so its length is always
     * the one-byte short form; a long form would not be minimal. */
    if (der == NULL || len < 2 || der[0] != DER_SEQUENCE || der[1] >= 0x80 || (size_t)der[1] != len - 2) {
        return false;
    }
    size_t pos = 2;
    return der_integer(der, len, &pos, r) && der_integer(der, len, &pos, s) && pos == len;
}

bool core_sig_verify_p256(const uint8_t pubkey[CORE_SIG_PUBKEY_LEN], const uint8_t sha256[32], const uint8_t *der_sig,
                          size_t sig_len)
{
    uint8_t r_bytes[P256_BYTES], s_bytes[P256_BYTES];
    if (pubkey == NULL || sha256 == NULL || !core_sig_der_parse(der_sig, sig_len, r_bytes, s_bytes)) {
        return false;
    }
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi r, s;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    /* read_binary accepts only the uncompressed form for P-256 in 2.28
     * (and compressed only where enabled in 3.x): the length pins it to
     * 0x04 || X || Y; check_pubkey then refuses points off the curve. */
    bool ok = pubkey[0] == 0x04 && mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
              mbedtls_ecp_point_read_binary(&grp, &q, pubkey, CORE_SIG_PUBKEY_LEN) == 0 &&
              mbedtls_ecp_check_pubkey(&grp, &q) == 0 && mbedtls_mpi_read_binary(&r, r_bytes, P256_BYTES) == 0 &&
              mbedtls_mpi_read_binary(&s, s_bytes, P256_BYTES) == 0 &&
              mbedtls_ecdsa_verify(&grp, sha256, 32, &q, &r, &s) == 0;
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return ok;
}
