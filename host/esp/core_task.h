/*
 * The task that owns the WAMR instance. Every other task talks to the core
 * through it: events go through a FreeRTOS queue, PUT /icon bodies through
 * a one-slot mailbox whose result comes back on a reply queue, switch edges
 * through the GPIO module (woken from its interrupt), live updates and
 * rollbacks (docs/update.md) through a second mailbox. The task calls the
 * core only when one of these arrives or at the deadline the core's last
 * poll() returned; otherwise it sleeps.
 *
 * It also boots the core the flash slots choose (host/esp/core_store.h)
 * and watches an uploaded one (host/portable/core_watch.h): faults within
 * the window roll it back, a quiet window confirms it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "freertos/FreeRTOS.h"
#include "core_store.h"
#include "switch_edges.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest PUT body the host buffers (the core's body_capacity() is 64). */
#define CORE_TASK_BODY_MAX 256

typedef struct {
    const uint8_t *wasm;
    size_t wasm_len;
    void *pool;
    uint32_t pool_size;
    uint32_t debounce_ms;
    uint32_t keepalive_ms;
    /* The watch over an uploaded core (docs/update.md, step 5). */
    uint32_t watch_traps;
    uint32_t watch_window_ms;
    void (*led_set)(bool on);
    /* Switch edges (gpio_board.h). */
    bool (*switch_edges_pending)(void);
    size_t (*take_switch_edges)(switch_edge_t out[SWITCH_EDGES_MAX_TAKE], uint32_t now_ms);
} core_task_config_t;

typedef enum {
    CORE_TASK_OK = 0,
    CORE_TASK_BUSY,    /* command queue full */
    CORE_TASK_TIMEOUT, /* no answer in time */
    CORE_TASK_DOWN,    /* the core is not running (faulted, restarting) */
    CORE_TASK_REFUSED, /* an update failed its trial (why says how) */
    CORE_TASK_CHANGED, /* a rollback: the running core is no longer the one asked about */
    CORE_TASK_NOTHING, /* a rollback: the embedded core runs already */
} core_task_status_t;

/* Longest "why" of an update or rollback. */
#define CORE_TASK_WHY_MAX 160

/* Starts the core task (a pthread: WAMR's ESP-IDF layer needs one) and
 * waits until the core has been initialised. */
esp_err_t core_task_start(const core_task_config_t *cfg);

/* From the GPIO interrupt: switch edges wait to be taken. ISR context. */
void core_task_wake_from_isr(void);

/* Any task: queue post_event(kind, arg, time_ms).
 * False when the queue stayed full for `wait`. */
bool core_task_post_event(int32_t kind, int32_t arg, uint32_t time_ms, TickType_t wait);

/* HTTP server task: hands a PUT /icon body to the core and waits up to
 * timeout_ms for icon_put's result code. */
core_task_status_t core_task_icon_put(const uint8_t *body, size_t len, uint32_t timeout_ms, int32_t *code);

/*
 * HTTP server task: docs/update.md steps 2-3 on the core task, between two
 * polls: the trial of wasm beside the running core, then the swap. img is
 * the upload's record (slot CORE_FALLBACK_UNSTORED until it is stored:
 * core_store_persist). Waits up to timeout_ms for the core task to take it
 * (CORE_TASK_BUSY if it did not: nothing happened, wasm may be freed);
 * once taken, until it is done (the trial is short). CORE_TASK_OK: the new
 * core serves, watched. CORE_TASK_REFUSED: why (CORE_TASK_WHY_MAX) says
 * what the trial found; the running core is unchanged.
 */
core_task_status_t core_task_update(const uint8_t *wasm, size_t len, const core_store_image_t *img,
                                    uint32_t timeout_ms, char *why);

/*
 * HTTP server task: POST /core/rollback, already verified. expect_sha256
 * is the running core the signature was made for. CORE_TASK_OK: the
 * previous good core (or the embedded one) serves; CORE_TASK_NOTHING: the
 * embedded core runs already; CORE_TASK_CHANGED: another core runs now.
 */
core_task_status_t core_task_rollback(bool to_embedded, const uint8_t expect_sha256[32], uint32_t timeout_ms);

/* Largest body the core accepts now (min of body_capacity() and
 * CORE_TASK_BODY_MAX), 0 while the core is down. */
size_t core_task_body_capacity(void);

/* True while a core instance is running (not faulted, not restarting). */
bool core_task_ready(void);

/* Milliseconds since boot, the time base of every event. */
uint32_t core_task_now_ms(void);

#ifdef __cplusplus
}
#endif
