/* test_sim_runners.c - what the runners run on the simulated machine
 * (sched/sim.h): interpreters and their channels, processes (a fork each,
 * what they send home, a timeout), a thread that computes alone, async
 * tasks.  Exact, as test_sim.c's figures are. */
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
#include "machine/machine.h"
#include "run.h"
#include "sim.h"
#include "sim_helpers.h"
#include "summary.h"

/* Interpreters in virtual time (the per-interpreter policy): each starts
 * at interp_start_ns of computing, and sends its units' data through a
 * channel at channel_kib_ns a KiB: a lone interpreter's run grows by
 * exactly both. */
static void test_interpreters_start_and_send_at_their_cost(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    uint64_t wall[3];
    for (int k = 0; k < 3; k++) {
        gs_sim_model m = sim_model(4, 1);
        m.interp_start_ns = k ? 2000000 : 0;
        m.channel_kib_ns = 1000;
        gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 1, 40);
        cfg.gil.policy = GS_GIL_PER_INTERPRETER;
        cfg.transfer_bytes = k == 2 ? 1024 * 1024 : 0; /* 40 MiB in all: 40.96 ms */
        cfg.sim = &m;
        gs_run_result r;
        if (gs_run(&cfg, &r) != 0 || r.failed)
            fail_msg("%s", r.error);
        wall[k] = r.end_ns - r.start_ns;
        if (k == 2)
            assert_int_equal(r.workers[0].transfer_bytes, 40ull << 20);
        gs_run_result_free(&r);
    }
    int64_t start = (int64_t)(wall[1] - wall[0]), send = (int64_t)(wall[2] - wall[1]);
    if (llabs(start - 2000000) > 1000 || llabs(send - 40960000) > 1000)
        fail_msg("an interpreter's start added %lld ns (want 2 ms), its 40 MiB %lld ns (want 40.96 ms)",
                 (long long)start, (long long)send);
    gs_workload_free(&w);
}

/* --transfer in virtual time: each process spends transfer_kib_ns a KiB
 * on a core sending its data home (1.6 ms for 1 MiB), exactly, and the
 * run's wall time grows by one process's share, the processes sending at
 * once on cores of their own. */
static void test_transfer_costs_what_the_model_says(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    gs_sim_model m = sim_model(4, 1);
    double wall[2];
    for (int k = 0; k < 2; k++) {
        gs_run_config cfg = run_config(GS_MODE_PROCESSES, &w, 4, 40);
        cfg.sim = &m;
        cfg.transfer_bytes = k ? 100 * 1024 : 0; /* 10 units a process: 1000 KiB */
        gs_run_result r;
        assert_int_equal(gs_run(&cfg, &r), 0);
        for (uint32_t i = 0; i < r.nworkers; i++) {
            assert_int_equal(r.workers[i].transfer_bytes, k ? 10 * 100 * 1024 : 0);
            assert_int_equal(r.workers[i].transfer_ns, k ? 1000 * m.transfer_kib_ns : 0);
        }
        wall[k] = (double)(r.end_ns - r.start_ns);
        gs_run_result_free(&r);
    }
    double grew = wall[1] - wall[0], want = 1000.0 * (double)m.transfer_kib_ns;
    if (grew < 0.99 * want || grew > 1.01 * want)
        fail_msg("the transfer made the run %.0f ns longer, not %.0f", grew, want);
    gs_workload_free(&w);
}

/* Processes on the model: a lock each, so 8 of them on 8 cores run 8
 * times as fast as one, less what starting and collecting them costs
 * (about 10 ms for 8).  A machine ten times slower per instruction makes
 * the work 3.2 s of virtual time, so that those costs are under 5% of it,
 * at a tenth of the real time the same virtual work would take. */
