/* conclusions.c - what each demonstration's figures mean (see
 * conclusions.h).
 *
 * Every comparison is made on a figure as the table prints it: shown()
 * rounds a ratio or a rate exactly as printf does, and ns_trend() compares
 * two durations as gs_fmt_ns() prints them.  So a sentence never says
 * "fewer" beside two numbers that read the same. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/report.h"
#include "conclusions.h"

/* One point of the conclusion: "- " and the text, wrapped. */
static void point(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void point(FILE *out, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    gs_wrap(out, "- ", text);
}

/* x as printed with decimals places. */
static double shown(double x, int decimals)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, x);
    return strtod(buf, NULL);
}

/* Whether b reads more (1), the same (0) or less (-1) than a, as
 * gs_fmt_ns() prints them. */
static int ns_trend(uint64_t a, uint64_t b)
{
    char x[32], y[32];
    if (strcmp(gs_fmt_ns((double)a, x), gs_fmt_ns((double)b, y)) == 0)
        return 0;
    return b > a ? 1 : -1;
}

static long usable(long cores, uint32_t workers)
{
    return cores < (long)workers ? cores : (long)workers;
}

void gs_conclude_threads_vs_processes(FILE *out, const gs_tvp_figures *f)
{
    double t = shown(f->thread_speedup, 2), p = shown(f->process_speedup, 2);
    if (t < 1.3)
        point(out, "%u threads were %.2fx as fast as 1: the lock let one thread run at a time, so the "
                   "extra threads only took turns (the lock was held %.0f%% of the time).",
              f->threads, t, 100 * f->held_fraction);
    else
        point(out, "%u threads were %.2fx as fast as 1, more than a lock that runs one thread at a "
                   "time should allow: look at the lock figures with gilsim --threads %u.",
              f->threads, t, f->threads);
    if (p >= 0.7 * (double)usable(f->cores, f->processes))
        point(out, "%u processes were %.2fx as fast as 1: each has its own interpreter and lock, so "
                   "they ran in parallel, as far as %ld cores allow.",
              f->processes, p, f->cores);
    else if (f->process_spawn_s > 0.2 * f->process_wall_s) {
        char a[32], b[32];
        point(out, "%u processes were only %.2fx as fast as 1 on %ld cores: starting them took %s of "
                   "the run's %s. With more work each, the start would matter less.",
              f->processes, p, f->cores, gs_fmt_ns(f->process_spawn_s * 1e9, a),
              gs_fmt_ns(f->process_wall_s * 1e9, b));
    } else {
        point(out, "%u processes were only %.2fx as fast as 1 on %ld cores: something else was using "
                   "the cores (see gilsim --processes %u).",
              f->processes, p, f->cores, f->processes);
    }
}

void gs_conclude_io_bound(FILE *out, const gs_io_figures *f)
{
    double s = shown(f->speedup, 2);
    if (s >= 0.6 * f->threads)
        point(out, "%u threads were %.2fx as fast as 1, on %ld cores: the threads spend their time "
                   "blocked in I/O, and a blocked thread gives the lock back, so the others run. "
                   "The lock was held only %.1f%% of the time.",
              f->threads, s, f->cores, 100 * f->held_fraction);
    else
        point(out, "%u threads were only %.2fx as fast as 1, less than I/O-bound threads usually "
                   "reach; the lock was held %.1f%% of the time.",
              f->threads, s, 100 * f->held_fraction);
}

