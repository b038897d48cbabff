/* test_sim_wake.c - the simulated machine's sleeps and wake-ups
 * (sched/machine/sim/wake.c, sync.c): what a timed wait, a signal, an
 * unlock, a semaphore and a thread's start cost whom, when a woken thread
 * is back, and when a wake-up preempts.  The rest of the machine is
 * test_sim.c's.  Virtual time is exact, so the tests assert modelled
 * figures. */
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

/* The operating system's own promises, from the caller's thread.  A
 * timed wait or a sleep ends by its timer, the timer's lateness late
 * (give or take a quarter), the last timer_cpu_ns of that the sleeper's
 * way back, which is CPU time: a timer's wake-up, not a signal's
 * (wake_cpu_ns).  So is the call that went to sleep (syscall_ns), as a
 * real thread's CPU clock counts its system time. */
static void test_timed_wait_ends_a_timer_latency_late(void **state)
{
    (void)state;
    gs_sim_model m = sim_model(1, 1);
    m.timer_cpu_ns = 7000;
    gs_os *os = gs_os_sim_new(&m);
    assert_non_null(os);
    gs_mutex *mu = gs_os_mutex(os);
    gs_cond *c = gs_os_cond(os);
    gs_os_lock(os, mu);
    uint64_t start = gs_os_now(os), cpu = gs_os_thread_cpu(os);
    assert_true(gs_os_wait_until(os, c, mu, start + 1234567));
    uint64_t late = gs_os_now(os) - (start + 1234567);
    assert_true(late >= m.timer_ns - m.timer_ns / 4 && late <= m.timer_ns + m.timer_ns / 4);
    assert_int_equal(gs_os_thread_cpu(os) - cpu, m.syscall_ns + m.timer_cpu_ns);
    gs_os_unlock(os, mu);
    uint64_t before = gs_os_now(os);
    cpu = gs_os_thread_cpu(os);
    gs_os_sleep(os, 1000);
    late = gs_os_now(os) - before - 1000;
    assert_true(late >= m.timer_ns - m.timer_ns / 4 && late <= m.timer_ns + m.timer_ns / 4);
    assert_int_equal(gs_os_thread_cpu(os) - cpu, m.syscall_ns + m.timer_cpu_ns);
    os->ops->cond_free(os, c);
    os->ops->mutex_free(os, mu);
    gs_os_sim_free(os);
}

/* A second thread for the tests of the OS's promises below. */
typedef struct {
    gs_os *os;
    gs_mutex *mu;
    gs_cond *c;
    bool waiting;       /* guarded by mu */
    uint64_t began, got; /* its clock as it asked, and as it got */
    uint64_t cpu;        /* spin_20ms: its CPU time */
} other;

static void *lock_it(void *arg)
{
    other *o = arg;
    o->began = gs_os_now(o->os);
    gs_os_lock(o->os, o->mu);
    o->got = gs_os_now(o->os);
    gs_os_unlock(o->os, o->mu);
    return NULL;
}

/* glibc's mutex: unlocking wakes a waiter but gives it nothing, so the
 * unlocker takes the mutex straight back, and the waiter gets it only
 * after the next unlock. */
static void test_unlock_hands_nothing_over(void **state)
{
    (void)state;
    gs_sim_model m = sim_model(2, 1);
    gs_os *os = gs_os_sim_new(&m);
    assert_non_null(os);
    other o = {.os = os, .mu = gs_os_mutex(os)};
    gs_os_lock(os, o.mu);
    gs_thread *t;
    assert_int_equal(os->ops->thread_start(os, &t, 0, lock_it, &o, NULL), 0);
    gs_os_sleep(os, 100000); /* it blocks on the mutex meanwhile */
    gs_os_unlock(os, o.mu);
    uint64_t unlocked = gs_os_now(os);
    assert_true(o.began < unlocked); /* it was waiting */
    gs_os_lock(os, o.mu);
    assert_int_equal(gs_os_now(os), unlocked); /* not blocked: nothing was handed over */
    gs_os_sleep(os, 1000000);
    uint64_t second = gs_os_now(os);
    gs_os_unlock(os, o.mu);
    os->ops->thread_join(os, t);
    assert_true(o.got >= second);
    os->ops->mutex_free(os, o.mu);
    gs_os_sim_free(os);
}

