/*
 * When the core task wakes up next (docs/abi.md: the core is called only on
 * events and at the deadline its last poll() returned). Pure arithmetic on
 * the host's wrapping millisecond clock, so it is unit-tested here; the
 * core task turns the answer into a FreeRTOS wait.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* core_wake_wait_ms() result: no deadline, wait for an event. */
#define CORE_WAKE_FOREVER UINT32_MAX

typedef struct {
    bool has_deadline;
    uint32_t deadline_ms; /* absolute, on the wrapping clock */
    uint32_t take_gap_ms; /* least time between two takes of switch edges */
    bool took;            /* edges were taken at least once */
    uint32_t last_take_ms;
} core_wake_t;

/* Least time between two takes of switch edges for a debounce window: an
 * eighth of the window, at most 4 ms (edges that close together are one
 * burst; a burst must stay shorter than the window, see switch_edges.h). */
uint32_t core_wake_take_gap_ms(uint32_t debounce_ms);

void core_wake_init(core_wake_t *w, uint32_t take_gap_ms);

/* Records poll()'s result at now: a delay in ms, or CORE_POLL_NO_DEADLINE
 * (any negative value) for none. */
void core_wake_set_deadline(core_wake_t *w, uint32_t now_ms, int32_t next_ms);

/* True when the deadline has been reached at now. */
bool core_wake_deadline_due(const core_wake_t *w, uint32_t now_ms);

/* True when switch edges may be taken at now (the gap since the last take
 * has passed). */
bool core_wake_may_take(const core_wake_t *w, uint32_t now_ms);

void core_wake_note_take(core_wake_t *w, uint32_t now_ms);

/* How long the task may sleep from now: until the deadline, or until edges
 * may be taken when some are pending, whichever is sooner; 0 when either
 * is due; CORE_WAKE_FOREVER when nothing is pending at all. */
uint32_t core_wake_wait_ms(const core_wake_t *w, uint32_t now_ms, bool edges_pending);

#ifdef __cplusplus
}
#endif
