/*
 * Uploaded cores on flash and the record of the running core (core_store.h).
 * The decisions are portable and tested: core_slots.c (format, power cuts,
 * boot choice), core_fallback.c (what a rollback runs), core_image.c (the
 * identity of a stored core); this file holds the lock and the buffers.
 */
#include "core_store.h"

#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"

#include "core_fallback.h"
#include "core_flash_partition.h"
#include "core_image.h"
#include "core_sig.h"

static const char *TAG = "core_store";

/* Everything below is guarded by s_lock. */
static SemaphoreHandle_t s_lock;
static core_flash_t s_flash;
static core_slots_t s_cs;
static bool s_have_slots;
static uint8_t s_identity[CORE_SLOTS_COUNT][32]; /* of each committed slot, for GET /core "previous" */
static bool s_has_identity[CORE_SLOTS_COUNT];
static core_store_image_t s_embedded;
static core_store_image_t s_running;
static bool s_on_trial;
static uint32_t s_since_ms;
static uint32_t s_traps;
static bool s_has_rollback;
static char s_rollback_why[CORE_STATUS_TEXT_MAX];
static uint32_t s_rollback_at_ms;
static int s_boot_slot = CORE_SLOT_EMBEDDED;

static void lock(void)
{
    xSemaphoreTake(s_lock, portMAX_DELAY);
}

static void unlock(void)
{
    xSemaphoreGive(s_lock);
}

static bool is_slot(int slot)
{
    return slot >= 0 && slot < CORE_SLOTS_COUNT;
}

/* A stored core is checked again as an upload is (structure, ABI of this
 * firmware, layout), which also gives its identity. The signature was
 * checked when it was uploaded; the slot's SHA-256 vouches for the bytes. */
static bool identity_of(const uint8_t *module, size_t len, uint8_t sha[32], uint32_t *version)
{
    core_image_limits_t lim = core_image_limits_default();
    lim.sha256 = core_sig_sha256;
    core_image_info_t info;
    core_image_verdict_t v = core_image_check(module, len, &lim, &info);
    if (v != CORE_IMAGE_OK || !info.has_sha256) {
        ESP_LOGW(TAG, "stored core %s", core_image_verdict_text(v));
        return false;
    }
    memcpy(sha, info.sha256, 32);
    *version = info.version;
    return true;
}

/* The module of `slot` (a malloc'd copy) and its record; NULL and the
 * embedded record for CORE_SLOT_EMBEDDED or when the slot cannot be read. */
static uint8_t *load_choice(int slot, core_store_image_t *img, size_t *len, bool *on_trial)
{
    *img = s_embedded;
    *len = 0;
    *on_trial = false;
    if (!is_slot(slot) || !s_have_slots) {
        return NULL;
    }
    const core_slot_info_t *info = core_slots_info(&s_cs, slot);
    uint8_t *module = malloc(info->length);
    if (module == NULL) {
        ESP_LOGE(TAG, "no RAM for the %u bytes of slot %s: running the embedded core", (unsigned)info->length,
                 core_slots_choice_name(slot));
        return NULL;
    }
    size_t n = 0;
    int err = core_slots_read(&s_cs, slot, module, info->length, &n);
    uint32_t version = 0;
    uint8_t sha[32];
    if (err != CORE_SLOTS_OK || !identity_of(module, n, sha, &version)) {
        ESP_LOGE(TAG, "slot %s: %s", core_slots_choice_name(slot),
                 err != CORE_SLOTS_OK ? core_slots_strerror(err) : "not a core this firmware runs");
        free(module);
        return NULL;
    }
    memcpy(s_identity[slot], sha, 32);
    s_has_identity[slot] = true;
    *img = (core_store_image_t){
        .source = CORE_SOURCE_UPLOADED, .slot = slot, .version = info->version, .size = (uint32_t)n};
    memcpy(img->sha256, sha, 32);
    *len = n;
    *on_trial = info->state == CORE_SLOT_TRIAL;
    return module;
}

/* Loads `slot`; a chosen slot that cannot be read, or is not a core this
 * firmware runs, is marked bad (a failed start) and the next choice is
 * tried, down to the embedded core. */
static uint8_t *load_runnable(int slot, core_store_image_t *img, size_t *len, bool *on_trial)
{
    for (int tries = 0; tries <= CORE_SLOTS_COUNT; tries++) {
        uint8_t *module = load_choice(slot, img, len, on_trial);
        if (module != NULL || !is_slot(slot)) {
            s_boot_slot = module != NULL ? slot : CORE_SLOT_EMBEDDED;
            return module;
        }
        slot = core_fallback_mark(&s_cs, slot, CORE_SLOT_BAD_BOOT_ATTEMPTS, false);
    }
    s_boot_slot = CORE_SLOT_EMBEDDED;
    return load_choice(CORE_SLOT_EMBEDDED, img, len, on_trial);
}

