/* demo.c - `gilsim demo [NAME]`: classroom demonstrations.
 *
 * Each demonstration says in a few sentences what it will show, runs its
 * experiments on the spot (with a progress bar on a terminal), prints the
 * figures side by side, and ends with what they mean.  The closing words
 * are computed from the figures just measured: where a figure did not show
 * the expected effect the demo says so, with the numbers, rather than
 * printing the textbook claim.  --quick runs every demo small (for tests
 * and impatient classrooms). */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/report.h"
#include "cli.h"
#include "options.h"
#include "progress.h"

typedef struct {
    bool quick;
    const char *plot, *trace;
    gs_host host;
    gs_progress bar, *shown;
    uint32_t done, total;   /* runs, for the progress bar */
} demo_ctx;

typedef struct {
    const char *name;
    const char *about;      /* one line, for the list */
    const char *intro;      /* what it will show */
    bool plots, traces;     /* whether --plot / --trace mean something */
    uint32_t (*runs)(const demo_ctx *); /* how many runs, for progress */
    int (*run)(demo_ctx *);
} demo;

/* ---- saying what it means ---- */

/* Prints text wrapped at 78 columns: the first line after first, the
 * others after as many spaces. */
static void wrap(const char *first, const char *text)
{
    int indent = (int)strlen(first), col = indent;
    fputs(first, stdout);
    for (const char *p = text; *p;) {
        size_t word = strcspn(p, " ");
        if (col > indent && col + 1 + (int)word > 78) {
            printf("\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', stdout);
            col++;
        }
        fwrite(p, 1, word, stdout);
        col += (int)word;
        p += word;
        p += strspn(p, " ");
    }
    fputc('\n', stdout);
}

/* Prints one point of the conclusion: "- " and the text, wrapped. */
static void point(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void point(const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    wrap("- ", text);
}

/* ---- running experiments ---- */

static void advance(uint32_t done, uint32_t total, void *arg)
{
    (void)total;
    demo_ctx *d = arg;
    gs_progress_update(d->done + done, d->total, d->shown);
}

static gs_run_config base_config(gs_mode mode, const gs_workload *wl, uint32_t workers, uint64_t work)
{
    return (gs_run_config){.mode = mode, .workers = workers, .workload = wl, .work = work,
                           .gil = {.policy = GS_GIL_CPYTHON, .interval_ns = GS_INTERVAL_DEFAULT_NS,
                                   .force_switching = true, .check_interval = GS_CHECK_INTERVAL_DEFAULT},
                           .io_latency_ns = 1000000, .event_cap = GS_DEFAULT_EVENTS};
}

/* Runs cfg once (the demos' figures are large effects, not fine ones) and
 * keeps the run in e for the caller to read and free.  Returns 0, or -1
 * after saying why. */
static int measure(demo_ctx *d, const gs_run_config *cfg, gs_experiment *e)
{
    *e = (gs_experiment){.cfg = *cfg, .repeat = 1};
    char err[256];
    int rc = gs_experiment_run(e, err, advance, d);
    d->done += 1;
    if (rc != 0) {
        gs_progress_end(d->shown);
        fprintf(stderr, "gilsim: %s\n", err);
    }
    return rc;
}

static const gs_run_summary *summary(const gs_experiment *e) { return &e->summaries[e->median]; }
static const gs_run_result *result(const gs_experiment *e) { return &e->runs[e->median]; }

static int sweep(demo_ctx *d, gs_sweep *s)
{
    char err[256];
    uint32_t base = d->done;
    int rc = gs_sweep_run(s, err, advance, d);
    d->done = base + gs_sweep_total_runs(s);
    if (rc != 0) {
        gs_progress_end(d->shown);
        fprintf(stderr, "gilsim: %s\n", err);
    }
    return rc;
}

static int load(gs_workload *wl, gs_workload_kind kind)
{
    char err[GS_ERRMSG_MAX];
    gs_workload_spec spec = {.kind = kind, .io_kind = GS_IO_SLEEP, .io_latency_ns = 1000000};
    if (gs_workload_load(wl, &spec, err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return -1;
    }
    return 0;
}

static int write_trace(const demo_ctx *d, const gs_experiment *e)
{
    char err[256];
    if (!d->trace)
        return 0;
    if (gs_report_trace(d->trace, result(e), err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return -1;
    }
    printf("\nThe trace of %u %s is in %s: open it in ui.perfetto.dev.\n", result(e)->nworkers,
           gs_mode_plural[result(e)->cfg.mode], d->trace);
    return 0;
}

static int write_plot(const demo_ctx *d, const gs_sweep *s)
{
    char err[512];
    if (!d->plot)
        return 0;
    if (gs_report_plot(d->plot, GS_PLOT_SPEEDUP, s, &d->host, err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return -1;
    }
    printf("\nThe scaling curves are in %s.\n", d->plot);
    return 0;
}

/* The speedup of the sweep's point for mode at the most workers. */
static const gs_sweep_point *last_point(const gs_sweep *s, gs_mode mode)
{
    const gs_sweep_point *found = NULL;
    for (uint32_t i = 0; i < s->npoints; i++)
        if (s->points[i].mode == mode)
            found = &s->points[i];
    return found;
}

static long usable_cores(const demo_ctx *d, uint32_t workers)
{
    return d->host.cores < (long)workers ? d->host.cores : (long)workers;
}

/* ---- threads-vs-processes, io-bound, free-threading: sweeps ---- */

static uint32_t top_count(const demo_ctx *d) { return d->quick ? 4 : 8; }

static void sweep_setup(const demo_ctx *d, gs_sweep *s, const gs_workload *wl, uint64_t work)
{
    *s = (gs_sweep){.cfg = base_config(GS_MODE_THREADS, wl, 1, work), .nworkloads = 1, .repeat = 1};
    s->cfg.event_cap = 0;
    s->workloads[0] = wl;
    for (uint32_t n = 1; n <= top_count(d); n *= 2)
        s->counts[s->ncounts++] = n;
}

static uint32_t tvp_runs(const demo_ctx *d) { return 2 * (d->quick ? 3 : 4); }

static int tvp_run(demo_ctx *d)
{
    gs_workload wl;
    if (load(&wl, GS_WL_COUNTDOWN) != 0)
        return GS_EXIT_FAILURE;
    gs_sweep s;
    sweep_setup(d, &s, &wl, d->quick ? 500 : 5000);
    s.modes[s.nmodes++] = GS_MODE_THREADS;
    s.modes[s.nmodes++] = GS_MODE_PROCESSES;
    int rc = sweep(d, &s) == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
    if (rc == GS_EXIT_OK) {
        gs_progress_end(d->shown);
        gs_report_sweep_text(stdout, &s, &d->host);
        const gs_sweep_point *t = last_point(&s, GS_MODE_THREADS), *p = last_point(&s, GS_MODE_PROCESSES);
        long cores = usable_cores(d, p->workers);
        printf("\nWhat it means:\n");
        if (t->speedup < 1.3)
            point("%u threads were %.2fx as fast as 1: the lock let one thread run at a time, so the "
                  "extra threads only took turns (the lock was held %.0f%% of the time).",
                  t->workers, t->speedup, 100 * t->median.held_fraction);
        else
            point("%u threads were %.2fx as fast as 1, more than a lock that runs one thread at a "
                  "time should allow: look at the lock figures with gilsim --threads %u.",
                  t->workers, t->speedup, t->workers);
        if (p->speedup >= 0.7 * (double)cores)
            point("%u processes were %.2fx as fast as 1: each has its own interpreter and lock, so "
                  "they ran in parallel, as far as this machine's %ld cores allow.",
                  p->workers, p->speedup, d->host.cores);
        else
            point("%u processes were only %.2fx as fast as 1 on %ld cores: something else was using "
                  "the cores, or forking cost more than the work (see gilsim --processes %u).",
                  p->workers, p->speedup, d->host.cores, p->workers);
        if (write_plot(d, &s) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_sweep_free(&s);
    gs_workload_free(&wl);
    return rc;
}

static uint32_t io_runs(const demo_ctx *d) { return d->quick ? 3 : 4; }

static int io_run(demo_ctx *d)
{
    gs_workload wl;
    if (load(&wl, GS_WL_IO_BOUND) != 0)
        return GS_EXIT_FAILURE;
    gs_sweep s;
    sweep_setup(d, &s, &wl, d->quick ? 40 : 400);
    s.modes[s.nmodes++] = GS_MODE_THREADS;
    int rc = sweep(d, &s) == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
    if (rc == GS_EXIT_OK) {
        gs_progress_end(d->shown);
        gs_report_sweep_text(stdout, &s, &d->host);
        const gs_sweep_point *t = last_point(&s, GS_MODE_THREADS);
        printf("\nWhat it means:\n");
        if (t->speedup >= 0.6 * t->workers)
            point("%u threads were %.2fx as fast as 1, on %ld cores: the threads spend their time "
                  "blocked in I/O, and a blocked thread gives the lock back, so the others run. "
                  "The lock was held only %.1f%% of the time.",
                  t->workers, t->speedup, d->host.cores, 100 * t->median.held_fraction);
        else
            point("%u threads were only %.2fx as fast as 1, less than I/O-bound threads usually "
                  "reach; the lock was held %.1f%% of the time.",
                  t->workers, t->speedup, 100 * t->median.held_fraction);
        if (write_plot(d, &s) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_sweep_free(&s);
    gs_workload_free(&wl);
    return rc;
}

static uint32_t ft_runs(const demo_ctx *d) { return 2 * (d->quick ? 3 : 4); }

static int ft_run(demo_ctx *d)
{
    gs_workload wl;
    if (load(&wl, GS_WL_COUNTDOWN) != 0)
        return GS_EXIT_FAILURE;
    gs_sweep with_lock, without;
    sweep_setup(d, &with_lock, &wl, d->quick ? 500 : 5000);
    with_lock.modes[with_lock.nmodes++] = GS_MODE_THREADS;
    without = with_lock;
    without.cfg.gil.policy = GS_GIL_NONE;
    int rc = sweep(d, &with_lock) == 0 && sweep(d, &without) == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
    if (rc == GS_EXIT_OK) {
        gs_progress_end(d->shown);
        printf("%7s %22s %22s\n", "threads", "cpython lock: speedup", "no lock: speedup");
        for (uint32_t i = 0; i < with_lock.npoints && i < without.npoints; i++)
            printf("%7u %21.2fx %21.2fx\n", with_lock.points[i].workers, with_lock.points[i].speedup,
                   without.points[i].speedup);
        const gs_sweep_point *a = last_point(&with_lock, GS_MODE_THREADS), *b = last_point(&without, GS_MODE_THREADS);
        long cores = usable_cores(d, b->workers);
        printf("\nWhat it means:\n");
        point("With CPython's lock, %u threads were %.2fx as fast as 1.", a->workers, a->speedup);
        if (b->speedup >= 0.7 * (double)cores)
            point("Without a lock they were %.2fx as fast: they ran in parallel, up to the %ld cores. "
                  "That is what free-threaded CPython (3.13t) offers CPU-bound threads.",
                  b->speedup, d->host.cores);
        else
            point("Without a lock they were only %.2fx as fast on %ld cores: the cores were busy "
                  "with something else, or the runs were too short to tell.", b->speedup, d->host.cores);
    }
    gs_sweep_free(&with_lock);
    gs_sweep_free(&without);
    gs_workload_free(&wl);
    return rc;
}

/* ---- convoy and switch-interval: one I/O thread among CPU threads ---- */

/* The CPU threads' work per unit, so that k of them keep the lock busy for
 * about total_ns whatever k is: they take turns, so their work adds up. */
static int64_t cpu_unit_size(uint32_t k, uint64_t units, uint64_t total_ns)
{
    const double ns_per_iteration = 4.0; /* countdown on a 2026 laptop; only the order matters */
    double per_thread = (double)total_ns / (k ? k : 1);
    int64_t size = (int64_t)(per_thread / (double)units / ns_per_iteration);
    return size > 1 ? size : 1;
}

/* One I/O thread beside k CPU threads: the I/O thread's operations per
 * second (over its own lifetime) and its I/O latency. */
typedef struct {
    uint32_t cpu_threads;
    double io_per_s;
    uint64_t io_p50, io_p99;
    double wait_p99;
} convoy_row;

static int convoy_measure(demo_ctx *d, gs_workload *wl, uint32_t k, uint64_t interval_ns, convoy_row *row,
                          gs_experiment *keep)
{
    uint64_t ops = d->quick ? 15 : 40;
    wl->unit_size = cpu_unit_size(k, ops, d->quick ? 300000000u : 1500000000u);
    gs_run_config cfg = base_config(GS_MODE_THREADS, wl, k + 1, ops);
    cfg.weak = true;
    cfg.gil.interval_ns = interval_ns;
    gs_experiment e;
    if (measure(d, &cfg, &e) != 0) {
        gs_experiment_free(&e);
        return -1;
    }
    const gs_worker_result *io = &result(&e)->workers[0];
    double life = (double)(io->end_ns - io->start_ns) / 1e9;
    *row = (convoy_row){.cpu_threads = k, .io_per_s = life > 0 ? (double)io->io_ops / life : 0,
                        .io_p50 = gs_hist_percentile(&io->io_latency, 50),
                        .io_p99 = gs_hist_percentile(&io->io_latency, 99),
                        .wait_p99 = (double)gs_hist_percentile(&io->lock.wait, 99)};
    if (keep)
        *keep = e;
    else
        gs_experiment_free(&e);
    return 0;
}

static uint32_t convoy_runs(const demo_ctx *d) { return d->quick ? 3 : 4; }

static int convoy_run(demo_ctx *d)
{
    gs_workload wl;
    if (load(&wl, GS_WL_CONVOY) != 0)
        return GS_EXIT_FAILURE;
    static const uint32_t ks[] = {0, 1, 2, 4};
    uint32_t n = d->quick ? 3 : 4;
    convoy_row rows[4];
    gs_experiment traced = {0};
    int rc = GS_EXIT_OK;
    for (uint32_t i = 0; i < n && rc == GS_EXIT_OK; i++)
        if (convoy_measure(d, &wl, ks[i], GS_INTERVAL_DEFAULT_NS, &rows[i], ks[i] == 2 ? &traced : NULL) != 0)
            rc = GS_EXIT_FAILURE;
    gs_progress_end(d->shown);
    if (rc == GS_EXIT_OK) {
        char a[32], b[32], c[32];
        printf("%11s %16s %12s %12s %14s\n", "CPU threads", "I/O thread ops/s", "I/O p50", "I/O p99",
               "lock wait p99");
        for (uint32_t i = 0; i < n; i++)
            printf("%11u %16.0f %12s %12s %14s\n", rows[i].cpu_threads, rows[i].io_per_s,
                   gs_fmt_ns((double)rows[i].io_p50, a), gs_fmt_ns((double)rows[i].io_p99, b),
                   gs_fmt_ns(rows[i].wait_p99, c));
        double alone = rows[0].io_per_s, one = rows[1].io_per_s, last = rows[n - 1].io_per_s;
        printf("\nWhat it means:\n");
        point("Alone, the I/O thread did %.0f operations a second (each waits 1 ms).", alone);
        if (one < alone / 2)
            point("Beside one CPU-bound thread it did %.0f a second, %.0fx fewer. Each time its I/O "
                  "ends it needs the lock back, the CPU thread holds it, and it waits for the "
                  "switch interval (5 ms) to pass before it may ask: about one operation per "
                  "interval, the convoy effect. The I/O latency p50 (%s) shows the wait.",
                  one, alone / (one > 0 ? one : 1), gs_fmt_ns((double)rows[1].io_p50, a));
        else
            point("Beside one CPU-bound thread it still did %.0f a second: the convoy effect did not "
                  "show on this run (expected: about 200 a second, one per 5 ms interval).", one);
        if (n > 2)
            point("With %u CPU threads: %.0f a second%s.", rows[n - 1].cpu_threads, last,
                  last <= one * 1.1 ? ": more CPU threads mean more turns to wait through"
                  : " (no worse than with one, on this run)");
        if (write_trace(d, &traced) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_experiment_free(&traced);
    gs_workload_free(&wl);
    return rc;
}

static const uint64_t intervals[] = {100000, 1000000, 5000000, 50000000};

static uint32_t si_runs(const demo_ctx *d) { return 2 * (d->quick ? 2 : 4); }

static int si_run(demo_ctx *d)
{
    gs_workload cpu, convoy;
    if (load(&cpu, GS_WL_COUNTDOWN) != 0)
        return GS_EXIT_FAILURE;
    if (load(&convoy, GS_WL_CONVOY) != 0) {
        gs_workload_free(&cpu);
        return GS_EXIT_FAILURE;
    }
    uint32_t n = d->quick ? 2 : 4;
    const uint64_t *iv = d->quick ? intervals + 1 : intervals;
    double wall[4], switches[4];
    convoy_row rows[4];
    int rc = GS_EXIT_OK;
    for (uint32_t i = 0; i < n && rc == GS_EXIT_OK; i++) {
        gs_run_config cfg = base_config(GS_MODE_THREADS, &cpu, 2, d->quick ? 500 : 5000);
        cfg.gil.interval_ns = iv[i];
        cfg.event_cap = 0;
        gs_experiment e;
        if (measure(d, &cfg, &e) != 0) {
            rc = GS_EXIT_FAILURE;
        } else {
            wall[i] = summary(&e)->wall_s;
            switches[i] = summary(&e)->switches_per_s;
        }
        gs_experiment_free(&e);
        if (rc == GS_EXIT_OK && convoy_measure(d, &convoy, 1, iv[i], &rows[i], NULL) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_progress_end(d->shown);
    if (rc == GS_EXIT_OK) {
        char a[32], b[32], c[32];
        printf("%9s %20s %12s %24s\n", "interval", "2 CPU threads: wall", "switches/s", "I/O thread latency p50");
        for (uint32_t i = 0; i < n; i++)
            printf("%9s %20s %12.0f %24s\n", gs_fmt_ns((double)iv[i], a), gs_fmt_ns(wall[i] * 1e9, b), switches[i],
                   gs_fmt_ns((double)rows[i].io_p50, c));
        printf("\nWhat it means:\n");
        double slower = wall[0] / wall[n - 1];
        point("With a %s interval the CPU threads switched %.0f times a second and took %.2fx as "
              "long as with %s: %s.", gs_fmt_ns((double)iv[0], a), switches[0], slower,
              gs_fmt_ns((double)iv[n - 1], b),
              slower > 1.05 ? "every hand-off costs time that does no work"
              : "on this machine the hand-offs were too cheap to see");
        char e[32];
        point("The I/O thread's latency went from %s (interval %s) to %s (interval %s): "
              "%s.", gs_fmt_ns((double)rows[0].io_p50, a), gs_fmt_ns((double)iv[0], c),
              gs_fmt_ns((double)rows[n - 1].io_p50, b), gs_fmt_ns((double)iv[n - 1], e),
              rows[n - 1].io_p50 > rows[0].io_p50 ? "a long interval makes a thread back from I/O wait long for the lock"
              : "it did not grow with the interval on this run");
        point("The default, 5 ms, trades one against the other.");
    }
    gs_workload_free(&cpu);
    gs_workload_free(&convoy);
    return rc;
}

/* ---- legacy-battle ---- */

static uint32_t lb_runs(const demo_ctx *d) { (void)d; return 4; }

static int lb_run(demo_ctx *d)
{
    gs_workload wl;
    if (load(&wl, GS_WL_COUNTDOWN) != 0)
        return GS_EXIT_FAILURE;
    static const gs_gil_policy policies[] = {GS_GIL_LEGACY, GS_GIL_CPYTHON};
    double wall[2][2];
    uint64_t futile = 0, ticks = 0;
    gs_experiment traced = {0};
    int rc = GS_EXIT_OK;
    for (int p = 0; p < 2 && rc == GS_EXIT_OK; p++) {
        for (uint32_t w = 1; w <= 2 && rc == GS_EXIT_OK; w++) {
            gs_run_config cfg = base_config(GS_MODE_THREADS, &wl, w, d->quick ? 300 : 8000);
            cfg.gil.policy = policies[p];
            gs_experiment e;
            if (measure(d, &cfg, &e) != 0) {
                rc = GS_EXIT_FAILURE;
                gs_experiment_free(&e);
                break;
            }
            wall[p][w - 1] = summary(&e)->wall_s;
            if (p == 0 && w == 2) {
                futile = summary(&e)->lock.futile_wakeups;
                ticks = summary(&e)->lock.tick_drops;
                traced = e;
            } else {
                gs_experiment_free(&e);
            }
        }
    }
    gs_progress_end(d->shown);
    if (rc == GS_EXIT_OK) {
        char a[32], b[32];
        printf("%-8s %12s %12s %18s\n", "lock", "1 thread", "2 threads", "2 threads vs 1");
        for (int p = 0; p < 2; p++)
            printf("%-8s %12s %12s %17.2fx\n", gs_gil_policy_names[policies[p]], gs_fmt_ns(wall[p][0] * 1e9, a),
                   gs_fmt_ns(wall[p][1] * 1e9, b), wall[p][1] / wall[p][0]);
        printf("\nWhat it means:\n");
        double battle = wall[0][1] / wall[0][0], modern = wall[1][1] / wall[1][0];
        if (battle > 1.2)
            point("Under the old lock, two threads doing the same work as one took %.2fx as long. "
                  "The holder let go every 100 instructions (%" PRIu64 " times) and took the lock straight "
                  "back; the waiter, woken on the other core, found it taken %" PRIu64 " times: the GIL "
                  "battle Python 2 fought on multicore machines.", battle, ticks, futile);
        else
            point("Under the old lock, two threads took %.2fx as long as one: the battle did not show "
                  "on this run (%" PRIu64 " futile wake-ups). It needs two cores that are free.",
                  battle, futile);
        point("Under CPython's lock since 3.2 they took %.2fx as long: no faster than one thread, "
              "but %s, because a waiter asks for the lock and the holder really hands it over.",
              modern, modern < battle ? "no battle either" : "no better than the old lock on this run");
        if (write_trace(d, &traced) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_experiment_free(&traced);
    gs_workload_free(&wl);
    return rc;
}

/* ---- async ---- */

static uint32_t async_runs(const demo_ctx *d) { (void)d; return 4; }

static int async_run(demo_ctx *d)
{
    gs_workload io, convoy;
    if (load(&io, GS_WL_IO_BOUND) != 0)
        return GS_EXIT_FAILURE;
    if (load(&convoy, GS_WL_CONVOY) != 0) {
        gs_workload_free(&io);
        return GS_EXIT_FAILURE;
    }
    double wall[2];
    uint64_t lag[2], io_max[2], computed = 0;
    gs_experiment traced = {0};
    int rc = GS_EXIT_OK;
    uint64_t units = d->quick ? 40 : 400;
    for (uint32_t i = 0; i < 2 && rc == GS_EXIT_OK; i++) {
        gs_run_config cfg = base_config(GS_MODE_ASYNC, &io, i ? 8 : 1, units);
        gs_experiment e;
        rc = measure(d, &cfg, &e) == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
        if (rc == GS_EXIT_OK)
            wall[i] = summary(&e)->wall_s;
        gs_experiment_free(&e);
    }
    uint64_t ops = d->quick ? 15 : 40;
    for (uint32_t k = 0; k < 2 && rc == GS_EXIT_OK; k++) {
        convoy.unit_size = cpu_unit_size(1, ops, 10000000u * ops); /* 10 ms of computing per unit, no pause */
        gs_run_config cfg = base_config(GS_MODE_ASYNC, &convoy, 1 + k, ops);
        cfg.weak = true;
        gs_experiment e;
        rc = measure(d, &cfg, &e) == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
        if (rc == GS_EXIT_OK) {
            const gs_worker_result *w = &result(&e)->workers[0];
            lag[k] = gs_hist_percentile(&w->loop_lag, 99);
            io_max[k] = w->io_latency.max;
            if (k == 1)
                computed = result(&e)->workers[1].cpu_ns;
        }
        if (rc == GS_EXIT_OK && k == 1)
            traced = e;
        else
            gs_experiment_free(&e);
    }
    gs_progress_end(d->shown);
    if (rc == GS_EXIT_OK) {
        char a[32], b[32], c[32], x[32];
        printf("%-44s %10s\n", "I/O-bound tasks, the same work in all", "wall");
        printf("%-44s %10s\n", "1 task", gs_fmt_ns(wall[0] * 1e9, a));
        printf("%-44s %10s\n\n", "8 tasks", gs_fmt_ns(wall[1] * 1e9, a));
        printf("%-30s %14s %18s\n", "one task doing 1 ms sleeps", "loop lag p99", "longest sleep");
        printf("%-30s %14s %18s\n", "alone", gs_fmt_ns((double)lag[0], a), gs_fmt_ns((double)io_max[0], b));
        printf("%-30s %14s %18s\n", "beside a task that computes", gs_fmt_ns((double)lag[1], c),
               gs_fmt_ns((double)io_max[1], x));
        double speedup = wall[0] / wall[1];
        printf("\nWhat it means:\n");
        point("8 I/O-bound tasks were %.2fx as fast as 1, on one thread: %s.", speedup,
              speedup > 4 ? "while one task waits for its timer, the loop runs the others"
              : "less overlap than expected on this run");
        if (lag[1] > 4 * lag[0] && lag[1] > 1000000)
            point("Beside a task that computed for %s without pausing, the sleeping task's timers "
                  "fired up to %s late instead of %s: the loop cannot run a callback while a task "
                  "computes, so one CPU-bound task stalls every other task.",
                  gs_fmt_ns((double)computed, c), gs_fmt_ns((double)lag[1], a), gs_fmt_ns((double)lag[0], b));
        else
            point("Beside a task that computes, the timers fired up to %s late (alone: %s); the\n"
                  "  stall did not show clearly on this run.\n",
                  gs_fmt_ns((double)lag[1], a), gs_fmt_ns((double)lag[0], b));
        if (write_trace(d, &traced) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_experiment_free(&traced);
    gs_workload_free(&io);
    gs_workload_free(&convoy);
    return rc;
}

/* ---- the list ---- */

static const demo demos[] = {
    {"threads-vs-processes", "CPU-bound threads versus processes: scaling curves",
     "Eight threads share one lock and take turns; eight processes have a lock each and "
     "run side by side. This runs the same CPU-bound work as 1, 2, 4 and 8 of each and "
     "compares each with one worker.",
     true, false, tvp_runs, tvp_run},
    {"io-bound", "threads scale when the work is I/O",
     "A thread that blocks in I/O gives the lock back. This runs I/O-bound work (a little "
     "computing, then a 1 ms wait, per unit) as 1, 2, 4 and 8 threads.",
     true, false, io_runs, io_run},
    {"convoy", "an I/O thread beside CPU-bound threads: its I/O collapses",
     "One thread does I/O, nothing else; first alone, then beside 1, 2 and 4 CPU-bound "
     "threads. Watch how many I/O operations a second it manages, and how long each one "
     "takes from request to running again.",
     false, true, convoy_runs, convoy_run},
    {"switch-interval", "0.1 to 50 ms: hand-off cost versus I/O latency",
     "The switch interval is how long a waiting thread lets the holder run before asking "
     "for the lock. This runs two CPU-bound threads, then an I/O thread beside a CPU-bound "
     "one, at intervals from 0.1 ms to 50 ms.",
     false, false, si_runs, si_run},
    {"legacy-battle", "Python 2's lock on multicore, then CPython 3.2's",
     "Python 2's lock was released every 100 instructions and taken straight back. This "
     "runs the same CPU-bound work as 1 thread and as 2 threads under that lock, then under "
     "CPython's lock since 3.2.",
     false, true, lb_runs, lb_run},
    {"async", "I/O tasks overlap; one CPU-bound task stalls them all",
     "Async tasks share one thread and one event loop. This runs I/O-bound work as 1 and 8 "
     "tasks, then a task doing 1 ms sleeps alone and beside a task that computes without "
     "pausing, as a coroutine that never awaits does.",
     false, true, async_runs, async_run},
    {"free-threading", "CPU-bound threads with the lock and with no lock",
     "Free-threaded CPython (3.13t) runs threads without a global lock. This runs CPU-bound "
     "work as 1, 2, 4 and 8 threads with the lock and without it.",
     false, false, ft_runs, ft_run},
};
#define NDEMOS (sizeof demos / sizeof demos[0])

static void list_demos(void)
{
    printf("gilsim demo NAME [--quick] [--plot FILE] [--trace FILE]\n\nDemonstrations:\n");
    for (size_t i = 0; i < NDEMOS; i++)
        printf("  %-21s %s\n", demos[i].name, demos[i].about);
    printf("\nEach takes under 30 seconds; --quick runs it small. --plot saves the scaling\n"
           "curves (threads-vs-processes, io-bound); --trace saves a run for ui.perfetto.dev\n"
           "(convoy, legacy-battle, async).\n");
}

static int usage(const char *fmt, const char *arg)
{
    fputs("gilsim: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see gilsim demo)\n", stderr);
    return GS_EXIT_USAGE;
}

int gs_cli_demo(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quick", no_argument, NULL, 'q'}, {"plot", required_argument, NULL, 'p'},
        {"trace", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    demo_ctx d = {0};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'q': d.quick = true; break;
        case 'p': d.plot = optarg; break;
        case 't': d.trace = optarg; break;
        case 'h': list_demos(); return GS_EXIT_OK;
        case ':': return usage("%s needs a value", argv[optind - 1]);
        default:  return usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc) {
        list_demos();
        return GS_EXIT_OK;
    }
    if (optind + 1 < argc)
        return usage("one demonstration at a time: unexpected '%s'", argv[optind + 1]);
    const demo *dm = NULL;
    for (size_t i = 0; i < NDEMOS; i++)
        if (strcmp(demos[i].name, argv[optind]) == 0)
            dm = &demos[i];
    if (!dm)
        return usage("'%s' is not a demonstration: gilsim demo lists them", argv[optind]);
    if (d.plot && !dm->plots)
        return usage("--plot: the %s demonstration draws no curves (threads-vs-processes and io-bound do)",
                     dm->name);
    if (d.trace && !dm->traces)
        return usage("--trace: the %s demonstration keeps no trace (convoy, legacy-battle and async do)",
                     dm->name);
    if (d.plot && (gs_check_output("--plot", d.plot) != 0 || gs_check_plot_name(d.plot) != 0))
        return GS_EXIT_USAGE;
    if (d.trace && gs_check_output("--trace", d.trace) != 0)
        return GS_EXIT_USAGE;

    gs_host_detect(&d.host);
    printf("%s\n\n", dm->name);
    wrap("", dm->intro);
    putchar('\n');
    fflush(stdout);
    gs_cli_catch_interrupts();
    d.total = dm->runs(&d);
    d.shown = gs_progress_start(&d.bar, false);
    int rc = dm->run(&d);
    gs_progress_end(d.shown);
    return gs_run_stopping() ? GS_EXIT_INTERRUPTED : rc;
}
