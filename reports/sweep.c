/* sweep.c - a sweep's points as a terminal table, CSV and JSON.
 *
 * The columns are one table (COLUMNS below) that the CSV and the JSON both
 * read, so the two always agree; docs/sweep.md documents them in the same
 * order.  A figure that does not apply to a point (the hand-off of a lock
 * nobody shares, the loop lag of threads) is an empty CSV field and a JSON
 * null, never a zero. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "escape.h"
#include "output.h"
#include "../sched/summary.h"
#include "../sched/sim.h"
#include "report.h"

#ifndef GILSIM_VERSION
#define GILSIM_VERSION "unknown"
#endif

#define COLUMNS(X)                                                       \
    X(MODE, "mode") X(WORKLOAD, "workload") X(WORK, "work")              \
    X(UNIT_SIZE, "unit_size") X(IO, "io") X(IO_LATENCY, "io_latency_ns")  \
    X(POLICY, "policy") X(INTERVAL, "switch_interval_ns")                \
    X(CHECK, "check_interval") X(WORKERS, "workers")                     \
    X(CORES, "cores") X(TIME, "time") X(SEED, "seed")                    \
    X(RUNS, "runs") X(WALL, "wall_s")                                    \
    X(WALL_MIN, "wall_min_s") X(WALL_MAX, "wall_max_s")                  \
    X(THROUGHPUT, "throughput") X(SPEEDUP, "speedup")                    \
    X(SPEEDUP_MIN, "speedup_min") X(SPEEDUP_MAX, "speedup_max")          \
    X(EFFICIENCY, "efficiency") X(HELD, "held_fraction")                 \
    X(WAIT, "wait_fraction") X(SWITCHES, "switches_per_s")               \
    X(HANDOFF_P50, "handoff_p50_ns") X(HANDOFF_P99, "handoff_p99_ns")    \
    X(IO_P50, "io_latency_p50_ns") X(IO_P99, "io_latency_p99_ns")        \
    X(LAG_P99, "loop_lag_p99_ns") X(FAILED, "failed")                    \
    X(CHECKSUM_OK, "checksum_ok") X(LOST, "updates_lost")                \
    X(NATIVE, "native_s") X(NATIVE_MAX, "native_max")                    \
    X(ULOCK_TAKES, "user_lock_acquisitions")                             \
    X(ULOCK_CONTENDED, "user_lock_contended")                            \
    X(ULOCK_P99, "user_lock_wait_p99_ns")                                \
    X(CORE_WAIT, "core_wait_share") X(OTHERS, "others_share")            \
    X(DOUBTS, "doubts") X(SHARED_LOST, "shared_lost")

enum {
#define COL_ENUM(e, name) COL_##e,
    COLUMNS(COL_ENUM)
#undef COL_ENUM
    NCOLUMNS
};

static const char *const column_names[NCOLUMNS] = {
#define COL_NAME(e, name) name,
    COLUMNS(COL_NAME)
#undef COL_NAME
};

typedef struct {
    enum { CELL_NONE, CELL_STR, CELL_INT, CELL_REAL, CELL_BOOL } type;
    const char *s;
    long long i;
    double d;
} cell;

static cell str(const char *s) { return (cell){.type = CELL_STR, .s = s}; }
static cell integer(uint64_t i) { return (cell){.type = CELL_INT, .i = (long long)i}; }
static cell real(double d) { return (cell){.type = CELL_REAL, .d = d}; }
static cell none(void) { return (cell){.type = CELL_NONE}; }
static cell real_if(bool applies, double d) { return applies ? real(d) : none(); }
static cell int_if(bool applies, uint64_t i) { return applies ? integer(i) : none(); }

static cell get(int col, const gs_sweep_point *p, const gs_sweep *s, const gs_host *h)
{
    const gs_point_figures *m = &p->median;
    gs_run_config cfg = s->cfg;
    cfg.mode = p->mode;
    gs_lock_scope scope = gs_lock_scope_of(&cfg);
    bool shared = gs_switches_apply(scope), compared = p->speedup > 0;
    unsigned kinds = gs_program_io_kinds(&p->workload->prog);
    static char kind[24]; /* "sleep", "sleep+pipe", ...: the kinds the program does; each cell is written
                             before the next is asked for */
    static char doubts[96];  /* "busy+unsteady": the verdict's doubts, "" when trusted */
    kind[0] = '\0';
    for (int k = 0; k < GS_IO_KIND_COUNT; k++)
        if (kinds & (1u << k))
            snprintf(kind + strlen(kind), 24 - strlen(kind), "%s%s", kind[0] ? "+" : "", gs_io_kind_names[k]);
    switch (col) {
    case COL_MODE:        return str(gs_mode_names[p->mode]);
    case COL_WORKLOAD:    return str(p->workload->name);
    case COL_WORK:        return integer(p->work);
    case COL_UNIT_SIZE:   return (cell){.type = CELL_INT, .i = p->workload->unit_size};
    case COL_IO:          return kinds ? str(kind) : none();
    case COL_IO_LATENCY:  return int_if(kinds & ~(1u << GS_IO_FILE), s->cfg.io_latency_ns);
    case COL_POLICY:      return str(gs_gil_policy_names[s->cfg.gil.policy]);
    case COL_INTERVAL:    return integer(s->cfg.gil.interval_ns);
    case COL_CHECK:       return int_if(gs_gil_has(s->cfg.gil.policy, GS_TRAIT_TICKS), s->cfg.gil.check_interval);
    case COL_WORKERS:     return integer(p->workers);
    case COL_CORES:       return integer((uint64_t)gs_usable_cores(&s->cfg, h));
    case COL_TIME:        return str(s->cfg.sim ? "virtual" : "real");
    case COL_SEED:        return s->cfg.sim ? (cell){.type = CELL_INT, .i = (long long)s->cfg.sim->seed} : none();
    case COL_RUNS:        return integer(p->runs);
    case COL_WALL:        return real(m->wall_s);
    case COL_WALL_MIN:    return real(p->wall_min_s);
    case COL_WALL_MAX:    return real(p->wall_max_s);
    case COL_THROUGHPUT:  return real(m->throughput);
    case COL_SPEEDUP:     return real_if(compared, p->speedup);
    case COL_EFFICIENCY:  return real_if(compared, p->efficiency);
    case COL_SPEEDUP_MIN: return real_if(compared, p->speedup_min);
    case COL_SPEEDUP_MAX: return real_if(compared, p->speedup_max);
    case COL_SHARED_LOST: return real_if(p->shared_lost >= 0, p->shared_lost);
    case COL_CORE_WAIT:   return real_if(m->core_wait_known, m->core_wait_share);
    case COL_OTHERS:      return real_if(m->others_known, m->others_share);
    case COL_DOUBTS:
        doubts[0] = '\0';
        for (int d = 0; d < GS_DOUBT_COUNT; d++)
            if (gs_verdict_has(&p->verdict, (gs_doubt)d))
                snprintf(doubts + strlen(doubts), sizeof doubts - strlen(doubts), "%s%s", doubts[0] ? "+" : "",
                         gs_doubt_names[d]);
        return str(doubts);
    case COL_HELD:        return real_if(gs_held_applies(scope), m->held_fraction);
    case COL_WAIT:        return real(m->wait_fraction);
    case COL_SWITCHES:    return real_if(shared, m->switches_per_s);
    case COL_HANDOFF_P50: return int_if(shared && m->handoffs, m->handoff_p50);
    case COL_HANDOFF_P99: return int_if(shared && m->handoffs, m->handoff_p99);
    case COL_IO_P50:      return int_if(m->io_ops > 0, m->io_p50);
    case COL_IO_P99:      return int_if(m->io_ops > 0, m->io_p99);
    case COL_LAG_P99:     return int_if(m->lags > 0, m->lag_p99);
    case COL_FAILED:      return integer(p->failed);
    case COL_CHECKSUM_OK:
        return p->checksum_ok < 0 ? none() : (cell){.type = CELL_BOOL, .i = p->checksum_ok};
    case COL_LOST:        return m->has_race ? (cell){.type = CELL_INT, .i = m->lost_updates} : none();
    case COL_NATIVE:      return real_if(m->native_calls > 0, (double)m->native_ns / 1e9);
    case COL_NATIVE_MAX:  return int_if(m->native_calls > 0, m->native_max);
    case COL_ULOCK_TAKES:     return int_if(m->ulock_takes > 0, m->ulock_takes);
    case COL_ULOCK_CONTENDED: return int_if(m->ulock_takes > 0, m->ulock_contended);
    case COL_ULOCK_P99:       return int_if(m->ulock_contended > 0, m->ulock_wait_p99);
    default:              break;
    }
    return none();
}

