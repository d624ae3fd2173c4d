/* Wiring only: Kconfig values and the embedded files into the host. */
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "sdkconfig.h"
#include "wasm_led_host.h"

/* EMBED_FILES in main/CMakeLists.txt. */
extern const uint8_t core_wasm_start[] asm("_binary_core_wasm_start");
extern const uint8_t core_wasm_end[] asm("_binary_core_wasm_end");
extern const uint8_t page_gz_start[] asm("_binary_index_html_gz_start");
extern const uint8_t page_gz_end[] asm("_binary_index_html_gz_end");

/* WAMR's heap (runtime, loaded module, instance, wasm stack). Static, so a
 * shortage shows at link time rather than as a failed start. */
static uint8_t s_wamr_pool[CONFIG_APP_WAMR_POOL_KB * 1024] __attribute__((aligned(8)));

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
        .wamr_pool = s_wamr_pool,
        .wamr_pool_size = sizeof(s_wamr_pool),
        .ssid = CONFIG_APP_WIFI_SSID,
        .password = CONFIG_APP_WIFI_PASSWORD,
        .channel = CONFIG_APP_WIFI_CHANNEL,
        .max_stations = CONFIG_APP_WIFI_MAX_STA,
        .switch_gpio = CONFIG_APP_SWITCH_GPIO,
        .led_gpio = CONFIG_APP_LED_GPIO,
        .max_sse_clients = CONFIG_APP_MAX_SSE_CLIENTS,
        .debounce_ms = CONFIG_APP_DEBOUNCE_MS,
        .sample_period_ms = CONFIG_APP_SAMPLE_PERIOD_MS,
        .keepalive_ms = CONFIG_APP_SSE_KEEPALIVE_MS,
        .sse_write_budget_ms = CONFIG_APP_SSE_WRITE_BUDGET_MS,
    };
    ESP_ERROR_CHECK(wasm_led_host_start(&cfg));
}
