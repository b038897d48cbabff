/* json.c - the whole experiment as JSON, schema "gilsim-run" version
 * GS_JSON_SCHEMA_VERSION (documented in docs/json-schema.md).
 *
 * jansson builds the document, so every string is escaped correctly.  A
 * figure that does not apply to the mode is null, never a zero that could
 * be mistaken for a measurement. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../sched/sim.h"
#include "../sched/summary.h"
#include "escape.h"
#include "output.h"
#include "report.h"

#ifndef GILSIM_VERSION
#define GILSIM_VERSION "unknown"
#endif

static json_t *figures_json(uint64_t count, uint64_t p50, uint64_t p99, uint64_t min, uint64_t max, double mean)
{
    if (count == 0)
        return json_null();
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}", "count", (json_int_t)count, "p50", (json_int_t)p50, "p99",
                     (json_int_t)p99, "min", (json_int_t)min, "max", (json_int_t)max, "mean", mean);
}

static json_t *hist_json(const gs_hist *h)
{
    return figures_json(h->count, gs_hist_percentile(h, 50), gs_hist_percentile(h, 99), h->min, h->max,
                        gs_hist_mean(h));
}

static json_t *worker_hist_json(const gs_worker_hist *h)
{
    return figures_json(h->count, gs_worker_hist_percentile(h, 50), gs_worker_hist_percentile(h, 99), h->min, h->max,
                        gs_worker_hist_mean(h));
}

static json_t *lock_json(const gs_lock_totals *l)
{
    json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
                     "acquisitions", (json_int_t)l->acquisitions, "contended", (json_int_t)l->contended,
                     "switches", (json_int_t)l->switches_in, "drop_requests", (json_int_t)l->drop_requests,
                     "forced_drops", (json_int_t)l->forced_drops, "voluntary_drops",
                     (json_int_t)l->voluntary_drops, "wait_total_ns", (json_int_t)l->wait_ns, "hold_total_ns",
                     (json_int_t)l->hold_ns, "wait_ns", hist_json(&l->wait), "hold_ns",
                     hist_json(&l->hold), "handoff_ns", hist_json(&l->handoff));
    json_object_set_new(o, "tick_drops", json_integer((json_int_t)l->tick_drops));
    json_object_set_new(o, "forced_to_asker", json_integer((json_int_t)l->forced_to_asker));
    json_object_set_new(o, "forced_to_other", json_integer((json_int_t)l->forced_to_other));
    json_object_set_new(o, "futile_wakeups", json_integer((json_int_t)l->futile_wakeups));
    json_object_set_new(o, "queue_max", json_integer((json_int_t)l->queue_max));
    json_object_set_new(o, "queue_mean",
                        json_real(l->acquisitions ? (double)l->queue_sum / (double)l->acquisitions : 0));
    return o;
}

/* A worker's: its own totals, made as the run's are. */
static json_t *worker_lock_json(const gs_lock_stats *l)
{
    static gs_lock_totals own; /* 23 KiB: not on the stack */
    gs_lock_totals_init(&own);
    gs_lock_totals_add(&own, l);
    return lock_json(&own);
}

static json_t *io_json(uint64_t ops, json_t *latency)
{
    return json_pack("{s:I, s:o}", "ops", (json_int_t)ops, "latency_ns", latency);
}

static json_t *worker_json(const gs_worker_result *w, gs_mode mode, uint32_t nulocks)
{
    bool has_lock = mode != GS_MODE_ASYNC; /* a task has no lock of its own */
    json_t *o = json_pack("{s:I, s:I, s:I, s:b, s:I, s:I, s:f, s:f, s:o, s:o, s:{s:I, s:I}}",
                          "id", (json_int_t)w->id, "first_unit", (json_int_t)w->first_unit, "units",
                          (json_int_t)w->units, "failed", w->failed, "checksum", (json_int_t)w->checksum,
                          "instructions", (json_int_t)w->instructions, "wall_s",
                          (double)(w->end_ns - w->start_ns) / 1e9, "cpu_s", (double)w->cpu_ns / 1e9, "lock",
                          has_lock ? worker_lock_json(&w->lock) : json_null(), "io", io_json(w->io_ops, worker_hist_json(&w->io_latency)),
                          "events", "recorded", (json_int_t)w->rec.n, "dropped", (json_int_t)w->rec.dropped);
    json_object_set_new(o, "error", w->failed ? gs_json_text(w->rare->error) : json_null());
    json_object_set_new(o, "core_wait_s", w->core_wait_known && has_lock ? json_real((double)w->core_wait_ns / 1e9)
                                                                         : json_null());
    json_object_set_new(o, "loop_lag_ns", mode == GS_MODE_ASYNC ? worker_hist_json(&w->loop_lag) : json_null());
    json_object_set_new(o, "cpus", json_integer((json_int_t)w->cpus));
    json_object_set_new(o, "native", json_pack("{s:I, s:f}", "calls", (json_int_t)w->native_calls, "time_s",
                                               (double)w->native_ns / 1e9));
    json_object_set_new(o, "transfer", w->transfer_bytes ? json_pack("{s:I, s:f}", "bytes",
                                                                     (json_int_t)w->transfer_bytes, "time_s",
                                                                     (double)w->transfer_ns / 1e9)
                                                         : json_null());
    json_t *locks = json_array();
    for (uint32_t i = 0; i < nulocks; i++)
        json_array_append_new(locks, json_pack("{s:I, s:I, s:I, s:I, s:I}", "acquisitions",
                                               (json_int_t)w->rare->ulocks[i].acquisitions, "contended",
                                               (json_int_t)w->rare->ulocks[i].contended, "wait_total_ns",
                                               (json_int_t)w->rare->ulocks[i].wait_ns, "held_total_ns",
                                               (json_int_t)w->rare->ulocks[i].held_ns, "futile_wakeups",
                                               (json_int_t)w->rare->ulocks[i].futile));
    json_object_set_new(o, "user_locks", locks);
    return o;
}

