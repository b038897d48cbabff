/* calibrate.c - measuring this machine for the model (calibrate.h).
 *
 * The hand-offs and the slice use the real machine (real.c), the very
 * mutexes and condition variables the locks use, with the two threads
 * pinned: to two CPUs for a wake-up, to one for a context switch.  The
 * instruction cost and the process costs come from gilsim's own runners,
 * so they include whatever those do. */
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../../workloads/workload.h"
#include "../../calibrate.h"
#include "clock.h"
#include "io.h"
#include "real.h"
#include "../machine.h"
#include "../../run.h"

/* Each cost: BATCHES batches, most costs' estimate the least of them
 * (estimate() and calibrate.h say which are not, and why); a hand-off
 * batch is HANDOFFS of them, a file batch FILE_READS reads. */
enum { BATCHES = 21, HANDOFFS = 1000, FILE_READS = 1000, SLICE_SPIN_MS = 300 };
/* A wake-up after a long idle: IDLE_HANDOFFS hand-offs a batch, each after
 * IDLE_PAUSE_NS of the woken thread's core idle: longer than the model's
 * --idle-poll default (100 us) and KVM's guest halt-poll (200 us), so the
 * core has left its polling for a real sleep. */
enum { IDLE_HANDOFFS = 60 };
/* Cold caches: COLD_SAMPLES a batch, each after POLLUTE_BYTES of other
 * memory, more than a core's own caches hold. */
enum { COLD_SAMPLES = 63, POLLUTE_BYTES = 4 << 20 };
/* Quicker than any system call: a signal that woke nobody. */
#define NO_SLEEPER_NS 100u
#define IDLE_PAUSE_NS 500000u


static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t median(uint64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
    return n ? v[n / 2] : 0;
}

/* Which of a cost's batches, in order, make its estimate. */
typedef enum { LEAST, LOWER_QUARTILE, MIDDLE_HALF } batch_rank;

/* A cost's n batch figures (ns): their spread, kept in c, and the
 * estimate: the least batch, the lower quartile's, or the mean of the
 * middle half (the interquartile mean).  A signal, the quick wake-up and
 * the cold caches take the middle half: some batches find the other
 * thread not yet asleep (a signal to nobody, a wake-up from a core still
 * polling), a different and cheaper event that the least would pick, and
 * the quick wake-up's batches fall in two groups on the development VM
 * (14.6 us and 17 to 18 us, as the host runs the two virtual CPUs), where
 * a median batch jumps from one group to the other between runs (ten runs
 * within 18%) and the middle half's mean moves with their shares.  The
 * wake-up after an idle and the cache line take the lower quartile: the
 * host moves the two virtual CPUs, so that a run's batches see another
 * placement now and then, farther (wake-ups of 30 to 45 us for a few
 * batches where most read 20 to 22; a cache line's 170 ns where most read
 * 40) or nearer (31 ns); ten runs' middle halves of the wake-up moved by
 * 48%, their lower quartiles by 2% (21 batches, 2026-12-06), and the
 * cache line's least batches by 18%, its middle ones once by 4x
 * (2026-12-05, seventh session). */
static uint64_t estimate(gs_calibration *c, gs_cal_measure k, uint64_t *fig, int n, batch_rank rank)
{
    qsort(fig, (size_t)n, sizeof *fig, by_value);
    c->spread[k] = (gs_cal_spread){(double)fig[0], (double)fig[n - 1], n};
    if (rank != MIDDLE_HALF)
        return fig[rank == LEAST ? 0 : n / 4];
    uint64_t sum = 0;
    int from = n / 4, to = n - n / 4; /* 21 batches: the 6th to the 16th */
    for (int i = from; i < to; i++)
        sum += fig[i];
    return (sum + (uint64_t)(to - from) / 2) / (uint64_t)(to - from);
}

static uint64_t least(gs_calibration *c, gs_cal_measure k, uint64_t *fig, int n)
{
    return estimate(c, k, fig, n, LEAST);
}

