/*
 * The core task: the only task that enters the WAMR instance (docs/abi.md
 * "Threading"). It is a pthread because WAMR's ESP-IDF platform layer calls
 * pthread_self(), which asserts in a task not created by pthread_create.
 */
#include "core_task.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_check.h"
#include "esp_log.h"
#include "esp_pthread.h"
#include "esp_timer.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

#include "core_abi.h"
#include "core_store.h"
#include "core_vm.h"
#include "core_wake.h"
#include "core_watch.h"
#include "sse_io.h"

static const char *TAG = "core_task";

#define CORE_TASK_STACK 8192 /* interpreter + lwIP send/select + logging */
/* What WAMR's native stack check keeps free below the interpreter: its own
 * default off Linux/macOS (WASM_STACK_GUARD_SIZE, core/config.h of 2.4.0). */
#define NATIVE_STACK_GUARD 1024
#define CORE_TASK_PRIO 6     /* above httpd (5): frames leave promptly */
#define CMD_QUEUE_LEN 32
#define CMD_BATCH_MAX 16   /* commands handled between two polls */
#define WASM_STACK_SIZE 4096 /* the core's call depth is a handful of frames */
#define RESTART_CALM_MS 30000 /* a fault this long after a restart starts a new series */

typedef enum { CMD_EVENT = 1, CMD_ICON_PUT, CMD_SWITCH, CMD_UPDATE } cmd_kind_t;

typedef struct {
    uint8_t kind;
    int32_t event;
    int32_t arg;
    uint32_t time_ms;
    uint32_t seq; /* CMD_ICON_PUT, CMD_UPDATE: which mailbox content this is */
} core_cmd_t;

typedef struct {
    uint32_t seq;
    core_task_status_t status;
    int32_t code;
} put_reply_t;

static core_task_config_t s_cfg;
static QueueHandle_t s_cmds;
static QueueHandle_t s_replies;
static SemaphoreHandle_t s_put_lock;
static SemaphoreHandle_t s_started;
static bool s_start_ok;
static atomic_uint s_capacity;
static uint32_t s_consecutive_restarts;
static uint32_t s_last_restart_ms;
static core_wake_t s_wake;
static core_watch_t s_watch;

/* Updates and rollbacks: one at a time (the HTTP server runs one handler at
 * a time). The server task fills it and waits; the core task takes it
 * (TAKEN: the bytes are in use until DONE) or finds it CANCELLED (the
 * server gave up before it was taken: nothing happens). */
typedef enum { UPD_IDLE = 0, UPD_PENDING, UPD_TAKEN, UPD_DONE, UPD_CANCELLED } upd_state_t;
typedef enum { UPD_INSTALL = 0, UPD_ROLLBACK } upd_kind_t;
static SemaphoreHandle_t s_upd_lock;
static SemaphoreHandle_t s_upd_done;
static struct {
    uint32_t seq;
    upd_state_t state;
    upd_kind_t kind;
    const uint8_t *wasm;
    size_t len;
    core_store_image_t img;
    bool to_embedded;
    uint8_t expect[32];
    core_task_status_t result;
    char why[CORE_TASK_WHY_MAX];
} s_upd;

/* PUT /icon body: one slot, because the HTTP server runs one handler at a
 * time. seq tells the core task whether a command still matches it (a
 * handler that timed out may already have put the next body there). */
static struct {
    uint32_t seq;
    size_t len;
    uint8_t body[CORE_TASK_BODY_MAX];
} s_put;

uint32_t core_task_now_ms(void)
{
    return (uint32_t)(esp_timer_get_time() / 1000);
}

static void publish_capacity(void)
{
    uint32_t cap = core_vm_body_capacity();
    atomic_store(&s_capacity, cap > CORE_TASK_BODY_MAX ? CORE_TASK_BODY_MAX : cap);
}

static void vm_led_set(void *ctx, bool on)
{
    (void)ctx;
    s_cfg.led_set(on);
}

