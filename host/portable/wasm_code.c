/* Function-body decoder (wasm_code.h). Opcode numbers and immediates from
 * the WebAssembly Core Specification 1.0, 5.4, the sign-extension-ops and
 * nontrapping-float-to-int-conversions proposals (merged in 2.0, 5.4.5
 * and 5.4.7). */
#include "wasm_code.h"

#include "wasm_leb.h"

#define OP_BLOCK 0x02
#define OP_LOOP 0x03
#define OP_IF 0x04
#define OP_ELSE 0x05
#define OP_END 0x0b
#define OP_BR 0x0c
#define OP_BR_IF 0x0d
#define OP_BR_TABLE 0x0e
#define OP_CALL 0x10
#define OP_CALL_INDIRECT 0x11
#define OP_LOCAL_GET 0x20
#define OP_LOCAL_TEE 0x22
#define OP_GLOBAL_GET 0x23
#define OP_GLOBAL_SET 0x24
#define OP_FIRST_MEMARG 0x28 /* i32.load */
#define OP_LAST_MEMARG 0x3e  /* i64.store32 */
#define OP_MEMORY_SIZE 0x3f
#define OP_MEMORY_GROW 0x40
#define OP_I32_CONST 0x41
#define OP_I64_CONST 0x42
#define OP_F32_CONST 0x43
#define OP_F64_CONST 0x44
#define OP_FIRST_NUMERIC 0x45 /* i32.eqz */
#define OP_LAST_SIGN_EXT 0xc4 /* i64.extend32_s */
#define OP_PREFIX_FC 0xfc
#define FC_LAST_TRUNC_SAT 7 /* i64.trunc_sat_f64_u */

#define BLOCKTYPE_EMPTY 0x40

static bool is_valtype(uint8_t b)
{
    return b == 0x7f || b == 0x7e || b == 0x7d || b == 0x7c; /* i32 i64 f32 f64 */
}

/* log2 of the natural alignment of each load/store, 0x28..0x3e: an
 * alignment hint above it is invalid (spec 3.3.4), which also refuses the
 * multi-memory encoding (bit 6 of the alignment field). */
static const uint8_t MEMARG_MAX_ALIGN[OP_LAST_MEMARG - OP_FIRST_MEMARG + 1] = {
    2, 3, 2, 3,       /* i32.load i64.load f32.load f64.load */
    0, 0, 1, 1,       /* i32.load8_s/u i32.load16_s/u */
    0, 0, 1, 1, 2, 2, /* i64.load8_s/u i64.load16_s/u i64.load32_s/u */
    2, 3, 2, 3,       /* i32.store i64.store f32.store f64.store */
    0, 1,             /* i32.store8 i32.store16 */
    0, 1, 2,          /* i64.store8 i64.store16 i64.store32 */
};

static wasm_code_status_t status_of(const wasm_rd_t *r)
{
    return r->fail == WASM_RD_BAD_LEB ? WASM_CODE_BAD_LEB : WASM_CODE_MALFORMED;
}

/* Local declarations: vec(count, valtype). */
static wasm_code_status_t scan_locals(wasm_rd_t *r, uint32_t params, uint32_t *locals)
{
    uint32_t groups = wasm_rd_u32(r);
    if (r->fail != WASM_RD_OK) {
        return status_of(r);
    }
    uint32_t total = params;
    if (total > WASM_CODE_MAX_LOCALS) {
        return WASM_CODE_TOO_MANY_LOCALS;
    }
    for (uint32_t i = 0; i < groups && r->fail == WASM_RD_OK; i++) {
        uint32_t n = wasm_rd_u32(r);
        uint8_t type = wasm_rd_u8(r);
        if (r->fail != WASM_RD_OK) {
            break;
        }
        if (!is_valtype(type)) {
            return WASM_CODE_MALFORMED;
        }
        if (n > WASM_CODE_MAX_LOCALS - total) {
            return WASM_CODE_TOO_MANY_LOCALS;
        }
        total += n;
    }
    if (r->fail != WASM_RD_OK) {
        return status_of(r);
    }
    *locals = total;
    return WASM_CODE_OK;
}

