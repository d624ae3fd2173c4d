/* core_watch: K faults within T of an uploaded core roll it back, T without
 * them confirms it (docs/update.md "What an upload goes through", step 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core_watch.h"

static void k_faults_within_the_window_roll_back(void **state)
{
    (void)state;
    core_watch_t w;
    core_watch_init(&w, 3, 60000);
    core_watch_start(&w, 1000, true);
    assert_int_equal(core_watch_fault(&w, 1000), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_fault(&w, 30000), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_fault(&w, 60999), CORE_WATCH_ROLLBACK); /* 59,999 ms after the start */
    assert_int_equal(w.traps, 3);
    /* Disarmed: more faults of the same core do not ask twice. */
    assert_false(w.on_trial);
    assert_int_equal(core_watch_fault(&w, 61000), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_wait_ms(&w, 61000), CORE_WATCH_FOREVER);
}

static void fewer_faults_confirm_after_the_window(void **state)
{
    (void)state;
    core_watch_t w;
    core_watch_init(&w, 3, 60000);
    core_watch_start(&w, 500, true);
    assert_int_equal(core_watch_fault(&w, 600), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_fault(&w, 700), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_wait_ms(&w, 700), 59800);
    assert_int_equal(core_watch_tick(&w, 60499), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_wait_ms(&w, 60499), 1);
    assert_int_equal(core_watch_tick(&w, 60500), CORE_WATCH_CONFIRM);
    assert_int_equal(core_watch_tick(&w, 60501), CORE_WATCH_KEEP); /* once */
    assert_int_equal(core_watch_wait_ms(&w, 60501), CORE_WATCH_FOREVER);
    /* A confirmed core is restarted on faults, never rolled back. */
    for (uint32_t i = 0; i < 10; i++) {
        assert_int_equal(core_watch_fault(&w, 61000 + i), CORE_WATCH_KEEP);
    }
    assert_int_equal(w.traps, 12);
}

static void a_fault_after_the_window_confirms(void **state)
{
    (void)state;
    core_watch_t w;
    core_watch_init(&w, 3, 60000);
    core_watch_start(&w, 0, true);
    assert_int_equal(core_watch_fault(&w, 10), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_fault(&w, 20), CORE_WATCH_KEEP);
    /* The task slept through the deadline: the third fault comes at T. */
    assert_int_equal(core_watch_fault(&w, 60000), CORE_WATCH_CONFIRM);
    assert_int_equal(w.traps, 3);
    assert_int_equal(core_watch_fault(&w, 60001), CORE_WATCH_KEEP);
}

static void the_embedded_core_is_never_rolled_back(void **state)
{
    (void)state;
    core_watch_t w;
    core_watch_init(&w, 1, 1000);
    core_watch_start(&w, 0, false);
    assert_int_equal(core_watch_wait_ms(&w, 0), CORE_WATCH_FOREVER);
    assert_int_equal(core_watch_fault(&w, 1), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_tick(&w, 5000), CORE_WATCH_KEEP);
    assert_int_equal(w.traps, 1);
}

static void a_new_start_resets_the_count(void **state)
{
    (void)state;
    core_watch_t w;
    core_watch_init(&w, 2, 1000);
    core_watch_start(&w, 0, true);
    assert_int_equal(core_watch_fault(&w, 1), CORE_WATCH_KEEP);
    core_watch_start(&w, 2, true); /* another upload swapped in */
    assert_int_equal(w.traps, 0);
    assert_int_equal(core_watch_fault(&w, 3), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_fault(&w, 4), CORE_WATCH_ROLLBACK);
}

static void one_trap_policy(void **state)
{
    (void)state;
    core_watch_t w;
    core_watch_init(&w, 0, 0); /* clamped to 1 fault, 1 ms */
    assert_int_equal(w.max_traps, 1);
    assert_int_equal(w.window_ms, 1);
    core_watch_start(&w, 7, true);
    assert_int_equal(core_watch_fault(&w, 7), CORE_WATCH_ROLLBACK);
    core_watch_init(&w, 1, UINT32_MAX);
    assert_int_equal(w.window_ms, CORE_WATCH_MAX_WINDOW_MS);
}

/* The host's clock wraps after ~49.7 days (docs/abi.md "Conventions"). */
static void window_across_the_clock_wrap(void **state)
{
    (void)state;
    core_watch_t w;
    core_watch_init(&w, 3, 60000);
    const uint32_t start = UINT32_MAX - 9999; /* 10 s before the wrap */
    core_watch_start(&w, start, true);
    assert_int_equal(core_watch_wait_ms(&w, start), 60000);
    assert_int_equal(core_watch_wait_ms(&w, 5000), 45000); /* 15 s after the start */
    assert_int_equal(core_watch_fault(&w, UINT32_MAX), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_fault(&w, 0), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_tick(&w, 49999), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_fault(&w, 49999), CORE_WATCH_ROLLBACK);

    core_watch_start(&w, start, true);
    assert_int_equal(core_watch_tick(&w, 49999), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_tick(&w, 50000), CORE_WATCH_CONFIRM);
}

static void a_clock_behind_the_start_counts_as_zero(void **state)
{
    (void)state;
    core_watch_t w;
    core_watch_init(&w, 3, 60000);
    core_watch_start(&w, 1000, true);
    /* Read as signed: not 49 days later, so not confirmed. */
    assert_int_equal(core_watch_tick(&w, 999), CORE_WATCH_KEEP);
    assert_int_equal(core_watch_wait_ms(&w, 999), 60000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(k_faults_within_the_window_roll_back),
        cmocka_unit_test(fewer_faults_confirm_after_the_window),
        cmocka_unit_test(a_fault_after_the_window_confirms),
        cmocka_unit_test(the_embedded_core_is_never_rolled_back),
        cmocka_unit_test(a_new_start_resets_the_count),
        cmocka_unit_test(one_trap_policy),
        cmocka_unit_test(window_across_the_clock_wrap),
        cmocka_unit_test(a_clock_behind_the_start_counts_as_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