static int32_t vm_sse_send(void *ctx, int32_t client, const uint8_t *frame, uint32_t len)
{
    (void)ctx;
    return sse_io_send(client, frame, len);
}

static void vm_sse_broadcast(void *ctx, const uint8_t *frame, uint32_t len)
{
    (void)ctx;
    sse_io_broadcast(frame, len);
}

static size_t vm_open_clients(void *ctx, int32_t *ids, size_t max)
{
    (void)ctx;
    return sse_io_open_ids(ids, max);
}

/* Each handler returns true when it posted something the core must poll for. */
static bool handle_event(const core_cmd_t *cmd)
{
    int32_t r = 0;
    if (core_vm_post_event(cmd->event, cmd->arg, cmd->time_ms, &r) != CORE_VM_OK) {
        return false; /* fault: recovered by the main loop; this event is lost */
    }
    if (r == CORE_POST_QUEUE_FULL) {
        ESP_LOGW(TAG, "core queue full: event %d(%d) dropped", (int)cmd->event, (int)cmd->arg);
    } else if (r == CORE_POST_INVALID) {
        ESP_LOGE(TAG, "core rejected event %d(%d)", (int)cmd->event, (int)cmd->arg);
    }
    return r == CORE_POST_OK;
}

static bool handle_icon_put(const core_cmd_t *cmd)
{
    uint8_t body[CORE_TASK_BODY_MAX];
    size_t len;
    xSemaphoreTake(s_put_lock, portMAX_DELAY);
    if (cmd->seq != s_put.seq) {
        xSemaphoreGive(s_put_lock);
        return false; /* its handler gave up; a newer body is pending */
    }
    len = s_put.len;
    memcpy(body, s_put.body, len);
    xSemaphoreGive(s_put_lock);

    put_reply_t reply = {.seq = cmd->seq, .status = CORE_TASK_DOWN, .code = -1};
    if (core_vm_icon_put(body, len, &reply.code) == CORE_VM_OK) {
        reply.status = CORE_TASK_OK;
    }
    (void)xQueueSend(s_replies, &reply, 0);
    return reply.status == CORE_TASK_OK && reply.code == CORE_PUT_OK;
}

/* The core that runs after a rollback: the previous good one or the
 * embedded one (core_store_fallback decides and marks the slots). False
 * when not even the embedded core starts: the faulting one stays. */
static bool roll_back(core_slot_bad_reason_t reason, bool to_embedded, const char *why)
{
    uint32_t now = core_task_now_ms();
    core_store_image_t from = core_store_running_image();
    core_store_image_t next;
    size_t len = 0;
    uint8_t *module = core_store_fallback(reason, to_embedded, why, now, &next, &len);
    char err[CORE_TASK_WHY_MAX];
    int32_t deadline = CORE_POLL_NO_DEADLINE;
    bool ok = core_vm_replace(module != NULL ? module : s_cfg.wasm, module != NULL ? len : s_cfg.wasm_len, now,
                              &deadline, err, sizeof(err));
    if (!ok && module != NULL) {
        ESP_LOGE(TAG, "the previous core (slot %s) does not start (%s): the embedded core instead",
                 core_slots_choice_name(next.slot), err);
        next = core_store_embedded();
        ok = core_vm_replace(s_cfg.wasm, s_cfg.wasm_len, now, &deadline, err, sizeof(err));
    }
    free(module);
    if (!ok) {
        ESP_LOGE(TAG, "rollback failed, the embedded core does not start either (%s): the old core stays", err);
        return false;
    }
    core_wake_set_deadline(&s_wake, now, deadline);
    core_watch_start(&s_watch, now, false);
    core_store_running(&next, false, now);
    s_consecutive_restarts = 0;
    publish_capacity();
    if (next.source == CORE_SOURCE_EMBEDDED) {
        ESP_LOGW(TAG, "core version %u rolled back (%s): the embedded core runs", (unsigned)from.version, why);
    } else {
        ESP_LOGW(TAG, "core version %u rolled back (%s): version %u from slot %s runs", (unsigned)from.version, why,
                 (unsigned)next.version, core_slots_choice_name(next.slot));
    }
    return true;
}

