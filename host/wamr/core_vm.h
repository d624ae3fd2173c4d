/*
 * The WAMR embedding of core.wasm: runtime with a static pool, the "host"
 * natives, one module instance with its exec env, typed wrappers for the
 * exports, and fault recovery (docs/abi.md "Faults").
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
    const uint8_t *wasm; /* module bytes (copied to RAM; the source may be flash) */
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
    uint32_t export_calls; /* wasm_runtime_call_wasm calls since start */
    int32_t last_id;       /* id of the last led_set(on, id), -1 before the first */
    bool last_led;         /* on of the last led_set(on, id) */
} core_vm_stats_t;

/* Initialises WAMR, registers the natives, loads and instantiates the
 * module, checks abi_version() and calls init(0, 0, debounce, keepalive,
 * now). False when the runtime, the module, its ABI version or its exports
 * are unusable (logged). */
bool core_vm_start(const core_vm_config_t *cfg, uint32_t now_ms);

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

/* Discards the instance, instantiates the module again, calls
 * init(last_led, last_id + 1, ...) and posts EVENT_CLIENT_OPEN for every
 * open client, then polls once so they get their first frame; *next_ms
 * (may be NULL) gets that poll's result. */
bool core_vm_restart(uint32_t now_ms, int32_t *next_ms);

core_vm_stats_t core_vm_stats(void);

#ifdef __cplusplus
}
#endif
