/* test_shared.c - shared variables, user locks and native calls in every
 * runner (docs/design.md, "Shared state"): what the interpreter lock
 * protects and what it does not, as invariants that hold on any machine,
 * and in virtual time as exact figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "runners/ulock.h"
#include "sim.h"
#include "summary.h"
#include "testdir.h"

static const gs_gil_policy every_policy[] = {GS_GIL_CPYTHON, GS_GIL_LEGACY, GS_GIL_FIFO, GS_GIL_NONE,
                                             GS_GIL_FREE_THREADED};

static gs_workload race(gs_race_variant v)
{
    gs_workload w;
    char err[GS_ERRMSG_MAX];
    gs_workload_spec spec = {.kind = GS_WL_RACE, .race = v};
    if (gs_workload_load(&w, &spec, err) != 0)
        fail_msg("%s", err);
    w.unit_size = 200; /* updates a unit */
    return w;
}

/* Runs cfg and returns its summary; the run must be whole and consistent. */
static void run(const gs_run_config *cfg, gs_run_result *r, gs_run_summary *s)
{
    if (gs_run(cfg, r) != 0)
        fail_msg("%s", r->error);
    check_consistent(r, cfg->weak ? cfg->work * cfg->workers : cfg->work);
    gs_summarize(r, s);
    assert_true(s->has_race);
}

/* With a user lock around the update, no update is lost: under every
 * policy (even with no interpreter lock at all), with more threads than
 * cores, at a switch interval that switches all the time. */
static void test_user_lock_loses_nothing(void **state)
{
    (void)state;
    gs_workload w = race(GS_RACE_LOCK);
    static gs_run_summary s;
    for (size_t p = 0; p < sizeof every_policy / sizeof every_policy[0]; p++) {
        gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 6, 300);
        cfg.gil.policy = every_policy[p];
        cfg.gil.interval_ns = 1000;
        cfg.gil.check_interval = 500;
        gs_run_result r;
        run(&cfg, &r, &s);
        if (s.lost_updates != 0)
            fail_msg("%s: %lld updates lost under the user lock", gs_gil_policy_names[every_policy[p]],
                     (long long)s.lost_updates);
        assert_int_equal(s.ulocks[0].counts.acquisitions, 300 * 200);
        gs_run_result_free(&r);
    }
    for (int mode = GS_MODE_PROCESSES; mode <= GS_MODE_ASYNC; mode++) {
        gs_run_config cfg = run_config((gs_mode)mode, &w, 3, 60);
        gs_run_result r;
        run(&cfg, &r, &s);
        assert_int_equal(s.lost_updates, 0);
        gs_run_result_free(&r);
    }
    gs_workload_free(&w);
}

/* Without a user lock, updates may be lost, but the counter never ends
 * above what was added: nothing is counted twice. */
/* Free-threaded threads in real time with the collector stopping the
 * world every 200 us: every thread finishes, its units all done, no
 * update invented, and the user lock still loses nothing. */
static void test_free_threaded_pauses_in_real_time(void **state)
{
    (void)state;
    static gs_run_summary s;
    for (int v = GS_RACE_LOCK; v <= GS_RACE_INPLACE; v++) {
        gs_workload w = race((gs_race_variant)v);
        gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 3, 150);
        cfg.gil.policy = GS_GIL_FREE_THREADED;
        cfg.gil.gc_every_ns = 200000;
        cfg.gil.gc_pause_ns = 20000;
        gs_run_result r;
        run(&cfg, &r, &s);
        assert_int_equal(s.units, 150);
        assert_true(s.lost_updates >= 0 && (uint64_t)s.lost_updates <= s.updates_expected);
        if (v == GS_RACE_LOCK)
            assert_int_equal(s.lost_updates, 0);
        gs_run_result_free(&r);
        gs_workload_free(&w);
    }
}

