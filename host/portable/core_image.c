/*
 * Signed core image validator (core_image.h). One pass over the sections
 * checks the structure and collects facts; the ABI, signature-section and
 * memory-layout rules are then applied in a fixed order, so every input has
 * exactly one verdict, the same in the firmware and in the simulator's Wasm
 * build of this file.
 *
 * Binary format: WebAssembly Core Specification 1.0, chapter 5. WAMR rules:
 * tag WAMR-2.4.0 of wasm-micro-runtime (loader =
 * core/iwasm/interpreter/wasm_loader.c), as in docs/abi.md "Memory" and the
 * TypeScript emulation tests/support/wamr-memory.ts, which cites the same
 * lines.
 */
#include "core_image.h"

#include "core_abi.h"
#include "wasm_code.h"
#include "wasm_leb.h"

#define WASM_HEADER_LEN 8u
#define WASM_PAGE 65536u
#define WASM_MAX_PAGES 65536u
/* os_getpagesize() of WAMR's ESP-IDF port
 * (core/shared/platform/esp-idf/platform_internal.h 137-141). */
#define ESP_IDF_PAGE 4096u

enum {
    SEC_CUSTOM = 0,
    SEC_TYPE = 1,
    SEC_IMPORT = 2,
    SEC_FUNCTION = 3,
    SEC_TABLE = 4,
    SEC_MEMORY = 5,
    SEC_GLOBAL = 6,
    SEC_EXPORT = 7,
    SEC_START = 8,
    SEC_ELEMENT = 9,
    SEC_CODE = 10,
    SEC_DATA = 11,
};

enum { KIND_FUNC = 0, KIND_TABLE = 1, KIND_MEMORY = 2, KIND_GLOBAL = 3 };

#define VT_I32 0x7f
#define VT_I64 0x7e
#define VT_F32 0x7d
#define VT_F64 0x7c
#define FUNCREF 0x70
#define FUNC_FORM 0x60
#define OP_END 0x0b

typedef struct {
    bool found;
    uint8_t kind;
    uint32_t index;
    size_t at; /* offset of the export entry */
} export_ref_t;

typedef struct {
    const uint8_t *base;
    core_image_verdict_t verdict; /* first structural failure, OK while none */
    size_t error_offset;

    /* Index spaces and where to find entries again. */
    uint32_t types;
    size_t type_end;                        /* end of the type section */
    uint32_t type_at[CORE_IMAGE_MAX_TYPES]; /* offset of each type's parameter count */
    uint8_t type_params[CORE_IMAGE_MAX_TYPES];
    size_t import_at, import_end; /* first import entry, end of the section */
    uint32_t func_imports, table_imports, memory_imports, global_imports;
    size_t function_at, function_end; /* first function-section entry, end */
    uint32_t functions; /* defined */
    uint32_t tables, memories, globals; /* defined */
    size_t global_at, global_end;
    uint32_t memory_min_pages;
    bool has_code;
    int last_id;

    /* Facts for the rules. */
    bool seen_signature, section_after_signature;
    size_t signature_section_at, sig_offset, sig_len;
    bool seen_version, version_ok;
    uint32_t version;
    core_image_verdict_t import_problem;
    size_t import_problem_at;
    uint32_t natives_seen; /* bit per CORE_ABI_NATIVES entry */
    export_ref_t abi_exports[CORE_ABI_EXPORT_COUNT];
    export_ref_t memory_export, heap_base_export, data_end_export;
    bool has_start;
    bool memory_instructions; /* memory.grow or memory.size */
    bool data_offsets_known;
    uint64_t data_end_max;
} ck_t;

static bool fail_at(ck_t *ck, core_image_verdict_t v, const uint8_t *at)
{
    if (ck->verdict == CORE_IMAGE_OK) {
        ck->verdict = v;
        ck->error_offset = (size_t)(at - ck->base);
    }
    return false;
}

/* A failed read inside a section payload: a bad number, or the payload
 * ended before its contents did. */
static bool fail_read(ck_t *ck, const wasm_rd_t *r)
{
    return fail_at(ck, r->fail == WASM_RD_BAD_LEB ? CORE_IMAGE_BAD_LEB128 : CORE_IMAGE_BAD_SECTION_SIZE, r->p);
}

/* A vector count: every element takes at least one byte. */
static bool read_count(ck_t *ck, wasm_rd_t *s, uint32_t *n)
{
    *n = wasm_rd_u32(s);
    if (s->fail != WASM_RD_OK) {
        return fail_read(ck, s);
    }
    if (*n > wasm_rd_left(s)) {
        return fail_at(ck, CORE_IMAGE_BAD_SECTION_SIZE, s->p);
    }
    return true;
}

static bool is_valtype(uint8_t b)
{
    return b == VT_I32 || b == VT_I64 || b == VT_F32 || b == VT_F64;
}

/* limits (spec 5.3.7): flags 0 (min) or 1 (min, max); 2 and 3 are shared
 * memories (threads), which the core never uses. */
static bool read_limits(ck_t *ck, wasm_rd_t *s, bool memory, uint32_t *min_out)
{
    const uint8_t *at = s->p;
    uint8_t flags = wasm_rd_u8(s);
    uint32_t min = wasm_rd_u32(s);
    uint32_t max = flags == 1 ? wasm_rd_u32(s) : min;
    if (s->fail != WASM_RD_OK) {
        return fail_read(ck, s);
    }
    if (flags > 1) {
        return fail_at(ck, CORE_IMAGE_UNSUPPORTED, at);
    }
    if (min > max || (memory && max > WASM_MAX_PAGES)) {
        return fail_at(ck, CORE_IMAGE_MALFORMED, at);
    }
    *min_out = min;
    return true;
}

/* A constant expression (spec 3.3.7): one constant of `type`, or a
 * global.get of an imported global, then end. *i32_value is set when it
 * is an i32.const (the only form WAMR's memory rules read). */
