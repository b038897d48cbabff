/* calibrate_os.c - what the kernel's own operations cost here, each
 * measured a batch at a time for calibrate.c (calibrate_os.h): a cache
 * line between two cores, hand-offs through the real machine's mutex and
 * condition variable (a signal, a wake-up, a context switch), futex calls
 * that wake or wait for nobody, a timer's lateness and its CPU, a
 * thread's start, and the time slice.  Two threads pinned: to two CPUs
 * for a wake-up or a cache line, to one for a switch or the slice. */
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../calibrate.h"
#include "calibrate_os.h"
#include "clock.h"
#include "real.h"
#include "../machine.h"

/* Quicker than any system call: a signal that woke nobody. */
#define NO_SLEEPER_NS 100u
/* How long the slice's spinners spin. */
enum { SLICE_SPIN_MS = 300 };

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void cal_sort(uint64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
}

uint64_t cal_median(uint64_t *v, size_t n)
{
    cal_sort(v, n);
    return n ? v[n / 2] : 0;
}

/* The i-th CPU the process may use, or -1. */
int cal_allowed_cpu(int i)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set) && i-- == 0)
            return cpu;
    return -1;
}

static void pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* unpinned, figures are only less exact */
}

/* Runs fn(a) on a new thread and fn(b) on the caller, at once; each pins
 * itself, and the caller's CPU mask is put back after.  Returns 0, or -1
 * when no thread could be started. */
static int run_pair(void *(*fn)(void *), void *a, void *b)
{
    cpu_set_t saved;
    if (pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) != 0)
        return -1;
    pthread_t t;
    if (pthread_create(&t, NULL, fn, a) != 0)
        return -1;
    fn(b);
    pthread_join(t, NULL);
    pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
    return 0;
}

/* ---- a cache line between two cores: an atomic ping-pong ---- */

enum { PINGS = 200000 };

typedef struct {
    _Alignas(64) _Atomic uint64_t ball; /* one line, written by each in turn */
    int cpu[2];
    uint64_t ns;                        /* player 0: the whole rally */
} rally;

typedef struct {
    rally *r;
    int me;
} hitter;

/* Each waits (spinning) for the ball to be its parity and hits it back:
 * each hit moves the line to the other core and back, so a round trip
 * is two moves. */
static void *hit(void *arg)
{
    hitter *h = arg;
    rally *r = h->r;
    pin_to(r->cpu[h->me]);
    uint64_t t0 = gs_now_ns();
    for (uint64_t i = (uint64_t)h->me; i < 2 * PINGS; i += 2) {
        while (atomic_load_explicit(&r->ball, memory_order_acquire) != i)
            ;
        atomic_store_explicit(&r->ball, i + 1, memory_order_release);
    }
    if (h->me == 0)
        r->ns = gs_now_ns() - t0;
    return NULL;
}

/* One batch: a move of a cache line between cpu0 and cpu1, from a rally
 * of PINGS round trips, two moves each. */
int cal_line_batch(int cpu0, int cpu1, uint64_t *line_ns)
{
    static rally r;
    r = (rally){.cpu = {cpu0, cpu1}};
    hitter a = {&r, 1}, b = {&r, 0};
    if (run_pair(hit, &a, &b) != 0)
        return -1;
    *line_ns = r.ns / (2 * PINGS);
    return 0;
}

/* ---- hand-offs: two threads pass a turn back and forth ---- */

typedef struct {
    gs_os *os;
    gs_mutex *mutex;
    gs_cond *cond;
    int turn;                     /* guarded by mutex: whose turn, 0 or 1 */
    int cpu[2];
    int rounds;                   /* hand-offs a batch: HANDOFFS at most */
    uint64_t pause_ns;            /* player 0 sleeps this long before each turn it gives */
    uint64_t called[HANDOFFS + 1]; /* player 0 began to signal player 1 */
    uint64_t woke[HANDOFFS + 1];   /* player 1's wait returned */
    uint64_t signal_ns[HANDOFFS];  /* player 0's signals, each to a sleeping player 1 */
    uint64_t round_ns[HANDOFFS];   /* player 0's turn to its next turn */
} handoff;

