/* test_sim.c - the simulated machine (sched/sim.h) in virtual time: its
 * cores, clocks, sleeps overlapping, pipes, one seed's history, races on
 * its cores, and hostile schedules; what its wake-ups cost is
 * test_sim_wake.c's, the lock policies on it test_sim_locks.c's, the
 * runners' processes, interpreters and tasks test_sim_runners.c's.  Nothing here is noisy, so the
 * tests assert modelled figures in tight bands, and equality across runs. */
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

/* Virtual time takes more threads than real time's ceiling (4096): 5000
 * threads on 64 modelled cores, a unit each, all done, checksums right,
 * and the cores kept busy: the run lasts at least 5000/64 units' time, and
 * no thread waited for a core longer than the others' units took. */
static void test_more_threads_than_real_time_takes(void **state)
{
    (void)state;
    enum { THREADS = 5000, CORES = 64 };
    assert_true(THREADS > gs_mode_max_workers[GS_MODE_THREADS]);
    assert_true(THREADS <= gs_mode_max_simulated[GS_MODE_THREADS]);
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(CORES, 1);
    gs_run_result r;
    sim_run(&w, GS_GIL_NONE, THREADS, 1, true, &m, &r);
    gs_run_summary s;
    gs_summarize(&r, &s);
    double unit_s = (double)r.workers[0].cpu_ns / 1e9;
    if (s.wall_s < unit_s * THREADS / CORES)
        fail_msg("%u threads on %u cores took %.6f s, less than %.6f s of their units", THREADS, CORES, s.wall_s,
                 unit_s * THREADS / CORES);
    for (uint32_t i = 0; i < THREADS; i++)
        if (r.workers[i].core_wait_ns > (uint64_t)(unit_s * 1e9 * THREADS / CORES * 2))
            fail_msg("thread %u waited %llu ns for a core", i, (unsigned long long)r.workers[i].core_wait_ns);
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

/* A pipe's round trip is wake-ups, not a timer (sim/io.c): with no
 * latency, a lone thread's and a lone task's last their writes' wake-ups
 * of the peer and back (quick ones: nobody slept past --idle-poll), each
 * counted from the start of the write that wakes, so the writes' own
 * signals overlap them, and the woken's way back and the peer's read;
 * with a latency, that and a timer's lateness more.  Before, both were
 * timed as a sleep, a timer's 60 us for a round trip that takes 13. */
static void test_pipe_round_trip_is_wake_ups(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_IO_BOUND, GS_IO_PIPE);
    gs_sim_model m = sim_model(2, 1);
    static gs_run_summary s;
    static const gs_mode modes[] = {GS_MODE_THREADS, GS_MODE_ASYNC};
    static const uint64_t latencies[] = {0, 1000000};
    for (size_t k = 0; k < 2; k++)
        for (size_t l = 0; l < 2; l++) {
            gs_run_config cfg = run_config(modes[k], &w, 1, 200);
            cfg.io_latency_ns = latencies[l];
            cfg.sim = &m;
            gs_run_result r;
            if (gs_run(&cfg, &r) != 0)
                fail_msg("%s", r.error);
            check_consistent(&r, 200);
            gs_summarize(&r, &s);
            assert_int_equal(s.io_ops, 200);
            uint64_t p50 = gs_hist_percentile(&s.io_latency, 50);
            uint64_t calls = m.syscall_ns; /* the peer's read (each way back ends its wake-up) */
            uint64_t lo = latencies[l] + calls + (latencies[l] ? 3 * m.timer_ns / 4 : 3 * m.wake_fast_ns / 2);
            uint64_t hi = latencies[l] + calls + (latencies[l] ? 5 * m.timer_ns / 4 + 5 * m.wake_ns / 4
                                                               : 5 * m.wake_fast_ns / 2) +
                          m.syscall_ns + 2000; /* the lock */
            if (p50 < lo || p50 > hi)
                fail_msg("%s, latency %llu ns: a round trip's p50 %llu ns, want %llu to %llu", gs_mode_names[modes[k]],
                         (unsigned long long)latencies[l], (unsigned long long)p50, (unsigned long long)lo,
                         (unsigned long long)hi);
            if (!latencies[l])
                assert_true(hi < 3 * m.timer_ns / 4); /* what a timer could not do */
            gs_run_result_free(&r);
        }
    gs_workload_free(&w);
}

/* A pipe's round trip on a machine with no core idle is two switches on
 * the writer's core, not two wake-ups (sim/io.c): the write queues the
 * peer there, the read's sleep lets it run, its answer wakes the writer
 * back onto the core it leaves.  On one core a lone thread's round trip is
 * exactly: the write, the read's sleep, a switch to the peer, its write, a
 * switch back and the writer's way back; on two, where the peer has a core
 * of its own, two quick wake-ups (each ending with its way back) and the
 * peer's read, as long as those take, whether more or less than in sync:
 * on bare metal (wake_fast_ns 2.4 us) less, on the development VM (17 to
 * 22 us) several times more. */