static void test_races_never_invent_updates(void **state)
{
    (void)state;
    static gs_run_summary s;
    for (int v = GS_RACE_CALL; v <= GS_RACE_INPLACE; v += GS_RACE_INPLACE - GS_RACE_CALL) {
        gs_workload w = race((gs_race_variant)v);
        for (size_t p = 0; p < sizeof every_policy / sizeof every_policy[0]; p++) {
            gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 4, 400);
            cfg.gil.policy = every_policy[p];
            cfg.gil.interval_ns = 1000;
            cfg.gil.check_interval = 7;
            gs_run_result r;
            run(&cfg, &r, &s);
            if (s.lost_updates < 0 || (uint64_t)s.lost_updates > s.updates_expected)
                fail_msg("%s, %s: %lld of %llu updates lost", gs_race_variant_names[v],
                         gs_gil_policy_names[every_policy[p]], (long long)s.lost_updates,
                         (unsigned long long)s.updates_expected);
            gs_run_result_free(&r);
        }
        gs_workload_free(&w);
    }
}

/* counter += 1 under CPython's lock never loses an update: the eval
 * breaker is not polled between the load and the store, so the lock never
 * changes hands there, at any interval, real or virtual, though it does
 * change hands: in virtual time at 1 us, exactly; in real time as often
 * as the OS lets the waiters run, which on a VM whose threads share one
 * core may be at a time slice's end only (docs/calibration.md, "Real runs
 * on this VM often share one core"), so a real run asserts no count of
 * hand-offs. */
static void test_inplace_is_atomic_under_cpython_only(void **state)
{
    (void)state;
    gs_workload w = race(GS_RACE_INPLACE);
    static gs_run_summary s;
    static const uint64_t intervals[] = {1000, 100000, 5000000};
    gs_sim_model m = GS_SIM_MODEL_DEFAULT;
    m.cores = 2;
    for (int sim = 0; sim < 2; sim++)
        for (size_t i = 0; i < sizeof intervals / sizeof intervals[0]; i++) {
            gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 3, 600);
            cfg.gil.policy = GS_GIL_CPYTHON;
            cfg.gil.interval_ns = intervals[i];
            cfg.sim = sim ? &m : NULL;
            gs_run_result r;
            run(&cfg, &r, &s);
            if (s.lost_updates != 0)
                fail_msg("%s, interval %llu ns: += lost %lld updates under cpython", sim ? "virtual" : "real",
                         (unsigned long long)intervals[i], (long long)s.lost_updates);
            if (sim && intervals[i] == 1000 && s.lock.switches_in < 2)
                fail_msg("the lock changed hands %llu times at 1 us", (unsigned long long)s.lock.switches_in);
            gs_run_result_free(&r);
        }
    gs_workload_free(&w);
}

/* Each forked process has its own copy of the shared variables: its counter
 * counts its own updates, and none are lost, however the processes run. */
static void test_processes_have_their_own_copy(void **state)
{
    (void)state;
    gs_workload w = race(GS_RACE_CALL);
    static gs_run_summary s;
    gs_sim_model m = GS_SIM_MODEL_DEFAULT;
    for (int sim = 0; sim < 2; sim++) {
        gs_run_config cfg = run_config(GS_MODE_PROCESSES, &w, 3, 90);
        cfg.sim = sim ? &m : NULL;
        gs_run_result r;
        run(&cfg, &r, &s);
        assert_int_equal(s.lost_updates, 0);
        assert_int_equal(r.shared[0], 90 * 200);
        for (uint32_t i = 0; i < r.nworkers && !sim; i++)
            assert_int_equal(r.workers[i].rare->shared_end[0], (int64_t)r.workers[i].units * 200);
        gs_run_result_free(&r);
    }
    gs_workload_free(&w);
}

/* Bytecode never runs in two threads at once (at most one holder between
 * its take and its drop), and the meter of native calls at once never
 * says more than the events do (each call's events enclose its time on
 * the meter).  That two native calls do overlap is asserted in
 * virtual time only, where it is the model's exact outcome: on a real,
 * loaded machine one thread may finish all the work before the OS runs
 * the other, and CI's did. */
