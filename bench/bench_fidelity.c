/* bench_fidelity.c - gilsim-bench, fidelity section: the famous lessons of
 * the GIL (sched/lessons.h) as CPython shows them on this machine, beside
 * gilsim's in real time and in virtual time, with the classroom defaults
 * and with this machine's calibration, back to back.  It prints
 * docs/calibration.md's "The lessons" table, each virtual figure with its
 * verdict against the row's band.
 *
 * CPython's figures come from bench/fidelity/lessons.py, compiled into
 * gilsim-bench and given to the interpreter on its command line, pinned to
 * the lesson's cores with taskset: python3 for every row but Python 2's
 * battle, which needs a Python 2.7 (Debian 12 has none: tools/python2
 * fetches Debian 11's and prints the path to give as GILSIM_PYTHON2;
 * without one the row shows the figure recorded on the development VM,
 * marked so).  How often Python 2's lock changes hands at a tick cannot
 * be seen from Python: fidelity/takers.c, built beside this program and
 * preloaded into python2.7, counts its takers.
 *
 * Real figures (CPython's and gilsim's) are medians of real_runs() runs;
 * virtual ones the median over seeds 1..SEEDS (a share of runs: the mean).
 * CPython's figure shows the least and the most of its runs after it: on
 * a virtual machine it swings from run to run (its convoy beside one CPU
 * thread at 5 ms: 33x to 42x in six runs in a row, 53x hours before), and
 * the swing moves verdicts that the model did not.  So a verdict that one
 * of CPython's runs, taken alone as the reference, would give otherwise
 * says how many of them would give "yes": "84.1x **no** (1 of 3 CPython
 * runs)" is the calibrated convoy beside one CPU thread at 5 ms on
 * 2026-12-07, outside the band of CPython's median (56.7x), inside that
 * of one of its three runs (71.7x).
 *
 * The last column says how many real runs, of the rows whose threads only
 * compute, had their threads share a core for more than a quarter of the
 * time they wanted one (verdict.h, stacked; CPython's measured by
 * lessons.py from Linux's schedstat): on the development VM Linux often
 * keeps two threads on one core while the other idles, and such runs give
 * other figures (docs/calibration.md), which the model, whose woken thread
 * always finds an idle core, does not make.
 *
 * GILSIM_FIDELITY=virtual runs the virtual columns alone, against the
 * CPython figures recorded in lessons.c: two minutes where the whole takes
 * four and a half, for work on the model (no CPython, no real runs). */
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "calibrate.h"
#include "lessons.h"
#include "verdict.h"

enum { RUNS = 7, RACE_RUNS = 21, SEEDS = 10, MAX_FIGURES = 3 };
enum { MAX_RUNS = RACE_RUNS > SEEDS ? RACE_RUNS : SEEDS };

/* Real runs of a row (CPython's and gilsim's): RUNS where a run is short
 * and swings; RACE_RUNS for the race without a lock, whose run takes 20
 * ms and loses nothing or an interval's updates (CPython: 0% to 50%, 7
 * runs in 10 losing; the share of 7 runs that lose moves by 14 points
 * with one run); 3 for the convoy, whose runs take seconds.  The I/O
 * threads' take 1.5 s and swing (CPython's 256 threads: 22.4x to 38.0x
 * in three runs, 2026-12-06), so they get RUNS too. */
static int real_runs(const gs_lesson *l)
{
    switch (l->kind) {
    case GS_LESSON_CONVOY:
        return 3;
    case GS_LESSON_RACE:
    case GS_LESSON_LOSING:
        return RACE_RUNS;
    default:
        return RUNS;
    }
}

extern char **environ;

/* Whether program runs and exits 0 with args (NULL-terminated), its
 * output thrown away: an interpreter that is on PATH but does not run (a
 * pyenv shim for a version not installed) is not one. */
static bool runs(const char *const *args)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int status = 0, rc = posix_spawnp(&pid, args[0], &fa, NULL, (char *const *)args, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc == 0)
        waitpid(pid, &status, 0);
    return rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool python_runs(const char *python)
{
    const char *args[] = {python, "-c", "pass", NULL};
    return runs(args);
}

/* The Python 2 for the battle: GILSIM_PYTHON2 (tools/python2 fetches
 * Debian 11's 2.7.18 and prints its path), else python2.7 or python2 on
 * the PATH (which may be a shim of a version not installed: each is
 * tried). */