static void test_pipe_on_a_busy_machine_runs_in_sync(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_IO_BOUND, GS_IO_PIPE);
    for (uint32_t cores = 1; cores <= 2; cores++) {
        gs_sim_model m = sim_model(cores, 1);
        gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 1, 200);
        cfg.io_latency_ns = 0;
        cfg.sim = &m;
        gs_run_result r;
        if (gs_run(&cfg, &r) != 0)
            fail_msg("%s", r.error);
        check_consistent(&r, 200);
        double mean = gs_worker_hist_mean(&r.workers[0].io_latency);
        uint64_t sync = 3 * m.syscall_ns + 2 * m.switch_ns + m.wake_cpu_ns;
        if (cores == 1 && mean != (double)sync)
            fail_msg("1 core: a round trip's mean %.1f ns, want %llu", mean, (unsigned long long)sync);
        uint64_t least = 2 * (3 * m.wake_fast_ns / 4) + m.syscall_ns;
        uint64_t most = 2 * (5 * m.wake_fast_ns / 4) + m.syscall_ns;
        if (cores == 2 && (mean == (double)sync || mean < (double)least || mean > (double)most)) /* a core idle */
            fail_msg("2 cores: a round trip's mean %.1f ns, want %llu to %llu (wake-ups), not %llu (in sync)", mean,
                     (unsigned long long)least, (unsigned long long)most, (unsigned long long)sync);
        gs_run_result_free(&r);
    }
    gs_workload_free(&w);
}

/* Sleeping threads release the lock, so their sleeps overlap: 8 threads
 * that each sleep 20 times take the time of one (plus a few wake-ups),
 * where under a lock held through the sleeps they would take 8 times as
 * long. */
static void test_sleeps_overlap(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    gs_sim_model m = sim_model(2, 1);
    uint64_t wall[2];
    for (int k = 0; k < 2; k++) {
        gs_run_config cfg = run_config(GS_MODE_THREADS, &w, k ? 8 : 1, 20);
        cfg.weak = true;
        cfg.io_latency_ns = 5000000;
        cfg.sim = &m;
        gs_run_result r;
        if (gs_run(&cfg, &r) != 0)
            fail_msg("%s", r.error);
        check_consistent(&r, k ? 160 : 20);
        wall[k] = r.end_ns - r.start_ns;
        gs_run_result_free(&r);
    }
    assert_true(wall[0] >= 20 * 5000000ull);
    if (wall[1] > wall[0] + 20 * 8 * (m.wake_ns + m.timer_ns + m.signal_ns))
        fail_msg("8 sleeping threads took %llu ns, 1 took %llu ns", (unsigned long long)wall[1],
                 (unsigned long long)wall[0]);
    gs_workload_free(&w);
}

/* A thread's first work after a sleep past --idle-poll runs on cold
 * caches, cold_ns more; after a shorter sleep (its timer's lateness
 * included) it runs warm, and so does its second stretch of work. */
static void test_work_after_a_long_sleep_runs_cold(void **state)
{
    (void)state;
    gs_sim_model m = sim_model(1, 1);
    gs_os *os = gs_os_sim_new(&m);
    assert_non_null(os);
    const struct {
        uint64_t sleep_ns, cold_ns;
    } cases[] = {{10000, 0}, {m.idle_poll_ns + 1, m.cold_ns}, {50 * m.idle_poll_ns, m.cold_ns}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gs_os_sleep(os, cases[i].sleep_ns);
        for (int stretch = 0; stretch < 2; stretch++) {
            uint64_t t0 = gs_os_now(os), cpu0 = gs_os_thread_cpu(os);
            os->ops->compute(os, 20000);
            uint64_t want = 20000 + (stretch == 0 ? cases[i].cold_ns : 0);
            if (gs_os_now(os) - t0 != want || gs_os_thread_cpu(os) - cpu0 != want)
                fail_msg("after a %llu ns sleep, stretch %d: %llu ns of time and %llu of CPU, want %llu",
                         (unsigned long long)cases[i].sleep_ns, stretch, (unsigned long long)(gs_os_now(os) - t0),
                         (unsigned long long)(gs_os_thread_cpu(os) - cpu0), (unsigned long long)want);
        }
    }
    gs_os_sim_free(os);
}

/* The same seed gives the same history, to the nanosecond; another seed
 * may choose other waiters. */
