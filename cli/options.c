/* options.c - parsing and validating the run and sweep options (see
 * options.h).  Every option is in one table with the commands it belongs
 * to; an option given to the wrong command is named as such. */
#include <getopt.h>
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../reports/escape.h"
#include "../reports/output.h"
#include "cli.h"
#include "../interp/names.h"
#include "options.h"
#include "parse.h"
#include "progress.h"

#define RUN GS_CMD_RUN
#define SWEEP GS_CMD_SWEEP
#define BOTH (GS_CMD_RUN | GS_CMD_SWEEP)
#define DEFAULT_WORKERS 4
#define DEFAULT_IO_LATENCY_NS 1000000ull /* 1 ms */

enum {
    OPT_THREADS = 256, OPT_PROCESSES, OPT_ASYNC, OPT_MODES, OPT_WORKERS, OPT_CPU, OPT_IO_BOUND, OPT_MIXED, OPT_RACE, OPT_NATIVE,
    OPT_PROGRAM, OPT_UNIT_SIZE, OPT_VS_PYTHON, OPT_WORKLOADS, OPT_WORK, OPT_WORK_PER, OPT_IO, OPT_LATENCY, OPT_GIL, OPT_CHECK, OPT_INTERVAL,
    OPT_NO_FORCE,
    OPT_REPEAT, OPT_NO_BASELINE, OPT_TIMEOUT, OPT_JSON, OPT_CSV, OPT_TRACE, OPT_HTML, OPT_TIMELINE, OPT_PLOT,
    OPT_PLOT_METRIC, OPT_QUIET, OPT_NO_COLOR, OPT_HELP, OPT_VERSION, OPT_CORES, OPT_SIM, OPT_SEED,
    OPT_INSTRUCTION, OPT_JOBS,
#define COST_ENUM(field, option, label, dflt, min, max, what) OPT_COST_##field,
    GS_SIM_COSTS(COST_ENUM) /* in the costs' order: OPT_COST_FIRST + the cost's index */
#undef COST_ENUM
};
#define OPT_COST_FIRST OPT_COST_wake_ns