/* The i-th CPU the process may use, or -1. */
static int allowed_cpu(int i)
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
static int line_batch(int cpu0, int cpu1, uint64_t *line_ns)
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
static int handoff_batch(int cpu0, int cpu1, int rounds, uint64_t pause_ns, uint64_t *handoff_ns,
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
    *handoff_ns = median(h->round_ns, (size_t)rounds) / 2;
    /* A signal that found player 1 not yet asleep made no system call
     * (glibc's condition variable wakes nobody it need not): tens of
     * nanoseconds, a different event from the one measured.  One run in
     * ten here caught mostly those and read 0.7 us against 7 to 9.  (On
     * one core the switch is the hand-off less every signal, as it was.) */
    size_t slept = 0;
    for (int i = 0; i < rounds; i++)
        if (h->signal_ns[i] >= NO_SLEEPER_NS || cpu0 == cpu1)
            h->signal_ns[slept++] = h->signal_ns[i];
    *signal_ns = slept ? median(h->signal_ns, slept) : median(h->signal_ns, (size_t)rounds);
    for (int i = 0; i < rounds && wake_ns; i++) /* in round i player 1 woke to player 0's signal */
        h->round_ns[i] = h->woke[i] > h->called[i] ? h->woke[i] - h->called[i] : 0;
    if (wake_ns)
        *wake_ns = median(h->round_ns, (size_t)rounds);
    h->os->ops->cond_free(h->os, h->cond);
    h->os->ops->mutex_free(h->os, h->mutex);
    free(h);
    return 0;
}

/* The median over runs of CALLS futex calls of one kind on a word nobody
 * waits on. */
static uint64_t futex_batch(int op, int val)
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
    return median(per, RUNS);
}

/* How late a 1 ms timed wait ends, past its deadline, and the waiting
 * thread's own CPU time for it (the call to sleep, the timer's wake-up,
 * the way back): a batch is the median of TIMERS of each. */
static void timer_batch(uint64_t *late_ns, uint64_t *cpu_ns)
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
    *late_ns = median(late, TIMERS);
    *cpu_ns = median(cpu, TIMERS);
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
static int thread_batch(uint64_t *ns)
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
    *ns = median(took, STARTS);
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

/* The slice: the mean of the two spinners' median slices (the kernel's
 * own figure, which interference moves either way), their spread kept. */
static bool measure_slice(gs_calibration *c, int cpu)
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
        uint64_t first = median(slices, n0);
        size_t n1 = gs_cal_slices(&b, &a, slices);
        uint64_t each[2] = {first, median(slices, n1)};
        ok = n0 >= 3 && n1 >= 3;
        least(c, GS_CAL_SLICE, each, 2);
        c->model.slice_ns = (each[0] + each[1]) / 2;
    }
    free(slices);
    free(s);
    return ok;
}

/* ---- the interpreter and the runners ---- */

static int run_real(gs_mode mode, uint32_t workers, const gs_workload *wl, uint64_t work, gs_run_result *r,
                    char err[GS_ERRMSG_MAX])
{
    gs_run_config cfg = {.mode = mode, .workers = workers, .workload = wl, .work = work,
                         .gil = {.policy = GS_GIL_CPYTHON, .interval_ns = GS_INTERVAL_DEFAULT_NS,
                                 .force_switching = true}};
    if (gs_run(&cfg, r) != 0 || r->failed) {
        snprintf(err, GS_ERRMSG_MAX, "a calibration run failed: %.200s",
                 r->failed ? r->workers[0].rare->error : r->error);
        gs_run_result_free(r);
        return -1;
    }
    return 0;
}

/* One batch: picoseconds an instruction, in CPU time, of a lone thread. */
static int interpreter_batch(const gs_workload *wl, uint64_t *ps, char err[GS_ERRMSG_MAX])
{
    gs_run_result r;
    if (run_real(GS_MODE_THREADS, 1, wl, 1000, &r, err) != 0)
        return -1;
    *ps = r.workers[0].cpu_ns * 1000 / (r.workers[0].instructions ? r.workers[0].instructions : 1);
    gs_run_result_free(&r);
    return 0;
}

/* One batch: what a user lock's acquire or release costs beyond its own
 * instruction (calibrate.h), from a lone thread's race run with the lock
 * (race[1]) and without (race[0]). */
static int lock_batch(const gs_workload race[2], uint64_t *op_ns, char err[GS_ERRMSG_MAX])
{
    enum { UNITS = 64 };
    gs_run_result r[2];
    for (int k = 0; k < 2; k++)
        if (run_real(GS_MODE_THREADS, 1, &race[k], UNITS, &r[k], err) != 0) {
            if (k)
                gs_run_result_free(&r[0]);
            return -1;
        }
    const gs_worker_result *plain = &r[0].workers[0], *locked = &r[1].workers[0];
    double pace = plain->instructions ? (double)plain->cpu_ns / (double)plain->instructions : 0;
    double extra = (double)locked->cpu_ns - pace * (double)locked->instructions;
    double ops = 2.0 * UNITS * (double)race[1].unit_size;
    *op_ns = extra > 0 ? (uint64_t)(extra / ops + 0.5) : 0;
    gs_run_result_free(&r[0]);
    gs_run_result_free(&r[1]);
    return 0;
}

