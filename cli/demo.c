/* demo.c - `gilsim demo [NAME]`: classroom demonstrations.
 *
 * Each demonstration says in a few sentences what it will show, runs its
 * experiments on the spot (with a progress bar on a terminal), prints the
 * figures side by side, and ends with what they mean.  The closing words
 * are computed from the figures just measured: where a figure did not show
 * the expected effect the demo says so, with the numbers, rather than
 * printing the textbook claim.  --quick runs every demo small (for tests
 * and impatient classrooms). */
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>

#include "../reports/html.h"
#include "outputs.h"
#include "demo.h"
#include "parse.h"

/* ---- running experiments ---- */

static void demo_advance(uint32_t done, uint32_t total, void *arg)
{
    (void)total;
    demo_ctx *d = arg;
    gs_progress_update(d->done + done, d->total, d->shown);
}

gs_run_config demo_config(const demo_ctx *d, gs_mode mode, const gs_workload *wl, uint32_t workers,
                                 uint64_t work)
{
    return (gs_run_config){.mode = mode, .workers = workers, .workload = wl, .work = work,
                           .gil = {.policy = GS_GIL_CPYTHON, .interval_ns = GS_INTERVAL_DEFAULT_NS,
                                   .force_switching = true, .check_interval = GS_CHECK_INTERVAL_DEFAULT},
                           .io_latency_ns = 1000000, .event_cap = GS_DEFAULT_EVENTS,
                           .cores = d->pinned, .sim = d->sim ? &d->model : NULL};
}

/* The cores the demo's machine has: the modelled ones in virtual time,
 * those it is pinned to, or all gilsim may use. */
long demo_cores(const demo_ctx *d)
{
    return d->sim ? (long)d->model.cores : d->pinned ? (long)d->pinned : (long)gs_cpus_allowed();
}

/* Runs cfg once (the demos' figures are large effects, not fine ones) and
 * keeps the run in e for the caller to read and free.  Returns 0, or -1
 * after saying why. */
void demo_doubt(demo_ctx *d, const char *fmt, ...)
{
    if (d->doubted) /* the first doubt is the one said */
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->doubt, sizeof d->doubt, fmt, ap);
    va_end(ap);
    d->doubted = true;
}

/* Keeps the first doubt of a run's or a point's verdict. */
static void judged(demo_ctx *d, const gs_verdict *v, gs_mode mode, uint32_t workers)
{
    for (int k = 0; k < GS_DOUBT_COUNT && !d->doubted; k++)
        if (gs_verdict_has(v, (gs_doubt)k)) {
            char text[512];
            demo_doubt(d, "%s", gs_verdict_say(v, (gs_doubt)k, mode, workers, text, sizeof text));
        }
}

bool demo_means(demo_ctx *d)
{
    if (!d->doubted) {
        printf("\nWhat it means:\n");
        return true;
    }
    char text[640];
    snprintf(text, sizeof text, "No conclusion: %s.", d->doubt);
    putchar('\n');
    gs_wrap(stdout, "", text);
    if (d->sim) {
        printf("Run it again without --background.\n");
        return false;
    }
    printf("Run it again (--repeat 5 takes the median of five runs; on an idle machine, if\n"
           "this one was busy), or in virtual time, where nothing else runs:\n  gilsim demo %s --sim\n", d->name);
    return false;
}

int demo_measure(demo_ctx *d, const gs_run_config *cfg, gs_experiment *e)
{
    *e = (gs_experiment){.cfg = *cfg, .repeat = d->repeat ? d->repeat : 1};
    char err[GS_ERRMSG_MAX];
    int rc = gs_experiment_run(e, err, demo_advance, d);
    d->done += e->repeat;
    if (rc != 0) {
        gs_progress_end(d->shown);
        fprintf(stderr, "gilsim: %s\n", err);
        return rc;
    }
    gs_verdict v;
    gs_judge(e, &v);
    judged(d, &v, cfg->mode, cfg->workers);
    return rc;
}

const gs_run_summary *demo_summary(const gs_experiment *e) { return &e->summaries[e->median]; }
const gs_run_result *demo_result(const gs_experiment *e) { return &e->runs[e->median]; }