static const struct {
    struct option opt;
    unsigned cmds; /* gs_command bits */
    gs_value_kind value; /* for shell completion */
} options[] = {
    {{"threads", required_argument, NULL, OPT_THREADS}, RUN, GS_VALUE_TEXT},
    {{"processes", required_argument, NULL, OPT_PROCESSES}, RUN, GS_VALUE_TEXT},
    {{"async", required_argument, NULL, OPT_ASYNC}, RUN, GS_VALUE_TEXT},
    {{"modes", required_argument, NULL, OPT_MODES}, SWEEP, GS_VALUE_MODES},
    {{"workers", required_argument, NULL, OPT_WORKERS}, SWEEP, GS_VALUE_TEXT},
    {{"cpu-bound", optional_argument, NULL, OPT_CPU}, BOTH, GS_VALUE_NONE},
    {{"io-bound", no_argument, NULL, OPT_IO_BOUND}, BOTH, GS_VALUE_NONE},
    {{"mixed", required_argument, NULL, OPT_MIXED}, BOTH, GS_VALUE_TEXT},
    {{"race", optional_argument, NULL, OPT_RACE}, BOTH, GS_VALUE_NONE},
    {{"native", required_argument, NULL, OPT_NATIVE}, BOTH, GS_VALUE_TEXT},
    {{"program", required_argument, NULL, OPT_PROGRAM}, BOTH, GS_VALUE_FILE},
    {{"unit-size", required_argument, NULL, OPT_UNIT_SIZE}, BOTH, GS_VALUE_TEXT},
    {{"vs-python", no_argument, NULL, OPT_VS_PYTHON}, RUN, GS_VALUE_NONE},
    {{"workloads", required_argument, NULL, OPT_WORKLOADS}, SWEEP, GS_VALUE_WORKLOADS},
    {{"work", required_argument, NULL, OPT_WORK}, BOTH, GS_VALUE_TEXT},
    {{"work-per-worker", required_argument, NULL, OPT_WORK_PER}, BOTH, GS_VALUE_TEXT},
    {{"io", required_argument, NULL, OPT_IO}, BOTH, GS_VALUE_IO},
    {{"io-latency", required_argument, NULL, OPT_LATENCY}, BOTH, GS_VALUE_TEXT},
    {{"gil", required_argument, NULL, OPT_GIL}, BOTH, GS_VALUE_POLICY},
    {{"check-interval", required_argument, NULL, OPT_CHECK}, BOTH, GS_VALUE_TEXT},
    {{"switch-interval", required_argument, NULL, OPT_INTERVAL}, BOTH, GS_VALUE_TEXT},
    {{"no-force-switching", no_argument, NULL, OPT_NO_FORCE}, BOTH, GS_VALUE_NONE},
    {{"repeat", required_argument, NULL, OPT_REPEAT}, BOTH, GS_VALUE_TEXT},
    {{"no-baseline", no_argument, NULL, OPT_NO_BASELINE}, RUN, GS_VALUE_NONE},
    {{"timeout", required_argument, NULL, OPT_TIMEOUT}, BOTH, GS_VALUE_TEXT},
    {{"cores", required_argument, NULL, OPT_CORES}, BOTH, GS_VALUE_TEXT},
    {{"sim", no_argument, NULL, OPT_SIM}, BOTH, GS_VALUE_NONE},
    {{"seed", required_argument, NULL, OPT_SEED}, BOTH, GS_VALUE_TEXT},
    {{"instruction-ns", required_argument, NULL, OPT_INSTRUCTION}, BOTH, GS_VALUE_TEXT},
#define COST_OPTION(field, option, label, dflt, min, max, what) \
    {{option, required_argument, NULL, OPT_COST_##field}, BOTH, GS_VALUE_TEXT},
    GS_SIM_COSTS(COST_OPTION)
#undef COST_OPTION
    {{"jobs", required_argument, NULL, OPT_JOBS}, SWEEP, GS_VALUE_TEXT},
    {{"json", required_argument, NULL, OPT_JSON}, BOTH, GS_VALUE_FILE},
    {{"html", required_argument, NULL, OPT_HTML}, BOTH, GS_VALUE_FILE},
    {{"csv", required_argument, NULL, OPT_CSV}, BOTH, GS_VALUE_FILE},
    {{"trace", required_argument, NULL, OPT_TRACE}, RUN, GS_VALUE_FILE},
    {{"timeline", no_argument, NULL, OPT_TIMELINE}, RUN, GS_VALUE_NONE},
    {{"plot", required_argument, NULL, OPT_PLOT}, SWEEP, GS_VALUE_FILE},
    {{"plot-metric", required_argument, NULL, OPT_PLOT_METRIC}, SWEEP, GS_VALUE_METRIC},
    {{"quiet", no_argument, NULL, OPT_QUIET}, BOTH, GS_VALUE_NONE},
    {{"no-color", no_argument, NULL, OPT_NO_COLOR}, BOTH, GS_VALUE_NONE},
    {{"help", no_argument, NULL, OPT_HELP}, BOTH, GS_VALUE_NONE},
    {{"version", no_argument, NULL, OPT_VERSION}, BOTH, GS_VALUE_NONE},
};
#define NOPTIONS (sizeof options / sizeof options[0])

void gs_cli_each_option(gs_command cmd, void (*each)(const char *name, gs_value_kind value, void *arg), void *arg)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].cmds & cmd)
            each(options[i].opt.name, options[i].value, arg);
}


__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gilsim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see gilsim --help)\n", stderr);
    va_end(ap);
    return -1;
}

