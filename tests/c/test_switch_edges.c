/* switch_edges: coalescing of GPIO edges between two looks of the core task.
 * The property that matters is checked against a reference debounce that
 * follows docs/abi.md "Debounce" word for word (a test oracle, not product
 * code): every edge fed to one copy, only the coalesced edges to another,
 * both polled at their deadlines, must toggle exactly as often, and as often
 * as the switch was really pressed, storms of thousands of edges a second
 * included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core_wake.h"
#include "switch_edges.h"

static void ignores_repeated_levels(void **state)
{
    (void)state;
    switch_edges_t s;
    switch_edges_init(&s, 1);
    bool first = false;
    assert_false(switch_edges_record(&s, 1, 5, &first)); /* no change: no edge */
    assert_false(switch_edges_pending(&s));
    assert_true(switch_edges_record(&s, 0, 6, &first));
    assert_true(first);
    assert_false(switch_edges_record(&s, 0, 7, &first));
    assert_true(switch_edges_record(&s, 1, 8, &first));
    assert_false(first); /* only the first edge since a take wakes the task */
    assert_int_equal(s.total, 2);
}

static void takes_first_before_last_and_last(void **state)
{
    (void)state;
    switch_edges_t s;
    switch_edge_t out[SWITCH_EDGES_MAX_TAKE];
    switch_edges_init(&s, 1);
    assert_int_equal(switch_edges_take(&s, out), 0);

    switch_edges_record(&s, 0, 10, NULL);
    assert_int_equal(switch_edges_take(&s, out), 1);
    assert_int_equal(out[0].level, 0);
    assert_int_equal(out[0].time_ms, 10);

    switch_edges_record(&s, 1, 20, NULL);
    switch_edges_record(&s, 0, 21, NULL);
    assert_int_equal(switch_edges_take(&s, out), 2);
    assert_int_equal(out[0].time_ms, 20);
    assert_int_equal(out[1].time_ms, 21);

    for (uint32_t t = 30; t < 37; t++) { /* 7 edges: 1,0,1,0,1,0,1 */
        switch_edges_record(&s, (int32_t)((t - 29) & 1), t, NULL);
    }
    assert_int_equal(switch_edges_take(&s, out), 3);
    assert_int_equal(out[0].level, 1);
    assert_int_equal(out[0].time_ms, 30);
    assert_int_equal(out[1].level, 0);
    assert_int_equal(out[1].time_ms, 35);
    assert_int_equal(out[2].level, 1);
    assert_int_equal(out[2].time_ms, 36);
    assert_false(switch_edges_pending(&s));
    assert_int_equal(switch_edges_take(&s, out), 0);
}

/* ---- reference debounce (docs/abi.md "Debounce"), test oracle only ---- */

typedef struct {
    uint32_t window;
    int32_t raw, stable;
    uint32_t since;
    bool pressed;
    int toggles;
    bool has_deadline;
    uint32_t deadline;
} ref_t;

static void ref_init(ref_t *r, uint32_t window, uint32_t now)
{
    *r = (ref_t){.window = window, .raw = 1, .stable = 1, .since = now};
}

static void ref_advance(ref_t *r, uint32_t now)
{
    if (r->raw == r->stable || (int32_t)(now - r->since) < (int32_t)r->window) {
        return;
    }
    r->stable = r->raw;
    if (r->stable == 0) {
        r->pressed = true;
    } else if (r->pressed) {
        r->pressed = false;
        r->toggles++;
    }
}

/* One event then a poll at `now`, like the host: the deadline it returns. */
static void ref_event(ref_t *r, int32_t level, uint32_t time_ms)
{
    ref_advance(r, time_ms);
    if (level != r->raw) {
        r->raw = level;
        r->since = time_ms;
    }
}

static void ref_poll(ref_t *r, uint32_t now)
{
    ref_advance(r, now);
    r->has_deadline = r->raw != r->stable;
    r->deadline = r->since + r->window;
}

static void ref_fire_due(ref_t *r, uint32_t now)
{
    if (r->has_deadline && (int32_t)(now - r->deadline) >= 0) {
        ref_poll(r, r->deadline);
    }
}

/* ---- signals ---- */

static uint32_t s_rng = 0x12345678u;
static uint32_t rnd(uint32_t n)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 17;
    s_rng ^= s_rng << 5;
    return s_rng % n;
}

#define MAX_EDGES 20000
static switch_edge_t s_signal[MAX_EDGES];
static size_t s_nedges;

static void add_edge(int32_t level, uint32_t t)
{
    assert_true(s_nedges < MAX_EDGES);
    s_signal[s_nedges++] = (switch_edge_t){level, t};
}

/* A storm around the change to `to`: edges 0..1 ms apart for storm_ms, with
 * a few pauses shorter than the window; ends on `to`. Returns the end time. */
static uint32_t storm(int32_t to, uint32_t t, uint32_t storm_ms, uint32_t window)
{
    int32_t level = to;
    int32_t last = to ^ 1; /* the level before the storm */
    uint32_t end = t + storm_ms;
    while ((int32_t)(t - end) < 0) { /* wrapping clock */
        add_edge(level, t);
        last = level;
        level ^= 1;
        t += (rnd(10) == 0 && window > 2) ? 1 + rnd(window - 1) : rnd(2);
    }
    if (last != to) {
        add_edge(to, t);
    }
    return t;
}