esp_err_t core_store_init(const uint8_t *embedded, size_t embedded_len)
{
    s_lock = xSemaphoreCreateMutex();
    if (s_lock == NULL) {
        return ESP_ERR_NO_MEM;
    }
    s_embedded = (core_store_image_t){
        .source = CORE_SOURCE_EMBEDDED, .slot = CORE_SLOT_EMBEDDED, .version = 0, .size = (uint32_t)embedded_len};
    core_sig_sha256(embedded, embedded_len, s_embedded.sha256);
    s_running = s_embedded;
    if (core_flash_partition_open(&s_flash) != ESP_OK) {
        return ESP_OK; /* logged there; updates run from RAM */
    }
    const core_slots_config_t cfg = {.flash = &s_flash, .sha256 = core_sig_sha256, .max_attempts = 0};
    int err = core_slots_init(&s_cs, &cfg);
    if (err != CORE_SLOTS_OK) {
        ESP_LOGE(TAG, "partition unusable for core slots: %s", core_slots_strerror(err));
        return ESP_OK;
    }
    s_have_slots = true;
    return ESP_OK;
}

core_store_image_t core_store_embedded(void)
{
    return s_embedded;
}

uint8_t *core_store_boot(core_store_image_t *img, size_t *len, bool *on_trial)
{
    lock();
    uint8_t *module = NULL;
    *img = s_embedded;
    *len = 0;
    *on_trial = false;
    s_boot_slot = CORE_SLOT_EMBEDDED;
    uint8_t *buf = s_have_slots ? malloc(s_cs.capacity) : NULL;
    if (buf != NULL) {
        int slot = CORE_SLOT_EMBEDDED;
        int err = core_slots_boot(&s_cs, buf, s_cs.capacity, &slot);
        if (err != CORE_SLOTS_OK) {
            ESP_LOGE(TAG, "reading the core slots: %s; running the embedded core", core_slots_strerror(err));
        }
        /* Identities of the other stored cores, for "previous". */
        for (int i = 0; i < CORE_SLOTS_COUNT; i++) {
            const core_slot_info_t *s = core_slots_info(&s_cs, i);
            size_t n = 0;
            uint32_t version;
            if (i != slot && err == CORE_SLOTS_OK &&
                (s->state == CORE_SLOT_GOOD || s->state == CORE_SLOT_TRIAL) &&
                core_slots_read(&s_cs, i, buf, s_cs.capacity, &n) == CORE_SLOTS_OK &&
                identity_of(buf, n, s_identity[i], &version)) {
                s_has_identity[i] = true;
            }
        }
        free(buf);
        module = load_runnable(slot, img, len, on_trial);
    } else if (s_have_slots) {
        ESP_LOGE(TAG, "no RAM (%u bytes) to read the core slots: running the embedded core",
                 (unsigned)s_cs.capacity);
    }
    unlock();
    return module;
}

uint8_t *core_store_boot_failed(core_store_image_t *img, size_t *len, bool *on_trial)
{
    lock();
    uint8_t *module = NULL;
    *img = s_embedded;
    *len = 0;
    *on_trial = false;
    if (s_have_slots && is_slot(s_boot_slot)) {
        ESP_LOGE(TAG, "the core in slot %s does not start: marked bad", core_slots_choice_name(s_boot_slot));
        int next = core_fallback_mark(&s_cs, s_boot_slot, CORE_SLOT_BAD_BOOT_ATTEMPTS, false);
        module = load_runnable(next, img, len, on_trial);
    }
    unlock();
    return module;
}

void core_store_running(const core_store_image_t *img, bool on_trial, uint32_t now_ms)
{
    lock();
    s_running = *img;
    s_on_trial = on_trial && img->source == CORE_SOURCE_UPLOADED;
    s_since_ms = now_ms;
    s_traps = 0;
    unlock();
}

void core_store_fault(void)
{
    lock();
    if (s_traps < UINT32_MAX) {
        s_traps++;
    }
    unlock();
}

void core_store_confirm(void)
{
    lock();
    if (s_on_trial) {
        s_on_trial = false;
        int err = CORE_SLOTS_OK;
        if (s_have_slots && is_slot(s_running.slot)) {
            err = core_slots_confirm(&s_cs, s_running.slot);
        }
        if (err == CORE_SLOTS_OK) {
            ESP_LOGI(TAG, "core version %u (slot %s) confirmed good", (unsigned)s_running.version,
                     is_slot(s_running.slot) ? core_slots_choice_name(s_running.slot) : "none: not stored");
        } else {
            ESP_LOGE(TAG, "confirming slot %s: %s (it stays on trial on flash)",
                     core_slots_choice_name(s_running.slot), core_slots_strerror(err));
        }
    }
    unlock();
}

