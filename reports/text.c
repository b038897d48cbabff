/* text.c - the terminal report: the answer first, then the figures that
 * explain it.  Every line fits 80 columns. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sched/summary.h"
#include "../sched/sim.h"
#include "../sched/verdict.h"
#include "../interp/label.h"
#include "escape.h"
#include "report.h"

#define MAX_WORKER_ROWS 16 /* beyond this the table shows the first ones */

static const char *plural(uint32_t n, gs_mode mode)
{
    return n == 1 ? gs_mode_singular[mode] : gs_mode_plural[mode];
}

/* The second half of the answer: why the speedup is what it is, in the
 * terms of the mode, from the measured figures.  Empty when there is
 * nothing to add. */
static void why(FILE *out, const gs_run_result *r, const gs_run_summary *s, const gs_host *h)
{
    const gs_run_config *c = &r->cfg;
    char a[32], b[32];
    switch (gs_lock_scope_of(c)) {
    case GS_SCOPE_SHARED:
        if (c->workers < 2)
            break;
        fprintf(out, ":\nthe lock was held %.1f%% of the time; each thread waited for it %.0f%% of its time",
                100 * s->held_fraction, 100 * s->wait_fraction);
        if (gs_gil_has(c->gil.policy, GS_TRAIT_TICKS))
            fprintf(out, ";\nit was released every %llu instructions, and %" PRIu64 " wake-ups\nfound it taken again",
                    (unsigned long long)c->gil.check_interval, s->lock.futile_wakeups);
        else if (gs_gil_has(c->gil.policy, GS_TRAIT_QUEUE))
            fprintf(out, ";\nit went to the waiters in arrival order, up to %" PRIu64 " queued", s->lock.queue_max);
        break;
    case GS_SCOPE_PER_WORKER: {
        if (c->workers < 2)
            break;
        double life = 0; /* the workers' time, of which I/O took io_latency's sum */
        for (uint32_t i = 0; i < r->nworkers; i++)
            life += r->workers[i].end_ns > r->workers[i].start_ns
                        ? (double)(r->workers[i].end_ns - r->workers[i].start_ns) : 0;
        double io = life > 0 ? (double)s->io_latency.sum / life : 0;
        if (io > 0.5) /* cores were not what mattered */
            fprintf(out, ":\neach %s had its own lock, and spent %.0f%% of its time in I/O, which\nneeds no core",
                    gs_mode_singular[c->mode], 100 * io);
        else
            fprintf(out, ":\neach %s had its own lock, so up to %ld ran at once", gs_mode_singular[c->mode],
                    gs_usable_cores(c, h) < (long)c->workers ? gs_usable_cores(c, h) : (long)c->workers);
        if (c->mode == GS_MODE_PROCESSES)
            fprintf(out, ";\nforking them took %s, collecting their results %s", gs_fmt_ns((double)r->spawn_ns, a),
                    gs_fmt_ns((double)r->collect_ns, b));
        if (s->transfer_bytes)
            fprintf(out, ";\neach spent %s sending its data %s (--transfer)",
                    gs_fmt_ns((double)s->transfer_ns / c->workers, a),
                    c->mode == GS_MODE_PROCESSES ? "home" : "through a channel");
        break;
    }
    case GS_SCOPE_NONE:
        if (c->workers > 1)
            fprintf(out, ":\nthere was no %slock, so up to %ld threads ran at once",
                    gs_gil_has(c->gil.policy, GS_TRAIT_OBJECTS) ? "global " : "",
                    gs_usable_cores(c, h) < (long)c->workers ? gs_usable_cores(c, h) : (long)c->workers);
        break;
    case GS_SCOPE_LOOP:
        fprintf(out, ":\none thread ran every task, so the lock was ");
        if (s->lock.contended == 0)
            fprintf(out, "never contended");
        else
            fprintf(out, "contended %" PRIu64 " times", s->lock.contended);
        if (s->loop_lag.count)
            fprintf(out, ";\ntimers fired up to %s late (loop lag p99)",
                    gs_fmt_ns((double)gs_hist_percentile(&s->loop_lag, 99), a));
        break;
    default:
        break;
    }
}

void gs_wrap(FILE *out, const char *first, const char *text)
{
    int indent = (int)strlen(first), col = indent;
    fputs(first, out);
    for (const char *p = text; *p;) {
        size_t word = strcspn(p, " ");
        if (col > indent && col + 1 + (int)word > 78) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, word, out);
        col += (int)word;
        p += word;
        p += strspn(p, " ");
    }
    fputc('\n', out);
}