static void test_same_seed_same_history(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_MIXED, 0);
    gs_run_result a, b, c;
    gs_sim_model m1 = sim_model(2, 42), m2 = sim_model(2, 42), m3 = sim_model(2, 43);
    sim_run(&w, GS_GIL_CPYTHON, 6, 300, false, &m1, &a);
    sim_run(&w, GS_GIL_CPYTHON, 6, 300, false, &m2, &b);
    sim_run(&w, GS_GIL_CPYTHON, 6, 300, false, &m3, &c);
    bool differs = false;
    assert_int_equal(a.end_ns - a.start_ns, b.end_ns - b.start_ns);
    for (uint32_t i = 0; i < a.nworkers; i++) {
        const gs_recorder *x = &a.workers[i].rec, *y = &b.workers[i].rec, *z = &c.workers[i].rec;
        assert_int_equal(x->n, y->n);
        assert_memory_equal(x->events, y->events, x->n * sizeof *x->events);
        assert_int_equal(a.workers[i].cpu_ns, b.workers[i].cpu_ns);
        differs |= x->n != z->n || memcmp(x->events, z->events, x->n * sizeof *x->events) != 0;
    }
    assert_true(differs);
    gs_run_result_free(&a);
    gs_run_result_free(&b);
    gs_run_result_free(&c);
    gs_workload_free(&w);
}

/* With no lock at all, two threads compute at once on the shared counter,
 * and the model runs them in turns a few nanoseconds long: a read and its
 * write fall either side of the other thread's, as on two real cores, so
 * the race loses updates even as counter += 1 (which CPython's lock makes
 * safe), and loses none under a user lock. */
static void test_no_lock_races_as_cores_do(void **state)
{
    (void)state;
    static const struct { int variant; double least, most; } races[] = {
        {GS_RACE_CALL, 0.10, 0.60}, {GS_RACE_INPLACE, 0.10, 0.60}, {GS_RACE_LOCK, 0, 0}};
    gs_sim_model m = sim_model(2, 1);
    char err[GS_ERRMSG_MAX];
    for (size_t k = 0; k < sizeof races / sizeof *races; k++) {
        gs_workload w;
        assert_int_equal(gs_workload_load(&w, &(gs_workload_spec){.kind = GS_WL_RACE, .race = races[k].variant},
                                          err), 0);
        gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 2, 100); /* 100,000 updates */
        cfg.gil.policy = GS_GIL_NONE;
        cfg.sim = &m;
        gs_run_result r;
        gs_run_summary s;
        assert_int_equal(gs_run(&cfg, &r), 0);
        gs_summarize(&r, &s);
        gs_run_result_free(&r);
        double lost = (double)s.lost_updates / (double)s.updates_expected;
        if (lost < races[k].least || lost > races[k].most)
            fail_msg("%s with no lock: %.1f%% lost, not %.0f%% to %.0f%%", gs_race_variant_names[races[k].variant],
                     100 * lost, 100 * races[k].least, 100 * races[k].most);
        gs_workload_free(&w);
    }
}

/* The most workers holding a lock at once, from their GOT and DROP_*
 * events: at one instant a drop comes before a take. */
static uint32_t most_holders(const gs_run_result *r)
{
    enum { MAX = 4096 };
    static struct {
        uint64_t t;
        int delta;
    } edges[MAX];
    uint32_t n = 0;
    for (uint32_t k = 0; k < r->nworkers; k++) {
        const gs_recorder *rec = &r->workers[k].rec;
        assert_int_equal(rec->dropped, 0);
        for (uint32_t e = 0; e < rec->n && n < MAX; e++) {
            uint32_t type = gs_rec_event(rec, e)->type;
            if (type == GS_EV_GOT || type == GS_EV_DROP_FORCED || type == GS_EV_DROP_VOLUNTARY ||
                type == GS_EV_DROP_TICK)
                edges[n++] = (__typeof__(edges[0])){gs_rec_event(rec, e)->t_ns, type == GS_EV_GOT ? 1 : -1};
        }
    }
    assert_true(n < MAX);
    for (uint32_t i = 1; i < n; i++) /* insertion sort: by time, drops first */
        for (uint32_t j = i; j > 0 && (edges[j].t < edges[j - 1].t ||
                                      (edges[j].t == edges[j - 1].t && edges[j].delta < edges[j - 1].delta)); j--) {
            __typeof__(edges[0]) tmp = edges[j];
            edges[j] = edges[j - 1];
            edges[j - 1] = tmp;
        }
    int now = 0, most = 0;
    for (uint32_t i = 0; i < n; i++) {
        now += edges[i].delta;
        most = now > most ? now : most;
    }
    return (uint32_t)most;
}