static void test_processes_use_the_cores(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(8, 1);
    m.instruction_ns = 10;
    double wall[2];
    for (int k = 0; k < 2; k++) {
        gs_run_config cfg = run_config(GS_MODE_PROCESSES, &w, k ? 8 : 1, 8000);
        cfg.sim = &m;
        gs_run_result r;
        if (gs_run(&cfg, &r) != 0)
            fail_msg("%s", r.error);
        check_consistent(&r, 8000);
        assert_true(r.spawn_ns >= (k ? 8 : 1) * m.fork_ns);
        assert_true(r.collect_ns >= m.collect_ns);
        wall[k] = (double)(r.end_ns - r.start_ns);
        gs_run_result_free(&r);
    }
    double speedup = wall[0] / wall[1];
    if (speedup < 0.95 * 8 || speedup > 8.0)
        fail_msg("8 processes on 8 modelled cores: speedup %.3f, want within 5%% of 8", speedup);
    gs_workload_free(&w);
}

static void send_garbage_from_second(uint32_t worker, gs_os *os, gs_home *home)
{
    static const char garbage[] = "not a result";
    if (worker == 1)
        assert_int_equal(os->ops->home_send(os, home, garbage, sizeof garbage), 0);
}

/* Modelled processes run the processes runner itself: starting them costs
 * the parent a fork each, exactly; a child's garbage is that worker's
 * failure and the others' results stand; --timeout stops every child at
 * its next back-edge, in virtual time, and each still sends home what it
 * did. */
static void test_processes_runner_in_virtual_time(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(4, 1);
    gs_run_config cfg = run_config(GS_MODE_PROCESSES, &w, 4, 400);
    cfg.sim = &m;
    cfg.in_child = send_garbage_from_second;
    gs_run_result r;
    if (gs_run(&cfg, &r) != 0)
        fail_msg("%s", r.error);
    assert_int_equal(r.spawn_ns, 4 * m.fork_ns);
    assert_true(r.collect_ns >= 4 * m.collect_ns);
    assert_int_equal(r.failed, 1);
    assert_true(r.workers[1].failed);
    assert_non_null(strstr(r.workers[1].rare->error, "sent garbage"));
    for (uint32_t i = 0; i < 4; i++)
        if (i != 1 && (r.workers[i].failed || r.workers[i].units != 100 || r.workers[i].instructions == 0))
            fail_msg("process %u: %s", i, r.workers[i].failed ? r.workers[i].rare->error : "lost its work");
    gs_run_result_free(&r);

    cfg.in_child = NULL;
    cfg.work = 400000000; /* far more than 5 ms of virtual time */
    cfg.timeout_ns = 5000000;
    if (gs_run(&cfg, &r) != 0)
        fail_msg("%s", r.error);
    assert_true(r.stopped);
    assert_int_equal(r.failed, 4);
    for (uint32_t i = 0; i < 4; i++) {
        assert_string_equal(r.workers[i].rare->error, "stopped by --timeout");
        assert_true(r.workers[i].instructions > 0); /* sent home, though stopped */
        assert_true(r.workers[i].end_ns >= r.start_ns + cfg.timeout_ns);
        assert_true(r.workers[i].end_ns < r.start_ns + cfg.timeout_ns + GS_STOP_TICK_NS);
    }
    gs_run_result_free(&r);

    gs_workload_free(&w);
}

/* A lone thread computes alone (machine.h): its budgets run to its
 * slice's end, not to other threads' operations.  A stop still reaches
 * it within half a stop tick, with a slice of 10 s too. */
static void test_a_stop_reaches_a_thread_computing_alone(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(2, 1);
    m.slice_ns = 10000000000ull;
    gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 1, 400000000); /* far more than 5 ms */
    cfg.sim = &m;
    cfg.timeout_ns = 5000000;
    gs_run_result r;
    if (gs_run(&cfg, &r) != 0)
        fail_msg("%s", r.error);
    assert_true(r.stopped);
    if (r.workers[0].end_ns >= r.start_ns + cfg.timeout_ns + GS_STOP_TICK_NS)
        fail_msg("a lone thread ended %llu ns after the timeout, with a 10 s slice",
                 (unsigned long long)(r.workers[0].end_ns - r.start_ns - cfg.timeout_ns));
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

