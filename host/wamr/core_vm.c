/*
 * WAMR embedding of core.wasm (see core_vm.h). Written against
 * wasm_export.h of WAMR 2.4.x (ESP Component Registry package
 * espressif/wasm-micro-runtime 2.4.0~1).
 *
 * Two instances may exist at once: the running core and, during an update,
 * a candidate on trial (docs/update.md). The natives are registered once
 * for both; each instance carries a pointer to its own vm_inst_t as WAMR
 * "custom data" (wasm_runtime_set_custom_data, wasm_export.h of 2.4.0), so
 * a native knows whether its frame goes to the clients or to the trial's
 * frame checker.
 */
#include "core_vm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_registry.h"
#include "core_abi.h"
#include "host_log.h"
#include "sse_frame.h"
#include "wasm_bounds.h"
#include "wasm_export.h"

static const char *TAG = "core_vm";

/* One module and its instance. */
typedef struct {
    uint8_t *wasm_copy; /* wasm_runtime_load keeps pointers into it: freed after unload */
    wasm_module_t module;
    wasm_module_inst_t inst;
    wasm_exec_env_t env;
    wasm_function_inst_t fns[CORE_ABI_EXPORT_COUNT];
    uint32_t body_ptr; /* validated once per instance */
    uint32_t body_cap;
    bool faulted;
    /* Not (yet) the running core: its faults are its trial's verdict, not
     * counted or logged as the running core's. */
    bool candidate;
    /* On trial: its led_set and frames stay here, checked, sent nowhere. */
    bool trial;
    int32_t t_led; /* what its led_set reported, -1 before the first */
    int32_t t_id;
    uint32_t t_frames;
    sse_frame_verdict_t t_bad; /* first refused frame */
    char t_fault[96];          /* an ABI violation found in a native */
} vm_inst_t;

typedef struct {
    core_vm_config_t cfg;
    vm_inst_t run;
    vm_inst_t cand;
    core_vm_stats_t stats;
} core_vm_t;

static core_vm_t s_vm;
static bool s_runtime_up;

/* WAMR sorts this array in place and keeps using it: static and writable. */
static NativeSymbol s_natives[CORE_ABI_NATIVE_COUNT];

