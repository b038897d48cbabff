/* run.c - `gilsim [run] [options]`: one experiment, from the command line
 * to the reports.  Everything a user types is validated here, before any
 * work starts; a bad value is one line on standard error and exit status 2. */
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../reports/report.h"
#include "../sched/experiment.h"
#include "cli.h"
#include "parse.h"

#define DEFAULT_WORKERS 4
#define DEFAULT_IO_LATENCY_NS 1000000ull /* 1 ms */

typedef struct {
    gs_mode mode;
    uint32_t workers;
    const char *mode_flag;       /* the option that set the mode, for conflicts */
    gs_workload_spec wl;
    const char *wl_flag;
    uint64_t work;
    const char *work_flag;
    bool io_set, latency_set;
    uint64_t interval_ns;
    bool force_switching;
    uint32_t repeat;
    const char *json;
    bool baseline;
    uint64_t timeout_ns;
    bool quiet, color;
} run_options;

static const char usage_text[] =
    "usage: gilsim [run] [options]       one experiment\n"
    "       gilsim asm FILE              assemble and verify a program, print a summary\n"
    "       gilsim dis FILE              disassemble a program\n"
    "       gilsim --help | --version\n"
    "\n"
    "Mode (one of them; default --threads 4):\n"
    "  --threads N          N pthreads sharing one interpreter lock (1..4096)\n"
    "  --processes N        N forked processes, each with its own lock (1..1024)\n"
    "  --async N            N tasks on one libuv event loop in one thread (1..65536)\n"
    "\n"
    "Workload (one of them; default --cpu-bound):\n"
    "  --cpu-bound[=KERNEL] CPU-bound loop: countdown (default), fib or primes\n"
    "  --io-bound           a little CPU, then one I/O request, per unit\n"
    "  --mixed RATIO        CPU then I/O per unit, CPU taking RATIO of the time (0..1)\n"
    "  --program FILE       your own program (.gsa; see README \"Program format\")\n"
    "  --work N             total work units, split over the workers (1..2^40)\n"
    "  --work-per-worker N  N units for every worker instead (weak scaling)\n"
    "  --io KIND            I/O kind for --io-bound/--mixed: sleep (default), pipe, file\n"
    "  --io-latency D       latency of sleep and pipe I/O (default 1ms; 0ns..10s;\n"
    "                       libuv rounds async sleeps up to whole milliseconds)\n"
    "\n"
    "Lock:\n"
    "  --switch-interval D  CPython's switch interval (default 5ms; 1us..10s)\n"
    "  --no-force-switching let a forced dropper compete at once (shows why CPython waits)\n"
    "\n"
    "Measuring and output:\n"
    "  --repeat N           run N times, report the median and spread (1..100)\n"
    "  --no-baseline        skip the 1-worker run used for speedup\n"
    "  --timeout D          stop workers still running after D (1ms..1h)\n"
    "  --json FILE          the whole experiment as JSON ('-' for standard output)\n"
    "  --quiet              no terminal report (use with --json)\n"
    "  --no-color           no colour (also when NO_COLOR is set or not a terminal)\n"
    "\n"
    "Durations take a unit: ns, us, ms or s (5ms, 500us, 0.1s).\n"
    "Exit status: 0 ok, 1 a worker failed or an output could not be written,\n"
    "2 bad usage or program file, 130 interrupted.\n";

enum {
    OPT_THREADS = 256, OPT_PROCESSES, OPT_ASYNC, OPT_CPU, OPT_IO_BOUND, OPT_MIXED, OPT_PROGRAM, OPT_WORK,
    OPT_WORK_PER, OPT_IO, OPT_LATENCY, OPT_INTERVAL, OPT_NO_FORCE, OPT_REPEAT, OPT_NO_BASELINE, OPT_TIMEOUT,
    OPT_JSON, OPT_QUIET, OPT_NO_COLOR, OPT_HELP, OPT_VERSION,
};

static const struct option long_options[] = {
    {"threads", required_argument, NULL, OPT_THREADS},
    {"processes", required_argument, NULL, OPT_PROCESSES},
    {"async", required_argument, NULL, OPT_ASYNC},
    {"cpu-bound", optional_argument, NULL, OPT_CPU},
    {"io-bound", no_argument, NULL, OPT_IO_BOUND},
    {"mixed", required_argument, NULL, OPT_MIXED},
    {"program", required_argument, NULL, OPT_PROGRAM},
    {"work", required_argument, NULL, OPT_WORK},
    {"work-per-worker", required_argument, NULL, OPT_WORK_PER},
    {"io", required_argument, NULL, OPT_IO},
    {"io-latency", required_argument, NULL, OPT_LATENCY},
    {"switch-interval", required_argument, NULL, OPT_INTERVAL},
    {"no-force-switching", no_argument, NULL, OPT_NO_FORCE},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"no-baseline", no_argument, NULL, OPT_NO_BASELINE},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"json", required_argument, NULL, OPT_JSON},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fputs("gilsim: ", stderr);
    fprintf(stderr, fmt, a, b);
    fputs(" (see gilsim --help)\n", stderr);
    return -1;
}

