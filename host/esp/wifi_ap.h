/* The WiFi access point the browser joins (192.168.4.1, DHCP server on). */
#pragma once

#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *ssid;
    const char *password; /* "" = open network, else WPA2-PSK (8..63 chars) */
    const char *country; /* "01" or a two-letter code; NULL or invalid = "01" */
    uint8_t channel;      /* outside the country's channels: its first one is used */
    uint8_t max_stations; /* clamped to 1..WIFI_LIMITS_MAX_STATIONS (8) */
} wifi_ap_settings_t;

/* Initialises NVS, netif, the default event loop and WiFi, then starts the
 * access point. A country, channel or station count the driver would refuse
 * is logged and replaced by a safe value (host/portable/wifi_limits.h) rather
 * than failing. */
esp_err_t wifi_ap_start(const wifi_ap_settings_t *cfg);

#ifdef __cplusplus
}
#endif
