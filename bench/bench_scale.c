/* bench_scale.c - gilsim-bench, scale section: many workers, and the
 * classroom sweep.
 *
 *   1,000 threads, 10,000 async tasks, 64 processes, each doing one small
 *   unit (weak scaling): that each completes, its wall time, and the peak
 *   memory it took per worker.  Each run happens in a fresh gilsim-bench
 *   process of its own (bench_scale_once), so its peak resident size
 *   (VmHWM) is its own: the figure is
 *   (peak - resident size before the run) / workers.  For processes it is
 *   the largest child's peak (getrusage of the children), which counts
 *   every page the parent had resident at the fork, shared copy-on-write
 *   and never copied; so beside it, a child's own memory: the most
 *   private memory (Private_Clean + Private_Dirty of smaps_rollup) a
 *   thread watching the running children saw.
 *   The default sweep: threads, processes and async x 1, 2, 4, 8 workers x
 *   CPU-bound, median of 3 per point, as `gilsim sweep` runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "../interp/vm.h"
#include "run.h"
#include "sweep.h"

#define SWEEP_REPS 5

/* A line of /proc/self/status, in KiB. */
static double status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double v = 0;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0)
            v = atof(line + n + 1);
    if (f)
        fclose(f);
    return v;
}

/* The children of this process, watched while a run runs: the most
 * private memory any of them had. */
typedef struct {
    atomic_bool stop;
    double max_kib;
} watcher;

static double private_kib(const char *pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%s/smaps_rollup", pid);
    FILE *f = fopen(path, "r");
    double kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "Private_Clean:", 14) == 0 || strncmp(line, "Private_Dirty:", 14) == 0)
            kib += atof(strchr(line, ':') + 1);
    if (f)
        fclose(f);
    return kib;
}

static void *watch_children(void *arg)
{
    watcher *w = arg;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
    while (!atomic_load(&w->stop)) {
        FILE *f = fopen(path, "r");
        char pid[16];
        while (f && fscanf(f, "%15s", pid) == 1) {
            double kib = private_kib(pid);
            w->max_kib = kib > w->max_kib ? kib : w->max_kib;
        }
        if (f)
            fclose(f);
        usleep(200);
    }
    return NULL;
}

/* Runs mode x workers under policy, in real time or (cores > 0) on the
 * default model with that many cores, in this process, which is a fresh
 * one (bench_scale_child): its peak memory is the run's. */
static scale_result scale_run(gs_mode mode, uint32_t workers, uint32_t cores, gs_gil_policy policy)
{
    gs_sim_model model = GS_SIM_MODEL_DEFAULT;
    model.cores = cores;
    gs_workload w = bench_workload(GS_WL_COUNTDOWN);
    w.unit_size = 1000;
    gs_run_config cfg = {.mode = mode, .workers = workers, .workload = &w, .work = 1, .weak = true,
                         .gil = {.policy = policy, .interval_ns = GS_INTERVAL_DEFAULT_NS, .force_switching = true},
                         .event_cap = GS_DEFAULT_EVENTS, .sim = cores ? &model : NULL};
    double before = status_kib("VmRSS:");
    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    gs_run_result r;
    watcher watch = {0};
    pthread_t watching;
    bool watched = mode == GS_MODE_PROCESSES && !cores && pthread_create(&watching, NULL, watch_children, &watch) == 0;
    bench_mark a = bench_now();
    int rc = gs_run(&cfg, &r);
    bench_mark b = bench_now();
    if (watched) {
        atomic_store(&watch.stop, true);
        pthread_join(watching, NULL);
    }
    struct rusage ru1;
    getrusage(RUSAGE_SELF, &ru1);
    scale_result out = {.ok = rc == 0 && r.failed == 0, .child_private_kib = watch.max_kib,
                        .page_faults = (double)(ru1.ru_minflt - ru0.ru_minflt), .sim_stacks = r.sim_stacks};
    out.wall_s = b.wall - a.wall;
    out.cpu_s = b.cpu - a.cpu; /* the watcher's too: a few polls of /proc */
    if (mode == GS_MODE_PROCESSES && !cores) {
        struct rusage ru;
        getrusage(RUSAGE_CHILDREN, &ru);
        out.kib_per_worker = (double)ru.ru_maxrss; /* KiB on Linux: the largest child */
    } else {
        out.kib_per_worker = (status_kib("VmHWM:") - before) / workers;
    }
    if (!out.ok)
        fprintf(stderr, "gilsim-bench: %u %s: %s\n", workers, gs_mode_plural[mode], rc ? r.error : "a worker failed");
    return out;
}

