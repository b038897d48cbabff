/* test_sim_locks.c - the lock policies on the simulated machine
 * (sched/sim.h): scaling, drop requests, hand-offs, the convoy, Python 2's
 * battle, free threading and a stop, in virtual time.  Nothing here is
 * noisy, so the tests assert modelled figures in tight bands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
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

/* The development VM as `gilsim calibrate` measured it (2 cores;
 * docs/calibration.md): wake-ups of 18 to 25 us, a signal of 7 us. */
static gs_sim_model vm_model(uint64_t seed)
{
    gs_sim_model m = sim_model(2, seed);
    m.instruction_ns = 0.5, m.wake_ns = 24950, m.wake_fast_ns = 17600, m.cold_ns = 154;
    m.switch_ns = 961, m.syscall_ns = 215, m.signal_ns = 6950, m.timer_ns = 70150;
    m.wake_none_ns = 150; /* measured there on 2026-12-07 */
    return m;
}

/* The virtual wall time of 4000 CPU-bound units (160 ms of instructions)
 * split over workers threads. */
static double cpu_wall(gs_gil_policy policy, uint32_t workers, uint32_t cores, gs_run_summary *s)
{
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(cores, 1);
    gs_run_result r;
    sim_run(&w, policy, workers, 4000, false, &m, &r);
    static gs_run_summary local;
    s = s ? s : &local;
    gs_summarize(&r, s);
    gs_run_result_free(&r);
    gs_workload_free(&w);
    return s->wall_s;
}

static void expect_speedup(gs_gil_policy policy, uint32_t workers, uint32_t cores, double want)
{
    double speedup = cpu_wall(policy, 1, cores, NULL) / cpu_wall(policy, workers, cores, NULL);
    if (speedup < 0.95 * want || speedup > 1.05 * want)
        fail_msg("%s, %u threads on %u modelled cores: speedup %.3f, want %.2f within 5%%",
                 gs_gil_policy_names[policy], workers, cores, speedup, want);
}

static void test_threads_under_one_lock_take_turns(void **state)
{
    (void)state;
    expect_speedup(GS_GIL_CPYTHON, 8, 8, 1.0);
    expect_speedup(GS_GIL_FIFO, 8, 8, 1.0);
}

static void test_threads_without_a_lock_use_the_cores(void **state)
{
    (void)state;
    expect_speedup(GS_GIL_NONE, 8, 4, 4.0);
    expect_speedup(GS_GIL_PER_INTERPRETER, 8, 4, 4.0);
    expect_speedup(GS_GIL_NONE, 16, 16, 16.0);
}

/* The interval, exactly: a waiter asks for the lock one interval plus the
 * modelled wake-up after it began waiting, and the holder lets go at its
 * next breaker poll, within one loop iteration (countdown's is 4
 * instructions). */
