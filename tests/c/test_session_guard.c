/* session_guard + guarded_io: the time limits of the HTTP server's
 * connections (docs/firmware.md "Timeouts and bounds"), under a fake clock.
 * The last tests emulate the esp_http_server rules the design relies on,
 * as ESP-IDF v5.5.5's sources state them (file and line in each test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "guarded_io.h"
#include "session_guard.h"

#define CAP 13 /* max_open_sockets with LWIP_MAX_SOCKETS = 16 */
#define IDLE SESSION_GUARD_IDLE_MS
#define REQ SESSION_GUARD_REQUEST_MS

static session_slot_t slots[CAP];
static session_guard_t guard;

static int setup(void **state)
{
    (void)state;
    session_guard_init(&guard, slots, CAP, IDLE, REQ);
    return 0;
}

/* ---- the guard alone ---- */

static void idle_socket_is_swept_after_idle_bound(void **state)
{
    (void)state;
    int fds[CAP];
    assert_true(session_guard_open(&guard, 7, 1000));
    assert_int_equal(session_guard_state(&guard, 7), SESSION_IDLE);
    assert_int_equal(session_guard_sweep(&guard, 1000 + IDLE - 1, fds, CAP), 0);
    assert_int_equal(session_guard_sweep(&guard, 1000 + IDLE, fds, CAP), 1);
    assert_int_equal(fds[0], 7);
    assert_int_equal(session_guard_state(&guard, 7), SESSION_CLOSING);
    /* Asked once: a later sweep does not pick it again. */
    assert_int_equal(session_guard_sweep(&guard, 1000 + 5 * IDLE, fds, CAP), 0);
    /* Closing an idle socket is graceful: nothing is left to send. */
    assert_false(session_guard_close(&guard, 7));
    assert_int_equal(session_guard_open_count(&guard), 0);
}

static void first_read_starts_the_request_deadline(void **state)
{
    (void)state;
    int fds[CAP];
    assert_true(session_guard_open(&guard, 4, 0));
    /* First byte late in the idle window: the request gets its full bound. */
    assert_int_equal(session_guard_wait_ms(&guard, 4, IDLE - 10), REQ);
    assert_int_equal(session_guard_state(&guard, 4), SESSION_REQUEST);
    assert_int_equal(session_guard_wait_ms(&guard, 4, IDLE - 10 + 400), REQ - 400);
    /* A request is never swept as idle, only once past its deadline. */
    assert_int_equal(session_guard_sweep(&guard, IDLE + 500, fds, CAP), 0);
    assert_int_equal(session_guard_wait_ms(&guard, 4, IDLE - 10 + REQ), 0);
    assert_int_equal(session_guard_sweep(&guard, IDLE - 10 + REQ, fds, CAP), 1);
    assert_int_equal(fds[0], 4);
}

static void stream_is_never_swept_and_never_waited_on_again(void **state)
{
    (void)state;
    int fds[CAP];
    assert_true(session_guard_open(&guard, 9, 0));
    assert_int_equal(session_guard_wait_ms(&guard, 9, 5), REQ);
    session_guard_stream(&guard, 9);
    assert_int_equal(session_guard_state(&guard, 9), SESSION_STREAM);
    assert_int_equal(session_guard_sweep(&guard, 3600u * 1000u, fds, CAP), 0);
    /* Bytes a stream sends later get no new deadline. */
    assert_int_equal(session_guard_wait_ms(&guard, 9, 5 + REQ), 0);
    assert_int_equal(session_guard_state(&guard, 9), SESSION_STREAM);
    /* Only a request becomes a stream. */
    assert_true(session_guard_open(&guard, 10, 0));
    session_guard_stream(&guard, 10);
    assert_int_equal(session_guard_state(&guard, 10), SESSION_IDLE);
}