static void test_native_sections_overlap(void **state)
{
    (void)state;
    gs_workload w;
    char err[GS_ERRMSG_MAX];
    gs_workload_spec spec = {.kind = GS_WL_NATIVE, .native_share = 0.9};
    assert_int_equal(gs_workload_load(&w, &spec, err), 0);
    gs_sim_model m = GS_SIM_MODEL_DEFAULT;
    static gs_run_summary s;
    for (int sim = 0; sim < 2; sim++) {
        gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 2, 200);
        cfg.gil.policy = GS_GIL_CPYTHON;
        cfg.sim = sim ? &m : NULL;
        gs_run_result r;
        if (gs_run(&cfg, &r) != 0)
            fail_msg("%s", r.error);
        check_consistent(&r, 200);
        gs_summarize(&r, &s);
        assert_int_equal(s.native_calls, 200);
        uint32_t native = max_concurrent(&r, EV(NATIVE_START), EV(NATIVE_END));
        uint32_t holders = max_concurrent(&r, EV(GOT), EV(DROP_FORCED) | EV(DROP_VOLUNTARY) | EV(DROP_TICK));
        if (holders != 1 || s.native_max > native || native > 2 || (sim && s.native_max != 2))
            fail_msg("%s: %u in native calls at once (meter: %u), %u holding the lock at once",
                     sim ? "virtual" : "real", native, s.native_max, holders);
        gs_run_result_free(&r);
    }
    gs_workload_free(&w);
}

/* In virtual time the race's losses are the model's, for a seed: these
 * exact figures, every run.  Two threads, a call between the read and the
 * write, at a 1 us and a 5 ms switch interval: at 5 ms, as in CPython, a
 * switch inside the call loses the other thread's whole turn (about 36% of
 * these 4 million updates). */
static void test_virtual_losses_are_exact(void **state)
{
    (void)state;
    gs_workload w = race(GS_RACE_CALL);
    w.unit_size = 1000;
    gs_sim_model m = GS_SIM_MODEL_DEFAULT;
    m.cores = 2;
    static gs_run_summary s;
    static const struct {
        uint64_t interval_ns;
        int64_t lost;
    } want[] = {{1000, 1292547}, {5000000, 1450166}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        for (int again = 0; again < 2; again++) {
            gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 2, 4000);
            cfg.gil.policy = GS_GIL_CPYTHON;
            cfg.gil.interval_ns = want[i].interval_ns;
            cfg.sim = &m;
            gs_run_result r;
            run(&cfg, &r, &s);
            if (s.lost_updates != want[i].lost)
                fail_msg("interval %llu ns: %lld lost, the model says %lld", (unsigned long long)want[i].interval_ns,
                         (long long)s.lost_updates, (long long)want[i].lost);
            gs_run_result_free(&r);
        }
    gs_workload_free(&w);
}

/* A worker that releases a lock it does not hold fails with a runtime
 * error; one that ends holding a lock fails too, and releases it, so the
 * others (waiting for it) still finish: nothing hangs.  In every mode. */
static void test_lock_misuse_fails_the_worker_only(void **state)
{
    (void)state;
    gs_workload bad = load_text(".lock l\n.func main 2\n load 0\n jnz ok\n release l\nok:\n push 0\n ret\n.end\n");
    gs_workload keeps = load_text(".lock l\n.func main 2\n acquire l\n load 0\n jnz ok\n push 0\n ret\n"
                                  "ok:\n release l\n push 0\n ret\n.end\n");
    for (int mode = 0; mode < GS_MODE_COUNT; mode++) {
        for (int which = 0; which < 2; which++) {
            gs_run_config cfg = run_config((gs_mode)mode, which ? &keeps : &bad, 3, 3);
            gs_run_result r;
            assert_int_equal(gs_run(&cfg, &r), 0);
            assert_int_equal(r.failed, 1);
            assert_true(r.workers[0].failed);
            const char *want = which ? "ended holding lock l" : "release l: this thread does not hold it";
            if (!strstr(r.workers[0].rare->error, want))
                fail_msg("%s: '%s', want '%s'", gs_mode_names[mode], r.workers[0].rare->error, want);
            gs_run_result_free(&r);
        }
    }
    gs_workload_free(&bad);
    gs_workload_free(&keeps);
}

/* gather(n): adds one to `ready` (straight-line code: no switch inside,
 * under CPython's lock) and yields until n workers have: then every
 * worker has taken its first lock, whatever the OS did. */
#define GATHER ".func gather 1\n gload ready\n push 1\n add\n gstore ready\n" \
               "wait:\n gload ready\n load 0\n jge go\n yield\n jmp wait\n" \
               "go:\n push 0\n ret\n.end\n"

