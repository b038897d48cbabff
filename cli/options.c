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
#define DEMO GS_CMD_DEMO
#define BOTH (GS_CMD_RUN | GS_CMD_SWEEP)
#define MODELLED (GS_CMD_RUN | GS_CMD_SWEEP | GS_CMD_DEMO) /* the commands that run on a machine */
#define MERGE GS_CMD_MERGE
#define ALL (GS_CMD_RUN | GS_CMD_SWEEP | GS_CMD_DEMO | GS_CMD_CALIBRATE | GS_CMD_ASM | GS_CMD_DIS | GS_CMD_TERMS | MERGE)
#define DEFAULT_WORKERS 4
#define DEFAULT_IO_LATENCY_NS 1000000ull /* 1 ms */

#include "option_ids.h"

/* The commands, a row each: its name, its bit, its --help, and the operand
 * it takes after the options (NULL: none), at least min of it, and
 * whether more operands may follow the first (options.h: more). */
static const struct {
    const char *name;
    gs_command cmd;
    const char *usage;
    const char *operand;
    uint32_t min;
    bool more;
} commands[] = {
    {"run", GS_CMD_RUN, gs_run_usage, NULL, 0, false},
    {"sweep", GS_CMD_SWEEP, gs_sweep_usage, NULL, 0, false},
    {"merge", GS_CMD_MERGE, gs_merge_usage, "PLAN", 1, true},
    {"demo", GS_CMD_DEMO, gs_demo_usage, "NAME", 0, false},
    {"calibrate", GS_CMD_CALIBRATE, gs_calibrate_usage, NULL, 0, false},
    {"asm", GS_CMD_ASM, gs_asm_usage, "FILE", 1, false},
    {"dis", GS_CMD_DIS, gs_dis_usage, "FILE", 1, false},
    {"terms", GS_CMD_TERMS, gs_terms_usage, NULL, 0, false},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

gs_command gs_cli_command_named(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].cmd;
    return 0;
}

const char *gs_cli_command_name(size_t i)
{
    return i < NCOMMANDS ? commands[i].name : NULL;
}

static size_t command_index(gs_command cmd)
{
    size_t i = 0;
    while (i + 1 < NCOMMANDS && commands[i].cmd != cmd)
        i++;
    return i;
}

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
    {{"transfer", required_argument, NULL, OPT_TRANSFER}, BOTH, GS_VALUE_TEXT},
    {{"gil", required_argument, NULL, OPT_GIL}, BOTH, GS_VALUE_POLICY},
    {{"check-interval", required_argument, NULL, OPT_CHECK}, BOTH, GS_VALUE_TEXT},
    {{"ft-build", required_argument, NULL, OPT_FT_BUILD}, BOTH, GS_VALUE_TEXT},
    {{"gc-every", required_argument, NULL, OPT_GC_EVERY}, BOTH, GS_VALUE_TEXT},
    {{"gc-pause", required_argument, NULL, OPT_GC_PAUSE}, BOTH, GS_VALUE_TEXT},
    {{"switch-interval", required_argument, NULL, OPT_INTERVAL}, BOTH, GS_VALUE_TEXT},
    {{"no-force-switching", no_argument, NULL, OPT_NO_FORCE}, BOTH, GS_VALUE_NONE},
    {{"repeat", required_argument, NULL, OPT_REPEAT}, MODELLED, GS_VALUE_TEXT},
    {{"no-baseline", no_argument, NULL, OPT_NO_BASELINE}, RUN, GS_VALUE_NONE},
    {{"timeout", required_argument, NULL, OPT_TIMEOUT}, BOTH, GS_VALUE_TEXT},
    {{"cores", required_argument, NULL, OPT_CORES}, MODELLED, GS_VALUE_TEXT},
    {{"sim", no_argument, NULL, OPT_SIM}, MODELLED, GS_VALUE_NONE},
    {{"seed", required_argument, NULL, OPT_SEED}, MODELLED, GS_VALUE_TEXT},
    {{"instruction-ns", required_argument, NULL, OPT_INSTRUCTION}, MODELLED, GS_VALUE_TEXT},
