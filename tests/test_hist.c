/* test_hist.c - a worker's windowed histogram says what a whole one says,
 * holds only the window its values need, refuses what does not add up,
 * and a worker whose histogram lost values is reported failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "hist.h"
#include "runners/worker.h"

static uint64_t next(uint64_t *state) /* splitmix64 */
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Values from 0 to 2^64-1, in every octave, in an order that makes the
 * window grow both ways. */
static void test_same_figures_as_a_whole_histogram(void **state)
{
    (void)state;
    static gs_hist whole, merged;
    gs_worker_hist part = {0};
    memset(&whole, 0, sizeof whole);
    memset(&merged, 0, sizeof merged);
    uint64_t seed = 7;
    for (int i = 0; i < 20000; i++) {
        uint64_t v = next(&seed) >> (next(&seed) % 64);
        gs_hist_add(&whole, v);
        gs_worker_hist_add(&part, v);
    }
    gs_hist_add(&whole, 0);
    gs_worker_hist_add(&part, 0);
    gs_hist_add(&whole, UINT64_MAX);
    gs_worker_hist_add(&part, UINT64_MAX);
    assert_true(gs_worker_hist_consistent(&part));
    assert_int_equal(part.count, whole.count);
    assert_int_equal(part.lost, 0);
    static const double ps[] = {0, 1, 10, 50, 90, 99, 99.9, 100};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        assert_int_equal(gs_worker_hist_percentile(&part, ps[i]), gs_hist_percentile(&whole, ps[i]));
    assert_true(gs_worker_hist_mean(&part) == gs_hist_mean(&whole));
    gs_hist_merge_worker(&merged, &part);
    assert_memory_equal(&merged, &whole, sizeof whole);
    gs_worker_hist_free(&part);
    assert_int_equal(part.count, 0);
    assert_null(part.buckets);
}

/* A worker's values gather: its window is their octaves, not 976 buckets. */
static void test_window_is_what_the_values_need(void **state)
{
    (void)state;
    gs_worker_hist h = {0};
    for (uint64_t v = 1000; v < 4000; v += 7) /* the last half of 2^9's octave to 2^11's: 5 half octaves */
        gs_worker_hist_add(&h, v);
    assert_int_equal(h.len, 5 * GS_HIST_SUB / 2);
    assert_int_equal(h.min, 1000);
    assert_int_equal(h.max, 3996); /* 1000 + 428 x 7 */
    gs_worker_hist_add(&h, 100000); /* 2^16's first half: the window reaches it, and holds what is between */
    assert_int_equal(h.len, 15 * GS_HIST_SUB / 2);
    assert_true(gs_worker_hist_consistent(&h));
    assert_int_equal(gs_worker_hist_percentile(&h, 100), 100000);
    gs_worker_hist_free(&h);
}

static void test_what_does_not_add_up_is_refused(void **state)
{
    (void)state;
    gs_worker_hist h = {0};
    assert_true(gs_worker_hist_consistent(&h)); /* empty */
    for (uint64_t v = 100; v < 200; v++)
        gs_worker_hist_add(&h, v);
    assert_true(gs_worker_hist_consistent(&h));
    h.count++;
    assert_false(gs_worker_hist_consistent(&h));
    h.count--;
    uint64_t max = h.max;
    h.max = 1u << 20; /* outside the window */
    assert_false(gs_worker_hist_consistent(&h));
    h.max = max;
    uint32_t first = h.first;
    h.first = GS_HIST_BUCKETS - 1; /* the window past the last bucket */
    assert_false(gs_worker_hist_consistent(&h));
    h.first = first;
    assert_true(gs_worker_hist_consistent(&h));
    gs_worker_hist_free(&h);
    h.count = 1; /* a count with no window */
    assert_false(gs_worker_hist_consistent(&h));
}

static void test_lost_values_fail_the_worker(void **state)
{
    (void)state;
    static gs_worker_result res;
    static gs_worker_rare rare;
    memset(&res, 0, sizeof res);
    res.rare = &rare;
    gs_worker_check_figures(&res);
    assert_false(res.failed);
    res.loop_lag.lost = 2;
    res.lock.hold.lost = 1;
    gs_worker_check_figures(&res);
    assert_true(res.failed);
    assert_string_equal(res.rare->error, "out of memory for its figures (3 times not kept)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_figures_as_a_whole_histogram),
        cmocka_unit_test(test_window_is_what_the_values_need),
        cmocka_unit_test(test_what_does_not_add_up_is_refused),
        cmocka_unit_test(test_lost_values_fail_the_worker),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
