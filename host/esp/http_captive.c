/*
 * The captive portal's HTTP side (http_captive.h): operating systems'
 * connectivity probes and other sites' URLs (the DNS responder sends every
 * name here) get a 302 to the page; RFC 8908's API answers what DHCP
 * option 114 names. The decisions are captive_portal.c's.
 */
#include "http_captive.h"

#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "sdkconfig.h"

#ifdef CONFIG_WASM_LED_CAPTIVE_PORTAL

#include "captive_portal.h"
#include "http_contract.h"
#include "http_reply.h"

/* The mDNS name as a Host value, NULL without mDNS. */
static const char *own_name(void)
{
    return CONFIG_WASM_LED_MDNS_HOSTNAME[0] != '\0' ? CONFIG_WASM_LED_MDNS_HOSTNAME ".local" : NULL;
}

/* The IPv4 address the client connected to (the AP's) as text. lwIP
 * reports it as ::ffff:a.b.c.d on esp_http_server's dual-stack socket
 * (CONFIG_LWIP_IPV6; lwIP sockets.c, lwip_getaddrname). */
static bool own_address(httpd_req_t *req, char *buf, size_t size)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof(a);
    if (getsockname(httpd_req_to_sockfd(req), (struct sockaddr *)&a, &len) != 0) {
        return false;
    }
    if (a.ss_family == AF_INET) {
        const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a;
        return captive_portal_ipv4_text(buf, size, (const unsigned char *)&a4->sin_addr.s_addr, 4) > 0;
    }
#if CONFIG_LWIP_IPV6
    if (a.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&a;
        return captive_portal_ipv4_text(buf, size, a6->sin6_addr.s6_addr, 16) > 0;
    }
#endif
    return false;
}

#define HOST_MAX 255

/* captive_portal_action() for a request no route claimed. */
static bool captive_redirects(httpd_req_t *req, const char *own_ip)
{
    const char *method = req->method == HTTP_GET ? "GET" : req->method == HTTP_HEAD ? "HEAD" : "other";
    char host[HOST_MAX + 1] = "";
    size_t len = httpd_req_get_hdr_value_len(req, "Host");
    const char *host_value = NULL;
    if (len > HOST_MAX) {
        host_value = "(too long: not this device)";
    } else if (len > 0 && httpd_req_get_hdr_value_str(req, "Host", host, sizeof(host)) == ESP_OK) {
        host_value = host;
    }
    return captive_portal_action(method, req->uri, host_value, own_ip, own_name()) == CAPTIVE_REDIRECT;
}

/* 302 to the page; a short body too: iOS wants content to detect the
 * portal (ESP-IDF v5.5.5 examples/protocols/http_server/captive_portal). */
static esp_err_t reply_redirect(httpd_req_t *req, const char *own_ip)
{
    char location[32];
    char body[80];
    if (captive_portal_location(location, sizeof(location), own_ip) == 0) {
        return ESP_FAIL;
    }
    int n = snprintf(body, sizeof(body), "302 Found: the page is at %s\n", location);
    httpd_resp_set_status(req, "302 Found");
    httpd_resp_set_type(req, "text/plain; charset=utf-8");
    httpd_resp_set_hdr(req, "Location", location);
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    httpd_resp_set_hdr(req, "Connection", "close");
    return httpd_resp_send(req, body, (req->method == HTTP_HEAD || n < 0) ? 0 : (ssize_t)n);
}

/* GET /captive-portal/api: RFC 8908 section 5, named by DHCP option 114. */
esp_err_t http_captive_on_api(httpd_req_t *req)
{
    char ip[16];
    char json[96];
    if (!own_address(req, ip, sizeof(ip)) || captive_portal_api_json(json, sizeof(json), ip) == 0) {
        http_reply_text(req, http_contract_error_reply(500), NULL, false);
        return http_reply_done_close(req);
    }
    httpd_resp_set_type(req, "application/captive+json");
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    httpd_resp_set_hdr(req, "Connection", "close");
    if (httpd_resp_sendstr(req, json) != ESP_OK) {
        return ESP_FAIL;
    }
    return http_reply_done_close(req);
}

bool http_captive_redirected(httpd_req_t *req, esp_err_t *result)
{
    char own_ip[16];
    if (!own_address(req, own_ip, sizeof(own_ip)) || !captive_redirects(req, own_ip)) {
        return false;
    }
    *result = http_reply_finish(req, reply_redirect(req, own_ip), req->content_len);
    return true;
}

const char *http_captive_allow(const char *uri)
{
    return captive_portal_is_api(uri) ? "GET" : NULL;
}

#endif /* CONFIG_WASM_LED_CAPTIVE_PORTAL */
