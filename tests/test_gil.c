/* test_gil.c - the CPython lock: mutual exclusion, the drop-request
 * protocol, forced switching.  Workers only record what they saw; the test
 * thread asserts after joining (cmocka's failure state is per thread). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "testdir.h"

#include "machine/real/clock.h"
#include "machine/real/real.h"
#include "lock/lock.h"

typedef struct {
    gs_gil *gil;
    gs_vm *vm;
    gs_gil_client client;
    gs_recorder rec;
    gs_lock_stats stats;
} worker;

static void worker_init(worker *w, gs_gil *gil, uint32_t id)
{
    memset(w, 0, sizeof *w);
    w->gil = gil;
    w->vm = aligned_alloc(64, sizeof(gs_vm));
    assert_non_null(w->vm);
    memset(w->vm, 0, sizeof *w->vm);
    atomic_init(&w->vm->breaker, 0);
    w->client = (gs_gil_client){.vm = w->vm, .id = id, .rec = &w->rec, .stats = &w->stats};
}

static void worker_free(worker *w)
{
    gs_vm_free(w->vm);
    gs_lock_stats_free(&w->stats);
}

static gs_gil *new_policy(gs_gil_policy policy, uint64_t interval_ns, bool force)
{
    gs_gil_config cfg = {.policy = policy, .interval_ns = interval_ns, .force_switching = force,
                         .check_interval = GS_CHECK_INTERVAL_DEFAULT};
    gs_gil *g = gs_gil_new(&cfg, gs_os_real());
    assert_non_null(g);
    return g;
}

static gs_gil *new_gil(uint64_t interval_ns, bool force)
{
    return new_policy(GS_GIL_CPYTHON, interval_ns, force);
}

/* ---- mutual exclusion under stress ---------------------------------------- */

typedef struct {
    worker w;
    _Atomic int *inside;
    uint32_t rounds;
    uint64_t violations, done, seed;
} stress_worker;

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Emulates an eval loop: spins, polls its breaker, does random "I/O", and
 * ticks like CPython 2 when the lock has a check interval. */
static void *stress_main(void *arg)
{
    stress_worker *s = arg;
    gs_gil_take(s->w.gil, &s->w.client);
    for (uint32_t i = 0; i < s->rounds; i++) {
        if (atomic_fetch_add(s->inside, 1) != 0)
            s->violations++;
        for (volatile int spin = 0; spin < 200; spin++)
            ;
        atomic_fetch_sub(s->inside, 1);
        s->done++;
        if (s->w.gil->check_interval && i % 4 == 0) {
            gs_gil_drop(s->w.gil, &s->w.client, GS_DROP_TICK);
            gs_gil_take(s->w.gil, &s->w.client);
        } else if (gs_vm_breaker(s->w.vm) & GS_BREAK_DROP) {
            gs_gil_drop(s->w.gil, &s->w.client, GS_DROP_FORCED);
            gs_gil_take(s->w.gil, &s->w.client);
        } else if (next_random(&s->seed) % 16 == 0) {
            gs_gil_drop(s->w.gil, &s->w.client, GS_DROP_VOLUNTARY);
            struct timespec ts = {0, (long)(next_random(&s->seed) % 20000)};
            nanosleep(&ts, NULL);
            gs_gil_take(s->w.gil, &s->w.client);
        }
    }
    gs_gil_drop(s->w.gil, &s->w.client, GS_DROP_VOLUNTARY);
    return NULL;
}

