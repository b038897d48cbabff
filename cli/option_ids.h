/* option_ids.h - the options' identifiers and what options.c and
 * option_values.c share (private to cli/). */
#ifndef GS_OPTION_IDS_H
#define GS_OPTION_IDS_H

#include "options.h"

enum {
    OPT_THREADS = 256, OPT_PROCESSES, OPT_ASYNC, OPT_MODES, OPT_WORKERS, OPT_CPU, OPT_IO_BOUND, OPT_MIXED, OPT_RACE, OPT_NATIVE,
    OPT_PROGRAM, OPT_UNIT_SIZE, OPT_VS_PYTHON, OPT_WORKLOADS, OPT_WORK, OPT_WORK_PER, OPT_IO, OPT_LATENCY, OPT_GIL, OPT_CHECK, OPT_INTERVAL,
    OPT_NO_FORCE,
    OPT_REPEAT, OPT_NO_BASELINE, OPT_TIMEOUT, OPT_TIMELINE,
    OPT_PLOT_METRIC, OPT_PLOT_SIZE, OPT_TRANSFER, OPT_QUIET, OPT_NO_COLOR, OPT_HELP, OPT_VERSION, OPT_CORES, OPT_SIM, OPT_SEED,
    OPT_INSTRUCTION, OPT_JOBS, OPT_QUICK, OPT_BACKGROUND, OPT_STRICT, OPT_PLAN, OPT_SLURM, OPT_POINT, OPT_RESULT, OPT_FT_BUILD, OPT_GC_EVERY, OPT_GC_PAUSE,
#define OUT_ENUM(e, option, cmds, dash, run, sweep) OPT_OUT_##e,
    GS_OUTPUT_KINDS(OUT_ENUM) /* in the outputs' order: OPT_OUT_FIRST + the gs_out_kind */
#undef OUT_ENUM
#define COST_ENUM(field, option, label, dflt, min, max, what) OPT_COST_##field,
    GS_SIM_COSTS(COST_ENUM) /* in the costs' order: OPT_COST_FIRST + the cost's index */
#undef COST_ENUM
};
#define OPT_COST_FIRST OPT_COST_wake_ns
#define OPT_OUT_FIRST OPT_OUT_JSON

/* Says "gilsim: MESSAGE (see gilsim COMMAND --help)" on stderr, for the
 * command gs_cli_usage_for named last; returns -1. */
void gs_cli_usage_for(const char *command);
__attribute__((format(printf, 1, 2))) int gs_cli_usage_error(const char *fmt, ...);

/* Reads the value of option c (an OPT_ identifier) into o, by the
 * option's group.  Returns 0, or -1 after saying why. */
int gs_cli_option_value(gs_cli_options *o, int c, const char *arg);

#endif