/* docs/update.md steps 2-3; the caller has polled what was posted. */
static core_task_status_t run_install(const uint8_t *wasm, size_t len, const core_store_image_t *img, char *why)
{
    uint32_t now = core_task_now_ms();
    if (!core_vm_trial(wasm, len, now, why, CORE_TASK_WHY_MAX)) {
        ESP_LOGW(TAG, "core version %u refused: failed its trial: %s", (unsigned)img->version, why);
        return CORE_TASK_REFUSED;
    }
    int32_t deadline = CORE_POLL_NO_DEADLINE;
    if (!core_vm_swap(now, &deadline, why, CORE_TASK_WHY_MAX)) {
        ESP_LOGW(TAG, "core version %u refused at the swap: %s", (unsigned)img->version, why);
        return CORE_TASK_REFUSED;
    }
    core_wake_set_deadline(&s_wake, now, deadline);
    core_watch_start(&s_watch, now, true);
    core_store_running(img, true, now);
    s_consecutive_restarts = 0;
    publish_capacity();
    ESP_LOGI(TAG, "core version %u serves, on trial for %u ms", (unsigned)img->version,
             (unsigned)s_watch.window_ms);
    return CORE_TASK_OK;
}

static core_task_status_t run_rollback(bool to_embedded, const uint8_t expect[32])
{
    core_store_image_t r = core_store_running_image();
    if (memcmp(r.sha256, expect, 32) != 0) {
        return CORE_TASK_CHANGED;
    }
    if (r.source == CORE_SOURCE_EMBEDDED) {
        return CORE_TASK_NOTHING;
    }
    return roll_back(CORE_SLOT_BAD_ROLLBACK, to_embedded, to_embedded ? "asked: to embedded" : "asked: to previous")
               ? CORE_TASK_OK
               : CORE_TASK_DOWN;
}

/* CMD_UPDATE: whatever the mailbox holds, if it is still this command's. */
static void handle_update(const core_cmd_t *cmd, bool *posted)
{
    xSemaphoreTake(s_upd_lock, portMAX_DELAY);
    if (cmd->seq != s_upd.seq || s_upd.state != UPD_PENDING) {
        xSemaphoreGive(s_upd_lock);
        return; /* its handler gave up before it was taken */
    }
    s_upd.state = UPD_TAKEN;
    xSemaphoreGive(s_upd_lock);

    /* Between two polls: what was posted before is handled by the old core. */
    if (*posted && s_start_ok && core_vm_poll(core_task_now_ms(), NULL) == CORE_VM_OK) {
        *posted = false;
    }
    core_task_status_t result;
    char why[CORE_TASK_WHY_MAX] = "";
    if (s_upd.kind == UPD_ROLLBACK) {
        /* Also (above all) when the running core is faulting. */
        result = s_start_ok ? run_rollback(s_upd.to_embedded, s_upd.expect) : CORE_TASK_DOWN;
    } else if (!s_start_ok || core_vm_needs_restart()) {
        result = CORE_TASK_DOWN;
        snprintf(why, sizeof(why), "no core is running to try it beside");
    } else {
        result = run_install(s_upd.wasm, s_upd.len, &s_upd.img, why);
    }

    xSemaphoreTake(s_upd_lock, portMAX_DELAY);
    s_upd.result = result;
    memcpy(s_upd.why, why, sizeof(why));
    s_upd.state = UPD_DONE;
    xSemaphoreGive(s_upd_lock);
    xSemaphoreGive(s_upd_done);
}