static void run_stress(gs_gil_policy policy, uint64_t interval_ns, bool force)
{
    enum { N = 12, ROUNDS = 3000 };
    gs_gil *gil = new_policy(policy, interval_ns, force);
    _Atomic int inside = 0;
    stress_worker *s = calloc(N, sizeof *s);
    pthread_t t[N];
    for (uint32_t i = 0; i < N; i++) {
        worker_init(&s[i].w, gil, i);
        s[i].inside = &inside;
        s[i].rounds = ROUNDS;
        s[i].seed = 0x9e3779b97f4a7c15u * (i + 1);
        assert_int_equal(pthread_create(&t[i], NULL, stress_main, &s[i]), 0);
    }
    uint64_t switches_in = 0, forced = 0, to_asker = 0, to_other = 0;
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(s[i].violations, 0);
        assert_int_equal(s[i].done, ROUNDS);
        const gs_lock_stats *st = &s[i].w.stats;
        assert_int_equal(st->acquisitions, st->forced_drops + st->voluntary_drops + st->tick_drops);
        assert_true(st->forced_to_asker <= st->drop_requests); /* one take, however often it asked */
        switches_in += st->switches_in;
        forced += st->forced_drops, to_asker += st->forced_to_asker, to_other += st->forced_to_other;
        if (policy == GS_GIL_LEGACY) /* CPython 2 had no drop requests */
            assert_int_equal(st->drop_requests + st->forced_drops, 0);
        worker_free(&s[i].w);
    }
    /* However the OS ran them, each worker but the first took the lock
     * from another at least once: the hand-over bookkeeping saw it. */
    if (switches_in < N - 1)
        fail_msg("%llu take-overs among %u workers", (unsigned long long)switches_in, N);
    /* Every forced drop's lock went to another worker, which had asked or
     * not, where forced switching makes the dropper wait for one; without
     * it the dropper may take it back, counted as neither. */
    if (force ? to_asker + to_other != forced : to_asker + to_other > forced)
        fail_msg("%s: %llu forced drops, then %llu takes by an asker and %llu by another", gs_gil_policy_names[policy],
                 (unsigned long long)forced, (unsigned long long)to_asker, (unsigned long long)to_other);
    free(s);
    gs_gil_destroy(gil);
}

static void test_mutual_exclusion_stress(void **state)
{
    (void)state;
    run_stress(GS_GIL_CPYTHON, 10 * 1000, true); /* 10 us: hand-offs all the time */
    run_stress(GS_GIL_CPYTHON, 1000, false);     /* 1 us, without forced switching */
    run_stress(GS_GIL_LEGACY, 0, false);
    run_stress(GS_GIL_FIFO, 10 * 1000, false);
    run_stress(GS_GIL_FIFO, 1000, false);
}

/* ---- the drop request ------------------------------------------------------ */

typedef struct {
    worker w;
    uint64_t got_ns;
} taker;

static void *take_main(void *arg)
{
    taker *t = arg;
    gs_gil_take(t->w.gil, &t->w.client);
    t->got_ns = gs_now_ns();
    gs_gil_drop(t->w.gil, &t->w.client, GS_DROP_VOLUNTARY);
    return NULL;
}

/* Waits up to 5 s for n threads in g's queue; returns whether they came. */
static bool wait_for_queue(gs_gil *g, uint32_t n)
{
    uint64_t deadline = gs_now_ns() + 5000000000u;
    while (atomic_load(&g->queued) < n && gs_now_ns() < deadline) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    return atomic_load(&g->queued) == n;
}

/* Waits up to limit_ns for bits on vm's breaker; returns the time they came. */
static uint64_t wait_for_breaker(gs_vm *vm, uint32_t bits, uint64_t limit_ns)
{
    uint64_t start = gs_now_ns();
    while (!(gs_vm_breaker(vm) & bits)) {
        if (gs_now_ns() - start > limit_ns)
            return 0;
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    return gs_now_ns();
}

static void test_waiter_sets_request_after_interval(void **state)
{
    (void)state;
    const uint64_t interval = 20 * 1000 * 1000;
    gs_gil *gil = new_gil(interval, true);
    worker holder;
    taker b;
    worker_init(&holder, gil, 0);
    worker_init(&b.w, gil, 1);
    gs_gil_take(gil, &holder.client);
    uint64_t t0 = gs_now_ns();
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, take_main, &b), 0);
    uint64_t seen = wait_for_breaker(holder.vm, GS_BREAK_DROP, 5000000000u);
    assert_true(seen != 0);
    /* not before the waiter's timed wait ran out */
    assert_true(seen - t0 >= interval - interval / 10);
    gs_gil_drop(gil, &holder.client, GS_DROP_FORCED);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(gs_vm_breaker(holder.vm) & GS_BREAK_DROP, 0); /* cleared by the drop */
    assert_true(b.w.stats.drop_requests >= 1);
    assert_int_equal(holder.stats.forced_drops, 1);
    assert_true(b.got_ns >= seen);
    worker_free(&holder);
    worker_free(&b.w);
    gs_gil_destroy(gil);
}

