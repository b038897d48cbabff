/* trace.c - a run as Chrome trace-event JSON, for ui.perfetto.dev and
 * chrome://tracing.
 *
 * One track per worker, named: threads and tasks are threads of one traced
 * process, each forked child is a process of its own.  On each track,
 * slices (begin/end pairs, never overlapping) for running, waiting, I/O,
 * native calls and waits for a user lock (slices.h), and instant events for drop requests, forced drops and the
 * end.  A counter shows the waiters: threads waiting for the lock, or
 * tasks ready and waiting for the loop; a process has a lock of its own,
 * so it has none.  Timestamps are microseconds from the run's start, the
 * same clock for every worker (CLOCK_MONOTONIC), so forked processes line
 * up with each other.
 *
 * The trace holds what the recorder kept: at most GS_DEFAULT_EVENTS events
 * per run; the rest were counted, and otherData says how many.  Streamed
 * with fprintf rather than built with jansson, so a million events need no
 * million objects in memory; the few strings that come from users go
 * through jansson's escaping. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "escape.h"
#include "output.h"
#include "report.h"
#include "slices.h"

#ifndef GILSIM_VERSION
#define GILSIM_VERSION "unknown"
#endif

typedef struct {
    FILE *f;
    const gs_run_result *r;
    uint32_t pid, tid;
    bool first;
} trace_writer;

static double us(const trace_writer *t, uint64_t ns)
{
    return ns >= t->r->start_ns ? (double)(ns - t->r->start_ns) / 1000.0 : 0;
}

static void sep(trace_writer *t)
{
    fputs(t->first ? "\n" : ",\n", t->f);
    t->first = false;
}

/* Writes s as a JSON string. */
static void put_string(FILE *f, const char *s)
{
    json_t *j = gs_json_text(s);
    char *text = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    fputs(text ? text : "\"?\"", f);
    free(text);
    json_decref(j);
}

static void name_track(trace_writer *t, const char *what, const char *name)
{
    sep(t);
    fprintf(t->f, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":", what, t->pid, t->tid);
    put_string(t->f, name);
    fputs("}}", t->f);
}

static void on_slice(const gs_slice *s, void *arg)
{
    trace_writer *t = arg;
    const char *name = gs_slice_name(s->kind, t->r->cfg.mode);
    sep(t);
    switch (s->edge) {
    case GS_EDGE_MARK:
        fprintf(t->f, "{\"ph\":\"i\",\"s\":\"t\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u,\"ts\":%.3f}", name,
                t->pid, t->tid, us(t, s->t0));
        break;
    case GS_EDGE_BEGIN: {
        const char *const *category = gs_slice_category;
        char label[96];
        const gs_program *p = &t->r->cfg.workload->prog;
        if (s->kind == GS_SLICE_IO && s->arg < GS_IO_KIND_COUNT)
            snprintf(label, sizeof label, "in I/O (%s)", gs_io_kind_names[s->arg]);
        else if (s->kind == GS_SLICE_USER_LOCK && s->arg < p->nulocks)
            snprintf(label, sizeof label, "waiting for user lock %s", p->ulocks[s->arg].name);
        else
            snprintf(label, sizeof label, "%s", name);
        fprintf(t->f, "{\"ph\":\"B\",\"name\":\"%s\",\"cat\":\"%s\",\"pid\":%u,\"tid\":%u,\"ts\":%.3f}",
                label, category[s->kind], t->pid, t->tid, us(t, s->t0));
        break;
    }
    case GS_EDGE_END:
        fprintf(t->f, "{\"ph\":\"E\",\"pid\":%u,\"tid\":%u,\"ts\":%.3f}", t->pid, t->tid, us(t, s->t1));
        break;
    }
}

typedef struct {
    uint64_t t;
    int delta;
} step;

static int cmp_step(const void *a, const void *b)
{
    const step *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* The number of waiters over time, from every worker's want and got (or
 * its end: a worker stopped while it waited ends without a got). */