static const char *python2_found(void)
{
    static const char *const names[] = {"python2.7", "python2"};
    const char *given = getenv("GILSIM_PYTHON2");
    if (given && *given)
        return python_runs(given) ? given : NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (python_runs(names[i]))
            return names[i];
    return NULL;
}

/* The first n CPUs this process may use, as taskset's list: "0,1". */
static void first_cpus(uint32_t n, char *out, size_t size)
{
    cpu_set_t set;
    out[0] = '\0';
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return;
    for (int c = 0; c < CPU_SETSIZE && n > 0; c++)
        if (CPU_ISSET(c, &set)) {
            snprintf(out + strlen(out), size - strlen(out), "%s%d", out[0] ? "," : "", c);
            n--;
        }
}

/* Runs lessons.py's phenomenon under python (pinned to cores CPUs) with
 * args (NULL-terminated) and, when env is not NULL, this environment
 * instead of ours; reads up to MAX_FIGURES numbers from its one line.
 * Returns how many it read, or -1 when it could not run. */
static int run_python_in(const char *python, uint32_t cores, const char *const *args, char *const *env,
                         double out[MAX_FIGURES])
{
    char cpus[256];
    first_cpus(cores, cpus, sizeof cpus);
    const char *argv[16] = {"taskset", "-c", cpus, python, "-c", bench_fidelity_programs[0].text};
    int argc = 6;
    for (int i = 0; args[i] && argc < 15; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, "taskset", &fa, NULL, (char *const *)argv, env ? env : environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    FILE *f = rc == 0 ? fdopen(fds[0], "r") : NULL;
    int n = 0;
    while (f && n < MAX_FIGURES && fscanf(f, "%lf", &out[n]) == 1)
        n++;
    if (f)
        fclose(f);
    else
        close(fds[0]);
    int status = 0;
    if (rc == 0)
        waitpid(pid, &status, 0);
    return rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? n : -1;
}

static int run_python(const char *python, uint32_t cores, const char *const *args, double out[MAX_FIGURES])
{
    return run_python_in(python, cores, args, NULL, out);
}

/* gilsim-takers.so beside this program, its path in lib; false when
 * there is none (an installed gilsim-bench has none). */
static bool takers_library(char *lib, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    const char *slash = strrchr(exe, '/');
    snprintf(lib, size, "%.*s/gilsim-takers.so", slash ? (int)(slash - exe) : 0, exe);
    return access(lib, R_OK) == 0;
}

/* The share of Python 2's ticks at which its lock changed hands in one
 * battle of 2 threads, in %, counted by takers.c preloaded into python.
 * Returns 0, or -1 when there is no such library or the run gave no
 * counts. */
static int python_changes(const gs_lesson *l, const char *python, double *value)
{
    char lib[4200], path[] = "/tmp/gilsim-takers-XXXXXX";
    int fd = takers_library(lib, sizeof lib) ? mkstemp(path) : -1;
    if (fd < 0)
        return -1;
    close(fd);
    size_t k = 0;
    while (environ[k])
        k++;
    char **env = calloc(k + 3, sizeof *env); /* ours, less a preload of its own, and the two below */
    char preload[4300], out[64];
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s", lib);
    snprintf(out, sizeof out, "GILSIM_TAKERS=%s", path);
    long takes = 0, changes = 0;
    if (env) {
        size_t m = 0;
        for (size_t i = 0; i < k; i++)
            if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 && strncmp(environ[i], "GILSIM_TAKERS=", 14) != 0)
                env[m++] = environ[i];
        env[m++] = preload;
        env[m] = out;
        double wall[MAX_FIGURES];
        const char *args[] = {"battle", "2", "3000", NULL};
        FILE *f = run_python_in(python, l->cores, args, env, wall) >= 1 ? fopen(path, "r") : NULL;
        if (f && fscanf(f, "%ld %ld", &takes, &changes) != 2)
            takes = 0;
        if (f)
            fclose(f);
        free(env);
    }
    unlink(path);
    if (takes <= 0 || changes < 0 || changes > takes)
        return -1;
    *value = 100.0 * (double)changes / (double)takes;
    return 0;
}

/* A figure is a count, a share or a rate: finite, and not below 0; any
 * other is a run gone wrong, not a measurement. */
static bool plausible(double v)
{
    return isfinite(v) && v >= 0;
}

