/*
 * WAMR embedding of core.wasm (see core_vm.h). Written against
 * wasm_export.h of WAMR 2.4.x (ESP Component Registry package
 * espressif/wasm-micro-runtime 2.4.0~1).
 */
#include "core_vm.h"

#include <stdlib.h>
#include <string.h>

#include "client_registry.h"
#include "core_abi.h"
#include "host_log.h"
#include "wasm_bounds.h"
#include "wasm_export.h"

static const char *TAG = "core_vm";

typedef struct {
    core_vm_config_t cfg;
    uint8_t *wasm_copy;
    wasm_module_t module;
    wasm_module_inst_t inst;
    wasm_exec_env_t env;
    wasm_function_inst_t fns[CORE_ABI_EXPORT_COUNT];
    uint32_t body_ptr; /* validated once per instance */
    uint32_t body_cap;
    bool faulted;
    core_vm_stats_t stats;
} core_vm_t;

static core_vm_t s_vm;

/* WAMR sorts this array in place and keeps using it: static and writable. */
static NativeSymbol s_natives[CORE_ABI_NATIVE_COUNT];

/* The core broke the ABI inside an import: make the running call trap so
 * the caller treats it like any other fault. */
static void native_fault(wasm_exec_env_t env, const char *why)
{
    wasm_runtime_set_exception(wasm_runtime_get_module_inst(env), why);
}

/* "(ii)": led_set(on, id). The (on, id) pair is what a restarted core is
 * given, so the host never has to ask for the id. */
static void native_led_set(wasm_exec_env_t env, int32_t on, int32_t id)
{
    if (!core_abi_led_args_valid(on, id)) {
        native_fault(env, "led_set: on is not 0/1 or id is negative");
        return;
    }
    s_vm.stats.last_led = (on == 1);
    s_vm.stats.last_id = id;
    s_vm.cfg.host.led_set(s_vm.cfg.host.ctx, on == 1);
}

/* "(i*~)i": WAMR has already checked that [frame, frame + len) lies inside
 * linear memory and passes it as a native pointer. */
static int32_t native_sse_send(wasm_exec_env_t env, int32_t client, const uint8_t *frame, uint32_t len)
{
    (void)env;
    return s_vm.cfg.host.sse_send(s_vm.cfg.host.ctx, client, frame, len);
}

