/* Wiring only: Kconfig values and the embedded files into the host. */
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_log.h"
#include "sdkconfig.h"
#include "wasm_led_host.h"

static const char *TAG = "main";

/* EMBED_FILES in main/CMakeLists.txt. */
extern const uint8_t core_wasm_start[] asm("_binary_core_wasm_start");
extern const uint8_t core_wasm_end[] asm("_binary_core_wasm_end");
extern const uint8_t page_gz_start[] asm("_binary_index_html_gz_start");
extern const uint8_t page_gz_end[] asm("_binary_index_html_gz_end");
extern const char page_etag[] asm("_binary_index_html_gz_etag_start"); /* NUL-terminated */

/* WAMR's heap (runtime, loaded module, instance, wasm stack). Static, so a
 * shortage shows at link time rather than as a failed start. */
static uint8_t s_wamr_pool[CONFIG_WASM_LED_WAMR_POOL_KB * 1024] __attribute__((aligned(8)));

/* Start and end are two linker symbols, not one C object: compare addresses. */
static size_t embedded_len(const uint8_t *start, const uint8_t *end)
{
    return (size_t)((uintptr_t)end - (uintptr_t)start);
}

void app_main(void)
{
    const wasm_led_host_config_t cfg = {
        .core_wasm = core_wasm_start,
        .core_wasm_len = embedded_len(core_wasm_start, core_wasm_end),
        .page_gz = page_gz_start,
        .page_gz_len = embedded_len(page_gz_start, page_gz_end),
        .page_etag = page_etag,
        .wamr_pool = s_wamr_pool,
        .wamr_pool_size = sizeof(s_wamr_pool),
        .ssid = CONFIG_WASM_LED_WIFI_SSID,
        .password = CONFIG_WASM_LED_WIFI_PASSWORD,
        .wifi_country = CONFIG_WASM_LED_WIFI_COUNTRY,
        .channel = CONFIG_WASM_LED_WIFI_CHANNEL,
        .max_stations = CONFIG_WASM_LED_WIFI_MAX_STA,
        .switch_gpio = CONFIG_WASM_LED_SWITCH_GPIO,
        .led_gpio = CONFIG_WASM_LED_LED_GPIO,
        .max_sse_clients = CONFIG_WASM_LED_MAX_SSE_CLIENTS,
        .debounce_ms = CONFIG_WASM_LED_DEBOUNCE_MS,
        .keepalive_ms = CONFIG_WASM_LED_SSE_KEEPALIVE_MS,
        .sse_write_budget_ms = CONFIG_WASM_LED_SSE_WRITE_BUDGET_MS,
        .core_pubkey_hex = CONFIG_WASM_LED_CORE_PUBKEY,
        .core_max_bytes = CONFIG_WASM_LED_CORE_MAX_KB * 1024u,
        .core_watch_traps = CONFIG_WASM_LED_CORE_WATCH_TRAPS,
        .core_watch_window_ms = CONFIG_WASM_LED_CORE_WATCH_WINDOW_S * 1000u,
    };
    /* Not ESP_ERROR_CHECK: a restart would fail the same way, over and over.
     * The lines above this one say what failed; whatever did start keeps running. */
    esp_err_t err = wasm_led_host_start(&cfg);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "start-up incomplete (%s): see the errors above, fix the setting in idf.py menuconfig",
                 esp_err_to_name(err));
    }
}