/* The first figure of run num over that of run den (their args), k of
 * them the figure's index; num's figure after it in *stacked (its
 * threads' stacked share, lessons.py's in_threads), -1 where there is
 * none.  Returns 0, or -1 when python could not give both. */
static int quotient(const gs_lesson *l, const char *python, const char *const *num, const char *const *den, int k,
                    double *value, double *stacked)
{
    double a[MAX_FIGURES], b[MAX_FIGURES];
    int n = run_python(python, l->cores, num, a);
    if (n <= k || run_python(python, l->cores, den, b) <= k || b[k] <= 0)
        return -1;
    *value = a[k] / b[k];
    *stacked = n > k + 1 ? a[k + 1] : -1;
    return plausible(*value) ? 0 : -1;
}

/* One figure of python's for the lesson (a ratio of two runs' where the
 * lesson is one), and the stacked share of its run of several threads
 * that only compute, no more of them than cores (-1 where there is
 * none).  Returns 0, or -1 when python could not give the figure. */
static int python_once(const gs_lesson *l, const char *python, double *value, double *stacked)
{
    char interval[32], workers[16], ops[32], units[32], share[32];
    snprintf(interval, sizeof interval, "%g", (double)l->interval_ns / 1e9);
    snprintf(workers, sizeof workers, "%u", l->workers);
    snprintf(units, sizeof units, "%u",
             l->kind == GS_LESSON_NATIVE ? GS_LESSON_NATIVE_UNITS : GS_LESSON_IO_UNITS_PER_THREAD * l->workers);
    snprintf(share, sizeof share, "%g", l->native_share);
    double a[MAX_FIGURES], unused;
    double *shared = l->workers <= l->cores ? stacked : &unused; /* more threads than cores share them by rights */
    *stacked = -1;
    switch (l->kind) {
    case GS_LESSON_BATTLE: { /* Python 2's lock has no interval */
        const char *many[] = {"battle", workers, "3000", NULL}, *one[] = {"battle", "1", "3000", NULL};
        return quotient(l, python, many, one, 0, value, shared);
    }
    case GS_LESSON_TINY: {
        const char *many[] = {"tiny", interval, workers, "500", NULL}, *one[] = {"tiny", interval, "1", "500", NULL};
        return quotient(l, python, many, one, 0, value, shared);
    }
    case GS_LESSON_PIPE: {
        const char *alone[] = {"convoy", interval, "0", "5000", NULL};
        if (run_python(python, l->cores, alone, a) < 1)
            return -1;
        *value = a[0];
        return plausible(*value) ? 0 : -1;
    }
    case GS_LESSON_CONVOY: {
        const char *alone[] = {"convoy", interval, "0", "5000", NULL};
        double b[MAX_FIGURES];
        if (run_python(python, l->cores, alone, a) < 1 || !plausible(a[0]))
            return -1;
        snprintf(ops, sizeof ops, "%.0f", 0.3 * a[0] / l->cpython + 10); /* about 0.3 s if as CPython's here */
        const char *beside[] = {"convoy", interval, workers, ops, NULL};
        if (run_python(python, l->cores, beside, b) < 1 || b[0] <= 0)
            return -1;
        *value = a[0] / b[0];
        return plausible(*value) ? 0 : -1;
    }
    case GS_LESSON_RACE:
    case GS_LESSON_LOSING: {
        const char *call[] = {"race", interval, "call", NULL};
        int n = run_python(python, l->cores, call, a);
        if (n < 2 || !plausible(a[0]))
            return -1;
        *value = l->kind == GS_LESSON_RACE ? 100 * a[0] : a[0] > 0 ? 100 : 0;
        *shared = n > 2 ? a[2] : -1;
        return 0;
    }
    case GS_LESSON_RACE_LOCK: {
        const char *lock[] = {"race", interval, "lock", NULL}, *call[] = {"race", interval, "call", NULL};
        return quotient(l, python, lock, call, 1, value, shared); /* their walls */
    }
    case GS_LESSON_IO_THREADS: {
        const char *one[] = {"iothreads", "1", units, NULL}, *many[] = {"iothreads", workers, units, NULL};
        return quotient(l, python, one, many, 0, value, &unused); /* a speedup: 1 thread's wall over many's */
    }
    case GS_LESSON_NATIVE: {
        const char *one[] = {"native", share, "1", units, NULL}, *many[] = {"native", share, workers, units, NULL};
        return quotient(l, python, one, many, 0, value, &unused);
    }
    case GS_LESSON_CHANGES: /* not to be seen from Python: counted from outside */
        return python_changes(l, python, value);
    }
    return -1;
}

