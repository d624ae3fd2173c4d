/*
 * Decides whether uploaded bytes may become the running core: a signed
 * core.wasm (docs/update.md "File format") is checked for structure, the
 * ABI of docs/abi.md (core_abi.h), and the linear-memory layout WAMR 2.4.0
 * needs (docs/abi.md "Memory"), before anything instantiates it.
 *
 * The input is untrusted: every length is checked, nothing is allocated,
 * nothing recurses, the work is linear in the length and the stack use
 * about 1 KiB (core_image_check's frame: 816 B with gcc -m32 -Os, 1088 B
 * on x86-64 -O2, by -fstack-usage). No libc either, so the very same file
 * is compiled to Wasm for the simulator (scripts/build-validator.sh).
 *
 * What it does not do: verify the signature (core_sig.h does, over the
 * range this reports) and decide about versions (the caller compares with
 * the running core: core_image_version_acceptable).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Custom sections of the signed file format. */
#define CORE_IMAGE_VERSION_SECTION "core-version"
#define CORE_IMAGE_SIGNATURE_SECTION "core-signature"

/* Defaults of core_image_limits_t. */
#define CORE_IMAGE_DEFAULT_MAX_LEN (32u * 1024u)
#define CORE_IMAGE_DEFAULT_MAX_MEMORY (16u * 1024u)

/* DER ECDSA P-256 signature: SEQUENCE { INTEGER r, INTEGER s }, each
 * integer 1..33 bytes: 8..72 bytes in all. */
#define CORE_IMAGE_SIG_MIN_LEN 8u
#define CORE_IMAGE_SIG_MAX_LEN 72u

/* The validator accepts at most this many function types (the core has a
 * handful); more is refused as unsupported. */
#define CORE_IMAGE_MAX_TYPES 64u
/* Most parameters / results of one function type. */
#define CORE_IMAGE_MAX_PARAMS 16u
#define CORE_IMAGE_MAX_RESULTS 1u

/*
 * Verdicts, in the order the checks run (docs/update.md "Validation").
 * Numbers are stable: append, never renumber.
 */
typedef enum {
    CORE_IMAGE_OK = 0,
    CORE_IMAGE_TOO_LARGE = 1,
    CORE_IMAGE_NOT_WASM = 2,
    CORE_IMAGE_TRUNCATED = 3,
    CORE_IMAGE_BAD_LEB128 = 4,
    CORE_IMAGE_BAD_SECTION = 5,
    CORE_IMAGE_BAD_SECTION_SIZE = 6,
    CORE_IMAGE_MALFORMED = 7,
    CORE_IMAGE_UNSUPPORTED = 8,
    CORE_IMAGE_BAD_INSTRUCTION = 9,
    CORE_IMAGE_NO_SIGNATURE = 10,
    CORE_IMAGE_SIGNATURE_NOT_LAST = 11,
    CORE_IMAGE_BAD_SIGNATURE_FORMAT = 12,
    CORE_IMAGE_NO_VERSION = 13,
    CORE_IMAGE_BAD_IMPORT = 14,
    CORE_IMAGE_IMPORT_TYPE = 15,
    CORE_IMAGE_EXPORT_MISSING = 16,
    CORE_IMAGE_EXPORT_TYPE = 17,
    CORE_IMAGE_START_FUNCTION = 18,
    CORE_IMAGE_MEMORY_GROW = 19,
    CORE_IMAGE_LAYOUT = 20,
    CORE_IMAGE_MEMORY_TOO_LARGE = 21,
    /* Never returned by core_image_check: the caller's own refusals, here
     * so that every refusal of an upload has one stable text. */
    CORE_IMAGE_BAD_SIGNATURE = 22, /* core_sig_verify_p256 said no */
    CORE_IMAGE_NOT_NEWER = 23,     /* core_image_version_acceptable said no */
    CORE_IMAGE_TRIAL_FAILED = 24,  /* trapped or wrote bad frames in its trial */
    CORE_IMAGE_UPDATES_DISABLED = 25, /* no public key: nothing can be verified */
    CORE_IMAGE_BUSY = 26,          /* another update is being applied */
    CORE_IMAGE_VERDICT_COUNT
} core_image_verdict_t;

typedef struct {
    /* Largest file accepted, in bytes. */
    size_t max_len;
    /* Largest linear memory (__heap_base) accepted, in bytes. */
    uint32_t max_memory;
    /* Optional: SHA-256 of data[0 .. len) into out. When set, an accepted
     * image's info->sha256 is filled with it (core_sig_sha256 on mbedTLS
     * in C; the Wasm build has none and the simulator hashes with
     * node:crypto over the same range). */
    void (*sha256)(const uint8_t *data, size_t len, uint8_t out[32]);
} core_image_limits_t;

typedef struct {
    /* The u32 of the core-version section (valid when the section was read). */
    uint32_t version;
    /* Bytes [0, signed_len) are what the signature covers: every byte
     * before the core-signature section, header and version included. */
    size_t signed_len;
    /* The DER signature: bytes [sig_offset, sig_offset + sig_len). */
    size_t sig_offset;
    size_t sig_len;
    /* __heap_base: the bytes of linear memory WAMR will keep. */
    uint32_t memory_bytes;
    /* SHA-256 of bytes [0, signed_len): the image's identity (independent
     * of the signature's encoding). Filled only for CORE_IMAGE_OK with
     * limits->sha256 set; has_sha256 says so. */
    uint8_t sha256[32];
    bool has_sha256;
    /* Byte offset in the file where the refusal was found (0 when it is
     * not about one place). Diagnostics only. */
    size_t error_offset;
} core_image_info_t;

/* The defaults: 32 KiB file, 16 KiB linear memory, no hash. */
core_image_limits_t core_image_limits_default(void);

/* Checks bytes[0 .. len). limits NULL means the defaults; info may not be
 * NULL and is always fully written. */
core_image_verdict_t core_image_check(const uint8_t *bytes, size_t len, const core_image_limits_t *limits,
                                      core_image_info_t *info);

/* One line saying why (or "accepted"), stable per verdict, no newline;
 * "unknown verdict" for a number out of range. */
const char *core_image_verdict_text(core_image_verdict_t verdict);

/* The verdict's name without the CORE_IMAGE_ prefix ("OK", "TOO_LARGE",
 * ...): what fixtures and logs use. NULL for a number out of range. */
const char *core_image_verdict_name(core_image_verdict_t verdict);

/* The HTTP status a refused upload gets (docs/update.md "Protocol"); 200
 * for CORE_IMAGE_OK, 500 for a number out of range. */
int core_image_verdict_http_status(core_image_verdict_t verdict);

/* Anti-downgrade policy: a candidate may replace the running core only
 * with a strictly greater version. The embedded core counts as version 0,
 * so version 0 is never accepted. Rollback is a separate path that does
 * not go through this. */
bool core_image_version_acceptable(uint32_t running, uint32_t candidate);

#ifdef __cplusplus
}
#endif