static void *wait_once(void *arg)
{
    other *o = arg;
    gs_os_lock(o->os, o->mu);
    o->waiting = true;
    o->began = gs_os_now(o->os);
    gs_os_wait(o->os, o->c, o->mu);
    o->got = gs_os_now(o->os);
    gs_os_unlock(o->os, o->mu);
    return NULL;
}

/* Signals o's thread once it waits: at once (the caller computes a
 * thousand instructions between looks: a sleep would cost it a system
 * call, as long as the one it is to catch the waiter in), or a
 * millisecond after.  Returns when it signalled. */
static uint64_t signal_waiter(other *o, uint64_t after_ns)
{
    for (;;) {
        gs_os_lock(o->os, o->mu);
        if (o->waiting) {
            gs_os_unlock(o->os, o->mu);
            break;
        }
        gs_os_unlock(o->os, o->mu);
        o->os->ops->ran(o->os, o->os->ops->budget(o->os, 1000));
    }
    if (after_ns)
        gs_os_sleep(o->os, after_ns);
    uint64_t called = gs_os_now(o->os);
    gs_os_signal(o->os, o->c);
    return called;
}

/* A thread woken while its call to sleep is still going returns from that
 * call, awake; one that slept is back in its code wake_ns, give or take a
 * quarter, after the waker's call began: its way back (wake_cpu_ns) is the
 * end of that latency, as calibrate measures it, not more. */
static void test_woken_while_going_to_sleep(void **state)
{
    (void)state;
    for (int slept = 0; slept < 2; slept++) {
        gs_sim_model m = sim_model(2, 1);
        m.syscall_ns = 100000; /* a slow way to sleep, to be caught in */
        m.timer_ns = 0;
        gs_os *os = gs_os_sim_new(&m);
        assert_non_null(os);
        other o = {.os = os, .mu = gs_os_mutex(os), .c = gs_os_cond(os)};
        gs_thread *t;
        assert_int_equal(os->ops->thread_start(os, &t, 0, wait_once, &o, NULL), 0);
        uint64_t called = signal_waiter(&o, slept ? 1000000 : 0);
        os->ops->thread_join(os, t);
        if (slept) {
            /* asleep for longer than --idle-poll: a deep sleep's wake-up */
            assert_true(o.got >= called + m.wake_ns - m.wake_ns / 4);
            assert_true(o.got <= called + m.wake_ns + m.wake_ns / 4);
        } else
            assert_int_equal(o.got, o.began + m.syscall_ns);
        os->ops->cond_free(os, o.c);
        os->ops->mutex_free(os, o.mu);
        gs_os_sim_free(os);
    }
}

/* Computes 20 budgets of up to 1 ms of virtual time (an event ends one
 * sooner), having said when it first ran, when it was done (got) and how
 * much CPU time that took. */
static void *spin_20ms(void *arg)
{
    other *o = arg;
    o->began = gs_os_now(o->os);
    uint64_t cpu = gs_os_thread_cpu(o->os);
    for (int i = 0; i < 20; i++)
        o->os->ops->ran(o->os, o->os->ops->budget(o->os, 1000000));
    o->got = gs_os_now(o->os);
    o->cpu = gs_os_thread_cpu(o->os) - cpu;
    return NULL;
}

/* The same, computing alone (a process's worker, a thread with no lock). */
static void *spin_20ms_alone(void *arg)
{
    other *o = arg;
    o->os->ops->computes_alone(o->os);
    return spin_20ms(arg);
}

/* A machine of m with a thread started on spin(o). */
static gs_os *with_spinner(const gs_sim_model *m, void *(*spin)(void *), other *o, gs_thread **t)
{
    gs_os *os = gs_os_sim_new(m);
    assert_non_null(os);
    *o = (other){.os = os};
    assert_int_equal(os->ops->thread_start(os, t, 0, spin, o, NULL), 0);
    return os;
}

/* A woken thread's way back out of the kernel is CPU time on a core: on a
 * machine of one core, busy with a thread that computes alone (which a
 * timer's wake-up does not preempt: its clock runs ahead), a sleeper whose
 * timer fires waits for the core (until the other's slice ends), and only
 * then spends its way back (a timer's: timer_cpu_ns), which counts in its
 * CPU time, after the call that went to sleep (syscall_ns). */
