/* calibrate.c - measuring this machine for the model (calibrate.h):
 * rounds of a batch of every cost, and each cost's estimate from its
 * batches.  The kernel's own costs (hand-offs, wake-ups, futexes, timers,
 * thread starts, the slice, a cache line) are calibrate_os.c's, through
 * the real machine (real.c), the very mutexes and condition variables the
 * locks use.  The instruction cost, a user lock's, the cold caches' and
 * the process costs come from gilsim's own runners and interpreter, here,
 * so they include whatever those do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/futex.h>

#include "../../../workloads/workload.h"
#include "../../calibrate.h"
#include "calibrate_os.h"
#include "clock.h"
#include "io.h"
#include "real.h"
#include "../machine.h"
#include "../../run.h"

/* Each cost: BATCHES batches, most costs' estimate the least of them
 * (estimate() and calibrate.h say which are not, and why); a hand-off
 * batch is HANDOFFS of them, a file batch FILE_READS reads. */
enum { BATCHES = 21, FILE_READS = 1000 };
/* A wake-up after a long idle: IDLE_HANDOFFS hand-offs a batch, each after
 * IDLE_PAUSE_NS of the woken thread's core idle: longer than the model's
 * --idle-poll default (100 us) and KVM's guest halt-poll (200 us), so the
 * core has left its polling for a real sleep. */
enum { IDLE_HANDOFFS = 60 };
/* Cold caches: COLD_SAMPLES a batch, each after a sleep of IDLE_PAUSE_NS
 * and POLLUTE_BYTES of other memory, more than a core's own caches hold. */
enum { COLD_SAMPLES = 63, POLLUTE_BYTES = 4 << 20 };
#define IDLE_PAUSE_NS 500000u


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
    cal_sort(fig, (size_t)n);
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

/* The slice: the mean of the two spinners' median slices (the kernel's
 * own figure, which interference moves either way), their spread kept. */
static bool measure_slice(gs_calibration *c, int cpu)
{
    uint64_t each[2];
    if (!cal_slice_batch(cpu, each))
        return false;
    least(c, GS_CAL_SLICE, each, 2);
    c->model.slice_ns = (each[0] + each[1]) / 2;
    return true;
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
 * work takes right after a sleep past --idle-poll and other memory through
 * the caches (POLLUTE_BYTES, more than a core's own caches hold) than the
 * same work again at once (calibrate.h).  The work builds, runs and frees
 * an interpreter, as a woken worker touches its own.  Both halves count
 * on the development VM (2026-12-07, a Zen 4 host, five runs each): the
 * other memory alone 0.22 to 0.27 us, the sleep alone 0.34 to 0.40, both
 * 0.74 to 0.98.  Real gilsim's 256 I/O-bound threads there, each sleeping
 * 1 ms while others run, hold the lock 0.9 to 1.5 us at the median for
 * 0.17 us of work, a lone I/O-bound thread 0.42 to 0.75: a halted core
 * comes back through the hypervisor, whose other work leaves its caches,
 * TLB and branch predictors to be refilled. */
static int cold_batch(const gs_workload *little, volatile unsigned char *other, uint64_t *cold_ns,
                      char err[GS_ERRMSG_MAX])
{
    uint64_t extra[COLD_SAMPLES];
    int64_t sum;
    for (int i = 0; i < COLD_SAMPLES; i++) {
        struct timespec pause = {0, IDLE_PAUSE_NS};
        nanosleep(&pause, NULL);
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
    *cold_ns = cal_median(extra, COLD_SAMPLES);
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
    *read_ns = cal_median(t, FILE_READS);
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
    if (cal_handoff_batch(r->cpu0, r->cpu0, HANDOFFS, 0, &r->hand[0][b], &r->one_core_signal[b], NULL) != 0)
        goto no_thread;
    /* On one core the hand-off is a signal and a switch: each batch's
     * hand-off less its signals. */
    r->fig[GS_CAL_SWITCH][b] = r->hand[0][b] > r->one_core_signal[b] ? r->hand[0][b] - r->one_core_signal[b] : 0;
    if (r->cpu1 >= 0 &&
        (cal_handoff_batch(r->cpu0, r->cpu1, HANDOFFS, 0, &r->hand[1][b], &r->fig[GS_CAL_SIGNAL][b],
                       &r->fig[GS_CAL_WAKE_FAST][b]) != 0 ||
         cal_handoff_batch(r->cpu0, r->cpu1, IDLE_HANDOFFS, IDLE_PAUSE_NS, &unused[0], &unused[1],
                       &r->fig[GS_CAL_WAKE][b]) != 0 ||
         cal_line_batch(r->cpu0, r->cpu1, &r->fig[GS_CAL_LINE][b]) != 0))
        goto no_thread;
    if (cold_batch(&r->little, r->other, &r->fig[GS_CAL_COLD][b], err) != 0)
        return -1;
    /* A futex wait that returns at once, the word having changed (as going
     * to sleep costs when a wake-up came first), and a wake that finds
     * nobody (sim.h, wake_none_ns). */
    r->fig[GS_CAL_SYSCALL][b] = cal_futex_batch(FUTEX_WAIT_PRIVATE, 1);
    r->fig[GS_CAL_WAKE_NONE][b] = cal_futex_batch(FUTEX_WAKE_PRIVATE, 1);
    cal_timer_batch(&r->fig[GS_CAL_TIMER][b], &r->fig[GS_CAL_TIMER_CPU][b]);
    if (cal_thread_batch(&r->fig[GS_CAL_THREAD][b]) != 0)
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
    c->handoff_one_ns = cal_median(r->hand[0], BATCHES);
    if (c->wake_measured) {
        m->signal_ns = estimate(c, GS_CAL_SIGNAL, r->fig[GS_CAL_SIGNAL], BATCHES, MIDDLE_HALF);
        m->wake_fast_ns = estimate(c, GS_CAL_WAKE_FAST, r->fig[GS_CAL_WAKE_FAST], BATCHES, MIDDLE_HALF);
        m->wake_ns = estimate(c, GS_CAL_WAKE, r->fig[GS_CAL_WAKE], BATCHES, LOWER_QUARTILE);
        m->line_ns = estimate(c, GS_CAL_LINE, r->fig[GS_CAL_LINE], BATCHES, LOWER_QUARTILE);
        c->handoff_two_ns = cal_median(r->hand[1], BATCHES);
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
    rounds r = {.cpu0 = cal_allowed_cpu(0), .cpu1 = cal_allowed_cpu(1)};
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