static void closing_sessions_are_left_to_the_server(void **state)
{
    (void)state;
    int fds[CAP];
    assert_true(session_guard_open(&guard, 3, 0));
    (void)session_guard_wait_ms(&guard, 3, 0);
    session_guard_closing(&guard, 3); /* done_close() after a response */
    assert_int_equal(session_guard_sweep(&guard, 10 * REQ, fds, CAP), 0);
    /* The server drains what is left of the body within the same deadline. */
    assert_int_equal(session_guard_wait_ms(&guard, 3, 100), REQ - 100);
    /* A socket closed before it sent anything never waits. */
    assert_true(session_guard_open(&guard, 5, 0));
    session_guard_closing(&guard, 5);
    assert_int_equal(session_guard_wait_ms(&guard, 5, 1), 0);
}

static void write_timeout_makes_the_close_a_reset(void **state)
{
    (void)state;
    assert_true(session_guard_open(&guard, 6, 0));
    assert_true(session_guard_open(&guard, 8, 0));
    session_guard_timed_out(&guard, 6, true);
    session_guard_timed_out(&guard, 8, false);
    assert_true(session_guard_close(&guard, 6));
    /* A client that stopped sending has nothing of ours unsent. */
    assert_false(session_guard_close(&guard, 8));
    /* Unknown sockets: nothing to do. */
    assert_false(session_guard_close(&guard, 6));
    assert_int_equal(session_guard_wait_ms(&guard, 42, 0), 0);
    session_guard_timed_out(&guard, 42, true);
    session_guard_stream(&guard, 42);
    session_guard_closing(&guard, 42);
}

static void capacity_and_fd_reuse(void **state)
{
    (void)state;
    for (int fd = 0; fd < CAP; fd++) {
        assert_true(session_guard_open(&guard, 50 + fd, 0));
    }
    assert_false(session_guard_open(&guard, 99, 0));
    assert_false(session_guard_open(&guard, -1, 0));
    /* A number reused before its close was reported replaces the stale entry. */
    (void)session_guard_wait_ms(&guard, 50, 0);
    session_guard_timed_out(&guard, 50, true);
    assert_true(session_guard_open(&guard, 50, 300));
    assert_int_equal(session_guard_state(&guard, 50), SESSION_IDLE);
    assert_false(session_guard_close(&guard, 50));
    assert_int_equal(session_guard_open_count(&guard), CAP - 1);
}

static void sweep_output_is_bounded(void **state)
{
    (void)state;
    int fds[2];
    for (int fd = 0; fd < 5; fd++) {
        assert_true(session_guard_open(&guard, fd, 0));
    }
    assert_int_equal(session_guard_sweep(&guard, IDLE, fds, 2), 2);
    assert_int_equal(session_guard_sweep(&guard, IDLE, fds, 2), 2);
    assert_int_equal(session_guard_sweep(&guard, IDLE, fds, 2), 1);
    assert_int_equal(session_guard_sweep(&guard, IDLE, fds, 2), 0);
}

static void clock_wrap(void **state)
{
    (void)state;
    int fds[CAP];
    uint32_t t0 = UINT32_MAX - 100;
    assert_true(session_guard_open(&guard, 1, t0));
    assert_int_equal(session_guard_sweep(&guard, t0 + IDLE - 1, fds, CAP), 0);
    assert_int_equal(session_guard_sweep(&guard, t0 + IDLE, fds, CAP), 1);
    assert_true(session_guard_open(&guard, 2, t0));
    assert_int_equal(session_guard_wait_ms(&guard, 2, t0 + 50), REQ);
    assert_int_equal(session_guard_wait_ms(&guard, 2, t0 + 50 + REQ - 1), 1);
    assert_int_equal(session_guard_wait_ms(&guard, 2, t0 + 50 + REQ), 0);
}

/* An upload (PUT /core) may hold the server longer than other requests:
 * counted from the request's first byte, never shortened, and only for a
 * request in progress. */
