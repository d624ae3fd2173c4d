/*
 * Reads the Imports and Exports tables of docs/abi.md (rows whose first cell
 * is a name in backticks) and helpers to compare their type strings with
 * wasm function types and WAMR signatures. Test-only code.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "wasm_reader.h"

#define ABI_MD_MAX_ROWS 32
#define ABI_MD_CELL 128

typedef struct {
    char name[ABI_MD_CELL];
    char kind[ABI_MD_CELL];      /* exports: function / memory / global */
    char wasm_type[ABI_MD_CELL]; /* e.g. "(i32, i32) -> nil" */
    char signature[ABI_MD_CELL]; /* imports: WAMR signature, e.g. "(*~)" */
} abi_md_row_t;

typedef struct {
    char import_module[ABI_MD_CELL]; /* from the "## Imports (module `host`)" heading */
    abi_md_row_t imports[ABI_MD_MAX_ROWS];
    size_t nimports;
    abi_md_row_t exports[ABI_MD_MAX_ROWS];
    size_t nexports;
} abi_md_t;

/* Parses the markdown text. False (with err) when a table is missing or a
 * row does not have the expected number of cells. */
bool abi_md_parse(const char *text, abi_md_t *out, char *err, size_t err_len);

/* Parses "(i32, i32) -> i32" / "() -> nil" into counts of i32 params and
 * results. False for any other value type or malformed text. */
bool abi_md_parse_wasm_type(const char *s, unsigned *nparams, unsigned *nresults);

/* True when wasm function type t is exactly nparams i32 -> nresults i32. */
bool abi_md_type_matches(const wasm_functype_t *t, unsigned nparams, unsigned nresults);

/* Expands a WAMR signature into the wasm i32 count it stands for: each of
 * 'i', '*', '~', '$' is one i32 parameter; '~' must directly follow '*';
 * the result after ')' is empty or 'i'. False for anything else (this
 * project passes only i32). */
bool abi_md_signature_arity(const char *sig, unsigned *nparams, unsigned *nresults);