/* One batch: the median over COLD_SAMPLES of how much longer a little
 * work takes right after its caches were refilled with other memory
 * (POLLUTE_BYTES, more than a core's own caches hold) than the same work
 * again at once (calibrate.h).  The work builds, runs and frees an
 * interpreter, as a woken worker touches its own. */
static int cold_batch(const gs_workload *little, volatile unsigned char *other, uint64_t *cold_ns,
                      char err[GS_ERRMSG_MAX])
{
    uint64_t extra[COLD_SAMPLES];
    int64_t sum;
    for (int i = 0; i < COLD_SAMPLES; i++) {
        for (size_t b = 0; b < POLLUTE_BYTES; b += 64) /* what other threads do to the caches meanwhile */
            other[b]++;
        uint64_t t0 = gs_now_ns();
        if (gs_workload_sequential(little, 0, 1, &sum, err) != 0)
            return -1;
        uint64_t t1 = gs_now_ns();
        if (gs_workload_sequential(little, 0, 1, &sum, err) != 0)
            return -1;
        uint64_t cold = t1 - t0, warm = gs_now_ns() - t1;
        extra[i] = cold > warm ? cold - warm : 0;
    }
    *cold_ns = median(extra, COLD_SAMPLES);
    return 0;
}

/* One batch: the processes runner with CHILDREN children, its start and
 * its collection per child. */
static int processes_batch(const gs_workload *wl, uint64_t *fork_ns, uint64_t *collect_ns,
                           char err[GS_ERRMSG_MAX])
{
    enum { CHILDREN = 8 };
    gs_run_result r;
    if (run_real(GS_MODE_PROCESSES, CHILDREN, wl, CHILDREN, &r, err) != 0)
        return -1;
    *fork_ns = r.spawn_ns / CHILDREN;
    *collect_ns = r.collect_ns / CHILDREN;
    gs_run_result_free(&r);
    return 0;
}

/* One batch: the median of FILE_READS reads of the run's file (t: room
 * for them). */
static int file_batch(gs_io *io, uint64_t *t, uint64_t *read_ns, char err[GS_ERRMSG_MAX])
{
    for (int i = 0; i < FILE_READS; i++) {
        int64_t result;
        uint64_t t0 = gs_now_ns();
        if (gs_io_perform(io, 0, GS_IO_FILE, i, &result, err) != 0)
            return -1;
        t[i] = gs_now_ns() - t0;
    }
    *read_ns = median(t, FILE_READS);
    return 0;
}

static int measure_all(gs_calibration *c, void (*progress)(const char *step, void *arg), void *arg,
                       char err[GS_ERRMSG_MAX]);

int gs_calibrate(gs_calibration *c, void (*progress)(const char *step, void *arg), void *arg,
                 char err[GS_ERRMSG_MAX])
{
    *c = (gs_calibration){.model = GS_SIM_MODEL_DEFAULT};
    c->model.cores = gs_cpus_allowed();
    gs_os *os = gs_os_real();
    int64_t others0 = 0;
    uint64_t error = 0, t0 = gs_now_ns();
    c->others_known = os->ops->others_cpu_ns(os, &others0, &error);
    int rc = measure_all(c, progress, arg, err);
    int64_t others1 = 0;
    c->others_known = c->others_known && os->ops->others_cpu_ns(os, &others1, &error);
    double others = (double)(others1 - others0) - 2.0 * (double)error, wall = (double)(gs_now_ns() - t0);
    if (c->others_known && others > 0 && wall > 0)
        c->others_share = others / (wall * c->model.cores);
    return rc;
}

/* One round: a batch of every cost but the slice, kept at index b of fig
 * (and the raw hand-offs in hand[0] on one core, hand[1] on two).  Returns
 * 0, or -1 with err. */
typedef struct {
    int cpu0, cpu1;               /* cpu1 -1: one CPU to use */
    const gs_workload *countdown;
    gs_workload race[2];          /* the race without a user lock and with one */
    gs_workload little;           /* countdown, 100 steps a unit (400 instructions): a
                                     copy of countdown's, sharing its program */
    unsigned char *other;         /* POLLUTE_BYTES of other memory */
    gs_io *file;
    uint64_t *reads;              /* room for FILE_READS times */
    uint64_t fig[GS_CAL_COUNT][BATCHES];
    uint64_t one_core_signal[BATCHES], hand[2][BATCHES];
} rounds;