static void test_holder_sees_request_at_back_edge(void **state)
{
    (void)state;
    /* an endless loop: only the breaker can stop it */
    const char *src = ".func main 0\nloop:\n jmp loop\n.end\n";
    gs_program p;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_load_source(src, strlen(src), "t.gsa", &p, err), 0);
    gs_gil *gil = new_gil(2 * 1000 * 1000, true);
    worker holder;
    taker b;
    worker_init(&holder, gil, 0);
    worker_init(&b.w, gil, 1);
    assert_int_equal(gs_vm_init(holder.vm, &p, NULL, 0, err), 0);
    gs_gil_take(gil, &holder.client);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, take_main, &b), 0);
    assert_int_equal(gs_vm_run(holder.vm, UINT64_MAX), GS_STOP_BREAK);
    assert_true(gs_vm_breaker(holder.vm) & GS_BREAK_DROP);
    assert_int_equal(holder.vm->pc, 0); /* stopped at the back-edge's target */
    gs_gil_drop(gil, &holder.client, GS_DROP_FORCED);
    assert_int_equal(pthread_join(t, NULL), 0);
    worker_free(&holder);
    worker_free(&b.w);
    gs_gil_destroy(gil);
    gs_program_free(&p);
}

/* A waiter whose wait saw a hand-off must not ask the new holder to drop
 * before the new holder has had a full interval of its own.
 *
 * A holds; B and C start waiting at t=0.  At t=interval/2 A hands off
 * voluntarily and one of them, X, takes the lock and keeps it until asked to
 * drop.  The other, Y, is still in the timed wait it began at t=0, which
 * runs out at t=interval: without the switch counter it would ask X to drop
 * then, after X held it only half an interval. */
typedef struct {
    worker w;
    uint64_t got_ns, asked_ns;
    _Atomic int *done;
} holder_until_asked;

static void *hold_main(void *arg)
{
    holder_until_asked *h = arg;
    gs_gil_take(h->w.gil, &h->w.client);
    h->got_ns = gs_now_ns();
    h->asked_ns = wait_for_breaker(h->w.vm, GS_BREAK_DROP, 3000000000u);
    gs_gil_drop(h->w.gil, &h->w.client, GS_DROP_FORCED);
    atomic_fetch_add(h->done, 1);
    return NULL;
}

static void test_handoff_resets_the_wait(void **state)
{
    (void)state;
    const uint64_t interval = 200 * 1000 * 1000;
    gs_gil *gil = new_gil(interval, true);
    _Atomic int done = 0;
    worker a;
    holder_until_asked h[2];
    worker_init(&a, gil, 0);
    gs_gil_take(gil, &a.client);
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        worker_init(&h[i].w, gil, (uint32_t)i + 1);
        h[i].done = &done;
        assert_int_equal(pthread_create(&t[i], NULL, hold_main, &h[i]), 0);
    }
    if (!wait_for_queue(gil, 2)) { /* both wait from here on */
        gs_gil_drop(gil, &a.client, GS_DROP_VOLUNTARY);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        fail_msg("the two waiters did not queue within 5 s");
    }
    struct timespec half = {0, (long)(interval / 2)};
    nanosleep(&half, NULL);
    gs_gil_drop(gil, &a.client, GS_DROP_VOLUNTARY);
    /* A stays away until X has the lock, so that the hand-off happens at
     * interval/2 whatever the OS does; then A keeps coming back as a
     * waiter, so that X, and Y after it, get asked in time. */
    while (atomic_load(&gil->last_holder_id) == a.client.id) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    while (atomic_load(&done) < 2) {
        gs_gil_take(gil, &a.client);
        gs_gil_drop(gil, &a.client, GS_DROP_VOLUNTARY);
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        assert_true(h[i].asked_ns != 0);
        uint64_t held = h[i].asked_ns - h[i].got_ns;
        if (held < interval - interval / 10)
            fail_msg("holder %d was asked to drop after %.1f ms of a %.0f ms interval", i + 1, held / 1e6,
                     interval / 1e6);
        worker_free(&h[i].w);
    }
    worker_free(&a);
    gs_gil_destroy(gil);
}

/* ---- forced switching ------------------------------------------------------ */

typedef struct {
    worker w;
    _Atomic uint32_t *log;      /* holder ids, appended under the lock */
    _Atomic uint32_t *nlog;
    uint32_t *forced_at;        /* log positions of this worker's forced drops */
    uint32_t nforced;
    _Atomic bool *stop;
} switcher;

enum { LOG_MAX = 100000, FORCED_MAX = 10000 };