static void test_drop_requests_land_on_time(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(2, 1);
    gs_run_result r;
    sim_run(&w, GS_GIL_CPYTHON, 2, 4000, false, &m, &r);
    uint64_t requests = 0;
    for (uint32_t k = 0; k < r.nworkers; k++) {
        const gs_recorder *rec = &r.workers[k].rec, *other = &r.workers[1 - k].rec;
        uint64_t wanted = 0;
        assert_int_equal(rec->dropped, 0);
        for (uint32_t e = 0; e < rec->n; e++) {
            const gs_event *ev = gs_rec_event(rec, e);
            if (ev->type == GS_EV_WANT)
                wanted = ev->t_ns;
            if (ev->type != GS_EV_DROP_REQUEST)
                continue;
            requests++;
            uint64_t waited = ev->t_ns - wanted;
            if (waited < SIM_INTERVAL_NS + m.timer_ns - m.timer_ns / 4 ||
                waited > SIM_INTERVAL_NS + m.timer_ns + m.timer_ns / 4 + m.wake_cpu_ns + 4 * (m.syscall_ns + m.signal_ns))
                fail_msg("a request %llu ns after wanting the lock", (unsigned long long)waited);
            uint64_t dropped = 0; /* the holder's next forced drop */
            for (uint32_t d = 0; d < other->n && !dropped; d++)
                if (gs_rec_event(other, d)->type == GS_EV_DROP_FORCED && gs_rec_event(other, d)->t_ns >= ev->t_ns)
                    dropped = gs_rec_event(other, d)->t_ns;
            if (!dropped || dropped - ev->t_ns > 4 * (uint64_t)m.instruction_ns + 1)
                fail_msg("the holder dropped %llu ns after the request",
                         (unsigned long long)(dropped - ev->t_ns));
        }
    }
    assert_true(requests >= 25); /* 160 ms of work, a request per 5 ms */
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

/* A pipe I/O thread (worker 0, `units` round trips with no latency)
 * beside cpu_threads CPU threads, under CPython's lock at the tests'
 * interval, on m. */
static void pipe_convoy(const gs_workload *w, uint32_t cpu_threads, uint64_t units, const gs_sim_model *m,
                        gs_run_result *r)
{
    gs_run_config cfg = run_config(GS_MODE_THREADS, w, 1 + cpu_threads, units);
    cfg.weak = true;
    cfg.gil.policy = GS_GIL_CPYTHON;
    cfg.gil.interval_ns = SIM_INTERVAL_NS;
    cfg.gil.force_switching = true;
    cfg.io_latency_ns = 0;
    cfg.sim = m;
    if (gs_run(&cfg, r) != 0)
        fail_msg("%s", r->error);
}

/* The convoy with no latency, as CPython shows it on the 2-core
 * development VM.  Beside one CPU thread, the I/O thread's release wakes
 * the CPU thread onto the other core, the pipe's peer runs in sync on the
 * I/O thread's, and as waking the CPU thread takes longer than that round
 * trip (17.6 us there) the I/O thread is often back first and keeps the
 * lock: CPython 3.11 loses it at 35% to 50% of its round trips there, each
 * costing an interval.  Beside two, the second CPU thread's wake-up
 * crowds the I/O thread's core, the peer waits for a core, and the round
 * trip loses the lock nearly every time (CPython: 90% to 95%).  Where
 * wake-ups are quicker than the round trip (the classroom's bare metal,
 * 2.4 us) it loses it at every one.  The VM's model is `gilsim
 * calibrate`'s there (docs/calibration.md). */
static void test_quick_round_trips_keep_the_lock(void **state)
{
    (void)state;
    static const struct {
        bool vm;
        uint32_t cpu_threads;
        double least, most; /* of its round trips that lose the lock */
    } cases[] = {{false, 1, 0.95, 1}, {true, 1, 0.2, 0.8}, {true, 2, 0.8, 1}};
    gs_workload w = load_kind(GS_WL_CONVOY, GS_IO_PIPE);
    w.unit_size = 10000000; /* 20 to 40 ms of countdown a unit: the CPU threads outlast the I/O */
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gs_sim_model m = cases[k].vm ? vm_model(1) : sim_model(2, 1);
        gs_run_result r;
        pipe_convoy(&w, cases[k].cpu_threads, 20, &m, &r);
        /* Its round trips' percentiles: one that lost the lock took an
         * interval, one that kept it microseconds. */
        const gs_worker_hist *h = &r.workers[0].io_latency;
        uint64_t below = gs_worker_hist_percentile(h, 100 * (1 - cases[k].most)),
                 above = gs_worker_hist_percentile(h, 100 * (1 - cases[k].least));
        if ((cases[k].most < 1 && below >= SIM_INTERVAL_NS / 2) || above < SIM_INTERVAL_NS / 2)
            fail_msg("%s, %u CPU threads: round trips' p%.0f %llu ns, p%.0f %llu ns: want %.0f%% to %.0f%% to lose "
                     "the lock", cases[k].vm ? "VM" : "classroom", cases[k].cpu_threads, 100 * (1 - cases[k].most),
                     (unsigned long long)below, 100 * (1 - cases[k].least), (unsigned long long)above,
                     100 * cases[k].least, 100 * cases[k].most);
        for (uint32_t i = 1; i < r.nworkers; i++)
            assert_true(r.workers[i].end_ns >= r.workers[0].end_ns); /* a convoy to the end */
        gs_run_result_free(&r);
    }
    gs_workload_free(&w);
}

/* After a forced drop the lock goes mostly to the waiter that asked for
 * it, not to the I/O thread waiting beside it, as on real machines: real
 * gilsim's convoy beside 2 CPU threads on the development VM gave the
 * asker 92% to 95% of the forced drops at 5 ms (five runs, 2026-12-07);
 * the model with that VM's calibration 85% to 89% (ten seeds).  With
 * forced switching the dropper waits for another taker, so each forced
 * drop counts once, at its taker. */