static bool handle(const core_cmd_t *cmd, bool *posted)
{
    if (cmd->kind == CMD_EVENT) {
        return handle_event(cmd);
    }
    if (cmd->kind == CMD_ICON_PUT) {
        return handle_icon_put(cmd);
    }
    if (cmd->kind == CMD_UPDATE) {
        handle_update(cmd, posted);
    }
    return false; /* CMD_SWITCH only wakes the loop: edges are taken there */
}

/* Posts the switch edges gathered since the last take, if the take gap
 * allows (a bouncing contact is handled in bursts, core_wake.h). */
static bool take_switch_edges(uint32_t now)
{
    if (!s_cfg.switch_edges_pending() || !core_wake_may_take(&s_wake, now)) {
        return false;
    }
    switch_edge_t edges[SWITCH_EDGES_MAX_TAKE];
    size_t n = s_cfg.take_switch_edges(edges, now);
    core_wake_note_take(&s_wake, now);
    bool posted = false;
    for (size_t i = 0; i < n; i++) {
        const core_cmd_t ev = {.kind = CMD_EVENT, .event = CORE_EVENT_SWITCH, .arg = edges[i].level,
                               .time_ms = edges[i].time_ms};
        posted |= handle_event(&ev);
    }
    return posted;
}

static void recover(void)
{
    uint32_t now = core_task_now_ms();
    /* The watch first: an uploaded core that faults too often is not
     * restarted but rolled back. */
    core_store_fault();
    switch (core_watch_fault(&s_watch, now)) {
    case CORE_WATCH_ROLLBACK: {
        char why[CORE_TASK_WHY_MAX];
        snprintf(why, sizeof(why), "%u faults within %u ms of its start", (unsigned)s_watch.traps,
                 (unsigned)s_watch.window_ms);
        if (roll_back(CORE_SLOT_BAD_TRAPS, false, why)) {
            return;
        }
        break; /* nothing else starts: restart this one as usual */
    }
    case CORE_WATCH_CONFIRM:
        core_store_confirm();
        break;
    case CORE_WATCH_KEEP:
    default:
        break;
    }
    if (now - s_last_restart_ms > RESTART_CALM_MS) {
        s_consecutive_restarts = 0;
    }
    s_consecutive_restarts++;
    atomic_store(&s_capacity, 0u);
    uint32_t delay = core_abi_restart_delay_ms(s_consecutive_restarts);
    if (delay > 0) {
        ESP_LOGW(TAG, "core keeps faulting: waiting %u ms before restart #%u", (unsigned)delay,
                 (unsigned)s_consecutive_restarts);
        vTaskDelay(pdMS_TO_TICKS(delay));
    }
    now = core_task_now_ms();
    int32_t next = CORE_POLL_NO_DEADLINE;
    if (!core_vm_restart(now, &next)) {
        ESP_LOGE(TAG, "core restart failed, will retry");
        next = 0; /* try again on the next turn of the loop */
    }
    core_wake_set_deadline(&s_wake, now, next);
    s_last_restart_ms = core_task_now_ms();
    publish_capacity();
}

/* FreeRTOS ticks to sleep for `ms` without waking before it has passed. */
static TickType_t wait_ticks(uint32_t ms)
{
    if (ms == CORE_WAKE_FOREVER) {
        return portMAX_DELAY;
    }
    /* pdMS_TO_TICKS rounds down and the first tick may come at once. */
    return ms == 0 ? 0 : pdMS_TO_TICKS(ms) + 1;
}

/* Boot: the core the slots choose (its start counted before it runs),
 * else the embedded one; a stored core that does not start is marked bad
 * and the next choice tried. */
