/* client_registry: slot lifecycle, capacity, id allocation and the
 * bookkeeping fan-out and the close callback rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client_registry.h"

static int setup(void **state)
{
    static client_registry_t reg;
    client_registry_init(&reg, 3);
    *state = &reg;
    return 0;
}

static void reserve_activate_remove(void **state)
{
    client_registry_t *reg = *state;
    int32_t id = -1;
    assert_int_equal(client_registry_reserve(reg, 7, &id), CLIENT_REG_OK);
    assert_int_equal(id, 0);
    assert_int_equal(client_registry_used(reg), 1);
    /* Pending clients take a slot but get no frames yet. */
    assert_int_equal(client_registry_open_count(reg), 0);
    assert_true(client_registry_activate(reg, id));
    assert_false(client_registry_activate(reg, id)); /* already open */
    assert_int_equal(client_registry_open_count(reg), 1);

    int32_t got = -1;
    client_state_t was = CLIENT_FREE;
    assert_true(client_registry_remove_fd(reg, 7, &got, &was));
    assert_int_equal(got, id);
    assert_int_equal(was, CLIENT_OPEN);
    assert_int_equal(client_registry_used(reg), 0);
    assert_false(client_registry_remove_fd(reg, 7, &got, &was)); /* only once */
    assert_null(client_registry_find_id(reg, id));
}

static void full_registry_rejects(void **state)
{
    client_registry_t *reg = *state;
    int32_t id;
    for (int fd = 10; fd < 13; fd++) {
        assert_int_equal(client_registry_reserve(reg, fd, &id), CLIENT_REG_OK);
    }
    assert_int_equal(client_registry_reserve(reg, 13, &id), CLIENT_REG_FULL);
    assert_int_equal(reg->total_rejected, 1);
    /* A dropped client still holds its socket, so it still counts. */
    assert_true(client_registry_activate(reg, 0));
    assert_int_equal(client_registry_drop(reg, 0, CLIENT_DROP_TIMEOUT), 10);
    assert_int_equal(client_registry_reserve(reg, 13, &id), CLIENT_REG_FULL);
    /* Once the server closed it, the slot is free again. */
    assert_true(client_registry_remove_fd(reg, 10, NULL, NULL));
    assert_int_equal(client_registry_reserve(reg, 13, &id), CLIENT_REG_OK);
    assert_int_equal(id, 3);
}

static void duplicate_fd_and_invalid_args(void **state)
{
    client_registry_t *reg = *state;
    int32_t id;
    assert_int_equal(client_registry_reserve(reg, 5, &id), CLIENT_REG_OK);
    assert_int_equal(client_registry_reserve(reg, 5, &id), CLIENT_REG_DUPLICATE_FD);
    assert_int_equal(client_registry_reserve(reg, -1, &id), CLIENT_REG_INVALID);
    assert_int_equal(client_registry_reserve(reg, 6, NULL), CLIENT_REG_INVALID);
    assert_int_equal(client_registry_reserve(NULL, 6, &id), CLIENT_REG_INVALID);
    assert_false(client_registry_remove_fd(reg, -1, NULL, NULL));
    assert_null(client_registry_find_id(reg, -1));
}

static void ids_are_never_reused_while_in_use(void **state)
{
    client_registry_t *reg = *state;
    int32_t a, b, c;
    assert_int_equal(client_registry_reserve(reg, 1, &a), CLIENT_REG_OK);
    assert_int_equal(client_registry_reserve(reg, 2, &b), CLIENT_REG_OK);
    assert_true(client_registry_remove_fd(reg, 1, NULL, NULL));
    /* Monotonic: the freed id 0 is not handed out again at once. */
    assert_int_equal(client_registry_reserve(reg, 3, &c), CLIENT_REG_OK);
    assert_int_equal(c, 2);
    assert_int_not_equal(c, b);
}

static void id_wraps_to_zero_and_skips_live_ids(void **state)
{
    client_registry_t *reg = *state;
    int32_t a, b, c;
    reg->next_id = INT32_MAX;
    assert_int_equal(client_registry_reserve(reg, 1, &a), CLIENT_REG_OK);
    assert_int_equal(a, INT32_MAX);
    assert_int_equal(client_registry_reserve(reg, 2, &b), CLIENT_REG_OK);
    assert_int_equal(b, 0);
    /* Force a collision: the next candidate (1) is made live first. */
    client_registry_find_id(reg, b)->id = 1;
    assert_int_equal(client_registry_reserve(reg, 3, &c), CLIENT_REG_OK);
    assert_int_equal(c, 2);
    assert_true(c >= 0);
}

