/*
 * Phones find the page by themselves (menuconfig "Phone access"): the
 * captive portal's DNS and DHCP options, the mDNS name, and the join QR
 * codes on the serial console. The captive portal's HTTP side (probe
 * redirects, the RFC 8908 API) is in http_captive.c.
 */
#pragma once

#include "esp_err.h"
#include "sdkconfig.h"

#ifdef __cplusplus
extern "C" {
#endif

/* lwIP sockets phone_access takes from LWIP_MAX_SOCKETS: the DNS
 * responder's UDP socket (mDNS uses lwIP's raw API, no socket). The HTTP
 * server gets what is left. */
#ifdef CONFIG_WASM_LED_CAPTIVE_PORTAL
#define PHONE_ACCESS_LWIP_SOCKETS 1
#else
#define PHONE_ACCESS_LWIP_SOCKETS 0
#endif

typedef struct {
    const char *ssid;
    const char *password; /* "" = open network */
} phone_access_config_t;

/* Call once the access point is up (wifi_ap_start) and the HTTP server
 * runs (http_server_start). Each part that fails is logged and skipped;
 * the result is the first error, for the log: the page works without them. */
esp_err_t phone_access_start(const phone_access_config_t *cfg);

#ifdef __cplusplus
}
#endif