static bool boot_core(core_vm_config_t *vm, uint32_t now)
{
    core_store_image_t img;
    size_t len = 0;
    bool on_trial = false;
    uint8_t *module = core_store_boot(&img, &len, &on_trial);
    bool ok = false;
    for (int tries = 0; tries <= CORE_SLOTS_COUNT && module != NULL; tries++) {
        vm->wasm = module;
        vm->wasm_len = len;
        ok = core_vm_start(vm, now);
        free(module);
        module = NULL;
        if (ok) {
            break;
        }
        module = core_store_boot_failed(&img, &len, &on_trial);
    }
    free(module);
    if (!ok) {
        img = core_store_embedded();
        on_trial = false;
        vm->wasm = s_cfg.wasm;
        vm->wasm_len = s_cfg.wasm_len;
        ok = core_vm_start(vm, now);
    }
    vm->wasm = NULL; /* copied by core_vm; a slot's buffer is gone */
    core_store_running(&img, on_trial, now);
    core_watch_start(&s_watch, now, on_trial);
    if (img.source == CORE_SOURCE_EMBEDDED) {
        ESP_LOGI(TAG, "running the embedded core");
    } else {
        ESP_LOGI(TAG, "running core version %u from slot %s (%s)", (unsigned)img.version,
                 core_slots_choice_name(img.slot), on_trial ? "on trial" : "good");
    }
    return ok;
}

/* How long the loop may sleep: the core's deadline, pending edges, the
 * end of the watch window. */
static uint32_t sleep_ms(uint32_t now)
{
    uint32_t a = core_wake_wait_ms(&s_wake, now, s_cfg.switch_edges_pending());
    uint32_t b = core_watch_wait_ms(&s_watch, now);
    return a < b ? a : b;
}

static void *core_main(void *arg)
{
    (void)arg;
    core_vm_config_t vm = {
        .wasm = s_cfg.wasm,
        .wasm_len = s_cfg.wasm_len,
        .pool = s_cfg.pool,
        .pool_size = s_cfg.pool_size,
        .stack_size = WASM_STACK_SIZE,
        /* This task's own stack: WAMR need not look it up on every call. */
        .native_stack_boundary = (uint8_t *)pxTaskGetStackStart(NULL) + NATIVE_STACK_GUARD,
        .debounce_ms = s_cfg.debounce_ms,
        .keepalive_ms = s_cfg.keepalive_ms,
        .host = {vm_led_set, vm_sse_send, vm_sse_broadcast, vm_open_clients, NULL},
    };
    core_wake_init(&s_wake, core_wake_take_gap_ms(s_cfg.debounce_ms));
    core_watch_init(&s_watch, s_cfg.watch_traps, s_cfg.watch_window_ms);
    uint32_t now = core_task_now_ms();
    if (core_store_init(s_cfg.wasm, s_cfg.wasm_len) != ESP_OK) {
        ESP_LOGE(TAG, "no memory for the core store");
    }
    s_start_ok = boot_core(&vm, now);
    int32_t next = CORE_POLL_NO_DEADLINE;
    if (s_start_ok && core_vm_poll(now, &next) == CORE_VM_OK) {
        core_wake_set_deadline(&s_wake, now, next); /* the first keepalive */
    }
    publish_capacity();
    xSemaphoreGive(s_started);

    for (;;) {
        now = core_task_now_ms();
        TickType_t wait = wait_ticks(sleep_ms(now));
        bool posted = false;
        core_cmd_t cmd;
        if (xQueueReceive(s_cmds, &cmd, wait) == pdTRUE) {
            /* handle() may poll what was posted so far (before an update). */
            bool p = handle(&cmd, &posted);
            posted = posted || p;
            for (int i = 0; i < CMD_BATCH_MAX && xQueueReceive(s_cmds, &cmd, 0) == pdTRUE; i++) {
                p = handle(&cmd, &posted);
                posted = posted || p;
            }
        }
        if (!s_start_ok) {
            continue; /* no module: commands are drained, PUTs answered "down" */
        }
        now = core_task_now_ms();
        if (core_watch_tick(&s_watch, now) == CORE_WATCH_CONFIRM) {
            core_store_confirm();
        }
        posted |= take_switch_edges(now);
        if (posted || core_wake_deadline_due(&s_wake, now)) {
            /* One poll for the whole batch; it says when to come back. */
            if (core_vm_poll(now, &next) == CORE_VM_OK) {
                core_wake_set_deadline(&s_wake, now, next);
            }
        }
        if (core_vm_needs_restart()) {
            recover();
        }
    }
    return NULL;
}

