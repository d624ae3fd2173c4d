/*
 * Switch edges from the GPIO interrupt to the core task, coalesced.
 *
 * While the contacts bounce the interrupt may fire thousands of times a
 * second; the core task looks at most once per wake-up. Between two looks
 * only the first, the second-to-last and the last edge are kept: posted in
 * that order they give the core's debounce the same decisions as every edge
 * (docs/abi.md "Debounce") as long as the edges between two looks span less
 * than the debounce window, and a storm can never overflow anything.
 *
 * Not thread-safe by itself: the ESP-IDF glue calls switch_edges_record from
 * the ISR and switch_edges_take from the core task, both inside the same
 * critical section.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most edges one take hands over. */
#define SWITCH_EDGES_MAX_TAKE 3u

typedef struct {
    int32_t level;    /* pin level after the edge: 0 = pressed (active low) */
    uint32_t time_ms; /* when it happened */
} switch_edge_t;

typedef struct {
    int32_t level;  /* level after the last recorded edge */
    uint32_t count; /* edges since the last take */
    switch_edge_t first, before_last, last;
    uint32_t total; /* edges recorded since init (diagnostics) */
} switch_edges_t;

/* Starts from the pin's current level (no edge pending). */
void switch_edges_init(switch_edges_t *s, int32_t level);

/* The pin read `level` at time_ms. A read equal to the last recorded level
 * is no edge (the contact bounced back before the ISR read it): ignored,
 * false. True when an edge was recorded; *first_since_take (may be NULL) is
 * then true if it is the first one since the last take, i.e. the moment to
 * wake the core task. */
bool switch_edges_record(switch_edges_t *s, int32_t level, uint32_t time_ms, bool *first_since_take);

/* True when edges wait to be taken. */
bool switch_edges_pending(const switch_edges_t *s);

/* Moves the edges recorded since the last take into out[0..n), oldest
 * first, n <= SWITCH_EDGES_MAX_TAKE, and returns n. */
size_t switch_edges_take(switch_edges_t *s, switch_edge_t out[SWITCH_EDGES_MAX_TAKE]);

#ifdef __cplusplus
}
#endif