static void drop_only_open_clients(void **state)
{
    client_registry_t *reg = *state;
    int32_t id;
    assert_int_equal(client_registry_reserve(reg, 9, &id), CLIENT_REG_OK);
    assert_int_equal(client_registry_drop(reg, id, CLIENT_DROP_SEND_ERROR), -1); /* pending */
    assert_true(client_registry_activate(reg, id));
    assert_int_equal(client_registry_drop(reg, id, CLIENT_DROP_SEND_ERROR), 9);
    assert_int_equal(client_registry_drop(reg, id, CLIENT_DROP_SEND_ERROR), -1); /* twice */
    assert_int_equal(client_registry_find_id(reg, id)->state, CLIENT_DROPPED);
    assert_int_equal(client_registry_find_id(reg, id)->drop_reason, CLIENT_DROP_SEND_ERROR);
    assert_int_equal(reg->total_dropped, 1);
    assert_int_equal(client_registry_drop(reg, 1234, CLIENT_DROP_SEND_ERROR), -1);
    int32_t got;
    client_state_t was;
    assert_true(client_registry_remove_fd(reg, 9, &got, &was));
    assert_int_equal(was, CLIENT_DROPPED);
}

static void open_ids_in_slot_order_and_bounded(void **state)
{
    client_registry_t *reg = *state;
    int32_t id, ids[3] = {-1, -1, -1};
    for (int fd = 20; fd < 23; fd++) {
        assert_int_equal(client_registry_reserve(reg, fd, &id), CLIENT_REG_OK);
    }
    assert_true(client_registry_activate(reg, 0));
    assert_true(client_registry_activate(reg, 2));
    assert_int_equal(client_registry_open_ids(reg, ids, 3), 2);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 2);
    assert_int_equal(client_registry_open_ids(reg, ids, 1), 1);
    assert_int_equal(client_registry_open_ids(reg, ids, 0), 0);
}

static void note_sent_counts(void **state)
{
    client_registry_t *reg = *state;
    int32_t id;
    assert_int_equal(client_registry_reserve(reg, 4, &id), CLIENT_REG_OK);
    client_registry_note_sent(reg, id, 40, false);
    client_registry_note_sent(reg, id, 12, true);
    client_registry_note_sent(reg, 999, 12, true); /* unknown: ignored */
    const client_slot_t *s = client_registry_find_id(reg, id);
    assert_int_equal(s->frames_sent, 2);
    assert_int_equal(s->bytes_sent, 52);
    assert_int_equal(s->partial_writes, 1);
}

static void capacity_is_clamped(void **state)
{
    (void)state;
    client_registry_t reg;
    client_registry_init(&reg, 0);
    assert_int_equal(reg.capacity, 1);
    client_registry_init(&reg, 1000);
    assert_int_equal(reg.capacity, CLIENT_REGISTRY_MAX);
    int32_t id;
    for (int fd = 0; fd < CLIENT_REGISTRY_MAX; fd++) {
        assert_int_equal(client_registry_reserve(&reg, fd, &id), CLIENT_REG_OK);
    }
    assert_int_equal(client_registry_reserve(&reg, 100, &id), CLIENT_REG_FULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(reserve_activate_remove, setup),
        cmocka_unit_test_setup(full_registry_rejects, setup),
        cmocka_unit_test_setup(duplicate_fd_and_invalid_args, setup),
        cmocka_unit_test_setup(ids_are_never_reused_while_in_use, setup),
        cmocka_unit_test_setup(id_wraps_to_zero_and_skips_live_ids, setup),
        cmocka_unit_test_setup(drop_only_open_clients, setup),
        cmocka_unit_test_setup(open_ids_in_slot_order_and_bounded, setup),
        cmocka_unit_test_setup(note_sent_counts, setup),
        cmocka_unit_test(capacity_is_clamped),
    };
    return cmocka_run_group_tests_name("client_registry", tests, NULL, NULL);
}