int demo_sweep(demo_ctx *d, gs_sweep *s)
{
    char err[GS_ERRMSG_MAX];
    uint32_t base = d->done;
    if (d->repeat)
        s->repeat = d->repeat;
    int rc = gs_sweep_run(s, err, demo_advance, d);
    d->done = base + gs_sweep_total_runs(s);
    if (rc != 0) {
        gs_progress_end(d->shown);
        fprintf(stderr, "gilsim: %s\n", err);
    }
    for (uint32_t i = 0; i < s->npoints; i++)
        judged(d, &s->points[i].verdict, s->points[i].mode, s->points[i].workers);
    return rc;
}

int demo_load_spec(gs_workload *wl, gs_workload_spec spec)
{
    char err[GS_ERRMSG_MAX];
    if (gs_workload_load(wl, &spec, err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return -1;
    }
    return 0;
}

int demo_load(gs_workload *wl, gs_workload_kind kind)
{
    return demo_load_spec(wl, (gs_workload_spec){
        .kind = kind, .io_kind = GS_IO_SLEEP, .io_latency_ns = 1000000});
}

/* With --html the page shows what the demonstration printed.  The demos
 * print with printf, so for the length of the demo stdout is a stream that
 * writes to the real one and keeps a copy (glibc lets stdout be assigned;
 * it is put back after). */
static ssize_t copy_write(void *cookie, const char *buf, size_t len)
{
    demo_ctx *d = cookie;
    fwrite(buf, 1, len, d->copy);
    return (ssize_t)fwrite(buf, 1, len, d->real_stdout);
}

static int copy_stdout(demo_ctx *d)
{
    d->copy = open_memstream(&d->copy_text, &d->copy_len);
    FILE *both = d->copy ? fopencookie(d, "w", (cookie_io_functions_t){.write = copy_write}) : NULL;
    if (!both) {
        if (d->copy)
            fclose(d->copy);
        return -1;
    }
    d->real_stdout = stdout;
    stdout = both;
    return 0;
}

static void end_copy(demo_ctx *d)
{
    fclose(stdout); /* flushes into both */
    stdout = d->real_stdout;
    fclose(d->copy);
    free(d->copy_text);
}

static void end_tables(demo_ctx *d)
{
    for (uint32_t i = 0; i < d->ntables; i++)
        gs_table_free(&d->tables[i].table);
}

/* How much the copy holds: where the next thing printed will start. */
static size_t copy_mark(demo_ctx *d)
{
    if (!d->copy)
        return 0;
    fflush(stdout);
    fflush(d->copy);
    return d->copy_len;
}

void demo_table(demo_ctx *d, gs_table *t)
{
    size_t from = copy_mark(d);
    gs_table_text(stdout, t);
    if (d->copy && d->ntables < GS_PAGE_MAX_TABLES)
        d->tables[d->ntables++] = (gs_page_table){.table = *t, .from = from, .to = copy_mark(d)};
    else
        gs_table_free(t);
}

void demo_figure(demo_ctx *d, const char *label, const char *fmt, ...)
{
    if (d->nfigures >= GS_PAGE_MAX_FIGURES)
        return;
    gs_page_figure *f = &d->figures[d->nfigures++];
    snprintf(f->label, sizeof f->label, "%s", label);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->value, sizeof f->value, fmt, ap);
    va_end(ap);
}

void demo_sweep_report(demo_ctx *d, const gs_sweep *s)
{
    gs_table t;
    gs_sweep_table(s, &t);
    demo_table(d, &t);
    gs_report_sweep_notes(stdout, s, &d->host);
    for (uint32_t i = 0; i < s->npoints; i++) {
        const gs_sweep_point *p = &s->points[i];
        char label[64];
        snprintf(label, sizeof label, "%u %s%s%.32s vs 1", p->workers, gs_mode_plural[p->mode],
                 s->nworkloads > 1 ? " of " : "", s->nworkloads > 1 ? p->workload->name : "");
        if (p->workers == s->counts[s->ncounts - 1] && p->speedup > 0)
            demo_figure(d, label, "%.2f%c", p->speedup, gs_verdict_trusted(&p->verdict) ? 'x' : '?');
    }
}

static int page_of(FILE *f, const void *page, const void *unused)
{
    (void)unused;
    return gs_write_html_demo(f, page);
}

