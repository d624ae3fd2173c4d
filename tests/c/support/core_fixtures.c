#include "core_fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_reader.h"

static bool copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n == 0 || n >= cap) {
        return false;
    }
    memcpy(dst, src, n + 1);
    return true;
}

bool core_fixtures_load(const char *dir, core_fixture_set_t *set)
{
    memset(set, 0, sizeof(*set));
    char path[1024];
    snprintf(path, sizeof(path), "%s/pubkey.bin", dir);
    size_t klen = 0;
    uint8_t *key = wasm_read_file(path, &klen);
    if (key == NULL || klen != sizeof(set->pubkey)) {
        fprintf(stderr, "%s missing or not 65 bytes: run node --import tsx tests/support/core-fixtures.ts %s\n", path, dir);
        free(key);
        return false;
    }
    memcpy(set->pubkey, key, klen);
    free(key);

    snprintf(path, sizeof(path), "%s/manifest.tsv", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s missing: run node --import tsx tests/support/core-fixtures.ts %s\n", path, dir);
        return false;
    }
    char line[512];
    bool ok = true;
    while (ok && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *fields[6] = {0};
        size_t n = 0;
        for (char *tok = strtok(line, "\t"); tok != NULL && n < 6; tok = strtok(NULL, "\t")) {
            fields[n++] = tok;
        }
        if (n == 2 && strcmp(fields[0], "running") == 0) {
            set->running = (uint32_t)strtoul(fields[1], NULL, 10);
            continue;
        }
        if (n != 6 || set->count >= CORE_FIXTURES_MAX) {
            ok = false;
            break;
        }
        core_fixture_t *fx = &set->items[set->count++];
        ok = copy_field(fx->name, sizeof(fx->name), fields[0]) &&
             copy_field(fx->verdict, sizeof(fx->verdict), fields[1]) &&
             copy_field(fx->signature, sizeof(fx->signature), fields[2]) &&
             copy_field(fx->acceptable, sizeof(fx->acceptable), fields[4]);
        fx->has_version = strcmp(fields[3], "-") != 0;
        fx->version = fx->has_version ? (uint32_t)strtoul(fields[3], NULL, 10) : 0;
    }
    fclose(f);
    if (!ok || set->count == 0) {
        fprintf(stderr, "%s is malformed: rebuild it with tests/support/core-fixtures.ts\n", path);
        return false;
    }
    return true;
}

uint8_t *core_fixture_bytes(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s.wasm", dir, name);
    uint8_t *b = wasm_read_file(path, len);
    if (b == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
    }
    return b;
}