static bool read_const_expr(ck_t *ck, wasm_rd_t *s, uint8_t type, bool *is_i32_const, uint32_t *i32_value)
{
    const uint8_t *at = s->p;
    uint8_t op = wasm_rd_u8(s);
    uint8_t want = 0;
    *is_i32_const = false;
    *i32_value = 0;
    switch (op) {
    case 0x41:
        *i32_value = wasm_rd_sleb(s, 32);
        *is_i32_const = true;
        want = VT_I32;
        break;
    case 0x42:
        (void)wasm_rd_sleb(s, 64);
        want = VT_I64;
        break;
    case 0x43:
        wasm_rd_skip(s, 4);
        want = VT_F32;
        break;
    case 0x44:
        wasm_rd_skip(s, 8);
        want = VT_F64;
        break;
    case 0x23: {
        uint32_t g = wasm_rd_u32(s);
        if (s->fail == WASM_RD_OK && g >= ck->global_imports) {
            return fail_at(ck, CORE_IMAGE_MALFORMED, at);
        }
        want = type; /* imported globals are refused anyway (BAD_IMPORT) */
        break;
    }
    default:
        break;
    }
    uint8_t end = wasm_rd_u8(s);
    if (s->fail != WASM_RD_OK) {
        return fail_read(ck, s);
    }
    if (want != type || end != OP_END) {
        *is_i32_const = false;
        return fail_at(ck, CORE_IMAGE_MALFORMED, at);
    }
    return true;
}

/* Does type `t` equal the WAMR native signature `sig` ("(i*~)i": i * ~ $
 * are i32, I i64, f f32, F f64; the result after ')')? */
/* Entries between two offsets that the pass already validated. */
static wasm_rd_t reread(const ck_t *ck, size_t at, size_t end)
{
    return wasm_rd_init(ck->base + at, end - at);
}

static bool type_matches_signature(const ck_t *ck, uint32_t t, const char *sig)
{
    static const struct {
        char c;
        uint8_t vt;
    } map[] = {{'i', VT_I32}, {'*', VT_I32}, {'~', VT_I32}, {'$', VT_I32}, {'I', VT_I64}, {'f', VT_F32}, {'F', VT_F64}};
    /* The type entry was fully read once: these reads cannot fail. */
    wasm_rd_t r = reread(ck, ck->type_at[t], ck->type_end);
    size_t k = 0;
    if (sig[k++] != '(') {
        return false;
    }
    for (int part = 0; part < 2; part++) {
        uint32_t n = wasm_rd_u32(&r);
        for (uint32_t i = 0; i < n; i++) {
            uint8_t vt = wasm_rd_u8(&r);
            bool ok = false;
            for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++) {
                if (sig[k] == map[m].c) {
                    ok = map[m].vt == vt;
                    break;
                }
            }
            if (!ok) {
                return false;
            }
            k++;
        }
        if (part == 0) {
            if (sig[k++] != ')') {
                return false;
            }
        }
    }
    return sig[k] == '\0';
}

/* Type of function `f` (imports first), by walking the import or function
 * section again; both were validated in the pass. Only called once every
 * import is known to be a function (check_rules refuses the others first);
 * a non-function import on the way ends the walk with false. */
static bool function_type(const ck_t *ck, uint32_t f, uint32_t *type)
{
    if (f >= ck->func_imports) {
        wasm_rd_t r = reread(ck, ck->function_at, ck->function_end);
        for (uint32_t i = 0; i <= f - ck->func_imports; i++) {
            *type = wasm_rd_u32(&r);
        }
        return true;
    }
    wasm_rd_t r = reread(ck, ck->import_at, ck->import_end);
    for (uint32_t i = 0; i <= f; i++) {
        const uint8_t *name;
        uint32_t len;
        bool bad;
        (void)wasm_rd_name(&r, &name, &len, &bad);
        (void)wasm_rd_name(&r, &name, &len, &bad);
        if (wasm_rd_u8(&r) != KIND_FUNC) {
            return false;
        }
        *type = wasm_rd_u32(&r);
    }
    return true;
}

/* ---- sections ----------------------------------------------------------- */

static bool read_types(ck_t *ck, wasm_rd_t *s)
{
    uint32_t n;
    if (!read_count(ck, s, &n)) {
        return false;
    }
    if (n > CORE_IMAGE_MAX_TYPES) {
        return fail_at(ck, CORE_IMAGE_UNSUPPORTED, s->p);
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = s->p;
        uint8_t form = wasm_rd_u8(s);
        ck->type_at[i] = (uint32_t)(s->p - ck->base);
        uint32_t np = wasm_rd_u32(s);
        if (s->fail == WASM_RD_OK && np > CORE_IMAGE_MAX_PARAMS) {
            return fail_at(ck, CORE_IMAGE_UNSUPPORTED, at);
        }
        bool types_ok = true;
        for (uint32_t k = 0; k < np && s->fail == WASM_RD_OK; k++) {
            types_ok &= is_valtype(wasm_rd_u8(s));
        }
        uint32_t nr = wasm_rd_u32(s);
        if (s->fail == WASM_RD_OK && nr > CORE_IMAGE_MAX_RESULTS) {
            return fail_at(ck, CORE_IMAGE_UNSUPPORTED, at); /* multi-value */
        }
        for (uint32_t k = 0; k < nr && s->fail == WASM_RD_OK; k++) {
            types_ok &= is_valtype(wasm_rd_u8(s));
        }
        if (s->fail != WASM_RD_OK) {
            return fail_read(ck, s);
        }
        if (form != FUNC_FORM || !types_ok) {
            return fail_at(ck, CORE_IMAGE_MALFORMED, at);
        }
        ck->type_params[i] = (uint8_t)np;
    }
    ck->types = n;
    ck->type_end = (size_t)(s->p - ck->base);
    return true;
}

static void note_import_problem(ck_t *ck, core_image_verdict_t v, const uint8_t *at)
{
    if (ck->import_problem == CORE_IMAGE_OK) {
        ck->import_problem = v;
        ck->import_problem_at = (size_t)(at - ck->base);
    }
}

