/*
 * Boot-time QR codes with Espressif's espressif/qrcode component (0.2.0,
 * pinned in host/idf_component.yml; API from its include/qrcode.h):
 * esp_qrcode_generate() with ESP_QRCODE_CONFIG_DEFAULT() prints through
 * esp_qrcode_print_console (QR version up to 10, ECC low: 271 bytes, above
 * the longest WIFI: payload, WIFI_QR_PAYLOAD_MAX). The payload text is
 * built and escaped in host/portable/wifi_qr.c.
 *
 * Note: esp_qrcode_generate logs the text it encodes, so the password
 * appears on the serial console, as it does in the QR code itself.
 */
#include "join_qr.h"

#include <stdbool.h> /* qrcode.h 0.2.0 uses bool without including it (breaks on ESP-IDF 5.1) */

#include "esp_check.h"
#include "esp_log.h"
#include "qrcode.h"

#include "wifi_qr.h"

static const char *TAG = "join_qr";

esp_err_t join_qr_print(const char *ssid, const char *password, const char *url)
{
    char payload[WIFI_QR_PAYLOAD_MAX];
    ESP_RETURN_ON_FALSE(wifi_qr_payload(payload, sizeof(payload), ssid, password) > 0, ESP_ERR_INVALID_ARG, TAG,
                        "SSID/password do not make a WIFI: code");
    esp_qrcode_config_t qr = ESP_QRCODE_CONFIG_DEFAULT();
    ESP_LOGI(TAG, "1. Scan with the phone's camera to join \"%s\":", ssid);
    ESP_RETURN_ON_ERROR(esp_qrcode_generate(&qr, payload), TAG, "WiFi QR code");
    ESP_LOGI(TAG, "2. Then scan this one, or wait for the sign-in sheet, to open %s", url);
    ESP_RETURN_ON_ERROR(esp_qrcode_generate(&qr, url), TAG, "URL QR code");
    return ESP_OK;
}
