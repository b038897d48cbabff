/* bench.h - gilsim-bench's figures and the sections that produce them. */
#ifndef GS_BENCH_H
#define GS_BENCH_H

#define BENCH_REPS 7 /* runs per figure; the median is reported */
#define BENCH_MAX  64

typedef struct {
    double median, min, max;
} bench_figure;

typedef struct {
    const char *section, *name, *unit, *target;
    bench_figure fig;
    int is_ratio; /* a single derived value: fig.min/max unused */
} bench_row;

typedef struct {
    bench_row rows[BENCH_MAX];
    int nrows;
    const char *notes[16];
    int nnotes;
} bench_report;

void bench_summarize(bench_figure *f, double *v, int n); /* sorts v */
void bench_add(bench_report *r, const char *section, const char *name, const char *unit,
               const bench_figure *f);
void bench_add_ratio(bench_report *r, const char *section, const char *name, double value,
                     const char *unit, const char *target);
void bench_note(bench_report *r, const char *note);

/* Loads a built-in workload, or exits saying why. */
#include "workload.h"
gs_workload bench_workload(gs_workload_kind kind);

/* A run of mode x workers, each doing one small unit, in a child process
 * of its own (so that its peak memory is its own); sim: on that simulated
 * machine.  Real wall seconds, peak resident KiB per worker. */
#include "run.h"
typedef struct {
    double wall_s, kib_per_worker;
    double child_private_kib; /* processes: the most private memory a running child had */
    int ok;
} scale_result;
scale_result bench_scale_once(gs_mode mode, uint32_t workers, const struct gs_sim_model *sim);
/* The default sweep's real wall seconds; with sim, on that model with
 * jobs points at once. */
double bench_default_sweep_s(const struct gs_sim_model *sim, uint32_t jobs);

void bench_interp(bench_report *r);
void bench_lock(bench_report *r);
void bench_scale(bench_report *r);
void bench_sim(bench_report *r);
void bench_merge(bench_report *r);
void bench_calibration(bench_report *r);

#endif
