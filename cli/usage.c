/* usage.c - what `gilsim --help` and `gilsim sweep --help` say: every
 * option of the table in options.c, each with what it does and its
 * default (test_install checks that none is left out, and the manual page
 * is made from it). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../reports/report.h"
#include "cli.h"
#include "options.h"

const char gs_run_usage[] =
    "usage: gilsim [run] [options]       one experiment\n"
    "       gilsim sweep [options]       the experiment over worker counts and modes\n"
    "       gilsim merge PLAN RESULT...  a sweep's plan, run anywhere, put together\n"
    "       gilsim demo [NAME]           classroom demonstrations (no NAME: the list)\n"
    "       gilsim calibrate             measure this machine for the model (--sim)\n"
    "       gilsim asm FILE              assemble and verify a program\n"
    "       gilsim dis FILE              disassemble a program\n"
    "       gilsim terms                 what the figures' words mean\n"
    "       gilsim --help | --version    (gilsim sweep --help: the sweep's options)\n"
    "\n"
    "Mode (one of them; default --threads 4):\n"
    "  --threads N          N pthreads sharing one interpreter lock (1..4096;\n"
    "                       with --sim 1..100000)\n"
    "  --processes N        N forked processes, each with its own lock (1..1024;\n"
    "                       with --sim 1..16384)\n"
    "  --async N            N tasks on one libuv event loop in one thread (1..65536;\n"
    "                       with --sim 1..1000000)\n"
    "\n"
    "Workload (one of them; default --cpu-bound):\n"
    "  --cpu-bound[=KERNEL] CPU-bound loop: countdown (default), fib or primes\n"
    "  --io-bound           a little CPU, then one I/O request, per unit\n"
    "  --mixed RATIO        CPU then I/O per unit; RATIO is CPU's share (0..1)\n"
    "  --race[=VARIANT]     threads update a shared counter, 1000 times a unit;\n"
    "                       call (default): read it, call a function, write it\n"
    "                       back plus one; lock: the same under a user lock;\n"
    "                       inplace: counter += 1.  The report counts lost updates\n"
    "  --native RATIO       CPU work per unit, RATIO of its time (0..1) in native\n"
    "                       calls outside the interpreter lock (as hashlib's)\n"
    "  --program FILE       your own program: Python (.py) or assembly (.gsa); see\n"
    "                       README \"Program format\"\n"
    "  --unit-size N        with --program: main's third argument (default: the\n"
    "                       program's own, from main(A, B, C) in its __main__\n"
    "                       block; else 0)\n"
    "  --vs-python          with --program FILE.py: run the same file under python3\n"
    "                       (threading, multiprocessing or asyncio, as the mode)\n"
    "                       and print its figures beside gilsim's\n"
    "  --work N             total work units, split over the workers (1..2^40;\n"
    "                       a program's default: about a second's worth; one\n"
    "                       whose main takes no count: one a worker, always)\n"
    "  --work-per-worker N  N units for every worker instead (weak scaling)\n"
    "  --io KIND            I/O of --io-bound/--mixed: sleep (default), pipe, file\n"
    "  --io-latency D       latency of sleep and pipe I/O: every time.sleep lasts it\n"
    "                       (default: a program's sleeps' one constant, else 1ms;\n"
    "                       0ns..10s; libuv rounds async sleeps up to whole ms)\n"
    "  --transfer BYTES     processes: each unit's data crossing to the parent, as\n"
    "                       multiprocessing pickles and pipes a result (64K, 1M;\n"
    "                       up to 64M): real bytes through the real pipe, or\n"
    "                       --transfer-cost a KiB in virtual time (default 0)\n"
    "\n"
    "Lock:\n"
    "  --gil POLICY         the lock's policy (default cpython):\n"
    "@POLICIES@\n"
    "  --switch-interval D  time slice of cpython and fifo (default 5ms; 1us..10s)\n"
    "  --check-interval N   legacy: instructions between releases (default 2000;\n"
    "                       Python 2.7's 100 ticks take as long as 1,000 to 1,300)\n"
    "  --no-force-switching let a forced dropper compete at once (why CPython waits)\n"
    "  --ft-build B         free-threaded: the build, 3.13 or 3.14 (default): a lone\n"
    "                       thread's bytecode 1.40x or 1.08x as dear, in virtual time\n"
    "  --gc-every D         free-threaded: its collector stops the world every D\n"
    "  --gc-pause D         ... for D (default 1ms)\n"
    "\n"
    "Measuring and output:\n"
    "  --repeat N           run N times, report the median and spread (1..100);\n"
    "                       with --sim, seeds S..S+N-1\n"
    "  --no-baseline        skip the 1-worker run used for speedup (a run of one\n"
    "                       worker has none)\n"
    "  --timeout D          stop workers still running after D (1ms..1h; a\n"
    "                       program whose first unit runs 300 million\n"
    "                       instructions without ending: 20s unless given)\n"
    "  --cores K            pin every worker to K of this machine's cores (CPU\n"
    "                       affinity; 1..the cores gilsim may use); with --sim,\n"
    "                       the modelled cores (1..1024, default 8)\n"
    "  --json FILE          the whole experiment as JSON ('-' for standard output)\n"
    "  --csv FILE           the 1-worker baseline and the experiment, a row each,\n"
    "                       in the sweep's columns (docs/sweep.md)\n"
    "  --trace FILE         who held the lock when, for ui.perfetto.dev\n"
    "  --html FILE          the classroom page: the answer, the figures and the\n"
    "                       timeline in one HTML file, nothing to install\n"
    "  --timeline           the same as a picture in the terminal, a row per worker\n"
    "  --quiet              no terminal report (a failure still reaches stderr)\n"
    "  --no-color           no colour (nor when NO_COLOR is set, TERM is dumb, or\n"
    "                       standard output is no terminal)\n"
    "  -h, --help, -V, --version   this help; gilsim's version\n"
    "\n"
    "Virtual time:\n"
    "  --sim                run on a modelled machine in virtual time: the same\n"
    "                       figures on every machine, every time, for a seed\n"
    "  --seed N             the seed of every choice the modelled OS makes (1)\n"
    "  --instruction-ns X   cost of one instruction, in ns (1.0)\n"
    "@COSTS@\n"
    "  --background N       N other programs' threads that only compute, on the\n"
    "                       modelled cores from the start: a busy machine (0)\n"
    "\n"
    "Durations take a unit: ns, us, ms or s (5ms, 500us, 0.1s); 0 needs none.\n"
    "\n"
    "Outputs are opened before the run.  A regular file (or a new name) is\n"
    "written to a temporary file and renamed into place, through a symbolic\n"
    "link to its target, its owner and permissions kept (set-id bits dropped);\n"
    "a device, FIFO or socket is written in place, never replaced; a folder, a\n"
    "block device or a link another user made in /tmp is refused.  A reader\n"
    "that stops early (gilsim | head) is not an error: gilsim stops writing\n"
    "there and still writes its files.\n"
    "\n"
    "Exit status: 0 ok, 1 a worker failed or an output (standard output too)\n"
    "could not be written, 2 bad usage or program file; stopped by a signal,\n"
    "128 + its number: 130 Ctrl-C (SIGINT), 143 SIGTERM, 129 SIGHUP.\n";

const char gs_sweep_usage[] =
    "usage: gilsim sweep [options]\n"
    "Runs one experiment for every worker count and mode (and workload), each\n"
    "compared with one worker of its mode: the data of a scaling curve.\n"
    "\n"
    "  --workers LIST       worker counts: 1,2,4,8 (default) or a range 1-16, or both\n"
    "  --modes LIST         threads,processes,async (default: all three)\n"
    "  --workloads LIST     a comma-separated list of:\n"
    "@WORKLOADS@\n"
    "                       (default countdown); or one of --cpu-bound[=KERNEL],\n"
    "                       --io-bound, --mixed RATIO, --race[=VARIANT], --native\n"
    "                       RATIO, --program FILE (with --unit-size N) as for a run\n"
    "  --work N             total work units of every point (default: a quarter of\n"
    "                       the run's default, about 0.2 s for one worker)\n"
    "  --work-per-worker N  N units per worker instead (weak scaling)\n"
    "  --io KIND, --io-latency D, --transfer BYTES (the processes' points),\n"
    "  --gil POLICY, --switch-interval D, --check-interval N, --ft-build B,\n"
    "  --gc-every D, --gc-pause D,\n"
    "  --no-force-switching, --timeout D,\n"
    "  --cores K            as for a run\n"
    "  --sim, --seed N, --instruction-ns X, --background N,\n"
    "@COST_NAMES@\n"
    "                       as for a run: every point in virtual time\n"
    "  -j, --jobs N         with --sim, run N points at once (default: every core\n"
    "                       gilsim may use); the outputs are the same bytes\n"
    "  --repeat N           runs per point; the median stands, min and max are kept\n"
    "                       (default 3; with --sim 1, and N runs seeds S..S+N-1)\n"
    "  --csv FILE           one row per point (columns in docs/sweep.md)\n"
    "  --json FILE          the same as JSON ('-' for standard output)\n"
    "  --html FILE          the classroom page: the scaling curves and the points\n"
    "                       in one HTML file, nothing to install\n"
    "  --plot FILE          a picture (.png or .svg) drawn by gnuplot, with its\n"
    "                       script (.gp) and data (.dat) beside it to restyle\n"
    "  --plot-size WxH      the picture's size in pixels (default 1600x1000, for a\n"
    "                       projector; the type grows with it)\n"
    "  --plot-metric M      what to plot: speedup (default), throughput, or wait\n"
    "                       (the share of their time workers waited for a lock)\n"
    "  --quiet, --no-color  as for a run\n"
    "  -h, --help, -V, --version   this help; gilsim's version\n"
    "\n"
    "A sweep too large for one machine (docs/sweep.md, \"Plans\"):\n"
    "  --plan FILE          write the sweep's points as a plan instead of running\n"
    "                       them: one gilsim command a line, to run anywhere\n"
    "                       (parallel -j 2 < FILE); '-' for standard output\n"
    "  --slurm FILE         with --plan, a Slurm batch script that runs the plan\n"
    "                       as a job array (sbatch FILE)\n"
    "  --point K            run the plan's point K alone (a plan's line does) and\n"
    "                       write its result to gilsim-PLANID-K.point here\n"
    "  --result FILE        with --point, write the result there ('-': standard\n"
    "                       output); then gilsim merge PLAN RESULTS...\n"
    "\n"
    "The default sweep (threads, processes and async; 1, 2, 4, 8 workers;\n"
    "CPU-bound) takes about 6 s on an idle 2-core laptop.  Progress goes to\n"
    "standard error: a bar on a terminal, elsewhere a line every 10 s once a\n"
    "sweep takes that long.  Outputs and exit statuses: as for a run\n"
    "(gilsim --help).\n";

const char gs_merge_usage[] =
    "usage: gilsim merge PLAN RESULT... [--csv FILE] [--json FILE] [--html FILE]\n"
    "                    [--plot FILE [--plot-size WxH] [--plot-metric M]] [-q]\n"
    "Puts the points of a plan (gilsim sweep ... --plan PLAN), run anywhere, back\n"
    "together, and writes what gilsim sweep would have: its table, CSV, JSON, page\n"
    "and plot.  In virtual time (--sim) the same bytes as the sweep run on one\n"
    "machine; in real time each point is what its machine measured, and merge names\n"
    "the machines when they were several.\n"
    "\n"
    "  PLAN                 the plan file\n"
    "  RESULT...            files of points' results (gilsim-PLANID-K.point, or\n"
    "                       files holding many, as --result - writes them), or\n"
    "                       folders: every gilsim-PLANID-*.point of the plan in them\n"
    "  --csv, --json, --html, --plot, --plot-size, --plot-metric, --quiet,\n"
    "  --no-color           as for a sweep\n"
    "  -h, --help, -V, --version   this help; gilsim's version\n"
    "\n"
    "Every point of the plan must be there once, from this plan and this gilsim;\n"
    "if not, merge names the missing, repeated or foreign ones, writes nothing and\n"
    "exits 2.  Otherwise its exit status is the sweep's.\n";

const char gs_demo_usage[] =
    "usage: gilsim demo NAME [--quick] [--repeat N] [--html FILE] [--plot FILE]\n"
    "                        [--plot-size WxH] [--trace FILE] [--cores K]\n"
    "                        [--sim [--seed N] [--background N] [model options]]\n"
    "\n"
    "Demonstrations:\n"
    "@DEMOS@\n"
    "\n"
    "Each takes under 30 seconds; --quick runs it small.  --html writes the\n"
    "classroom page: what it printed, with its curves or timeline, in one file\n"
    "for a browser.  --plot saves the scaling curves with gnuplot\n"
    "(threads-vs-processes, io-bound, native; --plot-size WxH as for a sweep);\n"
    "--trace saves a run for ui.perfetto.dev (convoy, legacy-battle, async).\n"
    "--cores K means what it means for a run: in real time, every run of the\n"
    "demonstration pinned to K of this machine's cores; with --sim, a modelled\n"
    "machine of K cores (default 8), in virtual time: the same figures every\n"
    "run, for a --seed.\n"
    "--repeat N: in real time every figure is the median of N runs; in virtual\n"
    "time the runs use N seeds.  A demonstration draws no conclusion from a\n"
    "figure its own checks reject (a busy machine): it says why instead.\n"
    "The model's options of gilsim run apply too (--wake-latency D, ...);\n"
    "gilsim calibrate prints this machine's: gilsim demo NAME --sim $(gilsim\n"
    "calibrate -q).  -h, --help, -V, --version: this list; gilsim's version.\n";

const char gs_calibrate_usage[] =
    "usage: gilsim calibrate [--quiet]\n"
    "\n"
    "Measures this machine in real time (a few seconds; keep it otherwise idle)\n"
    "and prints the virtual-time model options that reproduce it: the cost of an\n"
    "interpreter instruction, a system call, a signal and a wake-up on another\n"
    "core (its core idle a moment, and idle 500 us), a context switch, a timer's\n"
    "lateness, the scheduler's time slice, a 4 KiB file read, a cache line's\n"
    "move, and starting and collecting a process.  Give them to run, sweep or\n"
    "demo after --sim:\n"
    "  gilsim sweep --sim $(gilsim calibrate --quiet) --workers 1-8\n"
    "\n"
    "  -q, --quiet          print the options only\n"
    "  --strict             print nothing, exit 1, when other programs used more\n"
    "                       than 10% of the cores while it measured (else: a warning)\n"
    "  -h, --help, -V, --version   this help; gilsim's version\n";

const char gs_asm_usage[] =
    "usage: gilsim asm FILE\n"
    "Assembles and verifies FILE (.gsa, or .py compiled first), and prints a\n"
    "summary.  Exit status 0, or 2 for a bad file.\n";

const char gs_terms_usage[] =
    "usage: gilsim terms\n"
    "Prints what the words of gilsim's figures mean (speedup, efficiency, p50 and\n"
    "p99, waiting for the lock or a core, Jain's index, ...), as every page's\n"
    "\"How to read this\" and the README say it.\n";

const char gs_dis_usage[] =
    "usage: gilsim dis FILE\n"
    "Prints FILE's bytecode as assembly that assembles back to it (a .py file's\n"
    "source lines beside it).  Exit status 0, or 2 for a bad file.\n";

/* The words (NULL ones skipped), separated by commas, each line begun
 * `indent` columns in and wrapped before column 79. */
