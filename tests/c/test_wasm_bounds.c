/* wasm_bounds: (ptr, len) checks against the linear memory size, including
 * the ranges where a naive ptr + len would wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wasm_bounds.h"

static void inside_and_edges(void **state)
{
    (void)state;
    assert_true(wasm_bounds_ok(4096, 0, 4096));
    assert_true(wasm_bounds_ok(4096, 4095, 1));
    assert_true(wasm_bounds_ok(4096, 100, 0));
    assert_true(wasm_bounds_ok(4096, 4096, 0)); /* empty range at the end */
    assert_false(wasm_bounds_ok(4096, 4096, 1));
    assert_false(wasm_bounds_ok(4096, 4097, 0));
    assert_false(wasm_bounds_ok(4096, 0, 4097));
    assert_false(wasm_bounds_ok(4096, 4000, 97));
    assert_true(wasm_bounds_ok(4096, 4000, 96));
}

static void empty_memory(void **state)
{
    (void)state;
    assert_true(wasm_bounds_ok(0, 0, 0));
    assert_false(wasm_bounds_ok(0, 0, 1));
    assert_false(wasm_bounds_ok(0, 1, 0));
}

static void no_wraparound(void **state)
{
    (void)state;
    /* In 32-bit arithmetic 0xFFFFFFF0 + 0x20 wraps to 0x10 < 4096. */
    assert_false(wasm_bounds_ok(4096, 0xFFFFFFF0u, 0x20u));
    assert_false(wasm_bounds_ok(4096, 0x10u, 0xFFFFFFF8u));
    assert_false(wasm_bounds_ok(4096, UINT32_MAX, UINT32_MAX));
    assert_false(wasm_bounds_ok(4096, UINT32_MAX, 1));
    /* A full 4 GiB memory holds every 32-bit range that ends at 2^32. */
    assert_true(wasm_bounds_ok(UINT64_C(1) << 32, UINT32_MAX, 1));
    assert_false(wasm_bounds_ok(UINT64_C(1) << 32, UINT32_MAX, 2));
    assert_true(wasm_bounds_ok(UINT64_MAX, UINT32_MAX, UINT32_MAX));
}

static void i32_values_are_unsigned_offsets(void **state)
{
    (void)state;
    assert_true(wasm_bounds_ok_i32(4096, 972, 64));
    assert_false(wasm_bounds_ok_i32(4096, -1, 1));
    assert_false(wasm_bounds_ok_i32(4096, 0, -1));
    assert_false(wasm_bounds_ok_i32(4096, INT32_MIN, 0));
    assert_false(wasm_bounds_ok_i32(4096, INT32_MAX, INT32_MAX));
    /* With 4 GiB of memory, -16 is the valid offset 0xFFFFFFF0. */
    assert_true(wasm_bounds_ok_i32(UINT64_C(1) << 32, -16, 16));
    assert_false(wasm_bounds_ok_i32(UINT64_C(1) << 32, -16, 17));
}

static void copy_len_is_min(void **state)
{
    (void)state;
    assert_int_equal(wasm_bounds_copy_len(3, 64), 3);
    assert_int_equal(wasm_bounds_copy_len(64, 64), 64);
    assert_int_equal(wasm_bounds_copy_len(65, 64), 64);
    assert_int_equal(wasm_bounds_copy_len(SIZE_MAX, 64), 64);
    assert_int_equal(wasm_bounds_copy_len(0, 0), 0);
}

static void memory_size_saturates(void **state)
{
    (void)state;
    assert_true(wasm_bounds_memory_size(1, 4096) == 4096);
    assert_true(wasm_bounds_memory_size(2, 65536) == 131072);
    assert_true(wasm_bounds_memory_size(0, UINT64_MAX) == 0);
    assert_true(wasm_bounds_memory_size(65536, 65536) == (UINT64_C(1) << 32));
    assert_true(wasm_bounds_memory_size(UINT64_MAX, 2) == UINT64_MAX);
    assert_true(wasm_bounds_memory_size(UINT64_C(1) << 33, UINT64_C(1) << 31) == UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inside_and_edges),
        cmocka_unit_test(empty_memory),
        cmocka_unit_test(no_wraparound),
        cmocka_unit_test(i32_values_are_unsigned_offsets),
        cmocka_unit_test(copy_len_is_min),
        cmocka_unit_test(memory_size_saturates),
    };
    return cmocka_run_group_tests_name("wasm_bounds", tests, NULL, NULL);
}