void gs_conclude_free_threading(FILE *out, const gs_ft_figures *f)
{
    long ideal = usable(f->cores, f->workers);
    double gil = shown(f->gil, 2), ft = shown(f->ft, 2), procs = shown(f->processes, 2);
    double interp = shown(f->interpreters, 2);
    if (ft >= 0.6 * (double)ideal && ft > gil)
        point(out, "On independent work %u free-threaded threads were %.2fx as fast as one default-build "
                   "thread, where %u threads under the GIL were %.2fx: with no global lock they ran at once, "
                   "as %u processes (%.2fx) and %u interpreters (%.2fx) did.",
              f->workers, ft, f->workers, gil, f->workers, procs, f->workers, interp);
    else
        point(out, "On independent work %u free-threaded threads were only %.2fx as fast as one "
                   "default-build thread on %ld cores: the cores were busy with something else, or the "
                   "runs were too short to tell.", f->workers, ft, f->cores);
    double peak = shown(f->shared_peak, 2), last = shown(f->shared_last, 2);
    double shared_interp = shown(f->shared_interpreters, 2);
    if (ft < 0.6 * (double)ideal)
        point(out, "Adding to one shared variable every 32 steps, free-threaded threads reached %.2fx with %u; as "
                   "independent work did not scale on this run either, that says nothing of the variable.",
              last, f->workers);
    else if (f->shared_peak_workers < f->workers && last < 0.9 * peak)
        point(out, "Adding to one shared variable every 32 steps, free-threaded threads were fastest with %u "
                   "(%.2fx) and slower with more: %.2fx with %u. Each addition takes the variable's own lock "
                   "and brings its cache line from the core that used it last; the more threads, the more "
                   "often they meet there. Interpreters share no objects: %u ran %.2fx.",
              f->shared_peak_workers, peak, last, f->workers, f->workers, shared_interp);
    else if (last < 0.6 * ft)
        point(out, "Adding to one shared variable every 32 steps, free-threaded threads reached only %.2fx with "
                   "%u (on independent work %.2fx): each addition takes the variable's own lock and brings its "
                   "cache line from the core that used it last. Interpreters share no objects: %u ran %.2fx.",
              last, f->workers, ft, f->workers, shared_interp);
    else
        point(out, "Adding to one shared variable every 32 steps, free-threaded threads still reached %.2fx "
                   "with %u: on %ld cores they seldom met at it.", last, f->workers, f->cores);
    if (f->virtual_time)
        point(out, "One free-threaded thread ran %.2fx (3.13t) and %.2fx (3.14t) as fast as one thread of the "
                   "default build: without the GIL every bytecode pays for atomic reference counts and "
                   "objects' own locks, and 3.13t ran without the specialising interpreter.",
              shown(f->one_313, 2), shown(f->one_314, 2));
    double lost_ft = shown(f->lost_ft, 1), lost_gil = shown(f->lost_gil, 1);
    if (lost_ft > 0 && lost_gil == 0)
        point(out, "And without the GIL counter += 1 lost %.1f%% of its updates (under the GIL none): it is a "
                   "read and a write, and free-threaded threads run them at the same time. Shared state still "
                   "needs a threading.Lock.", lost_ft);
    else if (lost_ft > 0)
        point(out, "counter += 1 lost %.1f%% of its updates without the GIL and %.1f%% under it: a read and a "
                   "write are not one step either way. Shared state needs a threading.Lock.", lost_ft, lost_gil);
    else
        point(out, "counter += 1 lost no update without the GIL on this run (%u threads), which is luck, not a "
                   "guarantee: it is a read and a write.", f->workers);
}

/* A row whose window held no whole operation has no rate to explain:
 * says so and returns true, else returns false. */
static bool no_rate(FILE *out, const gs_convoy_row *row)
{
    if (row->ops > 0)
        return false;
    char w[32];
    point(out, "Beside %u CPU thread%s the I/O thread finished no operation in the %s in which %s ran, so "
               "this run gives no rate for it there (a longer run would).", row->cpu_threads,
          row->cpu_threads == 1 ? "" : "s", gs_fmt_ns((double)row->window_ns, w),
          row->cpu_threads == 1 ? "it" : "they all");
    return true;
}