#define COST_OPTION(field, option, label, dflt, min, max, what) \
    {{option, required_argument, NULL, OPT_COST_##field}, MODELLED, GS_VALUE_TEXT},
    GS_SIM_COSTS(COST_OPTION)
#undef COST_OPTION
    {{"jobs", required_argument, NULL, OPT_JOBS}, SWEEP, GS_VALUE_TEXT},
    {{"plan", required_argument, NULL, OPT_PLAN}, SWEEP, GS_VALUE_FILE},
    {{"slurm", required_argument, NULL, OPT_SLURM}, SWEEP, GS_VALUE_FILE},
    {{"point", required_argument, NULL, OPT_POINT}, SWEEP, GS_VALUE_TEXT},
    {{"result", required_argument, NULL, OPT_RESULT}, SWEEP, GS_VALUE_FILE},
    {{"quick", no_argument, NULL, OPT_QUICK}, DEMO, GS_VALUE_NONE},
    {{"strict", no_argument, NULL, OPT_STRICT}, GS_CMD_CALIBRATE, GS_VALUE_NONE},
    {{"background", required_argument, NULL, OPT_BACKGROUND}, MODELLED, GS_VALUE_TEXT},
#define OUTPUT_OPTION(e, option, cmds, dash, run, sweep) \
    {{option, required_argument, NULL, OPT_OUT_##e}, cmds, GS_VALUE_FILE},
    GS_OUTPUT_KINDS(OUTPUT_OPTION)
#undef OUTPUT_OPTION
    {{"timeline", no_argument, NULL, OPT_TIMELINE}, RUN, GS_VALUE_NONE},
    {{"plot-metric", required_argument, NULL, OPT_PLOT_METRIC}, SWEEP | MERGE, GS_VALUE_METRIC},
    {{"plot-size", required_argument, NULL, OPT_PLOT_SIZE}, SWEEP | DEMO | MERGE, GS_VALUE_TEXT},
    {{"quiet", no_argument, NULL, OPT_QUIET}, BOTH | GS_CMD_CALIBRATE | MERGE, GS_VALUE_NONE},
    {{"no-color", no_argument, NULL, OPT_NO_COLOR}, BOTH | MERGE, GS_VALUE_NONE},
    {{"help", no_argument, NULL, OPT_HELP}, ALL, GS_VALUE_NONE},
    {{"version", no_argument, NULL, OPT_VERSION}, ALL, GS_VALUE_NONE},
};
#define NOPTIONS (sizeof options / sizeof options[0])

void gs_cli_each_option(gs_command cmd, void (*each)(const char *name, gs_value_kind value, void *arg), void *arg)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].cmds & cmd)
            each(options[i].opt.name, options[i].value, arg);
}


/* An option that only the policies with trait take. */
static int only_policies(const char *flag, unsigned trait)
{
    const char *with[GS_GIL_POLICY_COUNT];
    for (int p = 0; p < GS_GIL_POLICY_COUNT; p++)
        with[p] = gs_gil_has((gs_gil_policy)p, trait) ? gs_gil_policy_names[p] : NULL;
    char choices[256];
    return gs_cli_usage_error("%s applies only to --gil %s", flag, gs_name_choices(with, GS_GIL_POLICY_COUNT, choices,
                                                                           sizeof choices));
}