/* Imports: only functions of module "host" named in CORE_ABI_NATIVES, each
 * at most once, with the wasm type of its WAMR signature. WAMR only warns
 * about an unresolved import at instantiation and traps when it is called,
 * so this is where a wrong import is caught. */
static void check_abi_import(ck_t *ck, const uint8_t *module, uint32_t module_len, const uint8_t *name,
                             uint32_t name_len, uint32_t type, const uint8_t *at)
{
    if (!wasm_name_is(module, module_len, CORE_ABI_IMPORT_MODULE)) {
        note_import_problem(ck, CORE_IMAGE_BAD_IMPORT, at);
        return;
    }
    for (uint32_t i = 0; i < CORE_ABI_NATIVE_COUNT; i++) {
        if (!wasm_name_is(name, name_len, CORE_ABI_NATIVES[i].name)) {
            continue;
        }
        if (ck->natives_seen & (1u << i)) {
            note_import_problem(ck, CORE_IMAGE_BAD_IMPORT, at); /* imported twice */
        } else if (!type_matches_signature(ck, type, CORE_ABI_NATIVES[i].signature)) {
            note_import_problem(ck, CORE_IMAGE_IMPORT_TYPE, at);
        }
        ck->natives_seen |= 1u << i;
        return;
    }
    note_import_problem(ck, CORE_IMAGE_BAD_IMPORT, at);
}

static bool read_imports(ck_t *ck, wasm_rd_t *s)
{
    uint32_t n;
    if (!read_count(ck, s, &n)) {
        return false;
    }
    ck->import_at = (size_t)(s->p - ck->base);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = s->p;
        const uint8_t *module, *name;
        uint32_t module_len, name_len;
        bool bad_utf8 = false;
        if (!wasm_rd_name(s, &module, &module_len, &bad_utf8) || !wasm_rd_name(s, &name, &name_len, &bad_utf8)) {
            return bad_utf8 ? fail_at(ck, CORE_IMAGE_MALFORMED, at) : fail_read(ck, s);
        }
        uint8_t kind = wasm_rd_u8(s);
        uint32_t ignored;
        switch (kind) {
        case KIND_FUNC: {
            uint32_t t = wasm_rd_u32(s);
            if (s->fail != WASM_RD_OK) {
                return fail_read(ck, s);
            }
            if (t >= ck->types) {
                return fail_at(ck, CORE_IMAGE_MALFORMED, at);
            }
            ck->func_imports++;
            check_abi_import(ck, module, module_len, name, name_len, t, at);
            break;
        }
        case KIND_TABLE:
            if (wasm_rd_u8(s) != FUNCREF && s->fail == WASM_RD_OK) {
                return fail_at(ck, CORE_IMAGE_UNSUPPORTED, at);
            }
            if (!read_limits(ck, s, false, &ignored)) {
                return false;
            }
            ck->table_imports++;
            note_import_problem(ck, CORE_IMAGE_BAD_IMPORT, at);
            break;
        case KIND_MEMORY:
            if (!read_limits(ck, s, true, &ignored)) {
                return false;
            }
            ck->memory_imports++;
            note_import_problem(ck, CORE_IMAGE_BAD_IMPORT, at);
            break;
        case KIND_GLOBAL: {
            uint8_t vt = wasm_rd_u8(s);
            uint8_t mut = wasm_rd_u8(s);
            if (s->fail != WASM_RD_OK) {
                return fail_read(ck, s);
            }
            if (!is_valtype(vt) || mut > 1) {
                return fail_at(ck, CORE_IMAGE_MALFORMED, at);
            }
            ck->global_imports++;
            note_import_problem(ck, CORE_IMAGE_BAD_IMPORT, at);
            break;
        }
        default:
            if (s->fail != WASM_RD_OK) {
                return fail_read(ck, s);
            }
            return fail_at(ck, CORE_IMAGE_MALFORMED, at);
        }
        if (ck->table_imports > 1 || ck->memory_imports > 1) {
            return fail_at(ck, CORE_IMAGE_UNSUPPORTED, at);
        }
    }
    ck->import_end = (size_t)(s->p - ck->base);
    return true;
}

static bool read_functions(ck_t *ck, wasm_rd_t *s)
{
    uint32_t n;
    if (!read_count(ck, s, &n)) {
        return false;
    }
    ck->function_at = (size_t)(s->p - ck->base);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = s->p;
        uint32_t t = wasm_rd_u32(s);
        if (s->fail != WASM_RD_OK) {
            return fail_read(ck, s);
        }
        if (t >= ck->types) {
            return fail_at(ck, CORE_IMAGE_MALFORMED, at);
        }
    }
    ck->functions = n;
    ck->function_end = (size_t)(s->p - ck->base);
    return true;
}

static bool read_tables(ck_t *ck, wasm_rd_t *s)
{
    uint32_t n, ignored;
    if (!read_count(ck, s, &n)) {
        return false;
    }
    if (n + ck->table_imports > 1) {
        return fail_at(ck, CORE_IMAGE_UNSUPPORTED, s->p); /* reference types */
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = s->p;
        uint8_t type = wasm_rd_u8(s);
        if (s->fail != WASM_RD_OK) {
            return fail_read(ck, s);
        }
        if (type != FUNCREF) {
            return fail_at(ck, CORE_IMAGE_UNSUPPORTED, at);
        }
        if (!read_limits(ck, s, false, &ignored)) {
            return false;
        }
    }
    ck->tables = n;
    return true;
}

static bool read_memories(ck_t *ck, wasm_rd_t *s)
{
    uint32_t n;
    if (!read_count(ck, s, &n)) {
        return false;
    }
    if (n + ck->memory_imports > 1) {
        return fail_at(ck, CORE_IMAGE_UNSUPPORTED, s->p); /* multi-memory */
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!read_limits(ck, s, true, &ck->memory_min_pages)) {
            return false;
        }
    }
    ck->memories = n;
    return true;
}

