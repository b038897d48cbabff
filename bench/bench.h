/* bench.h - gilsim-bench's figures and the sections that produce them. */
#ifndef GS_BENCH_H
#define GS_BENCH_H

#define BENCH_REPS 7 /* runs per figure; the median is reported */
#define BENCH_MAX  128

typedef struct {
    double median, min, max;
} bench_figure;

typedef struct {
    const char *section, *name, *unit, *target;
    bench_figure fig;
    bench_figure cpu; /* the same figure from CPU time, where has_cpu */
    int has_cpu;
    int is_ratio; /* a single derived value: fig.min/max unused */
} bench_row;

/* A section's time, and how busy the machine was meanwhile: other
 * programs' share of the cores (from /proc/stat, less this process's and
 * its children's CPU time).  Above BENCH_BUSY_SHARE its figures are marked
 * busy: they were measured beside other work. */
#define BENCH_BUSY_SHARE 0.10
typedef struct {
    const char *name;
    double wall_s, cpu_s, others_share;
} bench_section;

typedef struct {
    bench_row rows[BENCH_MAX];
    int nrows;
    const char *notes[16];
    int nnotes;
    bench_section sections[16];
    int nsections;
} bench_report;

/* A moment: wall time (monotonic), this process's CPU time with its
 * waited-for children's, and the busy time of every CPU (/proc/stat), in
 * seconds.  Every timing figure is taken between two, in wall and in CPU
 * time. */
typedef struct {
    double wall, cpu, busy;
} bench_mark;
bench_mark bench_now(void);

void bench_summarize(bench_figure *f, double *v, int n); /* sorts v */
void bench_add(bench_report *r, const char *section, const char *name, const char *unit,
               const bench_figure *f);
/* A timing figure in wall time with its twin from CPU time. */
void bench_add_timed(bench_report *r, const char *section, const char *name, const char *unit,
                     const bench_figure *wall, const bench_figure *cpu);
void bench_add_ratio(bench_report *r, const char *section, const char *name, double value,
                     const char *unit, const char *target);
void bench_note(bench_report *r, const char *note);

/* Loads a built-in workload, or exits saying why. */
#include "vm.h"
#include "workload.h"
gs_workload bench_workload(gs_workload_kind kind);

/* Program p run to its end from main(args) by run (gs_vm_run or
 * gs_vm_run_unpolled), on one state; its time, and its instruction count
 * in *instructions.  Exits saying why when it cannot start or fails. */
bench_mark bench_time_vm(const gs_program *p, const int64_t *args, uint32_t nargs,
                         gs_stop (*run)(gs_vm *, uint64_t), uint64_t *instructions);

/* A run of mode x workers under policy, each doing one small unit, in a
 * child process of its own (so that its peak memory is its own); sim: on
 * that simulated machine (its cores; the rest the default model).  Real
 * wall seconds, peak resident KiB per worker. */
#include "run.h"
typedef struct {
    double wall_s, cpu_s, kib_per_worker; /* cpu_s: the run's, its children's too */
    double child_private_kib; /* processes: the most private memory a running child had */
    double page_faults;       /* the run's own (minor) page faults, in this process */
    double sim_stacks;        /* virtual time: the C stacks the simulator made */
    int ok;
} scale_result;
scale_result bench_scale_once(gs_mode mode, uint32_t workers, const struct gs_sim_model *sim, gs_gil_policy policy);
/* The same run's instructions, counted by callgrind; false without
 * valgrind. */
bool bench_scale_instructions(gs_mode mode, uint32_t workers, const struct gs_sim_model *sim, gs_gil_policy policy,
                              double *instructions);
/* gilsim-bench --scale-child MODE WORKERS CORES POLICY: the fresh process
 * bench_scale_once starts; writes its scale_result to standard output. */
int bench_scale_child(int argc, char **argv);
/* The default sweep's real time (wall and CPU seconds); with sim, on that
 * model with jobs points at once.  bench_add_sweeps adds the figure of
 * reps of them (at most 5). */
bench_mark bench_default_sweep(const struct gs_sim_model *sim, uint32_t jobs);
void bench_add_sweeps(bench_report *r, const char *section, const char *name, const struct gs_sim_model *sim,
                      uint32_t jobs, int reps);

/* The fidelity section's CPython programs, the .py files of bench/fidelity compiled in
 * (bench/CMakeLists.txt); ends with {NULL, NULL}. */
#include "embedded.h"
extern const gs_embedded_program bench_fidelity_programs[];

/* Measures this machine as `gilsim calibrate` does and prints the model
 * (its options, for `--sim`), or exits saying why. */
#include "calibrate.h"
void bench_calibrate(gs_calibration *cal);

void bench_interp(bench_report *r);
void bench_lock(bench_report *r);
void bench_scale(bench_report *r);
void bench_sim(bench_report *r);
void bench_merge(bench_report *r);
void bench_calibration(bench_report *r);
void bench_fidelity(bench_report *r);

#endif
