/* sse_fanout: frames reach every healthy client whole and at once, while
 * clients that error, stall or trickle are dropped within one shared time
 * budget. The socket layer is a scripted fake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "client_registry.h"
#include "sse_fanout.h"

enum mode {
    SOCK_OK,       /* takes everything */
    SOCK_CHUNK,    /* takes `chunk` bytes per send */
    SOCK_STALL,    /* takes nothing, ever */
    SOCK_ERROR,    /* send fails */
    SOCK_LATE,     /* takes nothing until `ready_at` ms, then everything */
    SOCK_OVERSEND, /* claims to have sent more than asked */
};

#define NSOCK 8
#define STEP_MS 10

typedef struct {
    enum mode mode;
    size_t chunk;
    uint32_t ready_at;
    uint8_t rx[256];
    size_t rx_len;
    unsigned sends;
    int shut;
    uint32_t completed_at; /* clock when the whole frame was in */
} fake_sock_t;

typedef struct {
    fake_sock_t sock[NSOCK];
    uint32_t now;
    int clock_frozen;
    int wait_result; /* forced result of wait_writable, 1 = simulate */
    unsigned waits;
    size_t expect_len;
} fake_net_t;

static int fake_send(void *ctx, int fd, const uint8_t *buf, size_t len)
{
    fake_net_t *net = ctx;
    fake_sock_t *s = &net->sock[fd];
    s->sends++;
    size_t n;
    switch (s->mode) {
    case SOCK_OK:
        n = len;
        break;
    case SOCK_CHUNK:
        n = len < s->chunk ? len : s->chunk;
        break;
    case SOCK_LATE:
        n = (net->now >= s->ready_at) ? len : 0;
        break;
    case SOCK_OVERSEND:
        return (int)len + 1;
    case SOCK_ERROR:
        return -1;
    case SOCK_STALL:
    default:
        n = 0;
        break;
    }
    assert_true(s->rx_len + n <= sizeof(s->rx));
    memcpy(s->rx + s->rx_len, buf, n);
    s->rx_len += n;
    if (n > 0 && s->rx_len == net->expect_len) {
        s->completed_at = net->now;
    }
    return (int)n;
}

static int fake_wait(void *ctx, const int *fds, size_t n, uint32_t timeout_ms)
{
    fake_net_t *net = ctx;
    net->waits++;
    assert_true(n > 0);
    assert_true(timeout_ms > 0);
    if (net->wait_result != 1) {
        return net->wait_result;
    }
    if (!net->clock_frozen) {
        net->now += timeout_ms < STEP_MS ? timeout_ms : STEP_MS;
    }
    for (size_t i = 0; i < n; i++) {
        const fake_sock_t *s = &net->sock[fds[i]];
        if (s->mode == SOCK_CHUNK || (s->mode == SOCK_LATE && net->now >= s->ready_at)) {
            return 1;
        }
    }
    return 0;
}

static void fake_shutdown(void *ctx, int fd)
{
    fake_net_t *net = ctx;
    net->sock[fd].shut++;
}

static uint32_t fake_now(void *ctx)
{
    return ((fake_net_t *)ctx)->now;
}

typedef struct {
    fake_net_t net;
    client_registry_t reg;
    sse_io_ops_t io;
    int32_t id[NSOCK];
} fixture_t;

static const uint8_t FRAME[] = "id: 7\ndata: {\"led\":true}\n\n";
#define FRAME_LEN (sizeof(FRAME) - 1)

static int setup(void **state)
{
    static fixture_t f;
    memset(&f, 0, sizeof(f));
    f.net.wait_result = 1;
    f.net.expect_len = FRAME_LEN;
    client_registry_init(&f.reg, NSOCK);
    f.io = (sse_io_ops_t){
        .send = fake_send,
        .wait_writable = fake_wait,
        .shutdown = fake_shutdown,
        .now_ms = fake_now,
        .ctx = &f.net,
        .budget_ms = 100,
    };
    *state = &f;
    return 0;
}

/* Opens clients on fds 0..n-1 with the given modes. */
static void open_clients(fixture_t *f, const enum mode *modes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        f->net.sock[i].mode = modes[i];
        assert_int_equal(client_registry_reserve(&f->reg, (int)i, &f->id[i]), CLIENT_REG_OK);
        assert_true(client_registry_activate(&f->reg, f->id[i]));
    }
}

static void assert_got_frame(const fake_sock_t *s)
{
    assert_int_equal(s->rx_len, FRAME_LEN);
    assert_memory_equal(s->rx, FRAME, FRAME_LEN);
    assert_int_equal(s->shut, 0);
}

