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

#include "wifi_limits.h"

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

/* Sets the regulatory domain before the channel is configured: ESP-IDF's
 * default, "01", allows channels 1..11 only (docs/en/api-guides/wifi.rst,
 * "Wi-Fi Country Code"). Always set, because the driver keeps the last
 * country in flash. Called between esp_wifi_init and esp_wifi_start, as
 * ESP-IDF's components/esp_wifi/test_apps/wifi_function/main/test_wifi_country.c
 * does. Returns the country in force. */
static const char *set_country(const char *requested)
{
    const char *cc = wifi_limits_country(requested);
    if (requested != NULL && cc != requested) {
        ESP_LOGW(TAG, "WiFi country \"%s\" is not \"01\" or a two-letter code: using \"01\" (channels 1..11)",
                 requested);
    }
    esp_err_t err = esp_wifi_set_country_code(cc, false);
    if (err == ESP_ERR_INVALID_ARG && strcmp(cc, WIFI_LIMITS_DEFAULT_COUNTRY) != 0) {
        ESP_LOGW(TAG, "WiFi country \"%s\" is unknown to this ESP-IDF: using \"01\" (channels 1..11)", cc);
        cc = WIFI_LIMITS_DEFAULT_COUNTRY;
        err = esp_wifi_set_country_code(cc, false);
    }
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "setting WiFi country \"%s\" failed (%s): the driver keeps its own", cc, esp_err_to_name(err));
    }
    return cc;
}

/* A channel the country forbids makes esp_wifi_set_config fail (ESP-IDF 5.5)
 * or silently become channel 1 (5.1): pick the country's first one instead. */
static uint8_t allowed_channel(uint8_t requested)
{
    wifi_country_t country;
    if (esp_wifi_get_country(&country) != ESP_OK) {
        return requested;
    }
    uint8_t channel = wifi_limits_channel(requested, country.schan, country.nchan);
    if (channel != requested) {
        ESP_LOGW(TAG, "channel %u is not allowed in WiFi country \"%.2s\" (channels %u..%u): using channel %u",
                 (unsigned)requested, country.cc, (unsigned)country.schan,
                 (unsigned)(country.schan + country.nchan - 1), (unsigned)channel);
    }
    return channel;
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

    ESP_RETURN_ON_ERROR(esp_wifi_set_mode(WIFI_MODE_AP), TAG, "mode");
    const char *country = set_country(cfg->country);

    uint8_t stations = wifi_limits_stations(cfg->max_stations);
    if (stations != cfg->max_stations) {
        ESP_LOGW(TAG, "%u stations requested: the DHCP server and the WiFi key slots serve 1..%u, using %u",
                 (unsigned)cfg->max_stations, (unsigned)WIFI_LIMITS_MAX_STATIONS, (unsigned)stations);
    }

    memcpy(wc.ap.ssid, cfg->ssid, ssid_len);
    wc.ap.ssid_len = (uint8_t)ssid_len;
    memcpy(wc.ap.password, cfg->password, pass_len);
    wc.ap.channel = allowed_channel(cfg->channel);
    wc.ap.max_connection = stations;
    wc.ap.authmode = pass_len == 0 ? WIFI_AUTH_OPEN : WIFI_AUTH_WPA2_PSK;
    /* PMF capable but not required: older phones still join. */
    wc.ap.pmf_cfg.required = false;

    esp_err_t err = esp_wifi_set_config(WIFI_IF_AP, &wc);
    if (err == ESP_ERR_INVALID_ARG && wc.ap.channel != WIFI_LIMITS_DEFAULT_CHANNEL) {
        /* The driver's own channel table had the last word. */
        ESP_LOGW(TAG, "the WiFi driver refused channel %u in country \"%s\": using channel %u",
                 (unsigned)wc.ap.channel, country, (unsigned)WIFI_LIMITS_DEFAULT_CHANNEL);
        wc.ap.channel = WIFI_LIMITS_DEFAULT_CHANNEL;
        err = esp_wifi_set_config(WIFI_IF_AP, &wc);
    }
    ESP_RETURN_ON_ERROR(err, TAG, "config");
    ESP_RETURN_ON_ERROR(esp_wifi_start(), TAG, "start");

    esp_netif_ip_info_t ip;
    if (esp_netif_get_ip_info(netif, &ip) == ESP_OK) {
        ESP_LOGI(TAG, "AP \"%s\" (%s) on channel %u, country %s, up to %u stations: open http://" IPSTR "/",
                 cfg->ssid, pass_len == 0 ? "open" : "WPA2", (unsigned)wc.ap.channel, country,
                 (unsigned)stations, IP2STR(&ip.ip));
    }
    return ESP_OK;
}