static int round_of(rounds *r, int b, char err[GS_ERRMSG_MAX])
{
    uint64_t unused[2];
    if (interpreter_batch(r->countdown, &r->fig[GS_CAL_INSTRUCTION][b], err) != 0)
        return -1;
    if (handoff_batch(r->cpu0, r->cpu0, HANDOFFS, 0, &r->hand[0][b], &r->one_core_signal[b], NULL) != 0)
        goto no_thread;
    /* On one core the hand-off is a signal and a switch: each batch's
     * hand-off less its signals. */
    r->fig[GS_CAL_SWITCH][b] = r->hand[0][b] > r->one_core_signal[b] ? r->hand[0][b] - r->one_core_signal[b] : 0;
    if (r->cpu1 >= 0 &&
        (handoff_batch(r->cpu0, r->cpu1, HANDOFFS, 0, &r->hand[1][b], &r->fig[GS_CAL_SIGNAL][b],
                       &r->fig[GS_CAL_WAKE_FAST][b]) != 0 ||
         handoff_batch(r->cpu0, r->cpu1, IDLE_HANDOFFS, IDLE_PAUSE_NS, &unused[0], &unused[1],
                       &r->fig[GS_CAL_WAKE][b]) != 0 ||
         line_batch(r->cpu0, r->cpu1, &r->fig[GS_CAL_LINE][b]) != 0))
        goto no_thread;
    if (cold_batch(&r->little, r->other, &r->fig[GS_CAL_COLD][b], err) != 0)
        return -1;
    /* A futex wait that returns at once, the word having changed (as going
     * to sleep costs when a wake-up came first), and a wake that finds
     * nobody (sim.h, wake_none_ns). */
    r->fig[GS_CAL_SYSCALL][b] = futex_batch(FUTEX_WAIT_PRIVATE, 1);
    r->fig[GS_CAL_WAKE_NONE][b] = futex_batch(FUTEX_WAKE_PRIVATE, 1);
    timer_batch(&r->fig[GS_CAL_TIMER][b], &r->fig[GS_CAL_TIMER_CPU][b]);
    if (thread_batch(&r->fig[GS_CAL_THREAD][b]) != 0)
        goto no_thread;
    if (file_batch(r->file, r->reads, &r->fig[GS_CAL_FILE_IO][b], err) != 0 ||
        lock_batch(r->race, &r->fig[GS_CAL_LOCK][b], err) != 0)
        return -1;
    return processes_batch(r->countdown, &r->fig[GS_CAL_FORK][b], &r->fig[GS_CAL_COLLECT][b], err);
no_thread:
    snprintf(err, GS_ERRMSG_MAX, "cannot start a thread to measure this machine with");
    return -1;
}

/* The estimates from the rounds' batches (calibrate.h says which and why). */
static void estimate_all(gs_calibration *c, rounds *r)
{
    gs_sim_model *m = &c->model;
    m->instruction_ns = (double)least(c, GS_CAL_INSTRUCTION, r->fig[GS_CAL_INSTRUCTION], BATCHES) / 1000.0;
    c->spread[GS_CAL_INSTRUCTION].lo /= 1000.0; /* picoseconds measured, nanoseconds shown */
    c->spread[GS_CAL_INSTRUCTION].hi /= 1000.0;
    /* A batch whose signals took as long as its hand-offs (the signalled
     * thread ran inside the call) measured no switch: left out. */
    int switched = 0;
    for (int b = 0; b < BATCHES; b++)
        if (r->fig[GS_CAL_SWITCH][b] > 0)
            r->fig[GS_CAL_SWITCH][switched++] = r->fig[GS_CAL_SWITCH][b];
    m->switch_ns = least(c, GS_CAL_SWITCH, r->fig[GS_CAL_SWITCH], switched ? switched : BATCHES);
    c->handoff_one_ns = median(r->hand[0], BATCHES);
    if (c->wake_measured) {
        m->signal_ns = estimate(c, GS_CAL_SIGNAL, r->fig[GS_CAL_SIGNAL], BATCHES, MIDDLE_HALF);
        m->wake_fast_ns = estimate(c, GS_CAL_WAKE_FAST, r->fig[GS_CAL_WAKE_FAST], BATCHES, MIDDLE_HALF);
        m->wake_ns = estimate(c, GS_CAL_WAKE, r->fig[GS_CAL_WAKE], BATCHES, LOWER_QUARTILE);
        m->line_ns = estimate(c, GS_CAL_LINE, r->fig[GS_CAL_LINE], BATCHES, LOWER_QUARTILE);
        c->handoff_two_ns = median(r->hand[1], BATCHES);
    } else { /* one CPU: a signal to a thread on the same core */
        m->signal_ns = estimate(c, GS_CAL_SIGNAL, r->one_core_signal, BATCHES, MIDDLE_HALF);
    }
    m->cold_ns = estimate(c, GS_CAL_COLD, r->fig[GS_CAL_COLD], BATCHES, MIDDLE_HALF);
    m->syscall_ns = least(c, GS_CAL_SYSCALL, r->fig[GS_CAL_SYSCALL], BATCHES);
    m->wake_none_ns = least(c, GS_CAL_WAKE_NONE, r->fig[GS_CAL_WAKE_NONE], BATCHES);
    m->timer_ns = least(c, GS_CAL_TIMER, r->fig[GS_CAL_TIMER], BATCHES);
    for (int b = 0; b < BATCHES; b++) { /* the model charges the call to sleep apart (syscall_ns) */
        uint64_t *cpu = &r->fig[GS_CAL_TIMER_CPU][b];
        *cpu = *cpu > m->syscall_ns ? *cpu - m->syscall_ns : 0;
    }
    m->timer_cpu_ns = least(c, GS_CAL_TIMER_CPU, r->fig[GS_CAL_TIMER_CPU], BATCHES);
    m->thread_start_ns = estimate(c, GS_CAL_THREAD, r->fig[GS_CAL_THREAD], BATCHES, MIDDLE_HALF);
    m->file_io_ns = least(c, GS_CAL_FILE_IO, r->fig[GS_CAL_FILE_IO], BATCHES);
    m->fork_ns = least(c, GS_CAL_FORK, r->fig[GS_CAL_FORK], BATCHES);
    m->collect_ns = least(c, GS_CAL_COLLECT, r->fig[GS_CAL_COLLECT], BATCHES);
    m->lock_op_ns = estimate(c, GS_CAL_LOCK, r->fig[GS_CAL_LOCK], BATCHES, MIDDLE_HALF);
}

