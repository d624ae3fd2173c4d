/*
 * The signed-core fixtures written by tests/support/core-fixtures.ts
 * (tests/c/run.sh runs it first): manifest.tsv, one .wasm per fixture and
 * the throwaway public key. Test-only.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CORE_FIXTURES_MAX 64
#define CORE_FIXTURE_NAME_MAX 48
#define CORE_FIXTURE_VERDICT_MAX 32

typedef struct {
    char name[CORE_FIXTURE_NAME_MAX];
    char verdict[CORE_FIXTURE_VERDICT_MAX];
    char signature[8];  /* "valid", "invalid" or "-" */
    bool has_version;
    uint32_t version;
    char acceptable[4]; /* "yes", "no" or "-" */
} core_fixture_t;

typedef struct {
    uint32_t running;
    core_fixture_t items[CORE_FIXTURES_MAX];
    size_t count;
    uint8_t pubkey[65];
} core_fixture_set_t;

/* Reads dir/manifest.tsv and dir/pubkey.bin; false (with a message on
 * stderr saying what to run) when they are missing or malformed. */
bool core_fixtures_load(const char *dir, core_fixture_set_t *set);

/* Reads dir/<name>.wasm into a malloc'ed buffer (free it); NULL on error. */
uint8_t *core_fixture_bytes(const char *dir, const char *name, size_t *len);
