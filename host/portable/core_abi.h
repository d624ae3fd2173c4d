/*
 * The core.wasm ABI as seen from C: import/export names, WAMR native
 * signatures, event kinds and icon_put result codes (docs/abi.md).
 * Plain data and pure helpers only, so the unit tests can check the very
 * table the firmware registers with WAMR.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this host implements: abi_version() must return it
 * (docs/abi.md "Versions"). */
#define CORE_ABI_VERSION 2

/* poll() result meaning "no deadline: wait for the next event". */
#define CORE_POLL_NO_DEADLINE (-1)

/* Module name every import of core.wasm lives in. */
#define CORE_ABI_IMPORT_MODULE "host"

/* Index of each native in CORE_ABI_NATIVES (the firmware pairs it with a
 * function pointer of the same index). */
typedef enum {
    CORE_ABI_NATIVE_LED_SET = 0,
    CORE_ABI_NATIVE_SSE_SEND,
    CORE_ABI_NATIVE_SSE_BROADCAST,
    CORE_ABI_NATIVE_COUNT
} core_abi_native_index_t;

typedef struct {
    const char *name;      /* import field name in module "host" */
    const char *signature; /* WAMR NativeSymbol signature */
} core_abi_native_t;

extern const core_abi_native_t CORE_ABI_NATIVES[CORE_ABI_NATIVE_COUNT];

/* The ABI's function exports, with their wasm parameter/result counts (all
 * i32). The host looks every one up, so a core missing one is refused; it
 * calls abi_version, init, post_event, poll, body_ptr, body_capacity and
 * icon_put; the rest are diagnostics. */
typedef enum {
    CORE_ABI_EXPORT_ABI_VERSION = 0,
    CORE_ABI_EXPORT_INIT,
    CORE_ABI_EXPORT_POST_EVENT,
    CORE_ABI_EXPORT_POLL,
    CORE_ABI_EXPORT_BODY_PTR,
    CORE_ABI_EXPORT_BODY_CAPACITY,
    CORE_ABI_EXPORT_ICON_PUT,
    CORE_ABI_EXPORT_LED_STATE,
    CORE_ABI_EXPORT_EVENT_ID,
    CORE_ABI_EXPORT_DROPPED_EVENTS,
    CORE_ABI_EXPORT_QUEUE_LENGTH,
    CORE_ABI_EXPORT_COUNT
} core_abi_export_index_t;

typedef struct {
    const char *name;
    uint8_t params;  /* number of i32 parameters */
    uint8_t results; /* 0 or 1 i32 result */
} core_abi_export_t;

extern const core_abi_export_t CORE_ABI_EXPORTS[CORE_ABI_EXPORT_COUNT];

/* Event kinds of post_event. */
enum {
    CORE_EVENT_SWITCH = 1,
    CORE_EVENT_CLIENT_OPEN = 2,
    CORE_EVENT_CLIENT_CLOSE = 3,
    CORE_EVENT_REFRESH = 4,
};

/* post_event results. */
enum {
    CORE_POST_OK = 0,
    CORE_POST_QUEUE_FULL = -1,
    CORE_POST_INVALID = -2,
};

/* icon_put result codes. */
enum {
    CORE_PUT_OK = 0,
    CORE_PUT_UNKNOWN_ICON = 1,
    CORE_PUT_BAD_BODY = 2,
    CORE_PUT_TOO_LARGE = 3,
    CORE_PUT_QUEUE_FULL = 4,
};

/* init() argument ranges. */
#define CORE_DEBOUNCE_MIN_MS 1u
#define CORE_DEBOUNCE_MAX_MS 1000u
#define CORE_KEEPALIVE_MIN_MS 1000u
#define CORE_KEEPALIVE_MAX_MS 600000u

/* True when init() would accept these settings (debounce 1..1000 ms,
 * keepalive 0 or 1000..600000 ms). */
bool core_abi_settings_valid(uint32_t debounce_ms, uint32_t keepalive_ms);

/* led_set(on, id): on must be 0 or 1 and id >= 0; anything else is a core
 * fault. */
bool core_abi_led_args_valid(int32_t on, int32_t id);

/* first_id for init() after a restart: last_id + 1, kept >= 0 (a negative
 * last_id, i.e. none read yet, restarts at 0; INT32_MAX wraps to 0). */
int32_t core_abi_next_first_id(int32_t last_id);

/* Delay before the n-th consecutive restart (n >= 1) so that a core that
 * faults on every call cannot starve the other tasks: 0 for the first few,
 * then doubling up to a cap. */
uint32_t core_abi_restart_delay_ms(uint32_t consecutive_restarts);

/* Looks a native up by name; NULL when the ABI has no such import. */
const core_abi_native_t *core_abi_find_native(const char *name);

#ifdef __cplusplus
}
#endif