/* Prints the len bytes of text from column col, breaking lines at spaces
 * before column 80, each new line indented to column indent. */
static void wrapped(FILE *out, const char *text, size_t len, int col, int indent)
{
    for (const char *p = text, *end = text + len; p < end;) {
        const char *space = memchr(p, ' ', (size_t)(end - p));
        int word = (int)((space ? space : end) - p);
        if (p > text && col + 1 + word <= 80) {
            fputc(' ', out);
            col++;
        } else if (p > text) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        }
        fwrite(p, 1, (size_t)word, out);
        col += word;
        p += word + (space != NULL);
    }
}

/* A count people read: 12345, 371.2 million, 4.6 billion. */
static const char *count_words(uint64_t n, char buf[32])
{
    if (n < 1000000)
        snprintf(buf, 32, "%" PRIu64, n);
    else if (n < 1000000000)
        snprintf(buf, 32, "%.1f million", (double)n / 1e6);
    else
        snprintf(buf, 32, "%.1f billion", (double)n / 1e9);
    return buf;
}

/* A count people read: 2,668,524. */
static const char *grouped(int64_t n, char buf[32])
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%" PRId64, n < 0 ? -n : n), out = 0;
    if (n < 0)
        buf[out++] = '-';
    for (int i = 0; i < len; i++) {
        buf[out++] = digits[i];
        if ((len - i - 1) % 3 == 0 && i + 1 < len)
            buf[out++] = ',';
    }
    buf[out] = '\0';
    return buf;
}

/* Updates lost, said where the answer is: the race workload's counter
 * against the updates made, or a student's shared variable that ended
 * otherwise than in the 1-worker run. */
static void shared_headline(FILE *out, const gs_experiment *e, bool color)
{
    const gs_run_summary *s = &e->summaries[e->median];
    double lost;
    char name[64], got[32], want[32], text[512];
    int v = gs_experiment_shared_differs(e, 0, &lost), len;
    if (s->has_race && s->lost_updates > 0) {
        lost = s->updates_expected ? (double)s->lost_updates / (double)s->updates_expected : 0;
        len = snprintf(text, sizeof text, "The counter ended at %s after %s updates",
                       grouped((int64_t)(s->updates_expected - (uint64_t)s->lost_updates), got),
                       grouped((int64_t)s->updates_expected, want));
    } else if (v >= 0) {
        const gs_program *p = &e->cfg.workload->prog;
        gs_label(p->shared[v].name, strlen(p->shared[v].name), name, sizeof name);
        len = snprintf(text, sizeof text, "%s ended at %s, the 1-%s run at %s", name,
                       grouped(e->runs[e->median].shared[v], got), gs_mode_singular[e->cfg.mode],
                       grouped(e->base.shared[v], want));
    } else
        return;
    if (lost > 0 && len > 0)
        snprintf(text + len, sizeof text - (size_t)len, ": %.0f%% of its updates were lost (a race: they read and "
                 "wrote it without a lock)", 100 * lost);
    fputs(color ? "\033[1m" : "", out);
    wrapped(out, text, strlen(text), 0, 0);
    fprintf(out, ".%s\n", color ? "\033[0m" : "");
}

/* The same command line with --sim, to copy: every argument quoted for
 * the shell (pasted, `$(...)` in a file's name stays a name) and exact,
 * with no character a terminal would act on (gs_put_sh_shown: a student's
 * file name with a line end in it is written $'...\n...'). */
static void with_sim(FILE *out, const gs_experiment *e)
{
    int col = fprintf(out, "  gilsim");
    for (int i = 1; i <= e->argc && e->argv; i++) {
        const char *word = i < e->argc ? e->argv[i] : "--sim";
        char *shown = NULL;
        size_t len = 0;
        FILE *w = open_memstream(&shown, &len);
        if (w) {
            gs_put_sh_shown(w, word);
            fclose(w);
        }
        if (shown && col + 1 + (int)len > 76) /* a shell line continued, as it can be pasted */
            col = fprintf(out, " \\\n     ") - 3;
        fputc(' ', out);
        if (shown)
            fputs(shown, out);
        else /* out of memory for the width: the word, unwrapped */
            gs_put_sh_shown(out, word);
        col += 1 + (int)len;
        free(shown);
    }
    fputc('\n', out);
}

