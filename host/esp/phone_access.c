/*
 * Start-up of what lets a phone find the page (docs/firmware.md "What a
 * phone does when it joins"), from the menuconfig "Phone access" options.
 */
#include "phone_access.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "esp_check.h"
#include "esp_idf_version.h"
#include "esp_log.h"
#include "esp_netif.h"

#include "captive_dns.h"
#include "captive_portal.h"
#include "join_qr.h"
#include "mdns_name.h"

static const char *TAG = "phone_access";

#define HTTP_PORT 80
/* The default soft-AP netif's key (esp_netif_defaults.h, ESP_NETIF_BASE_DEFAULT_WIFI_AP). */
#define AP_IFKEY "WIFI_AP_DEF"
/* OFFER_DNS of lwIP's dhcpserver.h, as ESP-IDF's examples/wifi/softap_sta does (v5.5.5). */
#define DHCPS_OFFER_DNS 0x02

#ifdef CONFIG_WASM_LED_CAPTIVE_PORTAL
#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 4, 0)
/* DHCP option 114 (RFC 8910): the URI of the RFC 8908 API. The DHCP server
 * keeps the pointer (esp_netif.h, esp_netif_dhcps_option: "owned by the
 * application"), so it is static. */
static char s_capport_uri[48];
#endif

/* The DHCP server names the AP as DNS server (so phones ask captive_dns),
 * and, from ESP-IDF 5.4, offers option 114. Options can only be set while
 * the server is stopped (esp_netif_lwip.c, esp_netif_dhcps_option_api). */
static esp_err_t dhcp_options(esp_netif_t *ap, const esp_netif_ip_info_t *ip, const char *ip_text)
{
    esp_err_t err = esp_netif_dhcps_stop(ap);
    ESP_RETURN_ON_FALSE(err == ESP_OK || err == ESP_ERR_ESP_NETIF_DHCP_ALREADY_STOPPED, err, TAG, "dhcps_stop");
    uint8_t offer_dns = DHCPS_OFFER_DNS;
    esp_netif_dns_info_t dns = {.ip = {.type = ESP_IPADDR_TYPE_V4, .u_addr = {.ip4 = ip->ip}}};
    esp_err_t result = esp_netif_dhcps_option(ap, ESP_NETIF_OP_SET, ESP_NETIF_DOMAIN_NAME_SERVER, &offer_dns,
                                              sizeof(offer_dns));
    if (result == ESP_OK) {
        result = esp_netif_set_dns_info(ap, ESP_NETIF_DNS_MAIN, &dns);
    }
#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 4, 0)
    int n = snprintf(s_capport_uri, sizeof(s_capport_uri), "http://%s%s", ip_text, CAPTIVE_PORTAL_API_PATH);
    if (result == ESP_OK && n > 0 && (size_t)n < sizeof(s_capport_uri)) {
        result = esp_netif_dhcps_option(ap, ESP_NETIF_OP_SET, ESP_NETIF_CAPTIVEPORTAL_URI, s_capport_uri,
                                        (uint32_t)n);
    }
#else
    (void)ip_text; /* option 114 needs ESP-IDF 5.4 (ESP_NETIF_CAPTIVEPORTAL_URI) */
#endif
    err = esp_netif_dhcps_start(ap);
    ESP_RETURN_ON_FALSE(err == ESP_OK || err == ESP_ERR_ESP_NETIF_DHCP_ALREADY_STARTED, err, TAG,
                        "dhcps_start: phones get no address");
    return result;
}

static esp_err_t captive_portal_start(esp_netif_t *ap, const esp_netif_ip_info_t *ip, const char *ip_text)
{
    esp_err_t dhcp = dhcp_options(ap, ip, ip_text);
    if (dhcp != ESP_OK) {
        ESP_LOGW(TAG, "DHCP options not set (%s): phones may not use the portal's DNS", esp_err_to_name(dhcp));
    }
    uint8_t addr[4];
    memcpy(addr, &ip->ip.addr, sizeof(addr)); /* esp_ip4_addr_t holds network order */
    ESP_RETURN_ON_ERROR(captive_dns_start(addr), TAG, "DNS responder");
    return dhcp;
}
#endif /* CONFIG_WASM_LED_CAPTIVE_PORTAL */

static void keep_first(esp_err_t *first, esp_err_t err)
{
    if (*first == ESP_OK) {
        *first = err;
    }
}

esp_err_t phone_access_start(const phone_access_config_t *cfg)
{
    ESP_RETURN_ON_FALSE(cfg != NULL && cfg->ssid != NULL && cfg->password != NULL, ESP_ERR_INVALID_ARG, TAG,
                        "no config");
    esp_netif_t *ap = esp_netif_get_handle_from_ifkey(AP_IFKEY);
    esp_netif_ip_info_t ip;
    ESP_RETURN_ON_FALSE(ap != NULL && esp_netif_get_ip_info(ap, &ip) == ESP_OK, ESP_ERR_INVALID_STATE, TAG,
                        "no access point: call after wifi_ap_start()");
    char ip_text[16];
    snprintf(ip_text, sizeof(ip_text), IPSTR, IP2STR(&ip.ip));
    char url[32];
    captive_portal_location(url, sizeof(url), ip_text);

    esp_err_t first = ESP_OK;
#ifdef CONFIG_WASM_LED_CAPTIVE_PORTAL
    esp_err_t err = captive_portal_start(ap, &ip, ip_text);
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "captive portal incomplete (%s): phones can still open %s", esp_err_to_name(err), url);
        keep_first(&first, err);
    }
#endif
    const char *hostname = CONFIG_WASM_LED_MDNS_HOSTNAME;
    // cppcheck-suppress knownConditionTrueFalse ; a menuconfig string, empty = no mDNS
    if (hostname[0] != '\0') {
        esp_err_t err_mdns = mdns_name_start(hostname, HTTP_PORT);
        if (err_mdns != ESP_OK) {
            ESP_LOGW(TAG, "no mDNS name (%s)", esp_err_to_name(err_mdns));
            keep_first(&first, err_mdns);
        }
    }
#ifdef CONFIG_WASM_LED_JOIN_QR
    esp_err_t err_qr = join_qr_print(cfg->ssid, cfg->password, url);
    if (err_qr != ESP_OK) {
        ESP_LOGW(TAG, "no QR codes (%s)", esp_err_to_name(err_qr));
        keep_first(&first, err_qr);
    }
#endif
    return first;
}
