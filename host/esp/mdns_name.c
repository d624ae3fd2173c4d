/*
 * mDNS with Espressif's espressif/mdns component (1.11.2, pinned in
 * host/idf_component.yml; API from its include/mdns.h). mdns_init() also
 * enables the interfaces that already have an address (mdns_netif.c,
 * mdns_priv_netif_init), so starting after the access point is fine; the
 * predefined AP interface is on by default (Kconfig MDNS_PREDEF_NETIF_AP).
 * It uses lwIP's raw UDP API (MDNS_NETWORKING_SOCKET off by default), not a
 * socket from LWIP_MAX_SOCKETS.
 */
#include "mdns_name.h"

#include "esp_check.h"
#include "esp_log.h"
#include "mdns.h"

#include "dns_answer.h"

static const char *TAG = "mdns_name";

esp_err_t mdns_name_start(const char *hostname, uint16_t port)
{
    ESP_RETURN_ON_FALSE(dns_answer_hostname_label_ok(hostname), ESP_ERR_INVALID_ARG, TAG,
                        "mDNS host name \"%s\" is not one DNS label (1..63 letters, digits or '-', not at the ends): "
                        "fix it in idf.py menuconfig -> Phone access",
                        hostname != NULL ? hostname : "");
    ESP_RETURN_ON_ERROR(mdns_init(), TAG, "mdns_init");
    ESP_RETURN_ON_ERROR(mdns_hostname_set(hostname), TAG, "mdns_hostname_set");
    ESP_RETURN_ON_ERROR(mdns_instance_name_set("ESP32 Wasm LED"), TAG, "mdns_instance_name_set");
    /* "path" is the DNS-SD TXT key of _http._tcp (RFC 6763 section 6; dns-sd.org service types). */
    mdns_txt_item_t txt[] = {{.key = "path", .value = "/"}};
    ESP_RETURN_ON_ERROR(mdns_service_add(NULL, "_http", "_tcp", port, txt, sizeof(txt) / sizeof(txt[0])), TAG,
                        "mdns_service_add");
    ESP_LOGI(TAG, "http://%s.local/ (mDNS, _http._tcp on port %u)", hostname, (unsigned)port);
    return ESP_OK;
}