void gs_conclude_convoy(FILE *out, const gs_convoy_figures *f)
{
    char a[32];
    uint32_t n = f->nrows;
    double alone = shown(f->rows[0].io_per_s, 0), one = shown(f->rows[1].io_per_s, 0);
    double last = shown(f->rows[n - 1].io_per_s, 0);
    /* the answer first: what one CPU thread did to the I/O thread */
    if (f->rows[1].ops == 0)
        no_rate(out, &f->rows[1]);
    else if (one < alone / 2)
        point(out, "Beside one CPU-bound thread the I/O thread did %.0f operations a second, %.0fx fewer "
                   "than alone (%.0f, each waiting 1 ms). Each time its I/O ends it needs the lock back, the "
                   "CPU thread holds it, and it waits for the switch interval (5 ms) to pass before it may "
                   "ask: about one operation per interval, the convoy effect. The I/O latency p50 (%s) shows "
                   "the wait.", one, alone / (one > 0 ? one : 1), alone, gs_fmt_ns((double)f->rows[1].io_p50_ns, a));
    else
        point(out, "Beside one CPU-bound thread the I/O thread still did %.0f operations a second (alone: "
                   "%.0f, each waiting 1 ms): the convoy effect did not show on this run (expected: about "
                   "200 a second, one per 5 ms interval).", one, alone);
    if (n <= 2)
        return;
    uint32_t k = f->rows[n - 1].cpu_threads, rose = 0; /* the first row above the one before it */
    for (uint32_t i = 2; i < n && !rose; i++)
        if (shown(f->rows[i].io_per_s, 0) > shown(f->rows[i - 1].io_per_s, 0))
            rose = i;
    if (f->rows[1].ops == 0 || no_rate(out, &f->rows[n - 1]))
        return;
    if (last < one && !rose)
        point(out, "Beside %u CPU threads it did %.0f a second, fewer than beside one: when it asks "
                   "for the lock, the holder lets go, but another CPU thread may take it first, so "
                   "the more CPU threads, the more turns it waits through.", k, last);
    else if (last < one)
        point(out, "Beside %u CPU threads it did %.0f a second, fewer than beside one, though not "
                   "steadily (%.0f beside %u, %.0f beside %u): another CPU thread may take the lock "
                   "before it, or may not.", k, last, shown(f->rows[rose - 1].io_per_s, 0),
              f->rows[rose - 1].cpu_threads, shown(f->rows[rose].io_per_s, 0), f->rows[rose].cpu_threads);
    else if (last == one)
        point(out, "Beside %u CPU threads it did %.0f a second, as many as beside one: it waited one "
                   "turn per operation, however many threads took turns.", k, last);
    else
        point(out, "Beside %u CPU threads it did %.0f a second, more than beside one (%.0f) on this "
                   "run: the extra CPU threads did not make it wait longer.", k, last, one);
    /* Why, measured: who took the lock when a holder let go on request. */
    const gs_convoy_row *r = &f->rows[n - 1];
    if (r->io_took + r->cpu_took > 0)
        point(out, "Who got the lock each time a holder let go on request, %" PRIu64 " times on that run: a "
                   "CPU thread %" PRIu64 " times, the I/O thread %" PRIu64 "; the waiter that had asked for it, "
                   "awake since its interval ran out, %" PRIu64 " times.", r->forced, r->cpu_took, r->io_took,
              r->to_asker);
}

void gs_conclude_switch_interval(FILE *out, const gs_interval_figures *f)
{
    char a[32], b[32], c[32], d[32];
    uint32_t n = f->nrows;
    double slower = shown(f->rows[0].wall_s / f->rows[n - 1].wall_s, 2);
    gs_fmt_ns((double)f->rows[0].interval_ns, a);
    gs_fmt_ns((double)f->rows[n - 1].interval_ns, b);
    point(out, "With a %s interval the CPU threads switched %.0f times a second and took %.2fx as "
               "long as with %s: %s.", a, f->rows[0].switches_per_s, slower, b,
          slower > 1.05 ? "every hand-off costs time that does no work"
                        : "on this machine the hand-offs were too cheap to see");
    int trend = ns_trend(f->rows[0].io_p50_ns, f->rows[n - 1].io_p50_ns);
    gs_fmt_ns((double)f->rows[0].io_p50_ns, c);
    gs_fmt_ns((double)f->rows[n - 1].io_p50_ns, d);
    const gs_interval_row *none = !f->rows[0].io_ops ? &f->rows[0] : !f->rows[n - 1].io_ops ? &f->rows[n - 1] : NULL;
    if (none)
        point(out, "At the %s interval the I/O thread finished no operation while the CPU thread ran, so this "
                   "run shows no latency to compare there.", none == f->rows ? a : b);
    else if (trend > 0)
        point(out, "The I/O thread's latency went from %s (interval %s) to %s (interval %s): a long "
                   "interval makes a thread back from I/O wait long for the lock.", c, a, d, b);
    else
        point(out, "The I/O thread's latency was %s with a %s interval and %s with %s: it did not "
                   "grow with the interval on this run.", c, a, d, b);
    point(out, "The default, 5 ms, is CPython's trade between the two.");
}

