/*
 * Access point settings the WiFi driver would refuse or silently degrade,
 * replaced by safe values before they reach it (host/esp/wifi_ap.c logs the
 * replacement). The build rejects the same values (main/CMakeLists.txt);
 * these guard against a configuration that bypassed it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The DHCP server leases to LWIP_DHCPS_MAX_STATION_NUM stations (default 8;
 * past that it silently drops the oldest lease), and soft-AP stations share
 * 17 hardware key slots with ESP-NOW, which keeps 7 by default: 10 left. */
#define WIFI_LIMITS_MAX_STATIONS 8u

/* ESP-IDF's default country: world safe mode, channels 1..11. */
#define WIFI_LIMITS_DEFAULT_COUNTRY "01"
#define WIFI_LIMITS_DEFAULT_CHANNEL 1u

/* requested if it is 1..WIFI_LIMITS_MAX_STATIONS, else the nearest of the two. */
uint8_t wifi_limits_stations(int requested);

/* requested if the country's channels first..first+count-1 contain it,
 * else first (or WIFI_LIMITS_DEFAULT_CHANNEL when the range is empty). */
uint8_t wifi_limits_channel(int requested, int first, int count);

/* "01" or two upper-case ASCII letters: the form esp_wifi_set_country_code()
 * takes. NULL and "" are not. */
bool wifi_limits_country_ok(const char *country);

/* The country to configure: country if wifi_limits_country_ok(), else "01". */
const char *wifi_limits_country(const char *country);

#ifdef __cplusplus
}
#endif