esp_err_t core_task_start(const core_task_config_t *cfg)
{
    ESP_RETURN_ON_FALSE(cfg != NULL && cfg->led_set != NULL && cfg->switch_edges_pending != NULL &&
                            cfg->take_switch_edges != NULL,
                        ESP_ERR_INVALID_ARG, TAG, "bad config");
    s_cfg = *cfg;
    s_cmds = xQueueCreate(CMD_QUEUE_LEN, sizeof(core_cmd_t));
    s_replies = xQueueCreate(2, sizeof(put_reply_t));
    s_put_lock = xSemaphoreCreateMutex();
    s_started = xSemaphoreCreateBinary();
    s_upd_lock = xSemaphoreCreateMutex();
    s_upd_done = xSemaphoreCreateBinary();
    ESP_RETURN_ON_FALSE(s_cmds && s_replies && s_put_lock && s_started && s_upd_lock && s_upd_done, ESP_ERR_NO_MEM,
                        TAG, "no memory");

    esp_pthread_cfg_t pcfg = esp_pthread_get_default_config();
    pcfg.stack_size = CORE_TASK_STACK;
    pcfg.prio = CORE_TASK_PRIO;
    pcfg.thread_name = "core";
    pcfg.inherit_cfg = false;
    ESP_RETURN_ON_ERROR(esp_pthread_set_cfg(&pcfg), TAG, "esp_pthread_set_cfg");
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, core_main, NULL);
    /* Later pthreads of this task get the defaults again. */
    esp_pthread_cfg_t defaults = esp_pthread_get_default_config();
    (void)esp_pthread_set_cfg(&defaults);
    ESP_RETURN_ON_FALSE(rc == 0, ESP_FAIL, TAG, "pthread_create: %d", rc);
    pthread_detach(thread);

    xSemaphoreTake(s_started, portMAX_DELAY);
    return s_start_ok ? ESP_OK : ESP_FAIL;
}

void core_task_wake_from_isr(void)
{
    if (s_cmds == NULL) {
        return;
    }
    /* A full queue loses nothing: the edges stay recorded and the task
     * looks for them after every command it handles. */
    const core_cmd_t cmd = {.kind = CMD_SWITCH};
    BaseType_t woken = pdFALSE;
    (void)xQueueSendFromISR(s_cmds, &cmd, &woken);
    if (woken == pdTRUE) {
        portYIELD_FROM_ISR();
    }
}

bool core_task_post_event(int32_t kind, int32_t arg, uint32_t time_ms, TickType_t wait)
{
    core_cmd_t cmd = {.kind = CMD_EVENT, .event = kind, .arg = arg, .time_ms = time_ms};
    return s_cmds != NULL && xQueueSend(s_cmds, &cmd, wait) == pdTRUE;
}

core_task_status_t core_task_icon_put(const uint8_t *body, size_t len, uint32_t timeout_ms, int32_t *code)
{
    if (s_cmds == NULL || len > CORE_TASK_BODY_MAX || (body == NULL && len > 0)) {
        return CORE_TASK_DOWN;
    }
    xSemaphoreTake(s_put_lock, portMAX_DELAY);
    uint32_t seq = ++s_put.seq;
    if (len > 0) {
        memcpy(s_put.body, body, len);
    }
    s_put.len = len;
    xSemaphoreGive(s_put_lock);
    (void)xQueueReset(s_replies); /* answers to handlers that gave up */

    const TickType_t limit = pdMS_TO_TICKS(timeout_ms);
    const TickType_t start = xTaskGetTickCount();
    core_cmd_t cmd = {.kind = CMD_ICON_PUT, .seq = seq};
    if (xQueueSend(s_cmds, &cmd, limit) != pdTRUE) {
        return CORE_TASK_BUSY;
    }
    for (;;) {
        TickType_t spent = xTaskGetTickCount() - start;
        if (spent >= limit) {
            return CORE_TASK_TIMEOUT;
        }
        put_reply_t reply;
        if (xQueueReceive(s_replies, &reply, limit - spent) != pdTRUE) {
            return CORE_TASK_TIMEOUT;
        }
        if (reply.seq == seq) {
            *code = reply.code;
            return reply.status;
        }
    }
}