/* The lock's strongest test: for every policy, hundreds of hostile
 * schedules (costs drawn at random, computing cut and preempted at random
 * instructions, spurious wake-ups), on 1 to 3 modelled cores, CPU-bound,
 * I/O-bound (sleeps, and pipe round trips with no latency, which run in
 * sync whenever every core is claimed), and updating a shared counter
 * under a user lock.  Every one
 * must finish (a hang is the simulator's fatal "deadlocked"), lose no work
 * and no update, and never have two holders of one lock.
 * GILSIM_SIM_SEEDS sets how many seeds (CI runs more). */
static void test_adversarial_schedules(void **state)
{
    (void)state;
    const char *env = getenv("GILSIM_SIM_SEEDS");
    const uint64_t SEEDS = env && atoi(env) > 0 ? (uint64_t)atoi(env) : 200;
    gs_workload cpu = load_kind(GS_WL_COUNTDOWN, 0), io = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP),
                pipe = load_kind(GS_WL_IO_BOUND, GS_IO_PIPE), locked;
    cpu.unit_size = 200; /* about 800 instructions a unit: many switches in little work */
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_workload_load(&locked, &(gs_workload_spec){.kind = GS_WL_RACE, .race = GS_RACE_LOCK}, err), 0);
    locked.unit_size = 20; /* a user lock's take and release 20 times a unit */
    enum { KINDS = 4 };
    const gs_workload *workloads[KINDS] = {&cpu, &io, &locked, &pipe};
    int64_t want[KINDS];
    for (int i = 0; i < KINDS; i++)
        assert_int_equal(gs_workload_sequential(workloads[i], 0, 30, &want[i], err), 0);
    static const gs_mode modes[] = {GS_MODE_THREADS, GS_MODE_PROCESSES, GS_MODE_ASYNC};
    for (int p = 0; p < GS_GIL_POLICY_COUNT; p++) {
        for (uint64_t seed = 0; seed < SEEDS; seed++) {
            gs_sim_model m = sim_model(1 + (uint32_t)(seed % 3), seed);
            m.adversarial = true;
            const gs_workload *w = workloads[seed % KINDS];
            gs_mode mode = modes[(seed / KINDS) % 3]; /* every workload in every mode */
            gs_run_config cfg = run_config(mode, w, 3, 30);
            cfg.gil.policy = (gs_gil_policy)p;
            cfg.gil.interval_ns = 20000;
            cfg.gil.check_interval = 50;
            cfg.io_latency_ns = w == &pipe ? 0 : 30000;
            cfg.sim = &m;
            gs_run_result r;
            if (gs_run(&cfg, &r) != 0)
                fail_msg("%s %s, seed %llu: %s", gs_gil_policy_names[p], gs_mode_names[mode],
                         (unsigned long long)seed, r.error);
            check_consistent(&r, 30);
            int64_t sum = 0;
            for (uint32_t i = 0; i < r.nworkers; i++)
                sum = (int64_t)((uint64_t)sum + (uint64_t)r.workers[i].checksum);
            if (sum != want[seed % KINDS])
                fail_msg("%s %s, seed %llu: checksum %lld, sequential %lld", gs_gil_policy_names[p],
                         gs_mode_names[mode], (unsigned long long)seed, (long long)sum,
                         (long long)want[seed % KINDS]);
            /* Under the user lock no update is lost; processes each count
             * in a copy of their own, and the copies add up. */
            if (w == &locked && r.shared[0] != 30 * 20)
                fail_msg("%s %s, seed %llu: the counter ended at %lld of %d", gs_gil_policy_names[p],
                         gs_mode_names[mode], (unsigned long long)seed, (long long)r.shared[0], 30 * 20);
            bool one_lock = p == GS_GIL_CPYTHON || p == GS_GIL_LEGACY || p == GS_GIL_FIFO;
            uint32_t holders = most_holders(&r);
            if (mode == GS_MODE_THREADS && one_lock && holders != 1)
                fail_msg("%s, seed %llu: %u holders at once", gs_gil_policy_names[p], (unsigned long long)seed,
                         holders);
            gs_run_result_free(&r);
        }
    }
    gs_workload_free(&cpu);
    gs_workload_free(&io);
    gs_workload_free(&pipe);
    gs_workload_free(&locked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_more_threads_than_real_time_takes),
        cmocka_unit_test(test_pipe_round_trip_is_wake_ups),
        cmocka_unit_test(test_pipe_on_a_busy_machine_runs_in_sync),
        cmocka_unit_test(test_sleeps_overlap),
        cmocka_unit_test(test_work_after_a_long_sleep_runs_cold),
        cmocka_unit_test(test_same_seed_same_history),
        cmocka_unit_test(test_no_lock_races_as_cores_do),
        cmocka_unit_test(test_adversarial_schedules),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
