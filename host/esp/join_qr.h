/* QR codes on the serial console: join the WiFi, then open the page. */
#pragma once

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Prints a WIFI: QR code for ssid/password ("" = open) and one for url. */
esp_err_t join_qr_print(const char *ssid, const char *password, const char *url);

#ifdef __cplusplus
}
#endif