/* presses press-release cycles, each with storms on both edges. */
static void make_signal(uint32_t window, uint32_t start, int presses)
{
    s_nedges = 0;
    uint32_t t = start + window + rnd(100);
    for (int p = 0; p < presses; p++) {
        t = storm(0, t, rnd(60), window);
        t += window + rnd(200);
        t = storm(1, t, rnd(60), window);
        t += window + rnd(200);
    }
}

/* Every edge to the reference, polled at its deadlines. */
static int run_every_edge(uint32_t window, uint32_t start)
{
    ref_t r;
    ref_init(&r, window, start);
    for (size_t i = 0; i < s_nedges; i++) {
        ref_fire_due(&r, s_signal[i].time_ms);
        ref_event(&r, s_signal[i].level, s_signal[i].time_ms);
        ref_poll(&r, s_signal[i].time_ms);
    }
    ref_fire_due(&r, s_signal[s_nedges - 1].time_ms + window);
    return r.toggles;
}

/* The board's path: edges recorded as they come, taken by the task when the
 * take gap allows (core_wake), the taken ones posted, then a poll. The task
 * runs at each edge time and at its deadlines; *posted counts what reached
 * the core. */
static int run_coalesced(uint32_t window, uint32_t start, size_t *posted, size_t *takes)
{
    ref_t r;
    switch_edges_t s;
    core_wake_t w;
    ref_init(&r, window, start);
    switch_edges_init(&s, 1);
    core_wake_init(&w, core_wake_take_gap_ms(window));
    *posted = 0;
    *takes = 0;
    const uint32_t end = s_signal[s_nedges - 1].time_ms + window + 1;
    size_t i = 0;
    for (uint32_t now = start; (int32_t)(now - end) <= 0; now++) {
        while (i < s_nedges && s_signal[i].time_ms == now) {
            switch_edges_record(&s, s_signal[i].level, now, NULL);
            i++;
        }
        bool work = false;
        if (switch_edges_pending(&s) && core_wake_may_take(&w, now)) {
            switch_edge_t out[SWITCH_EDGES_MAX_TAKE];
            size_t n = switch_edges_take(&s, out);
            for (size_t k = 0; k < n; k++) {
                ref_event(&r, out[k].level, out[k].time_ms);
            }
            *posted += n;
            (*takes)++;
            core_wake_note_take(&w, now);
            work = true;
        }
        if (work || core_wake_deadline_due(&w, now)) {
            ref_poll(&r, now);
            core_wake_set_deadline(&w, now, r.has_deadline ? (int32_t)(r.deadline - now) : -1);
        }
    }
    return r.toggles;
}

static void storms_give_one_toggle_per_press(void **state)
{
    (void)state;
    size_t total_edges = 0, total_posted = 0;
    for (int seq = 0; seq < 300; seq++) {
        uint32_t window = 2 + rnd(100);
        uint32_t start = rnd(4) == 0 ? UINT32_MAX - rnd(5000) : rnd(100000); /* clock wrap too */
        int presses = 1 + (int)rnd(4);
        make_signal(window, start, presses);
        size_t posted, takes;
        int every = run_every_edge(window, start);
        int coalesced = run_coalesced(window, start, &posted, &takes);
        if (every != presses || coalesced != presses) {
            fail_msg("sequence %d (window %u): %d presses, every edge %d toggles, coalesced %d", seq,
                     (unsigned)window, presses, every, coalesced);
        }
        assert_true(posted <= SWITCH_EDGES_MAX_TAKE * takes);
        total_edges += s_nedges;
        total_posted += posted;
    }
    print_message("  %zu edges, %zu posted to the core after coalescing\n", total_edges, total_posted);
    assert_true(total_posted < total_edges); /* coalescing really happened */
}

/* Thousands of edges a second for 50 ms: bounded work, exactly one toggle. */
static void a_50_ms_storm_is_bounded_work(void **state)
{
    (void)state;
    const uint32_t window = 30;
    s_nedges = 0;
    for (uint32_t t = 1000; t < 1050; t++) { /* press: 2 edges every ms = 2000 edges/s for 50 ms */
        add_edge(0, t);
        add_edge(1, t);
    }
    add_edge(0, 1050); /* settles pressed */
    for (uint32_t t = 1250; t < 1300; t++) { /* release: the same storm */
        add_edge(1, t);
        add_edge(0, t);
    }
    add_edge(1, 1300); /* settles released */
    size_t posted, takes;
    assert_int_equal(run_coalesced(window, 900, &posted, &takes), 1);
    assert_int_equal(run_every_edge(window, 900), 1);
    print_message("  %zu edges in two 50 ms storms: %zu takes, %zu events posted\n", s_nedges, takes, posted);
    /* at most one take per gap (3 ms at a 30 ms window) plus one per settle */
    assert_true(takes <= 2 * (50 / core_wake_take_gap_ms(window) + 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ignores_repeated_levels),
        cmocka_unit_test(takes_first_before_last_and_last),
        cmocka_unit_test(storms_give_one_toggle_per_press),
        cmocka_unit_test(a_50_ms_storm_is_bounded_work),
    };
    return cmocka_run_group_tests_name("switch_edges", tests, NULL, NULL);
}