/* A CSV field: numbers as they are, text as escape.h writes it. */
static void csv_field(FILE *f, cell c)
{
    switch (c.type) {
    case CELL_NONE: break;
    case CELL_INT:  fprintf(f, "%lld", c.i); break;
    case CELL_REAL: fprintf(f, "%.9g", c.d); break;
    case CELL_BOOL: fputs(c.i ? "true" : "false", f); break;
    case CELL_STR:  gs_put_csv(f, c.s); break;
    }
}

int gs_write_sweep_csv(FILE *f, const gs_sweep *s, const gs_host *h)
{
    for (int c = 0; c < NCOLUMNS; c++)
        fprintf(f, "%s%s", c ? "," : "", column_names[c]);
    fputc('\n', f);
    for (uint32_t i = 0; i < s->npoints; i++) {
        for (int c = 0; c < NCOLUMNS; c++) {
            if (c)
                fputc(',', f);
            csv_field(f, get(c, &s->points[i], s, h));
        }
        fputc('\n', f);
    }
    return 0;
}

static json_t *cell_json(cell c)
{
    switch (c.type) {
    case CELL_STR:  return gs_json_text(c.s);
    case CELL_INT:  return json_integer(c.i);
    case CELL_REAL: return json_real(c.d);
    case CELL_BOOL: return json_boolean(c.i);
    default:        return json_null();
    }
}