static void an_upload_extends_its_own_deadline_only(void **state)
{
    (void)state;
    int fds[CAP];
    uint32_t t0 = UINT32_MAX - 300; /* across the clock wrap */
    assert_true(session_guard_open(&guard, 3, t0));
    assert_true(session_guard_open(&guard, 4, t0));
    assert_int_equal(session_guard_wait_ms(&guard, 3, t0 + 10), REQ); /* first byte at t0 + 10 */
    assert_int_equal(session_guard_wait_ms(&guard, 4, t0 + 10), REQ);
    session_guard_extend(&guard, 3, 5000);                           /* the handler runs at t0 + 400 */
    assert_int_equal(session_guard_wait_ms(&guard, 3, t0 + 400), 5000 - 390);
    assert_int_equal(session_guard_wait_ms(&guard, 4, t0 + 400), REQ - 390); /* the other one keeps its bound */
    session_guard_extend(&guard, 3, 2000); /* never shortened */
    assert_int_equal(session_guard_wait_ms(&guard, 3, t0 + 10 + 4999), 1);
    assert_int_equal(session_guard_wait_ms(&guard, 3, t0 + 10 + 5000), 0);
    /* The sweep closes it only at its own deadline. */
    assert_int_equal(session_guard_sweep(&guard, t0 + 10 + REQ, fds, CAP), 1);
    assert_int_equal(fds[0], 4);
    assert_int_equal(session_guard_sweep(&guard, t0 + 10 + 4999, fds, CAP), 0);
    assert_int_equal(session_guard_sweep(&guard, t0 + 10 + 5000, fds, CAP), 1);
    assert_int_equal(fds[0], 3);

    /* Idle, stream, unknown: nothing changes. */
    assert_true(session_guard_open(&guard, 5, 0));
    session_guard_extend(&guard, 5, 5000);
    assert_int_equal(session_guard_sweep(&guard, IDLE, fds, CAP), 1);
    assert_true(session_guard_open(&guard, 6, 0));
    assert_int_equal(session_guard_wait_ms(&guard, 6, 0), REQ);
    session_guard_stream(&guard, 6);
    session_guard_extend(&guard, 6, 5000);
    assert_int_equal(session_guard_wait_ms(&guard, 6, REQ), 0);
    session_guard_extend(&guard, 99, 5000);
}

/* ---- guarded_io over a scripted socket and a fake clock ---- */

typedef struct {
    uint32_t now;
    const uint32_t *arrive_ms; /* one byte arrives at each of these times */
    size_t n_arrive;
    size_t consumed;
    bool eof; /* the peer closes after the last byte */
    size_t room; /* send buffer space; a stalled reader never frees more */
    size_t sent;
    int fail_attempt; /* attempt returns this when nonzero */
    int fail_wait;
} sock_t;

static size_t arrived(const sock_t *s)
{
    size_t n = 0;
    while (n < s->n_arrive && s->arrive_ms[n] <= s->now) {
        n++;
    }
    return n - s->consumed;
}

static int fake_attempt(void *ctx, int fd, guarded_io_dir_t dir, void *buf, size_t len)
{
    (void)fd;
    (void)buf;
    sock_t *s = ctx;
    if (s->fail_attempt != 0) {
        return s->fail_attempt;
    }
    if (dir == GUARDED_IO_WRITE) {
        size_t n = len < s->room ? len : s->room;
        s->room -= n;
        s->sent += n;
        return n > 0 ? (int)n : GUARDED_IO_AGAIN;
    }
    size_t n = arrived(s);
    if (n == 0) {
        return (s->consumed == s->n_arrive && s->eof) ? 0 : GUARDED_IO_AGAIN;
    }
    n = n < len ? n : len;
    s->consumed += n;
    return (int)n;
}

static int fake_wait(void *ctx, int fd, guarded_io_dir_t dir, uint32_t timeout_ms)
{
    (void)fd;
    sock_t *s = ctx;
    if (s->fail_wait != 0) {
        return s->fail_wait;
    }
    if (dir == GUARDED_IO_READ && s->consumed < s->n_arrive) {
        uint32_t next = s->arrive_ms[s->consumed];
        if (next <= s->now + timeout_ms) {
            if (next > s->now) {
                s->now = next;
            }
            return 1;
        }
    }
    s->now += timeout_ms;
    return 0;
}