static void wrapped(FILE *out, int indent, const char *const *words, int n)
{
    int last = n - 1;
    while (last >= 0 && !words[last])
        last--;
    int col = fprintf(out, "%*s", indent, "");
    bool line_start = true;
    for (int i = 0; i <= last; i++) {
        if (!words[i])
            continue;
        int len = (int)strlen(words[i]) + (i < last);
        if (!line_start && col + 1 + len > 78) {
            col = fprintf(out, "\n%*s", indent, "") - 1;
            line_start = true;
        }
        col += fprintf(out, "%s%s%s", line_start ? "" : " ", words[i], i < last ? "," : "");
        line_start = false;
    }
    fputc('\n', out);
}

/* The lines a placeholder of the text stands for, made from the tables:
 * the policies, the model's costs, the sweep's workloads. */
static void expand(FILE *out, const char *name, size_t len)
{
    if (len == 8 && memcmp(name, "POLICIES", len) == 0) {
        for (int p = 0; p < GS_GIL_POLICY_COUNT; p++)
            fprintf(out, "%23s%-16s %s\n", "", gs_gil_policy_names[p], gs_gil_policy_about[p]);
    } else if (len == 5 && memcmp(name, "COSTS", len) == 0) {
        for (int i = 0; i < GS_SIM_COST_COUNT; i++) {
            const gs_sim_cost *c = &gs_sim_costs[i];
            char option[32], dflt[32];
            snprintf(option, sizeof option, "--%s D", c->option);
            gs_fmt_ns((double)gs_sim_cost_of(&GS_SIM_MODEL_DEFAULT, c), dflt);
            fprintf(out, "  %-20s %s (%s)\n", option, c->what, dflt);
        }
    } else if (len == 10 && memcmp(name, "COST_NAMES", len) == 0) {
        char spelled[GS_SIM_COST_COUNT][32];
        const char *words[GS_SIM_COST_COUNT];
        for (int i = 0; i < GS_SIM_COST_COUNT; i++) {
            snprintf(spelled[i], sizeof spelled[i], "--%s D", gs_sim_costs[i].option);
            words[i] = spelled[i];
        }
        wrapped(out, 2, words, GS_SIM_COST_COUNT);
    } else if (len == 5 && memcmp(name, "DEMOS", len) == 0) {
        for (size_t i = 0; gs_cli_demo_name(i); i++)
            fprintf(out, "  %-21s %s\n", gs_cli_demo_name(i), gs_cli_demo_about(i));
    } else if (len == 9 && memcmp(name, "WORKLOADS", len) == 0) {
        char spelled[GS_WORKLOAD_SWEEP_NAMES][32];
        const char *words[GS_WORKLOAD_SWEEP_NAMES];
        for (int i = 0; i < GS_WORKLOAD_SWEEP_NAMES; i++) {
            const char *n = gs_workload_sweep_names[i];
            words[i] = n ? spelled[i] : NULL;
            if (n)
                snprintf(spelled[i], sizeof spelled[i], "%s%s", n, n[strlen(n) - 1] == ':' ? "RATIO" : "");
        }
        wrapped(out, 23, words, GS_WORKLOAD_SWEEP_NAMES);
    }
}

void gs_cli_print_usage(FILE *out, const char *text)
{
    for (const char *p = text; *p;) {
        const char *line_end = strchr(p, '\n');
        size_t len = line_end ? (size_t)(line_end - p) + 1 : strlen(p);
        if (len > 2 && p[0] == '@' && p[len - 2] == '@' && p[len - 1] == '\n')
            expand(out, p + 1, len - 3);
        else
            fwrite(p, 1, len, out);
        p += len;
    }
}
