/*
 * libFuzzer harness for the signed-core validator (host/portable/core_image.c,
 * wasm_code.c) and the strict DER parser of core_sig.c, under ASan/UBSan.
 * Besides "no crash, no out-of-bounds access, no undefined behaviour" it
 * checks what must hold for every input:
 *   - the verdict is one core_image_check may return, with a text;
 *   - accepted: the ranges are inside the input, the signature is the
 *     last bytes, 8..72 of them, the memory a whole number of 4 KiB pages
 *     within the limit, the hash hook called on exactly [0, signed_len);
 *   - refused: no hash; the error offset inside the input (or at the limit);
 *   - a second call gives the same answer (no hidden state);
 *   - the DER parser accepts only the canonical encoding of what it returns.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I host/portable \
 *     tests/c/fuzz/fuzz_core_image.c host/portable/core_image.c \
 *     host/portable/wasm_code.c host/portable/core_abi.c host/portable/core_sig.c \
 *     -I tests/c/support tests/c/support/der_encode.c -lmbedcrypto -o fuzz_core_image
 *   ./fuzz_core_image NEW_DIR tests/c/fuzz/corpus/core_image -dict=tests/c/fuzz/core_image.dict -runs=N
 * (tests/c/run.sh does this with a fixed budget; new inputs go to NEW_DIR.)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core_image.h"
#include "core_sig.h"
#include "der_encode.h"
#include "wasm_code.h"

#include "fuzz_check.h"

static const uint8_t *s_data;
static size_t s_hashed_len;
static int s_hash_calls;

/* Stands in for SHA-256: reads every byte it is given (ASan checks the
 * range) and remembers how many. */
static void touch_hash(const uint8_t *data, size_t len, uint8_t out[32])
{
    CHECK(data == s_data);
    uint8_t x = 0;
    for (size_t i = 0; i < len; i++) {
        x ^= data[i];
    }
    memset(out, x, 32);
    s_hashed_len = len;
    s_hash_calls++;
}

static void check_image(const uint8_t *data, size_t size)
{
    core_image_limits_t limits = core_image_limits_default();
    limits.sha256 = touch_hash;
    s_data = data;
    s_hash_calls = 0;
    core_image_info_t info, again;
    core_image_verdict_t v = core_image_check(data, size, &limits, &info);
    CHECK(v < CORE_IMAGE_BAD_SIGNATURE);
    CHECK(core_image_verdict_text(v) != NULL && core_image_verdict_name(v) != NULL);
    if (v == CORE_IMAGE_OK) {
        CHECK(info.signed_len > 8 && info.signed_len < info.sig_offset);
        CHECK(info.sig_offset + info.sig_len == size);
        CHECK(info.sig_len >= CORE_IMAGE_SIG_MIN_LEN && info.sig_len <= CORE_IMAGE_SIG_MAX_LEN);
        CHECK(data[info.sig_offset] == 0x30);
        CHECK(info.memory_bytes >= 4096 && info.memory_bytes % 4096 == 0 && info.memory_bytes <= limits.max_memory);
        CHECK(info.has_sha256 && s_hash_calls == 1 && s_hashed_len == info.signed_len);
        CHECK(info.error_offset == 0);
    } else {
        CHECK(!info.has_sha256 && s_hash_calls == 0);
        CHECK(info.error_offset <= size);
    }
    CHECK(core_image_check(data, size, &limits, &again) == v);
    CHECK(memcmp(&info, &again, sizeof(info)) == 0);
}

/* The decoder on its own, on the raw bytes, with a small environment. */
static void check_code(const uint8_t *data, size_t size)
{
    const wasm_code_env_t env = {
        .params = 2, .types = 4, .functions = 8, .globals = 4, .has_memory = true, .has_table = true};
    wasm_code_facts_t facts;
    wasm_code_status_t st = wasm_code_scan(data, size, &env, &facts);
    CHECK(st == WASM_CODE_OK || facts.error_at <= size);
}

static void check_der(const uint8_t *data, size_t size)
{
    uint8_t r[32], s[32];
    if (!core_sig_der_parse(data, size, r, s)) {
        return;
    }
    /* Re-encode canonically: must give back the input byte for byte. */
    uint8_t der[80];
    size_t n = der_encode(r, s, der);
    CHECK(n == size && memcmp(der, data, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_image(data, size);
    check_code(data, size);
    check_der(data, size);
    return 0;
}