static uint32_t fake_now(void *ctx)
{
    return ((sock_t *)ctx)->now;
}

static guarded_io_ops_t ops_for(sock_t *s)
{
    return (guarded_io_ops_t){.attempt = fake_attempt, .wait = fake_wait, .now_ms = fake_now, .ctx = s};
}

static void data_already_there_is_taken_without_waiting(void **state)
{
    (void)state;
    static const uint32_t at[] = {0, 0, 0};
    sock_t s = {.now = 10, .arrive_ms = at, .n_arrive = 3};
    guarded_io_ops_t ops = ops_for(&s);
    char buf[8];
    assert_true(session_guard_open(&guard, 3, 0));
    assert_int_equal(guarded_io(&guard, &ops, 3, GUARDED_IO_READ, buf, sizeof(buf)), 3);
    assert_int_equal(s.now, 10);
    /* ...even after the deadline: the bound is on waiting, not on bytes. */
    static const uint32_t late[] = {5000};
    sock_t t = {.now = 5000, .arrive_ms = late, .n_arrive = 1};
    ops = ops_for(&t);
    assert_int_equal(session_guard_wait_ms(&guard, 3, 5000), 0);
    assert_int_equal(guarded_io(&guard, &ops, 3, GUARDED_IO_READ, buf, sizeof(buf)), 1);
}

static void stalled_body_times_out_at_the_deadline(void **state)
{
    (void)state;
    /* Content-Length: 3, one byte sent (the review's case). */
    static const uint32_t at[] = {100};
    sock_t s = {.now = 100, .arrive_ms = at, .n_arrive = 1};
    guarded_io_ops_t ops = ops_for(&s);
    char buf[3];
    assert_true(session_guard_open(&guard, 3, 0));
    assert_int_equal(guarded_io(&guard, &ops, 3, GUARDED_IO_READ, buf, 3), 1);
    assert_int_equal(guarded_io(&guard, &ops, 3, GUARDED_IO_READ, buf, 2), GUARDED_IO_TIMEOUT);
    assert_int_equal(s.now, 100 + REQ);
    assert_false(session_guard_close(&guard, 3));
}

static void peer_close_and_errors_pass_through(void **state)
{
    (void)state;
    static const uint32_t at[] = {0};
    sock_t s = {.now = 0, .arrive_ms = at, .n_arrive = 1, .eof = true};
    guarded_io_ops_t ops = ops_for(&s);
    char buf[4];
    assert_true(session_guard_open(&guard, 3, 0));
    assert_int_equal(guarded_io(&guard, &ops, 3, GUARDED_IO_READ, buf, 4), 1);
    assert_int_equal(guarded_io(&guard, &ops, 3, GUARDED_IO_READ, buf, 4), 0);
    s.fail_attempt = GUARDED_IO_INVALID;
    assert_int_equal(guarded_io(&guard, &ops, 3, GUARDED_IO_READ, buf, 4), GUARDED_IO_INVALID);
    s.fail_attempt = 0;
    s.eof = false;
    s.fail_wait = -1;
    assert_int_equal(guarded_io(&guard, &ops, 3, GUARDED_IO_READ, buf, 4), GUARDED_IO_FAIL);
}

static void stalled_reader_write_times_out_and_resets(void **state)
{
    (void)state;
    /* A page answer larger than what the reader makes room for. */
    sock_t s = {.now = 0, .room = 5760};
    guarded_io_ops_t ops = ops_for(&s);
    char page[6000] = {0};
    assert_true(session_guard_open(&guard, 11, 0));
    assert_int_equal(guarded_io(&guard, &ops, 11, GUARDED_IO_WRITE, page, sizeof(page)), 5760);
    assert_int_equal(guarded_io(&guard, &ops, 11, GUARDED_IO_WRITE, page + 5760, 240), GUARDED_IO_TIMEOUT);
    assert_int_equal(s.now, REQ);
    assert_true(session_guard_close(&guard, 11));
}

