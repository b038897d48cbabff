/* test_busy_virtual.c - figures on a modelled busy machine: waiting for a
 * core is measured exactly in virtual time, where --background models
 * other programs, drawn as its own state, and a run whose own
 * measurements reject a figure says so instead of explaining it; the same
 * in every demonstration.  The verdict's checks, one by one, on figures
 * made up for them.  test_busy.c has the real machine's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "testdir.h"

#include "cli_helpers.h"
#include "experiment.h"
#include "helpers.h"
#include "sim.h"
#include "slices.h"
#include "verdict.h"

static gs_sim_model model(uint32_t cores, uint32_t background)
{
    gs_sim_model m = GS_SIM_MODEL_DEFAULT;
    m.cores = cores;
    m.background = background;
    return m;
}

/* An experiment of w on the model, with its baseline, judged. */
static void judged_run(gs_mode mode, const gs_workload *w, uint32_t workers, uint64_t work, gs_sim_model *m,
                       gs_experiment *e, gs_verdict *v)
{
    *e = (gs_experiment){.cfg = run_config(mode, w, workers, work), .repeat = 1, .baseline = true};
    e->cfg.gil.interval_ns = GS_INTERVAL_DEFAULT_NS; /* CPython's 5 ms, as gilsim runs by default */
    e->cfg.sim = m;
    char err[GS_ERRMSG_MAX];
    if (gs_experiment_run(e, err, NULL, NULL) != 0)
        fail_msg("%s", err);
    gs_judge(e, v);
}

/* In virtual time the detector is exact: the same runs with and without
 * other programs' threads on the cores. */
static void test_background_is_busy_and_alone_is_not(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_experiment e;
    gs_verdict v;
    gs_sim_model idle = model(4, 0), busy = model(4, 4);
    judged_run(GS_MODE_PROCESSES, &w, 4, 4000, &idle, &e, &v);
    assert_true(gs_verdict_trusted(&v));
    assert_int_equal(e.runs[0].others_cpu_ns, 0);
    assert_int_equal(e.summaries[0].others_share, 0);
    gs_experiment_free(&e);

    judged_run(GS_MODE_PROCESSES, &w, 4, 4000, &busy, &e, &v);
    assert_true(gs_verdict_has(&v, GS_DOUBT_BUSY));
    assert_true(v.busy_share > GS_BUSY_SHARE_MAX);
    assert_true(e.runs[0].others_cpu_ns > 0);
    assert_true(e.summaries[0].core_wait_ns > 0);
    for (uint32_t i = 0; i < e.runs[0].nworkers; i++)
        assert_true(e.runs[0].workers[i].core_wait_known);
    gs_experiment_free(&e);

    /* 8 threads under one lock beside 8 foreign threads on 8 cores: nine
     * threads want the eight cores in either run, and which one waits a
     * slice at each slice's end is a matter of when each started (the
     * lone thread, started a thread's start after the others, reaches its
     * slice's end first every time and runs half the time: 306 ms against
     * 160 alone, 2026-12-06).  So the 1-thread run is slowed more and the
     * speedup is above 1, doubted as busy; where it passes what one lock
     * allows, the verdict says that too, naming the slowed 1-thread run. */
    gs_sim_model eight = model(8, 8);
    judged_run(GS_MODE_THREADS, &w, 8, 4000, &eight, &e, &v);
    assert_true(gs_verdict_has(&v, GS_DOUBT_BUSY));
    assert_true(e.base_summary.core_wait_ns > 0);
    if (e.speedup <= 1 || gs_verdict_has(&v, GS_DOUBT_UNDER_ONE_LOCK) != (e.speedup > GS_ONE_LOCK_SPEEDUP_MAX))
        fail_msg("8 threads under one lock beside 8 others: speedup %.3f, want above 1, doubted past one lock's",
                 e.speedup);
    gs_experiment_free(&e);
    gs_workload_free(&w);
}

/* The timeline of 16 processes on 4 modelled cores: at no moment do more
 * than 4 run; the others wait for a core, in a state of their own. */
typedef struct {
    uint64_t t;
    int delta;
} edge;

typedef struct {
    edge *e;
    uint32_t n, cap;
    uint64_t core_wait_ns;
} running_edges;

static void on_slice(const gs_slice *s, void *arg)
{
    running_edges *r = arg;
    if (s->edge != GS_EDGE_END)
        return;
    if (s->kind == GS_SLICE_CORE_WAIT)
        r->core_wait_ns += s->t1 - s->t0;
    if (s->kind != GS_SLICE_RUNNING || s->t1 == s->t0 || r->n + 2 > r->cap)
        return;
    r->e[r->n++] = (edge){s->t0, 1};
    r->e[r->n++] = (edge){s->t1, -1};
}

