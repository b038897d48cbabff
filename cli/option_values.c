/* option_values.c - reading each option's value (options.h), by group:
 * how many workers of which mode, the workload, the lock, measuring, the
 * model of virtual time, and the outputs.  A bad value is one line on
 * standard error naming the option, the value and what is allowed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../interp/names.h"
#include "../reports/escape.h"
#include "option_ids.h"
#include "parse.h"

/* The command being parsed, for where a usage error points. */
static const char *help_of = "gilsim --help";

void gs_cli_usage_for(const char *command)
{
    static char text[64];
    snprintf(text, sizeof text, "gilsim %s%s--help", strcmp(command, "run") ? command : "",
             strcmp(command, "run") ? " " : "");
    help_of = text;
}

int gs_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gilsim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see %s)\n", help_of);
    va_end(ap);
    return -1;
}

static int set_once(const char **slot, const char *flag)
{
    if (*slot && strcmp(*slot, flag) != 0)
        return gs_cli_usage_error("%s and %s cannot be combined", *slot, flag);
    if (*slot)
        return gs_cli_usage_error("%s given twice", flag);
    *slot = flag;
    return 0;
}

static int set_mode(gs_cli_options *o, gs_mode mode, const char *flag, const char *arg)
{
    if (set_once(&o->mode_flag, flag) != 0)
        return -1;
    o->mode = mode;
    o->mode_arg = arg; /* a count, read once --sim is known (options.c) */
    return 0;
}

static int set_workload(gs_cli_options *o, gs_workload_spec spec, const char *flag)
{
    if (set_once(&o->wl_flag, flag) != 0)
        return -1;
    o->wl[0] = spec;
    o->nwl = 1;
    return 0;
}

/* Splits a comma-separated list; calls item(text, len) for each.  An empty
 * item is an error. */