static void test_a_forced_drop_goes_to_its_asker(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_CONVOY, GS_IO_PIPE);
    w.unit_size = 10000000; /* 20 to 40 ms of countdown a unit: the CPU threads outlast the I/O */
    for (uint64_t seed = 1; seed <= 5; seed++) {
        gs_sim_model m = vm_model(seed);
        gs_run_result r;
        pipe_convoy(&w, 2, 16, &m, &r);
        static gs_run_summary s;
        gs_summarize(&r, &s);
        const gs_lock_totals *l = &s.lock;
        print_message("seed %llu: %llu forced drops, %llu to the asker, %llu to another\n", (unsigned long long)seed,
                      (unsigned long long)l->forced_drops, (unsigned long long)l->forced_to_asker,
                      (unsigned long long)l->forced_to_other);
        assert_int_equal(l->forced_to_asker + l->forced_to_other, l->forced_drops);
        if (l->forced_drops < 50 || l->forced_to_asker < 0.8 * (double)l->forced_drops)
            fail_msg("seed %llu: %llu of %llu forced drops went to the waiter that asked: want 80%% or more",
                     (unsigned long long)seed, (unsigned long long)l->forced_to_asker,
                     (unsigned long long)l->forced_drops);
        gs_run_result_free(&r);
    }
    gs_workload_free(&w);
}

/* A user lock's acquire and release each cost lock_op_ns of computing
 * (sim.h): a lone worker's race under a lock, 4,000 updates, grows by
 * exactly two of them an update, as a thread and as an async task, and
 * the race without a lock not at all. */
static void test_user_lock_operations_cost_what_the_model_says(void **state)
{
    (void)state;
    char err[GS_ERRMSG_MAX];
    gs_workload w[2];
    for (int k = 0; k < 2; k++)
        assert_int_equal(gs_workload_load(&w[k], &(gs_workload_spec){.kind = GS_WL_RACE,
                                                                      .race = k ? GS_RACE_LOCK : GS_RACE_CALL},
                                          err),
                         0);
    const gs_mode modes[] = {GS_MODE_THREADS, GS_MODE_ASYNC};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        for (int k = 0; k < 2; k++) {
            uint64_t wall[2];
            for (int with_cost = 0; with_cost < 2; with_cost++) {
                gs_sim_model m = sim_model(2, 1);
                m.lock_op_ns = with_cost ? 250 : 0;
                gs_run_config cfg = run_config(modes[i], &w[k], 1, 4);
                cfg.sim = &m;
                gs_run_result r;
                if (gs_run(&cfg, &r) != 0 || r.failed)
                    fail_msg("%s", r.failed ? r.workers[0].rare->error : r.error);
                wall[with_cost] = r.end_ns - r.start_ns;
                gs_run_result_free(&r);
            }
            int64_t grew = (int64_t)(wall[1] - wall[0]), want = k ? 4000 * 2 * 250 : 0;
            if (llabs(grew - want) > 1000)
                fail_msg("%s, %s: 250 ns a lock operation added %lld ns, want %lld", gs_mode_plural[modes[i]],
                         k ? "under a lock" : "without one", (long long)grew, (long long)want);
        }
    gs_workload_free(&w[0]);
    gs_workload_free(&w[1]);
}

/* The race under a user lock (`with guard:` around c = counter; f();
 * counter = c + 1, 2 threads at 5 ms, as long as CPython's 2 x 200,000
 * updates) on the VM's model.
 * CPython 3.11 there waits for the guard 4,345 to 8,865 times a race and
 * takes 8x to 11x as long as without the lock: the guard and the
 * interpreter lock ping-pong.  A waiter woken by a release comes 17.6 us
 * after the call began, and the ping-pong starts where it finds the guard
 * free: a lone thread holds it a third of its time for the update, two
 * fifths with the acquire's own work (lock_op_ns, paid inside the hold),
 * as the `with` statement's cost lies around the take and the release
 * (race.gsa.in).  Held for the
 * update alone, nine tenths of the time, the waiter found it taken and the
 * race waited 71 to 97 times. */
static void test_a_lock_held_two_fifths_of_the_time_ping_pongs(void **state)
{
    (void)state;
    char err[GS_ERRMSG_MAX];
    gs_workload w;
    assert_int_equal(gs_workload_load(&w, &(gs_workload_spec){.kind = GS_WL_RACE, .race = GS_RACE_LOCK}, err), 0);
    /* 1,200 units of 1,000 updates: on the VM's 0.5 ns instructions the
     * race lasts about as long as CPython's, 28 ms (lessons.c's race_units) */
    const uint64_t units = 1200;
    gs_sim_model m = vm_model(1);
    gs_run_result r;
    sim_run(&w, GS_GIL_CPYTHON, 1, units / 2, false, &m, &r);
    double held = (double)r.workers[0].rare->ulocks[0].held_ns / (double)(r.end_ns - r.start_ns);
    if (held < 0.35 || held > 0.45)
        fail_msg("a lone thread held the guard %.0f%% of its time: want two fifths", 100 * held);
    gs_run_result_free(&r);
    uint32_t ping_pongs = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        m = vm_model(seed);
        sim_run(&w, GS_GIL_CPYTHON, 2, units, false, &m, &r);
        uint64_t waits = r.workers[0].rare->ulocks[0].contended + r.workers[1].rare->ulocks[0].contended;
        ping_pongs += waits >= 500;
        gs_run_result_free(&r);
    }
    if (ping_pongs < 3)
        fail_msg("the guard ping-ponged on %u seeds of 5 (500 waits or more): want 3 or more", ping_pongs);
    gs_workload_free(&w);
}

