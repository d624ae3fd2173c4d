/* esp32-led.local: the board's mDNS name and its _http._tcp service. */
#pragma once

#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* hostname: one DNS label (letters, digits, '-'); answered as
 * <hostname>.local, with an _http._tcp service on port. */
esp_err_t mdns_name_start(const char *hostname, uint16_t port);

#ifdef __cplusplus
}
#endif
