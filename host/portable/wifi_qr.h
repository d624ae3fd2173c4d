/*
 * The text of the "join this WiFi" QR code printed at boot, in the WIFI:
 * URI scheme that phone cameras read (ZXing's "WiFi Network config",
 * adopted by Android 10+ and iOS 11+; also section 7 of the Wi-Fi
 * Alliance's WPA3 specification):
 *
 *   WIFI:T:WPA;S:<ssid>;P:<password>;;     (WPA2-PSK, what the AP runs)
 *   WIFI:T:nopass;S:<ssid>;;               (open network, empty password)
 *
 * In <ssid> and <password> the characters \ ; , : " are preceded by a
 * backslash, so that a ';' in a password does not end the field.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest payload: a 32-byte SSID and a 63-character password, every
 * character escaped: 13 + 64 + 3 + 126 + 2 = 208 bytes, plus the NUL. */
#define WIFI_QR_PAYLOAD_MAX 209u

/* Writes the payload for ssid/password ("" = open) into buf (NUL-terminated).
 * Returns its length, or 0 when it does not fit in cap bytes, or ssid is
 * empty or either argument is NULL. */
size_t wifi_qr_payload(char *buf, size_t cap, const char *ssid, const char *password);

/* Appends s to buf at *len with the WIFI: escapes; false when it does not
 * fit (buf keeps a NUL at *len either way). */
bool wifi_qr_append_escaped(char *buf, size_t cap, size_t *len, const char *s);

#ifdef __cplusplus
}
#endif