/* The row's figure from values[0..n): the mean for a share of runs, else
 * the median. */
static double figure_of(const gs_lesson *l, double *values, int n)
{
    if (n <= 0)
        return 0;
    if (l->kind == GS_LESSON_LOSING) {
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += values[i];
        return sum / n;
    }
    bench_figure f;
    bench_summarize(&f, values, n);
    return f.median;
}

/* How many of runs whose stacked shares are stacked[0..n) shared cores
 * (verdict.h, stacked) in *shared, and of how many that could tell in
 * *told. */
static void count_stacked(const double *stacked, int n, int *shared, int *told)
{
    *shared = *told = 0;
    for (int i = 0; i < n; i++) {
        *told += stacked[i] >= 0;
        *shared += stacked[i] > GS_STACKED_SHARE_MAX;
    }
}

/* gilsim's figure for the lesson: real (sim NULL) over RUNS runs, or
 * virtual over SEEDS seeds of sim; -1 where a run failed (err says).
 * Real runs: how many shared cores, of how many that could tell. */
static int gilsim_figure(const gs_lesson *l, const gs_sim_model *sim, double *value, int *shared, int *told,
                         char err[GS_ERRMSG_MAX])
{
    double v[MAX_RUNS], stacked[MAX_RUNS];
    int n = sim ? SEEDS : real_runs(l);
    for (int i = 0; i < n; i++) {
        gs_sim_model m;
        if (sim) {
            m = *sim;
            m.seed = (uint64_t)i + 1;
        }
        if (gs_lesson_measure(l, sim ? &m : NULL, &v[i], &stacked[i], err) != 0)
            return -1;
    }
    count_stacked(stacked, n, shared, told);
    *value = figure_of(l, v, n);
    return 0;
}

/* How many of CPython's runs py[0..n), each taken alone as the reference,
 * have v within their band; -1 where that says nothing more than the
 * verdict: a band that does not hang on CPython's figure, a share of runs
 * (each run's figure is all or nothing), one run, or all or none of them
 * agreeing. */
static int runs_within(const gs_lesson *l, double v, const double *py, int n)
{
    if (l->band == GS_BAND_RANGE || l->kind == GS_LESSON_LOSING || n < 2)
        return -1;
    int k = 0;
    for (int i = 0; i < n; i++)
        k += gs_lesson_within(l, v, py[i]);
    return k > 0 && k < n ? k : -1;
}

/* A figure as the table shows it: 3 significant digits or so. */
static void format(double v, const char *unit, char *out, size_t n)
{
    snprintf(out, n, v >= 100 ? "%.0f%s" : v >= 10 ? "%.1f%s" : "%.2f%s", v, strcmp(unit, "x") == 0 ? "x" : "");
}

/* Appends " (LO to HI)", the least and the most of the n values, to the
 * figure in out. */
static void append_range(double *values, int n, const char *unit, char *out, size_t size)
{
    bench_figure f;
    bench_summarize(&f, values, n);
    char lo[32], hi[32];
    format(f.min, unit, lo, sizeof lo);
    format(f.max, unit, hi, sizeof hi);
    size_t used = strlen(out);
    snprintf(out + used, size - used, " (%s to %s)", lo, hi);
}