static void append(switcher *s)
{
    uint32_t i = atomic_load(s->nlog);
    if (i < LOG_MAX) {
        atomic_store(&s->log[i], s->w.client.id);
        atomic_store(s->nlog, i + 1);
    }
}

static void *switcher_main(void *arg)
{
    switcher *s = arg;
    gs_gil_take(s->w.gil, &s->w.client);
    append(s);
    while (!atomic_load(s->stop)) {
        if (gs_vm_breaker(s->w.vm) & GS_BREAK_DROP) {
            if (s->nforced < FORCED_MAX)
                s->forced_at[s->nforced++] = atomic_load(s->nlog);
            gs_gil_drop(s->w.gil, &s->w.client, GS_DROP_FORCED);
            gs_gil_take(s->w.gil, &s->w.client);
            append(s);
        }
    }
    gs_gil_drop(s->w.gil, &s->w.client, GS_DROP_VOLUNTARY);
    return NULL;
}

static void test_forced_switching_hands_over(void **state)
{
    (void)state;
    gs_gil *gil = new_gil(200 * 1000, true); /* 200 us */
    _Atomic uint32_t *log = calloc(LOG_MAX, sizeof *log);
    _Atomic uint32_t nlog = 0;
    _Atomic bool stop = false;
    switcher s[2];
    pthread_t t[2];
    for (uint32_t i = 0; i < 2; i++) {
        s[i] = (switcher){.log = log, .nlog = &nlog, .stop = &stop};
        worker_init(&s[i].w, gil, i);
        s[i].forced_at = calloc(FORCED_MAX, sizeof *s[i].forced_at);
        assert_int_equal(pthread_create(&t[i], NULL, switcher_main, &s[i]), 0);
    }
    /* until 40 acquisitions (each after the first follows a forced drop),
     * however slowly this machine schedules them */
    struct timespec pause = {0, 10 * 1000 * 1000};
    for (int waited = 0; atomic_load(&nlog) < 40 && waited < 6000; waited++)
        nanosleep(&pause, NULL);
    atomic_store(&stop, true);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    uint32_t n = atomic_load(&nlog), checked = 0;
    for (uint32_t i = 0; i < 2; i++) {
        for (uint32_t k = 0; k < s[i].nforced; k++) {
            uint32_t pos = s[i].forced_at[k];
            if (pos < n) { /* the next acquisition after a forced drop */
                assert_int_not_equal(atomic_load(&log[pos]), i);
                checked++;
            }
        }
        free(s[i].forced_at);
        worker_free(&s[i].w);
    }
    assert_true(checked >= 10);
    free(log);
    gs_gil_destroy(gil);
}

/* ---- fifo: arrival order ------------------------------------------------ */

typedef struct {
    worker w;
    uint32_t *order;       /* where it writes its id once granted */
    _Atomic uint32_t *next; /* the next slot of order */
} queued_worker;

static void *take_and_note(void *arg)
{
    queued_worker *q = arg;
    gs_gil_take(q->w.gil, &q->w.client);
    q->order[atomic_fetch_add(q->next, 1)] = q->w.client.id;
    gs_gil_drop(q->w.gil, &q->w.client, GS_DROP_VOLUNTARY);
    return NULL;
}

/* Threads that arrive while the lock is held get it in the order they
 * came, whatever order the OS would wake them in; the releaser cannot take
 * it back first. */
static void test_fifo_grants_in_arrival_order(void **state)
{
    (void)state;
    enum { N = 6 };
    gs_gil *gil = new_policy(GS_GIL_FIFO, 10 * 1000 * 1000, false);
    worker holder;
    worker_init(&holder, gil, 100);
    gs_gil_take(gil, &holder.client);
    queued_worker q[N];
    pthread_t t[N];
    uint32_t order[N + 1];
    _Atomic uint32_t next = 0;
    static const uint32_t arrival[N] = {4, 1, 5, 0, 3, 2}; /* ids, in the order they arrive */
    for (uint32_t i = 0; i < N; i++) {
        worker_init(&q[i].w, gil, arrival[i]);
        q[i].order = order;
        q[i].next = &next;
        assert_int_equal(pthread_create(&t[i], NULL, take_and_note, &q[i]), 0);
        if (!wait_for_queue(gil, i + 1)) {
            gs_gil_drop(gil, &holder.client, GS_DROP_VOLUNTARY); /* let the others through before failing */
            for (uint32_t k = 0; k <= i; k++)
                pthread_join(t[k], NULL);
            fail_msg("thread %u did not queue within 5 s (%u queued)", i, (unsigned)atomic_load(&gil->queued));
        }
    }
    gs_gil_drop(gil, &holder.client, GS_DROP_VOLUNTARY);
    gs_gil_take(gil, &holder.client); /* the releaser queues behind them */
    order[atomic_fetch_add(&next, 1)] = 100;
    gs_gil_drop(gil, &holder.client, GS_DROP_VOLUNTARY);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(order[i], arrival[i]);
    assert_int_equal(order[N], 100);
    for (uint32_t i = 0; i < N; i++) {
        assert_true(q[i].w.stats.queue_max == i); /* it found i others waiting */
        worker_free(&q[i].w);
    }
    worker_free(&holder);
    gs_gil_destroy(gil);
}