void gs_conclude_legacy_battle(FILE *out, const gs_legacy_figures *f)
{
    char a[32], b[32];
    int many = -1, one = -1; /* the rows of two or more cores and of one */
    for (uint32_t i = 0; i < f->nrows; i++) {
        if (f->cores[i] >= 2 && many < 0)
            many = (int)i;
        if (f->cores[i] == 1)
            one = (int)i;
    }
    /* the old lock's figure to set CPython's beside: on two cores or more,
     * else on the one */
    double battle = many >= 0 ? shown(f->legacy_two_s[many] / f->legacy_one_s, 2)
                    : one >= 0 ? shown(f->legacy_two_s[one] / f->legacy_one_s, 2) : 0;
    double modern = shown(f->cpython_wall_s[1] / f->cpython_wall_s[0], 2);
    double alone = shown(f->legacy_one_s / f->cpython_wall_s[0], 2);
    if (many < 0)
        point(out, "Only one core here (%.2fx as long as one thread under the old lock): the battle needs two.",
              battle);
    else if (battle > 1.2)
        point(out, "Under the old lock, two threads on %u cores doing the same work as one took %.2fx as "
                   "long. The holder let go every tick (%" PRIu64 " times) and took the lock straight back; "
                   "the waiter, woken on the other core, found it taken %" PRIu64
                   " times: the GIL battle Python 2 fought on multicore machines.",
              f->cores[many], battle, f->tick_drops, f->futile_wakeups);
    else
        point(out, "Under the old lock, two threads on %u cores took %.2fx as long as one: the battle did "
                   "not show on this run (%" PRIu64 " futile wake-ups). It needs two cores that are free, "
                   "and waking a thread must cost about as much as a tick.",
              f->cores[many], battle, f->futile_wakeups);
    if (f->ticks_alone > 0) {
        double extra = f->legacy_one_s - f->cpython_wall_s[0];
        gs_fmt_ns(f->legacy_one_s * 1e9 / (double)f->ticks_alone, a);
        gs_fmt_ns(extra > 0 ? extra * 1e9 / (double)f->ticks_alone : 0, b);
        char cost[96];
        if (alone > 1.1)
            snprintf(cost, sizeof cost, "its releases and re-takes cost more than Python 2's ever did");
        else if (extra > 0)
            snprintf(cost, sizeof cost, "each release and re-take cost it about %s", b);
        else
            snprintf(cost, sizeof cost, "its releases and re-takes cost nothing visible");
        point(out, "One tick is %" PRIu64 " instructions (--check-interval): here one came every %s; "
                   "Python 2.7's came every 100 of its ticks, 0.4 to 0.7 us of a countdown on the development "
                   "VM, as long as 1,000 to 1,300 instructions there. Alone, a thread under the old lock took "
                   "%.2fx as long as under CPython's: %s.",
              f->check_interval, a, alone, cost);
    }
    if (one >= 0 && many >= 0) {
        double single = shown(f->legacy_two_s[one] / f->legacy_one_s, 2);
        if (single < 1.2 && single < battle)
            point(out, "On one core they took %.2fx as long, about as long as one thread: the woken waiter "
                       "cannot run until the holder's time slice ends, so there is little to fight over.",
                  single);
        else if (single < battle)
            point(out, "On one core they took %.2fx as long, less than on %u cores: the waiter, woken on the "
                       "holder's own core, often preempts it, finds the lock taken and sleeps again, two "
                       "context switches for nothing.",
                  single, f->cores[many]);
        else
            point(out, "On one core they took %.2fx as long, no less than on %u cores on this run.", single,
                  f->cores[many]);
    }
    for (uint32_t i = (uint32_t)(many < 0 ? f->nrows : (uint32_t)many + 1); i < f->nrows; i++) {
        double more = shown(f->legacy_two_s[i] / f->legacy_one_s, 2);
        point(out, "On %u cores, %.2fx: %s", f->cores[i], more,
              more >= battle * 0.9 ? "more cores do not end the battle; two threads fight on any two of them."
                                   : "less than on fewer cores on this run.");
    }
    const char *compared = modern < battle && many >= 0
                               ? "less than under the old lock: a waiter asks for the lock and the holder really "
                                 "hands it over, so there is no battle"
                           : modern < battle  ? "less than under the old lock on one core"
                           : modern == battle ? "the same as under the old lock on this run"
                                              : "more than under the old lock on this run";
    point(out, "Under CPython's lock since 3.2 they took %.2fx as long, %s.", modern, compared);
}

