/* core_rollback: the POST /core/rollback body and the text its signature
 * covers (docs/update.md "Protocol"). The answers are the simulator's
 * (sim/core-update.ts rollback(): JSON.parse, then "to" and "signature"),
 * the base64 is Node's Buffer.from(text, 'base64') (vectors below were
 * printed by Node 20). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core_rollback.h"
#include "core_sig.h"

static core_rollback_result_t parse(const char *body, core_rollback_req_t *req)
{
    return core_rollback_parse((const uint8_t *)body, strlen(body), req);
}

static core_rollback_result_t parse_only(const char *body)
{
    core_rollback_req_t req;
    return parse(body, &req);
}

/* A signature made by Node (what npm run deploy -- --rollback sends):
 * crypto.sign('sha256', Buffer.from(message), {key, dsaEncoding: 'der'}). */
static const char *NODE_PUBKEY =
    "040e7fb6f18256e2eadbb7305264c20f3b79103dfe649b130d6edf812e6ceba5a0d595d9f40fbd71715ccb565348ace0c5693f30b3ce9"
    "ece0d9bf385d7df83f241";
static const char *NODE_SHA = "9ec177fc30a7e0840bf05a29b4cd5b215535fe72e17bb197c397e2c4818c1575";
static const char *NODE_BODY = "{\"to\":\"previous\",\"signature\":\"MEUCIQCxAY/UM7hLZtdpcdleOI3Yw9Dmqjc7S/"
                               "hGfE0V30j4xgIgKGsvDFUEU4m8XGRcniqAMCyXgLNGMfDdPZCH10nfblo=\"}";

