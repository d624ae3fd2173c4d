/*
 * Start-up check of a configured pin against this chip's pin table
 * (host/portable/board_pins.h). A pin the table rejects is reported in one
 * log line and not used: the board keeps running without the LED or the
 * switch instead of failing to boot.
 */
#pragma once

#include <stdbool.h>

#include "board_pins.h"
#include "sdkconfig.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The chip this firmware is built for, as a board_target_t. */
#if defined(CONFIG_IDF_TARGET_ESP32)
#define BOARD_TARGET_THIS BOARD_TARGET_ESP32
#elif defined(CONFIG_IDF_TARGET_ESP32S3)
#define BOARD_TARGET_THIS BOARD_TARGET_ESP32S3
#elif defined(CONFIG_IDF_TARGET_ESP32C3)
#define BOARD_TARGET_THIS BOARD_TARGET_ESP32C3
#elif defined(CONFIG_IDF_TARGET_ESP32C6)
#define BOARD_TARGET_THIS BOARD_TARGET_ESP32C6
#else
#define BOARD_TARGET_THIS BOARD_TARGET_UNKNOWN
#endif

/* True when `gpio` may be used in `role` on this chip. Otherwise logs, e.g.
 *   E board_check: LED GPIO 7 is wired to the SPI flash or PSRAM on esp32: running without the LED ...
 * and returns false. Caveats of a usable pin (strapping pin, no pull-up)
 * are logged as a warning. `what` names the part: "LED", "switch". */
bool board_check_pin(const char *what, int gpio, board_pin_role_t role);

#ifdef __cplusplus
}
#endif
