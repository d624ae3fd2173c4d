/* esp_http_server with the routes of docs/abi.md "HTTP contract". */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const uint8_t *page_gz; /* dist/index.html.gz */
    size_t page_gz_len;
    const char *page_etag; /* its strong ETag (web/build.mjs); NULL or invalid: none sent */
    uint32_t put_timeout_ms; /* how long PUT /icon waits for the core */
} http_server_config_t;

esp_err_t http_server_start(const http_server_config_t *cfg);

#ifdef __cplusplus
}
#endif