/* The head of a fifo queue asks a holder that keeps the lock past its slice
 * to drop it, once per turn. */
static void test_fifo_head_asks_after_a_slice(void **state)
{
    (void)state;
    gs_gil *gil = new_policy(GS_GIL_FIFO, 2 * 1000 * 1000, false);
    worker holder, waiter;
    worker_init(&holder, gil, 0);
    worker_init(&waiter, gil, 1);
    uint64_t t0 = gs_now_ns(); /* the holder's turn begins after this */
    gs_gil_take(gil, &holder.client);
    queued_worker q = {.w = waiter};
    uint32_t order[1];
    _Atomic uint32_t next = 0;
    q.order = order;
    q.next = &next;
    q.w.client.stats = &q.w.stats;
    q.w.client.rec = &q.w.rec;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, take_and_note, &q), 0);
    while (!(gs_vm_breaker(holder.vm) & GS_BREAK_DROP) && gs_now_ns() - t0 < 5000000000u) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    /* the waiter is joined before any check can end the test */
    bool asked = gs_vm_breaker(holder.vm) & GS_BREAK_DROP;
    uint64_t asked_after = gs_now_ns() - t0;
    gs_gil_drop(gil, &holder.client, asked ? GS_DROP_FORCED : GS_DROP_VOLUNTARY);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(asked);
    assert_true(asked_after >= 2 * 1000 * 1000); /* not before the slice was over */
    assert_int_equal(q.w.stats.drop_requests, 1);
    assert_int_equal(gs_vm_breaker(holder.vm) & GS_BREAK_DROP, 0); /* cleared by the drop */
    worker_free(&holder);
    worker_free(&q.w);
    gs_gil_destroy(gil);
}

/* ---- stress with a watchdog ---------------------------------------------- */

/* 16 threads hand the lock around (with random I/O) until 10,000 hand-offs
 * have happened, three times over.  A watchdog fails the test, printing
 * every thread's state, if that takes more than a minute: a lost wake-up
 * shows as a report instead of a hang. */
enum { WD_THREADS = 16, WD_HANDOFFS = 10000 };
enum { PHASE_START, PHASE_TAKING, PHASE_HOLDING, PHASE_IO, PHASE_DONE };
static const char *const phase_names[] = {"starting", "taking the lock", "holding it", "in I/O", "done"};

typedef struct {
    worker w;
    _Atomic int *inside;
    _Atomic uint64_t *handoffs; /* switches counted over all threads */
    _Atomic int phase;
    _Atomic uint64_t rounds;
    uint64_t violations, seed;
} watched_worker;

static void *watched_main(void *arg)
{
    watched_worker *s = arg;
    uint64_t seen = 0;
    atomic_store(&s->phase, PHASE_TAKING);
    gs_gil_take(s->w.gil, &s->w.client);
    while (atomic_load(s->handoffs) < WD_HANDOFFS) {
        atomic_store(&s->phase, PHASE_HOLDING);
        if (atomic_fetch_add(s->inside, 1) != 0)
            s->violations++;
        for (volatile int spin = 0; spin < 100; spin++)
            ;
        atomic_fetch_sub(s->inside, 1);
        atomic_fetch_add(&s->rounds, 1);
        atomic_fetch_add(s->handoffs, s->w.stats.switches_in - seen);
        seen = s->w.stats.switches_in;
        bool io = next_random(&s->seed) % 8 == 0;
        if (io || (gs_vm_breaker(s->w.vm) & GS_BREAK_DROP)) {
            gs_gil_drop(s->w.gil, &s->w.client, io ? GS_DROP_VOLUNTARY : GS_DROP_FORCED);
            if (io) {
                atomic_store(&s->phase, PHASE_IO);
                struct timespec ts = {0, (long)(next_random(&s->seed) % 50000)};
                nanosleep(&ts, NULL);
            }
            atomic_store(&s->phase, PHASE_TAKING);
            gs_gil_take(s->w.gil, &s->w.client);
        }
    }
    gs_gil_drop(s->w.gil, &s->w.client, GS_DROP_VOLUNTARY);
    atomic_store(&s->phase, PHASE_DONE);
    return NULL;
}

