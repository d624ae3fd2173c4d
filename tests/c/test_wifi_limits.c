/* wifi_limits: the safe values the access point falls back to instead of a
 * setting the WiFi driver would refuse (boot loop) or silently degrade. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wifi_limits.h"

/* At most 8: LWIP_DHCPS_MAX_STATION_NUM defaults to 8 (components/lwip/Kconfig,
 * v5.5.5 l.410-418: "After this number is exceeded, DHCP server removes of the
 * oldest device from it's address pool, without notification"). */
static void stations(void **state)
{
    (void)state;
    assert_int_equal(WIFI_LIMITS_MAX_STATIONS, 8);
    assert_int_equal(wifi_limits_stations(1), 1);
    assert_int_equal(wifi_limits_stations(4), 4);
    assert_int_equal(wifi_limits_stations(8), 8);
    assert_int_equal(wifi_limits_stations(9), 8);
    assert_int_equal(wifi_limits_stations(15), 8);
    assert_int_equal(wifi_limits_stations(255), 8);
    assert_int_equal(wifi_limits_stations(0), 1);
    assert_int_equal(wifi_limits_stations(-4), 1);
}

/* ESP-IDF's default country info is cc "01", schan 1, nchan 11
 * (docs/en/api-guides/wifi.rst v5.5.5, "Wi-Fi Country Code", l.1851-1857):
 * channel 12 or 13 is outside it and falls back to the first channel. */
static void channels_of_the_default_country(void **state)
{
    (void)state;
    for (int ch = 1; ch <= 11; ch++) {
        assert_int_equal(wifi_limits_channel(ch, 1, 11), ch);
    }
    assert_int_equal(wifi_limits_channel(12, 1, 11), 1);
    assert_int_equal(wifi_limits_channel(13, 1, 11), 1);
    assert_int_equal(wifi_limits_channel(14, 1, 11), 1);
    assert_int_equal(wifi_limits_channel(0, 1, 11), 1);
    assert_int_equal(wifi_limits_channel(-1, 1, 11), 1);
}

static void channels_of_other_countries(void **state)
{
    (void)state;
    assert_int_equal(wifi_limits_channel(13, 1, 13), 13); /* e.g. most of Europe */
    assert_int_equal(wifi_limits_channel(14, 1, 13), 1);
    assert_int_equal(wifi_limits_channel(14, 1, 14), 14);
    /* A range that starts above 1 falls back to its own first channel. */
    assert_int_equal(wifi_limits_channel(1, 5, 5), 5);
    assert_int_equal(wifi_limits_channel(9, 5, 5), 9);
    assert_int_equal(wifi_limits_channel(10, 5, 5), 5);
    /* Nonsense from the driver: the default channel. */
    assert_int_equal(wifi_limits_channel(6, 0, 11), WIFI_LIMITS_DEFAULT_CHANNEL);
    assert_int_equal(wifi_limits_channel(6, 1, 0), WIFI_LIMITS_DEFAULT_CHANNEL);
    assert_int_equal(wifi_limits_channel(6, 1, 15), WIFI_LIMITS_DEFAULT_CHANNEL);
    assert_int_equal(wifi_limits_channel(6, 15, 1), WIFI_LIMITS_DEFAULT_CHANNEL);
    assert_int_equal(wifi_limits_channel(6, 1, 255), WIFI_LIMITS_DEFAULT_CHANNEL);
}

static void country_codes(void **state)
{
    (void)state;
    assert_true(wifi_limits_country_ok("01"));
    assert_true(wifi_limits_country_ok("DE"));
    assert_true(wifi_limits_country_ok("JP"));
    assert_false(wifi_limits_country_ok("de"));
    assert_false(wifi_limits_country_ok("D"));
    assert_false(wifi_limits_country_ok("DEU"));
    assert_false(wifi_limits_country_ok("0A"));
    assert_false(wifi_limits_country_ok("00"));
    assert_false(wifi_limits_country_ok("D1"));
    assert_false(wifi_limits_country_ok(""));
    assert_false(wifi_limits_country_ok(NULL));
    assert_string_equal(wifi_limits_country("GB"), "GB");
    assert_string_equal(wifi_limits_country("gb"), WIFI_LIMITS_DEFAULT_COUNTRY);
    assert_string_equal(wifi_limits_country(NULL), "01");
    assert_string_equal(wifi_limits_country(""), "01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stations),
        cmocka_unit_test(channels_of_the_default_country),
        cmocka_unit_test(channels_of_other_countries),
        cmocka_unit_test(country_codes),
    };
    return cmocka_run_group_tests_name("wifi_limits", tests, NULL, NULL);
}