/* Each doubt as a sentence, and what to do about it. */
static void doubts(FILE *out, const gs_experiment *e, const gs_verdict *v)
{
    char text[512];
    for (int d = 0; d < GS_DOUBT_COUNT; d++)
        if (gs_verdict_has(v, (gs_doubt)d)) {
            gs_verdict_say(v, (gs_doubt)d, e->cfg.mode, e->cfg.workers, text, sizeof text);
            fputs("- ", out);
            wrapped(out, text, strlen(text), 2, 2);
            fputs(".\n", out);
        }
    if (gs_verdict_has(v, GS_DOUBT_UNEQUAL_WORK))
        gs_wrap(out, "", GS_UNEQUAL_WORK_ADVICE);
    if (!gs_verdict_rerun_helps(v))
        return;
    if (e->cfg.sim) {
        fputs("Run it again without --background, or with more --repeat.\n", out);
        return;
    }
    /* the advice fits every doubt: a stacked run was on an idle machine */
    gs_wrap(out, "", "Run it again with --repeat 5 (on an idle machine, if this one was busy), or in virtual "
                     "time, where nothing else runs:");
    with_sim(out, e);
}

static void answer(FILE *out, const gs_experiment *e, const gs_host *h, const gs_run_summary *s, bool color)
{
    const gs_run_config *c = &e->cfg;
    char text[512], wall[32], where[96], count[32];
    gs_host_where(c, h, where);
    gs_fmt_ns(s->wall_s * 1e9, wall);
    const gs_run_result *r = &e->runs[e->median];
    const char *many = plural(c->workers, c->mode);
    uint64_t units = c->weak ? c->work * c->workers : c->work;
    uint32_t finished = r->nworkers - r->failed;
    if (e->have_baseline && !r->failed && !r->stopped) /* a speedup of work not all done would mislead */
        snprintf(text, sizeof text, "%u %s ran %.2fx as fast as 1 %s %s", c->workers, many, e->speedup,
                 gs_mode_singular[c->mode], where);
    else if (r->stopped) /* a unit counts when its worker's share is done: say what ran instead */
        snprintf(text, sizeof text, "%u %s were %s after %s %s, having run %s instructions; %u of %u finished "
                 "%s share of the %" PRIu64 " unit%s", c->workers, many,
                 gs_run_stopping() ? "interrupted" : "stopped by --timeout", wall, where,
                 count_words(s->instructions, count), finished, r->nworkers, finished == 1 ? "its" : "their", units,
                 units == 1 ? "" : "s");
    else if (r->failed == r->nworkers && r->nworkers <= 2)
        snprintf(text, sizeof text, "%u %s ran %s %s; %s failed (below)", c->workers, many, wall, where,
                 r->nworkers == 1 ? "it" : "both");
    else if (r->failed == r->nworkers)
        snprintf(text, sizeof text, "%u %s ran %s %s; all %u failed (below)", c->workers, many, wall, where,
                 r->nworkers);
    else if (r->failed)
        snprintf(text, sizeof text, "%u %s ran %s %s; %u of them failed (below), the others did %" PRIu64 " of the %"
                 PRIu64 " unit%s", c->workers, many, wall, where, r->failed, s->units, units, units == 1 ? "" : "s");
    else
        snprintf(text, sizeof text, "%u %s did %" PRIu64 " unit%s in %s %s", c->workers, many, s->units,
                 s->units == 1 ? "" : "s", wall, where);
    fputs(color ? "\033[1m" : "", out);
    gs_verdict v;
    gs_judge(e, &v);
    if (!gs_verdict_trusted(&v)) { /* never explain what the measurements reject */
        size_t len = strlen(text);
        snprintf(text + len, sizeof text - len, ", but these figures cannot be trusted:");
        wrapped(out, text, strlen(text), 0, 0);
        fprintf(out, "%s\n", color ? "\033[0m" : "");
        doubts(out, e, &v);
        shared_headline(out, e, color);
        return;
    }
    wrapped(out, text, strlen(text), 0, 0);
    why(out, r, s, h);
    fprintf(out, ".%s\n", color ? "\033[0m" : "");
    shared_headline(out, e, color);
}

static void failures(FILE *out, const gs_run_result *r)
{
    if (r->stopped)
        fprintf(out, "\nThe run was stopped before it finished; the figures cover what was done.\n");
    if (!r->failed)
        return;
    fprintf(out, "\n%u of %u %s failed:\n", r->failed, r->nworkers, gs_mode_plural[r->cfg.mode]);
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const gs_worker_result *w = &r->workers[i];
        if (!w->failed)
            continue;
        int col = fprintf(out, "  %s %u: ", gs_mode_singular[r->cfg.mode], w->id);
        const char *frames = strchr(w->rare->error, '\n');
        wrapped(out, w->rare->error, frames ? (size_t)(frames - w->rare->error) : strlen(w->rare->error), col, 6);
        for (const char *p = frames; p && *p; p++) /* the frame lines, indented */
            fputs(*p == '\n' ? "\n    " : (char[2]){*p, 0}, out);
        fputc('\n', out);
    }
}

