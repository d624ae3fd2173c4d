/* core_abi: init() argument ranges, restart arithmetic and lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core_abi.h"

static void settings_ranges(void **state)
{
    (void)state;
    assert_true(core_abi_settings_valid(30, 15000));
    assert_true(core_abi_settings_valid(1, 0));
    assert_true(core_abi_settings_valid(1000, 1000));
    assert_true(core_abi_settings_valid(1000, 600000));
    assert_false(core_abi_settings_valid(0, 0));
    assert_false(core_abi_settings_valid(1001, 0));
    assert_false(core_abi_settings_valid(30, 1));
    assert_false(core_abi_settings_valid(30, 999));
    assert_false(core_abi_settings_valid(30, 600001));
    assert_false(core_abi_settings_valid(UINT32_MAX, UINT32_MAX));
}

static void led_values(void **state)
{
    (void)state;
    assert_true(core_abi_led_args_valid(0, 0));
    assert_true(core_abi_led_args_valid(1, INT32_MAX));
    assert_false(core_abi_led_args_valid(2, 0));
    assert_false(core_abi_led_args_valid(-1, 0));
    assert_false(core_abi_led_args_valid(INT32_MIN, 0));
    assert_false(core_abi_led_args_valid(1, -1)); /* ids are never negative */
    assert_false(core_abi_led_args_valid(0, INT32_MIN));
}

static void next_first_id(void **state)
{
    (void)state;
    assert_int_equal(core_abi_next_first_id(0), 1);
    assert_int_equal(core_abi_next_first_id(41), 42);
    assert_int_equal(core_abi_next_first_id(INT32_MAX - 1), INT32_MAX);
    assert_int_equal(core_abi_next_first_id(INT32_MAX), 0); /* no signed overflow */
    assert_int_equal(core_abi_next_first_id(-1), 0);
    assert_int_equal(core_abi_next_first_id(INT32_MIN), 0);
}

static void restart_backoff(void **state)
{
    (void)state;
    assert_int_equal(core_abi_restart_delay_ms(0), 0);
    assert_int_equal(core_abi_restart_delay_ms(1), 0);
    assert_int_equal(core_abi_restart_delay_ms(3), 0);
    assert_int_equal(core_abi_restart_delay_ms(4), 250);
    assert_int_equal(core_abi_restart_delay_ms(5), 500);
    assert_int_equal(core_abi_restart_delay_ms(6), 1000);
    uint32_t prev = 0;
    for (uint32_t n = 0; n < 100; n++) {
        uint32_t d = core_abi_restart_delay_ms(n);
        assert_true(d >= prev); /* never shrinks */
        assert_true(d <= 8000); /* capped */
        prev = d;
    }
    assert_int_equal(core_abi_restart_delay_ms(UINT32_MAX), 8000);
}

static void find_native(void **state)
{
    (void)state;
    const core_abi_native_t *n = core_abi_find_native("sse_send");
    assert_non_null(n);
    assert_string_equal(n->signature, "(i*~)i");
    assert_ptr_equal(n, &CORE_ABI_NATIVES[CORE_ABI_NATIVE_SSE_SEND]);
    assert_null(core_abi_find_native("abort"));
    assert_null(core_abi_find_native(""));
    assert_null(core_abi_find_native(NULL));
}

static void export_table_is_complete(void **state)
{
    (void)state;
    for (size_t i = 0; i < CORE_ABI_EXPORT_COUNT; i++) {
        assert_non_null(CORE_ABI_EXPORTS[i].name);
        assert_true(CORE_ABI_EXPORTS[i].results <= 1);
    }
    assert_string_equal(CORE_ABI_EXPORTS[CORE_ABI_EXPORT_INIT].name, "init");
    assert_int_equal(CORE_ABI_EXPORTS[CORE_ABI_EXPORT_INIT].params, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_ranges),
        cmocka_unit_test(led_values),
        cmocka_unit_test(next_first_id),
        cmocka_unit_test(restart_backoff),
        cmocka_unit_test(find_native),
        cmocka_unit_test(export_table_is_complete),
    };
    return cmocka_run_group_tests_name("core_abi", tests, NULL, NULL);
}
