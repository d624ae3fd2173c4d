/* The captive portal's DNS responder on the access point (UDP port 53). */
#pragma once

#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Starts a task that answers every A query with ap_ip (4 bytes, network
 * order), bound to that address only. Takes one lwIP socket. */
esp_err_t captive_dns_start(const uint8_t ap_ip[4]);

#ifdef __cplusplus
}
#endif
