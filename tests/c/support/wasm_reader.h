/*
 * Minimal reader of a wasm binary's type, import, function and export
 * sections: enough to compare core.wasm with docs/abi.md and the C natives
 * table. Test-only code; every read is bounds-checked.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WASM_MAX_TYPES 64
#define WASM_MAX_PARAMS 16
#define WASM_MAX_IMPORTS 64
#define WASM_MAX_EXPORTS 64
#define WASM_MAX_FUNCS 512
#define WASM_NAME_MAX 64

#define WASM_I32 0x7f

typedef struct {
    uint8_t params[WASM_MAX_PARAMS];
    uint32_t nparams;
    uint8_t results[2];
    uint32_t nresults;
} wasm_functype_t;

typedef struct {
    char module[WASM_NAME_MAX];
    char name[WASM_NAME_MAX];
    uint8_t kind;     /* 0 func, 1 table, 2 memory, 3 global */
    uint32_t type_index; /* for functions */
} wasm_import_t;

typedef struct {
    char name[WASM_NAME_MAX];
    uint8_t kind;
    uint32_t index;
} wasm_export_t;

typedef struct {
    wasm_functype_t types[WASM_MAX_TYPES];
    uint32_t ntypes;
    wasm_import_t imports[WASM_MAX_IMPORTS];
    uint32_t nimports;
    uint32_t nfunc_imports;
    uint32_t func_types[WASM_MAX_FUNCS]; /* type index of each defined function */
    uint32_t nfuncs;
    wasm_export_t exports[WASM_MAX_EXPORTS];
    uint32_t nexports;
} wasm_module_info_t;

/* Parses buf[0..len). Returns false (with a reason in err) on anything
 * malformed or beyond the limits above. */
bool wasm_read(const uint8_t *buf, size_t len, wasm_module_info_t *out, char *err, size_t err_len);

/* Type of function index fi (imports first, then defined functions), or NULL. */
const wasm_functype_t *wasm_func_type(const wasm_module_info_t *m, uint32_t fi);

/* Export by name, or NULL. */
const wasm_export_t *wasm_find_export(const wasm_module_info_t *m, const char *name);

/* Reads a whole file into a malloc'ed buffer; NULL if it cannot be read. */
uint8_t *wasm_read_file(const char *path, size_t *len_out);