/* "(*~)": same bounds check as above. */
static void native_sse_broadcast(wasm_exec_env_t env, const uint8_t *frame, uint32_t len)
{
    (void)env;
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

static core_vm_status_t call(core_abi_export_index_t fn, uint32_t argv[], int32_t *result)
{
    if (s_vm.inst == NULL) {
        return CORE_VM_DOWN;
    }
    if (s_vm.faulted) {
        return CORE_VM_FAULT;
    }
    const core_abi_export_t *e = &CORE_ABI_EXPORTS[fn];
    s_vm.stats.export_calls++;
    if (!wasm_runtime_call_wasm(s_vm.env, s_vm.fns[fn], e->params, argv)) {
        const char *exc = wasm_runtime_get_exception(s_vm.inst);
        ESP_LOGE(TAG, "core fault in %s(): %s", e->name, exc != NULL ? exc : "unknown");
        s_vm.faulted = true;
        s_vm.stats.faults++;
        return CORE_VM_FAULT;
    }
    if (result != NULL && e->results == 1) {
        *result = (int32_t)argv[0];
    }
    return CORE_VM_OK;
}

static core_vm_status_t call0(core_abi_export_index_t fn, int32_t *result)
{
    uint32_t argv[1] = {0};
    return call(fn, argv, result);
}

/* Marks the instance faulted for an ABI violation found by the host. */
static core_vm_status_t host_fault(const char *why)
{
    ESP_LOGE(TAG, "core fault: %s", why);
    s_vm.faulted = true;
    s_vm.stats.faults++;
    return CORE_VM_FAULT;
}

/* [ptr, ptr + len) inside the instance's linear memory: checked with our own
 * overflow-safe arithmetic and with WAMR's own validator. */
static bool app_range_ok(int32_t ptr, int32_t len)
{
    wasm_memory_inst_t mem = wasm_runtime_get_default_memory(s_vm.inst);
    if (mem == NULL || len < 0) {
        return false;
    }
    uint64_t size = wasm_bounds_memory_size(wasm_memory_get_cur_page_count(mem),
                                            wasm_memory_get_bytes_per_page(mem));
    return wasm_bounds_ok_i32(size, ptr, len) &&
           wasm_runtime_validate_app_addr(s_vm.inst, (uint64_t)(uint32_t)ptr, (uint64_t)(uint32_t)len);
}

/* Reads body_ptr()/body_capacity() once per instance and validates them
 * before any write; icon_put uses the values checked here. */
static core_vm_status_t read_body_buffer(void)
{
    int32_t ptr, cap;
    core_vm_status_t st = call0(CORE_ABI_EXPORT_BODY_PTR, &ptr);
    if (st == CORE_VM_OK) {
        st = call0(CORE_ABI_EXPORT_BODY_CAPACITY, &cap);
    }
    if (st != CORE_VM_OK) {
        return st;
    }
    if (!app_range_ok(ptr, cap)) {
        return host_fault("body_ptr/body_capacity outside linear memory");
    }
    s_vm.body_ptr = (uint32_t)ptr;
    s_vm.body_cap = (uint32_t)cap;
    return CORE_VM_OK;
}

/* A core built for another ABI is refused before any other export runs. */
static bool abi_version_ok(void)
{
    int32_t version = -1;
    if (call0(CORE_ABI_EXPORT_ABI_VERSION, &version) != CORE_VM_OK) {
        return false;
    }
    if (version != CORE_ABI_VERSION) {
        ESP_LOGE(TAG, "core.wasm implements ABI %d, this firmware ABI %d: rebuild it with `npm run asbuild`",
                 (int)version, CORE_ABI_VERSION);
        return false;
    }
    return true;
}

static void discard_instance(void)
{
    if (s_vm.env != NULL) {
        wasm_runtime_destroy_exec_env(s_vm.env);
        s_vm.env = NULL;
    }
    if (s_vm.inst != NULL) {
        wasm_runtime_deinstantiate(s_vm.inst);
        s_vm.inst = NULL;
    }
    memset(s_vm.fns, 0, sizeof(s_vm.fns));
    s_vm.body_ptr = 0;
    s_vm.body_cap = 0;
    s_vm.faulted = false;
}

static bool instantiate(void)
{
    char err[128];
    /* heap_size 0: the core has no wasm heap; a host-managed one would cost
     * an extra 64 KiB page of linear memory. */
    s_vm.inst = wasm_runtime_instantiate(s_vm.module, s_vm.cfg.stack_size, 0, err, sizeof(err));
    if (s_vm.inst == NULL) {
        ESP_LOGE(TAG, "instantiate failed: %s", err);
        return false;
    }
    s_vm.env = wasm_runtime_create_exec_env(s_vm.inst, s_vm.cfg.stack_size);
    if (s_vm.env == NULL) {
        ESP_LOGE(TAG, "exec env of %u bytes failed (WAMR pool too small?)", (unsigned)s_vm.cfg.stack_size);
        discard_instance();
        return false;
    }
    if (s_vm.cfg.native_stack_boundary != NULL) {
        wasm_runtime_set_native_stack_boundary(s_vm.env, s_vm.cfg.native_stack_boundary);
    }
    for (size_t i = 0; i < CORE_ABI_EXPORT_COUNT; i++) {
        s_vm.fns[i] = wasm_runtime_lookup_function(s_vm.inst, CORE_ABI_EXPORTS[i].name);
        if (s_vm.fns[i] == NULL) {
            ESP_LOGE(TAG, "core.wasm does not export %s(): not the core of docs/abi.md", CORE_ABI_EXPORTS[i].name);
            discard_instance();
            return false;
        }
    }
    if (!abi_version_ok() || read_body_buffer() != CORE_VM_OK) {
        discard_instance();
        return false;
    }
    return true;
}

static core_vm_status_t call_init(bool led_on, int32_t first_id, uint32_t now_ms)
{
    uint32_t argv[5] = {led_on ? 1u : 0u, (uint32_t)first_id, s_vm.cfg.debounce_ms, s_vm.cfg.keepalive_ms,
                        now_ms};
    int32_t r = -1;
    core_vm_status_t st = call(CORE_ABI_EXPORT_INIT, argv, &r);
    if (st != CORE_VM_OK) {
        return st;
    }
    if (r != 0) {
        return host_fault("init() rejected its arguments");
    }
    return CORE_VM_OK;
}

bool core_vm_start(const core_vm_config_t *cfg, uint32_t now_ms)
{
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
        return false;
    }
    /* wasm_runtime_load needs a writable buffer that outlives the module;
     * the embedded image is in flash. */
    s_vm.wasm_copy = malloc(cfg->wasm_len);
    if (s_vm.wasm_copy == NULL) {
        ESP_LOGE(TAG, "no RAM for a %u byte copy of core.wasm", (unsigned)cfg->wasm_len);
        return false;
    }
    memcpy(s_vm.wasm_copy, cfg->wasm, cfg->wasm_len);
    char err[128];
    s_vm.module = wasm_runtime_load(s_vm.wasm_copy, (uint32_t)cfg->wasm_len, err, sizeof(err));
    if (s_vm.module == NULL) {
        ESP_LOGE(TAG, "core.wasm does not load: %s", err);
        return false;
    }
    if (!instantiate()) {
        return false;
    }
    if (call_init(false, 0, now_ms) != CORE_VM_OK) {
        return false;
    }
    mem_alloc_info_t info;
    if (wasm_runtime_get_mem_alloc_info(&info)) {
        ESP_LOGI(TAG, "core running: body buffer %u bytes, WAMR pool %u/%u bytes used (peak %u)",
                 (unsigned)s_vm.body_cap, (unsigned)(info.total_size - info.total_free_size),
                 (unsigned)info.total_size, (unsigned)info.highmark_size);
    }
    return true;
}

