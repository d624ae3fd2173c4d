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
    uint8_t channel;
    uint8_t max_stations;
} wifi_ap_settings_t;

/* Initialises NVS, netif, the default event loop and WiFi, then starts the
 * access point. */
esp_err_t wifi_ap_start(const wifi_ap_settings_t *cfg);

#ifdef __cplusplus
}
#endif
