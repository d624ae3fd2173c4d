/*
 * libFuzzer harness for the captive portal's DNS responder: any datagram,
 * under ASan/UBSan. Besides "no crash, no out-of-bounds access" it checks
 * what must hold for every reply:
 *   - it fits the buffer and 512 bytes, keeps the query's ID, has QR set;
 *   - a reply with a question echoes the query's first question verbatim;
 *   - fed back in, a reply is dropped (a response is never answered).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I host/portable \
 *     tests/c/fuzz/fuzz_dns_answer.c host/portable/dns_answer.c -o fuzz_dns_answer
 *   ./fuzz_dns_answer NEW_DIR tests/c/fuzz/corpus/dns_answer -runs=N
 * (tests/c/run.sh does this with a fixed budget; new inputs go to NEW_DIR.)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns_answer.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t ap[4] = {192, 168, 4, 1};
    uint8_t out[DNS_ANSWER_MAX_MESSAGE];
    size_t len = 0;
    if (dns_answer_build(data, size, ap, out, sizeof(out), &len) != DNS_ANSWER_REPLY) {
        return 0;
    }
    CHECK(len >= 12 && len <= sizeof(out));
    CHECK(out[0] == data[0] && out[1] == data[1]);
    CHECK(out[2] & 0x80);
    unsigned qdcount = (unsigned)(out[4] << 8 | out[5]);
    if (qdcount == 1) {
        /* the question: name + 4 bytes, verbatim from offset 12 */
        size_t p = 12;
        while (p < len && out[p] != 0) {
            p += (size_t)out[p] + 1;
        }
        p += 5;
        CHECK(p <= len && p <= size && memcmp(out + 12, data + 12, p - 12) == 0);
    }
    uint8_t again[DNS_ANSWER_MAX_MESSAGE];
    size_t again_len = 0;
    CHECK(dns_answer_build(out, len, ap, again, sizeof(again), &again_len) == DNS_ANSWER_DROP);
    return 0;
}