/* The workload line: what ran, how much, and where each setting came
 * from when a user could wonder (a program's unit size and work, what a
 * sleep lasts). */
static void workload_line(FILE *out, const gs_run_config *c)
{
    const gs_workload *w = c->workload;
    char line[640], lat[32];
    uint64_t units = c->weak ? c->work * c->workers : c->work;
    int n = snprintf(line, sizeof line, "%s, %" PRIu64 " unit%s%s", w->name, units, units == 1 ? "" : "s",
                     w->whole ? " (weak scaling: its main takes no count of units, so each worker ran all of it)"
                     : c->weak ? " (weak scaling)" : "");
    if (w->work_from == GS_FROM_MEASURED)
        n += snprintf(line + n, sizeof line - (size_t)n, " (about a second's worth for one worker, measured here: "
                      "--work N to choose)");
    if (w->spec.kind == GS_WL_PROGRAM && gs_workload_main_args(w) == 3) { /* else main has no size */
        static const char *const from[] = {[GS_FROM_OPTION] = "", [GS_FROM_PROGRAM] = " (the program's own)",
                                           [GS_FROM_NOWHERE] = " (none given: --unit-size N)"};
        n += snprintf(line + n, sizeof line - (size_t)n, ", unit size %" PRId64 "%s", w->unit_size,
                      w->unit_size_from <= GS_FROM_NOWHERE ? from[w->unit_size_from] : "");
    }
    unsigned kinds = gs_program_io_kinds(&w->prog);
    if (kinds & ~(1u << GS_IO_FILE)) {
        static const char *const from[] = {
            [GS_FROM_OPTION] = "",
            [GS_FROM_PROGRAM] = " (what every time.sleep in the program asks for)",
            [GS_FROM_NOWHERE] = " (the default: --io-latency D)",
        };
        bool sleeps = w->spec.kind == GS_WL_PROGRAM && (kinds & (1u << GS_IO_SLEEP));
        n += snprintf(line + n, sizeof line - (size_t)n, ", I/O latency %s%s%s", gs_fmt_ns((double)c->io_latency_ns, lat),
                      w->latency_from <= GS_FROM_NOWHERE ? from[w->latency_from] : "",
                      sleeps && w->latency_from != GS_FROM_PROGRAM ? "; every time.sleep lasts it, whatever it asks" : "");
    }
    if (kinds & (1u << GS_IO_FILE)) {
        if (c->sim)
            n += snprintf(line + n, sizeof line - (size_t)n, ", file reads of %s each (the model's --file-io)",
                          gs_fmt_ns((double)c->sim->file_io_ns, lat));
        else
            n += snprintf(line + n, sizeof line - (size_t)n, ", file reads as long as the page cache takes");
    }
    fputs("\nworkload  ", out);
    wrapped(out, line, strlen(line), 10, 10);
    fputc('\n', out);
}

/* Where the time of the threads that ran went, in total: on a CPU and
 * waiting for a core on one line, waiting for the lock and in I/O on the
 * next; wrapped as one paragraph when the first is too long (the loop
 * thread on a CPU 300.00 ms, waiting for a core 606.71 ms, came to 82
 * columns). */
static void time_line(FILE *out, const gs_run_config *c, const gs_run_summary *s)
{
    char cpu[32], core[32], lock[32], io[32], waited[64], line[256];
    double total = (double)s->cpu_ns + (double)s->core_wait_ns + (double)s->lock_wait_ns + (double)s->io_ns;
    const char *who = c->mode == GS_MODE_ASYNC ? "the loop thread" : c->workers == 1 ? "the worker" : "the workers";
    if (s->core_wait_known)
        snprintf(waited, sizeof waited, "%s (%.0f%%)", gs_fmt_ns((double)s->core_wait_ns, core),
                 total > 0 ? 100 * (double)s->core_wait_ns / total : 0);
    else
        snprintf(waited, sizeof waited, "unknown (this kernel keeps no schedstat)");
    int first = snprintf(line, sizeof line, "%s: on a CPU %s, waiting for a core %s,", who,
                         gs_fmt_ns((double)s->cpu_ns, cpu), waited);
    snprintf(line + first, sizeof line - (size_t)first, " waiting for the lock %s, in I/O %s",
             gs_fmt_ns((double)s->lock_wait_ns, lock), gs_fmt_ns((double)s->io_ns, io));
    fputs("time      ", out);
    if (10 + first <= 80)
        fprintf(out, "%.*s\n         %s\n", first, line, line + first);
    else {
        wrapped(out, line, strlen(line), 10, 10);
        fputc('\n', out);
    }
}