/* The convoy effect: an I/O thread beside one CPU-bound thread waits about
 * one interval for the lock after each operation. */
static void test_io_thread_waits_an_interval_per_operation(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_CONVOY, 0);
    w.unit_size = 2500000; /* 10 ms of countdown a unit: the CPU thread outlasts the I/O */
    gs_sim_model m = sim_model(2, 1);
    gs_run_result r;
    sim_run(&w, GS_GIL_CPYTHON, 2, 40, true, &m, &r);
    const gs_worker_result *io = &r.workers[0];
    assert_int_equal(io->io_ops, 40);
    uint64_t p50 = gs_worker_hist_percentile(&io->io_latency, 50);
    if (p50 < SIM_INTERVAL_NS || p50 > SIM_INTERVAL_NS + 1000000 + 4 * (m.wake_ns + m.timer_ns))
        fail_msg("I/O latency p50 %llu ns: want an interval plus the 1 ms of I/O", (unsigned long long)p50);
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

/* 256 threads that sleep 1 ms and hold the lock a moment, on 2 cores.  A
 * woken thread spends its way back out of the kernel before it does
 * anything (sim/wake.c); these, woken by their timers, spend
 * timer_cpu_ns.  The model once spent it after taking the mutex it was
 * woken for, which made the mutex's holds that much longer: at 19 us (a
 * 1 ms ppoll's CPU time on the development VM), seeds 4 and 7
 * fell into a state where nearly every take waited out a switch interval
 * (6.05x and 5.12x).  Now the way back is CPU time the two cores must find,
 * and the lock's hand-offs never wait for a timeout: slower than with a
 * way back of 2 us (37x to 51x on seeds 1 to 8, where the threads queue
 * for the lock and the cores, their timers' wake-ups preempting its
 * holder; 141x with 2 us), never 5x.  With the default way back and warm
 * caches the threads meet at few of its takes (7%). */
static void test_io_threads_pay_their_way_back_on_a_core(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    static gs_run_summary s;
    gs_sim_model warm = sim_model(2, 1);
    warm.cold_ns = 0;
    double quiet =
        io_wall(GS_MODE_THREADS, &w, 1, 1280, &warm, NULL) / io_wall(GS_MODE_THREADS, &w, 256, 1280, &warm, &s);
    double contended = (double)s.lock.contended / (double)s.lock.acquisitions;
    if (quiet < 100 || contended > 0.10)
        fail_msg("256 I/O threads, warm, a 2 us way back: %.1fx with %.0f%% of takes contended", quiet,
                 100 * contended);
    for (uint64_t seed = 1; seed <= 8; seed++) {
        gs_sim_model m = sim_model(2, seed);
        m.timer_cpu_ns = 19000; /* these threads' sleeps end by their timers */
        double speedup =
            io_wall(GS_MODE_THREADS, &w, 1, 1280, &m, NULL) / io_wall(GS_MODE_THREADS, &w, 256, 1280, &m, &s);
        if (speedup < 30 || speedup > quiet / 2)
            fail_msg("seed %llu, a 19 us way back: %.1fx, want 30x to half of %.1fx", (unsigned long long)seed,
                     speedup, quiet);
    }
    gs_workload_free(&w);
}

/* The same 256 threads on the development VM as `gilsim calibrate`
 * measured it on 2026-12-06 (its timers' wake-ups 14 us of their threads'
 * CPU, a thread's start 13.7 us of its creator's): the threads' timers
 * preempt the lock's holder now and then (sim/wake.c), and they queue at
 * the lock as real runs do (a third to a half of the takes wait), as fast
 * as CPython 3.11 there (33.6x, docs/calibration.md, give or take a
 * fifth) over seeds 1 to 7 (their mean), none in the quiet state (93x
 * without the timers' preemption, 226x without their wake-ups' cost). */