void bench_fidelity(bench_report *r)
{
    gs_calibration cal;
    char err[GS_ERRMSG_MAX];
    bench_calibrate(&cal);
    const gs_sim_model classroom = GS_SIM_MODEL_DEFAULT;
    const char *mode = getenv("GILSIM_FIDELITY");
    bool measured = !mode || strcmp(mode, "virtual") != 0; /* CPython's and real gilsim's too */
    const char *python3 = measured && python_runs("python3") ? "python3" : NULL;
    const char *python2 = measured ? python2_found() : NULL;
    const char *taskset_args[] = {"taskset", "-c", "0", "true", NULL};
    bool taskset = measured && runs(taskset_args);
    if (!measured)
        printf("GILSIM_FIDELITY=virtual: the virtual columns only, against CPython's figures as recorded on the "
               "development VM (sched/experiments/lessons.c); no real runs.\n");
    printf("CPython: %s%s; Python 2: %s.  Real figures: medians of %d runs (%d for the race without a lock, 3 "
           "for the convoy), CPython's with the least and the most of its runs after it; "
           "virtual: over seeds 1 to %d (classroom: the defaults; calibrated: this machine, `gilsim calibrate`).  "
           "A figure marked * is the one recorded on the development VM: it could not be measured here.  "
           "\"(k of n CPython runs)\" after a verdict: the figure is within the band of k of CPython's n runs "
           "here, each taken alone as the reference (shown where some are and some are not).\n\n",
           python3 ? "python3" : "not found", taskset ? "" : " (taskset not found: no CPython figures)",
           python2 ? python2 : "none found (tools/python2 fetches one: GILSIM_PYTHON2)", RUNS, RACE_RUNS, SEEDS);
    printf("| phenomenon | CPython | band | gilsim real | virtual, classroom | virtual, calibrated | real runs "
           "sharing a core: CPython, gilsim |\n");
    printf("|---|---:|---|---:|---:|---:|---|\n");
    int met[2] = {0, 0};
    for (size_t i = 0; i < gs_nlessons; i++) {
        const gs_lesson *l = &gs_lessons[i];
        fprintf(stderr, "gilsim-bench: %s\n", l->phenomenon);
        const char *python = l->kind == GS_LESSON_BATTLE || l->kind == GS_LESSON_CHANGES ? python2 : python3;
        double py[MAX_RUNS], py_stacked[MAX_RUNS];
        int npy = 0;
        for (int k = 0; k < real_runs(l) && python && taskset; k++)
            if (python_once(l, python, &py[npy], &py_stacked[npy]) == 0)
                npy++;
        double cpython = npy ? figure_of(l, py, npy) : l->cpython;
        char c[96];
        format(cpython, gs_lesson_unit(l), c, sizeof c);
        if (npy > 1 && l->kind != GS_LESSON_LOSING) /* CPython's own swing, beside the verdicts it moves */
            append_range(py, npy, gs_lesson_unit(l), c, sizeof c);
        double real = 0, virt[2];
        int shared[2] = {0, 0}, told[2] = {0, 0}, unused[2]; /* CPython's runs, gilsim's */
        count_stacked(py_stacked, npy, &shared[0], &told[0]);
        const gs_sim_model *models[2] = {&classroom, &cal.model};
        if ((measured && gilsim_figure(l, NULL, &real, &shared[1], &told[1], err) != 0) ||
            gilsim_figure(l, models[0], &virt[0], &unused[0], &unused[1], err) != 0 ||
            gilsim_figure(l, models[1], &virt[1], &unused[0], &unused[1], err) != 0) {
            fprintf(stderr, "gilsim-bench: fidelity row '%s' failed: %s\n", l->phenomenon, err);
            exit(1);
        }
        char band[32], g[32], v[2][80];
        gs_lesson_band(l, band, sizeof band);
        if (measured)
            format(real, gs_lesson_unit(l), g, sizeof g);
        else
            snprintf(g, sizeof g, "-");
        for (int k = 0; k < 2; k++) {
            bool in = gs_lesson_within(l, virt[k], cpython);
            met[k] += in;
            format(virt[k], gs_lesson_unit(l), v[k], sizeof v[k]);
            snprintf(v[k] + strlen(v[k]), sizeof v[k] - strlen(v[k]), " %s", in ? "yes" : "**no**");
            int agree = runs_within(l, virt[k], py, npy);
            if (agree >= 0)
                snprintf(v[k] + strlen(v[k]), sizeof v[k] - strlen(v[k]), " (%d of %d CPython runs)", agree, npy);
        }
        char sharing[2][32];
        for (int k = 0; k < 2; k++)
            if (told[k])
                snprintf(sharing[k], sizeof sharing[k], "%d of %d", shared[k], told[k]);
            else
                snprintf(sharing[k], sizeof sharing[k], "-");
        printf("| %s | %s%s | %s | %s | %s | %s | %s, %s |\n", l->phenomenon, c, npy ? "" : "*", band, g, v[0], v[1],
               sharing[0], sharing[1]);
        fflush(stdout);
    }
    printf("\n");
    bench_add_ratio(r, "fidelity", "lessons within their bands, classroom", 100.0 * met[0] / (double)gs_nlessons,
                    "%", "100");
    bench_add_ratio(r, "fidelity", "lessons within their bands, calibrated", 100.0 * met[1] / (double)gs_nlessons,
                    "%", "100");
}