/* The program's own figures: its shared variables at the end, the race's
 * lost updates, native calls, user locks. */
static void program_json(json_t *o, const gs_run_result *r, const gs_run_summary *s)
{
    const gs_program *p = &r->cfg.workload->prog;
    json_t *shared = json_object();
    for (uint32_t i = 0; i < r->nshared; i++)
        json_object_set_new(shared, p->shared[i].name, json_integer((json_int_t)r->shared[i]));
    json_object_set_new(o, "shared", shared);
    json_object_set_new(o, "race", s->has_race ? json_pack("{s:I, s:I, s:I}", "updates_expected",
                                                           (json_int_t)s->updates_expected, "updates_lost",
                                                           (json_int_t)s->lost_updates, "counter_end",
                                                           (json_int_t)(s->updates_expected - (uint64_t)s->lost_updates))
                                               : json_null());
    json_object_set_new(o, "native", json_pack("{s:I, s:f, s:I}", "calls", (json_int_t)s->native_calls, "time_s",
                                               (double)s->native_ns / 1e9, "max_at_once", (json_int_t)s->native_max));
    json_object_set_new(o, "transfer", s->transfer_bytes ? json_pack("{s:I, s:f}", "bytes",
                                                                     (json_int_t)s->transfer_bytes, "time_s",
                                                                     (double)s->transfer_ns / 1e9)
                                                         : json_null());
    json_t *locks = json_array();
    for (uint32_t i = 0; i < s->nulocks; i++) {
        const gs_ulock_summary *u = &s->ulocks[i];
        json_t *l = json_pack("{s:s, s:I, s:I, s:I, s:I, s:f}", "name", p->ulocks[i].name, "acquisitions",
                              (json_int_t)u->counts.acquisitions, "contended", (json_int_t)u->counts.contended,
                              "wait_total_ns", (json_int_t)u->counts.wait_ns, "held_total_ns",
                              (json_int_t)u->counts.held_ns, "held_fraction", u->held_fraction);
        json_object_set_new(l, "wait_p50_ns", u->counts.contended ? json_integer((json_int_t)u->wait_p50) : json_null());
        json_object_set_new(l, "wait_p99_ns", u->counts.contended ? json_integer((json_int_t)u->wait_p99) : json_null());
        json_object_set_new(l, "futile_wakeups", json_integer((json_int_t)u->counts.futile));
        json_array_append_new(locks, l);
    }
    json_object_set_new(o, "user_locks", locks);
}


static json_t *real_or_null(bool applies, double v)
{
    return applies ? json_real(v) : json_null();
}