static void setup(FILE *out, const gs_experiment *e, const gs_run_summary *s)
{
    const gs_run_config *c = &e->cfg;
    char iv[32], w1[32], w2[32], w3[32];
    workload_line(out, c);
    static const char *const whose[GS_SCOPE_COUNT] = {
        [GS_SCOPE_SHARED] = "shared by the threads",
        [GS_SCOPE_PER_WORKER] = "one for each worker",
        [GS_SCOPE_NONE] = "no lock at all",
        [GS_SCOPE_LOOP] = "the loop thread's",
    };
    fprintf(out, "lock      %s, %s", gs_gil_policy_names[c->gil.policy], whose[gs_lock_scope_of(c)]);
    if (gs_gil_has(c->gil.policy, GS_TRAIT_TICKS))
        fprintf(out, ", check interval %llu instructions\n", (unsigned long long)c->gil.check_interval);
    else if (gs_gil_has(c->gil.policy, GS_TRAIT_OBJECTS)) {
        fprintf(out, " but each shared variable's own;\n          the %st build: %s\n",
                gs_ft_build_names[c->gil.ft_build],
                c->sim ? "its instructions and shared cache lines as the model prices them"
                       : "this machine's costs of shared lines (the build's dearer\n          bytecode is "
                         "modelled in virtual time only: --sim)");
        if (c->gil.gc_every_ns)
            fprintf(out, "          its collector stopped the world every %s for %s\n",
                    gs_fmt_ns((double)c->gil.gc_every_ns, w1), gs_fmt_ns((double)c->gil.gc_pause_ns, w2));
    }
    else if (!gs_gil_has(c->gil.policy, GS_TRAIT_INTERVAL))
        fputc('\n', out);
    else
        fprintf(out, ", switch interval %s%s\n", gs_fmt_ns((double)c->gil.interval_ns, iv),
                c->gil.force_switching || !gs_gil_has(c->gil.policy, GS_TRAIT_FORCE) ? "" : ", no forced switching");
    if (c->sim) {
        const gs_sim_model *m = c->sim;
        char seeds[64], cost[32];
        if (e->nruns > 1)
            snprintf(seeds, sizeof seeds, "seeds %llu to %llu", (unsigned long long)m->seed,
                     (unsigned long long)(m->seed + e->nruns - 1));
        else
            snprintf(seeds, sizeof seeds, "seed %llu", (unsigned long long)m->seed);
        fprintf(out, "time      virtual: a modelled machine of %u cores, %s (the model's\n", m->cores, seeds);
        int col = fprintf(out, "          figures, not this machine's); instruction %.2f ns", m->instruction_ns);
        for (int i = 0; i < GS_SIM_COST_COUNT; i++) { /* every cost of the model, wrapped at 72 columns */
            const gs_sim_cost *k = &gs_sim_costs[i];
            gs_fmt_ns((double)gs_sim_cost_of(m, k), cost);
            int len = (int)(strlen(k->label) + 1 + strlen(cost));
            col += fprintf(out, ",");
            if (col + 1 + len > 72)
                col = fprintf(out, "\n         ") - 1;
            col += fprintf(out, " %s %s", k->label, cost);
        }
        fputc('\n', out);
    }
    fprintf(out, "wall      %s", gs_fmt_ns(s->wall_s * 1e9, w1));
    if (e->nruns > 1)
        fprintf(out, " (median of %u; %s .. %s)", e->nruns, gs_fmt_ns(e->wall_min_s * 1e9, w2),
                gs_fmt_ns(e->wall_max_s * 1e9, w3));
    if (e->have_baseline && e->nbase > 1) /* the baseline's spread too: a line of its own */
        fprintf(out, "\n          1 %s: %s (median of %u; %s .. %s)", gs_mode_singular[c->mode],
                gs_fmt_ns(e->base_summary.wall_s * 1e9, w1), e->nbase, gs_fmt_ns(e->base_wall_min_s * 1e9, w2),
                gs_fmt_ns(e->base_wall_max_s * 1e9, w3));
    else if (e->have_baseline)
        fprintf(out, "; 1 %s: %s", gs_mode_singular[c->mode], gs_fmt_ns(e->base_summary.wall_s * 1e9, w2));
    fputc('\n', out);
    fprintf(out, "speed     %.0f units/s", s->throughput);
    const gs_run_result *r = &e->runs[e->median];
    if (e->have_baseline && !r->failed && !r->stopped) { /* as the answer: not of work left undone */
        fprintf(out, ", speedup %.2fx", e->speedup);
        if (e->nbase > 1 && e->nruns > 1)
            fprintf(out, " (%.2f .. %.2f)", e->speedup_min, e->speedup_max);
        fprintf(out, ", efficiency %.0f%%", 100 * e->efficiency);
    }
    fputc('\n', out);
    time_line(out, c, s);
    char said[320], line[400];
    if (gs_checksum_said(e, said, sizeof said))
        snprintf(line, sizeof line, "%" PRId64 " (%s)", s->checksum, said);
    else
        snprintf(line, sizeof line, "%" PRId64, s->checksum);
    gs_wrap(out, "checksum  ", line);
}

