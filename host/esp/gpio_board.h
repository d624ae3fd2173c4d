/*
 * The board's pins: the LED output and the push switch, sampled by a
 * periodic esp_timer that reports level changes.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called from the esp_timer task with the new raw level (0 = pressed).
 * Returns false when the change could not be delivered; it is then
 * reported again on the next sample. */
typedef bool (*gpio_board_switch_cb_t)(int level, uint32_t now_ms);

/* LED as push-pull output (off); switch as input with pull-up. */
esp_err_t gpio_board_init(int led_gpio, int switch_gpio);

void gpio_board_led_set(bool on);

/* Starts sampling the switch every period_ms. */
esp_err_t gpio_board_start_sampler(uint32_t period_ms, gpio_board_switch_cb_t on_change);

#ifdef __cplusplus
}
#endif
