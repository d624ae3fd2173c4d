/*
 * Which GPIOs of each supported chip can carry the push switch (input with
 * pull-up) or the LED (push-pull output). The facts are in board_pins.def,
 * shared with the build-time checks (board_pins.cmake); the firmware asks
 * board_pin_check() at start-up and runs without a pin it rejects rather
 * than failing to boot.
 */
#pragma once

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    BOARD_TARGET_ESP32,
    BOARD_TARGET_ESP32S3,
    BOARD_TARGET_ESP32C3,
    BOARD_TARGET_ESP32C6,
    BOARD_TARGET_COUNT,
    BOARD_TARGET_UNKNOWN = -1,
} board_target_t;

typedef enum {
    BOARD_PIN_INPUT,  /* the switch: input, internal pull-up */
    BOARD_PIN_OUTPUT, /* the LED: push-pull output */
} board_pin_role_t;

typedef enum {
    BOARD_PIN_OK = 0,
    BOARD_PIN_NO_SUCH_GPIO, /* outside the chip's GPIO numbers, or a hole in them */
    BOARD_PIN_PACKAGE,      /* not bonded out on every package of the chip */
    BOARD_PIN_FLASH,        /* SPI flash / PSRAM */
    BOARD_PIN_CONSOLE,      /* UART0 TX/RX: the log and idf.py monitor */
    BOARD_PIN_USB,          /* USB-Serial-JTAG D-/D+ */
    BOARD_PIN_INPUT_ONLY,   /* cannot drive an output (LED role only) */
    BOARD_PIN_UNKNOWN_TARGET,
} board_pin_verdict_t;

/* Warnings: the pin works, with a caveat the user should know. */
#define BOARD_PIN_NOTE_STRAPPING 0x1u /* sampled at reset: boot mode, flash voltage, ... */
#define BOARD_PIN_NOTE_NO_PULLUP 0x2u /* input without internal pull-up (switch role only) */

/* "esp32", "esp32s3", "esp32c3", "esp32c6" (CONFIG_IDF_TARGET); anything
 * else, or NULL, is BOARD_TARGET_UNKNOWN. */
board_target_t board_target_from_name(const char *idf_target);

/* The CONFIG_IDF_TARGET name of a target, "unknown" otherwise. */
const char *board_target_name(board_target_t t);

/* SOC_GPIO_PIN_COUNT of the target (GPIO numbers are 0..count-1), 0 if unknown. */
int board_target_gpio_count(board_target_t t);

board_pin_verdict_t board_pin_check(board_target_t t, int gpio, board_pin_role_t role);

/* One phrase that follows "GPIO n ", e.g. "is wired to the SPI flash or PSRAM". */
const char *board_pin_verdict_text(board_pin_verdict_t v);

/* BOARD_PIN_NOTE_* bits for a pin board_pin_check() accepts (0 otherwise). */
unsigned board_pin_notes(board_target_t t, int gpio, board_pin_role_t role);

/* The phrase for one BOARD_PIN_NOTE_* bit, e.g. "is a strapping pin: ...". */
const char *board_pin_note_text(unsigned note);

#ifdef __cplusplus
}
#endif
