/* verdict.c - the checks a run's figures must pass before a sentence
 * explains them (see verdict.h for each and its bound). */
#include <math.h>
#include <stdio.h>

#include "../../interp/opcodes.h"
#include "../verdict.h"

const char *const gs_doubt_names[GS_DOUBT_COUNT] = {
#define GS_DOUBT_NAME(e, name) [GS_DOUBT_##e] = name,
    GS_DOUBTS(GS_DOUBT_NAME)
#undef GS_DOUBT_NAME
};

/* A program that only computes: no I/O and no native call, so nothing but
 * the lock and the cores decides how fast its workers go. */
static bool only_computes(const gs_run_config *cfg)
{
    const gs_program *p = &cfg->workload->prog;
    return gs_program_io_kinds(p) == 0 && !gs_program_has_op(p, GS_OP_NATIVE);
}

static double spread_of(double min_s, double max_s, double median_s)
{
    return median_s > 0 ? (max_s - min_s) / median_s : 0;
}

void gs_judge(const gs_experiment *e, gs_verdict *v)
{
    *v = (gs_verdict){0};
    if (e->nruns == 0)
        return;
    const gs_run_config *cfg = &e->cfg;
    uint32_t nbase = e->base_summaries ? e->nbase : (e->have_baseline ? 1 : 0);
    for (uint32_t i = 0; i < e->nruns + nbase; i++) {
        bool base = i >= e->nruns;
        const gs_run_summary *s = !base ? &e->summaries[i]
                                  : e->base_summaries ? &e->base_summaries[i - e->nruns] : &e->base_summary;
        /* One thread that only computes is on a CPU all its life, but for
         * what keeps it off one: a wait for a core, or the host of a
         * virtual machine running others (steal, which no wait counts).
         * (One that sleeps waits for a core at every wake-up, on any
         * machine: only others' CPU time tells about it.) */
        bool one_thread = (base || cfg->workers == 1 || cfg->mode == GS_MODE_ASYNC) && only_computes(cfg);
        double off = one_thread ? s->off_cpu_share : 0;
        double waited = one_thread ? (s->core_wait_share > off ? s->core_wait_share : off) : 0;
        /* Both shares are of a time x over cpu_ns + x: under
         * GS_CORE_WAIT_MIN_NS of it, that is the threads' own start and
         * wake-ups; and other programs are counted only within the wait. */
        if (waited > 0 && waited < 1 && (double)s->cpu_ns * waited / (1 - waited) < GS_CORE_WAIT_MIN_NS)
            waited = 0;
        if (s->core_wait_ns >= GS_CORE_WAIT_MIN_NS && s->others_share > v->busy_share)
            *v = (gs_verdict){.busy_share = s->others_share, .busy_baseline = base};
        if (waited > v->busy_share)
            *v = (gs_verdict){.busy_share = waited, .busy_baseline = base, .busy_waited = true};
    }
    if (v->busy_share > GS_BUSY_SHARE_MAX)
        v->doubts |= 1u << GS_DOUBT_BUSY;

    /* Workers that only compute want a core whenever they are not waiting
     * for the lock; with a core each, only other programs can keep them
     * off one.  What those do not explain, the OS did by putting them
     * together (verdict.h, stacked).  The run judged is the median one,
     * whose figures the report gives: where the OS puts the workers is
     * drawn anew each run, so more repeats make a doubt rarer, not more
     * likely.  Virtual time's machine never stacks them: its waits for a
     * core are the model's. */
    if (!cfg->sim && cfg->mode != GS_MODE_ASYNC && cfg->workers > 1 && only_computes(cfg)) {
        const gs_run_summary *s = &e->summaries[e->median];
        if (cfg->workers <= s->cores && s->core_wait_ns >= GS_CORE_WAIT_MIN_NS && gs_stacked_share(s) > 0) {
            v->stacked_share = gs_stacked_share(s);
            v->stacked_sure = s->core_wait_share - s->others_max_share > GS_STACKED_SHARE_MAX;
        }
    }
    if (v->stacked_share > GS_STACKED_SHARE_MAX)
        v->doubts |= 1u << GS_DOUBT_STACKED;

    const gs_run_result *median = e->runs ? &e->runs[e->median] : NULL;
    bool whole = !median || (median->failed == 0 && !median->stopped); /* no speedup of work not all done */
    if (e->have_baseline && e->speedup > 0 && whole) {
        const gs_run_summary *m = &e->summaries[e->median];
        uint32_t cores = m->cores < cfg->workers ? m->cores : cfg->workers;
        v->speedup = e->speedup;
        if (cfg->mode == GS_MODE_ASYNC) {
            double cpu = (double)e->base_summary.cpu_ns / 1e9;
            v->bound = cpu > 0 ? e->base_summary.wall_s / cpu : 0;
            if (v->bound > 0 && e->speedup > v->bound * GS_ONE_LOCK_SPEEDUP_MAX)
                v->doubts |= 1u << GS_DOUBT_BEYOND_CPU;
        } else if (only_computes(cfg) && gs_lock_scope_of(cfg) == GS_SCOPE_SHARED && cfg->workers > 1 &&
                   e->speedup > GS_ONE_LOCK_SPEEDUP_MAX) {
            v->bound = 1;
            v->doubts |= 1u << GS_DOUBT_UNDER_ONE_LOCK;
        } else if (only_computes(cfg) && e->speedup > cores * GS_CORES_SLACK) {
            v->bound = cores;
            v->doubts |= 1u << GS_DOUBT_BEYOND_CORES;
        }
    }

    if (e->have_baseline && whole && e->base_summary.units && e->base_summary.instructions) {
        const gs_run_summary *m = &e->summaries[e->median];
        double per_unit = m->units ? (double)m->instructions / (double)m->units : 0;
        double base_per_unit = (double)e->base_summary.instructions / (double)e->base_summary.units;
        double ratio = per_unit / base_per_unit;
        double apart = fabs((double)m->instructions - base_per_unit * (double)m->units) / cfg->workers;
        if ((ratio > GS_WORK_SLACK || ratio * GS_WORK_SLACK < 1) && apart > GS_WORK_PER_WORKER_MIN) {
            v->work_ratio = ratio;
            v->doubts |= 1u << GS_DOUBT_UNEQUAL_WORK;
        }
    }

    double runs = e->nruns > 1 ? spread_of(e->wall_min_s, e->wall_max_s, e->summaries[e->median].wall_s) : 0;
    double bases = e->nbase > 1 ? spread_of(e->base_wall_min_s, e->base_wall_max_s, e->base_summary.wall_s) : 0;
    v->spread = runs > bases ? runs : bases;
    v->spread_baseline = bases > runs;
    if (v->spread > GS_SPREAD_MAX)
        v->doubts |= 1u << GS_DOUBT_UNSTEADY;
}

