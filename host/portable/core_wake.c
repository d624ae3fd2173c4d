#include "core_wake.h"

/* Milliseconds from now until `at`, 0 if it has passed. Differences on the
 * wrapping clock are read as signed, like the core does (core/clock.ts):
 * valid while the two times are less than ~24.8 days apart. */
static uint32_t until(uint32_t now_ms, uint32_t at_ms)
{
    int32_t d = (int32_t)(at_ms - now_ms);
    return d > 0 ? (uint32_t)d : 0u;
}

uint32_t core_wake_take_gap_ms(uint32_t debounce_ms)
{
    uint32_t gap = debounce_ms / 8u;
    return gap > 4u ? 4u : gap;
}

void core_wake_init(core_wake_t *w, uint32_t take_gap_ms)
{
    *w = (core_wake_t){.take_gap_ms = take_gap_ms};
}

void core_wake_set_deadline(core_wake_t *w, uint32_t now_ms, int32_t next_ms)
{
    w->has_deadline = next_ms >= 0;
    w->deadline_ms = w->has_deadline ? now_ms + (uint32_t)next_ms : 0u;
}

bool core_wake_deadline_due(const core_wake_t *w, uint32_t now_ms)
{
    return w->has_deadline && until(now_ms, w->deadline_ms) == 0;
}

bool core_wake_may_take(const core_wake_t *w, uint32_t now_ms)
{
    return !w->took || until(now_ms, w->last_take_ms + w->take_gap_ms) == 0;
}

void core_wake_note_take(core_wake_t *w, uint32_t now_ms)
{
    w->took = true;
    w->last_take_ms = now_ms;
}

uint32_t core_wake_wait_ms(const core_wake_t *w, uint32_t now_ms, bool edges_pending)
{
    uint32_t wait = CORE_WAKE_FOREVER;
    if (w->has_deadline) {
        wait = until(now_ms, w->deadline_ms);
    }
    if (edges_pending) {
        uint32_t take = w->took ? until(now_ms, w->last_take_ms + w->take_gap_ms) : 0u;
        if (take < wait) {
            wait = take;
        }
    }
    return wait;
}