typedef struct {
    handoff *h;
    int me;
} player;

/* Each player waits for its turn, gives the turn to the other, unlocks
 * and signals: unlocking first, so the woken one never waits for the
 * mutex, and the wake-up is the kernel's alone. */
static void *play(void *arg)
{
    player *p = arg;
    handoff *h = p->h;
    pin_to(h->cpu[p->me]);
    uint64_t last = 0;
    for (int i = 0; i <= h->rounds; i++) {
        if (p->me == 0 && h->pause_ns) { /* player 1's core idles meanwhile */
            struct timespec pause = {0, (long)h->pause_ns};
            nanosleep(&pause, NULL);
        }
        gs_os_lock(h->os, h->mutex);
        while (h->turn != p->me)
            gs_os_wait(h->os, h->cond, h->mutex);
        uint64_t t0 = gs_now_ns();
        if (p->me == 1)
            h->woke[i] = t0;
        else if (i > 0)
            h->round_ns[i - 1] = t0 - last;
        last = t0;
        h->turn = !p->me;
        gs_os_unlock(h->os, h->mutex);
        uint64_t t1 = gs_now_ns();
        if (p->me == 0)
            h->called[i] = t1;
        gs_os_signal(h->os, h->cond);
        if (p->me == 0 && i < h->rounds)
            h->signal_ns[i] = gs_now_ns() - t1;
    }
    return NULL;
}

/* One batch's medians: a hand-off (half a round trip), a signal's own
 * time, and, when wake_ns is not NULL, a wake-up (a signal's call to the
 * signalled thread running); rounds hand-offs, each after pause_ns. */
int cal_handoff_batch(int cpu0, int cpu1, int rounds, uint64_t pause_ns, uint64_t *handoff_ns,
                         uint64_t *signal_ns, uint64_t *wake_ns)
{
    handoff *h = calloc(1, sizeof *h);
    if (!h)
        return -1;
    h->os = gs_os_real();
    h->mutex = gs_os_mutex(h->os);
    h->cond = gs_os_cond(h->os);
    h->cpu[0] = cpu0;
    h->cpu[1] = cpu1;
    h->rounds = rounds;
    h->pause_ns = pause_ns;
    player p[2] = {{h, 0}, {h, 1}};
    if (run_pair(play, &p[0], &p[1]) != 0) {
        free(h);
        return -1;
    }
    *handoff_ns = cal_median(h->round_ns, (size_t)rounds) / 2;
    /* A signal that found player 1 not yet asleep made no system call
     * (glibc's condition variable wakes nobody it need not): tens of
     * nanoseconds, a different event from the one measured.  One run in
     * ten here caught mostly those and read 0.7 us against 7 to 9.  (On
     * one core the switch is the hand-off less every signal, as it was.) */
    size_t slept = 0;
    for (int i = 0; i < rounds; i++)
        if (h->signal_ns[i] >= NO_SLEEPER_NS || cpu0 == cpu1)
            h->signal_ns[slept++] = h->signal_ns[i];
    *signal_ns = slept ? cal_median(h->signal_ns, slept) : cal_median(h->signal_ns, (size_t)rounds);
    for (int i = 0; i < rounds && wake_ns; i++) /* in round i player 1 woke to player 0's signal */
        h->round_ns[i] = h->woke[i] > h->called[i] ? h->woke[i] - h->called[i] : 0;
    if (wake_ns)
        *wake_ns = cal_median(h->round_ns, (size_t)rounds);
    h->os->ops->cond_free(h->os, h->cond);
    h->os->ops->mutex_free(h->os, h->mutex);
    free(h);
    return 0;
}

/* The median over runs of CALLS futex calls of one kind on a word nobody
 * waits on. */
uint64_t cal_futex_batch(int op, int val)
{
    enum { RUNS = 40, CALLS = 50 };
    int word = 0;
    uint64_t per[RUNS];
    for (int r = 0; r < RUNS; r++) {
        uint64_t t0 = gs_now_ns();
        for (int i = 0; i < CALLS; i++)
            syscall(SYS_futex, &word, op, val, NULL, NULL, 0);
        per[r] = (gs_now_ns() - t0) / CALLS;
    }
    return cal_median(per, RUNS);
}