static int set_once(const char **slot, const char *flag)
{
    if (*slot && strcmp(*slot, flag) != 0)
        return usage_error("%s and %s cannot be combined", *slot, flag);
    if (*slot)
        return usage_error("%s given twice", flag);
    *slot = flag;
    return 0;
}

static int set_mode(gs_cli_options *o, gs_mode mode, const char *flag, const char *arg)
{
    uint64_t n;
    if (set_once(&o->mode_flag, flag) != 0 || gs_parse_count(flag, arg, 1, gs_mode_max_workers[mode], &n) != 0)
        return -1;
    o->mode = mode;
    o->workers = (uint32_t)n;
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
        return usage_error("%s: the list is too long", flag);
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    if (!*buf || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
        return usage_error("%s: '%s' has an empty item", flag, list);
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (item(o, flag, tok) != 0)
            return -1;
    return 0;
}

/* A value of flag that is not one of the table's names. */
static int not_one_of(const char *flag, const char *arg, const char *what, const char *const *names, int count)
{
    char choices[512];
    return usage_error("%s: '%s' is not %s: give %s", flag, arg, what,
                       gs_name_choices(names, count, choices, sizeof choices));
}

/* An option that only the policies with trait take. */
static int only_policies(const char *flag, unsigned trait)
{
    const char *with[GS_GIL_POLICY_COUNT];
    for (int p = 0; p < GS_GIL_POLICY_COUNT; p++)
        with[p] = gs_gil_has((gs_gil_policy)p, trait) ? gs_gil_policy_names[p] : NULL;
    char choices[256];
    return usage_error("%s applies only to --gil %s", flag, gs_name_choices(with, GS_GIL_POLICY_COUNT, choices,
                                                                           sizeof choices));
}

static int add_mode(gs_cli_options *o, const char *flag, const char *name)
{
    int m = gs_name_index(gs_mode_names, GS_MODE_COUNT, name);
    if (m < 0)
        return not_one_of(flag, name, "a mode", gs_mode_names, GS_MODE_COUNT);
    for (uint32_t i = 0; i < o->nmodes; i++)
        if (o->modes[i] == (gs_mode)m)
            return usage_error("%s: %s is listed twice", flag, name);
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
            return usage_error("%s: the range '%s' runs backwards", flag, item);
    } else if (gs_parse_count(flag, item, 1, GS_MAX_WORKERS, &lo) != 0) {
        return -1;
    } else {
        hi = lo;
    }
    for (uint64_t n = lo; n <= hi; n++) {
        if (add_count(o, n) != 0) {
            char max[16];
            snprintf(max, sizeof max, "%u", GS_SWEEP_MAX_COUNTS);
            return usage_error("%s: more than %s worker counts", flag, max);
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
        return usage_error("%s: more than 8 workloads", flag);
    o->wl[o->nwl++] = spec;
    return 0;
}

static int set_path(const char **slot, const char *flag, const char *arg, bool dash_ok)
{
    if (!*arg)
        return usage_error("%s: give a file name%s", flag, dash_ok ? ", or - for standard output" : "");
    if (!dash_ok && strcmp(arg, "-") == 0)
        return usage_error("%s: give a file name", flag);
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

static int parse_option(gs_cli_options *o, int c, const char *arg)
{
    uint64_t n;
    switch (c) {
    case OPT_THREADS:   return set_mode(o, GS_MODE_THREADS, "--threads", arg);
    case OPT_PROCESSES: return set_mode(o, GS_MODE_PROCESSES, "--processes", arg);
    case OPT_ASYNC:     return set_mode(o, GS_MODE_ASYNC, "--async", arg);
    case OPT_MODES:
        if (o->nmodes)
            return usage_error("--modes given twice");
        return each_item("--modes", arg, add_mode, o);
    case OPT_WORKERS:
        if (o->ncounts)
            return usage_error("--workers given twice");
        return each_item("--workers", arg, add_counts, o);
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
            return usage_error("--program: give a program file");
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
            return usage_error("--io: '%s' is not an I/O kind: give sleep, pipe or file", arg);
        o->io_kind = (gs_io_kind)k;
        o->io_set = true;
        return 0;
    }
    case OPT_LATENCY:
        o->latency_set = true;
        return gs_parse_duration("--io-latency", arg, 0, GS_MAX_LATENCY_NS, &o->io_latency_ns);
    case OPT_GIL: {
        int p = gs_name_index(gs_gil_policy_names, GS_GIL_POLICY_COUNT, arg);
        if (p < 0)
            return not_one_of("--gil", arg, "a lock policy", gs_gil_policy_names, GS_GIL_POLICY_COUNT);
        o->policy = (gs_gil_policy)p;
        o->policy_set = true;
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
    case OPT_SIM: o->sim = true; return 0;
    case OPT_JOBS:
        if (gs_parse_count("--jobs", arg, 1, 1024, &n) != 0)
            return -1;
        o->jobs = (uint32_t)n;
        return 0;
    case OPT_SEED:
        o->sim_set = "--seed";
        return gs_parse_count("--seed", arg, 0, UINT64_MAX, &o->model.seed);
    case OPT_INSTRUCTION:
        o->sim_set = gs_model_option_name(0);
        return gs_parse_model_option(0, arg, &o->model);
    case OPT_JSON:  return set_path(&o->outputs.path[GS_OUT_JSON], "--json", arg, true);
    case OPT_CSV:   return set_path(&o->outputs.path[GS_OUT_CSV], "--csv", arg, true);
    case OPT_TRACE: return set_path(&o->outputs.path[GS_OUT_TRACE], "--trace", arg, true);
    case OPT_HTML:  return set_path(&o->outputs.path[GS_OUT_HTML], "--html", arg, true);
    case OPT_PLOT:  return set_path(&o->outputs.path[GS_OUT_PLOT], "--plot", arg, false);
    case OPT_PLOT_METRIC: {
        int m = gs_name_index(gs_plot_metric_names, GS_PLOT_METRIC_COUNT, arg);
        if (m < 0)
            return not_one_of("--plot-metric", arg, "a metric", gs_plot_metric_names, GS_PLOT_METRIC_COUNT);
        o->plot_metric = (gs_plot_metric)m;
        o->plot_metric_set = true;
        return 0;
    }
    case OPT_TIMELINE: o->timeline = true; return 0;
    case OPT_QUIET: o->quiet = true; return 0;
    case OPT_NO_COLOR: o->color = false; return 0;
    }
    if (c >= OPT_COST_FIRST && c < OPT_COST_FIRST + GS_SIM_COST_COUNT) {
        size_t i = 1 + (size_t)(c - OPT_COST_FIRST);
        o->sim_set = gs_model_option_name(i);
        return gs_parse_model_option(i, arg, &o->model);
    }
    return -1;
}

int gs_check_plot_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || (strcmp(dot, ".png") != 0 && strcmp(dot, ".svg") != 0))
        return usage_error("--plot: '%s' must end in .png or .svg", path);
    if (strlen(path) > 1000)
        return usage_error("--plot: the file name is longer than 1000 characters");
    if (!gs_gnuplot_can_name(path)) /* gnuplot's script must name the picture and its data */
        return usage_error("--plot: the file name holds a control character (a newline, a tab, an escape), "
                           "which no gnuplot script can name; choose another name");
    return 0;
}

static int compare_counts(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sweep defaults, and worker counts within every mode's limit. */
static int finish_sweep(gs_cli_options *o)
{
    if (!o->nmodes)
        for (int m = 0; m < GS_MODE_COUNT; m++)
            o->modes[o->nmodes++] = (gs_mode)m;
    if (!o->ncounts)
        for (uint32_t n = 1; n <= 8; n *= 2)
            o->counts[o->ncounts++] = n;
    qsort(o->counts, o->ncounts, sizeof *o->counts, compare_counts);
    for (uint32_t i = 0; i < o->nmodes; i++) {
        uint32_t max = gs_mode_max_workers[o->modes[i]];
        if (o->counts[o->ncounts - 1] > max) {
            char msg[32];
            snprintf(msg, sizeof msg, "%u", max);
            return usage_error("--workers: %s take at most %s workers", gs_mode_plural[o->modes[i]], msg);
        }
    }
    const char *plot = o->outputs.path[GS_OUT_PLOT];
    if (o->plot_metric_set && !plot)
        return usage_error("--plot-metric applies only with --plot");
    if (plot && gs_check_plot_name(plot) != 0)
        return -1;
    return 0;
}

static int check_combinations(gs_cli_options *o)
{
    bool io_workload = false;
    for (uint32_t i = 0; i < o->nwl; i++)
        io_workload |= o->wl[i].kind == GS_WL_IO_BOUND || o->wl[i].kind == GS_WL_MIXED;
    bool program = false;
    for (uint32_t i = 0; i < o->nwl; i++)
        if (o->wl[i].kind == GS_WL_PROGRAM) {
            o->wl[i].unit_size = (int64_t)o->unit_size;
            o->wl[i].unit_size_given = o->unit_size != 0;
            program = true;
        }
    if (o->unit_size && !program)
        return usage_error("--unit-size applies only to --program");
    size_t plen = program ? strlen(o->wl[0].path) : 0;
    if (o->vs_python && (plen < 3 || strcmp(o->wl[0].path + plen - 3, ".py") != 0))
        return usage_error("--vs-python applies only to --program FILE.py");
    if (o->io_set && !io_workload)
        return usage_error("--io applies only to --io-bound and --mixed");
    if (o->latency_set && !io_workload && o->wl[0].kind != GS_WL_PROGRAM)
        return usage_error("--io-latency applies only to --io-bound, --mixed and --program");
    if (o->check_set && !gs_gil_has(o->policy, GS_TRAIT_TICKS))
        return only_policies("--check-interval", GS_TRAIT_TICKS);
    if (o->interval_set && !gs_gil_has(o->policy, GS_TRAIT_INTERVAL))
        return usage_error("--switch-interval does not apply to --gil %s: it has no time slice",
                           gs_gil_policy_names[o->policy]);
    if (!o->force_switching && !gs_gil_has(o->policy, GS_TRAIT_FORCE))
        return only_policies("--no-force-switching", GS_TRAIT_FORCE);
    if (o->sim_set && !o->sim)
        return usage_error("%s applies only with --sim", o->sim_set);
    if (o->jobs && !o->sim)
        return usage_error("--jobs applies only with --sim: a real sweep runs one point at a time, so that "
                           "points do not slow each other");
    if (o->sim && !o->repeat_set)
        o->repeat = 1; /* virtual time is exact: a repeat is another seed, asked for with --repeat */
    if (o->sim)
        o->model.cores = o->cores ? o->cores : GS_SIM_DEFAULT_CORES;
    else if (o->cores > gs_cpus_allowed()) {
        char count[16];
        snprintf(count, sizeof count, "%u", gs_cpus_allowed());
        return usage_error("--cores: '%s' is more than the %s cores this machine lets gilsim use (with --sim: "
                           "up to 1024 modelled cores)", o->cores_arg, count);
    }
    for (uint32_t i = 0; i < o->nwl; i++) {
        o->wl[i].io_kind = o->io_kind;
        o->wl[i].io_latency_ns = o->io_latency_ns;
        o->wl[i].latency_given = o->latency_set;
        o->wl[i].instruction_ns = o->sim ? o->model.instruction_ns : 0;
    }
    return o->cmd == GS_CMD_SWEEP ? finish_sweep(o) : 0;
}

/* Returns the option's name as typed, for messages. */
static const char *option_named(int c)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].opt.val == c)
            return options[i].opt.name;
    return "?";
}