static json_t *run_json(const gs_run_result *r, const gs_run_summary *s)
{
    gs_mode mode = r->cfg.mode;
    json_t *workers = json_array();
    for (uint32_t i = 0; i < r->nworkers; i++)
        json_array_append_new(workers, worker_json(&r->workers[i], mode, r->nulocks));
    json_t *o = json_pack("{s:I, s:f, s:I, s:I, s:f, s:I, s:f, s:I, s:b}", "workers", (json_int_t)r->nworkers,
                          "wall_s", s->wall_s, "units", (json_int_t)s->units, "instructions",
                          (json_int_t)s->instructions, "cpu_s", (double)s->cpu_ns / 1e9, "checksum",
                          (json_int_t)s->checksum, "throughput", s->throughput, "failed",
                          (json_int_t)r->failed, "stopped", r->stopped);
    json_object_set_new(o, "time", json_pack("{s:f, s:o, s:f, s:f}", "cpu_s",
                                             (double)(mode == GS_MODE_ASYNC ? r->loop_cpu_ns : s->cpu_ns) / 1e9,
                                             "core_wait_s", s->core_wait_known ? json_real((double)s->core_wait_ns / 1e9)
                                                                               : json_null(),
                                             "lock_wait_s", (double)s->lock_wait_ns / 1e9, "io_s",
                                             (double)s->io_ns / 1e9));
    json_object_set_new(o, "cores", json_integer((json_int_t)s->cores));
    json_object_set_new(o, "core_wait_share", s->core_wait_known ? json_real(s->core_wait_share) : json_null());
    json_object_set_new(o, "others_share", s->others_known ? json_real(s->others_share) : json_null());
    json_object_set_new(o, "spawn_s", json_real((double)r->spawn_ns / 1e9));
    json_object_set_new(o, "collect_s", json_real((double)r->collect_ns / 1e9));
    gs_lock_scope scope = gs_lock_scope_of(&r->cfg);
    json_object_set_new(o, "lock_scope", json_string(gs_lock_scope_names[scope]));
    json_object_set_new(o, "lock", lock_json(&s->lock));
    json_object_set_new(o, "held_fraction", real_or_null(gs_held_applies(scope), s->held_fraction));
    json_object_set_new(o, "wait_fraction", json_real(s->wait_fraction));
    json_object_set_new(o, "switches_per_s", real_or_null(gs_switches_apply(scope), s->switches_per_s));
    json_object_set_new(o, "fairness", json_real(s->fairness));
    json_object_set_new(o, "io", io_json(s->io_ops, hist_json(&s->io_latency)));
    json_object_set_new(o, "loop_lag_ns", mode == GS_MODE_ASYNC ? hist_json(&s->loop_lag) : json_null());
    json_object_set_new(o, "events", json_pack("{s:I, s:I}", "recorded", (json_int_t)s->events, "dropped",
                                               (json_int_t)s->events_dropped));
    program_json(o, r, s);
    json_object_set_new(o, "per_worker", workers);
    return o;
}

static json_t *config_json(const gs_experiment *e)
{
    const gs_run_config *c = &e->cfg;
    bool io = gs_program_io_kinds(&c->workload->prog) != 0;
    json_t *o = json_pack("{s:s, s:I, s:s, s:I, s:b, s:I, s:s, s:I, s:b, s:o, s:I, s:b, s:I}", "mode",
                     gs_mode_names[c->mode], "workers", (json_int_t)c->workers, "workload", c->workload->name,
                     "work", (json_int_t)c->work, "weak_scaling", c->weak, "unit_size",
                     (json_int_t)c->workload->unit_size, "gil", gs_gil_policy_names[c->gil.policy], "switch_interval_ns",
                     (json_int_t)c->gil.interval_ns, "force_switching", c->gil.force_switching, "io_latency_ns",
                     io ? json_integer((json_int_t)c->io_latency_ns) : json_null(), "repeat",
                     (json_int_t)e->repeat, "baseline", e->baseline, "timeout_ns", (json_int_t)c->timeout_ns);
    json_object_set_new(o, "cores", c->cores ? json_integer((json_int_t)c->cores) : json_null());
    json_object_set_new(o, "transfer_bytes", json_integer((json_int_t)c->transfer_bytes));
    json_object_set_new(o, "time", json_string(c->sim ? "virtual" : "real"));
    /* The reports show a program by its label; the file's name as given
     * is data, kept here (escape.h: JSON holds any text). */
    json_object_set_new(o, "program", c->workload->spec.kind == GS_WL_PROGRAM ? gs_json_text(c->workload->spec.path)
                                                                              : json_null());
    json_object_set_new(o, "model", gs_model_json(c->sim));
    json_object_set_new(o, "check_interval", gs_gil_has(c->gil.policy, GS_TRAIT_TICKS)
                                                 ? json_integer((json_int_t)c->gil.check_interval)
                                                 : json_null());
    return o;
}

json_t *gs_model_json(const gs_sim_model *m)
{
    if (!m)
        return json_null();
    json_t *o = json_pack("{s:I, s:I, s:f, s:I}", "cores", (json_int_t)m->cores, "seed", (json_int_t)m->seed,
                          "instruction_ns", m->instruction_ns, "background", (json_int_t)m->background);
    for (int i = 0; i < GS_SIM_COST_COUNT; i++)
        json_object_set_new(o, gs_sim_costs[i].field, json_integer((json_int_t)gs_sim_cost_of(m, &gs_sim_costs[i])));
    return o;
}