static int by_time(const void *a, const void *b)
{
    const edge *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->delta - y->delta; /* an end before a beginning at one instant */
}

static void test_sixteen_processes_on_four_cores(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    gs_sim_model m = model(4, 0);
    gs_run_config cfg = run_config(GS_MODE_PROCESSES, &w, 16, 1600);
    cfg.sim = &m;
    cfg.event_cap = 16 * 4096;
    gs_run_result r;
    if (gs_run(&cfg, &r) != 0)
        fail_msg("%s", r.error);
    running_edges edges = {.cap = 16 * 8192};
    edges.e = malloc(edges.cap * sizeof *edges.e);
    assert_non_null(edges.e);
    uint64_t waited = 0;
    for (uint32_t i = 0; i < r.nworkers; i++) {
        assert_int_equal(r.workers[i].rec.dropped, 0);
        gs_worker_slices(&r.workers[i], on_slice, &edges);
        waited += r.workers[i].core_wait_ns;
    }
    assert_true(edges.core_wait_ns > 0);
    assert_true(edges.core_wait_ns <= waited); /* the drawn waits are the measured ones, from each start */
    qsort(edges.e, edges.n, sizeof *edges.e, by_time);
    int now = 0, most = 0;
    for (uint32_t i = 0; i < edges.n; i++) {
        now += edges.e[i].delta;
        most = now > most ? now : most;
    }
    assert_int_equal(most, 4);
    free(edges.e);
    gs_run_result_free(&r);
    gs_workload_free(&w);

    /* and the page and the terminal draw the state, named in the legend */
    char *out;
    assert_int_equal(run("--sim --processes 16 --cores 4 --cpu-bound --work 1600 --timeline --html p.html", NULL,
                         &out), 0);
    assert_non_null(strstr(out, ": ready, waiting for a core"));
    FILE *f = fopen("p.html", "r");
    assert_non_null(f);
    static char page[1 << 22];
    size_t len = fread(page, 1, sizeof page - 1, f);
    fclose(f);
    page[len] = '\0';
    assert_non_null(strstr(page, "ready, waiting for a core"));
    assert_non_null(strstr(page, "fill:var(--core)"));
    unlink("p.html");
}

/* The checks one by one, on figures made to fail each (the verdict is a
 * function of an experiment's figures). */
static gs_experiment made(const gs_workload *w, gs_mode mode, uint32_t workers, uint32_t cores, double speedup,
                          gs_run_summary *runs, gs_run_summary *base)
{
    memset(runs, 0, sizeof *runs);
    memset(base, 0, sizeof *base);
    runs->cores = base->cores = cores;
    runs->wall_s = 1;
    base->wall_s = speedup;
    runs->core_wait_ns = base->core_wait_ns = 500000000; /* what a share of it is of, in the checks that ask */
    base->cpu_ns = (uint64_t)(speedup * 1e9 / 2); /* half the baseline's wall */
    gs_experiment e = {.cfg = run_config(mode, w, workers, 100), .nruns = 1, .summaries = runs,
                       .have_baseline = true, .base_summary = *base, .speedup = speedup,
                       .wall_min_s = 1, .wall_max_s = 1};
    return e;
}

