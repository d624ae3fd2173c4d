#include "captive_portal.h"

#include <stdio.h>
#include <string.h>

#include "http_contract.h"

/* Sources per path: docs/firmware.md "What a phone does when it joins". */
static const char *const s_probe_paths[] = {
    "/generate_204",                /* Android, ChromeOS, Chrome (connectivitycheck.gstatic.com, clients3.google.com) */
    "/gen_204",                     /* Android (www.google.com fallback probe) */
    "/hotspot-detect.html",         /* iOS, iPadOS, macOS (captive.apple.com) */
    "/library/test/success.html",   /* older iOS / macOS (www.apple.com and others) */
    "/connecttest.txt",             /* Windows 10/11 NCSI (www.msftconnecttest.com) */
    "/redirect",                    /* Windows opens www.msftconnecttest.com/redirect in the browser */
    "/ncsi.txt",                    /* Windows 7/8 NCSI (www.msftncsi.com) */
    "/canonical.html",              /* Firefox (detectportal.firefox.com) */
    "/success.txt",                 /* Firefox (detectportal.firefox.com, IPv4/IPv6 checks) */
    "/check_network_status.txt",    /* GNOME NetworkManager (nmcheck.gnome.org) */
    "/kindle-wifi/wifistub.html",   /* Kindle (spectrum.s3.amazonaws.com) */
};

const char *const *captive_portal_probe_paths(size_t *count)
{
    if (count != NULL) {
        *count = sizeof(s_probe_paths) / sizeof(s_probe_paths[0]);
    }
    return s_probe_paths;
}

bool captive_portal_is_api(const char *uri)
{
    return http_contract_path_is(uri, CAPTIVE_PORTAL_API_PATH);
}

bool captive_portal_is_probe(const char *uri)
{
    for (size_t i = 0; i < sizeof(s_probe_paths) / sizeof(s_probe_paths[0]); i++) {
        if (http_contract_path_is(uri, s_probe_paths[i])) {
            return true;
        }
    }
    return false;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive equality of host[0..n) and the whole of name. */
static bool host_equals(const char *host, size_t n, const char *name, size_t name_len)
{
    if (name_len == 0 || n != name_len) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (lower(host[i]) != lower(name[i])) {
            return false;
        }
    }
    return true;
}

bool captive_portal_host_is_own(const char *host, const char *own_ip, const char *own_name)
{
    if (host == NULL) {
        return true;
    }
    while (*host == ' ' || *host == '\t') {
        host++;
    }
    size_t n = strlen(host);
    while (n > 0 && (host[n - 1] == ' ' || host[n - 1] == '\t')) {
        n--;
    }
    if (n == 0) {
        return true;
    }
    /* Strip ":port" (after "]" for an IPv6 literal). */
    size_t colon = n;
    for (size_t i = n; i > 0; i--) {
        if (host[i - 1] == ':') {
            colon = i - 1;
            break;
        }
        if (host[i - 1] == ']' || (host[i - 1] < '0' || host[i - 1] > '9')) {
            break;
        }
    }
    n = colon;
    if (n > 0 && host[n - 1] == '.') {
        n--; /* "esp32-led.local." is the same name */
    }
    if (own_ip != NULL && host_equals(host, n, own_ip, strlen(own_ip))) {
        return true;
    }
    if (own_name == NULL || *own_name == '\0') {
        return false;
    }
    size_t name_len = strlen(own_name);
    size_t label_len = strcspn(own_name, ".");
    return host_equals(host, n, own_name, name_len) || host_equals(host, n, own_name, label_len);
}

captive_action_t captive_portal_action(const char *method, const char *uri, const char *host, const char *own_ip,
                                       const char *own_name)
{
    if (method == NULL || uri == NULL || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
        return CAPTIVE_SERVE;
    }
    if (captive_portal_is_probe(uri) || !captive_portal_host_is_own(host, own_ip, own_name)) {
        return CAPTIVE_REDIRECT;
    }
    return CAPTIVE_SERVE;
}

size_t captive_portal_ipv4_text(char *buf, size_t cap, const unsigned char *addr, size_t addr_len)
{
    static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (buf == NULL || cap == 0 || addr == NULL) {
        return 0;
    }
    buf[0] = '\0';
    const unsigned char *v4;
    if (addr_len == 4) {
        v4 = addr;
    } else if (addr_len == 16 && memcmp(addr, mapped_prefix, sizeof(mapped_prefix)) == 0) {
        v4 = addr + 12;
    } else {
        return 0;
    }
    int n = snprintf(buf, cap, "%u.%u.%u.%u", v4[0], v4[1], v4[2], v4[3]);
    if (n < 0 || (size_t)n >= cap) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

size_t captive_portal_location(char *buf, size_t cap, const char *own_host)
{
    if (buf == NULL || cap == 0 || own_host == NULL || *own_host == '\0') {
        return 0;
    }
    int n = snprintf(buf, cap, "http://%s/", own_host);
    if (n < 0 || (size_t)n >= cap) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

size_t captive_portal_api_json(char *buf, size_t cap, const char *own_host)
{
    if (buf == NULL || cap == 0 || own_host == NULL || *own_host == '\0') {
        return 0;
    }
    for (const char *p = own_host; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
            buf[0] = '\0';
            return 0;
        }
    }
    int n = snprintf(buf, cap, "{\"captive\":true,\"user-portal-url\":\"http://%s/\"}", own_host);
    if (n < 0 || (size_t)n >= cap) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)n;
}