static void from_hex(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static void a_node_signed_rollback_verifies(void **state)
{
    (void)state;
    uint8_t key[65], sha[32], digest[32];
    from_hex(NODE_PUBKEY, key, sizeof(key));
    from_hex(NODE_SHA, sha, sizeof(sha));
    core_rollback_req_t req;
    assert_int_equal(parse(NODE_BODY, &req), CORE_ROLLBACK_OK);
    assert_int_equal(req.to, CORE_ROLLBACK_TO_PREVIOUS);
    assert_true(req.sig_ok);
    assert_int_equal(req.sig_len, 71);
    char msg[CORE_ROLLBACK_MESSAGE_MAX];
    size_t n = core_rollback_message(req.to, sha, msg, sizeof(msg));
    assert_int_equal(n, strlen(msg));
    assert_string_equal(msg, "rollback:previous:9ec177fc30a7e0840bf05a29b4cd5b215535fe72e17bb197c397e2c4818c1575");
    core_sig_sha256((const uint8_t *)msg, n, digest);
    assert_true(core_sig_verify_p256(key, digest, req.sig, req.sig_len));
    /* The same signature does not cover the other target, nor another core. */
    n = core_rollback_message(CORE_ROLLBACK_TO_EMBEDDED, sha, msg, sizeof(msg));
    core_sig_sha256((const uint8_t *)msg, n, digest);
    assert_false(core_sig_verify_p256(key, digest, req.sig, req.sig_len));
    sha[31] ^= 1;
    n = core_rollback_message(CORE_ROLLBACK_TO_PREVIOUS, sha, msg, sizeof(msg));
    core_sig_sha256((const uint8_t *)msg, n, digest);
    assert_false(core_sig_verify_p256(key, digest, req.sig, req.sig_len));
}

static void message_needs_room(void **state)
{
    (void)state;
    uint8_t sha[32] = {0xab};
    char msg[CORE_ROLLBACK_MESSAGE_MAX];
    size_t need = strlen("rollback:embedded:") + 64;
    assert_int_equal(core_rollback_message(CORE_ROLLBACK_TO_EMBEDDED, sha, msg, need), 0);
    assert_int_equal(core_rollback_message(CORE_ROLLBACK_TO_EMBEDDED, sha, msg, need + 1), need);
    assert_memory_equal(msg, "rollback:embedded:ab00", 22);
    assert_int_equal(core_rollback_message(CORE_ROLLBACK_TO_EMBEDDED, sha, NULL, 100), 0);
}

static void json_as_json_parse_reads_it(void **state)
{
    (void)state;
    core_rollback_req_t req;
    /* Spacing, member order, other members (any JSON), escapes. */
    assert_int_equal(parse(" \t\r\n{ \"signature\" : \"YWJj\" , \"to\" : \"embedded\" }\n", &req), CORE_ROLLBACK_OK);
    assert_int_equal(req.to, CORE_ROLLBACK_TO_EMBEDDED);
    assert_int_equal(req.sig_len, 3);
    assert_memory_equal(req.sig, "abc", 3);
    assert_int_equal(parse("{\"x\":[1,-2.5e+3,{\"to\":1},[],{}],\"to\":\"previous\",\"y\":null,\"z\":true,"
                           "\"signature\":\"YWJj\",\"w\":false,\"v\":0}",
                           &req),
                     CORE_ROLLBACK_OK);
    assert_int_equal(req.to, CORE_ROLLBACK_TO_PREVIOUS);
    assert_int_equal(parse("{\"\\u0074o\":\"\\u0065mbedded\",\"sig\\u006eature\":\"\\u0059WJj\"}", &req),
                     CORE_ROLLBACK_OK);
    assert_int_equal(req.to, CORE_ROLLBACK_TO_EMBEDDED);
    assert_memory_equal(req.sig, "abc", 3);
    /* Repeated names: the last wins, as in JSON.parse. */
    assert_int_equal(parse("{\"to\":\"embedded\",\"signature\":\"YQ==\",\"to\":\"previous\",\"signature\":\"YWJj\"}",
                           &req),
                     CORE_ROLLBACK_OK);
    assert_int_equal(req.to, CORE_ROLLBACK_TO_PREVIOUS);
    assert_int_equal(req.sig_len, 3);
    assert_int_equal(parse_only("{\"to\":\"previous\",\"signature\":\"YWJj\",\"to\":\"nowhere\"}"), CORE_ROLLBACK_BAD_TO);
    assert_int_equal(parse_only("{\"to\":\"previous\",\"signature\":\"YWJj\",\"signature\":null}"),
                     CORE_ROLLBACK_BAD_SIGNATURE);
    /* Nested members of the same names are not the top object's. */
    assert_int_equal(parse_only("{\"x\":{\"to\":\"previous\",\"signature\":\"YWJj\"}}"), CORE_ROLLBACK_BAD_TO);
    assert_int_equal(parse_only("[{\"to\":\"previous\",\"signature\":\"YWJj\"}]"), CORE_ROLLBACK_NOT_OBJECT);
}

static void what_is_refused_with_400(void **state)
{
    (void)state;
    /* Not JSON at all, or not exactly one value. */
    static const char *not_json[] = {
        "",
        " ",
        "{",
        "}",
        "{\"to\":\"previous\",\"signature\":\"YWJj\",}",
        "{\"to\":\"previous\" \"signature\":\"YWJj\"}",
        "{'to':'previous','signature':'YWJj'}",
        "{to:\"previous\",\"signature\":\"YWJj\"}",
        "{\"to\":\"previous\",\"signature\":\"YWJj\"} {}",
        "{\"to\":\"previous\",\"signature\":\"YWJj\"}x",
        "{\"to\":\"prev\tious\",\"signature\":\"YWJj\"}",   /* raw control character */
        "{\"to\":\"previous\",\"signature\":\"YW\\xJj\"}",  /* unknown escape */
        "{\"to\":\"previous\",\"signature\":\"YW\\u00Jj\"}", /* short \\u */
        "{\"n\":01,\"to\":\"previous\",\"signature\":\"YWJj\"}",
        "{\"n\":1.,\"to\":\"previous\",\"signature\":\"YWJj\"}",
        "{\"n\":-,\"to\":\"previous\",\"signature\":\"YWJj\"}",
        "{\"n\":1e,\"to\":\"previous\",\"signature\":\"YWJj\"}",
        "{\"n\":+1,\"to\":\"previous\",\"signature\":\"YWJj\"}",
        "{\"n\":tru,\"to\":\"previous\",\"signature\":\"YWJj\"}",
        "{\"n\":[1,],\"to\":\"previous\",\"signature\":\"YWJj\"}",
        "{\"n\":[1}],\"to\":\"previous\",\"signature\":\"YWJj\"}",
        "\xef\xbb\xbf{\"to\":\"previous\",\"signature\":\"YWJj\"}", /* a BOM: JSON.parse refuses it too */
    };
    for (size_t i = 0; i < sizeof(not_json) / sizeof(not_json[0]); i++) {
        assert_int_equal(parse_only(not_json[i]), CORE_ROLLBACK_NOT_JSON);
    }
    assert_int_equal(parse_only("null"), CORE_ROLLBACK_NOT_OBJECT);
    assert_int_equal(parse_only("\"to\""), CORE_ROLLBACK_NOT_OBJECT);
    assert_int_equal(parse_only("{}"), CORE_ROLLBACK_BAD_TO);
    assert_int_equal(parse_only("{\"to\":\"Previous\",\"signature\":\"YWJj\"}"), CORE_ROLLBACK_BAD_TO);
    assert_int_equal(parse_only("{\"to\":\"previous \",\"signature\":\"YWJj\"}"), CORE_ROLLBACK_BAD_TO);
    assert_int_equal(parse_only("{\"to\":\"previous\\u0000\",\"signature\":\"YWJj\"}"), CORE_ROLLBACK_BAD_TO);
    assert_int_equal(parse_only("{\"to\":[\"previous\"],\"signature\":\"YWJj\"}"), CORE_ROLLBACK_BAD_TO);
    assert_int_equal(parse_only("{\"to\":{},\"signature\":\"YWJj\"}"), CORE_ROLLBACK_BAD_TO);
    assert_int_equal(parse_only("{\"to\":\"previous\"}"), CORE_ROLLBACK_BAD_SIGNATURE);
    assert_int_equal(parse_only("{\"to\":\"previous\",\"signature\":[]}"), CORE_ROLLBACK_BAD_SIGNATURE);
    assert_int_equal(parse_only("{\"to\":\"previous\",\"signature\":42}"), CORE_ROLLBACK_BAD_SIGNATURE);
    assert_int_equal(core_rollback_parse(NULL, 10, &(core_rollback_req_t){0}), CORE_ROLLBACK_NOT_JSON);
    assert_string_equal(core_rollback_result_text(CORE_ROLLBACK_BAD_TO), "\"to\" is not \"previous\" or \"embedded\"");
}

/* Every proper prefix of a valid body is refused; the whole one is not. */
static void every_prefix_is_refused(void **state)
{
    (void)state;
    size_t len = strlen(NODE_BODY);
    core_rollback_req_t req;
    for (size_t n = 0; n < len; n++) {
        assert_int_equal(core_rollback_parse((const uint8_t *)NODE_BODY, n, &req), CORE_ROLLBACK_NOT_JSON);
    }
    assert_int_equal(core_rollback_parse((const uint8_t *)NODE_BODY, len, &req), CORE_ROLLBACK_OK);
}

static void nesting_is_bounded(void **state)
{
    (void)state;
    char body[256];
    /* One level more than the bound is refused, though JSON.parse would take it (documented). */
    for (unsigned depth = 1; depth <= CORE_ROLLBACK_MAX_DEPTH + 1; depth++) {
        /* {"x":[[...[]...]],"to":"previous","signature":"YWJj"}: depth - 1 arrays inside the object. */
        size_t k = 0;
        k += (size_t)snprintf(body + k, sizeof(body) - k, "{\"x\":");
        for (unsigned i = 1; i < depth; i++) {
            body[k++] = '[';
        }
        for (unsigned i = 1; i < depth; i++) {
            body[k++] = ']';
        }
        if (depth == 1) {
            body[k++] = '0';
        }
        (void)snprintf(body + k, sizeof(body) - k, ",\"to\":\"previous\",\"signature\":\"YWJj\"}");
        assert_int_equal(parse_only(body), depth <= CORE_ROLLBACK_MAX_DEPTH ? CORE_ROLLBACK_OK : CORE_ROLLBACK_NOT_JSON);
    }
}

/* Buffer.from(s, 'base64') in Node 20 (printed as hex). */
static void signature_base64_as_node_decodes_it(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *hex;
    } vectors[] = {
        {"YWJj", "616263"},     {"YW Jj", "616263"},  {"Y!W!J!j", "616263"}, {"YWJj=", "616263"},
        {"YWJ", "6162"},        {"YW=Jj", "61"},      {"YQ==YWJj", "61"},    {"-_-_", "fbffbf"},
        {"+/+/", "fbffbf"},     {"YWJjZA", "61626364"}, {"YWJjZ", "616263"}, {"YWJj\\n", "616263"},
    };
    char body[128];
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        (void)snprintf(body, sizeof(body), "{\"to\":\"previous\",\"signature\":\"%s\"}", vectors[i].text);
        core_rollback_req_t req;
        assert_int_equal(parse(body, &req), CORE_ROLLBACK_OK);
        uint8_t want[8];
        size_t n = strlen(vectors[i].hex) / 2;
        from_hex(vectors[i].hex, want, n);
        assert_true(req.sig_ok);
        assert_int_equal(req.sig_len, n);
        assert_memory_equal(req.sig, want, n);
    }
}

