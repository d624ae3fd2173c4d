/*
 * The WAMR embedding of core.wasm: runtime with a static pool, the "host"
 * natives, the running module instance with its exec env, typed wrappers
 * for the exports, fault recovery (docs/abi.md "Faults"), and the live
 * update (docs/update.md "What an upload goes through"): a candidate
 * module instantiated beside the running one for its trial, then swapped
 * in between two calls.
 *
 * Single-threaded by contract: every function here, and every callback in
 * core_vm_host_t, runs on the one task that called core_vm_start (it must
 * be a pthread on ESP-IDF: WAMR's platform layer calls pthread_self()).
 * Depends on wasm_export.h only, no ESP-IDF header.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Drive the LED (called from inside export calls). */
    void (*led_set)(void *ctx, bool on);
    /* Write a frame to one client / to all; see docs/abi.md Imports. */
    int32_t (*sse_send)(void *ctx, int32_t client, const uint8_t *frame, uint32_t len);
    void (*sse_broadcast)(void *ctx, const uint8_t *frame, uint32_t len);
    /* Ids of the open SSE clients, replayed as EVENT_CLIENT_OPEN after a
     * restart. Returns how many were written to ids[0..max). */
    size_t (*open_clients)(void *ctx, int32_t *ids, size_t max);
    void *ctx;
} core_vm_host_t;

typedef struct {
    const uint8_t *wasm; /* module bytes, read by core_vm_start only (copied to RAM; the source may be flash) */
    size_t wasm_len;
    void *pool;          /* WAMR heap: runtime, module and instance structures */
    uint32_t pool_size;
    uint32_t stack_size; /* wasm stack of the exec env, taken from the pool */
    /* Lowest address WAMR's native stack check may let the calling task's
     * stack reach (its stack start plus a guard). Given once, it spares
     * every export call WAMR's own look-up, which on ESP-IDF scans the
     * task's whole stack (vTaskGetInfo). NULL: let WAMR look it up. */
    uint8_t *native_stack_boundary;
    uint32_t debounce_ms;
    uint32_t keepalive_ms;
    core_vm_host_t host;
} core_vm_config_t;

typedef enum {
    CORE_VM_OK = 0, /* the call ran; its result is valid */
    CORE_VM_FAULT,  /* the core trapped or broke the ABI: call core_vm_restart */
    CORE_VM_DOWN,   /* no usable instance (not started, or a restart failed) */
} core_vm_status_t;

typedef struct {
    uint32_t faults;
    uint32_t restarts;
    uint32_t swaps;        /* cores swapped in (updates and rollbacks) */
    uint32_t export_calls; /* wasm_runtime_call_wasm calls since start */
    int32_t last_id;       /* id of the last led_set(on, id), -1 before the first */
    bool last_led;         /* on of the last led_set(on, id) */
} core_vm_stats_t;

/* Initialises WAMR and registers the natives (the first time only), loads
 * and instantiates cfg->wasm (the embedded core, or one read from a flash
 * slot), checks abi_version() and calls init(0, 0, debounce, keepalive,
 * now). False when the runtime, the module, its ABI version or its exports
 * are unusable (logged); the runtime stays up, so the caller may call it
 * again with other bytes (boot falls back to the embedded core). */
bool core_vm_start(const core_vm_config_t *cfg, uint32_t now_ms);

/* The client id a trial's self-test opens: never a real client's. */
#define CORE_VM_TRIAL_CLIENT 0x7fffffff

/*
 * docs/update.md step 2: loads wasm (copied to RAM that lives as long as
 * the module) beside the running core, instantiates it with its own exec
 * env, checks abi_version(), calls init(last_led, last_id + 1, ...) and
 * runs the self-test: EVENT_CLIENT_OPEN for CORE_VM_TRIAL_CLIENT,
 * EVENT_REFRESH for every client, two polls. Its led_set calls and frames
 * reach no pin and no client: each frame is checked with sse_frame_check
 * against what its own led_set reported. True when it passed: the candidate
 * stays loaded for core_vm_swap. False: it is discarded and why (may be
 * NULL) gets one line ("trapped: ...", "wrote ...", "did not start: ...").
 * The running core is not touched either way.
 */
bool core_vm_trial(const uint8_t *wasm, size_t len, uint32_t now_ms, char *why, size_t why_cap);

/*
 * docs/update.md step 3: the candidate that passed its trial becomes the
 * running core. It is init()ed again with the current state (last_led,
 * last_id + 1); if that fails the old core keeps running and false is
 * returned. Then the old instance and module are discarded (their RAM
 * copy freed), every open client gets EVENT_CLIENT_OPEN (resync) and the
 * core is polled once; *next_ms (may be NULL) gets that poll's result. A
 * fault during the resync is the new core's: it is left for
 * core_vm_needs_restart() like any other.
 */
bool core_vm_swap(uint32_t now_ms, int32_t *next_ms, char *why, size_t why_cap);

/* A rollback: runs wasm (a core that ran before: the embedded one or a
 * good slot) instead of the running core, without a self-test; same as
 * core_vm_trial's load + core_vm_swap. False: the old core still runs. */
bool core_vm_replace(const uint8_t *wasm, size_t len, uint32_t now_ms, int32_t *next_ms, char *why, size_t why_cap);

/* post_event(kind, arg, time_ms); *result gets its return value. */
core_vm_status_t core_vm_post_event(int32_t kind, int32_t arg, uint32_t time_ms, int32_t *result);

/* poll(now_ms); *next_ms (may be NULL) gets its result: the delay after
 * now_ms at which the core wants the next poll, or CORE_POLL_NO_DEADLINE. */
core_vm_status_t core_vm_poll(uint32_t now_ms, int32_t *next_ms);

/* Copies min(body_len, capacity) bytes of body to the core's body buffer
 * (body_ptr()/body_capacity(), read and validated against its memory once
 * per instance) and calls icon_put(body_len). */
core_vm_status_t core_vm_icon_put(const uint8_t *body, size_t body_len, int32_t *code);

/* body_capacity() of the running instance, 0 when down. */
uint32_t core_vm_body_capacity(void);

/* True when a fault was seen and the instance must be replaced. */
bool core_vm_needs_restart(void);

/* Discards the instance, instantiates the running module again, calls
 * init(last_led, last_id + 1, ...) and posts EVENT_CLIENT_OPEN for every
 * open client, then polls once so they get their first frame; *next_ms
 * (may be NULL) gets that poll's result. */
bool core_vm_restart(uint32_t now_ms, int32_t *next_ms);

core_vm_stats_t core_vm_stats(void);

#ifdef __cplusplus
}
#endif