static void test_each_check(void **state)
{
    (void)state;
    char text[512];
    gs_workload cpu = load_kind(GS_WL_COUNTDOWN, 0), io = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    gs_run_summary s, b;
    gs_verdict v;
    gs_experiment e = made(&cpu, GS_MODE_PROCESSES, 4, 2, 2.2, &s, &b);
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v)); /* 2.2 on 2 cores: within the slack */
    e = made(&cpu, GS_MODE_PROCESSES, 4, 2, 2.6, &s, &b);
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_BEYOND_CORES);
    assert_true(v.bound == 2);
    e = made(&io, GS_MODE_PROCESSES, 4, 2, 3.9, &s, &b); /* I/O overlaps beyond the cores */
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    e = made(&cpu, GS_MODE_THREADS, 8, 2, 1.3, &s, &b);
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_UNDER_ONE_LOCK);
    e = made(&cpu, GS_MODE_THREADS, 8, 2, 1.2, &s, &b);
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    e = made(&io, GS_MODE_THREADS, 8, 2, 7.5, &s, &b); /* sleeping threads release the lock */
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    /* async: the 1-task run computed half its time, so 2x at most */
    e = made(&io, GS_MODE_ASYNC, 4, 2, 2.4, &s, &b); /* within the slack for noise */
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    e = made(&io, GS_MODE_ASYNC, 4, 2, 2.6, &s, &b);
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_BEYOND_CPU);
    /* repeats: 30% apart of the median, and 20% */
    e = made(&cpu, GS_MODE_PROCESSES, 2, 2, 1.9, &s, &b);
    gs_run_summary three[3] = {s, s, s};
    e.summaries = three;
    e.nruns = 3;
    e.wall_min_s = 0.85, e.wall_max_s = 1.15;
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_UNSTEADY);
    e.wall_min_s = 0.9, e.wall_max_s = 1.1;
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    /* instructions a unit: the run's 1.2x the baseline's is within the
     * slack, 4x (a main that ignores its count) and 1/2 are not */
    e = made(&cpu, GS_MODE_THREADS, 4, 2, 1, &s, &b);
    s.units = e.base_summary.units = 100;
    e.base_summary.instructions = 100000;
    s.instructions = 120000;
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    s.instructions = 400000;
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_UNEQUAL_WORK);
    assert_true(v.work_ratio == 4);
    assert_false(gs_verdict_rerun_helps(&v)); /* the program's doing: running again clears nothing */
    assert_non_null(strstr(gs_verdict_say(&v, GS_DOUBT_UNEQUAL_WORK, GS_MODE_THREADS, 4, text, sizeof text),
                           "the 4 threads ran 4.00x as many instructions a unit as the 1 thread did"));
    s.instructions = 50000;
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_UNEQUAL_WORK);
    /* units of a few instructions: each worker's own main start moves the
     * ratio (2.1x here) by a few instructions a worker, not its work */
    s.units = e.base_summary.units = 8;
    e.base_summary.instructions = 60;
    s.instructions = 128;
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    /* a one-thread baseline that only computes, kept off a CPU */
    e = made(&cpu, GS_MODE_THREADS, 1, 2, 1, &s, &b);
    e.base_summary.off_cpu_share = 0.3;
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_BUSY);
    assert_true(v.busy_baseline && v.busy_waited);
    assert_non_null(strstr(gs_verdict_say(&v, GS_DOUBT_BUSY, GS_MODE_THREADS, 1, text, sizeof text),
                           "the 1-thread run was kept off a CPU 30% of its time"));
    /* a lone run of one unit waits for a core as long as its start and
     * its wake at the gate take, a fifth of its 30 us on the development
     * VM: not other programs (verdict.h, GS_CORE_WAIT_MIN_NS); the same
     * share of a run a thousand times as long is */
    e = made(&cpu, GS_MODE_THREADS, 1, 2, 1, &s, &b);
    e.have_baseline = false;
    s.core_wait_known = true;
    s.cpu_ns = 30000, s.core_wait_ns = 7000, s.core_wait_share = 7.0 / 37;
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    s.off_cpu_share = 0.2; /* 7.5 us of a life of 37.5 */
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    s.cpu_ns *= 1000, s.core_wait_ns *= 1000;
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_BUSY);
    assert_true(v.busy_waited && !v.busy_baseline);
    gs_workload_free(&cpu);
    gs_workload_free(&io);
}

/* Threads that only compute, a core each, waiting for one that nobody
 * else used: the OS put them together (verdict.h, stacked). */