/* Every measurement: BATCHES rounds of a batch of each cost, so that a
 * disturbance of a few hundred milliseconds (the host's other guests, a
 * frequency step) falls on one batch of each cost, which the estimate
 * leaves out, not on all of one cost's; then the slice.  Returns 0, or -1
 * with err. */
static int measure_all(gs_calibration *c, void (*progress)(const char *step, void *arg), void *arg,
                       char err[GS_ERRMSG_MAX])
{
    rounds r = {.cpu0 = allowed_cpu(0), .cpu1 = allowed_cpu(1)};
    if (r.cpu0 < 0) {
        snprintf(err, GS_ERRMSG_MAX, "cannot read which CPUs gilsim may use");
        return -1;
    }
    c->wake_measured = c->line_measured = r.cpu1 >= 0;
    gs_workload wl;
    if (gs_workload_load(&wl, &(gs_workload_spec){.kind = GS_WL_COUNTDOWN}, err) != 0)
        return -1;
    r.countdown = &wl;
    r.little = wl;
    r.little.unit_size = 100;
    for (int k = 0; k < 2; k++)
        if (gs_workload_load(&r.race[k], &(gs_workload_spec){.kind = GS_WL_RACE, .race = k ? GS_RACE_LOCK : GS_RACE_CALL},
                             err) != 0) {
            if (k)
                gs_workload_free(&r.race[0]);
            gs_workload_free(&wl);
            return -1;
        }
    r.file = gs_io_open(1u << GS_IO_FILE, 1, 0, err);
    r.reads = malloc(FILE_READS * sizeof *r.reads);
    r.other = calloc(1, POLLUTE_BYTES);
    int rc = r.file && r.reads && r.other ? 0 : -1;
    if (r.file && (!r.reads || !r.other))
        snprintf(err, GS_ERRMSG_MAX, "out of memory");
    for (int b = 0; b < BATCHES && rc == 0; b++) {
        char step[64];
        snprintf(step, sizeof step, "every cost, round %d of %d", b + 1, BATCHES);
        if (progress)
            progress(step, arg);
        rc = round_of(&r, b, err);
    }
    if (rc == 0) {
        estimate_all(c, &r);
        if (progress)
            progress("the time slice", arg);
        c->slice_measured = measure_slice(c, r.cpu0);
        if (!c->slice_measured)
            c->model.slice_ns = GS_SIM_MODEL_DEFAULT.slice_ns;
    }
    free(r.reads);
    free(r.other);
    gs_io_close(r.file);
    gs_workload_free(&wl);
    gs_workload_free(&r.race[0]);
    gs_workload_free(&r.race[1]);
    return rc;
}
