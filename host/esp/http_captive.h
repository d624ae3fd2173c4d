/*
 * The captive portal on the board's HTTP server (menuconfig "Phone access"):
 * probe redirects and the RFC 8908 API. Without
 * CONFIG_WASM_LED_CAPTIVE_PORTAL none of this is built.
 */
#pragma once

#include <stdbool.h>

#include "esp_err.h"
#include "esp_http_server.h"
#include "sdkconfig.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef CONFIG_WASM_LED_CAPTIVE_PORTAL
/* GET /captive-portal/api. */
esp_err_t http_captive_on_api(httpd_req_t *req);

/* For a request no route claimed: true when it was a probe or another
 * site's URL and got a 302 to the page; *result is then the handler's. */
bool http_captive_redirected(httpd_req_t *req, esp_err_t *result);

/* The Allow value for a known captive-portal path, NULL otherwise. */
const char *http_captive_allow(const char *uri);
#endif

#ifdef __cplusplus
}
#endif