int gs_write_sweep_json(FILE *f, const gs_sweep *s, const gs_host *h)
{
    json_t *points = json_array();
    for (uint32_t i = 0; i < s->npoints; i++) {
        json_t *o = json_object();
        for (int c = 0; c < NCOLUMNS; c++)
            json_object_set_new(o, column_names[c], cell_json(get(c, &s->points[i], s, h)));
        json_array_append_new(points, o);
    }
    json_t *doc = json_pack("{s:s, s:i, s:s, s:o, s:o, s:{s:I, s:b, s:I, s:s, s:I, s:b, s:I, s:I}, s:b, s:o}",
                            "schema", "gilsim-sweep", "schema_version", 2, "gilsim_version", GILSIM_VERSION,
                            "command", gs_command_json(s->argc, s->argv), "host", gs_host_json(h), "config", "work",
                            (json_int_t)s->cfg.work, "weak_scaling", s->cfg.weak, "repeat", (json_int_t)s->repeat,
                            "gil", gs_gil_policy_names[s->cfg.gil.policy], "switch_interval_ns",
                            (json_int_t)s->cfg.gil.interval_ns, "force_switching", s->cfg.gil.force_switching,
                            "io_latency_ns", (json_int_t)s->cfg.io_latency_ns, "timeout_ns",
                            (json_int_t)s->cfg.timeout_ns, "interrupted", s->interrupted, "points", points);
    if (!doc)
        return -1;
    json_t *config = json_object_get(doc, "config");
    json_object_set_new(config, "pinned_cores", s->cfg.cores ? json_integer((json_int_t)s->cfg.cores) : json_null());
    json_object_set_new(config, "cores", json_integer((json_int_t)gs_usable_cores(&s->cfg, h)));
    json_object_set_new(config, "check_interval", gs_gil_has(s->cfg.gil.policy, GS_TRAIT_TICKS)
                                                      ? json_integer((json_int_t)s->cfg.gil.check_interval)
                                                      : json_null());
    json_object_set_new(config, "time", json_string(s->cfg.sim ? "virtual" : "real"));
    json_object_set_new(config, "model", gs_model_json(s->cfg.sim));
    bool ok = json_dumpf(doc, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF;
    json_decref(doc);
    return ok ? 0 : -1;
}

/* Below the table: how far the speedups varied run by run, and what the
 * points whose speedup ends in '?' failed (each doubt once, with the
 * first point that had it). */
static void sweep_doubts(FILE *out, const gs_sweep *s)
{
    double widest = 0;
    for (uint32_t i = 0; i < s->npoints; i++) {
        const gs_sweep_point *p = &s->points[i];
        if (p->speedup > 0 && (p->speedup_max - p->speedup_min) / p->speedup > widest)
            widest = (p->speedup_max - p->speedup_min) / p->speedup;
    }
    if (s->repeat > 1)
        fprintf(out, "\nRun by run, a speedup varied by up to %.0f%% of it (each point's range is in\n"
                     "--csv and --json: speedup_min, speedup_max).\n", 100 * widest);
    bool said[GS_DOUBT_COUNT] = {0}, any = false;
    for (uint32_t i = 0; i < s->npoints; i++) {
        const gs_sweep_point *p = &s->points[i];
        for (int d = 0; d < GS_DOUBT_COUNT; d++) {
            if (!gs_verdict_has(&p->verdict, (gs_doubt)d) || said[d])
                continue;
            char text[512], line[640];
            if (!any)
                fprintf(out, "\nA speedup ending in '?' failed a check of its own measurements:\n");
            any = said[d] = true;
            snprintf(line, sizeof line, "%s, %u %s: %s.", gs_mode_names[p->mode], p->workers,
                     p->workers == 1 ? gs_mode_singular[p->mode] : gs_mode_plural[p->mode],
                     gs_verdict_say(&p->verdict, (gs_doubt)d, p->mode, p->workers, text, sizeof text));
            gs_wrap(out, "- ", line);
        }
    }
    if (said[GS_DOUBT_UNEQUAL_WORK])
        gs_wrap(out, "", GS_UNEQUAL_WORK_ADVICE);
    gs_verdict others = {0};
    for (int d = 0; d < GS_DOUBT_COUNT; d++)
        others.doubts |= said[d] ? 1u << d : 0;
    if (gs_verdict_rerun_helps(&others))
        fputs(s->cfg.sim ? "Run it again without --background.\n"
                         : "Run it again with --repeat 5 (on an idle machine, if this one was busy), or\n"
                           "with --sim.\n", out);
}

void gs_sweep_table(const gs_sweep *s, gs_table *t)
{
    char a[32];
    gs_table_init(t, "<mode|<workload|workers|wall|speedup|held|wait|I/O p99|lag p99|<");
    for (uint32_t i = 0; i < s->npoints; i++) {
        const gs_sweep_point *p = &s->points[i];
        const gs_point_figures *m = &p->median;
        gs_table_cell(t, "%s", gs_mode_names[p->mode]);
        gs_table_cell(t, "%s", p->workload->name);
        gs_table_cell(t, "%u", p->workers);
        gs_table_cell(t, "%s", gs_fmt_ns(m->wall_s * 1e9, a));
        if (p->speedup > 0)
            gs_table_cell(t, "%.2f%c", p->speedup, gs_verdict_trusted(&p->verdict) ? 'x' : '?');
        else
            gs_table_cell(t, "-");
        gs_run_config cfg = s->cfg;
        cfg.mode = p->mode;
        if (gs_held_applies(gs_lock_scope_of(&cfg)))
            gs_table_cell(t, "%.1f%%", 100 * m->held_fraction);
        else
            gs_table_cell(t, "-");
        gs_table_cell(t, "%.1f%%", 100 * m->wait_fraction);
        gs_table_cell(t, "%s", m->io_ops ? gs_fmt_ns((double)m->io_p99, a) : "-");
        gs_table_cell(t, "%s", m->lags ? gs_fmt_ns((double)m->lag_p99, a) : "-");
        gs_table_cell(t, "%s", p->failed ? "FAILED" : p->checksum_ok == 0 ? "CHECKSUM DIFFERS" : "");
    }
}

const char *gs_sweep_answer(const gs_sweep *s, const gs_host *h, char *buf, size_t size)
{
    char where[96];
    uint32_t top = s->counts[s->ncounts - 1];
    size_t len = (size_t)snprintf(buf, size, "With %u workers %s:", top, gs_host_where(&s->cfg, h, where));
    bool any = false;
    for (uint32_t i = 0; i < s->npoints && len < size; i++) {
        const gs_sweep_point *p = &s->points[i];
        if (p->workers != top)
            continue;
        len += (size_t)snprintf(buf + len, size - len, "%s ", any ? "," : "");
        if (s->nworkloads > 1 && len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s as ", p->workload->name);
        if (len >= size)
            break;
        if (p->speedup <= 0)
            len += (size_t)snprintf(buf + len, size - len, "%s %s", gs_mode_plural[p->mode],
                                    p->failed ? "failed" : "were not compared with one");
        else
            len += (size_t)snprintf(buf + len, size - len, "%s %s%.2f%c%s%s", gs_mode_plural[p->mode],
                                    any ? "" : "ran ", p->speedup, gs_verdict_trusted(&p->verdict) ? 'x' : '?',
                                    any ? "" : " as fast as one",
                                    gs_verdict_trusted(&p->verdict) ? "" : " (which cannot be trusted)");
        any = true;
    }
    if (len < size)
        snprintf(buf + len, size - len, "%s", any ? "." : " no point finished.");
    return buf;
}

void gs_report_sweep_text(FILE *out, const gs_sweep *s, const gs_host *h)
{
    char answer[1024];
    gs_wrap(out, "", gs_sweep_answer(s, h, answer, sizeof answer));
    fputc('\n', out);
    gs_table t;
    gs_sweep_table(s, &t);
    gs_table_text(out, &t);
    gs_table_free(&t);
    gs_report_sweep_notes(out, s, h);
}

void gs_report_sweep_notes(FILE *out, const gs_sweep *s, const gs_host *h)
{
    sweep_doubts(out, s);
    if (s->cfg.sim)
        fprintf(out, "\nSpeedup is against 1 worker of the same mode, on a modelled %u-core machine\n"
                     "in virtual time (seed %llu): the model's figures, not this machine's.\n", s->cfg.sim->cores,
                (unsigned long long)s->cfg.sim->seed);
    else {
        char where[96];
        fprintf(out, "\nSpeedup is against 1 worker of the same mode; the workers ran\n%s.\n",
                gs_host_where(&s->cfg, h, where));
    }
    for (uint32_t w = 0; w < s->nworkloads; w++) /* why its wall grows with the workers */
        if (s->workloads[w]->whole)
            fprintf(out, "%s: its main takes no count of units, so each worker ran all\nof it (weak scaling).\n",
                    s->workloads[w]->name);
}

int gs_write_run_csv(FILE *f, const gs_experiment *e, const gs_host *h)
{
    gs_sweep_point points[2];
    gs_sweep s = {.cfg = e->cfg, .points = points};
    s.npoints = gs_sweep_points_of(e, points);
    s.interrupted = gs_run_stopping();
    return gs_write_sweep_csv(f, &s, h);
}
