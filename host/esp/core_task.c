/*
 * The core task: the only task that enters the WAMR instance (docs/abi.md
 * "Threading"). It is a pthread because WAMR's ESP-IDF platform layer calls
 * pthread_self(), which asserts in a task not created by pthread_create.
 */
#include "core_task.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "esp_check.h"
#include "esp_log.h"
#include "esp_pthread.h"
#include "esp_timer.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

#include "core_abi.h"
#include "core_vm.h"
#include "core_wake.h"
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

typedef enum { CMD_EVENT = 1, CMD_ICON_PUT, CMD_SWITCH } cmd_kind_t;

typedef struct {
    uint8_t kind;
    int32_t event;
    int32_t arg;
    uint32_t time_ms;
    uint32_t seq; /* CMD_ICON_PUT: which mailbox content this is */
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

static bool handle(const core_cmd_t *cmd)
{
    if (cmd->kind == CMD_EVENT) {
        return handle_event(cmd);
    }
    if (cmd->kind == CMD_ICON_PUT) {
        return handle_icon_put(cmd);
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
    uint32_t now = core_task_now_ms();
    s_start_ok = core_vm_start(&vm, now);
    int32_t next = CORE_POLL_NO_DEADLINE;
    if (s_start_ok && core_vm_poll(now, &next) == CORE_VM_OK) {
        core_wake_set_deadline(&s_wake, now, next); /* the first keepalive */
    }
    publish_capacity();
    xSemaphoreGive(s_started);

    for (;;) {
        now = core_task_now_ms();
        TickType_t wait = wait_ticks(core_wake_wait_ms(&s_wake, now, s_cfg.switch_edges_pending()));
        bool posted = false;
        core_cmd_t cmd;
        if (xQueueReceive(s_cmds, &cmd, wait) == pdTRUE) {
            posted |= handle(&cmd);
            for (int i = 0; i < CMD_BATCH_MAX && xQueueReceive(s_cmds, &cmd, 0) == pdTRUE; i++) {
                posted |= handle(&cmd);
            }
        }
        if (!s_start_ok) {
            continue; /* no module: commands are drained, PUTs answered "down" */
        }
        now = core_task_now_ms();
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
    ESP_RETURN_ON_FALSE(s_cmds && s_replies && s_put_lock && s_started, ESP_ERR_NO_MEM, TAG, "no memory");

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

size_t core_task_body_capacity(void)
{
    return atomic_load(&s_capacity);
}

bool core_task_ready(void)
{
    return atomic_load(&s_capacity) > 0;
}