static void test_io_threads_on_the_vm_queue_at_the_lock(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    static gs_run_summary s;
    enum { SEEDS = 7 };
    double sum = 0;
    for (int i = 0; i < SEEDS; i++) {
        gs_sim_model m = sim_model(2, (uint64_t)i + 1);
        m.instruction_ns = 0.6, m.wake_ns = 26955, m.wake_fast_ns = 18597, m.cold_ns = 218, m.switch_ns = 1067;
        m.slice_ns = 3968990, m.syscall_ns = 307, m.signal_ns = 7203, m.timer_ns = 72058, m.wake_none_ns = 150;
        m.timer_cpu_ns = 14204, m.thread_start_ns = 13700;
        double speedup =
            io_wall(GS_MODE_THREADS, &w, 1, 1280, &m, NULL) / io_wall(GS_MODE_THREADS, &w, 256, 1280, &m, &s);
        double contended = (double)s.lock.contended / (double)s.lock.acquisitions;
        if (speedup > 60 || contended < 0.2)
            fail_msg("seed %d: %.1fx, %.0f%% of takes contended: the quiet state", i + 1, speedup, 100 * contended);
        sum += speedup;
    }
    if (sum / SEEDS < 33.6 * 0.8 || sum / SEEDS > 33.6 * 1.2)
        fail_msg("256 I/O threads on the VM's model: %.1fx on average, want CPython's 33.6x within 20%%", sum / SEEDS);
    gs_workload_free(&w);
}

/* Python 2's lock on two cores: the waiter, woken after wake_ns, finds
 * the lock taken again; two threads are slower than one.  And one thread
 * alone pays for each tick only a lock's release and take (lock_op_ns
 * each, as a user lock's: Python 2's lock was one): with nobody to wake,
 * no system call, so its time is that of one thread under CPython's lock
 * and those (within a thousandth of them: the runs differ in their last
 * few microseconds). */
static void test_legacy_battle(void **state)
{
    (void)state;
    gs_run_summary alone, two;
    double one = cpu_wall(GS_GIL_LEGACY, 1, 2, &alone), both = cpu_wall(GS_GIL_LEGACY, 2, 2, &two);
    if (!(both > one) || two.lock.futile_wakeups == 0)
        fail_msg("legacy: 2 threads %.6f s, 1 thread %.6f s, %llu futile wake-ups", both, one,
                 (unsigned long long)two.lock.futile_wakeups);
    double ticks_ns = (double)alone.lock.tick_drops * 2 * (double)sim_model(2, 1).lock_op_ns;
    double unlocked_ns = cpu_wall(GS_GIL_CPYTHON, 1, 2, NULL) * 1e9;
    if (alone.lock.tick_drops == 0 || fabs(one * 1e9 - (unlocked_ns + ticks_ns)) > ticks_ns / 1000)
        fail_msg("legacy alone: %.0f ns, want CPython's lock's %.0f and %llu ticks' %.0f", one * 1e9, unlocked_ns,
                 (unsigned long long)alone.lock.tick_drops, ticks_ns);
    assert_true(two.lock.tick_drops >= 4000 * 10000 * 4 / GS_CHECK_INTERVAL_DEFAULT - 2);
}

/* The battle as the development VM fights it (its calibration: 0.82 ns an
 * instruction, so a tick every 4 us; waking a thread on another core costs
 * the waker 6.6 us, a system call 1 us, and a core that idled briefly
 * wakes in 9 us there, where an interrupt leaves the virtual machine):
 * the holder pays for a slow wake call at most ticks; the woken waiter is
 * mostly back too late, finds the lock taken and sleeps again, but now and
 * then (a quick wake-up while the holder is still in its call) takes it,
 * and the holder sleeps in turn.  Two threads take twice as long as one,
 * and the lock changes hands at about one tick in four (real runs there:
 * one in eight, docs/calibration.md). */
static void test_legacy_battle_on_a_slow_wake_call(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(2, 1);
    m.instruction_ns = 0.82;
    m.syscall_ns = 1000;
    m.wake_none_ns = 700; /* the share of a wait's that the VM's was on 2026-12-07 */
    m.signal_ns = 6600;
    m.wake_ns = 10500;
    m.wake_fast_ns = 9000;
    gs_run_result r;
    gs_run_summary one, two;
    sim_run(&w, GS_GIL_LEGACY, 1, 2000, false, &m, &r);
    gs_summarize(&r, &one);
    gs_run_result_free(&r);
    sim_run(&w, GS_GIL_LEGACY, 2, 2000, false, &m, &r);
    gs_summarize(&r, &two);
    gs_run_result_free(&r);
    double changes = (double)two.lock.switches_in / (double)two.lock.tick_drops;
    if (two.wall_s < 1.5 * one.wall_s || two.lock.futile_wakeups < two.lock.tick_drops / 4 || changes < 0.05 ||
        changes > 0.35) /* the model: about one in four */
        fail_msg("2 threads %.6f s, 1 thread %.6f s; %llu futile wake-ups, %llu switches, %llu ticks", two.wall_s,
                 one.wall_s, (unsigned long long)two.lock.futile_wakeups, (unsigned long long)two.lock.switches_in,
                 (unsigned long long)two.lock.tick_drops);
    gs_workload_free(&w);
}

