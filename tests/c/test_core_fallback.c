/* core_fallback: a rollback runs the previous good core or the embedded one,
 * and the next boot chooses the same (docs/update.md "Rollback"), on the
 * fake NOR flash of test_core_slots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core_fallback.h"
#include "core_slots.h"
#include "slots_rig.h"

#define PARTITION (6u * SLOTS_RIG_SECTOR)

static rig_t *rig_new(void)
{
    rig_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    rig_init(r, PARTITION, 7);
    assert_int_equal(core_slots_scan(&r->cs, r->buf, r->cap), CORE_SLOTS_OK);
    return r;
}

static void rig_delete(rig_t *r)
{
    rig_free(r);
    free(r);
}

/* A reset: a fresh scan of the same flash decides the boot. */
static int reboot_choice(rig_t *r)
{
    rig_reboot(r);
    return core_slots_choice(&r->cs);
}

/* An upload swapped in: stored, its start counted. */
static int upload(rig_t *r, uint8_t fill, uint32_t version)
{
    uint8_t m[100];
    memset(m, fill, sizeof(m));
    int slot = core_slots_store(&r->cs, m, sizeof(m), version);
    assert_true(slot >= 0);
    assert_int_equal(core_slots_note_start(&r->cs, slot), CORE_SLOTS_OK);
    return slot;
}

static core_slot_state_t state(const rig_t *r, int slot)
{
    return core_slots_info(&r->cs, slot)->state;
}

static void a_faulting_upload_goes_back_to_the_good_one(void **state_)
{
    (void)state_;
    rig_t *r = rig_new();
    int a = upload(r, 1, 10);
    assert_int_equal(core_slots_confirm(&r->cs, a), CORE_SLOTS_OK);
    int b = upload(r, 2, 11);
    assert_int_not_equal(a, b);
    assert_int_equal(core_fallback_previous(&r->cs, b), a);
    assert_int_equal(core_fallback_mark(&r->cs, b, CORE_SLOT_BAD_TRAPS, false), a);
    assert_int_equal(state(r, b), CORE_SLOT_BAD);
    assert_int_equal(core_slots_info(&r->cs, b)->bad_reason, CORE_SLOT_BAD_TRAPS);
    assert_int_equal(state(r, a), CORE_SLOT_GOOD);
    assert_int_equal(reboot_choice(r), a);
    /* With A running, nothing is left to fall back to but the embedded core. */
    assert_int_equal(core_fallback_previous(&r->cs, a), CORE_SLOT_EMBEDDED);
    rig_delete(r);
}

/* An upload replaced by a newer one before its window passed was never
 * good: a rollback of the newer one does not run it, and neither does the
 * next boot (the boot rule alone would: a trial with attempts left). */
static void an_unconfirmed_older_upload_is_not_previous(void **state_)
{
    (void)state_;
    rig_t *r = rig_new();
    int a = upload(r, 1, 10);
    int b = upload(r, 2, 11);
    assert_int_equal(state(r, a), CORE_SLOT_TRIAL);
    assert_int_equal(core_fallback_previous(&r->cs, b), CORE_SLOT_EMBEDDED);
    assert_int_equal(core_fallback_mark(&r->cs, b, CORE_SLOT_BAD_TRAPS, false), CORE_SLOT_EMBEDDED);
    assert_int_equal(state(r, a), CORE_SLOT_BAD);
    assert_int_equal(core_slots_info(&r->cs, a)->bad_reason, CORE_SLOT_BAD_ROLLBACK);
    assert_int_equal(core_slots_info(&r->cs, b)->bad_reason, CORE_SLOT_BAD_TRAPS);
    assert_int_equal(reboot_choice(r), CORE_SLOT_EMBEDDED);
    rig_delete(r);
}

static void rollback_to_embedded_sticks_across_a_reboot(void **state_)
{
    (void)state_;
    rig_t *r = rig_new();
    int a = upload(r, 1, 10);
    assert_int_equal(core_slots_confirm(&r->cs, a), CORE_SLOTS_OK);
    int b = upload(r, 2, 11);
    assert_int_equal(core_slots_confirm(&r->cs, b), CORE_SLOTS_OK);
    assert_int_equal(core_fallback_previous(&r->cs, b), a);
    assert_int_equal(core_fallback_mark(&r->cs, b, CORE_SLOT_BAD_ROLLBACK, true), CORE_SLOT_EMBEDDED);
    assert_int_equal(state(r, a), CORE_SLOT_BAD);
    assert_int_equal(state(r, b), CORE_SLOT_BAD);
    assert_int_equal(reboot_choice(r), CORE_SLOT_EMBEDDED);
    rig_delete(r);
}

