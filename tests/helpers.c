/* helpers.c - shared by the runner tests (see helpers.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "summary.h"

gs_workload load_modelled(gs_workload_kind kind, gs_io_kind io, double instruction_ns)
{
    gs_workload w;
    char err[GS_ERRMSG_MAX];
    gs_workload_spec spec = {
        .kind = kind, .io_kind = io, .cpu_share = 0.5, .io_latency_ns = 100000, .instruction_ns = instruction_ns};
    if (gs_workload_load(&w, &spec, err) != 0)
        fail_msg("%s", err);
    return w;
}

gs_workload load_kind(gs_workload_kind kind, gs_io_kind io)
{
    return load_modelled(kind, io, 0);
}

gs_workload load_text(const char *src)
{
    gs_workload w;
    memset(&w, 0, sizeof w);
    char err[GS_ERRMSG_MAX];
    if (gs_load_source(src, strlen(src), "t.gsa", &w.prog, err) != 0)
        fail_msg("%s", err);
    snprintf(w.name, sizeof w.name, "t.gsa");
    w.race_counter = -1;
    return w;
}

gs_run_config run_config(gs_mode mode, const gs_workload *w, uint32_t workers, uint64_t work)
{
    return (gs_run_config){.mode = mode, .workers = workers, .workload = w, .work = work,
                           .gil = {.interval_ns = 1000000, .force_switching = true},
                           .io_latency_ns = 100000, .event_cap = 1u << 16};
}

void check_consistent(const gs_run_result *r, uint64_t total_units)
{
    static gs_run_summary s;
    gs_summarize(r, &s);
    uint64_t units = 0;
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const gs_worker_result *w = &r->workers[i];
        if (w->failed)
            fail_msg("%s %u failed: %s", gs_mode_singular[r->cfg.mode], i, w->rare->error);
        units += w->units;
        assert_int_equal(w->lock.acquisitions, w->lock.forced_drops + w->lock.voluntary_drops + w->lock.tick_drops);
        assert_true(w->lock.hold_ns <= w->end_ns - w->start_ns);
        assert_true(w->start_ns >= r->start_ns && w->end_ns <= r->end_ns);
        assert_true(w->cpu_ns <= (w->end_ns - w->start_ns) + 10000000); /* clocks tick apart: 10 ms slack */
    }
    assert_int_equal(units, total_units);
    assert_int_equal(s.units, total_units);
    assert_true(r->spawn_ns <= r->end_ns - r->start_ns);
    assert_true(r->collect_ns <= r->end_ns - r->start_ns);
    switch (gs_lock_scope_of(&r->cfg)) {
    case GS_SCOPE_SHARED: /* one lock: the holds add up to no more than the wall time */
        assert_true(s.lock.hold_ns <= r->end_ns - r->start_ns);
        break;
    case GS_SCOPE_PER_WORKER: /* a lock each, never shared: nobody waits for another */
    case GS_SCOPE_NONE:       /* (but for a free-threaded collector stopping the world) */
        if (!r->cfg.gil.gc_every_ns)
            assert_int_equal(s.lock.contended, 0);
        assert_int_equal(s.lock.drop_requests, 0);
        break;
    case GS_SCOPE_LOOP: /* the loop thread alone used the lock; tasks have none */
        assert_int_equal(s.lock.contended, 0);
        assert_true(s.lock.acquisitions >= 1);
        assert_true(s.lock.hold_ns <= r->end_ns - r->start_ns);
        for (uint32_t i = 0; i < r->nworkers; i++)
            assert_int_equal(r->workers[i].lock.acquisitions, 0);
        break;
    default:
        fail_msg("unknown lock scope for mode %d", (int)r->cfg.mode);
    }
}

void expect_checksum(gs_mode mode, gs_workload_kind kind, gs_io_kind io, uint32_t workers, uint64_t work)
{
    gs_workload w = load_kind(kind, io);
    int64_t want;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_workload_sequential(&w, 0, work, &want, err), 0);
    gs_run_config cfg = run_config(mode, &w, workers, work);
    gs_run_result r;
    if (gs_run(&cfg, &r) != 0)
        fail_msg("%s: %s", w.name, r.error);
    int64_t sum = 0;
    uint64_t io_ops = 0;
    for (uint32_t i = 0; i < r.nworkers; i++) {
        sum = (int64_t)((uint64_t)sum + (uint64_t)r.workers[i].checksum);
        io_ops += r.workers[i].io_ops;
    }
    check_consistent(&r, work);
    if (sum != want)
        fail_msg("%s with %u %s: checksum %lld, sequential %lld", w.name, workers, gs_mode_plural[mode],
                 (long long)sum, (long long)want);
    assert_int_equal(io_ops, kind == GS_WL_IO_BOUND || kind == GS_WL_MIXED ? work : 0);
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