/* One global entry: type, mutability, initialiser. */
static bool read_global(ck_t *ck, wasm_rd_t *s, uint8_t *type, bool *mutable_, bool *is_i32_const, uint32_t *value)
{
    const uint8_t *at = s->p;
    *type = wasm_rd_u8(s);
    uint8_t mut = wasm_rd_u8(s);
    if (s->fail != WASM_RD_OK) {
        return fail_read(ck, s);
    }
    if (!is_valtype(*type) || mut > 1) {
        return fail_at(ck, CORE_IMAGE_MALFORMED, at);
    }
    *mutable_ = mut == 1;
    return read_const_expr(ck, s, *type, is_i32_const, value);
}

static bool read_globals(ck_t *ck, wasm_rd_t *s)
{
    uint32_t n;
    if (!read_count(ck, s, &n)) {
        return false;
    }
    ck->global_at = (size_t)(s->p - ck->base);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t type;
        bool mutable_, is_const;
        uint32_t value;
        if (!read_global(ck, s, &type, &mutable_, &is_const, &value)) {
            return false;
        }
    }
    ck->globals = n;
    ck->global_end = (size_t)(s->p - ck->base);
    return true;
}

static bool note_export(ck_t *ck, export_ref_t *ref, uint8_t kind, uint32_t index, const uint8_t *at)
{
    if (ref->found) {
        return fail_at(ck, CORE_IMAGE_MALFORMED, at); /* duplicate export name */
    }
    ref->found = true;
    ref->kind = kind;
    ref->index = index;
    ref->at = (size_t)(at - ck->base);
    return true;
}

static bool read_exports(ck_t *ck, wasm_rd_t *s)
{
    uint32_t n;
    if (!read_count(ck, s, &n)) {
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = s->p;
        const uint8_t *name;
        uint32_t len;
        bool bad_utf8 = false;
        if (!wasm_rd_name(s, &name, &len, &bad_utf8)) {
            return bad_utf8 ? fail_at(ck, CORE_IMAGE_MALFORMED, at) : fail_read(ck, s);
        }
        uint8_t kind = wasm_rd_u8(s);
        uint32_t index = wasm_rd_u32(s);
        if (s->fail != WASM_RD_OK) {
            return fail_read(ck, s);
        }
        uint32_t space = kind == KIND_FUNC     ? ck->func_imports + ck->functions
                         : kind == KIND_TABLE  ? ck->table_imports + ck->tables
                         : kind == KIND_MEMORY ? ck->memory_imports + ck->memories
                         : kind == KIND_GLOBAL ? ck->global_imports + ck->globals
                                               : 0;
        if (index >= space) {
            return fail_at(ck, CORE_IMAGE_MALFORMED, at);
        }
        export_ref_t *ref = NULL;
        for (uint32_t k = 0; k < CORE_ABI_EXPORT_COUNT && ref == NULL; k++) {
            if (wasm_name_is(name, len, CORE_ABI_EXPORTS[k].name)) {
                ref = &ck->abi_exports[k];
            }
        }
        if (ref == NULL && wasm_name_is(name, len, "memory")) {
            ref = &ck->memory_export;
        } else if (ref == NULL && wasm_name_is(name, len, "__heap_base")) {
            ref = &ck->heap_base_export;
        } else if (ref == NULL && wasm_name_is(name, len, "__data_end")) {
            ref = &ck->data_end_export;
        }
        if (ref != NULL && !note_export(ck, ref, kind, index, at)) {
            return false;
        }
    }
    return true;
}

static bool read_start(ck_t *ck, wasm_rd_t *s)
{
    const uint8_t *at = s->p;
    uint32_t f = wasm_rd_u32(s);
    if (s->fail != WASM_RD_OK) {
        return fail_read(ck, s);
    }
    if (f >= ck->func_imports + ck->functions) {
        return fail_at(ck, CORE_IMAGE_MALFORMED, at);
    }
    ck->has_start = true;
    return true;
}

static bool read_elements(ck_t *ck, wasm_rd_t *s)
{
    uint32_t n;
    if (!read_count(ck, s, &n)) {
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = s->p;
        uint32_t flags = wasm_rd_u32(s);
        if (s->fail != WASM_RD_OK) {
            return fail_read(ck, s);
        }
        if (flags != 0) {
            return fail_at(ck, CORE_IMAGE_UNSUPPORTED, at); /* bulk memory / reference types forms */
        }
        if (ck->table_imports + ck->tables == 0) {
            return fail_at(ck, CORE_IMAGE_MALFORMED, at);
        }
        bool is_const;
        uint32_t offset, count;
        if (!read_const_expr(ck, s, VT_I32, &is_const, &offset) || !read_count(ck, s, &count)) {
            return false;
        }
        for (uint32_t k = 0; k < count; k++) {
            const uint8_t *fat = s->p;
            uint32_t f = wasm_rd_u32(s);
            if (s->fail != WASM_RD_OK) {
                return fail_read(ck, s);
            }
            if (f >= ck->func_imports + ck->functions) {
                return fail_at(ck, CORE_IMAGE_MALFORMED, fat);
            }
        }
    }
    return true;
}