int bench_scale_child(int argc, char **argv)
{
    if (argc != 6)
        return 2;
    scale_result out = scale_run((gs_mode)atoi(argv[2]), (uint32_t)strtoul(argv[3], NULL, 10),
                                 (uint32_t)strtoul(argv[4], NULL, 10), (gs_gil_policy)atoi(argv[5]));
    return write(1, &out, sizeof out) == (ssize_t)sizeof out ? 0 : 1;
}

/* Starts gilsim-bench again, this very program, as --scale-child for mode
 * x workers (on sim's cores, when sim) under policy: alone, its standard
 * output on a pipe, or under callgrind (valgrind's instruction counter),
 * its standard error, where callgrind says what it counted, on the pipe
 * and its output dropped.  Returns its pid with the pipe's end to read in
 * *out, or -1. */
static pid_t start_scale_child(gs_mode mode, uint32_t workers, const struct gs_sim_model *sim, gs_gil_policy policy,
                               bool under_callgrind, int *out)
{
    /* The file itself for valgrind, which reads it; a program runs again
     * from /proc/self/exe, which a rebuild meanwhile does not move. */
    char self[4096] = "/proc/self/exe";
    ssize_t len = under_callgrind ? readlink("/proc/self/exe", self, sizeof self - 1) : 1;
    int fds[2];
    if (len <= 0 || pipe(fds) != 0)
        return -1;
    if (under_callgrind)
        self[len] = '\0';
    char m[16], n[16], c[16], p[16];
    snprintf(m, sizeof m, "%d", (int)mode);
    snprintf(n, sizeof n, "%u", workers);
    snprintf(c, sizeof c, "%u", sim ? sim->cores : 0);
    snprintf(p, sizeof p, "%d", (int)policy);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (under_callgrind) {
            int null = open("/dev/null", O_WRONLY);
            if (null < 0 || dup2(null, 1) < 0 || dup2(fds[1], 2) < 0)
                _exit(127);
            execlp("valgrind", "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", self,
                   "--scale-child", m, n, c, p, (char *)NULL);
        } else if (dup2(fds[1], 1) >= 0) {
            execl(self, "gilsim-bench", "--scale-child", m, n, c, p, (char *)NULL);
        }
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0)
        close(fds[0]);
    *out = fds[0];
    return pid;
}

/* Runs mode x workers (on a simulated machine, with sim) in a fresh
 * process: gilsim-bench itself, started again to run it alone.  A fork
 * would inherit the heap this process grew and freed (a run that reuses
 * it is counted wrong either way: calloc zeroes recycled memory, touching
 * pages a fresh run never touches, while pages kept resident are reused
 * unseen) and its peak.  Returns what the child measured, in real time. */
scale_result bench_scale_once(gs_mode mode, uint32_t workers, const struct gs_sim_model *sim, gs_gil_policy policy)
{
    scale_result res = {0};
    int fd;
    pid_t pid = start_scale_child(mode, workers, sim, policy, false, &fd);
    if (pid < 0)
        return res;
    if (read(fd, &res, sizeof res) != (ssize_t)sizeof res)
        res.ok = 0;
    close(fd);
    waitpid(pid, NULL, 0);
    return res;
}

/* The same run under callgrind (this machine, a virtual one, lends no
 * hardware counters to programs), for the instructions it executed, user
 * space only: the simulator's own work, without the kernel's pages or the
 * caches' misses.  Callgrind prints "Collected : N" as it ends.  False
 * when valgrind cannot be run (it is not installed: tools/install-deps
 * --ci has it). */
bool bench_scale_instructions(gs_mode mode, uint32_t workers, const struct gs_sim_model *sim, gs_gil_policy policy,
                              double *instructions)
{
    int fd;
    pid_t pid = start_scale_child(mode, workers, sim, policy, true, &fd);
    if (pid < 0)
        return false;
    char said[8192];
    size_t got = 0;
    ssize_t k;
    while (got < sizeof said - 1 && (k = read(fd, said + got, sizeof said - 1 - got)) > 0)
        got += (size_t)k;
    said[got] = '\0';
    close(fd);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return false;
    const char *at = strstr(said, "Collected : ");
    return at && sscanf(at, "Collected : %lf", instructions) == 1;
}