/* 2,000 countdown units on m under Python 2's lock at Python 2's own pace
 * (a tick every 800 instructions), by 1 thread into s[0] and by 2 into
 * s[1]. */
static void legacy_at_python2_pace(const gs_workload *w, const gs_sim_model *m, gs_run_summary s[2])
{
    for (uint32_t n = 1; n <= 2; n++) {
        gs_run_config cfg = run_config(GS_MODE_THREADS, w, n, 2000);
        cfg.gil.policy = GS_GIL_LEGACY;
        cfg.gil.check_interval = 800;
        cfg.sim = m;
        gs_run_result r;
        if (gs_run(&cfg, &r) != 0)
            fail_msg("%s", r.error);
        check_consistent(&r, 2000);
        gs_summarize(&r, &s[n - 1]);
        gs_run_result_free(&r);
    }
}

/* Python 2's lock at Python 2's own pace (a tick every 800 instructions,
 * 0.48 us) on the development VM's calibration of 2026-12-06, where a
 * call to sleep takes 290 ns.  A waiter woken for a system call only (the
 * kernel had not queued it yet: the first half of its call,
 * machine/sim/wake.c) comes back at once; one already queued costs the
 * holder the 6.2 us wake-up and comes back too late, to a taken lock.
 * Real gilsim there changed hands at 4% of ticks and took 2.0 times as
 * long as one thread.  When the whole call counted as not yet asleep,
 * the two threads fell into step: each release caught the other in its
 * call, and the lock changed hands at every tick, 1.1 times as long as
 * one thread. */
static void test_legacy_at_python2_pace_does_not_fall_into_step(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(2, 1);
    m.instruction_ns = 0.60;
    m.syscall_ns = 292, m.signal_ns = 6200, m.wake_fast_ns = 15600, m.wake_ns = 21700, m.switch_ns = 1000;
    m.wake_none_ns = 150;
    gs_run_summary s[2];
    legacy_at_python2_pace(&w, &m, s);
    double changes = (double)s[1].lock.switches_in / (double)s[1].lock.tick_drops;
    if (s[1].wall_s < 1.5 * s[0].wall_s || changes < 0.01 || changes > 0.15)
        fail_msg("2 threads %.6f s, 1 thread %.6f s; the lock changed hands at %.1f%% of ticks", s[1].wall_s,
                 s[0].wall_s, 100 * changes);
    gs_workload_free(&w);
}

/* Python 2's lock on one core, at Python 2's own pace (a tick every
 * 800 instructions): the waiter, woken by the holder's release while the
 * holder has the only core, takes the core at once (wake-up preemption:
 * it slept a moment, so its deadline is the earlier) and the lock with it.
 * So the lock changes hands about once a time slice, as on a real core,
 * and the releases in between find nobody waiting and cost nothing: two
 * threads take as long as one.  Without the preemption the waiter came
 * back only at the holder's slice's end, to a taken lock: the holder kept
 * it the whole run and paid a system call at every release (1.31x). */
static void test_legacy_on_one_core_hands_over_each_slice(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(1, 1);
    gs_run_summary s[2];
    legacy_at_python2_pace(&w, &m, s);
    double slices = s[1].wall_s * 1e9 / (double)m.slice_ns;
    if (s[1].wall_s > 1.02 * s[0].wall_s || (double)s[1].lock.switches_in < slices / 2 ||
        (double)s[1].lock.switches_in > 2 * slices + 2)
        fail_msg("1 core: 2 threads %.6f s, 1 thread %.6f s; the lock changed hands %llu times in %.1f slices",
                 s[1].wall_s, s[0].wall_s, (unsigned long long)s[1].lock.switches_in, slices);
    gs_workload_free(&w);
}

/* The shared workload's wall time: units countdown units adding to one
 * shared variable every 32 steps, split over workers threads on 16
 * modelled cores; with *hits its end value. */