typedef struct {
    watched_worker *s;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool finished; /* guarded by mutex */
} watchdog;

static void *watchdog_main(void *arg)
{
    watchdog *wd = arg;
    struct timespec deadline = gs_timespec_after(60ull * 1000000000u);
    GS_PTHREAD(pthread_mutex_lock(&wd->mutex));
    int rc = 0;
    while (!wd->finished && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&wd->cond, &wd->mutex, &deadline);
    bool stuck = !wd->finished;
    GS_PTHREAD(pthread_mutex_unlock(&wd->mutex));
    if (stuck) {
        fprintf(stderr, "watchdog: no progress after 60 s; hand-offs so far: %llu\n",
                (unsigned long long)atomic_load(wd->s[0].handoffs));
        for (uint32_t i = 0; i < WD_THREADS; i++)
            fprintf(stderr, "  thread %2u: %s, %llu rounds\n", i, phase_names[atomic_load(&wd->s[i].phase)],
                    (unsigned long long)atomic_load(&wd->s[i].rounds));
        abort(); /* fail here rather than hang until ctest's timeout */
    }
    return NULL;
}

static void test_stress_with_watchdog(void **state)
{
    (void)state;
    for (int repeat = 0; repeat < 3; repeat++) {
        gs_gil *gil = new_gil(20 * 1000, true);
        _Atomic int inside = 0;
        _Atomic uint64_t handoffs = 0;
        watched_worker *s = calloc(WD_THREADS, sizeof *s);
        assert_non_null(s);
        watchdog wd = {.s = s};
        GS_PTHREAD(pthread_mutex_init(&wd.mutex, NULL));
        gs_cond_init_monotonic(&wd.cond);
        pthread_t dog, t[WD_THREADS];
        assert_int_equal(pthread_create(&dog, NULL, watchdog_main, &wd), 0);
        for (uint32_t i = 0; i < WD_THREADS; i++) {
            worker_init(&s[i].w, gil, i);
            s[i].inside = &inside;
            s[i].handoffs = &handoffs;
            s[i].seed = 0x2545f4914f6cdd1du * (i + 1 + 100 * (uint64_t)repeat);
            assert_int_equal(pthread_create(&t[i], NULL, watched_main, &s[i]), 0);
        }
        for (uint32_t i = 0; i < WD_THREADS; i++)
            assert_int_equal(pthread_join(t[i], NULL), 0);
        GS_PTHREAD(pthread_mutex_lock(&wd.mutex));
        wd.finished = true;
        GS_PTHREAD(pthread_cond_signal(&wd.cond));
        GS_PTHREAD(pthread_mutex_unlock(&wd.mutex));
        assert_int_equal(pthread_join(dog, NULL), 0);
        assert_true(atomic_load(&handoffs) >= WD_HANDOFFS);
        for (uint32_t i = 0; i < WD_THREADS; i++) {
            assert_int_equal(s[i].violations, 0);
            const gs_lock_stats *st = &s[i].w.stats;
            assert_int_equal(st->acquisitions, st->forced_drops + st->voluntary_drops);
            worker_free(&s[i].w);
        }
        GS_PTHREAD(pthread_cond_destroy(&wd.cond));
        GS_PTHREAD(pthread_mutex_destroy(&wd.mutex));
        free(s);
        gs_gil_destroy(gil);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutual_exclusion_stress),
        cmocka_unit_test(test_stress_with_watchdog),
        cmocka_unit_test(test_fifo_grants_in_arrival_order),
        cmocka_unit_test(test_fifo_head_asks_after_a_slice),
        cmocka_unit_test(test_waiter_sets_request_after_interval),
        cmocka_unit_test(test_holder_sees_request_at_back_edge),
        cmocka_unit_test(test_handoff_resets_the_wait),
        cmocka_unit_test(test_forced_switching_hands_over),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