core_vm_status_t core_vm_post_event(int32_t kind, int32_t arg, uint32_t time_ms, int32_t *result)
{
    uint32_t argv[3] = {(uint32_t)kind, (uint32_t)arg, time_ms};
    return call(CORE_ABI_EXPORT_POST_EVENT, argv, result);
}

core_vm_status_t core_vm_poll(uint32_t now_ms, int32_t *next_ms)
{
    uint32_t argv[1] = {now_ms};
    int32_t next = CORE_POLL_NO_DEADLINE;
    core_vm_status_t st = call(CORE_ABI_EXPORT_POLL, argv, &next);
    if (st != CORE_VM_OK) {
        return st;
    }
    if (next < CORE_POLL_NO_DEADLINE) {
        return host_fault("poll() returned a negative delay other than -1");
    }
    if (next_ms != NULL) {
        *next_ms = next;
    }
    return CORE_VM_OK;
}

core_vm_status_t core_vm_icon_put(const uint8_t *body, size_t body_len, int32_t *code)
{
    if (s_vm.inst == NULL) {
        return CORE_VM_DOWN;
    }
    if (s_vm.faulted) {
        return CORE_VM_FAULT;
    }
    size_t n = wasm_bounds_copy_len(body_len, (size_t)s_vm.body_cap);
    if (n > 0) {
        uint8_t *dst = wasm_runtime_addr_app_to_native(s_vm.inst, (uint64_t)s_vm.body_ptr);
        if (dst == NULL || body == NULL) {
            return host_fault("body buffer has no native address");
        }
        memcpy(dst, body, n);
    }
    uint32_t argv[1] = {body_len > (size_t)INT32_MAX ? (uint32_t)INT32_MAX : (uint32_t)body_len};
    return call(CORE_ABI_EXPORT_ICON_PUT, argv, code);
}

uint32_t core_vm_body_capacity(void)
{
    return (s_vm.inst != NULL && !s_vm.faulted) ? s_vm.body_cap : 0;
}

bool core_vm_needs_restart(void)
{
    return s_vm.module != NULL && (s_vm.faulted || s_vm.inst == NULL);
}

bool core_vm_restart(uint32_t now_ms, int32_t *next_ms)
{
    if (s_vm.module == NULL) {
        return false;
    }
    discard_instance();
    s_vm.stats.restarts++;
    if (!instantiate()) {
        return false;
    }
    int32_t first_id = core_abi_next_first_id(s_vm.stats.last_id);
    if (call_init(s_vm.stats.last_led, first_id, now_ms) != CORE_VM_OK) {
        return false;
    }
    int32_t ids[CLIENT_REGISTRY_MAX];
    size_t n = s_vm.cfg.host.open_clients(s_vm.cfg.host.ctx, ids, CLIENT_REGISTRY_MAX);
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
    if (core_vm_poll(now_ms, next_ms) != CORE_VM_OK) {
        return false;
    }
    ESP_LOGW(TAG, "core restarted (#%u): led=%d, first id %d, %u client(s) resynchronised",
             (unsigned)s_vm.stats.restarts, s_vm.stats.last_led ? 1 : 0, (int)first_id, (unsigned)n);
    return true;
}

core_vm_stats_t core_vm_stats(void)
{
    return s_vm.stats;
}