static int compare_counts(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Whether n workers of the mode are more than real or virtual time takes
 * (a usage error naming the option, then -1). */
static int too_many(gs_mode mode, uint64_t n, bool sim, const char *flag)
{
    if (n <= (sim ? gs_mode_max_simulated : gs_mode_max_workers)[mode])
        return 0;
    char real[16], virt[16];
    snprintf(real, sizeof real, "%u", gs_mode_max_workers[mode]);
    snprintf(virt, sizeof virt, "%u", gs_mode_max_simulated[mode]);
    if (sim)
        return gs_cli_usage_error("%s: virtual time takes at most %s %s", flag, virt, gs_mode_plural[mode]);
    return gs_cli_usage_error("%s: real time takes at most %s %s (with --sim, in virtual time: up to %s)", flag, real,
                              gs_mode_plural[mode], virt);
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
    for (uint32_t i = 0; i < o->nmodes; i++)
        if (too_many(o->modes[i], o->counts[o->ncounts - 1], o->sim, "--workers") != 0)
            return -1;
    const char *plot = o->outputs.path[GS_OUT_PLOT];
    if (o->plot_metric_set && !plot)
        return gs_cli_usage_error("--plot-metric applies only with --plot");
    if (o->outputs.plot_width && !plot)
        return gs_cli_usage_error("--plot-size applies only with --plot");
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
        return gs_cli_usage_error("--unit-size applies only to --program");
    size_t plen = program ? strlen(o->wl[0].path) : 0;
    if (o->vs_python && (plen < 3 || strcmp(o->wl[0].path + plen - 3, ".py") != 0))
        return gs_cli_usage_error("--vs-python applies only to --program FILE.py");
    if (o->io_set && !io_workload)
        return gs_cli_usage_error("--io applies only to --io-bound and --mixed");
    if (o->latency_set && !io_workload && o->wl[0].kind != GS_WL_PROGRAM)
        return gs_cli_usage_error("--io-latency applies only to --io-bound, --mixed and --program");
    bool interpreters = o->mode == GS_MODE_THREADS && gs_gil_policy_scope[o->policy] == GS_SCOPE_PER_WORKER;
    if (o->transfer_bytes && o->cmd == GS_CMD_RUN && o->mode != GS_MODE_PROCESSES && !interpreters)
        return gs_cli_usage_error("--transfer applies only to --processes and to interpreters (--threads N --gil "
                                  "per-interpreter): %s share the process's memory and move no data",
                                  gs_mode_plural[o->mode]);
    if (o->check_set && !gs_gil_has(o->policy, GS_TRAIT_TICKS))
        return only_policies("--check-interval", GS_TRAIT_TICKS);
    if (o->ft_build_set && !gs_gil_has(o->policy, GS_TRAIT_OBJECTS))
        return only_policies("--ft-build", GS_TRAIT_OBJECTS);
    if (o->gc_set && !gs_gil_has(o->policy, GS_TRAIT_OBJECTS))
        return only_policies(o->gc_every_ns ? "--gc-every" : "--gc-pause", GS_TRAIT_OBJECTS);
    if (o->gc_set && !o->gc_every_ns)
        return gs_cli_usage_error("--gc-pause applies only with --gc-every D: how often the collector runs");
    if (o->interval_set && !gs_gil_has(o->policy, GS_TRAIT_INTERVAL))
        return gs_cli_usage_error("--switch-interval does not apply to --gil %s: it has no time slice",
                           gs_gil_policy_names[o->policy]);
    if (!o->force_switching && !gs_gil_has(o->policy, GS_TRAIT_FORCE))
        return only_policies("--no-force-switching", GS_TRAIT_FORCE);
    if (o->sim_set && !o->sim)
        return gs_cli_usage_error("%s applies only with --sim", o->sim_set);
    if (o->point && o->plan)
        return gs_cli_usage_error("--point runs one point of a plan; --plan writes the plan: give one of them");
    if (o->slurm && !o->plan)
        return gs_cli_usage_error("--slurm writes the batch script of a plan: it needs --plan FILE");
    if (o->slurm && strcmp(o->plan, "-") == 0)
        return gs_cli_usage_error("--slurm needs the plan in a file its tasks can read, not --plan -");
    if (o->result && !o->point)
        return gs_cli_usage_error("--result names where --point writes its point's result: it needs --point K");
    for (int k = 0; k < GS_OUT_COUNT && (o->plan || o->point); k++)
        if (o->outputs.path[k])
            return gs_cli_usage_error("%s: %s writes no report; gilsim merge writes the sweep's from its points",
                                      gs_out_flags[k], o->plan ? "--plan" : "--point");
    if (o->jobs && !o->sim)
        return gs_cli_usage_error("--jobs applies only with --sim: a real sweep runs one point at a time, so that "
                           "points do not slow each other");
    if (o->sim && !o->repeat_set)
        o->repeat = 1; /* virtual time is exact: a repeat is another seed, asked for with --repeat */
    if (o->sim && gs_gil_has(o->policy, GS_TRAIT_OBJECTS)) /* the build's dearer bytecode (gil.h) */
        o->model.instruction_ns *= gs_ft_build_factor[o->ft_build];
    if (o->sim)
        o->model.cores = o->cores ? o->cores : GS_SIM_DEFAULT_CORES;
    else if (o->cores > gs_cpus_allowed()) {
        char count[16];
        snprintf(count, sizeof count, "%u", gs_cpus_allowed());
        return gs_cli_usage_error("--cores: '%s' is more than the %s cores this machine lets gilsim use (with --sim: "
                           "up to 1024 modelled cores)", o->cores_arg, count);
    }
    if (o->mode_arg) { /* the count: within real time's limit, or virtual time's with --sim */
        uint64_t n, max = (o->sim ? gs_mode_max_simulated : gs_mode_max_workers)[o->mode];
        const char *a = o->mode_arg;
        bool digits = *a && strspn(a, "0123456789") == strlen(a) && strlen(a) <= 9;
        uint64_t asked = digits ? strtoull(a, NULL, 10) : 0;
        if (asked > max && asked <= gs_mode_max_simulated[o->mode])
            return too_many(o->mode, asked, o->sim, o->mode_flag); /* --sim would take it */
        if (gs_parse_count(o->mode_flag, a, 1, max, &n) != 0)
            return -1;
        o->workers = (uint32_t)n;
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
                          .check_interval = GS_CHECK_INTERVAL_DEFAULT, .ft_build = GS_FT_BUILD_DEFAULT,
                          .gc_pause_ns = 1000000,
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
    const size_t k = command_index(cmd);
    gs_cli_usage_for(commands[k].name);
    while ((c = getopt_long(argc, argv, ":j:hVq", longopts, &index)) != -1) {
        static const struct { int letter, option; } shorts[] = {
            {'j', OPT_JOBS}, {'h', OPT_HELP}, {'V', OPT_VERSION}, {'q', OPT_QUIET}};
        for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; i++)
            if (c == shorts[i].letter) { /* -j N is --jobs N, -h --help, -V --version, -q --quiet */
                c = shorts[i].option;
                for (index = 0; options[index].opt.val != c; index++)
                    ;
            }
        if (c == ':')
            return gs_cli_usage_error("%s needs a value", argv[optind - 1]);
        if (c == '?')
            return gs_cli_usage_error("unknown option '%s'", argv[optind - 1]);
        if (!(options[index].cmds & cmd)) {
            const char *whose[NCOMMANDS];
            for (size_t i = 0; i < NCOMMANDS; i++)
                whose[i] = options[index].cmds & commands[i].cmd ? commands[i].name : NULL;
            char list[128];
            return gs_cli_usage_error("--%s is not an option of gilsim %s (it is one of gilsim %s)", option_named(c),
                                      commands[k].name, gs_name_choices(whose, (int)NCOMMANDS, list, sizeof list));
        }
        if (c == OPT_HELP) {
            gs_cli_print_usage(stdout, commands[k].usage);
            return 1;
        }
        if (c == OPT_VERSION) {
            printf("gilsim %s\n", GILSIM_VERSION);
            return 1;
        }
        if (c == OPT_WORKLOADS && !workloads_listed) {
            o->nwl = 0; /* the list replaces the default */
            workloads_listed = true;
        }
        if (c == OPT_QUICK || c == OPT_STRICT) { /* a command's own flag */
            *(c == OPT_QUICK ? &o->quick : &o->strict) = true;
            continue;
        }
        if (gs_cli_option_value(o, c, optarg) != 0)
            return -1;
    }
    o->options_end = optind;
    if (optind < argc && commands[k].operand && !o->operand)
        o->operand = argv[optind++];
    if (commands[k].more) {
        o->more = argv + optind;
        o->nmore = argc - optind;
        optind = argc;
    }
    if (optind < argc) {
        if (gs_cli_command_named(argv[optind]))
            return gs_cli_usage_error("'%s' is a command: it comes first, before the options (gilsim %s ...)",
                                      argv[optind], argv[optind]);
        if (commands[k].operand)
            return gs_cli_usage_error("gilsim %s takes one %s: unexpected '%s'", commands[k].name,
                                      commands[k].operand, argv[optind]);
        return gs_cli_usage_error("unexpected argument '%s'", argv[optind]);
    }
    if (commands[k].min && !o->operand)
        return gs_cli_usage_error("gilsim %s needs a %s", commands[k].name, commands[k].operand);
    if (!(cmd & MODELLED))
        return 0;
    return check_combinations(o);
}

int gs_cli_check_main(const gs_cli_options *o, const gs_workload *wl)
{
    if (wl->spec.kind != GS_WL_PROGRAM)
        return 0;
    if (o->unit_size && gs_workload_main_args(wl) < 3)
        return gs_cli_usage_error("%s: its main takes no unit size, so --unit-size would change nothing: drop it, "
                                  "or give it main(first, count, size)", wl->name);
    if (!wl->whole || !o->work || (o->weak && o->work == 1))
        return 0;
    return gs_cli_usage_error("%s: its main takes no count of units, so each worker runs all of it once: drop %s, "
                              "or give it main(first, count, size) looping over count",
                              wl->name, o->weak ? "--work-per-worker" : "--work");
}

void gs_cli_bound_program(const gs_cli_options *o, const gs_workload *wl, gs_run_config *cfg)
{
    if (!wl->may_not_end || o->timeout_ns)
        return;
    cfg->timeout_ns = GS_CLI_UNENDING_TIMEOUT_NS;
    fprintf(stderr, "gilsim: %s: its %s ran %llu million instructions alone without ending, so it runs as "
                    "with --timeout %llus%s (give --timeout D to choose)\n", wl->name, wl->whole ? "main" : "first unit",
            GS_PROBE_INSTRUCTIONS / 1000000ull, GS_CLI_UNENDING_TIMEOUT_NS / 1000000000ull,
            o->sim ? " of virtual time" : "");
}

gs_run_config gs_cli_run_config(const gs_cli_options *o)
{
    return (gs_run_config){.mode = o->mode, .workers = o->workers, .work = o->work, .weak = o->weak,
                           .gil = {.policy = o->policy, .interval_ns = o->interval_ns,
                                   .force_switching = o->force_switching, .check_interval = o->check_interval,
                                   .ft_build = o->ft_build, .gc_every_ns = o->gc_every_ns,
                                   .gc_pause_ns = o->gc_pause_ns},
                           .cores = o->sim ? 0 : o->cores, .sim = o->sim ? &o->model : NULL,
                           .io_latency_ns = o->io_latency_ns, .event_cap = GS_DEFAULT_EVENTS,
                           .timeout_ns = o->timeout_ns, .transfer_bytes = o->transfer_bytes};
}

bool gs_cli_color(const gs_cli_options *o)
{
    const char *no_color = getenv("NO_COLOR"); /* no-color.org: set and not empty */
    return o->color && gs_terminal_escapes(STDOUT_FILENO) && !(no_color && *no_color);
}