/* The --html page, with what the demo printed so far and its picture. */
static int write_page(demo_ctx *d, const gs_experiment *traced, const char *caption, const gs_sweep *curves)
{
    if (!d->outputs.open[GS_OUT_HTML])
        return 0;
    gs_demo_page page = {.name = d->name, .about = d->about, .text = "", .tables = d->tables,
                         .ntables = d->ntables, .figures = d->figures, .nfigures = d->nfigures,
                         .traced = traced, .caption = caption, .curves = curves,
                         .model = d->sim ? &d->model : NULL, .pinned = d->pinned, .host = &d->host};
    copy_mark(d);
    page.text = d->copy_text ? d->copy_text : "";
    if (gs_cli_output_write(&d->outputs, GS_OUT_HTML, page_of, &page, NULL) != 0)
        return -1;
    printf("\nThe page is %s: open it in a browser.\n", d->outputs.out[GS_OUT_HTML].name);
    return 0;
}

static int trace_of(FILE *f, const void *run, const void *unused)
{
    (void)unused;
    return gs_write_trace(f, run);
}

int demo_write_trace(demo_ctx *d, const gs_experiment *e, const char *caption)
{
    if (write_page(d, e, caption, NULL) != 0)
        return -1;
    if (!d->outputs.open[GS_OUT_TRACE])
        return 0;
    if (gs_cli_output_write(&d->outputs, GS_OUT_TRACE, trace_of, demo_result(e), NULL) != 0)
        return -1;
    const gs_run_config *c = &demo_result(e)->cfg;
    char where[96], text[512];
    snprintf(text, sizeof text, "The trace holds the run of %u %s under the %s lock %s: it is in %s; open it in "
             "ui.perfetto.dev.", c->workers, c->workers == 1 ? gs_mode_singular[c->mode] : gs_mode_plural[c->mode],
             gs_gil_policy_names[c->gil.policy], gs_host_where(c, &d->host, where), d->outputs.out[GS_OUT_TRACE].name);
    putchar('\n');
    gs_wrap(stdout, "", text);
    return 0;
}

int demo_write_plot(demo_ctx *d, const gs_sweep *s)
{
    if (write_page(d, NULL, NULL, s) != 0)
        return -1;
    if (!d->outputs.open[GS_OUT_PLOT])
        return 0;
    if (gs_cli_output_plot(&d->outputs, s, &d->host, GS_PLOT_SPEEDUP) != 0)
        return -1;
    printf("\nThe scaling curves are in %s.\n", d->outputs.plot.picture.name);
    return 0;
}

/* The speedup of the sweep's point for mode at the most workers. */
const gs_sweep_point *demo_last_point(const gs_sweep *s, gs_mode mode)
{
    const gs_sweep_point *found = NULL;
    for (uint32_t i = 0; i < s->npoints; i++)
        if (s->points[i].mode == mode)
            found = &s->points[i];
    return found;
}

/* ---- threads-vs-processes, io-bound, free-threading: sweeps ---- */

/* The most workers a sweep demo runs: 8 (4 with --quick), or the modelled
 * machine's cores in virtual time (at most 64). */
uint32_t demo_top_count(const demo_ctx *d)
{
    if (d->sim)
        return d->model.cores < 64 ? d->model.cores : 64;
    return d->quick ? 4 : 8;
}

/* The worker counts of a sweep demo: powers of two up to top_count, and
 * top_count itself.  Returns how many. */
uint32_t demo_sweep_counts(const demo_ctx *d, uint32_t counts[GS_SWEEP_MAX_COUNTS])
{
    uint32_t n = 0, top = demo_top_count(d);
    for (uint32_t w = 1; w < top; w *= 2)
        counts[n++] = w;
    counts[n++] = top;
    return n;
}

void demo_sweep_setup(const demo_ctx *d, gs_sweep *s, const gs_workload *wl, uint64_t work)
{
    *s = (gs_sweep){.cfg = demo_config(d, GS_MODE_THREADS, wl, 1, work), .nworkloads = 1, .repeat = 1};
    s->cfg.event_cap = 0;
    s->jobs = d->sim ? gs_cpus_allowed() : 1; /* virtual time: points at once, the same figures */
    s->workloads[0] = wl;
    s->ncounts = demo_sweep_counts(d, s->counts);
}

uint32_t demo_ncounts(const demo_ctx *d)
{
    uint32_t counts[GS_SWEEP_MAX_COUNTS];
    return demo_sweep_counts(d, counts);
}

/* ---- the list ---- */