/* A signature that cannot be a DER P-256 one still parses: the answer is
 * 403 (does not verify), as in the simulator, not 400. */
static void undecodable_signatures_parse_but_cannot_verify(void **state)
{
    (void)state;
    core_rollback_req_t req;
    assert_int_equal(parse("{\"to\":\"previous\",\"signature\":\"\"}", &req), CORE_ROLLBACK_OK);
    assert_false(req.sig_ok);
    assert_int_equal(parse("{\"to\":\"previous\",\"signature\":\"!!!!\"}", &req), CORE_ROLLBACK_OK);
    assert_false(req.sig_ok);
    /* 96 characters decode to 72 bytes (the DER maximum); 100 to 75. */
    char body[256];
    char sig[101];
    memset(sig, 'A', sizeof(sig));
    sig[96] = '\0';
    (void)snprintf(body, sizeof(body), "{\"to\":\"previous\",\"signature\":\"%s\"}", sig);
    assert_int_equal(parse(body, &req), CORE_ROLLBACK_OK);
    assert_true(req.sig_ok);
    assert_int_equal(req.sig_len, CORE_ROLLBACK_SIG_MAX);
    sig[96] = 'A';
    sig[100] = '\0';
    (void)snprintf(body, sizeof(body), "{\"to\":\"previous\",\"signature\":\"%s\"}", sig);
    assert_int_equal(parse(body, &req), CORE_ROLLBACK_OK);
    assert_false(req.sig_ok);
    assert_int_equal(req.sig_len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_node_signed_rollback_verifies),
        cmocka_unit_test(message_needs_room),
        cmocka_unit_test(json_as_json_parse_reads_it),
        cmocka_unit_test(what_is_refused_with_400),
        cmocka_unit_test(every_prefix_is_refused),
        cmocka_unit_test(nesting_is_bounded),
        cmocka_unit_test(signature_base64_as_node_decodes_it),
        cmocka_unit_test(undecodable_signatures_parse_but_cannot_verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
