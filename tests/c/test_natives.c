/*
 * The natives table the firmware registers with WAMR (core_abi.c) against
 * docs/abi.md and against the import/export sections of dist/core.wasm:
 *  - the table and abi.md's Imports table list the same names and WAMR
 *    signatures, in module "host";
 *  - core.wasm imports exactly those functions, with the wasm types abi.md
 *    states, and each signature stands for that wasm type;
 *  - every export the host calls exists with the type abi.md states.
 * Paths come from ABI_DOC / CORE_WASM (set by CMake, overridable by env).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "abi_md.h"
#include "core_abi.h"
#include "wasm_reader.h"

static const char *path_of(const char *env, const char *fallback)
{
    const char *p = getenv(env);
    return (p != NULL && *p != '\0') ? p : fallback;
}

typedef struct {
    abi_md_t md;
    wasm_module_info_t wasm;
} fixture_t;

static int setup(void **state)
{
    static fixture_t f;
    char err[160];
    size_t len = 0;
    const char *doc = path_of("ABI_DOC", ABI_DOC);
    uint8_t *text = wasm_read_file(doc, &len);
    if (text == NULL) {
        fprintf(stderr, "cannot read %s\n", doc);
        return -1;
    }
    char *s = malloc(len + 1);
    memcpy(s, text, len);
    s[len] = '\0';
    free(text);
    bool ok = abi_md_parse(s, &f.md, err, sizeof(err));
    free(s);
    if (!ok) {
        fprintf(stderr, "%s: %s\n", doc, err);
        return -1;
    }
    const char *wasm = path_of("CORE_WASM", CORE_WASM);
    uint8_t *bin = wasm_read_file(wasm, &len);
    if (bin == NULL) {
        fprintf(stderr, "cannot read %s: run npm run asbuild first\n", wasm);
        return -1;
    }
    ok = wasm_read(bin, len, &f.wasm, err, sizeof(err));
    free(bin);
    if (!ok) {
        fprintf(stderr, "%s: %s\n", wasm, err);
        return -1;
    }
    *state = &f;
    return 0;
}

static const abi_md_row_t *md_import(const abi_md_t *md, const char *name)
{
    for (size_t i = 0; i < md->nimports; i++) {
        if (strcmp(md->imports[i].name, name) == 0) {
            return &md->imports[i];
        }
    }
    return NULL;
}

static const abi_md_row_t *md_export(const abi_md_t *md, const char *name)
{
    for (size_t i = 0; i < md->nexports; i++) {
        if (strcmp(md->exports[i].name, name) == 0) {
            return &md->exports[i];
        }
    }
    return NULL;
}

static void natives_table_matches_abi_md(void **state)
{
    const fixture_t *f = *state;
    assert_string_equal(f->md.import_module, CORE_ABI_IMPORT_MODULE);
    assert_string_equal(CORE_ABI_IMPORT_MODULE, "host");
    assert_int_equal(f->md.nimports, CORE_ABI_NATIVE_COUNT);
    for (size_t i = 0; i < CORE_ABI_NATIVE_COUNT; i++) {
        const abi_md_row_t *row = md_import(&f->md, CORE_ABI_NATIVES[i].name);
        if (row == NULL) {
            fail_msg("native %s is not in docs/abi.md", CORE_ABI_NATIVES[i].name);
        }
        assert_string_equal(row->signature, CORE_ABI_NATIVES[i].signature);
        /* No name twice in the table. */
        for (size_t k = i + 1; k < CORE_ABI_NATIVE_COUNT; k++) {
            assert_string_not_equal(CORE_ABI_NATIVES[i].name, CORE_ABI_NATIVES[k].name);
        }
    }
}

static void wasm_imports_are_exactly_the_natives(void **state)
{
    const fixture_t *f = *state;
    assert_int_equal(f->wasm.nimports, CORE_ABI_NATIVE_COUNT);
    assert_int_equal(f->wasm.nfunc_imports, CORE_ABI_NATIVE_COUNT);
    for (uint32_t i = 0; i < f->wasm.nimports; i++) {
        const wasm_import_t *im = &f->wasm.imports[i];
        if (strcmp(im->module, CORE_ABI_IMPORT_MODULE) != 0) {
            fail_msg("core.wasm imports %s.%s: only module \"host\" is provided", im->module, im->name);
        }
        assert_int_equal(im->kind, 0);
        if (core_abi_find_native(im->name) == NULL) {
            fail_msg("core.wasm imports host.%s, which the natives table lacks", im->name);
        }
    }
}