static bool read_code(ck_t *ck, wasm_rd_t *s)
{
    uint32_t n;
    const uint8_t *at = s->p;
    if (!read_count(ck, s, &n)) {
        return false;
    }
    if (n != ck->functions) {
        return fail_at(ck, CORE_IMAGE_MALFORMED, at);
    }
    ck->has_code = true;
    /* The function section, read in step: body i has type entry i. */
    wasm_rd_t types = reread(ck, ck->function_at, ck->function_end);
    wasm_code_env_t env = {
        .params = 0,
        .types = ck->types,
        .functions = ck->func_imports + ck->functions,
        .globals = ck->global_imports + ck->globals,
        .has_memory = ck->memory_imports + ck->memories > 0,
        .has_table = ck->table_imports + ck->tables > 0,
    };
    for (uint32_t i = 0; i < n; i++) {
        uint32_t size = wasm_rd_u32(s);
        if (s->fail != WASM_RD_OK) {
            return fail_read(ck, s);
        }
        if (size > wasm_rd_left(s)) {
            return fail_at(ck, CORE_IMAGE_BAD_SECTION_SIZE, s->p);
        }
        const uint8_t *body = s->p;
        wasm_rd_skip(s, size);
        env.params = ck->type_params[wasm_rd_u32(&types)];
        wasm_code_facts_t facts;
        wasm_code_status_t st = wasm_code_scan(body, size, &env, &facts);
        switch (st) {
        case WASM_CODE_OK:
            break;
        case WASM_CODE_BAD_LEB:
            return fail_at(ck, CORE_IMAGE_BAD_LEB128, body + facts.error_at);
        case WASM_CODE_BAD_INSTRUCTION:
            return fail_at(ck, CORE_IMAGE_BAD_INSTRUCTION, body + facts.error_at);
        case WASM_CODE_TOO_MANY_LOCALS:
            return fail_at(ck, CORE_IMAGE_UNSUPPORTED, body + facts.error_at);
        case WASM_CODE_MALFORMED:
        default:
            return fail_at(ck, CORE_IMAGE_MALFORMED, body + facts.error_at);
        }
        ck->memory_instructions |= facts.memory_grow || facts.memory_size;
    }
    return true;
}

static bool read_data(ck_t *ck, wasm_rd_t *s)
{
    uint32_t n;
    if (!read_count(ck, s, &n)) {
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = s->p;
        uint32_t flags = wasm_rd_u32(s);
        if (s->fail != WASM_RD_OK) {
            return fail_read(ck, s);
        }
        if (flags != 0) {
            return fail_at(ck, CORE_IMAGE_UNSUPPORTED, at); /* passive / explicit memory: bulk memory */
        }
        if (ck->memory_imports + ck->memories == 0) {
            return fail_at(ck, CORE_IMAGE_MALFORMED, at);
        }
        bool is_const;
        uint32_t offset;
        if (!read_const_expr(ck, s, VT_I32, &is_const, &offset)) {
            return false;
        }
        uint32_t size = wasm_rd_u32(s);
        wasm_rd_skip(s, size);
        if (s->fail != WASM_RD_OK) {
            return fail_read(ck, s);
        }
        if (!is_const) {
            ck->data_offsets_known = false;
        } else if ((uint64_t)offset + size > ck->data_end_max) {
            ck->data_end_max = (uint64_t)offset + size;
        }
    }
    return true;
}

/* Custom sections: names must be UTF-8; core-version and core-signature
 * are recorded, the others (name, sourceMappingURL, ...) skipped. */
static bool read_custom(ck_t *ck, wasm_rd_t *s, const uint8_t *section_at)
{
    const uint8_t *at = s->p;
    const uint8_t *name;
    uint32_t len;
    bool bad_utf8 = false;
    if (!wasm_rd_name(s, &name, &len, &bad_utf8)) {
        return bad_utf8 ? fail_at(ck, CORE_IMAGE_MALFORMED, at) : fail_read(ck, s);
    }
    size_t payload = wasm_rd_left(s);
    if (wasm_name_is(name, len, CORE_IMAGE_VERSION_SECTION)) {
        /* A second one, or another size, leaves the version ambiguous. */
        ck->version_ok = !ck->seen_version && payload == 4;
        ck->seen_version = true;
        if (ck->version_ok) {
            const uint8_t *v = s->p;
            ck->version = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
        }
    } else if (wasm_name_is(name, len, CORE_IMAGE_SIGNATURE_SECTION) && !ck->seen_signature) {
        ck->seen_signature = true;
        ck->signature_section_at = (size_t)(section_at - ck->base);
        ck->sig_offset = (size_t)(s->p - ck->base);
        ck->sig_len = payload;
    }
    wasm_rd_skip(s, payload);
    return true;
}

static bool read_section(ck_t *ck, uint8_t id, wasm_rd_t *s, const uint8_t *section_at)
{
    switch (id) {
    case SEC_CUSTOM:
        return read_custom(ck, s, section_at);
    case SEC_TYPE:
        return read_types(ck, s);
    case SEC_IMPORT:
        return read_imports(ck, s);
    case SEC_FUNCTION:
        return read_functions(ck, s);
    case SEC_TABLE:
        return read_tables(ck, s);
    case SEC_MEMORY:
        return read_memories(ck, s);
    case SEC_GLOBAL:
        return read_globals(ck, s);
    case SEC_EXPORT:
        return read_exports(ck, s);
    case SEC_START:
        return read_start(ck, s);
    case SEC_ELEMENT:
        return read_elements(ck, s);
    case SEC_CODE:
        return read_code(ck, s);
    case SEC_DATA:
        return read_data(ck, s);
    default:
        return fail_at(ck, CORE_IMAGE_BAD_SECTION, section_at);
    }
}

/* Every section in order: ids 1..11 at most once each, ascending; custom
 * sections anywhere. Ids 12 (data count) and up are refused: the core
 * uses no bulk memory, exceptions, ... */
