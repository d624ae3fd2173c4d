/* Start-up order of the host: pins, SSE registry, core, WiFi, HTTP, and the
 * switch sampler last (its events need the core). */
#include "wasm_led_host.h"

#include "esp_check.h"
#include "esp_log.h"
#include "sdkconfig.h"

#include "core_abi.h"
#include "core_task.h"
#include "gpio_board.h"
#include "http_contract.h"
#include "http_server.h"
#include "sse_io.h"
#include "wifi_ap.h"

static const char *TAG = "host";

#define PUT_TIMEOUT_MS 1000

static bool on_switch_change(int level, uint32_t now_ms)
{
    return core_task_post_event(CORE_EVENT_SWITCH, level, now_ms, 0);
}

esp_err_t wasm_led_host_start(const wasm_led_host_config_t *cfg)
{
    ESP_RETURN_ON_FALSE(cfg != NULL, ESP_ERR_INVALID_ARG, TAG, "no config");
    if (!http_contract_socket_budget_ok(CONFIG_LWIP_MAX_SOCKETS, cfg->max_sse_clients)) {
        ESP_LOGW(TAG, "%u SSE clients do not fit LWIP_MAX_SOCKETS=%d with room for page loads",
                 (unsigned)cfg->max_sse_clients, CONFIG_LWIP_MAX_SOCKETS);
    }
    ESP_RETURN_ON_ERROR(gpio_board_init(cfg->led_gpio, cfg->switch_gpio), TAG, "gpio");
    ESP_RETURN_ON_ERROR(sse_io_init(cfg->max_sse_clients, cfg->sse_write_budget_ms), TAG, "sse");

    const core_task_config_t core = {
        .wasm = cfg->core_wasm,
        .wasm_len = cfg->core_wasm_len,
        .pool = cfg->wamr_pool,
        .pool_size = cfg->wamr_pool_size,
        .debounce_ms = cfg->debounce_ms,
        .keepalive_ms = cfg->keepalive_ms,
        .poll_period_ms = cfg->sample_period_ms,
        .led_set = gpio_board_led_set,
    };
    if (core_task_start(&core) != ESP_OK) {
        ESP_LOGE(TAG, "core.wasm did not start: the page loads, the LED stays put (see the log above)");
    }

    const wifi_ap_settings_t ap = {
        .ssid = cfg->ssid,
        .password = cfg->password,
        .channel = cfg->channel,
        .max_stations = cfg->max_stations,
    };
    ESP_RETURN_ON_ERROR(wifi_ap_start(&ap), TAG, "wifi");

    const http_server_config_t http = {
        .page_gz = cfg->page_gz,
        .page_gz_len = cfg->page_gz_len,
        .put_timeout_ms = PUT_TIMEOUT_MS,
    };
    ESP_RETURN_ON_ERROR(http_server_start(&http), TAG, "http");
    ESP_RETURN_ON_ERROR(gpio_board_start_sampler(cfg->sample_period_ms, on_switch_change), TAG, "sampler");
    return ESP_OK;
}
