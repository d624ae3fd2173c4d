/* WiFi soft-AP, after ESP-IDF's examples/wifi/getting_started/softAP. */
#include "wifi_ap.h"

#include <string.h>

#include "esp_check.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "nvs_flash.h"

static const char *TAG = "wifi_ap";

static void on_wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    if (id == WIFI_EVENT_AP_STACONNECTED) {
        const wifi_event_ap_staconnected_t *e = data;
        ESP_LOGI(TAG, "station " MACSTR " joined, AID=%d", MAC2STR(e->mac), e->aid);
    } else if (id == WIFI_EVENT_AP_STADISCONNECTED) {
        /* Its SSE streams are not closed here: TCP keep-alive or a failed
         * write ends them, and the HTTP server's close callback cleans up. */
        const wifi_event_ap_stadisconnected_t *e = data;
        ESP_LOGI(TAG, "station " MACSTR " left, AID=%d", MAC2STR(e->mac), e->aid);
    }
}

static esp_err_t init_nvs(void)
{
    /* WiFi keeps its calibration data in NVS. */
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_RETURN_ON_ERROR(nvs_flash_erase(), TAG, "nvs erase");
        err = nvs_flash_init();
    }
    return err;
}

esp_err_t wifi_ap_start(const wifi_ap_settings_t *cfg)
{
    size_t ssid_len = strlen(cfg->ssid);
    size_t pass_len = strlen(cfg->password);
    wifi_config_t wc;
    memset(&wc, 0, sizeof(wc)); /* a union: {0} would clear only its first member */
    /* The build checks these too (main/CMakeLists.txt); this guards against
     * a caller that bypasses Kconfig. */
    ESP_RETURN_ON_FALSE(ssid_len >= 1 && ssid_len <= sizeof(wc.ap.ssid), ESP_ERR_INVALID_ARG, TAG,
                        "SSID must be 1..32 bytes");
    ESP_RETURN_ON_FALSE(pass_len == 0 || (pass_len >= 8 && pass_len < sizeof(wc.ap.password)),
                        ESP_ERR_INVALID_ARG, TAG, "WPA2 password must be 8..63 characters (or empty)");

    ESP_RETURN_ON_ERROR(init_nvs(), TAG, "nvs");
    ESP_RETURN_ON_ERROR(esp_netif_init(), TAG, "netif");
    ESP_RETURN_ON_ERROR(esp_event_loop_create_default(), TAG, "event loop");
    esp_netif_t *netif = esp_netif_create_default_wifi_ap();
    ESP_RETURN_ON_FALSE(netif != NULL, ESP_FAIL, TAG, "AP netif");

    wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    ESP_RETURN_ON_ERROR(esp_wifi_init(&init), TAG, "wifi init");
    ESP_RETURN_ON_ERROR(esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi_event, NULL, NULL),
                        TAG, "event handler");

    memcpy(wc.ap.ssid, cfg->ssid, ssid_len);
    wc.ap.ssid_len = (uint8_t)ssid_len;
    memcpy(wc.ap.password, cfg->password, pass_len);
    wc.ap.channel = cfg->channel;
    wc.ap.max_connection = cfg->max_stations;
    wc.ap.authmode = pass_len == 0 ? WIFI_AUTH_OPEN : WIFI_AUTH_WPA2_PSK;
    /* PMF capable but not required: older phones still join. */
    wc.ap.pmf_cfg.required = false;

    ESP_RETURN_ON_ERROR(esp_wifi_set_mode(WIFI_MODE_AP), TAG, "mode");
    ESP_RETURN_ON_ERROR(esp_wifi_set_config(WIFI_IF_AP, &wc), TAG, "config");
    ESP_RETURN_ON_ERROR(esp_wifi_start(), TAG, "start");

    esp_netif_ip_info_t ip;
    if (esp_netif_get_ip_info(netif, &ip) == ESP_OK) {
        ESP_LOGI(TAG, "AP \"%s\" (%s) on channel %u: open http://" IPSTR "/", cfg->ssid,
                 pass_len == 0 ? "open" : "WPA2", (unsigned)cfg->channel, IP2STR(&ip.ip));
    }
    return ESP_OK;
}