static double shared_wall(gs_gil_policy policy, uint32_t workers, uint64_t line_ns, int64_t *hits)
{
    char err[GS_ERRMSG_MAX];
    gs_workload w;
    assert_int_equal(gs_workload_load(&w, &(gs_workload_spec){.kind = GS_WL_SHARED}, err), 0);
    gs_sim_model m = sim_model(16, 1);
    m.line_ns = line_ns;
    m.interp_start_ns = 0; /* what interpreters cost to start is the next test's */
    gs_run_config cfg = run_config(GS_MODE_THREADS, &w, workers, 320);
    cfg.gil.policy = policy;
    cfg.sim = &m;
    gs_run_result r;
    if (gs_run(&cfg, &r) != 0 || r.failed)
        fail_msg("%s, %u threads: %s", gs_gil_policy_names[policy], workers, r.error);
    double wall = (double)(r.end_ns - r.start_ns) / 1e9;
    if (hits)
        *hits = r.shared[0];
    gs_run_result_free(&r);
    gs_workload_free(&w);
    return wall;
}

/* The free-threaded model (lock/free_threaded.c): on work that meets at a shared
 * variable every 32 steps, free-threaded threads are fastest with a few
 * and slower with more, as the published runs are (an Advent of Code
 * solver on 3.14t: 1.69, 1.16, 2.11, 2.69 s for 2, 4, 6, 7 threads);
 * the ideal policy, and interpreters (each its own variable), scale on
 * the same work; with the cache line free to move, free-threaded threads
 * scale too: the line and the variable's lock are the cost.  Each
 * interpreter kept its own variable: their copies add up to every
 * update; free-threaded threads raced for the one, and lost some. */
static void test_free_threaded_threads_meet_at_shared_objects(void **state)
{
    (void)state;
    uint64_t line = GS_SIM_MODEL_DEFAULT.line_ns;
    int64_t hits;
    double one = shared_wall(GS_GIL_FREE_THREADED, 1, line, &hits);
    assert_int_equal(hits, 320 * 313); /* alone: every update, ceil(10000 / 32) a unit */
    double ft[3] = {one / shared_wall(GS_GIL_FREE_THREADED, 4, line, NULL),
                    one / shared_wall(GS_GIL_FREE_THREADED, 8, line, NULL),
                    one / shared_wall(GS_GIL_FREE_THREADED, 16, line, &hits)};
    if (!(ft[0] > 2 && ft[1] < ft[0] && ft[2] < ft[0]))
        fail_msg("free-threaded on a shared variable: %.2fx, %.2fx, %.2fx with 4, 8, 16 threads: not fastest at 4",
                 ft[0], ft[1], ft[2]);
    assert_true(hits < 320 * 313); /* 16 threads raced for it */
    double free_line = one / shared_wall(GS_GIL_FREE_THREADED, 16, 0, NULL);
    double ideal = shared_wall(GS_GIL_NONE, 1, line, NULL) / shared_wall(GS_GIL_NONE, 16, line, NULL);
    double apart = shared_wall(GS_GIL_PER_INTERPRETER, 1, line, NULL) /
                   shared_wall(GS_GIL_PER_INTERPRETER, 16, line, &hits);
    if (ideal < 14 || apart < 14 || free_line < 8)
        fail_msg("16 threads: ideal %.2fx, interpreters %.2fx, free-threaded with free lines %.2fx", ideal, apart,
                 free_line);
    assert_int_equal(hits, 320 * 313); /* each interpreter's copy, added up: nothing lost */
}

/* The free-threaded collector stops the world (lock/free_threaded.c):
 * with a pause of 100 us every 1 ms, CPU-bound threads take a tenth
 * longer and more (the stop's safe points and wake-ups), however many
 * run: every attached thread stops, not only the collector (had only the collector paused, 4 threads would take a
 * fortieth longer).  Threads asleep in I/O are detached and do not hold
 * the world up: the I/O-bound run finishes. */
static void test_free_threaded_collector_stops_the_world(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0), io = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    for (uint32_t n = 1; n <= 4; n += 3) {
        uint64_t wall[2];
        for (int k = 0; k < 2; k++) {
            gs_sim_model m = sim_model(4, 1);
            gs_run_config cfg = run_config(GS_MODE_THREADS, &w, n, 4000);
            cfg.gil.policy = GS_GIL_FREE_THREADED;
            cfg.gil.gc_every_ns = k ? 1000000 : 0;
            cfg.gil.gc_pause_ns = 100000;
            cfg.sim = &m;
            gs_run_result r;
            if (gs_run(&cfg, &r) != 0 || r.failed)
                fail_msg("%s", r.error);
            wall[k] = r.end_ns - r.start_ns;
            gs_run_result_free(&r);
        }
        double grew = (double)wall[1] / (double)wall[0] - 1;
        if (grew < 0.09 || grew > 0.20) /* the pauses, and the wake-ups and safe points around them */
            fail_msg("%u threads: pauses of 100 us every 1 ms made the run %.1f%% longer, not 10%% to 20%%", n,
                     100 * grew);
    }
    gs_sim_model m = sim_model(4, 1);
    gs_run_config cfg = run_config(GS_MODE_THREADS, &io, 8, 64);
    cfg.gil.policy = GS_GIL_FREE_THREADED;
    cfg.gil.gc_every_ns = 500000;
    cfg.gil.gc_pause_ns = 100000;
    cfg.sim = &m;
    gs_run_result r;
    if (gs_run(&cfg, &r) != 0 || r.failed)
        fail_msg("I/O-bound threads with stop-the-world pauses: %s", r.error);
    gs_run_result_free(&r);
    gs_workload_free(&w);
    gs_workload_free(&io);
}

