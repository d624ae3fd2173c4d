/*
 * The board's pins: the LED output and the push switch. The switch raises
 * an any-edge interrupt; its edges are kept coalesced (switch_edges.h) until
 * the core task takes them, so a bouncing contact costs the core a few calls
 * per burst, never one per edge.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "switch_edges.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called from the GPIO interrupt for the first edge since the last take:
 * wake the task that will call gpio_board_take_edges. ISR context. */
typedef void (*gpio_board_wake_fn)(void);

/* LED as push-pull output (off); switch as input with pull-up. -1 leaves
 * that part out (the caller found the pin unusable, board_check.h): the
 * board runs without it rather than failing to boot. */
esp_err_t gpio_board_init(int led_gpio, int switch_gpio);

void gpio_board_led_set(bool on);

/* Arms the switch's any-edge interrupt. */
esp_err_t gpio_board_start_edges(gpio_board_wake_fn wake);

/* Core task: true when edges wait to be taken. */
bool gpio_board_edges_pending(void);

/* Core task: the edges since the last take (oldest first, at most
 * SWITCH_EDGES_MAX_TAKE). The pin is read once more first, so an edge the
 * interrupt read too early is still reported, stamped now_ms. */
size_t gpio_board_take_edges(switch_edge_t out[SWITCH_EDGES_MAX_TAKE], uint32_t now_ms);

#ifdef __cplusplus
}
#endif