/* Worker i takes lock i, then lock i+1 (mod 3): the three wait for each
 * other.  Line 24 is worker 0's second acquire, line 33 worker 1's. */
static const char three_way[] = ".shared ready 0\n.lock a\n.lock b\n.lock c\n.func main 2\n"
                                " load 0\n jz w0\n load 0\n push 1\n eq\n jnz w1\n"
                                " acquire c\n push 3\n call gather\n acquire a\n release a\n release c\n push 1\n ret\n"
                                "w0:\n acquire a\n push 3\n call gather\n acquire b\n release b\n release a\n push 1\n ret\n"
                                "w1:\n acquire b\n push 3\n call gather\n acquire c\n release c\n release b\n push 1\n ret\n"
                                ".end\n" GATHER;

/* A deadlock, which Python would wait on forever, fails the one worker
 * that finds it (the lowest-numbered thread of the cycle; the task that
 * closes it), naming the cycle and the line; the others then finish.  In
 * virtual time it is found at the second look, 2 x GS_DEADLOCK_CHECK_NS
 * into the wait. */
static void test_deadlock_fails_one_worker(void **state)
{
    (void)state;
    gs_workload w = load_text(three_way);
    gs_sim_model m = GS_SIM_MODEL_DEFAULT;
    static const struct {
        gs_mode mode;
        uint32_t reporter;
        const char *error;
    } want[] = {
        {GS_MODE_THREADS, 0,
         "deadlock: thread 0 waits for lock b, held by thread 1; thread 1 waits for lock c, held by thread 2; "
         "thread 2 waits for lock a, held by thread 0 (Python would wait forever)\n  at main (t.gsa:24)"},
        {GS_MODE_ASYNC, 1,
         "deadlock: task 1 waits for lock c, held by task 2; task 2 waits for lock a, held by task 0; "
         "task 0 waits for lock b, held by task 1 (Python would wait forever)\n  at main (t.gsa:33)"},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        for (int sim = 0; sim < 2; sim++) {
            gs_run_config cfg = run_config(want[k].mode, &w, 3, 3);
            cfg.gil.policy = GS_GIL_CPYTHON;
            cfg.sim = sim ? &m : NULL;
            gs_run_result r;
            if (gs_run(&cfg, &r) != 0)
                fail_msg("%s", r.error);
            assert_int_equal(r.failed, 1);
            assert_int_equal(r.shared[0], 3);
            for (uint32_t i = 0; i < 3; i++) {
                const gs_worker_result *x = &r.workers[i];
                if (i != want[k].reporter) {
                    assert_false(x->failed);
                    assert_int_equal(x->units, 1);
                } else if (!x->failed || strncmp(x->rare->error, want[k].error, GS_ERRMSG_MAX - 1) != 0) {
                    fail_msg("%s%s, %s %u: '%s'", gs_mode_names[want[k].mode], sim ? " (virtual)" : "",
                             gs_mode_singular[want[k].mode], i, x->rare->error);
                }
            }
            uint64_t wall = r.end_ns - r.start_ns;
            if (sim && want[k].mode == GS_MODE_THREADS &&
                (wall < 2 * GS_DEADLOCK_CHECK_NS || wall > 2 * GS_DEADLOCK_CHECK_NS + 1000000))
                fail_msg("found after %.3f ms of virtual time", wall / 1e6);
            gs_run_result_free(&r);
        }
    gs_workload_free(&w);
}

/* Waits longer than the deadlock check, with no cycle, are waits: worker
 * 1 waits for lock a, held by worker 0 in a long I/O, and worker 2 for
 * lock b, held by worker 1 (a chain that ends in a worker not waiting for
 * a lock).  And a stop (--timeout) ends waits for user locks at once,
 * before any deadlock check. */
static void test_long_waits_and_stops(void **state)
{
    (void)state;
    gs_workload chain = load_text(".shared ready 0\n.lock a\n.lock b\n.func main 2\n"
                                  " load 0\n jz w0\n load 0\n push 1\n eq\n jnz w1\n"
                                  " push 3\n call gather\n acquire b\n release b\n push 1\n ret\n"
                                  "w0:\n acquire a\n push 3\n call gather\n push 0\n io sleep\n pop\n release a\n"
                                  " push 1\n ret\n"
                                  "w1:\n acquire b\n push 3\n call gather\n acquire a\n release a\n release b\n"
                                  " push 1\n ret\n.end\n" GATHER);
    gs_workload three = load_text(three_way);
    gs_sim_model m = GS_SIM_MODEL_DEFAULT;
    for (int mode = 0; mode < 2; mode++)
        for (int sim = 0; sim < 2; sim++) {
            gs_run_config cfg = run_config(mode ? GS_MODE_ASYNC : GS_MODE_THREADS, &chain, 3, 3);
            cfg.gil.policy = GS_GIL_CPYTHON;
            cfg.io_latency_ns = 3 * GS_DEADLOCK_CHECK_NS; /* three looks by each waiter */
            cfg.sim = sim ? &m : NULL;
            gs_run_result r;
            if (gs_run(&cfg, &r) != 0)
                fail_msg("%s", r.error);
            check_consistent(&r, 3);
            gs_run_result_free(&r);
        }
    for (int sim = 0; sim < 2; sim++) {
        gs_run_config cfg = run_config(GS_MODE_THREADS, &three, 3, 3);
        cfg.gil.policy = GS_GIL_CPYTHON;
        cfg.timeout_ns = GS_DEADLOCK_CHECK_NS / 2;
        cfg.sim = sim ? &m : NULL;
        gs_run_result r;
        if (gs_run(&cfg, &r) != 0)
            fail_msg("%s", r.error);
        assert_true(r.stopped);
        /* a stopped waiter releases its locks as it ends: one waiting for
         * them may take them and end its unit before its next poll */
        assert_true(r.failed >= 1);
        for (uint32_t i = 0; i < 3; i++)
            if (r.workers[i].failed)
                assert_string_equal(r.workers[i].rare->error, "stopped by --timeout");
        if (sim && r.end_ns - r.start_ns > cfg.timeout_ns + 1000000)
            fail_msg("stopped %.3f ms after a %.0f ms timeout", (r.end_ns - r.start_ns - cfg.timeout_ns) / 1e6,
                     cfg.timeout_ns / 1e6);
        gs_run_result_free(&r);
    }
    gs_workload_free(&chain);
    gs_workload_free(&three);
}

/* Async tasks share the loop's lock as asyncio.Lock: one that finds it
 * held while its holder waits for I/O parks, and gets it when released. */
static void test_async_tasks_park_on_a_held_lock(void **state)
{
    (void)state;
    gs_workload w = load_text(".shared n 0\n.lock l\n.func main 2\n acquire l\n gload n\n load 0\n io sleep\n pop\n"
                              " push 1\n add\n gstore n\n release l\n load 0\n ret\n.end\n");
    gs_run_config cfg = run_config(GS_MODE_ASYNC, &w, 4, 4);
    static gs_run_summary s;
    gs_run_result r;
    if (gs_run(&cfg, &r) != 0)
        fail_msg("%s", r.error);
    check_consistent(&r, 4);
    gs_summarize(&r, &s);
    assert_int_equal(r.shared[0], 4); /* the I/O inside the lock lost nothing */
    assert_int_equal(s.ulocks[0].counts.acquisitions, 4);
    assert_int_equal(s.ulocks[0].counts.contended, 3);
    assert_true(s.ulocks[0].wait_p50 >= cfg.io_latency_ns);
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_lock_loses_nothing),
        cmocka_unit_test(test_races_never_invent_updates),
        cmocka_unit_test(test_free_threaded_pauses_in_real_time),
        cmocka_unit_test(test_inplace_is_atomic_under_cpython_only),
        cmocka_unit_test(test_processes_have_their_own_copy),
        cmocka_unit_test(test_native_sections_overlap),
        cmocka_unit_test(test_virtual_losses_are_exact),
        cmocka_unit_test(test_lock_misuse_fails_the_worker_only),
        cmocka_unit_test(test_async_tasks_park_on_a_held_lock),
        cmocka_unit_test(test_deadlock_fails_one_worker),
        cmocka_unit_test(test_long_waits_and_stops),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
