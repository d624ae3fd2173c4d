/* Tables and helpers of core_abi.h. Kept in sync with docs/abi.md by
 * tests/c/test_natives.c, which also checks them against dist/core.wasm. */
#include "core_abi.h"

#include <string.h>

const core_abi_native_t CORE_ABI_NATIVES[CORE_ABI_NATIVE_COUNT] = {
    [CORE_ABI_NATIVE_LED_SET] = {"led_set", "(ii)"},
    [CORE_ABI_NATIVE_SSE_SEND] = {"sse_send", "(i*~)i"},
    [CORE_ABI_NATIVE_SSE_BROADCAST] = {"sse_broadcast", "(*~)"},
};

const core_abi_export_t CORE_ABI_EXPORTS[CORE_ABI_EXPORT_COUNT] = {
    [CORE_ABI_EXPORT_ABI_VERSION] = {"abi_version", 0, 1},
    [CORE_ABI_EXPORT_INIT] = {"init", 5, 1},
    [CORE_ABI_EXPORT_POST_EVENT] = {"post_event", 3, 1},
    [CORE_ABI_EXPORT_POLL] = {"poll", 1, 1},
    [CORE_ABI_EXPORT_BODY_PTR] = {"body_ptr", 0, 1},
    [CORE_ABI_EXPORT_BODY_CAPACITY] = {"body_capacity", 0, 1},
    [CORE_ABI_EXPORT_ICON_PUT] = {"icon_put", 1, 1},
    [CORE_ABI_EXPORT_LED_STATE] = {"led_state", 0, 1},
    [CORE_ABI_EXPORT_EVENT_ID] = {"event_id", 0, 1},
    [CORE_ABI_EXPORT_DROPPED_EVENTS] = {"dropped_events", 0, 1},
    [CORE_ABI_EXPORT_QUEUE_LENGTH] = {"queue_length", 0, 1},
};

bool core_abi_settings_valid(uint32_t debounce_ms, uint32_t keepalive_ms)
{
    if (debounce_ms < CORE_DEBOUNCE_MIN_MS || debounce_ms > CORE_DEBOUNCE_MAX_MS) {
        return false;
    }
    if (keepalive_ms == 0) {
        return true;
    }
    return keepalive_ms >= CORE_KEEPALIVE_MIN_MS && keepalive_ms <= CORE_KEEPALIVE_MAX_MS;
}

bool core_abi_led_args_valid(int32_t on, int32_t id)
{
    return (on == 0 || on == 1) && id >= 0;
}

int32_t core_abi_next_first_id(int32_t last_id)
{
    if (last_id < 0 || last_id == INT32_MAX) {
        return 0;
    }
    return last_id + 1;
}

#define RESTART_FREE_TRIES 3u
#define RESTART_BASE_DELAY_MS 250u
#define RESTART_MAX_DELAY_MS 8000u

uint32_t core_abi_restart_delay_ms(uint32_t consecutive_restarts)
{
    if (consecutive_restarts <= RESTART_FREE_TRIES) {
        return 0;
    }
    uint32_t delay = RESTART_BASE_DELAY_MS;
    for (uint32_t n = RESTART_FREE_TRIES + 1; n < consecutive_restarts; n++) {
        delay *= 2;
        if (delay >= RESTART_MAX_DELAY_MS) {
            return RESTART_MAX_DELAY_MS;
        }
    }
    return delay;
}

const core_abi_native_t *core_abi_find_native(const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < CORE_ABI_NATIVE_COUNT; i++) {
        if (strcmp(CORE_ABI_NATIVES[i].name, name) == 0) {
            return &CORE_ABI_NATIVES[i];
        }
    }
    return NULL;
}
