#include "wifi_qr.h"

#include <stdbool.h>
#include <string.h>

static bool needs_escape(char c)
{
    return c == '\\' || c == ';' || c == ',' || c == ':' || c == '"';
}

static bool put(char *buf, size_t cap, size_t *len, char c)
{
    if (*len + 1 >= cap) {
        return false; /* keep room for the NUL */
    }
    buf[(*len)++] = c;
    buf[*len] = '\0';
    return true;
}

static bool put_str(char *buf, size_t cap, size_t *len, const char *s)
{
    for (; *s != '\0'; s++) {
        if (!put(buf, cap, len, *s)) {
            return false;
        }
    }
    return true;
}

bool wifi_qr_append_escaped(char *buf, size_t cap, size_t *len, const char *s)
{
    for (; *s != '\0'; s++) {
        if ((needs_escape(*s) && !put(buf, cap, len, '\\')) || !put(buf, cap, len, *s)) {
            return false;
        }
    }
    return true;
}

size_t wifi_qr_payload(char *buf, size_t cap, const char *ssid, const char *password)
{
    if (buf == NULL || cap == 0) {
        return 0;
    }
    buf[0] = '\0';
    if (ssid == NULL || password == NULL || *ssid == '\0') {
        return 0;
    }
    size_t len = 0;
    bool open = (*password == '\0');
    bool ok = put_str(buf, cap, &len, open ? "WIFI:T:nopass;S:" : "WIFI:T:WPA;S:") &&
              wifi_qr_append_escaped(buf, cap, &len, ssid) &&
              (open || (put_str(buf, cap, &len, ";P:") && wifi_qr_append_escaped(buf, cap, &len, password))) &&
              put_str(buf, cap, &len, ";;");
    if (!ok) {
        buf[0] = '\0';
        return 0;
    }
    return len;
}
