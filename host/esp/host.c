/* Start-up order of the host: pins, SSE registry, core, WiFi, HTTP, and the
 * switch interrupt last (its edges need the core task). */
#include "wasm_led_host.h"

#include "esp_check.h"
#include "esp_log.h"
#include "sdkconfig.h"

#include "board_check.h"
#include "core_abi.h"
#include "core_task.h"
#include "core_update.h"
#include "gpio_board.h"
#include "http_contract.h"
#include "http_server.h"
#include "phone_access.h"
#include "sse_io.h"
#include "wifi_ap.h"

static const char *TAG = "host";

#define PUT_TIMEOUT_MS 1000

esp_err_t wasm_led_host_start(const wasm_led_host_config_t *cfg)
{
    ESP_RETURN_ON_FALSE(cfg != NULL, ESP_ERR_INVALID_ARG, TAG, "no config");
    /* The captive-portal DNS responder holds one lwIP socket too. */
    if (!http_contract_socket_budget_ok(CONFIG_LWIP_MAX_SOCKETS - PHONE_ACCESS_LWIP_SOCKETS, cfg->max_sse_clients)) {
        ESP_LOGW(TAG, "%u SSE clients do not fit LWIP_MAX_SOCKETS=%d with room for page loads",
                 (unsigned)cfg->max_sse_clients, CONFIG_LWIP_MAX_SOCKETS);
    }
    /* A pin this chip cannot use is logged and left out (-1): the board runs
     * without it instead of failing to boot. */
    int led = board_check_pin("LED", cfg->led_gpio, BOARD_PIN_OUTPUT) ? cfg->led_gpio : -1;
    int sw = board_check_pin("switch", cfg->switch_gpio, BOARD_PIN_INPUT) ? cfg->switch_gpio : -1;
    ESP_RETURN_ON_ERROR(gpio_board_init(led, sw), TAG, "gpio");
    ESP_RETURN_ON_ERROR(sse_io_init(cfg->max_sse_clients, cfg->sse_write_budget_ms), TAG, "sse");

    const core_task_config_t core = {
        .wasm = cfg->core_wasm,
        .wasm_len = cfg->core_wasm_len,
        .pool = cfg->wamr_pool,
        .pool_size = cfg->wamr_pool_size,
        .debounce_ms = cfg->debounce_ms,
        .keepalive_ms = cfg->keepalive_ms,
        .watch_traps = cfg->core_watch_traps,
        .watch_window_ms = cfg->core_watch_window_ms,
        .led_set = gpio_board_led_set,
        .switch_edges_pending = gpio_board_edges_pending,
        .take_switch_edges = gpio_board_take_edges,
    };
    if (core_task_start(&core) != ESP_OK) {
        ESP_LOGE(TAG, "core.wasm did not start: the page loads, the LED stays put (see the log above)");
    }

    const wifi_ap_settings_t ap = {
        .ssid = cfg->ssid,
        .password = cfg->password,
        .channel = cfg->channel,
        .max_stations = cfg->max_stations,
        .country = cfg->wifi_country,
    };
    ESP_RETURN_ON_ERROR(wifi_ap_start(&ap), TAG, "wifi");

    /* Live core updates: PUT/GET /core, POST /core/rollback. */
    const core_update_config_t update = {
        .pubkey_hex = cfg->core_pubkey_hex,
        .max_bytes = cfg->core_max_bytes,
        .watch_traps = cfg->core_watch_traps,
        .watch_window_ms = cfg->core_watch_window_ms,
    };
    ESP_RETURN_ON_ERROR(core_update_init(&update), TAG, "core updates");

    const http_server_config_t http = {
        .page_gz = cfg->page_gz,
        .page_gz_len = cfg->page_gz_len,
        .page_etag = cfg->page_etag,
        .put_timeout_ms = PUT_TIMEOUT_MS,
    };
    ESP_RETURN_ON_ERROR(http_server_start(&http), TAG, "http");
    /* Captive portal, mDNS name, join QR: the page works without them. */
    const phone_access_config_t phone = {.ssid = cfg->ssid, .password = cfg->password};
    if (phone_access_start(&phone) != ESP_OK) {
        ESP_LOGW(TAG, "phone access incomplete (see above); the page works at the AP address");
    }
    ESP_RETURN_ON_ERROR(gpio_board_start_edges(core_task_wake_from_isr), TAG, "switch interrupt");
    return ESP_OK;
}