void gs_conclude_async(FILE *out, const gs_async_figures *f)
{
    char a[32], b[32], c[32];
    double speedup = shown(f->wall_s[0] / f->wall_s[1], 2);
    point(out, "8 I/O-bound tasks were %.2fx as fast as 1, on one thread: %s.", speedup,
          speedup > 4 ? "while one task waits for its timer, the loop runs the others"
                      : "less overlap than expected on this run");
    gs_fmt_ns((double)f->lag_p99_ns[1], a);
    gs_fmt_ns((double)f->lag_p99_ns[0], b);
    if (f->lag_p99_ns[1] > 4 * f->lag_p99_ns[0] && f->lag_p99_ns[1] > 1000000)
        point(out, "Beside a task that computed for %s without pausing, the sleeping task's timers "
                   "fired up to %s late instead of %s: the loop cannot run a callback while a task "
                   "computes, so one CPU-bound task stalls every other task.",
              gs_fmt_ns((double)f->computed_ns, c), a, b);
    else
        point(out, "Beside a task that computes, the timers fired up to %s late (alone: %s); the "
                   "stall did not show clearly on this run.", a, b);
}

/* A row's lost updates as the table prints them, in percent. */
static double lost_pct(const gs_race_row *r)
{
    return shown(r->expected ? 100.0 * (double)r->lost / (double)r->expected : 0, 1);
}