void expect_one_runtime_error(gs_mode mode)
{
    /* the worker whose first unit is 2 divides by zero */
    gs_workload w = load_text(".func main 2\n push 100\n load 0\n push 2\n sub\n div\n ret\n.end\n");
    gs_run_config cfg = run_config(mode, &w, 4, 4);
    gs_run_result r;
    assert_int_equal(gs_run(&cfg, &r), 0);
    assert_int_equal(r.failed, 1);
    for (uint32_t i = 0; i < 4; i++) {
        const gs_worker_result *x = &r.workers[i];
        assert_int_equal(x->failed, i == 2);
        if (i == 2)
            assert_string_equal(x->rare->error, "division by zero\n  at main (t.gsa:6)");
        else
            assert_int_equal(x->checksum, 100 / ((int64_t)i - 2));
        assert_int_equal(x->units, 1);
    }
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

void expect_timeout_stops(gs_mode mode, uint32_t workers)
{
    gs_workload w = load_text(".func main 0\nloop:\n jmp loop\n.end\n");
    gs_run_config cfg = run_config(mode, &w, workers, workers);
    cfg.timeout_ns = 200000000;
    gs_run_result r;
    assert_int_equal(gs_run(&cfg, &r), 0);
    assert_true(r.stopped);
    assert_int_equal(r.failed, workers);
    for (uint32_t i = 0; i < workers; i++)
        assert_string_equal(r.workers[i].rare->error, "stopped by --timeout");
    assert_true(r.end_ns - r.start_ns >= cfg.timeout_ns); /* never asked to stop early */
    assert_true(r.end_ns - r.start_ns < 5000000000u);
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

void expect_events_bounded(gs_mode mode)
{
    gs_workload w = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    gs_run_config cfg = run_config(mode, &w, 2, 100);
    cfg.io_latency_ns = 10000;
    cfg.event_cap = 64; /* far too few: most are counted, not kept */
    gs_run_result r;
    assert_int_equal(gs_run(&cfg, &r), 0);
    for (uint32_t i = 0; i < 2; i++) {
        const gs_recorder *rec = &r.workers[i].rec;
        assert_int_equal(rec->n, 32);
        /* per I/O at least: start, end, want, got */
        assert_true(rec->dropped > 50 * 4 - 32);
        for (uint32_t k = 1; k < rec->n; k++)
            assert_true(gs_rec_event(rec, k)->t_ns >= gs_rec_event(rec, k - 1)->t_ns);
        /* It wanted the lock and got it; while it waited, it may have
         * asked the holder to drop it, if the OS kept the holder off a
         * core for a switch interval (a ThreadSanitizer build beside
         * other tests did, CI 2026-12-07). */
        assert_int_equal(gs_rec_event(rec, 0)->type, GS_EV_WANT);
        uint32_t k = 1;
        while (k < rec->n && gs_rec_event(rec, k)->type == GS_EV_DROP_REQUEST)
            k++;
        assert_true(k < rec->n);
        assert_int_equal(gs_rec_event(rec, k)->type, GS_EV_GOT);
    }
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

uint32_t max_concurrent(const gs_run_result *r, uint32_t enter, uint32_t leave)
{
    uint32_t best = 0;
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const gs_recorder *a = &r->workers[i].rec;
        for (uint32_t k = 0; k < a->n; k++) {
            if (!(enter & (1u << gs_rec_event(a, k)->type)))
                continue;
            uint64_t t = gs_rec_event(a, k)->t_ns;
            uint32_t inside = 0; /* workers whose last enter or leave at or before t is an enter */
            for (uint32_t j = 0; j < r->nworkers; j++) {
                const gs_recorder *b = &r->workers[j].rec;
                bool in = false;
                for (uint32_t m = 0; m < b->n && gs_rec_event(b, m)->t_ns <= t; m++) {
                    uint32_t bit = 1u << gs_rec_event(b, m)->type;
                    if (bit & (enter | leave))
                        in = (bit & enter) != 0;
                }
                inside += in;
            }
            best = inside > best ? inside : best;
        }
    }
    return best;
}

void expect_pinned(gs_mode mode)
{
    gs_workload w = load_kind(GS_WL_COUNTDOWN, 0);
    uint32_t allowed = gs_cpus_allowed();
    for (uint32_t cores = 0; cores <= 1; cores++) {
        gs_run_config cfg = run_config(mode, &w, 3, 30);
        cfg.cores = cores;
        gs_run_result r;
        assert_int_equal(gs_run(&cfg, &r), 0);
        check_consistent(&r, 30);
        for (uint32_t i = 0; i < r.nworkers; i++)
            if (r.workers[i].cpus != (cores ? cores : allowed))
                fail_msg("%s %u could run on %u CPUs; want %u", gs_mode_singular[mode], i, r.workers[i].cpus,
                         cores ? cores : allowed);
        gs_run_result_free(&r);
    }
    assert_int_equal(gs_cpus_allowed(), allowed); /* the runner's own mask is back */
    gs_run_config cfg = run_config(mode, &w, 1, 1);
    cfg.cores = allowed + 1;
    gs_run_result r;
    assert_int_equal(gs_run(&cfg, &r), -1);
    assert_non_null(strstr(r.error, "cannot pin the workers"));
    gs_run_result_free(&r);
    gs_workload_free(&w);
}