static bool read_sections(ck_t *ck, const uint8_t *bytes, size_t len)
{
    wasm_rd_t top = wasm_rd_init(bytes + WASM_HEADER_LEN, len - WASM_HEADER_LEN);
    while (wasm_rd_left(&top) > 0) {
        const uint8_t *section_at = top.p;
        uint8_t id = wasm_rd_u8(&top);
        uint32_t size = wasm_rd_u32(&top);
        if (top.fail != WASM_RD_OK) {
            return fail_at(ck, top.fail == WASM_RD_BAD_LEB ? CORE_IMAGE_BAD_LEB128 : CORE_IMAGE_TRUNCATED, top.p);
        }
        if (size > wasm_rd_left(&top)) {
            return fail_at(ck, CORE_IMAGE_TRUNCATED, top.end);
        }
        if (id != SEC_CUSTOM) {
            if (id > SEC_DATA || (int)id <= ck->last_id) {
                return fail_at(ck, CORE_IMAGE_BAD_SECTION, section_at);
            }
            ck->last_id = id;
        }
        if (ck->seen_signature) {
            ck->section_after_signature = true;
        }
        wasm_rd_t s = wasm_rd_init(top.p, size);
        wasm_rd_skip(&top, size);
        if (!read_section(ck, id, &s, section_at)) {
            return false;
        }
        if (s.fail != WASM_RD_OK) {
            return fail_read(ck, &s);
        }
        if (wasm_rd_left(&s) != 0) {
            return fail_at(ck, CORE_IMAGE_BAD_SECTION_SIZE, s.p);
        }
    }
    if (ck->functions > 0 && !ck->has_code) {
        return fail_at(ck, CORE_IMAGE_MALFORMED, bytes + len);
    }
    return true;
}

/* ---- rules -------------------------------------------------------------- */

static core_image_verdict_t refuse(core_image_info_t *info, core_image_verdict_t v, size_t at)
{
    info->error_offset = at;
    return v;
}

/* Defined global `g` (index past the imports): type, mutability, value. */
static void global_entry(ck_t *ck, uint32_t g, uint8_t *type, bool *mutable_, bool *is_i32_const, uint32_t *value)
{
    /* Validated in the pass: these reads cannot fail. */
    wasm_rd_t r = reread(ck, ck->global_at, ck->global_end);
    for (uint32_t i = 0; i <= g; i++) {
        (void)read_global(ck, &r, type, mutable_, is_i32_const, value);
    }
}

/* An immutable i32 global defined here and initialised by i32.const: the
 * only form WAMR takes for __heap_base / __data_end (loader 6270-6285,
 * 6291-6307). */
static bool linker_global(ck_t *ck, const export_ref_t *ref, uint32_t *value)
{
    if (ref->kind != KIND_GLOBAL || ref->index < ck->global_imports) {
        return false;
    }
    uint8_t type;
    bool mutable_, is_const;
    global_entry(ck, ref->index - ck->global_imports, &type, &mutable_, &is_const, value);
    return type == VT_I32 && !mutable_ && is_const;
}

static core_image_verdict_t check_exports(ck_t *ck, core_image_info_t *info, uint32_t *heap_base,
                                          uint32_t *data_end)
{
    for (uint32_t k = 0; k < CORE_ABI_EXPORT_COUNT; k++) {
        const export_ref_t *ref = &ck->abi_exports[k];
        if (!ref->found) {
            return refuse(info, CORE_IMAGE_EXPORT_MISSING, 0);
        }
        if (ref->kind != KIND_FUNC) {
            return refuse(info, CORE_IMAGE_EXPORT_TYPE, ref->at);
        }
        /* (i32 x params) -> i32 x results, all i32 (core_abi.h). */
        char sig[2 + 16 + 2] = {'('};
        size_t p = 1;
        for (uint8_t i = 0; i < CORE_ABI_EXPORTS[k].params && p < sizeof(sig) - 3; i++) {
            sig[p++] = 'i';
        }
        sig[p++] = ')';
        if (CORE_ABI_EXPORTS[k].results) {
            sig[p++] = 'i';
        }
        sig[p] = '\0';
        uint32_t type = 0;
        if (!function_type(ck, ref->index, &type) || !type_matches_signature(ck, type, sig)) {
            return refuse(info, CORE_IMAGE_EXPORT_TYPE, ref->at);
        }
    }
    if (!ck->memory_export.found || !ck->heap_base_export.found || !ck->data_end_export.found) {
        return refuse(info, CORE_IMAGE_EXPORT_MISSING, 0);
    }
    if (ck->memory_export.kind != KIND_MEMORY) {
        return refuse(info, CORE_IMAGE_EXPORT_TYPE, ck->memory_export.at);
    }
    if (!linker_global(ck, &ck->heap_base_export, heap_base)) {
        return refuse(info, CORE_IMAGE_EXPORT_TYPE, ck->heap_base_export.at);
    }
    if (!linker_global(ck, &ck->data_end_export, data_end)) {
        return refuse(info, CORE_IMAGE_EXPORT_TYPE, ck->data_end_export.at);
    }
    return CORE_IMAGE_OK;
}

static uint64_t align_up(uint64_t v, uint64_t to)
{
    return (v + to - 1) / to * to;
}

/*
 * docs/abi.md "Memory", rules 2-5, as WAMR 2.4.0 applies them to a module
 * whose exports passed check_exports (so both linker globals are
 * recognised) and with no memory.grow / memory.size (rule 1, checked
 * before). Mirrors wamrMemory() + layoutProblems() in
 * tests/support/wamr-memory.ts.
 */
