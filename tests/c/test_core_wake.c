/* core_wake: when the core task sleeps and wakes (docs/abi.md "poll"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core_abi.h"
#include "core_wake.h"

static void no_deadline_sleeps_forever(void **state)
{
    (void)state;
    core_wake_t w;
    core_wake_init(&w, 3);
    assert_int_equal(core_wake_wait_ms(&w, 0, false), CORE_WAKE_FOREVER);
    core_wake_set_deadline(&w, 100, CORE_POLL_NO_DEADLINE);
    assert_false(core_wake_deadline_due(&w, 100));
    assert_false(core_wake_deadline_due(&w, UINT32_MAX));
    assert_int_equal(core_wake_wait_ms(&w, 100, false), CORE_WAKE_FOREVER);
}

static void sleeps_until_the_deadline(void **state)
{
    (void)state;
    core_wake_t w;
    core_wake_init(&w, 3);
    core_wake_set_deadline(&w, 100, 30);
    assert_int_equal(core_wake_wait_ms(&w, 100, false), 30);
    assert_int_equal(core_wake_wait_ms(&w, 129, false), 1);
    assert_false(core_wake_deadline_due(&w, 129));
    assert_true(core_wake_deadline_due(&w, 130));
    assert_int_equal(core_wake_wait_ms(&w, 130, false), 0);
    assert_int_equal(core_wake_wait_ms(&w, 500, false), 0); /* late: due at once */
    core_wake_set_deadline(&w, 10, 0);
    assert_true(core_wake_deadline_due(&w, 10));
}

static void deadlines_across_the_clock_wrap(void **state)
{
    (void)state;
    core_wake_t w;
    core_wake_init(&w, 3);
    core_wake_set_deadline(&w, UINT32_MAX - 9, 30); /* due at 20 after the wrap */
    assert_int_equal(core_wake_wait_ms(&w, UINT32_MAX - 9, false), 30);
    assert_false(core_wake_deadline_due(&w, UINT32_MAX));
    assert_false(core_wake_deadline_due(&w, 19));
    assert_true(core_wake_deadline_due(&w, 20));
}

static void edges_wait_for_the_take_gap(void **state)
{
    (void)state;
    core_wake_t w;
    core_wake_init(&w, 3);
    assert_true(core_wake_may_take(&w, 0)); /* never took: at once */
    assert_int_equal(core_wake_wait_ms(&w, 0, true), 0);
    core_wake_note_take(&w, 50);
    assert_false(core_wake_may_take(&w, 52));
    assert_true(core_wake_may_take(&w, 53));
    assert_int_equal(core_wake_wait_ms(&w, 51, true), 2);
    assert_int_equal(core_wake_wait_ms(&w, 51, false), CORE_WAKE_FOREVER);
    core_wake_set_deadline(&w, 51, 1); /* a sooner deadline wins */
    assert_int_equal(core_wake_wait_ms(&w, 51, true), 1);
}

static void take_gap_follows_the_window(void **state)
{
    (void)state;
    assert_int_equal(core_wake_take_gap_ms(1), 0);
    assert_int_equal(core_wake_take_gap_ms(7), 0);
    assert_int_equal(core_wake_take_gap_ms(8), 1);
    assert_int_equal(core_wake_take_gap_ms(30), 3);
    assert_int_equal(core_wake_take_gap_ms(1000), 4);
    for (uint32_t window = 1; window <= 1000; window++) {
        assert_true(core_wake_take_gap_ms(window) < window); /* a burst stays shorter than the window */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_deadline_sleeps_forever),
        cmocka_unit_test(sleeps_until_the_deadline),
        cmocka_unit_test(deadlines_across_the_clock_wrap),
        cmocka_unit_test(edges_wait_for_the_take_gap),
        cmocka_unit_test(take_gap_follows_the_window),
    };
    return cmocka_run_group_tests_name("core_wake", tests, NULL, NULL);
}