static void waiters_counter(trace_writer *t)
{
    size_t n = 0;
    for (uint32_t i = 0; i < t->r->nworkers; i++)
        n += t->r->workers[i].rec.n;
    step *steps = malloc((n ? n : 1) * sizeof *steps);
    if (!steps)
        return; /* the counter is a convenience; the slices say it all */
    size_t k = 0;
    for (uint32_t i = 0; i < t->r->nworkers; i++) {
        const gs_recorder *rec = &t->r->workers[i].rec;
        bool wants = false;
        for (uint32_t j = 0; j < rec->n; j++) {
            uint32_t type = gs_rec_event(rec, j)->type;
            if (type == GS_EV_WANT || (wants && (type == GS_EV_GOT || type == GS_EV_DONE))) {
                steps[k++] = (step){gs_rec_event(rec, j)->t_ns, type == GS_EV_WANT ? 1 : -1};
                wants = type == GS_EV_WANT;
            }
        }
    }
    qsort(steps, k, sizeof *steps, cmp_step);
    const char *name = t->r->cfg.mode == GS_MODE_ASYNC ? "tasks ready" : "threads waiting";
    long waiting = 0;
    for (size_t i = 0; i < k; i++) {
        waiting += steps[i].delta;
        if (i + 1 < k && steps[i + 1].t == steps[i].t)
            continue; /* one sample per moment */
        sep(t);
        fprintf(t->f, "{\"ph\":\"C\",\"name\":\"%s\",\"pid\":1,\"ts\":%.3f,\"args\":{\"%s\":%ld}}", name,
                us(t, steps[i].t), name, waiting < 0 ? 0 : waiting);
    }
    free(steps);
}

int gs_write_trace(FILE *f, const gs_run_result *r)
{
    trace_writer t = {.f = f, .r = r, .first = true};
    gs_mode mode = r->cfg.mode;
    uint64_t recorded = 0, dropped = 0;
    fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", t.f);
    char name[160];
    if (mode != GS_MODE_PROCESSES) {
        t.pid = 1;
        snprintf(name, sizeof name, "gilsim: %u %s, %s", r->nworkers, gs_mode_plural[mode], r->cfg.workload->name);
        name_track(&t, "process_name", name);
    }
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const gs_worker_result *w = &r->workers[i];
        t.pid = mode == GS_MODE_PROCESSES ? i + 1 : 1;
        t.tid = i + 1;
        snprintf(name, sizeof name, "%s %u", gs_mode_singular[mode], i);
        if (mode == GS_MODE_PROCESSES)
            name_track(&t, "process_name", name);
        name_track(&t, "thread_name", name);
        gs_worker_slices(w, on_slice, &t);
        recorded += w->rec.n;
        dropped += w->rec.dropped;
    }
    if (mode != GS_MODE_PROCESSES)
        waiters_counter(&t);
    fprintf(t.f, "\n],\"otherData\":{\"generator\":\"gilsim %s\",\"mode\":\"%s\",\"workers\":%u,\"workload\":",
            GILSIM_VERSION, gs_mode_names[mode], r->nworkers);
    put_string(t.f, r->cfg.workload->name);
    fprintf(t.f, ",\"time\":\"%s\"", r->cfg.sim ? "virtual: a modelled machine, not this one" : "real");
    fprintf(t.f, ",\"events_recorded\":%llu,\"events_dropped\":%llu,\"event_cap\":%u,\"note\":\"%s\"}}\n",
            (unsigned long long)recorded, (unsigned long long)dropped, r->cfg.event_cap,
            dropped ? "some events did not fit: tracks end early where a worker's buffer filled"
                    : "every event was recorded");
    return 0;
}

int gs_write_run_trace(FILE *f, const gs_experiment *e, const gs_host *h)
{
    (void)h;
    return gs_write_trace(f, &e->runs[e->median]);
}
