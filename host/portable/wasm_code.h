/*
 * Decoder of one WebAssembly function body (spec 5.4 "Instructions",
 * 5.5.13 "Code Section"), instruction by instruction with every immediate
 * read, so an opcode is never confused with a constant or an offset. It
 * accepts the MVP instruction set plus the two extensions asc emits by
 * default: sign extension (0xC0-0xC4) and non-trapping float-to-int
 * conversions (0xFC 0-7). Anything else is refused, so what it reports
 * (memory.grow, memory.size) cannot hide behind an instruction it does not
 * understand. Linear time, constant stack, no allocation, no libc.
 *
 * It is not a full validator (no operand-stack typing): WAMR's loader and
 * WebAssembly.compile do that later. It checks what keeps the instruction
 * boundaries certain and the indices in range.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most locals (parameters included) one function may declare. WAMR
 * allocates per-local bookkeeping at load (wasm_loader.c 3937); asc's
 * functions use a few dozen. */
#define WASM_CODE_MAX_LOCALS 1024u

typedef enum {
    WASM_CODE_OK = 0,
    WASM_CODE_BAD_LEB,         /* an immediate or a count is a bad LEB128 */
    WASM_CODE_BAD_INSTRUCTION, /* unknown/unsupported opcode or immediate, index out of range */
    WASM_CODE_MALFORMED,       /* ends inside an instruction or block, bytes after the final end, bad local type */
    WASM_CODE_TOO_MANY_LOCALS, /* more than WASM_CODE_MAX_LOCALS */
} wasm_code_status_t;

/* What the body may refer to. */
typedef struct {
    uint32_t params;    /* parameters of the function's type (the first locals) */
    uint32_t types;     /* size of the type index space */
    uint32_t functions; /* size of the function index space (imports + defined) */
    uint32_t globals;   /* size of the global index space */
    bool has_memory;
    bool has_table;
} wasm_code_env_t;

typedef struct {
    bool memory_grow; /* contains memory.grow */
    bool memory_size; /* contains memory.size */
    size_t error_at;  /* offset in the body where decoding stopped, on failure */
} wasm_code_facts_t;

/* Decodes body[0 .. len): the local declarations, then instructions up to
 * the `end` that closes the function, which must be the last byte. */
wasm_code_status_t wasm_code_scan(const uint8_t *body, size_t len, const wasm_code_env_t *env,
                                  wasm_code_facts_t *facts);

#ifdef __cplusplus
}
#endif
