/* captive_portal: which requests go to the page, against the probe table of
 * docs/abi.md; the Host rule; the Location and the RFC 8908 API body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "captive_portal.h"

#define MAX_DOC_PATHS 32

/* Rows "| `/path` | ..." under the "#### Connectivity probes" heading. */
static size_t doc_probe_paths(char paths[][64])
{
    FILE *f = fopen(ABI_DOC, "r");
    assert_non_null(f);
    char line[1024];
    bool in = false;
    size_t n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (line[0] == '#') {
            in = strstr(line, "Connectivity probes") != NULL;
            continue;
        }
        if (!in || strncmp(line, "| `/", 4) != 0) {
            continue;
        }
        const char *start = line + 3;
        size_t len = strcspn(start, "`");
        assert_true(len < 64 && n < MAX_DOC_PATHS);
        memcpy(paths[n], start, len);
        paths[n][len] = '\0';
        n++;
    }
    fclose(f);
    return n;
}

static void probes_are_the_documented_ones(void **state)
{
    (void)state;
    char doc[MAX_DOC_PATHS][64];
    size_t ndoc = doc_probe_paths(doc);
    size_t n = 0;
    const char *const *paths = captive_portal_probe_paths(&n);
    assert_true(ndoc >= 10);
    assert_int_equal(n, ndoc);
    for (size_t i = 0; i < ndoc; i++) {
        if (!captive_portal_is_probe(doc[i])) {
            fail_msg("docs/abi.md lists probe %s, captive_portal.c does not", doc[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < ndoc; j++) {
            found = found || strcmp(paths[i], doc[j]) == 0;
        }
        if (!found) {
            fail_msg("captive_portal.c has probe %s, docs/abi.md does not list it", paths[i]);
        }
    }
}

static void probe_paths_match_exactly(void **state)
{
    (void)state;
    assert_true(captive_portal_is_probe("/generate_204"));
    assert_true(captive_portal_is_probe("/generate_204?x=1"));
    assert_true(captive_portal_is_probe("/hotspot-detect.html#a"));
    assert_false(captive_portal_is_probe("/generate_204/"));
    assert_false(captive_portal_is_probe("/GENERATE_204"));
    assert_false(captive_portal_is_probe("/"));
    assert_false(captive_portal_is_probe("/index.html"));
    assert_false(captive_portal_is_probe("/demo_sse"));
    assert_false(captive_portal_is_probe(""));
    assert_false(captive_portal_is_probe(NULL));
    assert_true(captive_portal_is_api("/captive-portal/api"));
    assert_true(captive_portal_is_api("/captive-portal/api?x"));
    assert_false(captive_portal_is_api("/captive-portal/api/"));
    assert_false(captive_portal_is_api("/captive-portal"));
    assert_false(captive_portal_is_api(NULL));
    assert_false(captive_portal_is_probe("/captive-portal/api"));
}

static void own_hosts(void **state)
{
    (void)state;
    const char *ip = "192.168.4.1";
    const char *name = "esp32-led.local";
    static const char *const own[] = {
        "192.168.4.1", "192.168.4.1:80", "esp32-led.local", "ESP32-LED.Local", "esp32-led.local.",
        "esp32-led.local:80", "esp32-led", " esp32-led.local ", "", NULL,
    };
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        if (!captive_portal_host_is_own(own[i], ip, name)) {
            fail_msg("Host [%s] should be this device", own[i] ? own[i] : "(absent)");
        }
    }
    static const char *const foreign[] = {
        "connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com", "192.168.4.10",
        "192.168.4", "esp32-led.lan", "esp32-led2.local", "esp32", "example.com:80", "[::1]:8080", "local",
    };
    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        if (captive_portal_host_is_own(foreign[i], ip, name)) {
            fail_msg("Host [%s] should not be this device", foreign[i]);
        }
    }
    /* Without a name only the address is ours. */
    assert_true(captive_portal_host_is_own("192.168.4.1", ip, NULL));
    assert_false(captive_portal_host_is_own("esp32-led.local", ip, ""));
    /* The simulator's loopback with a port, and an IPv6 literal. */
    assert_true(captive_portal_host_is_own("127.0.0.1:8080", "127.0.0.1", "localhost"));
    assert_true(captive_portal_host_is_own("localhost:8080", "127.0.0.1", "localhost"));
    assert_true(captive_portal_host_is_own("[::1]:8080", "[::1]", NULL));
    assert_true(captive_portal_host_is_own("[::1]", "[::1]", NULL));
}

