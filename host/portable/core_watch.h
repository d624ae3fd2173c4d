/*
 * The watch over an uploaded core (docs/update.md "What an upload goes
 * through", step 5): a core on trial that faults max_traps times within
 * window_ms of starting to serve (a live swap, or a boot that chose it) is
 * rolled back; one that serves window_ms with fewer faults is confirmed
 * good. The embedded core and confirmed cores are never rolled back, their
 * faults are only counted.
 *
 * Pure arithmetic on the host's wrapping millisecond clock; the core task
 * (host/esp/core_task.c) acts on the answers. One task only: no locking.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Defaults (docs/update.md; menuconfig "Live core updates"). */
#define CORE_WATCH_DEFAULT_TRAPS 3u
#define CORE_WATCH_DEFAULT_WINDOW_MS 60000u
/* Longest window: differences on the wrapping clock are read as signed. */
#define CORE_WATCH_MAX_WINDOW_MS 0x7fffffffu

/* core_watch_wait_ms(): nothing to wait for. */
#define CORE_WATCH_FOREVER UINT32_MAX

typedef enum {
    CORE_WATCH_KEEP = 0,  /* nothing to do (restart a faulted core as usual) */
    CORE_WATCH_ROLLBACK,  /* max_traps faults within the window: mark it bad, run the previous good core */
    CORE_WATCH_CONFIRM,   /* the window passed with fewer faults: mark it good */
} core_watch_action_t;

typedef struct {
    uint32_t max_traps; /* K, >= 1 */
    uint32_t window_ms; /* T, 1..CORE_WATCH_MAX_WINDOW_MS */
    bool on_trial;      /* the running core may still be rolled back */
    uint32_t since_ms;  /* when the running core started serving */
    uint32_t traps;     /* faults since then, whatever its state */
} core_watch_t;

/* Out-of-range settings are clamped (0 traps -> 1, window 0 -> 1 ms, above
 * the maximum -> the maximum). Starts unarmed at time 0. */
void core_watch_init(core_watch_t *w, uint32_t max_traps, uint32_t window_ms);

/* A core starts serving at now: traps back to 0; on_trial arms the watch
 * (an uploaded core not yet confirmed), false for the embedded core or a
 * confirmed one. */
void core_watch_start(core_watch_t *w, uint32_t now_ms, bool on_trial);

/* The running core faulted at now. ROLLBACK once max_traps faults fell
 * within the window of a core on trial (the watch disarms: call
 * core_watch_start for whatever runs next); CONFIRM when the window had
 * already passed (this fault is counted, the core was good); else KEEP. */
core_watch_action_t core_watch_fault(core_watch_t *w, uint32_t now_ms);

/* Called when the task wakes: CONFIRM once (then disarmed) when the window
 * of a core on trial has passed, else KEEP. */
core_watch_action_t core_watch_tick(core_watch_t *w, uint32_t now_ms);

/* How long the task may sleep before core_watch_tick has something to
 * confirm: 0 when due, CORE_WATCH_FOREVER when not on trial. */
uint32_t core_watch_wait_ms(const core_watch_t *w, uint32_t now_ms);

#ifdef __cplusplus
}
#endif