/* A previous good core survives an operator's rollback to "previous". */
static void asked_rollback_to_previous(void **state_)
{
    (void)state_;
    rig_t *r = rig_new();
    int a = upload(r, 1, 10);
    assert_int_equal(core_slots_confirm(&r->cs, a), CORE_SLOTS_OK);
    int b = upload(r, 2, 11);
    assert_int_equal(core_slots_confirm(&r->cs, b), CORE_SLOTS_OK); /* good, yet unwanted */
    assert_int_equal(core_fallback_mark(&r->cs, b, CORE_SLOT_BAD_ROLLBACK, false), a);
    assert_int_equal(core_slots_info(&r->cs, b)->bad_reason, CORE_SLOT_BAD_ROLLBACK);
    assert_int_equal(reboot_choice(r), a);
    rig_delete(r);
}

/* The running upload is in no slot (its store failed): the slots still say
 * what runs; the embedded core running has no previous but itself. */
static void unstored_and_embedded(void **state_)
{
    (void)state_;
    rig_t *r = rig_new();
    assert_int_equal(core_fallback_previous(&r->cs, CORE_FALLBACK_UNSTORED), CORE_SLOT_EMBEDDED);
    assert_int_equal(core_fallback_mark(&r->cs, CORE_FALLBACK_UNSTORED, CORE_SLOT_BAD_TRAPS, false),
                     CORE_SLOT_EMBEDDED);
    int a = upload(r, 1, 10);
    assert_int_equal(core_slots_confirm(&r->cs, a), CORE_SLOTS_OK);
    assert_int_equal(core_fallback_previous(&r->cs, CORE_FALLBACK_UNSTORED), a);
    assert_int_equal(core_fallback_mark(&r->cs, CORE_FALLBACK_UNSTORED, CORE_SLOT_BAD_TRAPS, false), a);
    assert_int_equal(state(r, a), CORE_SLOT_GOOD);
    assert_int_equal(core_fallback_previous(&r->cs, CORE_SLOT_EMBEDDED), a);
    assert_int_equal(core_fallback_mark(NULL, 0, CORE_SLOT_BAD_TRAPS, false), CORE_SLOTS_ERR_ARG);
    rig_delete(r);
}

/* A flash that fails mid-rollback: an error, and the slots refuse to act
 * until a scan (the caller runs the embedded core meanwhile). */
static void a_flash_error_is_reported(void **state_)
{
    (void)state_;
    rig_t *r = rig_new();
    int a = upload(r, 1, 10);
    int b = upload(r, 2, 11);
    (void)a;
    fake_flash_cut_after(&r->f, 0);
    int got = core_fallback_mark(&r->cs, b, CORE_SLOT_BAD_TRAPS, false);
    assert_true(got < 0);
    fake_flash_power_on(&r->f);
    assert_int_equal(core_fallback_mark(&r->cs, b, CORE_SLOT_BAD_TRAPS, false), CORE_SLOTS_ERR_RESCAN);
    /* After the scan the rollback completes. */
    assert_int_equal(core_slots_scan(&r->cs, r->buf, r->cap), CORE_SLOTS_OK);
    assert_int_equal(core_fallback_mark(&r->cs, b, CORE_SLOT_BAD_TRAPS, false), CORE_SLOT_EMBEDDED);
    assert_int_equal(reboot_choice(r), CORE_SLOT_EMBEDDED);
    rig_delete(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_faulting_upload_goes_back_to_the_good_one),
        cmocka_unit_test(an_unconfirmed_older_upload_is_not_previous),
        cmocka_unit_test(rollback_to_embedded_sticks_across_a_reboot),
        cmocka_unit_test(asked_rollback_to_previous),
        cmocka_unit_test(unstored_and_embedded),
        cmocka_unit_test(a_flash_error_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
