/*
 * The JSON of GET /core (and of a successful PUT /core or rollback), as
 * docs/update.md "Protocol" gives it and the simulator writes it
 * (sim/core-update.ts, status()): the same members in the same order, plus
 * "last_rollback" (docs/update.md "Board"). Written into a caller buffer,
 * no allocation.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CORE_SOURCE_EMBEDDED = 0, /* built into the firmware, version 0 */
    CORE_SOURCE_UPLOADED,
} core_source_t;

/* What "state" says about the running core. */
typedef enum {
    CORE_RUN_EMBEDDED = 0,
    CORE_RUN_TRIAL, /* watched (core_watch.h) */
    CORE_RUN_GOOD,  /* confirmed */
} core_run_state_t;

/* One core: the running one or the one a rollback would run. */
typedef struct {
    core_source_t source;
    int slot;          /* 0 = "A", 1 = "B", anything else: null (embedded, or not stored) */
    uint32_t version;  /* 0 for the embedded core */
    uint8_t sha256[32]; /* identity: SHA-256 of the signed bytes (docs/update.md "File format") */
    uint32_t size;     /* bytes of the file */
} core_status_core_t;

typedef struct {
    int abi;
    const char *updates; /* "enabled", or "disabled: <why>" */
    core_status_core_t running;
    core_run_state_t state;
    uint32_t since_ms; /* when it started serving, host clock */
    uint32_t traps;    /* faults since then */
    bool has_previous; /* false: "previous": null (the embedded core runs) */
    core_status_core_t previous;
    uint32_t watch_traps;
    uint32_t watch_window_ms;
    bool has_refusal; /* false: "last_refusal": null */
    int refusal_status;
    const char *refusal_reason;
    uint32_t refusal_at_ms;
    bool has_rollback; /* false: "last_rollback": null */
    const char *rollback_reason;
    uint32_t rollback_at_ms;
} core_status_t;

/* Texts ("updates", the reasons) are cut after this many bytes. */
#define CORE_STATUS_TEXT_MAX 200u
/* Longest answer of any status (every number at its maximum, every text
 * CORE_STATUS_TEXT_MAX quotes long): a buffer this size never cuts
 * (checked in tests/c/test_core_status_json.c). */
#define CORE_STATUS_JSON_MAX 2048u

/* Writes s as one line of JSON into buf (NUL-terminated, cut when cap is
 * too small) and returns the length it needs without the NUL, like
 * snprintf. Strings are escaped; bytes outside printable ASCII in the
 * texts become '?'. */
size_t core_status_json(const core_status_t *s, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