static void healthy_clients_all_get_the_frame(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_OK, SOCK_OK, SOCK_OK};
    open_clients(f, modes, 3);
    sse_fanout_result_t r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.targets, 3);
    assert_int_equal(r.delivered, 3);
    assert_int_equal(r.dropped, 0);
    for (int i = 0; i < 3; i++) {
        assert_got_frame(&f->net.sock[i]);
        assert_int_equal(f->net.sock[i].sends, 1);
        assert_int_equal(client_registry_find_id(&f->reg, f->id[i])->frames_sent, 1);
    }
    assert_int_equal(f->net.waits, 0); /* nobody waited */
}

static void failing_client_is_dropped_others_unaffected(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_OK, SOCK_ERROR, SOCK_OK};
    open_clients(f, modes, 3);
    sse_fanout_result_t r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.delivered, 2);
    assert_int_equal(r.dropped, 1);
    assert_got_frame(&f->net.sock[0]);
    assert_got_frame(&f->net.sock[2]);
    assert_int_equal(f->net.sock[1].shut, 1);
    const client_slot_t *s = client_registry_find_id(&f->reg, f->id[1]);
    assert_int_equal(s->state, CLIENT_DROPPED);
    assert_int_equal(s->drop_reason, CLIENT_DROP_SEND_ERROR);

    /* The next broadcast no longer addresses the dropped client. */
    unsigned sends = f->net.sock[1].sends;
    f->net.sock[0].rx_len = f->net.sock[2].rx_len = 0;
    r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.targets, 2);
    assert_int_equal(r.delivered, 2);
    assert_int_equal(f->net.sock[1].sends, sends);
    assert_int_equal(f->net.sock[1].shut, 1); /* not shut down twice */
}

static void stalled_client_does_not_delay_the_others(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_STALL, SOCK_OK, SOCK_OK};
    open_clients(f, modes, 3);
    sse_fanout_result_t r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.delivered, 2);
    assert_int_equal(r.dropped, 1);
    /* Healthy clients had their frame before any waiting began. */
    assert_int_equal(f->net.sock[1].completed_at, 0);
    assert_int_equal(f->net.sock[2].completed_at, 0);
    assert_got_frame(&f->net.sock[1]);
    /* The stalled one was given the budget, no more, then dropped. */
    assert_int_equal(f->net.now, 100);
    assert_int_equal(f->net.sock[0].shut, 1);
    assert_int_equal(client_registry_find_id(&f->reg, f->id[0])->drop_reason, CLIENT_DROP_TIMEOUT);
}

static void budget_is_shared_not_per_client(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_STALL, SOCK_STALL, SOCK_STALL, SOCK_STALL, SOCK_STALL, SOCK_OK};
    open_clients(f, modes, 6);
    sse_fanout_result_t r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.dropped, 5);
    assert_int_equal(r.delivered, 1);
    assert_true(f->net.now <= 100); /* not 5 x 100 */
    assert_int_equal(client_registry_open_count(&f->reg), 1);
}

static void trickling_client_gets_whole_frame(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_CHUNK, SOCK_OK};
    f->net.sock[0].chunk = 5;
    open_clients(f, modes, 2);
    sse_fanout_result_t r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.delivered, 2);
    assert_int_equal(r.dropped, 0);
    assert_got_frame(&f->net.sock[0]);
    assert_int_equal(f->net.sock[0].sends, (FRAME_LEN + 4) / 5);
    assert_int_equal(client_registry_find_id(&f->reg, f->id[0])->partial_writes, 1);
    assert_int_equal(client_registry_find_id(&f->reg, f->id[1])->partial_writes, 0);
}

static void too_slow_trickle_is_dropped(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_CHUNK};
    f->net.sock[0].chunk = 1; /* one byte per 10 ms: needs ~260 ms */
    open_clients(f, modes, 1);
    sse_fanout_result_t r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.dropped, 1);
    assert_true(f->net.sock[0].rx_len < FRAME_LEN);
    assert_int_equal(f->net.sock[0].shut, 1);
}

static void late_client_within_budget_is_kept(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_LATE};
    f->net.sock[0].ready_at = 60;
    open_clients(f, modes, 1);
    assert_int_equal(sse_fanout_send_one(&f->reg, f->id[0], FRAME, FRAME_LEN, &f->io), 0);
    assert_got_frame(&f->net.sock[0]);
    assert_int_equal(f->net.sock[0].completed_at, 60);
}

