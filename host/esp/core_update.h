/*
 * The update service of docs/update.md "Protocol" on esp_http_server:
 * PUT /core (a signed core.wasm), GET /core (the status JSON), POST
 * /core/rollback. Handlers run on the server task; the trial and the swap
 * run on the core task (core_task_update), the flash write back here
 * (core_store_persist) once the new core serves.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* 130 hex digits (04 || X || Y, keys/core-signing.pub.hex); NULL or
     * empty: updates disabled (every PUT and rollback gets 403). */
    const char *pubkey_hex;
    size_t max_bytes; /* largest upload; 0 = 32 KiB */
    /* The watch's settings, as GET /core reports them. */
    uint32_t watch_traps;
    uint32_t watch_window_ms;
} core_update_config_t;

/* Before the HTTP server starts: reads the key once (an invalid one is
 * logged and disables updates). */
esp_err_t core_update_init(const core_update_config_t *cfg);

esp_err_t core_update_on_get(httpd_req_t *req);
esp_err_t core_update_on_put(httpd_req_t *req);
esp_err_t core_update_on_rollback(httpd_req_t *req);

#ifdef __cplusplus
}
#endif