int gs_cli_parse(int argc, char **argv, gs_command cmd, gs_cli_options *o)
{
    *o = (gs_cli_options){.cmd = cmd, .mode = GS_MODE_THREADS, .workers = DEFAULT_WORKERS,
                          .wl = {{.kind = GS_WL_COUNTDOWN}}, .nwl = 1, .io_latency_ns = DEFAULT_IO_LATENCY_NS,
                          .interval_ns = GS_INTERVAL_DEFAULT_NS, .force_switching = true,
                          .check_interval = GS_CHECK_INTERVAL_DEFAULT,
                          .repeat = cmd == GS_CMD_SWEEP ? 3 : 1, .baseline = true, .color = true,
                          .model = GS_SIM_MODEL_DEFAULT};
    struct option longopts[NOPTIONS + 1];
    for (size_t i = 0; i < NOPTIONS; i++)
        longopts[i] = options[i].opt;
    longopts[NOPTIONS] = (struct option){0};
    opterr = 0;
    optind = 1;
    bool workloads_listed = false;
    int c, index;
    while ((c = getopt_long(argc, argv, ":j:hV", longopts, &index)) != -1) {
        static const struct { int letter, option; } shorts[] = {{'j', OPT_JOBS}, {'h', OPT_HELP}, {'V', OPT_VERSION}};
        for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; i++)
            if (c == shorts[i].letter) { /* -j N is --jobs N, -h --help, -V --version */
                c = shorts[i].option;
                for (index = 0; options[index].opt.val != c; index++)
                    ;
            }
        if (c == OPT_HELP) {
            gs_cli_print_usage(stdout, cmd == GS_CMD_SWEEP ? gs_sweep_usage : gs_run_usage);
            return 1;
        }
        if (c == OPT_VERSION) {
            printf("gilsim %s\n", GILSIM_VERSION);
            return 1;
        }
        if (c == ':')
            return usage_error("%s needs a value", argv[optind - 1]);
        if (c == '?')
            return usage_error("unknown option '%s'", argv[optind - 1]);
        if (!(options[index].cmds & cmd))
            return usage_error(cmd == GS_CMD_SWEEP ? "--%s is an option of a run, not of gilsim sweep%s"
                                                   : "--%s is an option of gilsim sweep, not of a run%s",
                               option_named(c), "");
        if (c == OPT_WORKLOADS && !workloads_listed) {
            o->nwl = 0; /* the list replaces the default */
            workloads_listed = true;
        }
        if (parse_option(o, c, optarg) != 0)
            return -1;
    }
    if (optind < argc) {
        static const char *const commands[] = {"run", "sweep", "demo", "calibrate", "asm", "dis"};
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(argv[optind], commands[i]) == 0)
                return usage_error("'%s' is a command: it comes first, before the options (gilsim %s ...)",
                                   argv[optind], argv[optind]);
        return usage_error("unexpected argument '%s'", argv[optind]);
    }
    return check_combinations(o);
}

gs_run_config gs_cli_run_config(const gs_cli_options *o)
{
    return (gs_run_config){.mode = o->mode, .workers = o->workers, .work = o->work, .weak = o->weak,
                           .gil = {.policy = o->policy, .interval_ns = o->interval_ns,
                                   .force_switching = o->force_switching, .check_interval = o->check_interval},
                           .cores = o->sim ? 0 : o->cores, .sim = o->sim ? &o->model : NULL,
                           .io_latency_ns = o->io_latency_ns, .event_cap = GS_DEFAULT_EVENTS,
                           .timeout_ns = o->timeout_ns};
}

bool gs_cli_color(const gs_cli_options *o)
{
    const char *no_color = getenv("NO_COLOR"); /* no-color.org: set and not empty */
    return o->color && gs_terminal_escapes(STDOUT_FILENO) && !(no_color && *no_color);
}
