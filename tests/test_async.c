/* test_async.c - the async runner: no lost work on one loop; I/O tasks
 * overlap; a computing task delays every other task's timers (loop lag);
 * yield interleaves tasks and nothing else does; failing and stopped
 * tasks are reported and the loop still ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "helpers.h"
#include "summary.h"

/* main(first, count, spin): the task whose first unit is 0 yields once,
 * so that the others start their sleeps, then counts down from spin; every
 * other task sleeps count times.  Returns 1. */
static const char one_computes_others_sleep[] = ".func main 3 1\n"
                                                " load 0\n jnz io\n yield\n load 2\n store 3\n"
                                                "spin:\n inc 3 -1\n load 3\n push 0\n jgt spin\n"
                                                " push 1\n ret\n"
                                                "io:\n load 1\n push 0\n jle end\n"
                                                " push 1\n io sleep\n pop\n inc 1 -1\n jmp io\n"
                                                "end:\n push 1\n ret\n.end\n";

/* main(first, count, spin): per unit, count down from spin, then yield.
 * Returns first. */
static const char spin_then_yield[] = ".func main 3 1\n"
                                      "unit:\n load 1\n push 0\n jle end\n"
                                      " load 2\n store 3\n"
                                      "spin:\n inc 3 -1\n load 3\n push 0\n jgt spin\n"
                                      " yield\n inc 1 -1\n jmp unit\n"
                                      "end:\n load 0\n ret\n.end\n";

/* main(first, count, yields): the task whose first unit is 0 yields
 * `yields` times, keeping the loop busy; every other task sleeps count
 * times.  Returns 1. */
static const char one_yields_others_sleep[] = ".func main 3 0\n"
                                              " load 0\n jnz io\n"
                                              "busy:\n yield\n inc 2 -1\n load 2\n push 0\n jgt busy\n"
                                              " push 1\n ret\n"
                                              "io:\n load 1\n push 0\n jle end\n"
                                              " push 1\n io sleep\n pop\n inc 1 -1\n jmp io\n"
                                              "end:\n push 1\n ret\n.end\n";

static gs_run_config config(const gs_workload *w, uint32_t workers, uint64_t work)
{
    return run_config(GS_MODE_ASYNC, w, workers, work);
}

static void test_no_lost_work(void **state)
{
    (void)state;
    expect_checksum(GS_MODE_ASYNC, GS_WL_COUNTDOWN, 0, 4, 400);
    expect_checksum(GS_MODE_ASYNC, GS_WL_FIB, 0, 3, 50);
    expect_checksum(GS_MODE_ASYNC, GS_WL_PRIMES, 0, 5, 101);
    expect_checksum(GS_MODE_ASYNC, GS_WL_IO_BOUND, GS_IO_SLEEP, 4, 60);
    expect_checksum(GS_MODE_ASYNC, GS_WL_IO_BOUND, GS_IO_PIPE, 4, 60);
    expect_checksum(GS_MODE_ASYNC, GS_WL_IO_BOUND, GS_IO_FILE, 4, 200);
    expect_checksum(GS_MODE_ASYNC, GS_WL_MIXED, GS_IO_PIPE, 3, 40);
    expect_checksum(GS_MODE_ASYNC, GS_WL_MIXED, GS_IO_SLEEP, 7, 70);
}

static void test_sleeping_tasks_overlap(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    gs_run_config one = config(&w, 1, 10), eight = config(&w, 8, 10);
    one.weak = eight.weak = true;
    one.io_latency_ns = eight.io_latency_ns = 5000000;
    gs_run_result r1, r8;
    assert_int_equal(gs_run(&one, &r1), 0);
    assert_int_equal(gs_run(&eight, &r8), 0);
    check_consistent(&r8, 80);
    assert_int_equal(max_concurrent(&r1, EV(IO_START), EV(IO_END)), 1);
    assert_int_equal(max_concurrent(&r8, EV(IO_START), EV(IO_END)), 8); /* every task asleep at once */
    gs_run_result_free(&r1);
    gs_run_result_free(&r8);
    gs_workload_free(&w);
}

/* libuv's timers count whole milliseconds, and a busy loop looks at its
 * clock floored to one: a timer set without care ends a sleep early. */