const char *gs_checksum_said(const gs_experiment *e, char *buf, size_t size)
{
    long long wanted = (long long)gs_experiment_checksum_wanted(e), alone = (long long)e->split_alone;
    if (e->checksum_ok == 1)
        snprintf(buf, size, "%s", e->cfg.workload->whole ? "the 1-worker run's, once for each worker"
                                                          : "matches the 1-worker run");
    else if (e->checksum_ok == 0 && e->split_alone_known)
        snprintf(buf, size,
                 "DIFFERS from the 1-worker run's, %lld, and from the same split of the work run alone, %lld: "
                 "work was lost or done twice, or the program's result depends on how its workers interleaved",
                 wanted, alone);
    else if (e->checksum_ok == 0)
        snprintf(buf, size, "DIFFERS from the 1-worker run's, %lld: work was lost or done twice", wanted);
    else if (e->split_alone_known) /* unchecked, as the split run alone agreed (experiment.h) */
        snprintf(buf, size,
                 "not the 1-worker run's, %lld, but what the same split of the work gives run alone: this "
                 "program's main returns no sum over its units that adds up across workers, so its checksum "
                 "cannot check the run; README, \"Program format\"",
                 wanted);
    else
        return NULL;
    return buf;
}

static void worker_table(FILE *out, const gs_run_result *r)
{
    bool own_lock = r->cfg.mode != GS_MODE_ASYNC; /* tasks have no lock of their own */
    fprintf(out, "\n%-7s %8s %9s %9s %11s %6s %5s %9s %6s\n", gs_mode_singular[r->cfg.mode], "units", "wall",
            "cpu", "core wait", "takes", "wait", "hold mean", "I/O");
    for (uint32_t i = 0; i < r->nworkers && i < MAX_WORKER_ROWS; i++) {
        const gs_worker_result *w = &r->workers[i];
        char wall[32], cpu[32], core[32], hold[32];
        double active = (double)(w->end_ns - w->start_ns);
        /* a worker's units are one call of main: a failed worker did none; a
         * task's wait for a core is its loop thread's (the time line) */
        fprintf(out, "%-7u %8" PRIu64 " %9s %9s %11s", w->id, w->failed ? 0 : w->units, gs_fmt_ns(active, wall),
                gs_fmt_ns((double)w->cpu_ns, cpu),
                w->core_wait_known && own_lock ? gs_fmt_ns((double)w->core_wait_ns, core) : "-");
        if (own_lock)
            fprintf(out, " %6" PRIu64 " %4.0f%% %9s", w->lock.acquisitions,
                    active > 0 ? 100.0 * (double)w->lock.wait_ns / active : 0,
                    gs_fmt_ns(gs_worker_hist_mean(&w->lock.hold), hold));
        else
            fprintf(out, " %6s %5s %9s", "-", "-", "-");
        fprintf(out, " %6" PRIu64 "%s\n", w->io_ops, w->failed ? "  FAILED" : "");
    }
    if (r->nworkers > MAX_WORKER_ROWS)
        fprintf(out, "... and %u more (all of them are in --json)\n", r->nworkers - MAX_WORKER_ROWS);
}