static int each_item(const char *flag, const char *list, int (*item)(gs_cli_options *, const char *, const char *),
                     gs_cli_options *o)
{
    char buf[1024];
    if (strlen(list) >= sizeof buf)
        return gs_cli_usage_error("%s: the list is too long", flag);
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    if (!*buf || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
        return gs_cli_usage_error("%s: '%s' has an empty item", flag, list);
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (item(o, flag, tok) != 0)
            return -1;
    return 0;
}

/* A value of flag that is not one of the table's names. */
static int not_one_of(const char *flag, const char *arg, const char *what, const char *const *names, int count)
{
    char choices[512];
    return gs_cli_usage_error("%s: '%s' is not %s: give %s", flag, arg, what,
                       gs_name_choices(names, count, choices, sizeof choices));
}

static int add_mode(gs_cli_options *o, const char *flag, const char *name)
{
    int m = gs_name_index(gs_mode_names, GS_MODE_COUNT, name);
    if (m < 0)
        return not_one_of(flag, name, "a mode", gs_mode_names, GS_MODE_COUNT);
    for (uint32_t i = 0; i < o->nmodes; i++)
        if (o->modes[i] == (gs_mode)m)
            return gs_cli_usage_error("%s: %s is listed twice", flag, name);
    o->modes[o->nmodes++] = (gs_mode)m;
    return 0;
}

static int add_count(gs_cli_options *o, uint64_t n)
{
    for (uint32_t i = 0; i < o->ncounts; i++)
        if (o->counts[i] == n)
            return 0;
    if (o->ncounts == GS_SWEEP_MAX_COUNTS)
        return -1;
    o->counts[o->ncounts++] = (uint32_t)n;
    return 0;
}

static int add_counts(gs_cli_options *o, const char *flag, const char *item)
{
    uint64_t lo, hi;
    const char *dash = strchr(item, '-');
    char first[64];
    if (dash && dash != item) {
        snprintf(first, sizeof first, "%.*s", (int)(dash - item), item);
        if (gs_parse_count(flag, first, 1, GS_MAX_WORKERS, &lo) != 0 ||
            gs_parse_count(flag, dash + 1, 1, GS_MAX_WORKERS, &hi) != 0)
            return -1;
        if (hi < lo)
            return gs_cli_usage_error("%s: the range '%s' runs backwards", flag, item);
    } else if (gs_parse_count(flag, item, 1, GS_MAX_WORKERS, &lo) != 0) {
        return -1;
    } else {
        hi = lo;
    }
    for (uint64_t n = lo; n <= hi; n++) {
        if (add_count(o, n) != 0) {
            char max[16];
            snprintf(max, sizeof max, "%u", GS_SWEEP_MAX_COUNTS);
            return gs_cli_usage_error("%s: more than %s worker counts", flag, max);
        }
    }
    return 0;
}

static int add_workload(gs_cli_options *o, const char *flag, const char *name)
{
    gs_workload_spec spec = {.kind = GS_WL_COUNTDOWN};
    const char *ratio;
    if (gs_workload_named(name, &spec, &ratio) != 0) {
        char spelled[GS_WORKLOAD_SWEEP_NAMES][32]; /* "mixed:" takes a ratio: "mixed:RATIO" */
        const char *names[GS_WORKLOAD_SWEEP_NAMES];
        for (int i = 0; i < GS_WORKLOAD_SWEEP_NAMES; i++) {
            const char *n = gs_workload_sweep_names[i];
            names[i] = n ? spelled[i] : NULL;
            if (n)
                snprintf(spelled[i], sizeof spelled[i], "%s%s", n, n[strlen(n) - 1] == ':' ? "RATIO" : "");
        }
        return not_one_of(flag, name, "a workload", names, GS_WORKLOAD_SWEEP_NAMES);
    }
    if (spec.kind == GS_WL_MIXED && gs_parse_ratio(flag, ratio, &spec.cpu_share) != 0)
        return -1;
    if (spec.kind == GS_WL_NATIVE && gs_parse_decimal(flag, ratio, 0, 1, &spec.native_share) != 0)
        return -1;
    if (o->nwl == GS_SWEEP_MAX_WORKLOADS)
        return gs_cli_usage_error("%s: more than 8 workloads", flag);
    o->wl[o->nwl++] = spec;
    return 0;
}

static int set_path(const char **slot, const char *flag, const char *arg, bool dash_ok)
{
    if (!*arg)
        return gs_cli_usage_error("%s: give a file name%s", flag, dash_ok ? ", or - for standard output" : "");
    if (!dash_ok && strcmp(arg, "-") == 0)
        return gs_cli_usage_error("%s: give a file name", flag);
    *slot = arg;
    return 0;
}

/* The model's options: --instruction-ns (a number of ns, not a duration:
 * it may be a fraction), then each cost of the table (sim.h). */
const char *gs_model_option_name(size_t i)
{
    static char names[GS_SIM_COST_COUNT][32];
    if (i == 0)
        return "--instruction-ns";
    if (i > GS_SIM_COST_COUNT)
        return NULL;
    if (!names[i - 1][0])
        snprintf(names[i - 1], sizeof names[i - 1], "--%s", gs_sim_costs[i - 1].option);
    return names[i - 1];
}

int gs_parse_model_option(size_t i, const char *arg, gs_sim_model *m)
{
    if (i == 0)
        return gs_parse_decimal("--instruction-ns", arg, 0.01, 1000, &m->instruction_ns);
    const gs_sim_cost *c = &gs_sim_costs[i - 1];
    return gs_parse_duration(gs_model_option_name(i), arg, c->min_ns, c->max_ns,
                             (uint64_t *)(void *)((char *)m + c->offset));
}

enum { NOT_MINE = 1 }; /* a group's answer for an option of another group */

/* The options of how many workers of which mode (a run), which modes and counts (a sweep). */
static int workers_option(gs_cli_options *o, int c, const char *arg)
{
    uint64_t n;
    switch (c) {
    case OPT_THREADS:   return set_mode(o, GS_MODE_THREADS, "--threads", arg);
    case OPT_PROCESSES: return set_mode(o, GS_MODE_PROCESSES, "--processes", arg);
    case OPT_ASYNC:     return set_mode(o, GS_MODE_ASYNC, "--async", arg);
    case OPT_MODES:
        if (o->nmodes)
            return gs_cli_usage_error("--modes given twice");
        return each_item("--modes", arg, add_mode, o);
    case OPT_WORKERS:
        if (o->ncounts)
            return gs_cli_usage_error("--workers given twice");
        return each_item("--workers", arg, add_counts, o);
    case OPT_JOBS:
        if (gs_parse_count("--jobs", arg, 1, 1024, &n) != 0)
            return -1;
        o->jobs = (uint32_t)n;
        return 0;
    }
    return NOT_MINE;
}

/* The options of what the workers run, how much, and its I/O. */
static int workload_option(gs_cli_options *o, int c, const char *arg)
{
    uint64_t n;
    switch (c) {
    case OPT_CPU: {
        int k = gs_workload_cpu_kind(arg ? arg : "countdown");
        if (k < 0)
            return not_one_of("--cpu-bound", arg, "a kernel", gs_workload_kind_names, GS_WL_IO_BOUND);
        return set_workload(o, (gs_workload_spec){.kind = (gs_workload_kind)k}, "--cpu-bound");
    }
    case OPT_IO_BOUND: return set_workload(o, (gs_workload_spec){.kind = GS_WL_IO_BOUND}, "--io-bound");
    case OPT_MIXED: {
        gs_workload_spec spec = {.kind = GS_WL_MIXED};
        if (gs_parse_ratio("--mixed", arg, &spec.cpu_share) != 0)
            return -1;
        return set_workload(o, spec, "--mixed");
    }
    case OPT_RACE: {
        gs_workload_spec spec = {.kind = GS_WL_RACE};
        int r = arg ? gs_name_index(gs_race_variant_names, GS_RACE_COUNT, arg) : GS_RACE_CALL;
        if (r < 0)
            return not_one_of("--race", arg, "a variant", gs_race_variant_names, GS_RACE_COUNT);
        spec.race = (gs_race_variant)r;
        return set_workload(o, spec, "--race");
    }
    case OPT_NATIVE: {
        gs_workload_spec spec = {.kind = GS_WL_NATIVE};
        if (gs_parse_decimal("--native", arg, 0, 1, &spec.native_share) != 0)
            return -1;
        return set_workload(o, spec, "--native");
    }
    case OPT_VS_PYTHON: o->vs_python = true; return 0;
    case OPT_UNIT_SIZE:
        return gs_parse_count("--unit-size", arg, 1, GS_MAX_WORK, &o->unit_size);
    case OPT_PROGRAM:
        if (!*arg)
            return gs_cli_usage_error("--program: give a program file");
        return set_workload(o, (gs_workload_spec){.kind = GS_WL_PROGRAM, .path = arg}, "--program");
    case OPT_WORKLOADS:
        if (set_once(&o->wl_flag, "--workloads") != 0)
            return -1;
        return each_item("--workloads", arg, add_workload, o);
    case OPT_WORK:
    case OPT_WORK_PER: {
        const char *flag = c == OPT_WORK ? "--work" : "--work-per-worker";
        if (set_once(&o->work_flag, flag) != 0 || gs_parse_count(flag, arg, 1, GS_MAX_WORK, &n) != 0)
            return -1;
        o->work = n;
        o->weak = c == OPT_WORK_PER;
        return 0;
    }
    case OPT_IO: {
        int k = gs_io_kind_by_name(arg, strlen(arg));
        if (k < 0)
            return gs_cli_usage_error("--io: '%s' is not an I/O kind: give sleep, pipe or file", arg);
        o->io_kind = (gs_io_kind)k;
        o->io_set = true;
        return 0;
    }
    case OPT_LATENCY:
        o->latency_set = true;
        return gs_parse_duration("--io-latency", arg, 0, GS_MAX_LATENCY_NS, &o->io_latency_ns);
    case OPT_TRANSFER:
        return gs_parse_bytes("--transfer", arg, GS_MAX_TRANSFER, &o->transfer_bytes);
    }
    return NOT_MINE;
}

/* The options of the lock and its policy's settings. */
static int lock_option(gs_cli_options *o, int c, const char *arg)
{
    uint64_t n;
    switch (c) {
    case OPT_GIL: {
        int p = gs_name_index(gs_gil_policy_names, GS_GIL_POLICY_COUNT, arg);
        if (p < 0)
            return not_one_of("--gil", arg, "a lock policy", gs_gil_policy_names, GS_GIL_POLICY_COUNT);
        o->policy = (gs_gil_policy)p;
        o->policy_set = true;
        return 0;
    }
    case OPT_FT_BUILD: {
        int b = gs_name_index(gs_ft_build_names, GS_FT_BUILD_COUNT, arg);
        if (b < 0)
            return not_one_of("--ft-build", arg, "a free-threaded build", gs_ft_build_names, GS_FT_BUILD_COUNT);
        o->ft_build = (gs_ft_build)b;
        o->ft_build_set = true;
        return 0;
    }
    case OPT_CHECK:
        o->check_set = true;
        if (gs_parse_count("--check-interval", arg, 1, GS_CHECK_INTERVAL_MAX, &n) != 0)
            return -1;
        o->check_interval = n;
        return 0;
    case OPT_INTERVAL:
        o->interval_set = true;
        return gs_parse_duration("--switch-interval", arg, GS_INTERVAL_MIN_NS, GS_INTERVAL_MAX_NS, &o->interval_ns);
    case OPT_NO_FORCE: o->force_switching = false; return 0;
    case OPT_GC_EVERY:
        o->gc_set = true;
        return gs_parse_duration("--gc-every", arg, 10000, 10000000000ull, &o->gc_every_ns);
    case OPT_GC_PAUSE:
        o->gc_set = true;
        return gs_parse_duration("--gc-pause", arg, 1000, 10000000000ull, &o->gc_pause_ns);
    }
    return NOT_MINE;
}

/* The options of repetitions, the baseline, the timeout, pinning. */
static int measuring_option(gs_cli_options *o, int c, const char *arg)
{
    uint64_t n;
    switch (c) {
    case OPT_REPEAT:
        if (gs_parse_count("--repeat", arg, 1, GS_MAX_REPEAT, &n) != 0)
            return -1;
        o->repeat = (uint32_t)n;
        o->repeat_set = true;
        return 0;
    case OPT_NO_BASELINE: o->baseline = false; return 0;
    case OPT_TIMEOUT:
        return gs_parse_duration("--timeout", arg, 1000000ull, 3600ull * 1000000000ull, &o->timeout_ns);
    case OPT_CORES:
        if (gs_parse_count("--cores", arg, 1, GS_MAX_CORES, &n) != 0)
            return -1;
        o->cores = (uint32_t)n;
        o->cores_arg = arg;
        return 0;
    }
    return NOT_MINE;
}

/* The options of virtual time and the model's costs. */
static int model_option(gs_cli_options *o, int c, const char *arg)
{
    switch (c) {
    case OPT_BACKGROUND: {
        uint64_t n;
        o->sim_set = "--background";
        if (gs_parse_count("--background", arg, 0, GS_MAX_BACKGROUND, &n) != 0)
            return -1;
        o->model.background = (uint32_t)n;
        return 0;
    }
    case OPT_SIM: o->sim = true; return 0;
    case OPT_SEED:
        o->sim_set = "--seed";
        return gs_parse_count("--seed", arg, 0, UINT64_MAX, &o->model.seed);
    case OPT_INSTRUCTION:
        o->sim_set = gs_model_option_name(0);
        return gs_parse_model_option(0, arg, &o->model);
    }
    if (c >= OPT_COST_FIRST && c < OPT_COST_FIRST + GS_SIM_COST_COUNT) {
        size_t i = 1 + (size_t)(c - OPT_COST_FIRST);
        o->sim_set = gs_model_option_name(i);
        return gs_parse_model_option(i, arg, &o->model);
    }
    return NOT_MINE;
}

/* The options of the files written and the terminal. */
static int output_option(gs_cli_options *o, int c, const char *arg)
{
    switch (c) {
    case OPT_PLOT_METRIC: {
        int m = gs_name_index(gs_plot_metric_names, GS_PLOT_METRIC_COUNT, arg);
        if (m < 0)
            return not_one_of("--plot-metric", arg, "a metric", gs_plot_metric_names, GS_PLOT_METRIC_COUNT);
        o->plot_metric = (gs_plot_metric)m;
        o->plot_metric_set = true;
        return 0;
    }
    case OPT_PLOT_SIZE: {
        unsigned w, h;
        char end;
        if (sscanf(arg, "%ux%u%c", &w, &h, &end) != 2 || w < 320 || w > 7680 || h < 240 || h > 4320)
            return gs_cli_usage_error("--plot-size: '%s' is not WIDTHxHEIGHT in pixels, from 320x240 to 7680x4320 "
                                      "(default %ux%u)", arg, GS_PLOT_WIDTH, GS_PLOT_HEIGHT);
        o->outputs.plot_width = w;
        o->outputs.plot_height = h;
        return 0;
    }
    case OPT_PLAN:   return set_path(&o->plan, "--plan", arg, true);
    case OPT_SLURM:  return set_path(&o->slurm, "--slurm", arg, false);
    case OPT_RESULT: return set_path(&o->result, "--result", arg, true);
    case OPT_POINT: {
        uint64_t n;
        if (gs_parse_count("--point", arg, 1, UINT32_MAX, &n) != 0)
            return -1;
        o->point = (uint32_t)n;
        return 0;
    }
    case OPT_TIMELINE: o->timeline = true; return 0;
    case OPT_QUIET: o->quiet = true; return 0;
    case OPT_NO_COLOR: o->color = false; return 0;
    }
    if (c >= OPT_OUT_FIRST && c < OPT_OUT_FIRST + GS_OUT_COUNT) {
        int k = c - OPT_OUT_FIRST;
        return set_path(&o->outputs.path[k], gs_out_flags[k], arg, gs_out_dash_ok[k]);
    }
    return NOT_MINE;
}

int gs_cli_option_value(gs_cli_options *o, int c, const char *arg)
{
    static int (*const groups[])(gs_cli_options *, int, const char *) = {
        workers_option, workload_option, lock_option, measuring_option, model_option, output_option,
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        int rc = groups[g](o, c, arg);
        if (rc != NOT_MINE)
            return rc;
    }
    return -1;
}

int gs_check_plot_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || (strcmp(dot, ".png") != 0 && strcmp(dot, ".svg") != 0))
        return gs_cli_usage_error("--plot: '%s' must end in .png or .svg", path);
    if (strlen(path) > 1000)
        return gs_cli_usage_error("--plot: the file name is longer than 1000 characters");
    if (!gs_gnuplot_can_name(path)) /* gnuplot's script must name the picture and its data */
        return gs_cli_usage_error("--plot: the file name holds a control character (a newline, a tab, an escape), "
                           "which no gnuplot script can name; choose another name");
    return 0;
}