static int set_once(const char **slot, const char *flag)
{
    if (*slot && strcmp(*slot, flag) != 0)
        return usage_error("%s and %s cannot be combined", *slot, flag);
    if (*slot)
        return usage_error("%s given twice%s", flag, "");
    *slot = flag;
    return 0;
}

static int set_mode(run_options *o, gs_mode mode, const char *flag, const char *arg)
{
    uint64_t n;
    if (set_once(&o->mode_flag, flag) != 0 || gs_parse_count(flag, arg, 1, gs_mode_max_workers[mode], &n) != 0)
        return -1;
    o->mode = mode;
    o->workers = (uint32_t)n;
    return 0;
}

static int set_workload(run_options *o, gs_workload_kind kind, const char *flag)
{
    if (set_once(&o->wl_flag, flag) != 0)
        return -1;
    o->wl.kind = kind;
    return 0;
}

static int parse_option(run_options *o, int c, const char *arg)
{
    uint64_t n;
    switch (c) {
    case OPT_THREADS:   return set_mode(o, GS_MODE_THREADS, "--threads", arg);
    case OPT_PROCESSES: return set_mode(o, GS_MODE_PROCESSES, "--processes", arg);
    case OPT_ASYNC:     return set_mode(o, GS_MODE_ASYNC, "--async", arg);
    case OPT_CPU: {
        int k = gs_workload_cpu_kind(arg ? arg : "countdown");
        if (k < 0)
            return usage_error("--cpu-bound: '%s' is not a kernel: give countdown, fib or primes%s", arg, "");
        return set_workload(o, (gs_workload_kind)k, "--cpu-bound");
    }
    case OPT_IO_BOUND: return set_workload(o, GS_WL_IO_BOUND, "--io-bound");
    case OPT_MIXED:
        return set_workload(o, GS_WL_MIXED, "--mixed") != 0 ? -1 : gs_parse_ratio("--mixed", arg, &o->wl.cpu_share);
    case OPT_PROGRAM:
        if (!*arg)
            return usage_error("--program: give a program file%s%s", "", "");
        o->wl.path = arg;
        return set_workload(o, GS_WL_PROGRAM, "--program");
    case OPT_WORK:
    case OPT_WORK_PER: {
        const char *flag = c == OPT_WORK ? "--work" : "--work-per-worker";
        if (set_once(&o->work_flag, flag) != 0 || gs_parse_count(flag, arg, 1, GS_MAX_WORK, &n) != 0)
            return -1;
        o->work = n;
        return 0;
    }
    case OPT_IO: {
        int k = gs_io_kind_by_name(arg, strlen(arg));
        if (k < 0)
            return usage_error("--io: '%s' is not an I/O kind: give sleep, pipe or file%s", arg, "");
        o->wl.io_kind = (gs_io_kind)k;
        o->io_set = true;
        return 0;
    }
    case OPT_LATENCY:
        o->latency_set = true;
        return gs_parse_duration("--io-latency", arg, 0, GS_MAX_LATENCY_NS, &o->wl.io_latency_ns);
    case OPT_INTERVAL:
        return gs_parse_duration("--switch-interval", arg, GS_INTERVAL_MIN_NS, GS_INTERVAL_MAX_NS, &o->interval_ns);
    case OPT_NO_FORCE: o->force_switching = false; return 0;
    case OPT_REPEAT:
        if (gs_parse_count("--repeat", arg, 1, GS_MAX_REPEAT, &n) != 0)
            return -1;
        o->repeat = (uint32_t)n;
        return 0;
    case OPT_NO_BASELINE: o->baseline = false; return 0;
    case OPT_TIMEOUT:
        return gs_parse_duration("--timeout", arg, 1000000ull, 3600ull * 1000000000ull, &o->timeout_ns);
    case OPT_JSON:
        if (!*arg)
            return usage_error("--json: give a file name, or - for standard output%s%s", "", "");
        o->json = arg;
        return 0;
    case OPT_QUIET: o->quiet = true; return 0;
    case OPT_NO_COLOR: o->color = false; return 0;
    }
    return -1;
}

/* An output file whose folder cannot be written is a usage error found
 * before the run, not a failure found after it. */