/* How late a 1 ms timed wait ends, past its deadline, and the waiting
 * thread's own CPU time for it (the call to sleep, the timer's wake-up,
 * the way back): a batch is the median of TIMERS of each. */
void cal_timer_batch(uint64_t *late_ns, uint64_t *cpu_ns)
{
    enum { TIMERS = 20, WAIT_NS = 1000000 };
    gs_os *os = gs_os_real();
    gs_mutex *m = gs_os_mutex(os);
    gs_cond *cv = gs_os_cond(os);
    uint64_t late[TIMERS], cpu[TIMERS];
    gs_os_lock(os, m);
    for (int i = 0; i < TIMERS; i++) {
        uint64_t deadline = gs_os_now(os) + WAIT_NS, before = gs_os_thread_cpu(os);
        while (!gs_os_wait_until(os, cv, m, deadline))
            ; /* woken early for nothing: wait on */
        uint64_t t = gs_os_now(os);
        cpu[i] = gs_os_thread_cpu(os) - before;
        late[i] = t > deadline ? t - deadline : 0;
    }
    gs_os_unlock(os, m);
    os->ops->cond_free(os, cv);
    os->ops->mutex_free(os, m);
    *late_ns = cal_median(late, TIMERS);
    *cpu_ns = cal_median(cpu, TIMERS);
}

/* A gate the started threads wait at, as a runner's workers do. */
typedef struct {
    gs_os *os;
    gs_mutex *mutex;
    gs_cond *cond;
    bool open;
} start_gate;

static void *wait_at_gate(void *arg)
{
    start_gate *g = arg;
    gs_os_lock(g->os, g->mutex);
    while (!g->open)
        gs_os_wait(g->os, g->cond, g->mutex);
    gs_os_unlock(g->os, g->mutex);
    return NULL;
}

/* A start's stack: a mebibyte, where a worker asks for 64 KiB, since a
 * mapping costs the same whatever its size (its pages come as they are
 * touched) and ThreadSanitizer wants 900 KiB of a stack it did not make. */
enum { STARTS = 20, GUARD = 4096, STACK_BYTES = 1 << 20 };

/* Starts wait_at_gate(g) in *t on a stack mapped for it in *stack, a
 * guard page below it.  Returns 0, or -1 with nothing left mapped. */