static void test_way_back_waits_for_a_core(void **state)
{
    (void)state;
    gs_sim_model m = sim_model(1, 1);
    m.timer_cpu_ns = 5000;
    other o;
    gs_thread *t;
    gs_os *os = with_spinner(&m, spin_20ms_alone, &o, &t);
    uint64_t cpu = gs_os_thread_cpu(os);
    gs_os_sleep(os, 1000000);
    uint64_t back = gs_os_now(os);
    assert_int_equal(gs_os_thread_cpu(os) - cpu, m.syscall_ns + m.timer_cpu_ns);
    /* the spinner's slice ends an instruction's fraction past its start
     * plus a slice; then the switch, then the way back */
    uint64_t want = o.began + m.slice_ns + m.switch_ns + m.timer_cpu_ns;
    if (back < want || back > want + 1)
        fail_msg("back at %llu ns, want %llu: the spinner's slice, a switch and the way back",
                 (unsigned long long)back, (unsigned long long)want);
    os->ops->thread_join(os, t);
    gs_os_sim_free(os);
}

/* A timer's wake-up preempts a running thread whose deadline is later
 * (sim/wake.c): on one core, busy with a thread that computes 20 ms, a
 * thread that sleeps 1 ms (less than a slice, so it keeps its deadline,
 * earlier than that of the thread that took the core after it) is back
 * as its timer says, not at the other's slice's end, and the other waits
 * for the core meanwhile. */
static void test_a_timer_preempts_a_later_deadline(void **state)
{
    (void)state;
    gs_sim_model m = sim_model(1, 1);
    other o;
    gs_thread *t;
    gs_os *os = with_spinner(&m, spin_20ms, &o, &t);
    uint64_t before = gs_os_now(os);
    gs_os_sleep(os, 1000000);
    uint64_t back = gs_os_now(os);
    uint64_t late_most = m.timer_ns + m.timer_ns / 4 + m.switch_ns + 1;
    if (back < before + 1000000 || back > before + 1000000 + late_most || back >= o.began + m.slice_ns)
        fail_msg("back at %llu ns, asleep from %llu: want its timer's wake-up, before the spinner's slice ends at %llu",
                 (unsigned long long)back, (unsigned long long)before, (unsigned long long)(o.began + m.slice_ns));
    os->ops->thread_join(os, t);
    /* off its core while the sleeper had it: a switch, the way back, a switch */
    assert_true(o.got - o.began >= o.cpu + 2 * m.switch_ns + m.timer_cpu_ns);
    gs_os_sim_free(os);
}

/* Starting a thread costs its creator thread_start_ns (pthread_create's
 * own time: 13 to 28 us on the development VM, where the model once
 * charged a system call's 0.3), CPU time in the kernel, and the new
 * thread runs a wake-up later. */
static void test_a_thread_start_costs_its_creator(void **state)
{
    (void)state;
    gs_sim_model m = sim_model(2, 1);
    m.thread_start_ns = 12345;
    gs_os *os = gs_os_sim_new(&m);
    assert_non_null(os);
    other o = {.os = os};
    gs_thread *t;
    uint64_t before = gs_os_now(os), cpu = gs_os_thread_cpu(os);
    assert_int_equal(os->ops->thread_start(os, &t, 0, spin_20ms, &o, NULL), 0);
    uint64_t after = gs_os_now(os);
    assert_int_equal(after - before, m.thread_start_ns);
    assert_int_equal(gs_os_thread_cpu(os) - cpu, m.thread_start_ns);
    os->ops->thread_join(os, t);
    assert_true(o.began >= after + m.wake_ns - m.wake_ns / 4);
    gs_os_sim_free(os);
}

/* A thread that takes one from a semaphore, with no deadline. */
typedef struct {
    gs_os *os;
    gs_sem *sem;
    bool began;
    uint64_t began_ns;   /* its clock when it began to wait */
    bool took;
    uint64_t got;        /* its clock when it took it */
    gs_sem_waited how;
} sem_taker;

static void *take_sem(void *arg)
{
    sem_taker *k = arg;
    k->began_ns = gs_os_now(k->os);
    k->began = true;
    k->took = k->os->ops->sem_wait(k->os, k->sem, GS_NO_DEADLINE, &k->how);
    k->got = gs_os_now(k->os);
    return NULL;
}

