/*
 * The C host of core.wasm on an ESP32: WiFi access point, GPIO, HTTP/SSE
 * and the WAMR instance, wired together. app_main fills the configuration
 * (from Kconfig and the embedded files) and calls wasm_led_host_start().
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Embedded files: dist/core.wasm and dist/index.html.gz. */
    const uint8_t *core_wasm;
    size_t core_wasm_len;
    const uint8_t *page_gz;
    size_t page_gz_len;
    const char *page_etag; /* dist/index.html.gz.etag, NUL-terminated */

    /* WAMR pool (static, 8-byte aligned). */
    void *wamr_pool;
    uint32_t wamr_pool_size;

    /* Access point. */
    const char *ssid;
    const char *password; /* "" = open */
    const char *wifi_country; /* "01" or a country code; NULL = "01" (channels 1..11) */
    uint8_t channel;
    uint8_t max_stations;

    /* Board. */
    int switch_gpio;
    int led_gpio;

    /* Behaviour handed to the core and the HTTP side. */
    uint32_t max_sse_clients;
    uint32_t debounce_ms;
    uint32_t keepalive_ms; /* SSE keepalive comment period, 0 = off */
    uint32_t sse_write_budget_ms;

    /* Live core updates (docs/update.md). */
    const char *core_pubkey_hex; /* 130 hex digits; NULL or "" = updates disabled */
    uint32_t core_max_bytes;     /* largest PUT /core, bytes */
    uint32_t core_watch_traps;   /* faults ... */
    uint32_t core_watch_window_ms; /* ... within this long of its start roll an uploaded core back */
} wasm_led_host_config_t;

/* Starts everything. Returns an error only for what makes the board
 * useless (no WiFi, no server); a core that fails to start is logged and
 * the server answers 503 meanwhile. */
esp_err_t wasm_led_host_start(const wasm_led_host_config_t *cfg);

#ifdef __cplusplus
}
#endif
