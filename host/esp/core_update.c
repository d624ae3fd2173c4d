/*
 * PUT /core, GET /core, POST /core/rollback (core_update.h). What each
 * answer is comes from portable, tested code: core_upload.c (media type,
 * size, time bound, key, status lines), core_image.c (the validator and its
 * verdict -> status table), core_sig.c (ECDSA P-256), core_rollback.c (the
 * rollback body and message), core_status_json.c (the status).
 */
#include "core_update.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#include "core_abi.h"
#include "core_fallback.h"
#include "core_image.h"
#include "core_rollback.h"
#include "core_sig.h"
#include "core_status_json.h"
#include "core_store.h"
#include "core_task.h"
#include "core_upload.h"
#include "http_contract.h"
#include "http_guard.h"
#include "http_reply.h"
#include "http_request.h"

static const char *TAG = "core_update";

/* How long a handler waits for the core task to take an update: it is
 * busy at most with a restart back-off (core_abi_restart_delay_ms). */
#define CORE_TASK_TAKE_MS 3000

static uint8_t s_key[CORE_SIG_PUBKEY_LEN];
static bool s_enabled;
static const char *s_updates = "disabled: no public key";
static size_t s_max_bytes = CORE_IMAGE_DEFAULT_MAX_LEN;
static uint32_t s_watch_traps;
static uint32_t s_watch_window_ms;

/* Server task only: the handlers run one at a time. */
static struct {
    bool set;
    int status;
    char reason[CORE_STATUS_TEXT_MAX];
    uint32_t at_ms;
} s_refusal;
static char s_json[CORE_STATUS_JSON_MAX];