/* Hands the mailbox to the core task and waits for its answer (see
 * core_task_update for the waiting rule). */
static core_task_status_t run_on_core_task(uint32_t timeout_ms, char *why)
{
    (void)xSemaphoreTake(s_upd_done, 0); /* nothing stale */
    xSemaphoreTake(s_upd_lock, portMAX_DELAY);
    uint32_t seq = ++s_upd.seq;
    s_upd.state = UPD_PENDING;
    xSemaphoreGive(s_upd_lock);

    const TickType_t limit = pdMS_TO_TICKS(timeout_ms);
    core_cmd_t cmd = {.kind = CMD_UPDATE, .seq = seq};
    bool sent = xQueueSend(s_cmds, &cmd, limit) == pdTRUE;
    if (!sent || xSemaphoreTake(s_upd_done, limit) != pdTRUE) {
        xSemaphoreTake(s_upd_lock, portMAX_DELAY);
        bool taken = s_upd.state == UPD_TAKEN;
        if (!taken) {
            s_upd.state = UPD_CANCELLED; /* never taken: nothing happened */
        }
        xSemaphoreGive(s_upd_lock);
        if (!taken) {
            return CORE_TASK_BUSY;
        }
        /* Taken: the core task reads the caller's bytes until it is done,
         * and a trial is bounded by the core's own calls. */
        xSemaphoreTake(s_upd_done, portMAX_DELAY);
    }
    xSemaphoreTake(s_upd_lock, portMAX_DELAY);
    core_task_status_t r = s_upd.result;
    if (why != NULL) {
        memcpy(why, s_upd.why, CORE_TASK_WHY_MAX);
    }
    s_upd.state = UPD_IDLE;
    s_upd.wasm = NULL;
    xSemaphoreGive(s_upd_lock);
    return r;
}

core_task_status_t core_task_update(const uint8_t *wasm, size_t len, const core_store_image_t *img,
                                    uint32_t timeout_ms, char *why)
{
    if (why != NULL) {
        why[0] = '\0';
    }
    if (s_cmds == NULL || wasm == NULL || img == NULL) {
        return CORE_TASK_DOWN;
    }
    xSemaphoreTake(s_upd_lock, portMAX_DELAY);
    s_upd.kind = UPD_INSTALL;
    s_upd.wasm = wasm;
    s_upd.len = len;
    s_upd.img = *img;
    xSemaphoreGive(s_upd_lock);
    return run_on_core_task(timeout_ms, why);
}

core_task_status_t core_task_rollback(bool to_embedded, const uint8_t expect_sha256[32], uint32_t timeout_ms)
{
    if (s_cmds == NULL || expect_sha256 == NULL) {
        return CORE_TASK_DOWN;
    }
    xSemaphoreTake(s_upd_lock, portMAX_DELAY);
    s_upd.kind = UPD_ROLLBACK;
    s_upd.to_embedded = to_embedded;
    memcpy(s_upd.expect, expect_sha256, 32);
    xSemaphoreGive(s_upd_lock);
    return run_on_core_task(timeout_ms, NULL);
}

size_t core_task_body_capacity(void)
{
    return atomic_load(&s_capacity);
}

bool core_task_ready(void)
{
    return atomic_load(&s_capacity) > 0;
}
