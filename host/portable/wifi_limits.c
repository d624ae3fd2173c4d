#include "wifi_limits.h"

#include <stddef.h>

uint8_t wifi_limits_stations(int requested)
{
    if (requested < 1) {
        return 1;
    }
    if (requested > (int)WIFI_LIMITS_MAX_STATIONS) {
        return WIFI_LIMITS_MAX_STATIONS;
    }
    return (uint8_t)requested;
}

uint8_t wifi_limits_channel(int requested, int first, int count)
{
    /* 2.4 GHz channels are 1..14; a country range outside that is bogus. */
    if (first < 1 || count < 1 || first > 14 || count > 14 - first + 1) {
        return WIFI_LIMITS_DEFAULT_CHANNEL;
    }
    if (requested >= first && requested <= first + count - 1) {
        return (uint8_t)requested;
    }
    return (uint8_t)first;
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

bool wifi_limits_country_ok(const char *country)
{
    if (country == NULL || country[0] == '\0' || country[1] == '\0' || country[2] != '\0') {
        return false;
    }
    if (country[0] == '0' && country[1] == '1') {
        return true;
    }
    return is_upper(country[0]) && is_upper(country[1]);
}

const char *wifi_limits_country(const char *country)
{
    return wifi_limits_country_ok(country) ? country : WIFI_LIMITS_DEFAULT_COUNTRY;
}