static void scale(bench_report *r, gs_mode mode, uint32_t workers, const char *wall_name, const char *mem_name)
{
    double wall[BENCH_REPS], cpu[BENCH_REPS], mem[BENCH_REPS], own[BENCH_REPS];
    for (int i = 0; i < BENCH_REPS; i++) {
        scale_result s = bench_scale_once(mode, workers, NULL, GS_GIL_CPYTHON);
        if (!s.ok) {
            fprintf(stderr, "gilsim-bench: %u %s did not complete\n", workers, gs_mode_plural[mode]);
            exit(1);
        }
        wall[i] = s.wall_s * 1e3;
        cpu[i] = s.cpu_s * 1e3;
        mem[i] = s.kib_per_worker;
        own[i] = s.child_private_kib;
    }
    bench_figure f, c;
    bench_summarize(&f, wall, BENCH_REPS);
    bench_summarize(&c, cpu, BENCH_REPS);
    bench_add_timed(r, "scale", wall_name, "ms", &f, &c);
    bench_summarize(&f, mem, BENCH_REPS);
    bench_add(r, "scale", mem_name, "KiB", &f);
    if (mode == GS_MODE_PROCESSES) {
        bench_summarize(&f, own, BENCH_REPS);
        bench_add(r, "scale", "64 processes: a child's own (private) memory", "KiB", &f);
    }
}

/* The default sweep's wall time, real; with sim, on that modelled machine
 * with jobs points at once. */
bench_mark bench_default_sweep(const struct gs_sim_model *sim, uint32_t jobs)
{
    gs_workload w = bench_workload(GS_WL_COUNTDOWN);
    gs_sweep s = {.cfg = {.work = w.default_work / 4, .event_cap = 0, .sim = sim,
                          .gil = {.interval_ns = GS_INTERVAL_DEFAULT_NS, .force_switching = true,
                                  .check_interval = GS_CHECK_INTERVAL_DEFAULT}},
                  .workloads = {&w}, .nworkloads = 1, .modes = {GS_MODE_THREADS, GS_MODE_PROCESSES, GS_MODE_ASYNC},
                  .nmodes = 3, .counts = {1, 2, 4, 8}, .ncounts = 4, .repeat = 3, .jobs = jobs};
    char err[GS_ERRMSG_MAX];
    bench_mark a = bench_now();
    if (gs_sweep_run(&s, err, NULL, NULL) != 0) {
        fprintf(stderr, "gilsim-bench: sweep: %s\n", err);
        exit(1);
    }
    bench_mark b = bench_now();
    gs_sweep_free(&s);
    gs_workload_free(&w);
    return (bench_mark){.wall = b.wall - a.wall, .cpu = b.cpu - a.cpu};
}

void bench_add_sweeps(bench_report *r, const char *section, const char *name, const struct gs_sim_model *sim,
                      uint32_t jobs, int reps)
{
    double wall[SWEEP_REPS], cpu[SWEEP_REPS];
    for (int i = 0; i < reps && i < SWEEP_REPS; i++) {
        bench_mark t = bench_default_sweep(sim, jobs);
        wall[i] = t.wall, cpu[i] = t.cpu;
    }
    bench_figure f, c;
    bench_summarize(&f, wall, reps);
    bench_summarize(&c, cpu, reps);
    bench_add_timed(r, section, name, "s", &f, &c);
}

static void default_sweep(bench_report *r)
{
    bench_add_sweeps(r, "scale", "default sweep, 3 modes x 1,2,4,8 (median of 5)", NULL, 1, SWEEP_REPS);
}

void bench_scale(bench_report *r)
{
    scale(r, GS_MODE_THREADS, 1000, "1,000 threads: wall", "1,000 threads: peak RSS per thread");
    scale(r, GS_MODE_ASYNC, 10000, "10,000 async tasks: wall", "10,000 async tasks: peak RSS per task");
    scale(r, GS_MODE_PROCESSES, 64, "64 processes: wall", "64 processes: largest child's peak RSS");
    /* what a state holds before any call grows it: its first frames and values are in it */
    double state = sizeof(gs_vm);
    bench_add_ratio(r, "scale", "interpreter state, as it starts", state / 1024.0, "KiB", "target <= 16");
    bench_add_ratio(r, "scale", "worker thread stack (reserved)", GS_WORKER_STACK / 1024.0, "KiB", NULL);
    default_sweep(r);
}