static void shared_lock_figures(FILE *out, const gs_run_summary *s)
{
    const gs_lock_totals *l = &s->lock;
    char a[32], b[32], c[32];
    fprintf(out, "\nlock      %" PRIu64 " take%s (%" PRIu64 " contended), %.0f switches/s, held %.1f%%\n",
            l->acquisitions, l->acquisitions == 1 ? "" : "s", l->contended, s->switches_per_s, 100 * s->held_fraction);
    fprintf(out, "requests  %" PRIu64 " drop requests, %" PRIu64 " forced drops, %" PRIu64 " voluntary drops\n",
            l->drop_requests, l->forced_drops, l->voluntary_drops);
    if (l->forced_to_asker + l->forced_to_other)
        fprintf(out, "          after them, %" PRIu64 " take%s by a waiter that had asked, %" PRIu64 " by another\n",
                l->forced_to_asker, l->forced_to_asker == 1 ? "" : "s", l->forced_to_other);
    fprintf(out, "wait      p50 %s, p99 %s, max %s\n", gs_fmt_ns((double)gs_hist_percentile(&l->wait, 50), a),
            gs_fmt_ns((double)gs_hist_percentile(&l->wait, 99), b), gs_fmt_ns((double)l->wait.max, c));
    fprintf(out, "hold      mean %s, p99 %s, max %s\n", gs_fmt_ns(gs_hist_mean(&l->hold), a),
            gs_fmt_ns((double)gs_hist_percentile(&l->hold, 99), b), gs_fmt_ns((double)l->hold.max, c));
    if (l->handoff.count)
        fprintf(out, "hand-off  p50 %s, p99 %s (one holder's drop to the next one's take)\n",
                gs_fmt_ns((double)gs_hist_percentile(&l->handoff, 50), a),
                gs_fmt_ns((double)gs_hist_percentile(&l->handoff, 99), b));
}

static void lock_figures(FILE *out, const gs_run_result *r, const gs_run_summary *s)
{
    const gs_lock_totals *l = &s->lock;
    char a[32], b[32], c[32];
    switch (gs_lock_scope_of(&r->cfg)) {
    case GS_SCOPE_SHARED:
        shared_lock_figures(out, s);
        if (gs_gil_has(r->cfg.gil.policy, GS_TRAIT_TICKS))
            fprintf(out, "ticks     %" PRIu64 " releases at the check interval\n"
                         "futile    %" PRIu64 " wake-ups found the lock taken again\n",
                    l->tick_drops, l->futile_wakeups);
        if (gs_gil_has(r->cfg.gil.policy, GS_TRAIT_QUEUE))
            fprintf(out, "queue     %.1f waiting on arrival (mean), %" PRIu64 " at most\n",
                    l->acquisitions ? (double)l->queue_sum / (double)l->acquisitions : 0, l->queue_max);
        break;
    case GS_SCOPE_PER_WORKER:
    case GS_SCOPE_NONE:
        fprintf(out, "\nlock      %s: %" PRIu64 " take%s, %" PRIu64 " contended, longest wait %s\n",
                gs_lock_scope_of(&r->cfg) == GS_SCOPE_NONE ? "none" : "one per worker", l->acquisitions,
                l->acquisitions == 1 ? "" : "s", l->contended,
                gs_fmt_ns((double)l->wait.max, a));
        if (r->cfg.mode == GS_MODE_PROCESSES)
            fprintf(out, "overhead  forking %s, collecting %s (both inside the wall time)\n",
                    gs_fmt_ns((double)r->spawn_ns, b), gs_fmt_ns((double)r->collect_ns, c));
        break;
    case GS_SCOPE_LOOP:
        fprintf(out, "\nlock      held by the loop thread %.1f%% of wall time: %" PRIu64 " take%s, %" PRIu64
                " contended\n", 100 * s->held_fraction, l->acquisitions, l->acquisitions == 1 ? "" : "s", l->contended);
        if (s->loop_lag.count)
            fprintf(out, "loop lag  p50 %s, p99 %s, max %s (how late timers fired)\n",
                    gs_fmt_ns((double)gs_hist_percentile(&s->loop_lag, 50), a),
                    gs_fmt_ns((double)gs_hist_percentile(&s->loop_lag, 99), b),
                    gs_fmt_ns((double)s->loop_lag.max, c));
        break;
    default:
        break;
    }
}

static void io_figures(FILE *out, const gs_run_summary *s)
{
    if (!s->io_ops)
        return;
    char a[32], b[32], c[32];
    fprintf(out, "I/O       %" PRIu64 " operations, %.0f/s; latency p50 %s, p99 %s, max %s\n", s->io_ops,
            (double)s->io_ops / s->wall_s, gs_fmt_ns((double)gs_hist_percentile(&s->io_latency, 50), a),
            gs_fmt_ns((double)gs_hist_percentile(&s->io_latency, 99), b), gs_fmt_ns((double)s->io_latency.max, c));
}

/* A program's shared variables at the end (the race workload's counter
 * has its own line). */