esp_err_t core_update_init(const core_update_config_t *cfg)
{
    if (cfg == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    s_max_bytes = cfg->max_bytes > 0 ? cfg->max_bytes : CORE_IMAGE_DEFAULT_MAX_LEN;
    s_watch_traps = cfg->watch_traps;
    s_watch_window_ms = cfg->watch_window_ms;
    switch (core_upload_parse_pubkey(cfg->pubkey_hex, s_key)) {
    case CORE_UPLOAD_KEY_OK:
        s_enabled = true;
        s_updates = "enabled";
        ESP_LOGI(TAG, "live core updates on: PUT /core takes cores signed with key %02x%02x%02x%02x..., up to %u bytes",
                 s_key[1], s_key[2], s_key[3], s_key[4], (unsigned)s_max_bytes);
        break;
    case CORE_UPLOAD_KEY_INVALID:
        s_updates = "disabled: the public key in menuconfig is not 130 hex digits starting 04";
        ESP_LOGE(TAG, "live core updates off: CONFIG_WASM_LED_CORE_PUBKEY is not 130 hex digits starting 04; "
                      "paste keys/core-signing.pub.hex (npm run keygen) in menuconfig");
        break;
    case CORE_UPLOAD_KEY_EMPTY:
    default:
        ESP_LOGW(TAG, "live core updates off: no public key (npm run keygen, then menuconfig -> ESP32 Wasm LED -> "
                      "Live core updates)");
        break;
    }
    return ESP_OK;
}

/* ---- answers ---- */

/* One line of text/plain: docs/update.md "a 4xx, text/plain: one line". */
static esp_err_t reply_line(httpd_req_t *req, int status, const char *line, bool retry_after)
{
    httpd_resp_set_status(req, core_upload_status_line(status));
    httpd_resp_set_type(req, "text/plain; charset=utf-8");
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    httpd_resp_set_hdr(req, "Connection", "close");
    if (retry_after) {
        httpd_resp_set_hdr(req, "Retry-After", "1");
    }
    char body[CORE_STATUS_TEXT_MAX + 2];
    int n = snprintf(body, sizeof(body), "%s\n", line);
    if (n < 0) {
        return ESP_FAIL;
    }
    size_t m = (size_t)n < sizeof(body) ? (size_t)n : sizeof(body) - 1;
    return httpd_resp_send(req, body, (ssize_t)m);
}

/* A refusal the status remembers (the simulator's refuse()). */
static esp_err_t refuse(httpd_req_t *req, int status, const char *line, size_t unread)
{
    s_refusal.set = true;
    s_refusal.status = status;
    strncpy(s_refusal.reason, line, sizeof(s_refusal.reason) - 1);
    s_refusal.reason[sizeof(s_refusal.reason) - 1] = '\0';
    s_refusal.at_ms = core_task_now_ms();
    ESP_LOGW(TAG, "%s (%d)", line, status);
    return http_reply_finish(req, reply_line(req, status, line, status == 503), unread);
}

static esp_err_t refuse_verdict(httpd_req_t *req, core_image_verdict_t v, size_t unread)
{
    return refuse(req, core_image_verdict_http_status(v), core_image_verdict_text(v), unread);
}

static esp_err_t reply_status(httpd_req_t *req)
{
    core_status_t st = {
        .abi = CORE_ABI_VERSION,
        .updates = s_updates,
        .watch_traps = s_watch_traps,
        .watch_window_ms = s_watch_window_ms,
        .has_refusal = s_refusal.set,
        .refusal_status = s_refusal.status,
        .refusal_reason = s_refusal.reason,
        .refusal_at_ms = s_refusal.at_ms,
    };
    core_store_status(&st);
    size_t n = core_status_json(&st, s_json, sizeof(s_json));
    if (n >= sizeof(s_json)) {
        n = sizeof(s_json) - 1; /* cannot happen: CORE_STATUS_JSON_MAX is the longest */
    }
    httpd_resp_set_type(req, "application/json");
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    httpd_resp_set_hdr(req, "Connection", "close");
    return httpd_resp_send(req, s_json, (ssize_t)n);
}

/* ---- request bodies ---- */

/* ---- GET /core ---- */

esp_err_t core_update_on_get(httpd_req_t *req)
{
    return http_reply_finish(req, reply_status(req), req->content_len);
}

/* ---- PUT /core ---- */

/* After the body is in RAM: validator, signature, version, trial + swap,
 * flash. */
static esp_err_t install(httpd_req_t *req, const uint8_t *file, size_t len)
{
    core_image_limits_t lim = core_image_limits_default();
    lim.max_len = s_max_bytes;
    lim.sha256 = core_sig_sha256;
    core_image_info_t info;
    core_image_verdict_t v = core_image_check(file, len, &lim, &info);
    if (v != CORE_IMAGE_OK) {
        ESP_LOGD(TAG, "refused at byte %u", (unsigned)info.error_offset);
        return refuse_verdict(req, v, 0);
    }
    /* The digest the signature covers is the image's identity. */
    if (!info.has_sha256 || !core_sig_verify_p256(s_key, info.sha256, file + info.sig_offset, info.sig_len)) {
        return refuse_verdict(req, CORE_IMAGE_BAD_SIGNATURE, 0);
    }
    core_store_image_t running = core_store_running_image();
    if (!core_image_version_acceptable(running.version, info.version)) {
        return refuse_verdict(req, CORE_IMAGE_NOT_NEWER, 0);
    }
    core_store_image_t img = {
        .source = CORE_SOURCE_UPLOADED, .slot = CORE_FALLBACK_UNSTORED, .version = info.version, .size = (uint32_t)len};
    memcpy(img.sha256, info.sha256, 32);
    char why[CORE_TASK_WHY_MAX];
    switch (core_task_update(file, len, &img, CORE_TASK_TAKE_MS, why)) {
    case CORE_TASK_OK:
        break;
    case CORE_TASK_REFUSED: {
        char line[CORE_STATUS_TEXT_MAX];
        snprintf(line, sizeof(line), "%s: %s", core_image_verdict_text(CORE_IMAGE_TRIAL_FAILED), why);
        return refuse(req, core_image_verdict_http_status(CORE_IMAGE_TRIAL_FAILED), line, 0);
    }
    default:
        return refuse_verdict(req, CORE_IMAGE_BUSY, 0);
    }
    /* It serves; now it is kept (docs/update.md step 4). The erase and
     * writes happen here, not on the core task. */
    (void)core_store_persist(file, len, &img);
    /* The deepest path of this task (validator, ECDSA, flash): what a
     * board says about HTTPD_STACK_SIZE. */
    ESP_LOGI(TAG, "server task stack: %u bytes never used", (unsigned)uxTaskGetStackHighWaterMark(NULL));
    return http_reply_finish(req, reply_status(req), 0);
}

esp_err_t core_update_on_put(httpd_req_t *req)
{
    size_t len = req->content_len;
    if (core_upload_too_large(len, s_max_bytes)) {
        /* Not read: the connection ends after the answer. */
        return http_reply_finish(req, reply_line(req, 413, core_image_verdict_text(CORE_IMAGE_TOO_LARGE), false), len);
    }
    /* Refusals below leave the body (at most the limit) to the server,
     * which drains it within the request's bound, so that the client
     * reads the answer rather than a reset. */
    esp_err_t sent;
    if (http_request_refused_coding(req, &sent)) {
        return http_reply_finish(req, sent, 0);
    }
    char type[64];
    if (httpd_req_get_hdr_value_str(req, "Content-Type", type, sizeof(type)) != ESP_OK ||
        !core_upload_type_ok(type)) {
        return http_reply_finish(req, reply_line(req, 415, "refused: Content-Type must be " CORE_UPLOAD_MEDIA_TYPE, false), 0);
    }
    if (!s_enabled) {
        return refuse_verdict(req, CORE_IMAGE_UPDATES_DISABLED, 0);
    }
    /* A longer bound than other requests, for a real upload only. */
    http_guard_extend(httpd_req_to_sockfd(req), core_upload_request_ms(len));
    uint8_t *file = malloc(len > 0 ? len : 1);
    if (file == NULL) {
        ESP_LOGE(TAG, "no RAM for a %u byte upload", (unsigned)len);
        return refuse_verdict(req, CORE_IMAGE_BUSY, 0);
    }
    int rr = http_request_read_body(req, file, len);
    esp_err_t r = (rr == 0) ? install(req, file, len) : http_request_body_failed(req, rr);
    free(file);
    return r;
}

/* ---- POST /core/rollback ---- */

#define ROLLBACK_MALFORMED "refused: the body must be {\"to\":\"previous\"|\"embedded\",\"signature\":\"<base64>\"}"
#define ROLLBACK_NOTHING "refused: the embedded core runs already: nothing to roll back to"

esp_err_t core_update_on_rollback(httpd_req_t *req)
{
    size_t len = req->content_len;
    esp_err_t sent;
    if (http_request_refused_coding(req, &sent)) {
        return http_reply_finish(req, sent, len);
    }
    if (len > CORE_ROLLBACK_BODY_MAX) {
        char line[64];
        snprintf(line, sizeof(line), "body over %u bytes", (unsigned)CORE_ROLLBACK_BODY_MAX);
        return http_reply_finish(req, reply_line(req, 413, line, false), len);
    }
    if (!s_enabled) {
        return refuse_verdict(req, CORE_IMAGE_UPDATES_DISABLED, len);
    }
    static uint8_t body[CORE_ROLLBACK_BODY_MAX]; /* server task only; spares its stack */
    int rr = http_request_read_body(req, body, len);
    if (rr != 0) {
        return http_request_body_failed(req, rr);
    }
    core_rollback_req_t rb;
    core_rollback_result_t pr = core_rollback_parse(body, len, &rb);
    if (pr != CORE_ROLLBACK_OK) {
        ESP_LOGD(TAG, "rollback body: %s", core_rollback_result_text(pr));
        return refuse(req, 400, ROLLBACK_MALFORMED, 0);
    }
    /* The signature names the core it rolls back from. */
    core_store_image_t running = core_store_running_image();
    char message[CORE_ROLLBACK_MESSAGE_MAX];
    size_t n = core_rollback_message(rb.to, running.sha256, message, sizeof(message));
    uint8_t digest[32];
    core_sig_sha256((const uint8_t *)message, n, digest);
    if (!rb.sig_ok || !core_sig_verify_p256(s_key, digest, rb.sig, rb.sig_len)) {
        char line[CORE_STATUS_TEXT_MAX];
        snprintf(line, sizeof(line), "refused: the rollback signature does not verify for %s", message);
        return refuse(req, 403, line, 0);
    }
    if (running.source == CORE_SOURCE_EMBEDDED) {
        return refuse(req, 409, ROLLBACK_NOTHING, 0);
    }
    switch (core_task_rollback(rb.to == CORE_ROLLBACK_TO_EMBEDDED, running.sha256, CORE_TASK_TAKE_MS)) {
    case CORE_TASK_OK:
        return http_reply_finish(req, reply_status(req), 0);
    case CORE_TASK_NOTHING:
        return refuse(req, 409, ROLLBACK_NOTHING, 0);
    case CORE_TASK_CHANGED:
        return refuse(req, 409, "refused: another core runs now: read GET /core and sign the rollback again", 0);
    default:
        return refuse_verdict(req, CORE_IMAGE_BUSY, 0);
    }
}
