#include "core_watch.h"

/* Milliseconds since the core started serving. The clock wraps after ~49.7
 * days; the difference is read as signed, so a time before the start (it
 * cannot happen on one clock, but costs nothing) counts as 0. */
static uint32_t elapsed(const core_watch_t *w, uint32_t now_ms)
{
    int32_t d = (int32_t)(now_ms - w->since_ms);
    return d > 0 ? (uint32_t)d : 0u;
}

void core_watch_init(core_watch_t *w, uint32_t max_traps, uint32_t window_ms)
{
    if (window_ms > CORE_WATCH_MAX_WINDOW_MS) {
        window_ms = CORE_WATCH_MAX_WINDOW_MS;
    }
    *w = (core_watch_t){
        .max_traps = max_traps > 0 ? max_traps : 1u,
        .window_ms = window_ms > 0 ? window_ms : 1u,
    };
}

void core_watch_start(core_watch_t *w, uint32_t now_ms, bool on_trial)
{
    w->on_trial = on_trial;
    w->since_ms = now_ms;
    w->traps = 0;
}

core_watch_action_t core_watch_tick(core_watch_t *w, uint32_t now_ms)
{
    if (w->on_trial && elapsed(w, now_ms) >= w->window_ms) {
        w->on_trial = false;
        return CORE_WATCH_CONFIRM;
    }
    return CORE_WATCH_KEEP;
}

core_watch_action_t core_watch_fault(core_watch_t *w, uint32_t now_ms)
{
    if (w->traps < UINT32_MAX) {
        w->traps++;
    }
    /* The window is judged before the fault: one that comes after it has
     * closed finds a core that has already earned its confirmation. */
    if (core_watch_tick(w, now_ms) == CORE_WATCH_CONFIRM) {
        return CORE_WATCH_CONFIRM;
    }
    if (w->on_trial && w->traps >= w->max_traps) {
        w->on_trial = false;
        return CORE_WATCH_ROLLBACK;
    }
    return CORE_WATCH_KEEP;
}

uint32_t core_watch_wait_ms(const core_watch_t *w, uint32_t now_ms)
{
    if (!w->on_trial) {
        return CORE_WATCH_FOREVER;
    }
    uint32_t e = elapsed(w, now_ms);
    return e >= w->window_ms ? 0u : w->window_ms - e;
}