uint8_t *core_store_fallback(core_slot_bad_reason_t reason, bool to_embedded, const char *why, uint32_t now_ms,
                             core_store_image_t *img, size_t *len)
{
    lock();
    int running = s_running.source == CORE_SOURCE_EMBEDDED ? CORE_SLOT_EMBEDDED : s_running.slot;
    int next = CORE_SLOT_EMBEDDED;
    if (s_have_slots) {
        next = core_fallback_mark(&s_cs, running, reason, to_embedded);
        if (next < 0) {
            ESP_LOGE(TAG, "rollback: %s; running the embedded core", core_slots_strerror(next));
            next = CORE_SLOT_EMBEDDED;
        }
    }
    bool on_trial;
    uint8_t *module = load_choice(next, img, len, &on_trial);
    s_has_rollback = true;
    strncpy(s_rollback_why, why != NULL ? why : "", sizeof(s_rollback_why) - 1);
    s_rollback_why[sizeof(s_rollback_why) - 1] = '\0';
    s_rollback_at_ms = now_ms;
    unlock();
    return module;
}

int core_store_persist(const uint8_t *wasm, size_t len, const core_store_image_t *img)
{
    if (s_lock == NULL) {
        return CORE_SLOTS_ERR_STATE; /* the core task never started */
    }
    lock();
    int slot = CORE_SLOTS_ERR_LAYOUT;
    if (s_have_slots) {
        slot = core_slots_store(&s_cs, wasm, len, img->version);
        if (slot == CORE_SLOTS_ERR_RESCAN) {
            /* An earlier flash error: look again, then try once more. */
            uint8_t *buf = malloc(s_cs.capacity);
            if (buf != NULL && core_slots_scan(&s_cs, buf, s_cs.capacity) == CORE_SLOTS_OK) {
                slot = core_slots_store(&s_cs, wasm, len, img->version);
            }
            free(buf);
        }
    }
    if (slot >= 0) {
        memcpy(s_identity[slot], img->sha256, 32);
        s_has_identity[slot] = true;
        int err = core_slots_note_start(&s_cs, slot);
        if (err != CORE_SLOTS_OK) {
            ESP_LOGW(TAG, "slot %s: start not counted: %s", core_slots_choice_name(slot), core_slots_strerror(err));
        }
        if (s_running.source == CORE_SOURCE_UPLOADED && s_running.slot == CORE_FALLBACK_UNSTORED &&
            memcmp(s_running.sha256, img->sha256, 32) == 0) {
            s_running.slot = slot;
        }
        ESP_LOGI(TAG, "core version %u stored in slot %s (on trial)", (unsigned)img->version,
                 core_slots_choice_name(slot));
    } else {
        ESP_LOGW(TAG, "core version %u not stored (%s): it runs until the next reboot", (unsigned)img->version,
                 s_have_slots ? core_slots_strerror(slot) : "no corewasm partition");
    }
    unlock();
    return slot;
}

void core_store_status(core_status_t *out)
{
    static char why[CORE_STATUS_TEXT_MAX]; /* server task only */
    if (s_lock == NULL) {
        return; /* the core task never started: *out as the caller filled it */
    }
    lock();
    const core_store_image_t *r = &s_running;
    out->running = (core_status_core_t){.source = r->source, .slot = r->slot, .version = r->version, .size = r->size};
    memcpy(out->running.sha256, r->sha256, 32);
    out->state = r->source == CORE_SOURCE_EMBEDDED ? CORE_RUN_EMBEDDED : s_on_trial ? CORE_RUN_TRIAL : CORE_RUN_GOOD;
    out->since_ms = s_since_ms;
    out->traps = s_traps;
    out->has_previous = r->source == CORE_SOURCE_UPLOADED;
    if (out->has_previous) {
        int p = s_have_slots ? core_fallback_previous(&s_cs, r->slot) : CORE_SLOT_EMBEDDED;
        if (is_slot(p) && s_has_identity[p]) {
            const core_slot_info_t *info = core_slots_info(&s_cs, p);
            out->previous = (core_status_core_t){
                .source = CORE_SOURCE_UPLOADED, .slot = p, .version = info->version, .size = info->length};
            memcpy(out->previous.sha256, s_identity[p], 32);
        } else {
            out->previous = (core_status_core_t){
                .source = CORE_SOURCE_EMBEDDED, .slot = -1, .version = 0, .size = s_embedded.size};
            memcpy(out->previous.sha256, s_embedded.sha256, 32);
        }
    }
    out->has_rollback = s_has_rollback;
    if (s_has_rollback) {
        memcpy(why, s_rollback_why, sizeof(why));
        out->rollback_reason = why;
        out->rollback_at_ms = s_rollback_at_ms;
    }
    unlock();
}

core_store_image_t core_store_running_image(void)
{
    if (s_lock == NULL) {
        return s_running;
    }
    lock();
    core_store_image_t r = s_running;
    unlock();
    return r;
}