/* The semaphore threading.Lock and Python 2's lock are made of (glibc's
 * sem_t): a try takes nothing from an empty count and never sleeps; a
 * wait with a deadline gives up a timer's lateness past it and stops
 * counting itself a waiter, so a later post costs nothing; a post wakes
 * the oldest sleeper, and costs its poster the wake-up call. */
static void test_semaphore_tries_waits_and_gives_up(void **state)
{
    (void)state;
    gs_sim_model m = sim_model(4, 1);
    m.timer_cpu_ns = 7000;
    gs_os *os = gs_os_sim_new(&m);
    assert_non_null(os);
    gs_sem *sem = os->ops->sem_new(os, 0);
    gs_sem_waited how;
    uint64_t start = gs_os_now(os), cpu = gs_os_thread_cpu(os);
    assert_false(os->ops->sem_wait(os, sem, 0, &how));
    assert_false(how.slept);
    assert_int_equal(gs_os_now(os), start);
    assert_false(os->ops->sem_wait(os, sem, start + 1234567, &how));
    assert_true(how.slept);
    assert_int_equal(how.futile, 0);
    uint64_t late = gs_os_now(os) - (start + 1234567);
    assert_true(late >= m.timer_ns - m.timer_ns / 4 && late <= m.timer_ns + m.timer_ns / 4);
    assert_int_equal(gs_os_thread_cpu(os) - cpu, m.syscall_ns + m.timer_cpu_ns);
    uint64_t before = gs_os_now(os);
    os->ops->sem_post(os, sem); /* nobody counts as waiting: no call */
    assert_int_equal(gs_os_now(os), before);
    assert_true(os->ops->sem_wait(os, sem, 0, &how));
    assert_false(how.slept);

    sem_taker first = {.os = os, .sem = sem}, second = first;
    gs_thread *t1, *t2;
    assert_int_equal(os->ops->thread_start(os, &t1, 0, take_sem, &first, NULL), 0);
    gs_os_sleep(os, 100000);
    assert_int_equal(os->ops->thread_start(os, &t2, 0, take_sem, &second, NULL), 0);
    gs_os_sleep(os, 100000); /* both asleep on it, first the older */
    before = gs_os_now(os);
    uint64_t cpu_before = gs_os_thread_cpu(os);
    os->ops->sem_post(os, sem);
    assert_int_equal(gs_os_now(os) - before, m.signal_ns);
    assert_int_equal(gs_os_thread_cpu(os) - cpu_before, m.signal_ns); /* the waker's system time */
    gs_os_sleep(os, 1000000);
    assert_true(first.took && first.got > before);
    assert_false(second.took);
    /* A post the poster takes straight back: the woken waiter, back a
     * wake-up later, finds the count taken again, a futile wake-up, and
     * sleeps on until the next post. */
    os->ops->sem_post(os, sem);
    assert_true(os->ops->sem_wait(os, sem, 0, &how));
    /* Again before the woken waiter is back: it still counts itself a
     * waiter, so the post calls, but no thread waits in the kernel to be
     * woken, Linux's cheapest futex call (sim.h, wake_none_ns). */
    before = gs_os_now(os), cpu_before = gs_os_thread_cpu(os);
    os->ops->sem_post(os, sem);
    assert_int_equal(gs_os_now(os) - before, m.wake_none_ns);
    assert_int_equal(gs_os_thread_cpu(os) - cpu_before, m.wake_none_ns);
    assert_true(m.wake_none_ns != m.syscall_ns && m.wake_none_ns != m.signal_ns);
    assert_true(os->ops->sem_wait(os, sem, 0, &how));
    gs_os_sleep(os, 1000000);
    assert_false(second.took);
    os->ops->sem_post(os, sem);
    os->ops->thread_join(os, t1);
    os->ops->thread_join(os, t2);
    assert_true(second.took && second.got > first.got);
    assert_int_equal(first.how.futile, 0);
    assert_int_equal(second.how.futile, 1);
    os->ops->sem_free(os, sem);
    gs_os_sim_free(os);
}

/* A sleeper is queued halfway through its call to sleep (wake.c,
 * sim_block): a post in the first half of that call finds nobody queued,
 * a plain system call for the poster (dearer than a wake that no thread
 * waits in at all, as the sleeper has counted itself in the futex's
 * bucket), and one in the second half costs the poster the wake-up call.  Either way the sleeper, woken before its
 * call ended, goes on as it ends. */