static int check_writable(const char *flag, const char *path)
{
    if (strcmp(path, "-") == 0)
        return 0;
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    const char *dir = dirname(copy);
    if (access(dir, W_OK) != 0) {
        fprintf(stderr, "gilsim: %s: cannot write '%s': folder '%s' is missing or not writable\n", flag, path, dir);
        return -1;
    }
    return 0;
}

static int check_combinations(run_options *o)
{
    bool io_workload = o->wl.kind == GS_WL_IO_BOUND || o->wl.kind == GS_WL_MIXED;
    if (o->io_set && !io_workload)
        return usage_error("--io applies only to --io-bound and --mixed%s%s", "", "");
    if (o->latency_set && !io_workload && o->wl.kind != GS_WL_PROGRAM)
        return usage_error("--io-latency applies only to --io-bound, --mixed and --program%s%s", "", "");
    if (o->json && check_writable("--json", o->json) != 0)
        return -1;
    return 0;
}

/* Returns 0 and fills o, 1 when --help/--version was answered, -1 on a
 * usage error (already reported). */
static int parse_run_options(int argc, char **argv, run_options *o)
{
    *o = (run_options){.mode = GS_MODE_THREADS, .workers = DEFAULT_WORKERS, .wl = {.kind = GS_WL_COUNTDOWN},
                       .interval_ns = GS_INTERVAL_DEFAULT_NS, .force_switching = true, .repeat = 1,
                       .baseline = true, .color = true};
    o->wl.io_latency_ns = DEFAULT_IO_LATENCY_NS;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
        if (c == OPT_HELP) {
            fputs(usage_text, stdout);
            return 1;
        }
        if (c == OPT_VERSION) {
            printf("gilsim %s\n", GILSIM_VERSION);
            return 1;
        }
        if (c == ':')
            return usage_error("%s needs a value%s", argv[optind - 1], "");
        if (c == '?')
            return usage_error("unknown option '%s'%s", argv[optind - 1], "");
        if (parse_option(o, c, optarg) != 0)
            return -1;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'%s", argv[optind], "");
    return check_combinations(o);
}

static void on_signal(int sig)
{
    (void)sig;
    if (gs_run_stopping())
        _exit(GS_EXIT_INTERRUPTED); /* the second Ctrl-C does not wait */
    gs_run_stop();
}

static void progress(uint32_t done, uint32_t total, void *arg)
{
    (void)arg;
    fprintf(stderr, "\rgilsim: run %u of %u done", done, total);
    if (done == total)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

static int report(const run_options *o, const gs_experiment *e)
{
    gs_host host;
    gs_host_detect(&host);
    bool to_stdout_json = o->json && strcmp(o->json, "-") == 0;
    if (!o->quiet && !to_stdout_json) {
        bool color = o->color && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
        gs_report_text(stdout, e, &host, color);
    }
    char err[256];
    if (o->json && gs_report_json(o->json, e, &host, err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return GS_EXIT_FAILURE;
    }
    const gs_run_result *r = &e->runs[e->median];
    if (gs_run_stopping())
        return GS_EXIT_INTERRUPTED;
    if (r->failed || r->stopped || e->checksum_ok == 0)
        return GS_EXIT_FAILURE;
    return GS_EXIT_OK;
}

int gs_cli_run(int argc, char **argv)
{
    run_options o;
    int rc = parse_run_options(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? GS_EXIT_OK : GS_EXIT_USAGE;

    gs_workload wl;
    char err[GS_ERRMSG_MAX];
    if (gs_workload_load(&wl, &o.wl, err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return GS_EXIT_USAGE;
    }
    gs_experiment e = {
        .cfg = {.mode = o.mode, .workers = o.workers, .workload = &wl,
                .work = o.work ? o.work : wl.default_work,
                .weak = o.work_flag && strcmp(o.work_flag, "--work-per-worker") == 0,
                .gil = {.interval_ns = o.interval_ns, .force_switching = o.force_switching},
                .io_latency_ns = o.wl.io_latency_ns, .event_cap = GS_DEFAULT_EVENTS, .timeout_ns = o.timeout_ns},
        .repeat = o.repeat,
        .baseline = o.baseline,
    };
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    bool show_progress = !o.quiet && isatty(STDERR_FILENO);
    char run_err[256];
    if (gs_experiment_run(&e, run_err, show_progress ? progress : NULL, NULL) != 0) {
        fprintf(stderr, "gilsim: %s\n", run_err);
        rc = gs_run_stopping() ? GS_EXIT_INTERRUPTED : GS_EXIT_FAILURE;
    } else {
        rc = report(&o, &e);
    }
    gs_experiment_free(&e);
    gs_workload_free(&wl);
    return rc;
}