/* One instruction's immediates after its opcode; updates the block depth. */
static wasm_code_status_t scan_instruction(wasm_rd_t *r, uint8_t op, const wasm_code_env_t *env, uint32_t locals,
                                           uint32_t *depth, wasm_code_facts_t *facts)
{
    uint32_t idx;
    switch (op) {
    case 0x00: /* unreachable */
    case 0x01: /* nop */
    case OP_ELSE:
    case 0x0f: /* return */
    case 0x1a: /* drop */
    case 0x1b: /* select */
        return WASM_CODE_OK;
    case OP_BLOCK:
    case OP_LOOP:
    case OP_IF: {
        /* MVP block types only: empty or one value type (no type index). */
        uint8_t bt = wasm_rd_u8(r);
        if (r->fail != WASM_RD_OK) {
            return status_of(r);
        }
        if (bt != BLOCKTYPE_EMPTY && !is_valtype(bt)) {
            return WASM_CODE_BAD_INSTRUCTION;
        }
        (*depth)++; /* bounded: each level costs a byte of the body */
        return WASM_CODE_OK;
    }
    case OP_END:
        (*depth)--;
        return WASM_CODE_OK;
    case OP_BR:
    case OP_BR_IF:
        idx = wasm_rd_u32(r);
        if (r->fail != WASM_RD_OK) {
            return status_of(r);
        }
        return idx < *depth ? WASM_CODE_OK : WASM_CODE_BAD_INSTRUCTION;
    case OP_BR_TABLE: {
        uint32_t n = wasm_rd_u32(r);
        if (r->fail != WASM_RD_OK) {
            return status_of(r);
        }
        if (n >= wasm_rd_left(r)) { /* n + 1 labels of at least one byte each */
            return WASM_CODE_MALFORMED;
        }
        for (uint32_t i = 0; i <= n && r->fail == WASM_RD_OK; i++) {
            idx = wasm_rd_u32(r);
            if (r->fail == WASM_RD_OK && idx >= *depth) {
                return WASM_CODE_BAD_INSTRUCTION;
            }
        }
        return r->fail != WASM_RD_OK ? status_of(r) : WASM_CODE_OK;
    }
    case OP_CALL:
        idx = wasm_rd_u32(r);
        if (r->fail != WASM_RD_OK) {
            return status_of(r);
        }
        return idx < env->functions ? WASM_CODE_OK : WASM_CODE_BAD_INSTRUCTION;
    case OP_CALL_INDIRECT: {
        idx = wasm_rd_u32(r);
        uint8_t table = wasm_rd_u8(r); /* MVP: a reserved 0x00 byte */
        if (r->fail != WASM_RD_OK) {
            return status_of(r);
        }
        return idx < env->types && table == 0 && env->has_table ? WASM_CODE_OK : WASM_CODE_BAD_INSTRUCTION;
    }
    case OP_LOCAL_GET:
    case 0x21: /* local.set */
    case OP_LOCAL_TEE:
        idx = wasm_rd_u32(r);
        if (r->fail != WASM_RD_OK) {
            return status_of(r);
        }
        return idx < locals ? WASM_CODE_OK : WASM_CODE_BAD_INSTRUCTION;
    case OP_GLOBAL_GET:
    case OP_GLOBAL_SET:
        idx = wasm_rd_u32(r);
        if (r->fail != WASM_RD_OK) {
            return status_of(r);
        }
        return idx < env->globals ? WASM_CODE_OK : WASM_CODE_BAD_INSTRUCTION;
    case OP_MEMORY_SIZE:
    case OP_MEMORY_GROW: {
        uint8_t mem = wasm_rd_u8(r); /* MVP: a reserved 0x00 byte */
        if (r->fail != WASM_RD_OK) {
            return status_of(r);
        }
        if (mem != 0 || !env->has_memory) {
            return WASM_CODE_BAD_INSTRUCTION;
        }
        if (op == OP_MEMORY_GROW) {
            facts->memory_grow = true;
        } else {
            facts->memory_size = true;
        }
        return WASM_CODE_OK;
    }
    case OP_I32_CONST:
        (void)wasm_rd_sleb(r, 32);
        return r->fail != WASM_RD_OK ? status_of(r) : WASM_CODE_OK;
    case OP_I64_CONST:
        (void)wasm_rd_sleb(r, 64);
        return r->fail != WASM_RD_OK ? status_of(r) : WASM_CODE_OK;
    case OP_F32_CONST:
        wasm_rd_skip(r, 4);
        return r->fail != WASM_RD_OK ? status_of(r) : WASM_CODE_OK;
    case OP_F64_CONST:
        wasm_rd_skip(r, 8);
        return r->fail != WASM_RD_OK ? status_of(r) : WASM_CODE_OK;
    case OP_PREFIX_FC: {
        uint32_t sub = wasm_rd_u32(r);
        if (r->fail != WASM_RD_OK) {
            return status_of(r);
        }
        /* Only the saturating truncations (no immediates); bulk memory and
         * table ops are refused. */
        return sub <= FC_LAST_TRUNC_SAT ? WASM_CODE_OK : WASM_CODE_BAD_INSTRUCTION;
    }
    default:
        break;
    }
    if (op >= OP_FIRST_MEMARG && op <= OP_LAST_MEMARG) {
        uint32_t align = wasm_rd_u32(r);
        (void)wasm_rd_u32(r); /* offset */
        if (r->fail != WASM_RD_OK) {
            return status_of(r);
        }
        if (!env->has_memory || align > MEMARG_MAX_ALIGN[op - OP_FIRST_MEMARG]) {
            return WASM_CODE_BAD_INSTRUCTION;
        }
        return WASM_CODE_OK;
    }
    if (op >= OP_FIRST_NUMERIC && op <= OP_LAST_SIGN_EXT) {
        return WASM_CODE_OK; /* numeric, conversions, reinterpretations, sign extension: no immediates */
    }
    /* 0x06-0x0a (exceptions), 0x12-0x19 (tail calls, ...), 0x1c (typed
     * select), 0x25-0x27 (tables), 0xc5+ (references, SIMD, threads, ...). */
    return WASM_CODE_BAD_INSTRUCTION;
}

wasm_code_status_t wasm_code_scan(const uint8_t *body, size_t len, const wasm_code_env_t *env,
                                  wasm_code_facts_t *facts)
{
    facts->memory_grow = false;
    facts->memory_size = false;
    facts->error_at = 0;
    wasm_rd_t r = wasm_rd_init(body, len);
    uint32_t locals = 0;
    wasm_code_status_t st = scan_locals(&r, env->params, &locals);
    uint32_t depth = 1; /* the body is a block closed by its final end */
    const uint8_t *op_at = r.p;
    while (st == WASM_CODE_OK && depth > 0) {
        op_at = r.p;
        uint8_t op = wasm_rd_u8(&r);
        if (r.fail != WASM_RD_OK) {
            st = WASM_CODE_MALFORMED; /* the body ends inside a block */
            break;
        }
        st = scan_instruction(&r, op, env, locals, &depth, facts);
    }
    if (st == WASM_CODE_OK && wasm_rd_left(&r) != 0) {
        op_at = r.p;
        st = WASM_CODE_MALFORMED; /* bytes after the function's final end */
    }
    if (st != WASM_CODE_OK) {
        facts->error_at = (size_t)(op_at - body);
    }
    return st;
}