static void test_sleeper_queued_halfway_through_its_call(void **state)
{
    (void)state;
    for (int late = 0; late < 2; late++) {
        gs_sim_model m = sim_model(2, 1);
        m.syscall_ns = 100000; /* a slow way to sleep, to post in */
        gs_os *os = gs_os_sim_new(&m);
        assert_non_null(os);
        gs_sem *sem = os->ops->sem_new(os, 0);
        sem_taker k = {.os = os, .sem = sem};
        gs_thread *t;
        assert_int_equal(os->ops->thread_start(os, &t, 0, take_sem, &k, NULL), 0);
        while (!k.began) /* 1 us steps: each half of the call is 50 */
            os->ops->ran(os, os->ops->budget(os, 1000));
        uint64_t post_at = k.began_ns + (late ? 3 : 1) * m.syscall_ns / 4;
        while (gs_os_now(os) < post_at)
            os->ops->ran(os, os->ops->budget(os, 1000));
        uint64_t before = gs_os_now(os);
        os->ops->sem_post(os, sem);
        assert_int_equal(gs_os_now(os) - before, late ? m.signal_ns : m.syscall_ns);
        os->ops->thread_join(os, t);
        assert_true(k.took);
        assert_int_equal(k.how.futile, 0);
        assert_int_equal(k.got, k.began_ns + m.syscall_ns);
        os->ops->sem_free(os, sem);
        gs_os_sim_free(os);
    }
}

/* A thread's start, as its function reads the clock first. */
typedef struct {
    gs_os *os;
    uint64_t began;
} starter;

static void *note_start(void *arg)
{
    starter *st = arg;
    st->began = gs_os_now(st->os);
    return NULL;
}

/* A thread started at a shut gate waits there as a runner's thread would
 * wait on a condition variable, and its function begins only once the
 * gate opens, woken by a broadcast.  Parked at the gate it holds no C
 * stack: for 300 threads on 4 cores the machine makes a few (the
 * scheduler's, one a core, the one a parking thread hands back), not 300
 * (sim.c, "Start gates").  At a gate already open a thread runs as one
 * started without: a wake-up after its creator's call. */
static void test_a_start_gate_holds_threads_without_stacks(void **state)
{
    (void)state;
    enum { THREADS = 300 };
    gs_sim_model m = sim_model(4, 1);
    gs_os *os = gs_os_sim_new(&m);
    assert_non_null(os);
    gs_gate *g = os->ops->gate_new(os);
    static starter st[THREADS];
    static gs_thread *t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        st[i] = (starter){.os = os};
        assert_int_equal(os->ops->thread_start(os, &t[i], 0, note_start, &st[i], g), 0);
    }
    gs_os_sleep(os, 1000000); /* every one reaches the gate meanwhile */
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(st[i].began, 0);
    uint64_t opened = gs_os_now(os);
    os->ops->gate_open(os, g);
    for (int i = 0; i < THREADS; i++)
        os->ops->thread_join(os, t[i]);
    for (int i = 0; i < THREADS; i++)
        assert_true(st[i].began > opened);
    uint32_t stacks = gs_os_sim_stacks(os);
    if (stacks > m.cores + 2)
        fail_msg("%u stacks for %d threads on %u cores", stacks, THREADS, m.cores);
    starter late = {.os = os};
    gs_thread *lt;
    uint64_t before = gs_os_now(os);
    assert_int_equal(os->ops->thread_start(os, &lt, 0, note_start, &late, g), 0);
    os->ops->thread_join(os, lt);
    assert_int_equal(late.began, before + m.thread_start_ns + m.wake_ns);
    os->ops->gate_free(os, g);
    gs_os_sim_free(os);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timed_wait_ends_a_timer_latency_late),
        cmocka_unit_test(test_unlock_hands_nothing_over),
        cmocka_unit_test(test_woken_while_going_to_sleep),
        cmocka_unit_test(test_way_back_waits_for_a_core),
        cmocka_unit_test(test_a_timer_preempts_a_later_deadline),
        cmocka_unit_test(test_a_thread_start_costs_its_creator),
        cmocka_unit_test(test_a_start_gate_holds_threads_without_stacks),
        cmocka_unit_test(test_semaphore_tries_waits_and_gives_up),
        cmocka_unit_test(test_sleeper_queued_halfway_through_its_call),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