static bool layout_ok(ck_t *ck, uint32_t heap_base, uint32_t data_end)
{
    /* Rule 2: __data_end rounded up to 16 (loader 6312) must not pass
     * __heap_base (6332-6333), or no aux info is resolved and nothing shrinks. */
    uint64_t aux_data_end = align_up(data_end, 16);
    if (aux_data_end > heap_base) {
        return false;
    }
    /* Rule 3: the first defined mutable i32 global initialised by i32.const
     * with (uint32)init <= __heap_base is the aux stack pointer, of size
     * init > aux_data_end ? init - aux_data_end : init (loader 6340-6366);
     * a non-zero size makes global.set to it a checked op that can trap
     * (loader 14039-14059). None found: size 0 (6368-6379). One pass over
     * the section (validated before: these reads cannot fail), so the work
     * stays linear however many globals come first. */
    wasm_rd_t r = reread(ck, ck->global_at, ck->global_end);
    for (uint32_t g = 0; g < ck->globals; g++) {
        uint8_t type;
        bool mutable_, is_const;
        uint32_t init;
        (void)read_global(ck, &r, &type, &mutable_, &is_const, &init);
        if (mutable_ && type == VT_I32 && is_const && init <= heap_base) {
            uint64_t size = init > aux_data_end ? init - aux_data_end : init;
            if (size != 0) {
                return false;
            }
            break;
        }
    }
    /* Rule 4: shrunk to align8(__heap_base) only if that fits the declared
     * initial memory (loader 6500-6537). */
    uint64_t shrunk = align_up(heap_base, 8);
    if (ck->memories != 1 || shrunk > (uint64_t)WASM_PAGE * ck->memory_min_pages) {
        return false;
    }
    /* Rule 5: ESP-IDF bounds-checks the allocation rounded up to its 4 KiB
     * page (wasm_memory.c 1969-1973): only a whole number of pages makes the
     * bounds equal the allocation. At least one page: an empty memory could
     * not hold the core's buffers. */
    if (heap_base == 0 || heap_base % ESP_IDF_PAGE != 0) {
        return false;
    }
    /* Data segments must fit the shrunk memory, or instantiation fails
     * with "data segment does not fit" (wasm_runtime.c 2836, 2856). */
    return ck->data_offsets_known && ck->data_end_max <= heap_base;
}

static core_image_verdict_t check_rules(ck_t *ck, const core_image_limits_t *limits, core_image_info_t *info)
{
    if (!ck->seen_signature) {
        return refuse(info, CORE_IMAGE_NO_SIGNATURE, 0);
    }
    if (ck->section_after_signature) {
        return refuse(info, CORE_IMAGE_SIGNATURE_NOT_LAST, ck->signature_section_at);
    }
    if (ck->sig_len < CORE_IMAGE_SIG_MIN_LEN || ck->sig_len > CORE_IMAGE_SIG_MAX_LEN ||
        ck->base[ck->sig_offset] != 0x30) {
        return refuse(info, CORE_IMAGE_BAD_SIGNATURE_FORMAT, ck->sig_offset);
    }
    if (!ck->version_ok) { /* none, or more than one */
        return refuse(info, CORE_IMAGE_NO_VERSION, 0);
    }
    if (ck->import_problem != CORE_IMAGE_OK) {
        return refuse(info, ck->import_problem, ck->import_problem_at);
    }
    uint32_t heap_base = 0, data_end = 0;
    core_image_verdict_t v = check_exports(ck, info, &heap_base, &data_end);
    if (v != CORE_IMAGE_OK) {
        return v;
    }
    info->memory_bytes = heap_base;
    if (ck->has_start) {
        return refuse(info, CORE_IMAGE_START_FUNCTION, 0);
    }
    /* Rule 1: memory.grow or memory.size anywhere sets possible_memory_grow
     * (loader 14194, 14206) and WAMR keeps whole 64 KiB pages (6498). */
    if (ck->memory_instructions) {
        return refuse(info, CORE_IMAGE_MEMORY_GROW, 0);
    }
    if (!layout_ok(ck, heap_base, data_end)) {
        return refuse(info, CORE_IMAGE_LAYOUT, ck->heap_base_export.at);
    }
    if (heap_base > limits->max_memory) {
        return refuse(info, CORE_IMAGE_MEMORY_TOO_LARGE, ck->heap_base_export.at);
    }
    return CORE_IMAGE_OK;
}

/* ---- API ---------------------------------------------------------------- */

core_image_limits_t core_image_limits_default(void)
{
    core_image_limits_t l = {CORE_IMAGE_DEFAULT_MAX_LEN, CORE_IMAGE_DEFAULT_MAX_MEMORY, 0};
    return l;
}

static void clear(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        b[i] = 0;
    }
}

core_image_verdict_t core_image_check(const uint8_t *bytes, size_t len, const core_image_limits_t *limits,
                                      core_image_info_t *info)
{
    static const uint8_t header[WASM_HEADER_LEN] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    core_image_limits_t defaults = core_image_limits_default();
    if (limits == 0) {
        limits = &defaults;
    }
    clear(info, sizeof(*info));
    if (len > limits->max_len) {
        return refuse(info, CORE_IMAGE_TOO_LARGE, limits->max_len);
    }
    if (bytes == 0 || len < WASM_HEADER_LEN) {
        return refuse(info, CORE_IMAGE_NOT_WASM, 0);
    }
    for (size_t i = 0; i < WASM_HEADER_LEN; i++) {
        if (bytes[i] != header[i]) {
            return refuse(info, CORE_IMAGE_NOT_WASM, i);
        }
    }

    ck_t ck;
    clear(&ck, sizeof(ck));
    ck.base = bytes;
    ck.last_id = 0;
    ck.data_offsets_known = true;
    if (!read_sections(&ck, bytes, len)) {
        return refuse(info, ck.verdict, ck.error_offset);
    }
    if (ck.version_ok) {
        info->version = ck.version;
    }
    if (ck.seen_signature) {
        info->signed_len = ck.signature_section_at;
        info->sig_offset = ck.sig_offset;
        info->sig_len = ck.sig_len;
    }
    core_image_verdict_t v = check_rules(&ck, limits, info);
    if (v == CORE_IMAGE_OK && limits->sha256 != 0) {
        limits->sha256(bytes, info->signed_len, info->sha256);
        info->has_sha256 = true;
    }
    return v;
}

