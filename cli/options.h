/* options.h - gilsim's command line, every command's: one table of
 * commands and one of options, each option valid for the commands it
 * names, parsed and validated before any work starts.  A bad value is one
 * line on standard error naming the option, the value and what is
 * allowed; --help and the shell's completion are made from the tables. */
#ifndef GS_OPTIONS_H
#define GS_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "../reports/report.h"
#include "../sched/sim.h"
#include "../sched/sweep.h"
#include "outputs.h"

#define GS_MAX_CORES 1024 /* --cores: the most any command accepts */
#define GS_SIM_DEFAULT_CORES 8

/* The command named name ("run", "sweep", ...), or 0; the i-th command's
 * name, or NULL past the last. */
gs_command gs_cli_command_named(const char *name);
const char *gs_cli_command_name(size_t i);

typedef struct {
    gs_command cmd;
    /* run: the mode */
    gs_mode mode;
    uint32_t workers;
    const char *mode_flag;       /* the option that set the mode, for conflicts */
    const char *mode_arg;        /* ... and its count of workers, as given */
    /* sweep: the modes and worker counts */
    gs_mode modes[GS_MODE_COUNT];
    uint32_t nmodes;
    uint32_t counts[GS_SWEEP_MAX_COUNTS];
    uint32_t ncounts;
    /* the workloads: one for run, one or more for sweep */
    gs_workload_spec wl[GS_SWEEP_MAX_WORKLOADS];
    uint32_t nwl;
    const char *wl_flag;
    uint64_t work;               /* 0: the workload's default */
    bool weak;
    const char *work_flag;
    gs_io_kind io_kind;
    uint64_t io_latency_ns;
    bool io_set, latency_set;
    uint64_t transfer_bytes;     /* --transfer: per unit, processes only */
    uint64_t unit_size;          /* --unit-size, for --program; 0 = not given */
    bool vs_python;              /* --vs-python */
    /* the lock */
    gs_gil_policy policy;
    uint64_t interval_ns;
    bool force_switching;
    uint64_t check_interval;
    gs_ft_build ft_build;        /* --ft-build */
    uint64_t gc_every_ns, gc_pause_ns; /* --gc-every, --gc-pause: free-threaded's collector */
    bool gc_set;
    bool policy_set, interval_set, check_set, ft_build_set;
    /* measuring and output */
    uint32_t repeat;
    bool repeat_set;
    bool baseline;
    uint64_t timeout_ns;
    uint32_t cores;              /* --cores: real, pinned to so many; --sim, modelled; 0 = not given */
    const char *cores_arg;
    bool sim;                    /* --sim: virtual time on model */
    gs_sim_model model;
    const char *sim_set;         /* a model option given, for the message without --sim */
    uint32_t jobs;               /* --jobs: sweep points at once (virtual time); 0 = not given */
    gs_cli_outputs outputs;      /* the files asked for (paths only; opened by the command) */
    gs_plot_metric plot_metric;
    bool plot_metric_set;
    bool timeline;
    bool quiet, color;
    bool quick;                  /* demo: --quick */
    bool strict;                 /* calibrate: --strict */
    const char *operand;         /* demo: its NAME (NULL: none given); asm, dis: the FILE; merge: the PLAN */
    char **more;                 /* merge: the operands after the first (its results), nmore of them */
    int nmore;
    int options_end;             /* argv[1..options_end) held the options (getopt puts them first) */
    /* sweep: a plan (docs/sweep.md, "Plans") */
    const char *plan;            /* --plan FILE: write the plan instead of running */
    const char *slurm;           /* --slurm FILE: and its Slurm batch script */
    uint32_t point;              /* --point K: run point K (from 1) alone; 0: not given */
    const char *result;          /* --result FILE: where the point's result goes */
} gs_cli_options;

/* Parses argv (argv[0] is the command's name) for cmd, with the operand
 * the command takes.  Returns 0 with o filled, 1 when --help or --version
 * was answered, -1 after reporting a usage error. */
int gs_cli_parse(int argc, char **argv, gs_command cmd, gs_cli_options *o);

/* The configuration every run of the command shares: lock, I/O latency,
 * timeout, events.  Mode, workers, workload and work are the caller's. */
gs_run_config gs_cli_run_config(const gs_cli_options *o);

/* What a program's main cannot honour: --unit-size where it takes no size,
 * --work or --work-per-worker (but 1) where it takes no count of units
 * (wl->whole), since every worker runs all of it, once.  Returns -1 after
 * saying so, else 0. */
int gs_cli_check_main(const gs_cli_options *o, const gs_workload *wl);

/* A program that may not end (wl->may_not_end) runs, without --timeout, as
 * with --timeout GS_CLI_UNENDING_TIMEOUT_NS, so that a student's endless
 * loop does not hang a class: sets cfg's and says so on standard error. */
#define GS_CLI_UNENDING_TIMEOUT_NS (20ull * 1000000000ull)
void gs_cli_bound_program(const gs_cli_options *o, const gs_workload *wl, gs_run_config *cfg);

/* A plot's name ends in .png or .svg, and gnuplot can be given it (no
 * control character).  Returns 0, or -1 after saying what is wrong. */
int gs_check_plot_name(const char *path);

/* What an option's value is, for shell completion (complete.c). */
typedef enum {
    GS_VALUE_NONE,      /* a flag, or a value only after '=' (--cpu-bound=fib) */
    GS_VALUE_TEXT,      /* a number, a duration, a list: nothing to offer */
    GS_VALUE_FILE,
    GS_VALUE_POLICY,
    GS_VALUE_IO,
    GS_VALUE_MODES,
    GS_VALUE_WORKLOADS,
    GS_VALUE_METRIC,
} gs_value_kind;

/* Calls each with the name (without "--") and value kind of every option
 * of cmd, in the order of the table that parsing uses. */
void gs_cli_each_option(gs_command cmd, void (*each)(const char *name, gs_value_kind value, void *arg), void *arg);

/* The model's cost options (--instruction-ns, --wake-latency, ...), by
 * index: the i-th one's name with its "--", or NULL past the last; and
 * parsing its value into m (0, or -1 after saying why on stderr). */
const char *gs_model_option_name(size_t i);
int gs_parse_model_option(size_t i, const char *arg, gs_sim_model *m);

/* The --help texts (usage.c), each line "@NAME@" standing for lines made
 * from a table (the policies, the model's costs, the workloads): print
 * them with gs_cli_print_usage. */
extern const char gs_run_usage[];
extern const char gs_sweep_usage[];
extern const char gs_merge_usage[];
extern const char gs_demo_usage[];
extern const char gs_calibrate_usage[];
extern const char gs_asm_usage[];
extern const char gs_dis_usage[];
extern const char gs_terms_usage[];
void gs_cli_print_usage(FILE *out, const char *text);

/* Whether to use colour on standard output. */
bool gs_cli_color(const gs_cli_options *o);

#endif