static void actions(void **state)
{
    (void)state;
    const char *ip = "192.168.4.1";
    const char *name = "esp32-led.local";
    /* Probes redirect whatever the Host (GET and HEAD only). */
    assert_int_equal(captive_portal_action("GET", "/generate_204", "connectivitycheck.gstatic.com", ip, name),
                     CAPTIVE_REDIRECT);
    assert_int_equal(captive_portal_action("GET", "/generate_204", "192.168.4.1", ip, name), CAPTIVE_REDIRECT);
    assert_int_equal(captive_portal_action("HEAD", "/hotspot-detect.html", NULL, ip, name), CAPTIVE_REDIRECT);
    assert_int_equal(captive_portal_action("POST", "/generate_204", "x.com", ip, name), CAPTIVE_SERVE);
    assert_int_equal(captive_portal_action("get", "/generate_204", "x.com", ip, name), CAPTIVE_SERVE);
    /* Any path of another site. */
    assert_int_equal(captive_portal_action("GET", "/some/page?q=1", "news.example", ip, name), CAPTIVE_REDIRECT);
    assert_int_equal(captive_portal_action("GET", "/", "example.com", ip, name), CAPTIVE_REDIRECT);
    /* Our own unknown paths stay 404, our routes stay ours. */
    assert_int_equal(captive_portal_action("GET", "/nope", "192.168.4.1", ip, name), CAPTIVE_SERVE);
    assert_int_equal(captive_portal_action("GET", "/nope", "esp32-led.local", ip, name), CAPTIVE_SERVE);
    assert_int_equal(captive_portal_action("PUT", "/icon", "example.com", ip, name), CAPTIVE_SERVE);
    assert_int_equal(captive_portal_action(NULL, "/", "example.com", ip, name), CAPTIVE_SERVE);
    assert_int_equal(captive_portal_action("GET", NULL, "example.com", ip, name), CAPTIVE_SERVE);
}

static void location_and_api(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(captive_portal_location(buf, sizeof(buf), "192.168.4.1"), strlen("http://192.168.4.1/"));
    assert_string_equal(buf, "http://192.168.4.1/");
    /* Exactly fitting, and one byte short. */
    assert_int_equal(captive_portal_location(buf, 20, "192.168.4.1"), 19);
    assert_int_equal(captive_portal_location(buf, 19, "192.168.4.1"), 0);
    assert_string_equal(buf, "");
    assert_int_equal(captive_portal_location(buf, sizeof(buf), ""), 0);
    assert_int_equal(captive_portal_location(buf, sizeof(buf), NULL), 0);

    char json[128];
    size_t n = captive_portal_api_json(json, sizeof(json), "192.168.4.1");
    assert_string_equal(json, "{\"captive\":true,\"user-portal-url\":\"http://192.168.4.1/\"}");
    assert_int_equal(n, strlen(json));
    assert_int_equal(captive_portal_api_json(json, n, "192.168.4.1"), 0);
    assert_int_equal(captive_portal_api_json(json, sizeof(json), "a\"b"), 0);
    assert_int_equal(captive_portal_api_json(json, sizeof(json), "a\\b"), 0);
    assert_int_equal(captive_portal_api_json(json, sizeof(json), ""), 0);
}

static void ipv4_text_of_socket_addresses(void **state)
{
    (void)state;
    char buf[16];
    static const unsigned char v4[4] = {192, 168, 4, 1};
    assert_int_equal(captive_portal_ipv4_text(buf, sizeof(buf), v4, 4), 11);
    assert_string_equal(buf, "192.168.4.1");
    static const unsigned char mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 255, 255, 255, 255};
    assert_int_equal(captive_portal_ipv4_text(buf, sizeof(buf), mapped, 16), 15);
    assert_string_equal(buf, "255.255.255.255");
    /* A real IPv6 address (fe80::1) and other lengths are not IPv4. */
    static const unsigned char v6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    assert_int_equal(captive_portal_ipv4_text(buf, sizeof(buf), v6, 16), 0);
    static const unsigned char almost[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 1, 2, 3, 4};
    assert_int_equal(captive_portal_ipv4_text(buf, sizeof(buf), almost, 16), 0);
    assert_int_equal(captive_portal_ipv4_text(buf, sizeof(buf), v4, 5), 0);
    assert_int_equal(captive_portal_ipv4_text(buf, 11, v4, 4), 0); /* no room for the NUL */
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(probes_are_the_documented_ones),
        cmocka_unit_test(probe_paths_match_exactly),
        cmocka_unit_test(own_hosts),
        cmocka_unit_test(actions),
        cmocka_unit_test(location_and_api),
        cmocka_unit_test(ipv4_text_of_socket_addresses),
    };
    return cmocka_run_group_tests_name("captive_portal", tests, NULL, NULL);
}