/* A stop reaches the threads waiting for the lock at once: --timeout
 * ends 2000 CPU-bound threads on 8 cores within a wake-up each of the
 * deadline (woken one at a time: by the lock's mutex, or handed the lock),
 * every thread stopped.  Before waiters left the cpython lock on a stop,
 * its drain took 788 ms: each waiter had to be handed the lock to see the
 * stop, behind thousands of timed waits (cpython 19 ms now, fifo 15,
 * legacy 26). */
static void test_a_stop_reaches_every_waiter(void **state)
{
    (void)state;
    enum { THREADS = 2000 };
    static const gs_gil_policy policies[] = {GS_GIL_CPYTHON, GS_GIL_FIFO, GS_GIL_LEGACY};
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = sim_model(8, 1);
    for (size_t p = 0; p < sizeof policies / sizeof *policies; p++) {
        gs_run_config cfg = sim_config(&w, policies[p], THREADS, 1000000, true, &m);
        cfg.timeout_ns = 50000000;
        gs_run_result r;
        if (gs_run(&cfg, &r) != 0)
            fail_msg("%s", r.error);
        assert_true(r.stopped);
        assert_int_equal(r.failed, THREADS);
        uint64_t last = 0, lives = 0, accounted = 0;
        for (uint32_t i = 0; i < THREADS; i++) {
            const gs_worker_result *wr = &r.workers[i];
            assert_string_equal(wr->rare->error, "stopped by --timeout");
            last = wr->end_ns > last ? wr->end_ns : last;
            lives += wr->end_ns - wr->start_ns;
            accounted += wr->lock.wait_ns + wr->lock.hold_ns;
        }
        /* a CPU-bound thread's life is waiting for the lock and holding
         * it, the wait that the stop cut short included */
        if (accounted < lives * 0.99 || accounted > lives)
            fail_msg("%s: waits and holds %.3f s of threads' lives of %.3f s", gs_gil_policy_names[policies[p]],
                     (double)accounted / 1e9, (double)lives / 1e9);
        uint64_t drain = last - (r.start_ns + cfg.timeout_ns), most = THREADS * (m.wake_ns + m.wake_cpu_ns + m.signal_ns);
        if (last < r.start_ns + cfg.timeout_ns || drain > most)
            fail_msg("%s: the last of %u threads ended %.3f ms after the deadline (at most %.3f ms)",
                     gs_gil_policy_names[policies[p]], THREADS, (double)drain / 1e6, (double)most / 1e6);
        gs_run_result_free(&r);
    }
    gs_workload_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_under_one_lock_take_turns),
        cmocka_unit_test(test_threads_without_a_lock_use_the_cores),
        cmocka_unit_test(test_drop_requests_land_on_time),
        cmocka_unit_test(test_quick_round_trips_keep_the_lock),
        cmocka_unit_test(test_a_forced_drop_goes_to_its_asker),
        cmocka_unit_test(test_user_lock_operations_cost_what_the_model_says),
        cmocka_unit_test(test_a_lock_held_two_fifths_of_the_time_ping_pongs),
        cmocka_unit_test(test_io_thread_waits_an_interval_per_operation),
        cmocka_unit_test(test_io_threads_pay_their_way_back_on_a_core),
        cmocka_unit_test(test_io_threads_on_the_vm_queue_at_the_lock),
        cmocka_unit_test(test_legacy_battle),
        cmocka_unit_test(test_legacy_battle_on_a_slow_wake_call),
        cmocka_unit_test(test_legacy_at_python2_pace_does_not_fall_into_step),
        cmocka_unit_test(test_legacy_on_one_core_hands_over_each_slice),
        cmocka_unit_test(test_free_threaded_threads_meet_at_shared_objects),
        cmocka_unit_test(test_free_threaded_collector_stops_the_world),
        cmocka_unit_test(test_a_stop_reaches_every_waiter),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