static void test_sleep_never_ends_early(void **state)
{
    (void)state;
    gs_workload w = load_text(one_yields_others_sleep);
    w.unit_size = 20000;
    gs_run_config cfg = config(&w, 4, 20);
    cfg.weak = true; /* 20 units each */
    cfg.io_latency_ns = 1000000;
    gs_run_result r;
    assert_int_equal(gs_run(&cfg, &r), 0);
    check_consistent(&r, 80);
    for (uint32_t i = 1; i < 4; i++) {
        assert_int_equal(r.workers[i].io_latency.count, 20);
        if (r.workers[i].io_latency.min < cfg.io_latency_ns)
            fail_msg("task %u slept %.3f ms for a 1 ms sleep", i, r.workers[i].io_latency.min / 1e6);
    }
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

/* Runs one_computes_others_sleep with 4 tasks, 10 units each; returns the
 * sleeping tasks' largest timer lag, and the computing task's CPU time. */
static uint64_t io_tasks_max_lag(int64_t spin, uint64_t *spin_ns)
{
    gs_workload w = load_text(one_computes_others_sleep);
    w.unit_size = spin;
    gs_run_config cfg = config(&w, 4, 10);
    cfg.weak = true;
    cfg.io_latency_ns = 1000000;
    gs_run_result r;
    assert_int_equal(gs_run(&cfg, &r), 0);
    check_consistent(&r, 40);
    uint64_t lag = 0;
    for (uint32_t i = 1; i < 4; i++) {
        assert_int_equal(r.workers[i].loop_lag.count, 10);
        lag = r.workers[i].loop_lag.max > lag ? r.workers[i].loop_lag.max : lag;
    }
    *spin_ns = r.workers[0].cpu_ns;
    gs_run_result_free(&r);
    gs_workload_free(&w);
    return lag;
}

static void test_computing_task_delays_every_timer(void **state)
{
    (void)state;
    uint64_t spin_ns, idle_ns;
    uint64_t with_cpu = io_tasks_max_lag(10000000, &spin_ns); /* ~40 ms */
    uint64_t without = io_tasks_max_lag(0, &idle_ns);
    /* The first timers fall due 1 ms into the spin and wait for its end,
     * whatever else the machine is doing.  Without the spin the lag is
     * only the loop's own (and any stall the OS adds, hence no bound but
     * this one: a loaded CI machine once stalled it past 10 ms). */
    if (with_cpu < spin_ns / 2 || without >= with_cpu)
        fail_msg("loop lag %.2f ms with %.2f ms spins, %.2f ms without", with_cpu / 1e6, spin_ns / 1e6,
                 without / 1e6);
}

/* The order in which tasks first and last ran. */
static void first_last_run(const gs_recorder *rec, uint64_t *first, uint64_t *last)
{
    *first = UINT64_MAX;
    *last = 0;
    for (uint32_t k = 0; k < rec->n; k++) {
        if (gs_rec_event(rec, k)->type != GS_EV_GOT)
            continue;
        *first = gs_rec_event(rec, k)->t_ns < *first ? gs_rec_event(rec, k)->t_ns : *first;
        *last = gs_rec_event(rec, k)->t_ns;
    }
}

static void test_yield_interleaves_and_nothing_else_does(void **state)
{
    (void)state;
    gs_workload yielding = load_text(spin_then_yield), plain = load_kind(GS_WL_COUNTDOWN, 0);
    yielding.unit_size = 1000;
    const gs_workload *both[] = {&yielding, &plain};
    for (int k = 0; k < 2; k++) {
        gs_run_config cfg = config(both[k], 2, 20);
        gs_run_result r;
        assert_int_equal(gs_run(&cfg, &r), 0);
        check_consistent(&r, 20);
        uint64_t first0, last0, first1, last1;
        first_last_run(&r.workers[0].rec, &first0, &last0);
        first_last_run(&r.workers[1].rec, &first1, &last1);
        if (k == 0) { /* every yield lets the other one run */
            assert_true(first1 < last0);
            assert_true(first0 < last1);
            assert_int_equal(r.workers[0].checksum, 0);
            assert_int_equal(r.workers[1].checksum, 10);
        } else { /* a CPU-bound task keeps the loop until it is done */
            assert_int_equal(first0, last0);
            assert_true(r.workers[0].end_ns <= first1);
        }
        gs_run_result_free(&r);
    }
    gs_workload_free(&yielding);
    gs_workload_free(&plain);
}

static void test_runtime_error_in_one_task(void **state)
{
    (void)state;
    expect_one_runtime_error(GS_MODE_ASYNC);
}

static void test_timeout_stops_computing_tasks(void **state)
{
    (void)state;
    expect_timeout_stops(GS_MODE_ASYNC, 3);
}

static void test_timeout_stops_sleeping_tasks(void **state)
{
    (void)state;
    /* tasks asleep in libuv timers when the stop comes */
    gs_workload w = load_text(".func main 0\nloop:\n push 0\n io sleep\n pop\n jmp loop\n.end\n");
    gs_run_config cfg = config(&w, 5, 5);
    cfg.io_latency_ns = 50000000;
    cfg.timeout_ns = 120000000;
    gs_run_result r;
    assert_int_equal(gs_run(&cfg, &r), 0);
    assert_true(r.stopped);
    assert_int_equal(r.failed, 5);
    for (uint32_t i = 0; i < 5; i++) {
        assert_string_equal(r.workers[i].rare->error, "stopped by --timeout");
        assert_true(r.workers[i].io_ops >= 2);
    }
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

static void test_events_recorded_and_bounded(void **state)
{
    (void)state;
    expect_events_bounded(GS_MODE_ASYNC);
}

static void test_cores_pin_every_worker(void **state)
{
    (void)state;
    expect_pinned(GS_MODE_ASYNC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cores_pin_every_worker),
        cmocka_unit_test(test_no_lost_work),
        cmocka_unit_test(test_sleeping_tasks_overlap),
        cmocka_unit_test(test_sleep_never_ends_early),
        cmocka_unit_test(test_computing_task_delays_every_timer),
        cmocka_unit_test(test_yield_interleaves_and_nothing_else_does),
        cmocka_unit_test(test_runtime_error_in_one_task),
        cmocka_unit_test(test_timeout_stops_computing_tasks),
        cmocka_unit_test(test_timeout_stops_sleeping_tasks),
        cmocka_unit_test(test_events_recorded_and_bounded),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