void gs_conclude_race(FILE *out, const gs_race_figures *f)
{
    const gs_race_row *r = f->rows;
    /* the answer first: the lock does not make a read and a write one step */
    double fast = lost_pct(&r[GS_RACE_CALL_1US]), slow = lost_pct(&r[GS_RACE_CALL_5MS]);
    point(out, "With a call between the read and the write, the lock can change hands at the call, and the "
               "other thread's updates since the read are overwritten: %.1f%% lost at a 1 us switch interval, "
               "%.1f%% at 5 ms%s.",
          fast, slow, fast > slow ? ", more where the lock changes hands more often"
                      : fast == slow ? ", as many at both" : ", fewer at the shorter interval on this run");
    if (r[GS_RACE_INPLACE_CPYTHON].lost == 0)
        point(out, "counter += 1 lost no update under CPython's lock: between its read and its write there is "
                   "no call and no loop back-edge, the only places where the lock changes hands.");
    else
        point(out, "counter += 1 lost %" PRId64 " updates under CPython's lock, which should switch only at calls "
                   "and back-edges: look at this run with --trace.", r[GS_RACE_INPLACE_CPYTHON].lost);
    if (r[GS_RACE_INPLACE_LEGACY].lost > 0)
        point(out, "Under Python 2's lock the same += lost %" PRId64 " (%.1f%%): it let go every 100 ticks, "
                   "wherever they fell, between the read and the write too.",
              r[GS_RACE_INPLACE_LEGACY].lost, lost_pct(&r[GS_RACE_INPLACE_LEGACY]));
    else
        point(out, "Under Python 2's lock the same += lost nothing on this run: the lock changes hands at a "
                   "tick only when the woken waiter beats the holder to it, and here it never did.");
    const gs_race_row *l = &r[GS_RACE_LOCKED];
    double cost = shown(r[GS_RACE_CALL_5MS].wall_s > 0 ? l->wall_s / r[GS_RACE_CALL_5MS].wall_s : 0, 1);
    if (l->lost == 0 && l->waited > 0)
        point(out, "A user lock around the update lost nothing: a thread that found it held (%" PRIu64 " time%s) "
                   "let the interpreter lock go and waited. It took %.1fx as long.", l->waited,
              l->waited == 1 ? "" : "s", cost);
    else if (l->lost == 0)
        point(out, "A user lock around the update lost nothing; this run no thread even found it held (the "
                   "interpreter lock never changed hands inside it). It took %.1fx as long.", cost);
    else
        point(out, "Even under a user lock %" PRId64 " updates were lost: that is a bug in gilsim's user locks.",
              l->lost);
    if (r[GS_RACE_NO_GIL].lost > 0)
        point(out, "With no interpreter lock at all (free threading) %.1f%% were lost: the threads run at the "
                   "same time, and only a user lock would protect the counter.", lost_pct(&r[GS_RACE_NO_GIL]));
    else
        point(out, "With no interpreter lock at all (free threading) no update was lost on this run: the "
                   "threads' reads and writes never fell between each other's%s. Nothing made sure of it; "
                   "only a user lock would.", f->cores < 2 ? " (on one core they take turns at the kernel's "
                   "time slices, which seldom fall between a read and its write)" : "");
}

void gs_conclude_native(FILE *out, const gs_native_figures *f)
{
    double n = shown(f->native_speedup, 2), b = shown(f->bytecode_speedup, 2);
    uint32_t usable = f->cores < (long)f->threads ? (uint32_t)f->cores : f->threads;
    double amdahl = shown(1.0 / ((1 - f->share) + f->share / usable), 2);
    point(out, "%u threads doing native calls were %.2fx as fast as 1 on %ld cores: a native call lets the "
               "interpreter lock go, as hashlib and zlib do, and up to %u were inside one at once. One thread spent "
               "%.0f%% of its time in them; for the rest, bytecode, the threads take turns, so Amdahl's law allows "
               "%.2fx on %u cores%s.",
          f->threads, n, f->cores, f->native_max, 100 * f->share, amdahl, usable,
          n <= amdahl ? "" : f->virtual_time ? " (this run did better: a call's end and the next bytecode overlap, "
                                               "which the share measured on one thread does not count)"
                                             : " (this run did better: real runs vary)");
    point(out, "%u threads of bytecode alone were %.2fx as fast as 1: %s.", f->threads, b,
          b < 1.3 ? "the lock let one run at a time" : "more than one lock should allow; look at --timeline");
}