static void abi_md_wasm_types_agree_with_import_section(void **state)
{
    const fixture_t *f = *state;
    for (uint32_t i = 0; i < f->wasm.nimports; i++) {
        const wasm_import_t *im = &f->wasm.imports[i];
        const abi_md_row_t *row = md_import(&f->md, im->name);
        assert_non_null(row);
        unsigned np, nr;
        if (!abi_md_parse_wasm_type(row->wasm_type, &np, &nr)) {
            fail_msg("abi.md type of %s unreadable: %s", im->name, row->wasm_type);
        }
        if (!abi_md_type_matches(&f->wasm.types[im->type_index], np, nr)) {
            fail_msg("host.%s: core.wasm type differs from abi.md %s", im->name, row->wasm_type);
        }
    }
}

static void signatures_stand_for_the_wasm_types(void **state)
{
    const fixture_t *f = *state;
    for (uint32_t i = 0; i < f->wasm.nimports; i++) {
        const wasm_import_t *im = &f->wasm.imports[i];
        const core_abi_native_t *n = core_abi_find_native(im->name);
        assert_non_null(n);
        unsigned np, nr;
        if (!abi_md_signature_arity(n->signature, &np, &nr)) {
            fail_msg("signature %s of %s is malformed", n->signature, n->name);
        }
        if (!abi_md_type_matches(&f->wasm.types[im->type_index], np, nr)) {
            fail_msg("signature %s of %s does not fit its wasm type", n->signature, n->name);
        }
    }
    /* The (ptr, len) pairs are bounds-checked by WAMR ('*~'). */
    assert_non_null(strstr(CORE_ABI_NATIVES[CORE_ABI_NATIVE_SSE_SEND].signature, "*~"));
    assert_non_null(strstr(CORE_ABI_NATIVES[CORE_ABI_NATIVE_SSE_BROADCAST].signature, "*~"));
}

static void exports_exist_with_abi_md_types(void **state)
{
    const fixture_t *f = *state;
    for (size_t i = 0; i < CORE_ABI_EXPORT_COUNT; i++) {
        const core_abi_export_t *e = &CORE_ABI_EXPORTS[i];
        const abi_md_row_t *row = md_export(&f->md, e->name);
        if (row == NULL) {
            fail_msg("export %s is not in docs/abi.md", e->name);
        }
        assert_string_equal(row->kind, "function");
        unsigned np, nr;
        assert_true(abi_md_parse_wasm_type(row->wasm_type, &np, &nr));
        assert_int_equal(np, e->params);
        assert_int_equal(nr, e->results);
        const wasm_export_t *we = wasm_find_export(&f->wasm, e->name);
        if (we == NULL) {
            fail_msg("core.wasm does not export %s", e->name);
        }
        assert_int_equal(we->kind, 0);
        assert_true(abi_md_type_matches(wasm_func_type(&f->wasm, we->index), np, nr));
    }
    /* Every function export abi.md lists is one the host knows. */
    for (size_t i = 0; i < f->md.nexports; i++) {
        if (strcmp(f->md.exports[i].kind, "function") != 0) {
            continue;
        }
        bool known = false;
        for (size_t k = 0; k < CORE_ABI_EXPORT_COUNT; k++) {
            known = known || strcmp(CORE_ABI_EXPORTS[k].name, f->md.exports[i].name) == 0;
        }
        if (!known) {
            fail_msg("abi.md export %s missing from CORE_ABI_EXPORTS", f->md.exports[i].name);
        }
    }
    const wasm_export_t *mem = wasm_find_export(&f->wasm, "memory");
    assert_non_null(mem);
    assert_int_equal(mem->kind, 2);
}

/* The checks above must be able to fail: feed them wrong inputs. */
static void checkers_reject_mismatches(void **state)
{
    (void)state;
    unsigned np, nr;
    assert_true(abi_md_signature_arity("(i*~)i", &np, &nr));
    assert_int_equal(np, 3);
    assert_int_equal(nr, 1);
    assert_true(abi_md_signature_arity("(*~)", &np, &nr));
    assert_int_equal(np, 2);
    assert_int_equal(nr, 0);
    assert_false(abi_md_signature_arity("(~*)", &np, &nr));
    assert_false(abi_md_signature_arity("(i~)", &np, &nr));
    assert_false(abi_md_signature_arity("(iI)", &np, &nr));
    assert_false(abi_md_signature_arity("(i)ii", &np, &nr));
    assert_false(abi_md_signature_arity("i)", &np, &nr));
    assert_false(abi_md_signature_arity("(i", &np, &nr));

    assert_true(abi_md_parse_wasm_type("(i32, i32, i32) -> i32", &np, &nr));
    assert_int_equal(np, 3);
    assert_true(abi_md_parse_wasm_type("() -> nil", &np, &nr));
    assert_int_equal(np, 0);
    assert_int_equal(nr, 0);
    assert_false(abi_md_parse_wasm_type("(i64) -> nil", &np, &nr));
    assert_false(abi_md_parse_wasm_type("(i32,) -> nil", &np, &nr));
    assert_false(abi_md_parse_wasm_type("(i32) -> f32", &np, &nr));

    wasm_functype_t t = {.params = {WASM_I32, WASM_I32}, .nparams = 2, .nresults = 0};
    assert_true(abi_md_type_matches(&t, 2, 0));
    assert_false(abi_md_type_matches(&t, 2, 1));
    assert_false(abi_md_type_matches(&t, 3, 0));
    t.params[1] = 0x7e; /* i64 */
    assert_false(abi_md_type_matches(&t, 2, 0));
}