static void test_stacked_workers(void **state)
{
    (void)state;
    gs_workload cpu = load_kind(GS_WL_COUNTDOWN, 0), io = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    gs_run_summary s, b;
    gs_verdict v;
    gs_sim_model m = model(2, 0);
    gs_experiment e = made(&cpu, GS_MODE_THREADS, 2, 2, 1.0, &s, &b);
    s.core_wait_known = s.others_known = true;
    s.core_wait_share = 0.5; /* two threads on one core all along */
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_STACKED);
    assert_true(v.stacked_share == 0.5);
    char text[512];
    assert_true(v.stacked_sure);
    assert_non_null(strstr(gs_verdict_say(&v, GS_DOUBT_STACKED, GS_MODE_THREADS, 2, text, sizeof text),
                           "ran these 2 threads on fewer cores than they had: they waited for a core 50% of"));
    s.others_max_share = 0.4; /* a short run: the counters' ticks allow others most of it */
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_STACKED);
    assert_false(v.stacked_sure);
    assert_non_null(strstr(gs_verdict_say(&v, GS_DOUBT_STACKED, GS_MODE_THREADS, 2, text, sizeof text),
                           "other programs or the operating system's placement of them"));
    s.others_max_share = 0;
    s.core_wait_ns = 40000; /* the same share of a run of 80 us: its own start and wake-ups */
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    s.core_wait_ns = 500000000;
    e.cfg.mode = GS_MODE_PROCESSES; /* processes too */
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_STACKED);
    e.cfg.mode = GS_MODE_THREADS;
    s.core_wait_share = GS_STACKED_SHARE_MAX; /* a lesson's own waits: not beyond the bound */
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    s.core_wait_share = 0.5;
    s.others_share = 0.3; /* others explain most of it: busy, and what is left is under the bound */
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_BUSY);
    s.others_share = 0;
    s.others_known = false; /* nothing tells others' share from the OS's doing */
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    s.others_known = true;
    gs_experiment more = made(&cpu, GS_MODE_THREADS, 4, 2, 1.0, &s, &b); /* more threads than cores wait by rights */
    s.core_wait_known = s.others_known = true;
    s.core_wait_share = 0.5;
    gs_judge(&more, &v);
    assert_true(gs_verdict_trusted(&v));
    e = made(&io, GS_MODE_THREADS, 2, 2, 1.0, &s, &b); /* a sleeper waits for a core at each wake-up */
    s.core_wait_known = s.others_known = true;
    s.core_wait_share = 0.5;
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    e = made(&cpu, GS_MODE_THREADS, 2, 2, 1.0, &s, &b);
    s.core_wait_known = s.others_known = true;
    s.core_wait_share = 0.5;
    e.cfg.sim = &m; /* the model's waits are the model's */
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    e.cfg.sim = NULL;
    gs_run_summary three[3] = {s, s, s}; /* the median run stands for the repeats */
    three[0].core_wait_share = three[2].core_wait_share = 0.005;
    e.summaries = three;
    e.nruns = 3;
    e.median = 0;
    gs_judge(&e, &v);
    assert_true(gs_verdict_trusted(&v));
    e.median = 1;
    gs_judge(&e, &v);
    assert_int_equal(v.doubts, 1u << GS_DOUBT_STACKED);
    gs_workload_free(&cpu);
    gs_workload_free(&io);
}

/* Every demonstration, on a modelled machine busy with other programs,
 * says which figure its checks reject and draws no conclusion. */
static void test_every_demo_refuses_a_busy_machine(void **state)
{
    (void)state;
    static const char *const demos[] = {"threads-vs-processes", "io-bound", "free-threading", "convoy",
                                        "switch-interval",      "legacy-battle", "async", "race", "native"};
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++) {
        char args[160], *out;
        snprintf(args, sizeof args, "demo %s --quick --sim --background 16", demos[i]);
        assert_int_equal(run(args, NULL, &out), 0);
        if (!strstr(out, "No conclusion: this machine was busy"))
            fail_msg("gilsim %s drew a conclusion:\n%s", args, out);
        assert_null(strstr(out, "What it means:"));
        assert_non_null(strstr(out, "Run it again without --background."));
        /* and without the other programs, the same demonstration concludes */
        snprintf(args, sizeof args, "demo %s --quick --sim", demos[i]);
        assert_int_equal(run(args, NULL, &out), 0);
        if (!strstr(out, "What it means:"))
            fail_msg("gilsim %s drew no conclusion:\n%s", args, out);
    }
}

/* A run's report says what it doubts, instead of explaining it. */
static void test_report_says_the_verdict(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("--sim --background 8 --threads 8 --work 4000", NULL, &out), 0); /* exit 0: the work is sound */
    for (char *p = out; *p; p++) /* as one line: the report wraps at 80 columns */
        *p = *p == '\n' ? ' ' : *p;
    assert_non_null(strstr(out, ", but these figures cannot be trusted: - this machine was busy"));
    assert_null(strstr(out, "the lock was held")); /* no explanation of a rejected figure */
    json_error_t jerr;
    assert_int_equal(run("--sim --background 8 --threads 8 --work 4000 --json -", NULL, &out), 0);
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    json_t *verdict = json_object_get(json_object_get(doc, "summary"), "verdict");
    assert_true(json_is_false(json_object_get(verdict, "trusted")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(verdict, "doubts"), 0),
                                                          "kind")), "busy");
    json_decref(doc);
    assert_int_equal(run("--sim --threads 8 --work 4000", NULL, &out), 0);
    assert_non_null(strstr(out, "the lock was held"));
    assert_null(strstr(out, "cannot be trusted"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_background_is_busy_and_alone_is_not),
        cmocka_unit_test(test_sixteen_processes_on_four_cores),
        cmocka_unit_test(test_each_check),
        cmocka_unit_test(test_stacked_workers),
        cmocka_unit_test(test_every_demo_refuses_a_busy_machine),
        cmocka_unit_test(test_report_says_the_verdict),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