static const demo demos[] = {
    {"threads-vs-processes", "CPU-bound threads versus processes: scaling curves",
     "Threads share one lock and take turns; processes have a lock each and run side by "
     "side. This runs the same CPU-bound work as @COUNTS@ of each, and compares each with "
     "one worker.",
     true, false, demo_tvp_runs, demo_tvp_run, NULL},
    {"io-bound", "threads scale when the work is I/O",
     "A thread that blocks in I/O gives the lock back. This runs I/O-bound work (a little "
     "computing, then a 1 ms wait, per unit) as @COUNTS@ threads.",
     true, false, demo_io_runs, demo_io_run, NULL},
    {"three-ways", "threads, processes, async: same I/O-bound, mixed work",
     "The same work three ways: as threads, as processes and as async tasks on one event loop, "
     "first I/O-bound (a 1 ms wait a unit), then mixed (half computing, half waiting), as @COUNTS@ "
     "workers of each. A process sends each unit's data home, 64 KiB, as multiprocessing pickles a "
     "result and pipes it back; threads and tasks share memory.",
     false, false, demo_ways_runs, demo_ways_run, demo_ways_counts},
    {"convoy", "an I/O thread beside CPU-bound ones: its I/O collapses",
     "One thread does I/O, nothing else; first alone, then beside 1, 2 and 4 CPU-bound "
     "threads. Watch how many I/O operations a second it manages, and how long each one "
     "takes from request to running again.",
     false, true, demo_convoy_runs, demo_convoy_run, NULL},
    {"switch-interval", "0.1 to 50 ms: hand-off cost versus I/O latency",
     "The switch interval is how long a waiting thread lets the holder run before asking "
     "for the lock. This runs two CPU-bound threads, then an I/O thread beside a CPU-bound "
     "one, at intervals from 0.1 ms to 50 ms.",
     false, false, demo_si_runs, demo_si_run, NULL},
    {"legacy-battle", "Python 2's lock on multicore, then CPython 3.2's",
     "Python 2's lock was released every 100 ticks (most bytecodes tick) and taken straight back. This "
     "repeats David Beazley's experiment of 2009: the same CPU-bound work as 1 thread, then as 2 "
     "threads on @COUNTS@ cores, under that lock; then under CPython's lock since 3.2.",
     false, true, demo_lb_runs, demo_lb_run, demo_lb_cores},
    {"async", "I/O tasks overlap; one CPU-bound task stalls them all",
     "Async tasks share one thread and one event loop. This runs I/O-bound work as 1 and 8 "
     "tasks, then a task doing 1 ms sleeps alone and beside a task that computes without "
     "pausing, as a coroutine that never awaits does.",
     false, true, demo_async_runs, demo_async_run, NULL},
    {"free-threading", "no GIL: 3.13t, 3.14t, interpreters, a shared object",
     "Free-threaded CPython (3.13t, 3.14t: PEP 703) runs threads without a global lock; "
     "subinterpreters (PEP 684, 734) have a lock each and share no objects. This runs the same "
     "CPU-bound work as @COUNTS@ threads under the GIL, free-threaded threads, processes and "
     "interpreters; then the same work adding to one shared variable; then counter += 1 with "
     "and without the GIL.",
     false, false, demo_ft_runs, demo_ft_run, NULL},
    {"race", "the lock does not make a line atomic: lost updates",
     "Two threads add one to a shared counter four million times between them. This updates it "
     "with counter += 1, then with a call between the read and the write, at a 1 us and a 5 ms "
     "switch interval, then under a user lock, under Python 2's lock and with no lock at all, "
     "and counts the updates lost.",
     false, false, demo_race_runs, demo_race_run, NULL},
    {"native", "native code escapes the lock: threads scale",
     "A C extension (hashlib, zlib) lets the lock go while it works. This runs threads that "
     "spend 90% of their time in native calls, and threads of bytecode alone, as @COUNTS@ "
     "threads.",
     true, false, demo_native_runs, demo_native_run, NULL},
};
#define NDEMOS (sizeof demos / sizeof demos[0])

const char *gs_cli_demo_name(size_t i)
{
    return i < NDEMOS ? demos[i].name : NULL;
}

const char *gs_cli_demo_about(size_t i)
{
    return i < NDEMOS ? demos[i].about : NULL;
}

static int usage(const char *fmt, const char *arg)
{
    fputs("gilsim: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see gilsim demo)\n", stderr);
    return GS_ERR_USAGE;
}