const char *gs_verdict_say(const gs_verdict *v, gs_doubt d, gs_mode mode, uint32_t workers, char *buf, size_t size)
{
    const char *one = gs_mode_singular[mode], *many = gs_mode_plural[mode];
    switch (d) {
    case GS_DOUBT_BUSY: {
        char run[64];
        snprintf(run, sizeof run, "the %u-%s run", v->busy_baseline ? 1 : workers, one);
        if (v->busy_waited)
            snprintf(buf, size, "this machine was busy: %s was kept off a CPU %.0f%% of its time, so these "
                     "figures say more about the other programs than about the lock", run, 100 * v->busy_share);
        else
            snprintf(buf, size, "this machine was busy: other programs ran while %s waited for a core, %.0f%% of "
                     "the time it wanted one, so these figures say more about them than about the lock", run,
                     100 * v->busy_share);
        break;
    }
    case GS_DOUBT_STACKED: {
        static const char vm_stacking[] =
            "in a virtual machine, Linux may wake a thread on its waker's busy core while another core idles";
        if (v->stacked_sure)
            snprintf(buf, size, "the operating system ran these %u %s on fewer cores than they had: they waited "
                     "for a core %.0f%% of the time they wanted one, more than other programs explain, so who ran "
                     "when was its doing, not the lock's (%s)", workers, many, 100 * v->stacked_share, vm_stacking);
        else
            snprintf(buf, size, "these %u %s waited for a core %.0f%% of the time they wanted one, though they "
                     "had a core each: other programs or the operating system's placement of them (%s) kept "
                     "them off, and this machine's counters cannot tell which in a run this short; either way "
                     "who ran when was not the lock's doing", workers, many, 100 * v->stacked_share, vm_stacking);
        break;
    }
    case GS_DOUBT_BEYOND_CORES:
        snprintf(buf, size, "a speedup of %.2fx (efficiency %.0f%%) cannot be: %u %s that only compute can go "
                 "at most %.0fx as fast as one on the cores they had; the 1-%s run was slowed by something else",
                 v->speedup, 100 * v->speedup / workers, workers, many, v->bound, one);
        break;
    case GS_DOUBT_UNDER_ONE_LOCK:
        snprintf(buf, size, "a speedup of %.2fx cannot be: %s that only compute under one lock run bytecode one "
                 "at a time, so they go at most as fast as one (up to %.1fx for measuring noise); the 1-%s run "
                 "was slowed by something else", v->speedup, many, GS_ONE_LOCK_SPEEDUP_MAX, one);
        break;
    case GS_DOUBT_BEYOND_CPU:
        snprintf(buf, size, "a speedup of %.2fx cannot be: the tasks share one thread, and the 1-task run "
                 "computed for 1/%.2f of its time, so %u tasks can go at most %.2fx as fast; the 1-task run "
                 "was slowed by something else", v->speedup, v->bound, workers, v->bound);
        break;
    case GS_DOUBT_UNSTEADY:
        snprintf(buf, size, "the repeats disagree: the %s runs' slowest took %.0f%% longer than their fastest, "
                 "of the median", v->spread_baseline ? "1-worker" : "measured", 100 * v->spread);
        break;
    case GS_DOUBT_UNEQUAL_WORK:
        snprintf(buf, size, "the %u %s ran %.2fx as many instructions a unit as the 1 %s did, so the speedup "
                 "compares unequal work, not what the lock did: a program whose units' work depends on how they "
                 "are shared out (a main that ignores its count, or that chooses its work by its first unit) or "
                 "that waits by spinning does this", workers, many, v->work_ratio, one);
        break;
    default:
        snprintf(buf, size, "?");
        break;
    }
    return buf;
}