static int start_on_fresh_stack(start_gate *g, pthread_t *t, void **stack)
{
    *stack = mmap(NULL, GUARD + STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (*stack == MAP_FAILED)
        return -1;
    pthread_attr_t attr;
    bool ok = pthread_attr_init(&attr) == 0;
    ok = ok && mprotect(*stack, GUARD, PROT_NONE) == 0 &&
         pthread_attr_setstack(&attr, (char *)*stack + GUARD, STACK_BYTES) == 0 &&
         pthread_create(t, &attr, wait_at_gate, g) == 0;
    pthread_attr_destroy(&attr);
    if (!ok)
        munmap(*stack, GUARD + STACK_BYTES);
    return ok ? 0 : -1;
}

/* Starting threads as the threads runner does: one after another, each
 * waiting at a gate, so that every one needs a stack of its own while the
 * others are alive.  A run's workers start in a fresh process, where
 * glibc maps a stack for each.  Batches that took the stacks glibc kept
 * from the batch before (a joined thread's) measured that reuse instead:
 * 7 to 12 us a start on the development VM, against 18 to 20 for a fresh
 * stack, and their runs' least batch moved by a quarter either way
 * (2026-12-07); threads kept alive to the end of the rounds instead left
 * their stacks mapped through them, and every fork after copied them (207
 * to 274 us, not 154 to 168).  So each start maps its stack here, a guard
 * page below it, as glibc does for a new one (which then puts the TCB and
 * static TLS at its top, as in its own), and the batch unmaps them once
 * its threads are joined: 49 runs' middle halves read 18.6 to 23.0 us, 46
 * of them within 15% of their median.  The creator's time for each start,
 * its stack included; a batch is the median of STARTS.  Returns 0, or -1
 * when no thread could be started. */
int cal_thread_batch(uint64_t *ns)
{
    gs_os *os = gs_os_real();
    start_gate g = {.os = os, .mutex = gs_os_mutex(os), .cond = gs_os_cond(os)};
    pthread_t t[STARTS];
    void *stack[STARTS];
    uint64_t took[STARTS];
    int started = 0;
    for (; started < STARTS; started++) {
        uint64_t t0 = gs_os_now(os);
        if (start_on_fresh_stack(&g, &t[started], &stack[started]) != 0)
            break;
        took[started] = gs_os_now(os) - t0;
    }
    gs_os_lock(os, g.mutex);
    g.open = true;
    gs_os_broadcast(os, g.cond);
    gs_os_unlock(os, g.mutex);
    for (int i = 0; i < started; i++) {
        GS_PTHREAD(pthread_join(t[i], NULL));
        munmap(stack[i], GUARD + STACK_BYTES);
    }
    os->ops->cond_free(os, g.cond);
    os->ops->mutex_free(os, g.mutex);
    if (started < STARTS)
        return -1;
    *ns = cal_median(took, STARTS);
    return 0;
}

/* ---- the time slice: two spinners on one core ---- */

enum { SLICE_RUNS = 4096 };

typedef struct {
    int cpu;
    uint64_t from[SLICE_RUNS], to[SLICE_RUNS]; /* stretches it ran without a gap */
    size_t nruns;
} spinner;

/* Spins, reading the clock: a gap of more than 50 us is a time it did
 * not run, and what it ran between two gaps is one stretch. */
static void *spin(void *arg)
{
    spinner *sp = arg;
    pin_to(sp->cpu);
    uint64_t start = gs_now_ns(), end = start + SLICE_SPIN_MS * 1000000ull;
    uint64_t last = start, run_start = 0;
    for (uint64_t t = start; t < end; t = gs_now_ns()) {
        if (t - last > 50000) {
            if (run_start && sp->nruns < SLICE_RUNS) {
                sp->from[sp->nruns] = run_start;
                sp->to[sp->nruns++] = last;
            }
            run_start = t;
        }
        last = t;
    }
    return NULL;
}

/* Whether o ran at some time in (from, to), its stretches before *at
 * known to end by from: the gaps are asked for in order, so *at only
 * moves on. */
static bool ran_between(const gs_cal_stretches *o, size_t *at, uint64_t from, uint64_t to)
{
    while (*at < o->n && o->to[*at] <= from)
        ++*at;
    return *at < o->n && o->from[*at] < to;
}

/* Cutting at every gap instead, one run in ten on the development VM read
 * a slice of 0.72 ms where the others read 3.98 (2026-12-07). */
size_t gs_cal_slices(const gs_cal_stretches *mine, const gs_cal_stretches *other, uint64_t *slices)
{
    size_t n = 0, at = 0;
    for (size_t k = 0; k < mine->n; k++) {
        uint64_t from = mine->from[k];
        while (k + 1 < mine->n && !ran_between(other, &at, mine->to[k], mine->from[k + 1]))
            k++;
        slices[n++] = mine->to[k] - from;
    }
    return n;
}

/* The two spinners' median slices, each's gaps joined where the other
 * did not run (gs_cal_slices).  Returns false when they could not run, or
 * either saw fewer than 3 slices. */
bool cal_slice_batch(int cpu, uint64_t each[2])
{
    spinner *s = calloc(2, sizeof *s);
    uint64_t *slices = malloc(SLICE_RUNS * sizeof *slices);
    bool ok = s && slices;
    if (ok) {
        s[0].cpu = s[1].cpu = cpu;
        ok = run_pair(spin, &s[0], &s[1]) == 0;
    }
    if (ok) {
        gs_cal_stretches a = {s[0].from, s[0].to, s[0].nruns}, b = {s[1].from, s[1].to, s[1].nruns};
        size_t n0 = gs_cal_slices(&a, &b, slices);
        each[0] = cal_median(slices, n0);
        size_t n1 = gs_cal_slices(&b, &a, slices);
        each[1] = cal_median(slices, n1);
        ok = n0 >= 3 && n1 >= 3;
    }
    free(slices);
    free(s);
    return ok;
}