json_t *gs_host_json(const gs_host *h)
{
    return json_pack("{s:I, s:I, s:s, s:s}", "cores", (json_int_t)h->cores, "cores_allowed", (json_int_t)h->allowed,
                     "cpu", h->cpu, "os", h->os);
}

json_t *gs_command_json(int argc, char *const argv[])
{
    json_t *a = json_array();
    for (int i = 0; i < argc && argv; i++)
        json_array_append_new(a, gs_json_text(argv[i]));
    return a;
}

json_t *gs_verdict_json(const gs_verdict *v, gs_mode mode, uint32_t workers)
{
    json_t *doubts = json_array();
    for (int d = 0; d < GS_DOUBT_COUNT; d++) {
        char text[512];
        if (gs_verdict_has(v, (gs_doubt)d))
            json_array_append_new(doubts, json_pack("{s:s, s:s}", "kind", gs_doubt_names[d], "text",
                                                    gs_verdict_say(v, (gs_doubt)d, mode, workers, text, sizeof text)));
    }
    return json_pack("{s:b, s:o}", "trusted", gs_verdict_trusted(v), "doubts", doubts);
}

static json_t *experiment_json(const gs_experiment *e, const gs_host *h)
{
    json_t *runs = json_array();
    for (uint32_t i = 0; i < e->nruns; i++)
        json_array_append_new(runs, run_json(&e->runs[i], &e->summaries[i]));
    const gs_run_summary *m = &e->summaries[e->median];
    json_t *summary = json_pack("{s:f, s:f, s:f, s:I, s:f, s:I}", "wall_s", m->wall_s, "wall_min_s",
                                e->wall_min_s, "wall_max_s", e->wall_max_s, "median_run", (json_int_t)e->median,
                                "throughput", m->throughput, "checksum", (json_int_t)m->checksum);
    json_object_set_new(summary, "speedup", e->have_baseline ? json_real(e->speedup) : json_null());
    json_object_set_new(summary, "efficiency", e->have_baseline ? json_real(e->efficiency) : json_null());
    json_object_set_new(summary, "baseline_wall_s",
                        e->have_baseline ? json_real(e->base_summary.wall_s) : json_null());
    json_object_set_new(summary, "checksum_matches_baseline",
                        e->checksum_ok < 0 ? json_null() : json_boolean(e->checksum_ok));
    json_object_set_new(summary, "checksum_of_split_alone",
                        e->split_alone_known ? json_integer((json_int_t)e->split_alone) : json_null());
    bool spread = e->have_baseline && e->nbase > 1 && e->nruns > 1;
    json_object_set_new(summary, "speedup_min", spread ? json_real(e->speedup_min) : json_null());
    json_object_set_new(summary, "speedup_max", spread ? json_real(e->speedup_max) : json_null());
    json_object_set_new(summary, "baseline_runs", json_integer((json_int_t)e->nbase));
    json_object_set_new(summary, "baseline_wall_min_s", e->nbase ? json_real(e->base_wall_min_s) : json_null());
    json_object_set_new(summary, "baseline_wall_max_s", e->nbase ? json_real(e->base_wall_max_s) : json_null());
    gs_verdict v;
    gs_judge(e, &v);
    json_object_set_new(summary, "verdict", gs_verdict_json(&v, e->cfg.mode, e->cfg.workers));
    json_t *differ = json_array(); /* shared variables that ended otherwise than in the 1-worker run */
    double lost;
    for (int k = gs_experiment_shared_differs(e, 0, &lost); k >= 0;
         k = gs_experiment_shared_differs(e, (uint32_t)k + 1, &lost))
        json_array_append_new(differ, json_pack("{s:o, s:I, s:I, s:f}", "name",
                                                gs_json_text(e->cfg.workload->prog.shared[k].name), "end",
                                                (json_int_t)e->runs[e->median].shared[k], "baseline_end",
                                                (json_int_t)e->base.shared[k], "lost_share", lost));
    json_object_set_new(summary, "shared_differs", differ);
    return json_pack("{s:s, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "schema", "gilsim-run", "schema_version",
                     GS_JSON_SCHEMA_VERSION, "gilsim_version", GILSIM_VERSION, "command",
                     gs_command_json(e->argc, e->argv), "host", gs_host_json(h), "config", config_json(e), "summary",
                     summary, "runs", runs, "baseline",
                     e->have_baseline ? run_json(&e->base, &e->base_summary) : json_null());
}

int gs_write_json(FILE *f, const gs_experiment *e, const gs_host *h)
{
    json_t *doc = experiment_json(e, h);
    bool ok = doc && json_dumpf(doc, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF;
    json_decref(doc);
    return ok ? 0 : -1;
}