/* Async tasks on the model: I/O-bound tasks overlap on one loop thread, and
 * one that computes delays every other's timers by as long as it computes:
 * the loop lag is exactly the computing, plus the wake-up. */
static void test_async_tasks(void **state)
{
    (void)state;
    gs_workload io = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    gs_sim_model m = sim_model(2, 1);
    double wall[2] = {io_wall(GS_MODE_ASYNC, &io, 1, 80, &m, NULL), io_wall(GS_MODE_ASYNC, &io, 8, 80, &m, NULL)};
    if (wall[0] / wall[1] < 0.95 * 8)
        fail_msg("8 I/O-bound tasks: %.2fx as fast as 1, want about 8", wall[0] / wall[1]);

    gs_workload convoy = load_kind(GS_WL_CONVOY, GS_IO_SLEEP);
    convoy.unit_size = 2500000; /* 10 ms of computing a unit, no pause */
    gs_run_config cfg = run_config(GS_MODE_ASYNC, &convoy, 2, 1); /* a 1 ms sleep, 10 ms of computing */
    cfg.weak = true;
    cfg.io_latency_ns = 1000000;
    cfg.sim = &m;
    gs_run_result r;
    if (gs_run(&cfg, &r) != 0)
        fail_msg("%s", r.error);
    uint64_t lag = r.workers[0].loop_lag.max; /* due at 1 ms; the loop is back at 10 ms */
    if (lag < 9000000 || lag > 9000000 + 4 * m.wake_ns)
        fail_msg("the sleeping task's timer was %llu ns late beside 10 ms of computing, want 9 ms",
                 (unsigned long long)lag);
    gs_run_result_free(&r);
    gs_workload_free(&convoy);
    gs_workload_free(&io);
}

/* The simulator's host memory follows the workers running at once, not
 * those that exist: 2,000 threads with no lock, or 2,000 processes (a
 * lock each), of one small unit each on 4 modelled cores wait at the
 * start gate parked and then run a few at a time, so the run makes a few
 * C stacks (sim.c, "Start gates"), not 2,000.  200 threads that all wait
 * for one lock mid-run (a 1 ms interval, 10 ms of work each) keep one
 * each. */
static void test_stacks_follow_the_workers_running(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(4, 1);
    static const struct {
        gs_mode mode;
        gs_gil_policy policy;
        uint32_t workers, unit_size;
        uint32_t least, most;
    } runs[] = {
        {GS_MODE_THREADS, GS_GIL_NONE, 2000, 1000, 1, 12},
        {GS_MODE_PROCESSES, GS_GIL_CPYTHON, 2000, 1000, 1, 12},
        {GS_MODE_THREADS, GS_GIL_CPYTHON, 200, 2500000, 200, 212},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        w.unit_size = runs[i].unit_size;
        gs_run_config cfg = run_config(runs[i].mode, &w, runs[i].workers, runs[i].workers);
        cfg.gil.policy = runs[i].policy;
        cfg.sim = &m;
        gs_run_result r;
        if (gs_run(&cfg, &r) != 0 || r.failed)
            fail_msg("%s", r.error);
        check_consistent(&r, runs[i].workers);
        if (r.sim_stacks < runs[i].least || r.sim_stacks > runs[i].most)
            fail_msg("%u %s under %s: %u C stacks (want %u to %u)", runs[i].workers, gs_mode_plural[runs[i].mode],
                     gs_gil_policy_names[runs[i].policy], r.sim_stacks, runs[i].least, runs[i].most);
        gs_run_result_free(&r);
    }
    gs_workload_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interpreters_start_and_send_at_their_cost),
        cmocka_unit_test(test_transfer_costs_what_the_model_says),
        cmocka_unit_test(test_processes_use_the_cores),
        cmocka_unit_test(test_processes_runner_in_virtual_time),
        cmocka_unit_test(test_a_stop_reaches_a_thread_computing_alone),
        cmocka_unit_test(test_async_tasks),
        cmocka_unit_test(test_stacks_follow_the_workers_running),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
