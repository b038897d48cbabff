/* vs_python.c - `gilsim --program FILE.py --vs-python`: the same workload
 * under real python3, beside gilsim's figures.
 *
 * python/vs_python.py (compiled into gilsim, with python/gilsim.py, and
 * given to python3 on its command line: nothing is written to disk) checks
 * the file again with python3's own parser, then runs it with threading,
 * multiprocessing or asyncio, the same workers, work, unit size, switch
 * interval and I/O latency (each time.sleep lasts it, as under gilsim, and
 * a pipe's far end waits it), one worker (as gilsim did) and then all, and prints its wall
 * times and checksums as JSON.  python3 is needed only when asked for. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "../reports/report.h"
#include "../workloads/embedded.h"
#include "vs_python.h"

/* The share of a python3 run's wall its workers' start may take before its
 * figures are more about starting them than about the lock. */
#define STARTING_MAX 0.25

bool gs_vs_python_available(char path[4096])
{
    const char *dirs = getenv("PATH");
    for (const char *p = dirs; p && *p;) {
        size_t len = strcspn(p, ":");
        snprintf(path, 4096, "%.*s/python3", (int)len, p);
        if (len && access(path, X_OK) == 0)
            return true;
        p += len + (p[len] == ':');
    }
    return false;
}

/* The embedded file python/NAME.py. */
static const char *python_file(const char *name)
{
    for (const gs_embedded_program *f = gs_embedded_python; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f->text;
    return NULL;
}

/* Copies what fd holds now into text (out) or standard error (relayed,
 * so that python3's messages are as safe for the terminal as gilsim's:
 * reports/output.h).  Returns false at its end or on an error. */
static bool take(int fd, char **text, size_t *len, size_t *cap)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
        return true;
    if (n <= 0)
        return false;
    if (!text) {
        fwrite(buf, 1, (size_t)n, stderr);
        return true;
    }
    if (*len + (size_t)n + 1 > *cap) {
        char *more = realloc(*text, *cap = 2 * (*len + (size_t)n + 1));
        if (!more)
            return false;
        *text = more;
    }
    memcpy(*text + *len, buf, (size_t)n);
    *len += (size_t)n;
    return true;
}

/* Runs argv in a process group of its own that dies with gilsim (the
 * parent-death signal: whatever kills gilsim, SIGKILL too), returning
 * what it printed (malloc'd), or NULL.  Its standard error is relayed.
 * Past limit_ms, or once gilsim is stopped (Ctrl-C, SIGTERM, SIGHUP), the
 * group is killed (*killed says so): a Python program that deadlocks waits
 * forever, and multiprocessing's children with it. */
static char *output_of(char *const argv[], int limit_ms, bool *killed)
{
    int out[2], err[2];
    *killed = false;
    if (pipe2(out, O_CLOEXEC) != 0)
        return NULL;
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        return NULL;
    }
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127); /* gilsim died before the line above */
        setpgid(0, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0)
        setpgid(pid, pid); /* before the poll below, whichever of the two runs first */
    close(out[1]);
    close(err[1]);
    size_t len = 0, cap = 4096;
    char *text = pid > 0 ? malloc(cap) : NULL;
    bool out_open = text != NULL, err_open = text != NULL;
    for (int waited_ms = 0; out_open || err_open;) {
        struct pollfd p[2] = {{.fd = out_open ? out[0] : -1, .events = POLLIN},
                              {.fd = err_open ? err[0] : -1, .events = POLLIN}};
        int ready = poll(p, 2, 100);
        if (ready <= 0) {
            waited_ms += ready == 0 ? 100 : 0;
            if (!*killed && (waited_ms >= limit_ms || gs_run_stopping())) {
                kill(-pid, SIGKILL);
                *killed = true;
            }
            continue;
        }
        if (p[0].revents && !take(out[0], &text, &len, &cap))
            out_open = false;
        if (p[1].revents && !take(err[0], NULL, NULL, NULL))
            err_open = false;
    }
    close(out[0]);
    close(err[0]);
    int status = 0;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    if (!text || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        free(text);
        return NULL;
    }
    text[len] = '\0';
    return text;
}