/* ---- esp_http_server's rules, emulated as ESP-IDF v5.5.5 states them ---- */

/* components/esp_http_server/src/httpd_parse.c, httpd_parse_req() lines
 * 643-686 and read_block() lines 488-540: the head is read in blocks until
 * the parser is done; a recv timeout calls httpd_req_handle_err(408)
 * (line 526), which without a registered 408 handler sends the 408 and
 * returns ESP_FAIL (httpd_txrx.c lines 604-609), so the socket is closed;
 * only a handler returning ESP_OK would make the loop retry (line 658).
 * A read of 0 is "connection closed" (line 535). */
typedef enum { EMU_PARSED, EMU_SENT_408, EMU_CLOSED } emu_parse_t;

static emu_parse_t emu_httpd_parse_req(int fd, const guarded_io_ops_t *ops, size_t head_len)
{
    size_t got = 0;
    char block[128]; /* PARSER_BLOCK_SIZE */
    while (got < head_len) {
        int n = guarded_io(&guard, ops, fd, GUARDED_IO_READ, block, sizeof(block));
        if (n == GUARDED_IO_TIMEOUT) {
            return EMU_SENT_408; /* no 408 handler: 408 sent, ESP_FAIL */
        }
        if (n <= 0) {
            return EMU_CLOSED;
        }
        got += (size_t)n;
    }
    return EMU_PARSED;
}

static void slowloris_head_holds_the_server_task_at_most_the_request_bound(void **state)
{
    (void)state;
    /* One byte of a 40-byte head every 100 ms: each byte arrives well inside
     * any per-recv timeout (recv_wait_timeout is per call, 5 s by default),
     * so only a per-request deadline ends it. */
    uint32_t at[40];
    for (size_t i = 0; i < 40; i++) {
        at[i] = 3000 + 100 * (uint32_t)i;
    }
    sock_t s = {.now = 3000, .arrive_ms = at, .n_arrive = 40};
    guarded_io_ops_t ops = ops_for(&s);
    assert_true(session_guard_open(&guard, 5, 2990));
    assert_int_equal(emu_httpd_parse_req(5, &ops, 40), EMU_SENT_408);
    assert_int_equal(s.now - 3000, REQ);
    /* A head that arrives in one segment parses without waiting. */
    static const uint32_t burst[40] = {0};
    sock_t t = {.now = 10, .arrive_ms = burst, .n_arrive = 40};
    ops = ops_for(&t);
    assert_true(session_guard_open(&guard, 6, 0));
    assert_int_equal(emu_httpd_parse_req(6, &ops, 40), EMU_PARSED);
    assert_int_equal(t.now, 10);
}

static void drain_after_answer_uses_the_same_deadline(void **state)
{
    (void)state;
    /* httpd_parse.c httpd_req_delete() lines 843-855: after the handler the
     * server reads what is left of the body with httpd_req_recv(), which
     * goes through the session's recv_fn (httpd_txrx.c line 124). A client
     * that announced 1 KiB and sends 10 bytes holds the task only until the
     * request's deadline, and a recv error ends the session (line 849). */
    static const uint32_t at[10] = {0};
    sock_t s = {.now = 0, .arrive_ms = at, .n_arrive = 10};
    guarded_io_ops_t ops = ops_for(&s);
    char dummy[200];
    size_t remaining = 1024;
    assert_true(session_guard_open(&guard, 8, 0));
    (void)session_guard_wait_ms(&guard, 8, 0);
    session_guard_closing(&guard, 8); /* the handler answered 413 */
    int r;
    while (remaining > 0 && (r = guarded_io(&guard, &ops, 8, GUARDED_IO_READ, dummy, sizeof(dummy))) > 0) {
        remaining -= (size_t)r;
    }
    assert_int_equal(remaining, 1014);
    assert_int_equal(s.now, REQ);
}

