/*
 * Which HTTP requests the captive portal redirects to the page, and what the
 * redirect and the RFC 8908 API say. Decisions only; host/esp/http_captive.c
 * and sim/captive.ts send the bytes (docs/abi.md "Captive portal").
 *
 * While the portal is on, the AP's DNS answers every name with the AP's
 * address, so an operating system's connectivity probe ("is there
 * internet?") and any URL typed into a browser arrive here. Redirecting
 * them to the page is what makes a phone open its captive-portal sheet.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* GET path of the RFC 8908 captive-portal API that DHCP option 114 names. */
#define CAPTIVE_PORTAL_API_PATH "/captive-portal/api"

typedef enum {
    CAPTIVE_SERVE = 0, /* not for the portal: route it as usual (page, 404, 405, ...) */
    CAPTIVE_REDIRECT,  /* 302 to the page (captive_portal_location) */
} captive_action_t;

/* True when the path of uri (before '?' or '#') is one of the connectivity
 * probes of docs/abi.md (Android /generate_204, Apple /hotspot-detect.html,
 * Windows /connecttest.txt, Firefox /canonical.html, ...). */
bool captive_portal_is_probe(const char *uri);

/* True when the path of uri is CAPTIVE_PORTAL_API_PATH. */
bool captive_portal_is_api(const char *uri);

/* The probe paths, for tests and logs: *count entries. */
const char *const *captive_portal_probe_paths(size_t *count);

/*
 * True when the Host field value names this device: empty or absent (an
 * HTTP/1.0 client), own_ip, own_name (e.g. "esp32-led.local") or its first
 * label ("esp32-led"), compared without letter case, a trailing dot or a
 * ":port". own_name may be NULL or "".
 */
bool captive_portal_host_is_own(const char *host, const char *own_ip, const char *own_name);

/*
 * What to do with a request the routes did not claim: GET or HEAD of a
 * probe path, or of any path on a Host that is not this device (a site the
 * DNS answer sent here), is redirected; everything else is served as
 * usual. method is case-sensitive ("GET").
 */
captive_action_t captive_portal_action(const char *method, const char *uri, const char *host, const char *own_ip,
                                       const char *own_name);

/*
 * The dotted IPv4 text of a socket address's bytes (NUL-terminated): addr
 * is 4 bytes (AF_INET), or 16 bytes of an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d), which is what lwIP reports for an IPv4 client on
 * esp_http_server's dual-stack listening socket. Returns the length, or 0
 * for any other address or when it does not fit in cap bytes.
 */
size_t captive_portal_ipv4_text(char *buf, size_t cap, const unsigned char *addr, size_t addr_len);

/* Writes "http://<own_host>/" (NUL-terminated). Returns its length, or 0
 * when it does not fit in cap bytes or own_host is empty. */
size_t captive_portal_location(char *buf, size_t cap, const char *own_host);

/* Writes the RFC 8908 API object {"captive":true,"user-portal-url":"http://<own_host>/"}
 * (NUL-terminated). Returns its length, or 0 when it does not fit or
 * own_host holds a character that would need JSON escaping. */
size_t captive_portal_api_json(char *buf, size_t cap, const char *own_host);

#ifdef __cplusplus
}
#endif