int gs_vs_python(const char *program, const gs_experiment *e)
{
    static const char *const module[GS_MODE_COUNT] = {"threading", "multiprocessing", "asyncio"};
    char python[4096];
    if (!gs_vs_python_available(python)) {
        fprintf(stderr, "gilsim: --vs-python needs python3, which is not on PATH (apt-get install python3)\n");
        return -1;
    }
    const gs_run_config *c = &e->cfg;
    char workers[32], work[32], size[32], interval[64], latency[64];
    snprintf(workers, sizeof workers, "%u", c->workers);
    snprintf(work, sizeof work, "%llu", (unsigned long long)(c->weak ? c->work * c->workers : c->work));
    snprintf(size, sizeof size, "%lld", (long long)c->workload->unit_size);
    snprintf(interval, sizeof interval, "%.9f", (double)c->gil.interval_ns / 1e9);
    snprintf(latency, sizeof latency, "%.9f", (double)c->io_latency_ns / 1e9);
    /* -I: no environment variable, user site or current folder reaches it;
     * -B: no bytecode written; -c: the runner and gilsim's module come on
     * the command line, so nothing is written anywhere; "--": the program's
     * name is a name, whatever it begins with. */
    char *argv[] = {python, "-I", "-B", "-c", (char *)python_file("vs_python"), "--gilsim-module",
                    (char *)python_file("gilsim"), "--mode", (char *)gs_mode_names[c->mode], "--workers", workers,
                    "--work", work, "--unit-size", size, "--switch-interval", interval, "--io-latency", latency,
                    "--no-baseline", "--", (char *)program, NULL};
    if (e->have_baseline) /* python3 runs its 1-worker run too: without the flag */
        memmove(&argv[19], &argv[20], 3 * sizeof *argv);
    /* python3 is slower than gilsim, 10x on a countdown: 50x gilsim's
     * runs, and at least 30 s, or twice a --timeout */
    double gilsim_s = e->summaries[e->median].wall_s + (e->have_baseline ? e->base_summary.wall_s : 0);
    int limit_s = c->timeout_ns ? (int)(2 * c->timeout_ns / 1000000000u) + 1 : (int)(50 * gilsim_s) + 30;
    fprintf(stderr, "Running the same file under python3 (%s; it gets %d s)...\n", module[c->mode], limit_s);
    bool killed;
    char *text = output_of(argv, limit_s * 1000, &killed);
    json_error_t jerr;
    json_t *doc = text ? json_loads(text, 0, &jerr) : NULL;
    free(text);
    if (!doc && killed) {
        if (gs_run_stopping())
            fprintf(stderr, "gilsim: --vs-python: python3 was stopped by the interrupt\n");
        else
            fprintf(stderr, "gilsim: --vs-python: python3 did not finish %s within %d s and was stopped "
                            "(in Python a deadlock waits forever)\n", program, limit_s);
        return -1;
    }
    if (!doc) {
        fprintf(stderr, "gilsim: --vs-python: python3 could not run %s (its messages are above)\n", program);
        return -1;
    }
    double base = json_real_value(json_object_get(doc, "base_s")), wall = json_real_value(json_object_get(doc, "wall_s"));
    /* How far into each python3 run its last worker began its share: its
     * threads wait at a gate until all exist, as gilsim's do, its processes
     * and tasks start as made; past STARTING_MAX of a wall, its figures are
     * mostly starting them (2 threads of a 20-unit sum: 86% to 90%). */
    double starting = json_real_value(json_object_get(doc, "start_s")) / (wall > 0 ? wall : 1),
           base_starting = e->have_baseline ? json_real_value(json_object_get(doc, "base_start_s")) / (base > 0 ? base : 1) : 0;
    double worst = starting > base_starting ? starting : base_starting;
    bool start_bound = worst > STARTING_MAX;
    long long sum = (long long)json_integer_value(json_object_get(doc, "checksum"));
    const gs_run_summary *s = &e->summaries[e->median];
    char a[32], b[32];
    printf("\nBeside python3 %s (%s): the same file, %s, work,\n"
           "unit size, switch interval and I/O latency (every sleep lasts --io-latency):\n",
           json_string_value(json_object_get(doc, "python")), module[c->mode], gs_mode_plural[c->mode]);
    printf("  %-26s %14s %14s\n", "", c->sim ? "gilsim (virtual)" : "gilsim", "python3");
    char label[40];
    if (e->have_baseline) {
        snprintf(label, sizeof label, "wall, 1 %s", gs_mode_singular[c->mode]);
        printf("  %-26s %14s %14s\n", label, gs_fmt_ns(e->base_summary.wall_s * 1e9, a), gs_fmt_ns(base * 1e9, b));
    }
    snprintf(label, sizeof label, "wall, %u %s", c->workers,
             c->workers == 1 ? gs_mode_singular[c->mode] : gs_mode_plural[c->mode]);
    printf("  %-26s %14s %14s\n", label, gs_fmt_ns(s->wall_s * 1e9, a), gs_fmt_ns(wall * 1e9, b));
    if (e->have_baseline)
        printf("  %-26s %13.2fx %13.2f%c\n", "speedup", e->speedup, wall > 0 ? base / wall : 0,
               start_bound ? '?' : 'x');
    printf("  %-26s %14lld %14lld%s\n", "checksum", (long long)s->checksum, sum, s->checksum == sum ? " (the same)" : " (DIFFERENT)");
    if (gs_held_applies(gs_lock_scope_of(c)))
        printf("  %-26s %13.1f%% %14s\n", "lock held", 100 * s->held_fraction, "-");
    if (s->lock.wait.count)
        printf("  %-26s %14s %14s\n", "lock wait p99", gs_fmt_ns((double)gs_hist_percentile(&s->lock.wait, 99), a), "-");
    printf("(CPython keeps no lock figures; gilsim's are measured as its report says.)\n");
    if (start_bound) {
        char said[256];
        unsigned n = starting >= base_starting ? c->workers : 1;
        snprintf(said, sizeof said, "python3's last %s began its share %.0f%% of the way into its %u-%s run, so "
                 "its %s more about starting %s than about the lock: give more --work.",
                 gs_mode_singular[c->mode], 100 * worst, n, gs_mode_singular[c->mode],
                 e->have_baseline ? "speedup and walls say" : "wall says", n == 1 ? "it" : "them");
        gs_wrap(stdout, "", said);
    }
    json_decref(doc);
    return s->checksum == sum ? 0 : -1;
}