static int run_demo(demo_ctx *d, const demo *dm);

gs_status gs_cli_demo(int argc, char **argv)
{
    gs_cli_options o;
    int rc = gs_cli_parse(argc, argv, GS_CMD_DEMO, &o);
    if (rc != 0)
        return rc > 0 ? GS_OK : GS_ERR_USAGE;
    if (!o.operand) {
        gs_cli_print_usage(stdout, gs_demo_usage);
        return GS_OK;
    }
    /* --cores as for a run: the modelled machine's with --sim (parsing
     * set the model), else every run pinned to that many of this one's */
    demo_ctx d = {.quick = o.quick, .outputs = o.outputs, .sim = o.sim, .model = o.model,
                  .pinned = o.sim ? 0 : o.cores, .repeat = o.repeat};
    const demo *dm = NULL;
    for (size_t i = 0; i < NDEMOS; i++)
        if (strcmp(demos[i].name, o.operand) == 0)
            dm = &demos[i];
    if (!dm)
        return usage("'%s' is not a demonstration: gilsim demo lists them", o.operand);
    const char *plot = d.outputs.path[GS_OUT_PLOT], *html = d.outputs.path[GS_OUT_HTML];
    if (plot && !dm->plots)
        return usage("--plot: the %s demonstration draws no curves (threads-vs-processes, io-bound and native do)",
                     dm->name);
    if (d.outputs.path[GS_OUT_TRACE] && !dm->traces)
        return usage("--trace: the %s demonstration keeps no trace (convoy, legacy-battle and async do)",
                     dm->name);
    if (plot && gs_check_plot_name(plot) != 0)
        return GS_ERR_USAGE;
    if (html && (!*html || strcmp(html, "-") == 0))
        return usage("--html: give a file name%s", "");
    if (gs_cli_outputs_open(&d.outputs) != 0)
        return GS_ERR_USAGE;

    d.name = dm->name;
    d.about = dm->about;
    if (html && copy_stdout(&d) != 0) {
        fprintf(stderr, "gilsim: out of memory for the page\n");
        gs_cli_outputs_finish(&d.outputs);
        return GS_ERR_FAILED;
    }
    rc = run_demo(&d, dm);
    if (html) {
        if (rc == GS_OK && write_page(&d, NULL, NULL, NULL) != 0) /* a demo without pictures */
            rc = GS_ERR_FAILED;
        end_copy(&d);
    }
    end_tables(&d);
    if (gs_cli_outputs_finish(&d.outputs) != 0 && rc == GS_OK)
        rc = GS_ERR_FAILED;
    return rc;
}

/* The introduction with "@COUNTS@" as the counts it runs: "1, 2, 4 and
 * 8". */
static const char *demo_intro(const demo_ctx *d, const demo *dm, char *buf, size_t size)
{
    const char *text = dm->intro, *at = strstr(text, "@COUNTS@");
    if (!at) {
        snprintf(buf, size, "%s", text);
        return buf;
    }
    uint32_t counts[GS_SWEEP_MAX_COUNTS], n = (dm->counts ? dm->counts : demo_sweep_counts)(d, counts);
    char list[256] = "";
    for (uint32_t i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%u", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                 counts[i]);
    snprintf(buf, size, "%.*s%s%s", (int)(at - text), text, list, at + 8);
    return buf;
}

static int run_demo(demo_ctx *d, const demo *dm)
{
    gs_host_detect(&d->host);
    printf("%s\n\n", dm->name);
    if (d->sim)
        printf("On a modelled %u-core machine, in virtual time (seed %llu): the same figures\n"
               "every run, the model's rather than this machine's.\n\n",
               d->model.cores, (unsigned long long)d->model.seed);
    else if (d->pinned)
        printf("Every run pinned to %u of this machine's cores (--cores %u).\n\n", d->pinned, d->pinned);
    char intro[1024];
    gs_wrap(stdout, "", demo_intro(d, dm, intro, sizeof intro));
    putchar('\n');
    fflush(stdout);
    d->total = dm->runs(d) * (d->repeat ? d->repeat : 1);
    d->shown = gs_progress_start(&d->bar, false);
    int rc = dm->run(d);
    gs_progress_end(d->shown);
    return gs_run_stopping() ? GS_ERR_STOPPED : rc;
}