static void abi_md_parser_rejects_broken_tables(void **state)
{
    (void)state;
    abi_md_t md;
    char err[160];
    assert_false(abi_md_parse("# nothing here\n", &md, err, sizeof(err)));
    assert_false(abi_md_parse("## Imports\n| `a` | `() -> nil` | `()` | x |\n", &md, err, sizeof(err)));
    const char *short_row = "## Imports (module `host`)\n| `a` | `() -> nil` |\n## Exports\n";
    assert_false(abi_md_parse(short_row, &md, err, sizeof(err)));
    const char *good = "## Imports (module `env`)\n"
                       "| name | t | s | m |\n|---|---|---|---|\n"
                       "| `f` | `(i32) -> nil` | `(i)` | a \\| b |\n"
                       "## Exports\n| `g` | function | `() -> i32` | c |\n### next\n| `h` | x | y | z |\n";
    assert_true(abi_md_parse(good, &md, err, sizeof(err)));
    assert_string_equal(md.import_module, "env");
    assert_int_equal(md.nimports, 1);
    assert_string_equal(md.imports[0].signature, "(i)");
    assert_int_equal(md.nexports, 1); /* stops at the next heading */
    assert_string_equal(md.exports[0].wasm_type, "() -> i32");
}

static void wasm_reader_rejects_malformed_input(void **state)
{
    (void)state;
    wasm_module_info_t m;
    char err[160];
    static const uint8_t header_only[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    assert_true(wasm_read(header_only, sizeof(header_only), &m, err, sizeof(err)));
    assert_int_equal(m.nimports, 0);
    static const uint8_t bad_magic[] = {0, 'a', 's', 'x', 1, 0, 0, 0};
    assert_false(wasm_read(bad_magic, sizeof(bad_magic), &m, err, sizeof(err)));
    assert_false(wasm_read(header_only, 4, &m, err, sizeof(err)));
    /* A section claiming more bytes than the file has. */
    static const uint8_t overlong[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0x7f, 0x01};
    assert_false(wasm_read(overlong, sizeof(overlong), &m, err, sizeof(err)));
    /* LEB128 that never ends. */
    static const uint8_t endless[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    assert_false(wasm_read(endless, sizeof(endless), &m, err, sizeof(err)));
    /* One type "(i32) -> ()" then an import whose type index is out of range. */
    static const uint8_t bad_index[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                        1, 5, 1, 0x60, 1, 0x7f, 0,
                                        2, 7, 1, 1, 'h', 1, 'f', 0, 9};
    assert_false(wasm_read(bad_index, sizeof(bad_index), &m, err, sizeof(err)));
    static const uint8_t good_import[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                          1, 5, 1, 0x60, 1, 0x7f, 0,
                                          2, 7, 1, 1, 'h', 1, 'f', 0, 0};
    assert_true(wasm_read(good_import, sizeof(good_import), &m, err, sizeof(err)));
    assert_string_equal(m.imports[0].module, "h");
    assert_string_equal(m.imports[0].name, "f");
    assert_true(abi_md_type_matches(wasm_func_type(&m, 0), 1, 0));
    assert_null(wasm_func_type(&m, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(natives_table_matches_abi_md),
        cmocka_unit_test(wasm_imports_are_exactly_the_natives),
        cmocka_unit_test(abi_md_wasm_types_agree_with_import_section),
        cmocka_unit_test(signatures_stand_for_the_wasm_types),
        cmocka_unit_test(exports_exist_with_abi_md_types),
    };
    const struct CMUnitTest self_tests[] = {
        cmocka_unit_test(checkers_reject_mismatches),
        cmocka_unit_test(abi_md_parser_rejects_broken_tables),
        cmocka_unit_test(wasm_reader_rejects_malformed_input),
    };
    int failed = cmocka_run_group_tests_name("natives_vs_core_wasm", tests, setup, NULL);
    failed += cmocka_run_group_tests_name("abi_checkers", self_tests, NULL, NULL);
    return failed;
}
