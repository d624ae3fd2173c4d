/*
 * The uploaded cores on flash (host/portable/core_slots.c on the
 * "corewasm" partition) and the record of which core runs, shared by the
 * core task (boot, swap, watch, rollback) and the HTTP server task (storing
 * an upload, GET /core) under one mutex. Only storing an upload erases
 * flash; it runs on the server task, so the core task never waits for an
 * erase unless it needs the slots at that very moment (a rollback or a
 * fault during the store: it then waits for the store to end, which keeps
 * the order store -> mark bad).
 *
 * Without the partition (or on a flash error) everything still works from
 * RAM; nothing is kept across a reboot.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

#include "core_slots.h"
#include "core_status_json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A core: where it comes from and who it is. */
typedef struct {
    core_source_t source;
    int slot; /* 0/1; CORE_FALLBACK_UNSTORED (uploaded, not on flash); CORE_SLOT_EMBEDDED */
    uint32_t version;
    uint8_t sha256[32]; /* identity: SHA-256 of the signed bytes; the embedded core: of its file */
    uint32_t size;
} core_store_image_t;

/* Opens the partition and the slots; records the embedded core (its
 * bytes stay in flash, they are hashed once). ESP_OK also without a
 * partition (logged): updates then live until the next reboot. */
esp_err_t core_store_init(const uint8_t *embedded, size_t embedded_len);

/* The embedded core's record. */
core_store_image_t core_store_embedded(void);

/*
 * Boot: the slot core_slots_boot() chooses (its start counted) as a
 * malloc'd copy for core_vm_start (the caller frees it), its record in
 * *img; NULL and the embedded record when the embedded core runs.
 * *on_trial: the chosen slot is not yet confirmed (the watch runs).
 */
uint8_t *core_store_boot(core_store_image_t *img, size_t *len, bool *on_trial);

/* The core from core_store_boot did not start (another ABI, a WAMR pool
 * too small for it): it is marked bad so the next boot does not try it
 * again, and what runs instead comes back as for core_store_boot. */
uint8_t *core_store_boot_failed(core_store_image_t *img, size_t *len, bool *on_trial);

/* The core task: img now serves, from now_ms; on_trial: watched. */
void core_store_running(const core_store_image_t *img, bool on_trial, uint32_t now_ms);

/* The core task: a fault of the running core (counted for GET /core). */
void core_store_fault(void);

/* The core task: the watch window passed, the running core is good. */
void core_store_confirm(void);

/*
 * The core task, rolling back: marks the running core's slot bad (reason)
 * and whatever else core_fallback_mark() says, then returns what runs next
 * as for core_store_boot (NULL: the embedded core). why: one line for
 * GET /core "last_rollback", kept with the time.
 */
uint8_t *core_store_fallback(core_slot_bad_reason_t reason, bool to_embedded, const char *why, uint32_t now_ms,
                             core_store_image_t *img, size_t *len);

/* The HTTP server task, after the swap: writes the upload into a slot
 * (never the previous good core's) and counts its start. The running
 * record gets the slot if img is still the running core. Returns the slot
 * or a negative core_slots_err_t. */
int core_store_persist(const uint8_t *wasm, size_t len, const core_store_image_t *img);

/* GET /core: fills the running/previous/state/since/traps/last_rollback
 * members of *out (the texts point into a static copy: server task only). */
void core_store_status(core_status_t *out);

/* The running core's record. */
core_store_image_t core_store_running_image(void);

#ifdef __cplusplus
}
#endif
