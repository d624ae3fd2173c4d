/* wifi_qr: the WIFI: join payload and its escapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wifi_qr.h"

static void wpa_and_open(void **state)
{
    (void)state;
    char buf[WIFI_QR_PAYLOAD_MAX];
    size_t n = wifi_qr_payload(buf, sizeof(buf), "ESP32SSID", "secret123");
    assert_string_equal(buf, "WIFI:T:WPA;S:ESP32SSID;P:secret123;;");
    assert_int_equal(n, strlen(buf));
    n = wifi_qr_payload(buf, sizeof(buf), "Cafe Guest", "");
    assert_string_equal(buf, "WIFI:T:nopass;S:Cafe Guest;;");
    assert_int_equal(n, strlen(buf));
}

static void special_characters_are_escaped(void **state)
{
    (void)state;
    char buf[WIFI_QR_PAYLOAD_MAX];
    wifi_qr_payload(buf, sizeof(buf), "a;b,c:d\\e\"f", "p;a,s:s\\w\"d");
    assert_string_equal(buf, "WIFI:T:WPA;S:a\\;b\\,c\\:d\\\\e\\\"f;P:p\\;a\\,s\\:s\\\\w\\\"d;;");
    /* Nothing else is touched: spaces, quotes ', UTF-8, '=' and '&'. */
    wifi_qr_payload(buf, sizeof(buf), "caf\xc3\xa9 'x'", "a=b&c d!");
    assert_string_equal(buf, "WIFI:T:WPA;S:caf\xc3\xa9 'x';P:a=b&c d!;;");
}

static void worst_case_fits_the_documented_maximum(void **state)
{
    (void)state;
    char ssid[33];
    char pass[64];
    memset(ssid, ';', 32);
    ssid[32] = '\0';
    memset(pass, '\\', 63);
    pass[63] = '\0';
    char buf[WIFI_QR_PAYLOAD_MAX];
    size_t n = wifi_qr_payload(buf, sizeof(buf), ssid, pass);
    assert_int_equal(n, WIFI_QR_PAYLOAD_MAX - 1);
    /* One byte less and it refuses rather than cutting the password. */
    assert_int_equal(wifi_qr_payload(buf, WIFI_QR_PAYLOAD_MAX - 1, ssid, pass), 0);
    assert_string_equal(buf, "");
}

static void bad_arguments(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(wifi_qr_payload(buf, sizeof(buf), "", "secret123"), 0);
    assert_int_equal(wifi_qr_payload(buf, sizeof(buf), NULL, "x"), 0);
    assert_int_equal(wifi_qr_payload(buf, sizeof(buf), "x", NULL), 0);
    assert_int_equal(wifi_qr_payload(NULL, sizeof(buf), "x", "y"), 0);
    assert_int_equal(wifi_qr_payload(buf, 0, "x", "y"), 0);
    /* Exactly fitting: "WIFI:T:nopass;S:x;;" is 19 bytes + NUL. */
    assert_int_equal(wifi_qr_payload(buf, 20, "x", ""), 19);
    assert_int_equal(wifi_qr_payload(buf, 19, "x", ""), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wpa_and_open),
        cmocka_unit_test(special_characters_are_escaped),
        cmocka_unit_test(worst_case_fits_the_documented_maximum),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests_name("wifi_qr", tests, NULL, NULL);
}