/* httpd_main.c httpd_server() lines 278-283: with lru_purge_enable false the
 * listening socket is in select() only while a session is free; a work item
 * queued with httpd_queue_work is run before the sessions are looked at
 * (lines 301-308, then 316), i.e. between two requests. httpd_sess_new() sets the
 * session's fd before calling open_fn (httpd_sess.c lines 206 and 217), which
 * is where the guard learns the accept time. Emulated here: 10 streams and 3
 * connections that never send anything hold all 13 sessions; a PUT /icon
 * client connects at t = 0. The sweep runs every SESSION_GUARD_SWEEP_MS. */
static uint32_t emu_accept_time(bool sweep_on, uint32_t give_up_ms)
{
    int fds[CAP];
    int fd = 0;
    for (; fd < 10; fd++) {
        assert_true(session_guard_open(&guard, fd, 0));
        (void)session_guard_wait_ms(&guard, fd, 0);
        session_guard_stream(&guard, fd);
    }
    for (; fd < CAP; fd++) {
        assert_true(session_guard_open(&guard, fd, 0));
    }
    size_t shut_down = 0;
    for (uint32_t now = 0; now <= give_up_ms; now++) {
        /* A socket the sweep shut down reads end-of-stream on the next
         * select(); the server deletes it and close_fn forgets it. */
        for (size_t i = 0; i < shut_down; i++) {
            assert_false(session_guard_close(&guard, fds[i]));
        }
        shut_down = 0;
        if (session_guard_open_count(&guard) < CAP) {
            return now; /* listen socket selected: accept() */
        }
        if (sweep_on && now % SESSION_GUARD_SWEEP_MS == 0) {
            shut_down = session_guard_sweep(&guard, now, fds, CAP);
        }
    }
    return UINT32_MAX;
}

static void idle_connections_release_the_sessions_within_the_bound(void **state)
{
    (void)state;
    uint32_t t = emu_accept_time(true, 60000);
    assert_true(t >= IDLE);
    assert_true(t <= IDLE + SESSION_GUARD_SWEEP_MS + 1);
}

static void without_the_sweep_the_client_waits_for_ever(void **state)
{
    (void)state;
    assert_int_equal(emu_accept_time(false, 60000), UINT32_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(idle_socket_is_swept_after_idle_bound, setup),
        cmocka_unit_test_setup(first_read_starts_the_request_deadline, setup),
        cmocka_unit_test_setup(stream_is_never_swept_and_never_waited_on_again, setup),
        cmocka_unit_test_setup(closing_sessions_are_left_to_the_server, setup),
        cmocka_unit_test_setup(write_timeout_makes_the_close_a_reset, setup),
        cmocka_unit_test_setup(capacity_and_fd_reuse, setup),
        cmocka_unit_test_setup(sweep_output_is_bounded, setup),
        cmocka_unit_test_setup(clock_wrap, setup),
        cmocka_unit_test_setup(an_upload_extends_its_own_deadline_only, setup),
        cmocka_unit_test_setup(data_already_there_is_taken_without_waiting, setup),
        cmocka_unit_test_setup(stalled_body_times_out_at_the_deadline, setup),
        cmocka_unit_test_setup(peer_close_and_errors_pass_through, setup),
        cmocka_unit_test_setup(stalled_reader_write_times_out_and_resets, setup),
        cmocka_unit_test_setup(slowloris_head_holds_the_server_task_at_most_the_request_bound, setup),
        cmocka_unit_test_setup(drain_after_answer_uses_the_same_deadline, setup),
        cmocka_unit_test_setup(idle_connections_release_the_sessions_within_the_bound, setup),
        cmocka_unit_test_setup(without_the_sweep_the_client_waits_for_ever, setup),
    };
    return cmocka_run_group_tests_name("session_guard", tests, NULL, NULL);
}