static void shared_values(FILE *out, const gs_run_result *r)
{
    const gs_program *p = &r->cfg.workload->prog;
    for (uint32_t v = 0; v < r->nshared; v++) {
        if ((int)v == r->cfg.workload->race_counter)
            continue;
        char name[64], value[32];
        gs_label(p->shared[v].name, strlen(p->shared[v].name), name, sizeof name);
        bool interpreters = r->cfg.mode == GS_MODE_THREADS && gs_lock_scope_of(&r->cfg) == GS_SCOPE_PER_WORKER;
        fprintf(out, "shared    %s = %s%s\n", name, grouped(r->shared[v], value),
                r->cfg.mode == GS_MODE_PROCESSES ? " (each process's copy, added up)"
                : interpreters                   ? " (each interpreter's copy, added up)"
                                                 : "");
    }
}

/* The race's lost updates, the native calls, the user locks. */
static void program_figures(FILE *out, const gs_run_result *r, const gs_run_summary *s)
{
    char a[32], b[32];
    shared_values(out, r);
    if (s->has_race) {
        fprintf(out, "race      %" PRIu64 " updates, %" PRId64 " lost (%.1f%%): the counter ended at %" PRId64 "\n",
                s->updates_expected, s->lost_updates,
                s->updates_expected ? 100.0 * (double)s->lost_updates / (double)s->updates_expected : 0,
                (int64_t)(s->updates_expected - (uint64_t)s->lost_updates));
        if (r->cfg.mode == GS_MODE_PROCESSES)
            fprintf(out, "          (each process counted on its own copy; those are added up)\n");
    }
    if (s->transfer_bytes)
        fprintf(out, "transfer  %.1f MiB of the processes' data sent home, %s of their time\n",
                (double)s->transfer_bytes / (1 << 20), gs_fmt_ns((double)s->transfer_ns, a));
    if (s->native_calls)
        fprintf(out, "native    %" PRIu64 " calls, %s inside them (%.2fx the wall time)\n"
                     "          at most %u %s in native code at once\n",
                s->native_calls, gs_fmt_ns((double)s->native_ns, a),
                s->wall_s > 0 ? (double)s->native_ns / (s->wall_s * 1e9) : 0, s->native_max,
                s->native_max == 1 ? gs_mode_singular[r->cfg.mode] : gs_mode_plural[r->cfg.mode]);
    for (uint32_t i = 0; i < s->nulocks; i++) {
        const gs_ulock_summary *u = &s->ulocks[i];
        if (!u->counts.acquisitions)
            continue; /* declared, never used */
        fprintf(out, "user lock %s: %" PRIu64 " take%s, %" PRIu64 " waited, held %.1f%% of the time\n",
                r->cfg.workload->prog.ulocks[i].name, u->counts.acquisitions, u->counts.acquisitions == 1 ? "" : "s",
                u->counts.contended,
                100 * u->held_fraction);
        if (u->counts.contended)
            fprintf(out, "          wait p50 %s, p99 %s (of those that waited)\n", gs_fmt_ns((double)u->wait_p50, a),
                    gs_fmt_ns((double)u->wait_p99, b));
        if (u->counts.futile)
            fprintf(out, "          %" PRIu64 " wake-up%s found it taken again by the time the waiter got there\n",
                    u->counts.futile, u->counts.futile == 1 ? "" : "s");
    }
}

/* The workers' fairness, Jain's index over their throughputs, where it
 * says something: a worker that did one unit has a throughput that only
 * says when its turn came, and a queue served in perfect order scores
 * near 0 over many such workers (100,000 one-unit threads: 0.000). */
static void fairness(FILE *out, const gs_run_result *r, const gs_run_summary *s)
{
    bool one_each = true;
    for (uint32_t i = 0; i < r->nworkers && one_each; i++)
        one_each = r->workers[i].units <= 1;
    if (one_each)
        gs_wrap(out, "fairness  ", "not shown: each worker did one unit, so its throughput only says when its "
                                   "turn came");
    else
        fprintf(out, "fairness  %.3f (Jain's index over the workers' throughput; 1 = even)\n", s->fairness);
}

void gs_report_text(FILE *out, const gs_experiment *e, const gs_host *h, bool color)
{
    const gs_run_result *r = &e->runs[e->median];
    const gs_run_summary *s = &e->summaries[e->median];
    answer(out, e, h, s, color);
    failures(out, r);
    setup(out, e, s);
    worker_table(out, r);
    lock_figures(out, r, s);
    io_figures(out, s);
    program_figures(out, r, s);
    if (r->nworkers > 1)
        fairness(out, r, s);
    if (s->events_dropped)
        fprintf(out, "events    %" PRIu64 " recorded, %" PRIu64 " did not fit and were dropped\n", s->events,
                s->events_dropped);
}