static void say(char *why, size_t cap, const char *fmt, ...)
{
    if (why == NULL || cap == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

static vm_inst_t *inst_of(wasm_exec_env_t env)
{
    return wasm_runtime_get_custom_data(wasm_runtime_get_module_inst(env));
}

/* The core broke the ABI inside an import: make the running call trap so
 * the caller treats it like any other fault. */
static void native_fault(wasm_exec_env_t env, const char *why)
{
    vm_inst_t *vi = inst_of(env);
    if (vi != NULL && vi->candidate && vi->t_fault[0] == '\0') {
        say(vi->t_fault, sizeof(vi->t_fault), "%s", why);
    }
    wasm_runtime_set_exception(wasm_runtime_get_module_inst(env), why);
}

/* "(ii)": led_set(on, id). The (on, id) pair is what a restarted core is
 * given, so the host never has to ask for the id. A candidate's goes no
 * further than its frame checker. */
static void native_led_set(wasm_exec_env_t env, int32_t on, int32_t id)
{
    vm_inst_t *vi = inst_of(env);
    if (!core_abi_led_args_valid(on, id)) {
        native_fault(env, "led_set: on is not 0/1 or id is negative");
        return;
    }
    if (vi == NULL || vi->trial) {
        if (vi != NULL) {
            vi->t_led = on;
            vi->t_id = id;
        }
        return;
    }
    s_vm.stats.last_led = (on == 1);
    s_vm.stats.last_id = id;
    s_vm.cfg.host.led_set(s_vm.cfg.host.ctx, on == 1);
}

/* A candidate's frame: checked, counted, sent nowhere. */
static void trial_frame(vm_inst_t *vi, const uint8_t *frame, uint32_t len)
{
    sse_frame_verdict_t v = sse_frame_check(frame, len, vi->t_led, vi->t_id);
    vi->t_frames++;
    if (v != SSE_FRAME_OK && v != SSE_FRAME_COMMENT && vi->t_bad == SSE_FRAME_OK) {
        vi->t_bad = v;
    }
}

/* "(i*~)i": WAMR has already checked that [frame, frame + len) lies inside
 * linear memory and passes it as a native pointer. */
static int32_t native_sse_send(wasm_exec_env_t env, int32_t client, const uint8_t *frame, uint32_t len)
{
    vm_inst_t *vi = inst_of(env);
    if (vi == NULL || vi->trial) {
        if (vi != NULL) {
            trial_frame(vi, frame, len);
        }
        return 0;
    }
    return s_vm.cfg.host.sse_send(s_vm.cfg.host.ctx, client, frame, len);
}

/* "(*~)": same bounds check as above. */
static void native_sse_broadcast(wasm_exec_env_t env, const uint8_t *frame, uint32_t len)
{
    vm_inst_t *vi = inst_of(env);
    if (vi == NULL || vi->trial) {
        if (vi != NULL) {
            trial_frame(vi, frame, len);
        }
        return;
    }
    s_vm.cfg.host.sse_broadcast(s_vm.cfg.host.ctx, frame, len);
}

/* Names and signatures come from the table the unit tests check against
 * docs/abi.md and core.wasm; only the function pointers are added here. */
static void set_native(core_abi_native_index_t i, void *func)
{
    s_natives[i].symbol = CORE_ABI_NATIVES[i].name;
    s_natives[i].func_ptr = func;
    s_natives[i].signature = CORE_ABI_NATIVES[i].signature;
    s_natives[i].attachment = NULL;
}

static bool register_natives(void)
{
    set_native(CORE_ABI_NATIVE_LED_SET, (void *)native_led_set);
    set_native(CORE_ABI_NATIVE_SSE_SEND, (void *)native_sse_send);
    set_native(CORE_ABI_NATIVE_SSE_BROADCAST, (void *)native_sse_broadcast);
    return wasm_runtime_register_natives(CORE_ABI_IMPORT_MODULE, s_natives, CORE_ABI_NATIVE_COUNT);
}

/* Faults of the running core are counted and logged here; a candidate's
 * are its trial's verdict. */
static core_vm_status_t call(vm_inst_t *vi, core_abi_export_index_t fn, uint32_t argv[], int32_t *result)
{
    if (vi->inst == NULL) {
        return CORE_VM_DOWN;
    }
    if (vi->faulted) {
        return CORE_VM_FAULT;
    }
    const core_abi_export_t *e = &CORE_ABI_EXPORTS[fn];
    s_vm.stats.export_calls++;
    if (!wasm_runtime_call_wasm(vi->env, vi->fns[fn], e->params, argv)) {
        vi->faulted = true;
        if (!vi->candidate) {
            const char *exc = wasm_runtime_get_exception(vi->inst);
            ESP_LOGE(TAG, "core fault in %s(): %s", e->name, exc != NULL ? exc : "unknown");
            s_vm.stats.faults++;
        }
        return CORE_VM_FAULT;
    }
    if (result != NULL && e->results == 1) {
        *result = (int32_t)argv[0];
    }
    return CORE_VM_OK;
}

static core_vm_status_t call0(vm_inst_t *vi, core_abi_export_index_t fn, int32_t *result)
{
    uint32_t argv[1] = {0};
    return call(vi, fn, argv, result);
}

/* Marks the instance faulted for an ABI violation found by the host. */
static core_vm_status_t host_fault(vm_inst_t *vi, const char *why)
{
    vi->faulted = true;
    if (vi->candidate) {
        say(vi->t_fault, sizeof(vi->t_fault), "%s", why);
    } else {
        ESP_LOGE(TAG, "core fault: %s", why);
        s_vm.stats.faults++;
    }
    return CORE_VM_FAULT;
}

/* [ptr, ptr + len) inside the instance's linear memory: checked with our own
 * overflow-safe arithmetic and with WAMR's own validator. */
static bool app_range_ok(const vm_inst_t *vi, int32_t ptr, int32_t len)
{
    wasm_memory_inst_t mem = wasm_runtime_get_default_memory(vi->inst);
    if (mem == NULL || len < 0) {
        return false;
    }
    uint64_t size = wasm_bounds_memory_size(wasm_memory_get_cur_page_count(mem),
                                            wasm_memory_get_bytes_per_page(mem));
    return wasm_bounds_ok_i32(size, ptr, len) &&
           wasm_runtime_validate_app_addr(vi->inst, (uint64_t)(uint32_t)ptr, (uint64_t)(uint32_t)len);
}

/* Reads body_ptr()/body_capacity() once per instance and validates them
 * before any write; icon_put uses the values checked here. */
static core_vm_status_t read_body_buffer(vm_inst_t *vi)
{
    int32_t ptr, cap;
    core_vm_status_t st = call0(vi, CORE_ABI_EXPORT_BODY_PTR, &ptr);
    if (st == CORE_VM_OK) {
        st = call0(vi, CORE_ABI_EXPORT_BODY_CAPACITY, &cap);
    }
    if (st != CORE_VM_OK) {
        return st;
    }
    if (!app_range_ok(vi, ptr, cap)) {
        return host_fault(vi, "body_ptr/body_capacity outside linear memory");
    }
    vi->body_ptr = (uint32_t)ptr;
    vi->body_cap = (uint32_t)cap;
    return CORE_VM_OK;
}

/* A core built for another ABI is refused before any other export runs. */
static bool abi_version_ok(vm_inst_t *vi, char *why, size_t why_cap)
{
    int32_t version = -1;
    if (call0(vi, CORE_ABI_EXPORT_ABI_VERSION, &version) != CORE_VM_OK) {
        say(why, why_cap, "trapped in abi_version()");
        return false;
    }
    if (version != CORE_ABI_VERSION) {
        say(why, why_cap, "implements ABI %d, this firmware ABI %d: rebuild it with `npm run asbuild`",
            (int)version, CORE_ABI_VERSION);
        return false;
    }
    return true;
}

static void discard_instance(vm_inst_t *vi)
{
    if (vi->env != NULL) {
        wasm_runtime_destroy_exec_env(vi->env);
        vi->env = NULL;
    }
    if (vi->inst != NULL) {
        wasm_runtime_deinstantiate(vi->inst);
        vi->inst = NULL;
    }
    memset(vi->fns, 0, sizeof(vi->fns));
    vi->body_ptr = 0;
    vi->body_cap = 0;
    vi->faulted = false;
}

/* Instance, module and the module's bytes: everything of one core. */
static void discard_module(vm_inst_t *vi)
{
    discard_instance(vi);
    if (vi->module != NULL) {
        wasm_runtime_unload(vi->module);
        vi->module = NULL;
    }
    free(vi->wasm_copy);
    memset(vi, 0, sizeof(*vi));
}

/* WAMR says "allocate memory failed" when its pool is full: two cores at
 * once need about twice what one does (docs/update.md "Board"). */
static const char *pool_hint(const char *err)
{
    return strstr(err, "allocate") != NULL ? " (WAMR pool full: raise WASM_LED_WAMR_POOL_KB in menuconfig)" : "";
}

/* wasm_runtime_load needs a writable buffer that outlives the module; the
 * source may be flash (the embedded core) or a buffer its owner frees. */
static bool load(vm_inst_t *vi, const uint8_t *wasm, size_t len, char *why, size_t why_cap)
{
    if (wasm == NULL || len == 0 || len > UINT32_MAX) {
        say(why, why_cap, "no module bytes");
        return false;
    }
    vi->wasm_copy = malloc(len);
    if (vi->wasm_copy == NULL) {
        say(why, why_cap, "no RAM for a %u byte copy of the module", (unsigned)len);
        return false;
    }
    memcpy(vi->wasm_copy, wasm, len);
    char err[128];
    vi->module = wasm_runtime_load(vi->wasm_copy, (uint32_t)len, err, sizeof(err));
    if (vi->module == NULL) {
        say(why, why_cap, "does not load: %s%s", err, pool_hint(err));
        free(vi->wasm_copy);
        vi->wasm_copy = NULL;
        return false;
    }
    return true;
}

static bool instantiate(vm_inst_t *vi, char *why, size_t why_cap)
{
    char err[128];
    /* heap_size 0: the core has no wasm heap; a host-managed one would cost
     * an extra 64 KiB page of linear memory. */
    vi->inst = wasm_runtime_instantiate(vi->module, s_vm.cfg.stack_size, 0, err, sizeof(err));
    if (vi->inst == NULL) {
        say(why, why_cap, "instantiate failed: %s%s", err, pool_hint(err));
        return false;
    }
    wasm_runtime_set_custom_data(vi->inst, vi);
    vi->env = wasm_runtime_create_exec_env(vi->inst, s_vm.cfg.stack_size);
    if (vi->env == NULL) {
        say(why, why_cap, "exec env of %u bytes failed%s", (unsigned)s_vm.cfg.stack_size, pool_hint("allocate"));
        discard_instance(vi);
        return false;
    }
    if (s_vm.cfg.native_stack_boundary != NULL) {
        wasm_runtime_set_native_stack_boundary(vi->env, s_vm.cfg.native_stack_boundary);
    }
    for (size_t i = 0; i < CORE_ABI_EXPORT_COUNT; i++) {
        vi->fns[i] = wasm_runtime_lookup_function(vi->inst, CORE_ABI_EXPORTS[i].name);
        if (vi->fns[i] == NULL) {
            say(why, why_cap, "does not export %s(): not the core of docs/abi.md", CORE_ABI_EXPORTS[i].name);
            discard_instance(vi);
            return false;
        }
    }
    if (!abi_version_ok(vi, why, why_cap)) {
        discard_instance(vi);
        return false;
    }
    if (read_body_buffer(vi) != CORE_VM_OK) {
        say(why, why_cap, "body_ptr/body_capacity unusable");
        discard_instance(vi);
        return false;
    }
    return true;
}

/* Logs instantiate()'s reason for the running core. */
static bool instantiate_running(void)
{
    char why[160];
    if (!instantiate(&s_vm.run, why, sizeof(why))) {
        ESP_LOGE(TAG, "core.wasm: %s", why);
        return false;
    }
    return true;
}

static core_vm_status_t call_init(vm_inst_t *vi, bool led_on, int32_t first_id, uint32_t now_ms)
{
    uint32_t argv[5] = {led_on ? 1u : 0u, (uint32_t)first_id, s_vm.cfg.debounce_ms, s_vm.cfg.keepalive_ms,
                        now_ms};
    int32_t r = -1;
    core_vm_status_t st = call(vi, CORE_ABI_EXPORT_INIT, argv, &r);
    if (st != CORE_VM_OK) {
        return st;
    }
    if (r != 0) {
        return host_fault(vi, "init() rejected its arguments");
    }
    return CORE_VM_OK;
}

static void log_pool(const char *what)
{
    mem_alloc_info_t info;
    if (wasm_runtime_get_mem_alloc_info(&info)) {
        ESP_LOGI(TAG, "%s: WAMR pool %u/%u bytes used (peak %u)", what,
                 (unsigned)(info.total_size - info.total_free_size), (unsigned)info.total_size,
                 (unsigned)info.highmark_size);
    }
}

bool core_vm_start(const core_vm_config_t *cfg, uint32_t now_ms)
{
    if (s_runtime_up) {
        /* A second start (boot falling back to the embedded core): the
         * runtime and the natives stay, the failed core goes. */
        discard_module(&s_vm.cand);
        discard_module(&s_vm.run);
    }
    memset(&s_vm, 0, sizeof(s_vm));
    s_vm.stats.last_id = -1;
    if (cfg == NULL || cfg->wasm == NULL || cfg->wasm_len == 0 || cfg->wasm_len > UINT32_MAX ||
        cfg->pool == NULL || cfg->host.led_set == NULL || cfg->host.sse_send == NULL ||
        cfg->host.sse_broadcast == NULL || cfg->host.open_clients == NULL) {
        ESP_LOGE(TAG, "incomplete configuration");
        return false;
    }
    if (!core_abi_settings_valid(cfg->debounce_ms, cfg->keepalive_ms)) {
        ESP_LOGE(TAG, "debounce %u ms / keepalive %u ms outside what init() accepts",
                 (unsigned)cfg->debounce_ms, (unsigned)cfg->keepalive_ms);
        return false;
    }
    s_vm.cfg = *cfg;

    if (!s_runtime_up) {
        RuntimeInitArgs args;
        memset(&args, 0, sizeof(args));
        args.mem_alloc_type = Alloc_With_Pool;
        args.mem_alloc_option.pool.heap_buf = cfg->pool;
        args.mem_alloc_option.pool.heap_size = cfg->pool_size;
        if (!wasm_runtime_full_init(&args)) {
            ESP_LOGE(TAG, "wasm_runtime_full_init failed (pool of %u bytes)", (unsigned)cfg->pool_size);
            return false;
        }
        /* Natives must be known before load: imports are resolved while loading. */
        if (!register_natives()) {
            ESP_LOGE(TAG, "registering the host natives failed");
            wasm_runtime_destroy();
            return false;
        }
        s_runtime_up = true;
    }
    char why[160];
    if (!load(&s_vm.run, cfg->wasm, cfg->wasm_len, why, sizeof(why))) {
        ESP_LOGE(TAG, "core.wasm %s", why);
        return false;
    }
    if (!instantiate_running() || call_init(&s_vm.run, false, 0, now_ms) != CORE_VM_OK) {
        discard_module(&s_vm.run);
        return false;
    }
    ESP_LOGI(TAG, "core running: body buffer %u bytes", (unsigned)s_vm.run.body_cap);
    log_pool("core running");
    return true;
}

core_vm_status_t core_vm_post_event(int32_t kind, int32_t arg, uint32_t time_ms, int32_t *result)
{
    uint32_t argv[3] = {(uint32_t)kind, (uint32_t)arg, time_ms};
    return call(&s_vm.run, CORE_ABI_EXPORT_POST_EVENT, argv, result);
}

static core_vm_status_t poll_inst(vm_inst_t *vi, uint32_t now_ms, int32_t *next_ms)
{
    uint32_t argv[1] = {now_ms};
    int32_t next = CORE_POLL_NO_DEADLINE;
    core_vm_status_t st = call(vi, CORE_ABI_EXPORT_POLL, argv, &next);
    if (st != CORE_VM_OK) {
        return st;
    }
    if (next < CORE_POLL_NO_DEADLINE) {
        return host_fault(vi, "poll() returned a negative delay other than -1");
    }
    if (next_ms != NULL) {
        *next_ms = next;
    }
    return CORE_VM_OK;
}

core_vm_status_t core_vm_poll(uint32_t now_ms, int32_t *next_ms)
{
    return poll_inst(&s_vm.run, now_ms, next_ms);
}

core_vm_status_t core_vm_icon_put(const uint8_t *body, size_t body_len, int32_t *code)
{
    vm_inst_t *vi = &s_vm.run;
    if (vi->inst == NULL) {
        return CORE_VM_DOWN;
    }
    if (vi->faulted) {
        return CORE_VM_FAULT;
    }
    size_t n = wasm_bounds_copy_len(body_len, (size_t)vi->body_cap);
    if (n > 0) {
        uint8_t *dst = wasm_runtime_addr_app_to_native(vi->inst, (uint64_t)vi->body_ptr);
        if (dst == NULL || body == NULL) {
            return host_fault(vi, "body buffer has no native address");
        }
        memcpy(dst, body, n);
    }
    uint32_t argv[1] = {body_len > (size_t)INT32_MAX ? (uint32_t)INT32_MAX : (uint32_t)body_len};
    return call(vi, CORE_ABI_EXPORT_ICON_PUT, argv, code);
}

uint32_t core_vm_body_capacity(void)
{
    return (s_vm.run.inst != NULL && !s_vm.run.faulted) ? s_vm.run.body_cap : 0;
}

bool core_vm_needs_restart(void)
{
    return s_vm.run.module != NULL && (s_vm.run.faulted || s_vm.run.inst == NULL);
}

/* EVENT_CLIENT_OPEN for every open client, then one poll: each gets a
 * first frame with the current state (docs/abi.md "Faults"). */
static bool resync(uint32_t now_ms, int32_t *next_ms, size_t *clients)
{
    int32_t ids[CLIENT_REGISTRY_MAX];
    size_t n = s_vm.cfg.host.open_clients(s_vm.cfg.host.ctx, ids, CLIENT_REGISTRY_MAX);
    *clients = n;
    for (size_t i = 0; i < n; i++) {
        int32_t r = 0;
        if (core_vm_post_event(CORE_EVENT_CLIENT_OPEN, ids[i], now_ms, &r) != CORE_VM_OK) {
            return false;
        }
        if (r == CORE_POST_QUEUE_FULL) {
            /* Drain and try once more: every client must get its frame. */
            if (core_vm_poll(now_ms, NULL) != CORE_VM_OK ||
                core_vm_post_event(CORE_EVENT_CLIENT_OPEN, ids[i], now_ms, &r) != CORE_VM_OK) {
                return false;
            }
        }
    }
    return core_vm_poll(now_ms, next_ms) == CORE_VM_OK;
}

bool core_vm_restart(uint32_t now_ms, int32_t *next_ms)
{
    if (s_vm.run.module == NULL) {
        return false;
    }
    discard_instance(&s_vm.run);
    s_vm.stats.restarts++;
    if (!instantiate_running()) {
        return false;
    }
    int32_t first_id = core_abi_next_first_id(s_vm.stats.last_id);
    if (call_init(&s_vm.run, s_vm.stats.last_led, first_id, now_ms) != CORE_VM_OK) {
        return false;
    }
    size_t n = 0;
    if (!resync(now_ms, next_ms, &n)) {
        return false;
    }
    ESP_LOGW(TAG, "core restarted (#%u): led=%d, first id %d, %u client(s) resynchronised",
             (unsigned)s_vm.stats.restarts, s_vm.stats.last_led ? 1 : 0, (int)first_id, (unsigned)n);
    return true;
}

/* The candidate's reason for failing, from what its calls left behind. */
static void trial_why(const vm_inst_t *vi, const char *step, char *why, size_t why_cap)
{
    if (vi->t_fault[0] != '\0') {
        say(why, why_cap, "faulted in %s: %s", step, vi->t_fault);
        return;
    }
    const char *exc = vi->inst != NULL ? wasm_runtime_get_exception(vi->inst) : NULL;
    say(why, why_cap, "trapped in %s: %s", step, exc != NULL ? exc : "unknown");
}

/* Loads the candidate and makes it ready to run (no export but
 * abi_version, body_ptr and body_capacity called yet). */
static bool load_candidate(const uint8_t *wasm, size_t len, char *why, size_t why_cap)
{
    discard_module(&s_vm.cand);
    s_vm.cand.candidate = true;
    s_vm.cand.trial = true;
    s_vm.cand.t_led = -1;
    s_vm.cand.t_id = -1;
    char reason[128];
    if (!load(&s_vm.cand, wasm, len, reason, sizeof(reason)) ||
        !instantiate(&s_vm.cand, reason, sizeof(reason))) {
        say(why, why_cap, "did not start: %s", reason);
        discard_module(&s_vm.cand);
        return false;
    }
    return true;
}

bool core_vm_trial(const uint8_t *wasm, size_t len, uint32_t now_ms, char *why, size_t why_cap)
{
    if (s_vm.run.module == NULL) {
        say(why, why_cap, "did not start: no core runs beside which to try it");
        return false;
    }
    if (!load_candidate(wasm, len, why, why_cap)) {
        return false;
    }
    vm_inst_t *c = &s_vm.cand;
    const bool led = s_vm.stats.last_led;
    const int32_t first_id = core_abi_next_first_id(s_vm.stats.last_id);
    uint32_t a_init[5] = {led ? 1u : 0u, (uint32_t)first_id, s_vm.cfg.debounce_ms, s_vm.cfg.keepalive_ms, now_ms};
    int32_t r = -1;
    core_vm_status_t st = call(c, CORE_ABI_EXPORT_INIT, a_init, &r);
    if (st != CORE_VM_OK || r != 0) {
        if (st != CORE_VM_OK) {
            trial_why(c, "init()", why, why_cap);
        } else {
            say(why, why_cap, "init refused the current settings");
        }
        discard_module(c);
        return false;
    }
    if (c->t_led != (led ? 1 : 0) || c->t_id != first_id) {
        say(why, why_cap, "init reported led_set(%d, %d), expected (%d, %d)", (int)c->t_led, (int)c->t_id,
            led ? 1 : 0, (int)first_id);
        discard_module(c);
        return false;
    }
    /* The self-test: a client opens, every client is refreshed, two polls. */
    uint32_t a_open[3] = {CORE_EVENT_CLIENT_OPEN, (uint32_t)CORE_VM_TRIAL_CLIENT, now_ms};
    const char *step = "post_event()";
    st = call(c, CORE_ABI_EXPORT_POST_EVENT, a_open, NULL);
    if (st == CORE_VM_OK) {
        uint32_t a_refresh[3] = {CORE_EVENT_REFRESH, (uint32_t)-1, now_ms};
        st = call(c, CORE_ABI_EXPORT_POST_EVENT, a_refresh, NULL);
    }
    if (st == CORE_VM_OK) {
        step = "poll()";
        st = poll_inst(c, now_ms, NULL);
    }
    if (st == CORE_VM_OK) {
        st = poll_inst(c, now_ms, NULL);
    }
    if (st != CORE_VM_OK) {
        trial_why(c, step, why, why_cap);
        discard_module(c);
        return false;
    }
    if (c->t_bad != SSE_FRAME_OK) {
        say(why, why_cap, "wrote %s", sse_frame_verdict_text(c->t_bad));
        discard_module(c);
        return false;
    }
    if (c->t_frames < 2) {
        say(why, why_cap, "wrote %u frame(s) for a client open and a refresh, expected 2", (unsigned)c->t_frames);
        discard_module(c);
        return false;
    }
    log_pool("candidate passed its trial beside the running core");
    return true;
}

bool core_vm_swap(uint32_t now_ms, int32_t *next_ms, char *why, size_t why_cap)
{
    vm_inst_t *c = &s_vm.cand;
    if (c->inst == NULL) {
        say(why, why_cap, "no candidate to swap in");
        return false;
    }
    /* From here its led_set drives the LED and its frames reach the
     * clients; init() again resets whatever the self-test left. */
    c->trial = false;
    c->faulted = false;
    const int32_t first_id = core_abi_next_first_id(s_vm.stats.last_id);
    if (call_init(c, s_vm.stats.last_led, first_id, now_ms) != CORE_VM_OK) {
        const char *exc = wasm_runtime_get_exception(c->inst);
        say(why, why_cap, "init() failed at the swap: %s", exc != NULL ? exc : "rejected its arguments");
        discard_module(c);
        return false;
    }
    /* The old core goes: instance, module, bytes. The candidate's
     * vm_inst_t moves into the running one, so its custom data follows. */
    discard_module(&s_vm.run);
    s_vm.run = *c;
    memset(c, 0, sizeof(*c));
    s_vm.run.candidate = false;
    wasm_runtime_set_custom_data(s_vm.run.inst, &s_vm.run);
    s_vm.stats.swaps++;
    size_t n = 0;
    if (!resync(now_ms, next_ms, &n)) {
        /* The new core faulted: restarted by the caller, counted by its watch. */
        ESP_LOGW(TAG, "new core faulted while resynchronising its clients");
        return true;
    }
    ESP_LOGI(TAG, "new core serving: led=%d, first id %d, %u client(s) resynchronised",
             s_vm.stats.last_led ? 1 : 0, (int)first_id, (unsigned)n);
    return true;
}

bool core_vm_replace(const uint8_t *wasm, size_t len, uint32_t now_ms, int32_t *next_ms, char *why, size_t why_cap)
{
    if (s_vm.run.module == NULL) {
        say(why, why_cap, "no running core to replace");
        return false;
    }
    if (!load_candidate(wasm, len, why, why_cap)) {
        return false;
    }
    return core_vm_swap(now_ms, next_ms, why, why_cap);
}

core_vm_stats_t core_vm_stats(void)
{
    return s_vm.stats;
}