static const struct {
    const char *name;
    const char *text;
} VERDICTS[CORE_IMAGE_VERDICT_COUNT] = {
    [CORE_IMAGE_OK] = {"OK", "accepted"},
    [CORE_IMAGE_TOO_LARGE] = {"TOO_LARGE", "refused: larger than the size limit"},
    [CORE_IMAGE_NOT_WASM] = {"NOT_WASM", "refused: not a WebAssembly 1.0 module (bad magic or version)"},
    [CORE_IMAGE_TRUNCATED] = {"TRUNCATED", "refused: truncated (the file ends inside a section)"},
    [CORE_IMAGE_BAD_LEB128] = {"BAD_LEB128", "refused: malformed LEB128 number"},
    [CORE_IMAGE_BAD_SECTION] = {"BAD_SECTION", "refused: unknown, repeated or out-of-order section"},
    [CORE_IMAGE_BAD_SECTION_SIZE] = {"BAD_SECTION_SIZE", "refused: section contents do not match the section size"},
    [CORE_IMAGE_MALFORMED] = {"MALFORMED", "refused: malformed module (bad index, type, name or layout of an entry)"},
    [CORE_IMAGE_UNSUPPORTED] = {"UNSUPPORTED",
                                "refused: uses a feature or size the validator does not accept (multi-value, "
                                "bulk memory, reference types, too many types or locals)"},
    [CORE_IMAGE_BAD_INSTRUCTION] = {"BAD_INSTRUCTION", "refused: unknown, unsupported or invalid instruction"},
    [CORE_IMAGE_NO_SIGNATURE] = {"NO_SIGNATURE", "refused: not signed (no core-signature section)"},
    [CORE_IMAGE_SIGNATURE_NOT_LAST] = {"SIGNATURE_NOT_LAST", "refused: core-signature is not the last section"},
    [CORE_IMAGE_BAD_SIGNATURE_FORMAT] = {"BAD_SIGNATURE_FORMAT",
                                         "refused: core-signature does not hold a DER ECDSA P-256 signature"},
    [CORE_IMAGE_NO_VERSION] = {"NO_VERSION",
                               "refused: no single core-version section holding a 4-byte little-endian version"},
    [CORE_IMAGE_BAD_IMPORT] = {"BAD_IMPORT",
                               "refused: imports something outside the ABI (only functions of module host named "
                               "in docs/abi.md, each once)"},
    [CORE_IMAGE_IMPORT_TYPE] = {"IMPORT_TYPE", "refused: an import has another type than docs/abi.md gives it"},
    [CORE_IMAGE_EXPORT_MISSING] = {"EXPORT_MISSING", "refused: an export docs/abi.md requires is missing"},
    [CORE_IMAGE_EXPORT_TYPE] = {"EXPORT_TYPE", "refused: an export has another kind or type than docs/abi.md gives it"},
    [CORE_IMAGE_START_FUNCTION] = {"START_FUNCTION", "refused: has a start function"},
    [CORE_IMAGE_MEMORY_GROW] = {"MEMORY_GROW", "refused: uses memory.grow or memory.size"},
    [CORE_IMAGE_LAYOUT] = {"LAYOUT",
                           "refused: WAMR 2.4.0 would not shrink its linear memory to whole 4 KiB pages "
                           "(docs/abi.md Memory)"},
    [CORE_IMAGE_MEMORY_TOO_LARGE] = {"MEMORY_TOO_LARGE", "refused: needs more linear memory than the limit"},
    [CORE_IMAGE_BAD_SIGNATURE] = {"BAD_SIGNATURE", "refused: the signature does not verify with the project's key"},
    [CORE_IMAGE_NOT_NEWER] = {"NOT_NEWER", "refused: version not newer than the running core's"},
    [CORE_IMAGE_TRIAL_FAILED] = {"TRIAL_FAILED", "refused: failed its trial beside the running core"},
    [CORE_IMAGE_UPDATES_DISABLED] = {"UPDATES_DISABLED",
                                     "refused: updates are disabled (no public key built in; npm run keygen)"},
    [CORE_IMAGE_BUSY] = {"BUSY", "refused: another update is being applied, try again"},
};

int core_image_verdict_http_status(core_image_verdict_t verdict)
{
    switch (verdict) {
    case CORE_IMAGE_OK:
        return 200;
    case CORE_IMAGE_TOO_LARGE:
        return 413;
    case CORE_IMAGE_NOT_WASM:
    case CORE_IMAGE_TRUNCATED:
    case CORE_IMAGE_BAD_LEB128:
    case CORE_IMAGE_BAD_SECTION:
    case CORE_IMAGE_BAD_SECTION_SIZE:
    case CORE_IMAGE_MALFORMED:
    case CORE_IMAGE_UNSUPPORTED:
    case CORE_IMAGE_BAD_INSTRUCTION:
    case CORE_IMAGE_NO_VERSION:
        return 400;
    case CORE_IMAGE_NO_SIGNATURE:
    case CORE_IMAGE_SIGNATURE_NOT_LAST:
    case CORE_IMAGE_BAD_SIGNATURE_FORMAT:
    case CORE_IMAGE_BAD_SIGNATURE:
    case CORE_IMAGE_UPDATES_DISABLED:
        return 403;
    case CORE_IMAGE_NOT_NEWER:
        return 409;
    case CORE_IMAGE_BAD_IMPORT:
    case CORE_IMAGE_IMPORT_TYPE:
    case CORE_IMAGE_EXPORT_MISSING:
    case CORE_IMAGE_EXPORT_TYPE:
    case CORE_IMAGE_START_FUNCTION:
    case CORE_IMAGE_MEMORY_GROW:
    case CORE_IMAGE_LAYOUT:
    case CORE_IMAGE_MEMORY_TOO_LARGE:
    case CORE_IMAGE_TRIAL_FAILED:
        return 422;
    case CORE_IMAGE_BUSY:
        return 503;
    case CORE_IMAGE_VERDICT_COUNT:
    default:
        return 500;
    }
}

const char *core_image_verdict_text(core_image_verdict_t verdict)
{
    if ((unsigned)verdict >= CORE_IMAGE_VERDICT_COUNT) {
        return "unknown verdict";
    }
    return VERDICTS[verdict].text;
}

const char *core_image_verdict_name(core_image_verdict_t verdict)
{
    if ((unsigned)verdict >= CORE_IMAGE_VERDICT_COUNT) {
        return 0;
    }
    return VERDICTS[verdict].name;
}

bool core_image_version_acceptable(uint32_t running, uint32_t candidate)
{
    return candidate > running;
}