static void send_one_rejects_unknown_pending_and_dropped(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(sse_fanout_send_one(&f->reg, 0, FRAME, FRAME_LEN, &f->io), -1);
    int32_t pending;
    assert_int_equal(client_registry_reserve(&f->reg, 3, &pending), CLIENT_REG_OK);
    assert_int_equal(sse_fanout_send_one(&f->reg, pending, FRAME, FRAME_LEN, &f->io), -1);
    assert_int_equal(f->net.sock[3].sends, 0); /* headers not out yet: no frame */

    const enum mode modes[] = {SOCK_ERROR};
    open_clients(f, modes, 1);
    assert_int_equal(sse_fanout_send_one(&f->reg, f->id[0], FRAME, FRAME_LEN, &f->io), -1);
    assert_int_equal(f->net.sock[0].shut, 1);
    unsigned sends = f->net.sock[0].sends;
    assert_int_equal(sse_fanout_send_one(&f->reg, f->id[0], FRAME, FRAME_LEN, &f->io), -1);
    assert_int_equal(f->net.sock[0].sends, sends);
    assert_int_equal(sse_fanout_send_one(&f->reg, -1, FRAME, FRAME_LEN, &f->io), -1);
    assert_int_equal(sse_fanout_send_one(NULL, 0, FRAME, FRAME_LEN, &f->io), -1);
}

static void wait_error_drops_pending_at_once(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_STALL, SOCK_OK};
    open_clients(f, modes, 2);
    f->net.wait_result = -1;
    sse_fanout_result_t r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.dropped, 1);
    assert_int_equal(r.delivered, 1);
    assert_int_equal(f->net.waits, 1);
}

static void frozen_clock_cannot_spin_forever(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_STALL};
    open_clients(f, modes, 1);
    f->net.clock_frozen = 1;
    f->net.wait_result = 0; /* wait returns "timeout" at once, time stands still */
    sse_fanout_result_t r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.dropped, 1);
    assert_int_equal(f->net.waits, SSE_FANOUT_MAX_ROUNDS);
}

static void oversized_send_result_is_a_failure(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_OVERSEND};
    open_clients(f, modes, 1);
    assert_int_equal(sse_fanout_send_one(&f->reg, f->id[0], FRAME, FRAME_LEN, &f->io), -1);
    assert_int_equal(client_registry_find_id(&f->reg, f->id[0])->state, CLIENT_DROPPED);
}

static void empty_frame_and_no_clients(void **state)
{
    fixture_t *f = *state;
    sse_fanout_result_t r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.targets, 0);
    assert_int_equal(r.delivered, 0);
    const enum mode modes[] = {SOCK_OK};
    open_clients(f, modes, 1);
    r = sse_fanout_broadcast(&f->reg, FRAME, 0, &f->io);
    assert_int_equal(r.delivered, 1);
    assert_int_equal(f->net.sock[0].sends, 0);
    r = sse_fanout_broadcast(&f->reg, NULL, 5, &f->io);
    assert_int_equal(r.targets, 0);
}

static void budget_survives_clock_wrap(void **state)
{
    fixture_t *f = *state;
    const enum mode modes[] = {SOCK_STALL, SOCK_LATE};
    f->net.now = UINT32_MAX - 30;
    f->net.sock[1].ready_at = UINT32_MAX; /* ready before the wrap */
    open_clients(f, modes, 2);
    sse_fanout_result_t r = sse_fanout_broadcast(&f->reg, FRAME, FRAME_LEN, &f->io);
    assert_int_equal(r.delivered, 1);
    assert_int_equal(r.dropped, 1);
    /* 100 ms after UINT32_MAX - 30, wrapped. */
    assert_int_equal(f->net.now, 69);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(healthy_clients_all_get_the_frame, setup),
        cmocka_unit_test_setup(failing_client_is_dropped_others_unaffected, setup),
        cmocka_unit_test_setup(stalled_client_does_not_delay_the_others, setup),
        cmocka_unit_test_setup(budget_is_shared_not_per_client, setup),
        cmocka_unit_test_setup(trickling_client_gets_whole_frame, setup),
        cmocka_unit_test_setup(too_slow_trickle_is_dropped, setup),
        cmocka_unit_test_setup(late_client_within_budget_is_kept, setup),
        cmocka_unit_test_setup(send_one_rejects_unknown_pending_and_dropped, setup),
        cmocka_unit_test_setup(wait_error_drops_pending_at_once, setup),
        cmocka_unit_test_setup(frozen_clock_cannot_spin_forever, setup),
        cmocka_unit_test_setup(oversized_send_result_is_a_failure, setup),
        cmocka_unit_test_setup(empty_frame_and_no_clients, setup),
        cmocka_unit_test_setup(budget_survives_clock_wrap, setup),
    };
    return cmocka_run_group_tests_name("sse_fanout", tests, NULL, NULL);
}