void gs_conclude_three_ways(FILE *out, const gs_ways_figures *f)
{
    char a[32], b[32], c[32], e[32];
    const double *io = f->speedup[GS_WAYS_IO], *mixed = f->speedup[GS_WAYS_MIXED];
    double t = shown(io[GS_WAYS_THREADS], 2), p = shown(io[GS_WAYS_PROCESSES], 2), k = shown(io[GS_WAYS_ASYNC], 2);
    double half = f->workers / 2.0;
    if (t >= half && p >= half && k >= half)
        point(out, "On I/O-bound work all three overlapped the waits: %u threads were %.2fx as fast as one, %u "
                   "processes %.2fx, %u async tasks %.2fx. A thread or a task waiting for I/O needs neither the "
                   "lock nor a core, and async tasks do it on one thread, with no lock to hand over.",
              f->workers, t, f->workers, p, f->workers, k);
    else
        point(out, "On I/O-bound work %u threads were %.2fx as fast as one, %u processes %.2fx, %u async tasks "
                   "%.2fx: %s did not overlap the waits as well as the others on this run (expected: about %ux "
                   "each).", f->workers, t, f->workers, p, f->workers, k,
              t < half ? "the threads" : p < half ? "the processes" : "the tasks", f->workers);
    /* one computing at a time: no faster than one worker's wall time over
     * its computing, the waits overlapped and the computing not */
    double bt = shown(f->bound[GS_WAYS_THREADS], 2), bk = shown(f->bound[GS_WAYS_ASYNC], 2);
    double mt = shown(mixed[GS_WAYS_THREADS], 2), mp = shown(mixed[GS_WAYS_PROCESSES], 2);
    double mk = shown(mixed[GS_WAYS_ASYNC], 2);
    if (mt <= bt * 1.05 && mk <= bk * 1.05)
        point(out, "On mixed work (%.0f%% computing) threads were %.2fx as fast as one and async tasks %.2fx: "
                   "only one of them computes at a time (threads under the lock, tasks on the loop's one "
                   "thread), so the computing adds up: one worker's wall time over its time computing, %.2fx "
                   "for threads and %.2fx for tasks, is the most that overlapping the waits allows.",
              100 * f->cpu_share, mt, mk, bt, bk);
    else
        point(out, "On mixed work (%.0f%% computing) threads were %.2fx as fast as one and async tasks %.2fx, "
                   "beyond what one computing at a time allows (%.2fx and %.2fx, one worker's wall time over its "
                   "time computing): look at this run with --trace.", 100 * f->cpu_share, mt, mk, bt, bk);
    if (mp > (mt > mk ? mt : mk) * 1.15)
        point(out, "Processes were %.2fx as fast as one on the mixed work: each computes on a core of its own%s.",
              mp, f->cores < (long)f->workers ? ", as far as the cores go round" : "");
    else
        point(out, "Processes were %.2fx as fast as one on the mixed work, no better than threads on this run: "
                   "%s.", mp, f->cores < 2 ? "one core computes for all of them"
                                          : "starting them and sending their data home took what the cores gave");
    if (f->transfer_bytes % 1024 == 0)
        snprintf(c, sizeof c, "%llu KiB", (unsigned long long)(f->transfer_bytes / 1024));
    else
        snprintf(c, sizeof c, "%llu bytes", (unsigned long long)f->transfer_bytes);
    if (f->transfer_bytes && f->process_wall_s[GS_WAYS_IO] > 0 && f->process_wall_s[GS_WAYS_MIXED] > 0) {
        double share = 0;
        for (int w = 0; w < GS_WAYS_WORKLOADS; w++)
            share = f->sending_s[w] / f->process_wall_s[w] > share ? f->sending_s[w] / f->process_wall_s[w] : share;
        char d[32];
        point(out, "Each process also sent its units' data home, %s a unit, as multiprocessing pickles a result "
                   "and pipes it back: %.1f MiB in %s of the I/O-bound run's %s, %.1f MiB in %s of the mixed "
                   "run's %s%s. Threads and tasks share memory and send nothing.", c, f->sent_mib[GS_WAYS_IO],
              gs_fmt_ns(f->sending_s[GS_WAYS_IO] * 1e9, a), gs_fmt_ns(f->process_wall_s[GS_WAYS_IO] * 1e9, b),
              f->sent_mib[GS_WAYS_MIXED], gs_fmt_ns(f->sending_s[GS_WAYS_MIXED] * 1e9, d),
              gs_fmt_ns(f->process_wall_s[GS_WAYS_MIXED] * 1e9, e),
              share > 0.25 ? ": a large part of what the processes gained" : "");
    }
    point(out, "asyncio's answer for computing: asyncio.to_thread hands it to a thread, which still takes its "
               "turn under the lock, as the threads did (%.2fx on the mixed work); loop.run_in_executor with a "
               "ProcessPoolExecutor hands it to processes, which compute at once but pickle their data both "
               "ways, as the processes did (%.2fx).", mt, mp);
}
