/* vs_python.c - `gilsim --program FILE.py --vs-python`: the same workload
 * under real python3, beside gilsim's figures.
 *
 * python/vs_python.py (compiled into gilsim, with python/gilsim.py, and
 * written to a private folder for the run) runs the file with threading,
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
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "../reports/report.h"
#include "../workloads/embedded.h"
#include "vs_python.h"

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

/* Writes the embedded python/ files into dir.  Returns 0, or -1. */
static int write_runner(const char *dir)
{
    for (const gs_embedded_program *f = gs_embedded_python; f->name; f++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.py", dir, f->name);
        FILE *out = fopen(path, "w");
        if (!out || fputs(f->text, out) < 0 || fclose(out) != 0)
            return -1;
    }
    return 0;
}

/* Runs argv in a process group of its own, returning what it printed
 * (malloc'd), or NULL.  Past limit_ms, or once gilsim is interrupted, the
 * group is killed (*killed says so): a Python program that deadlocks waits
 * forever, and multiprocessing's children with it. */
static char *output_of(char *const argv[], int limit_ms, bool *killed)
{
    int fds[2];
    *killed = false;
    if (pipe(fds) != 0)
        return NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0)
        setpgid(pid, pid); /* before the poll below, whichever of the two runs first */
    close(fds[1]);
    size_t len = 0, cap = 4096;
    char *text = pid > 0 ? malloc(cap) : NULL;
    ssize_t n;
    for (int waited_ms = 0; text;) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int ready = poll(&p, 1, 100);
        if (ready <= 0) {
            waited_ms += ready == 0 ? 100 : 0;
            if (!*killed && (waited_ms >= limit_ms || gs_run_stopping())) {
                kill(-pid, SIGKILL);
                *killed = true;
            }
            continue;
        }
        if ((n = read(fds[0], text + len, cap - len - 1)) == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        len += (size_t)n;
        if (len + 1 == cap) {
            char *more = realloc(text, cap *= 2);
            if (!more)
                break;
            text = more;
        }
    }
    close(fds[0]);
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (!text || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        free(text);
        return NULL;
    }
    text[len] = '\0';
    return text;
}

static void remove_runner(const char *dir)
{
    for (const gs_embedded_program *f = gs_embedded_python; f->name; f++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.py", dir, f->name);
        unlink(path);
        snprintf(path, sizeof path, "%s/__pycache__", dir);
        rmdir(path); /* when python3 wrote no cache there, nothing to do */
    }
    rmdir(dir);
}

int gs_vs_python(const char *program, const gs_experiment *e)
{
    static const char *const module[GS_MODE_COUNT] = {"threading", "multiprocessing", "asyncio"};
    char python[4096], dir[4096];
    if (!gs_vs_python_available(python)) {
        fprintf(stderr, "gilsim: --vs-python needs python3, which is not on PATH (apt-get install python3)\n");
        return -1;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/gilsim-vs-python-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir) || write_runner(dir) != 0) {
        fprintf(stderr, "gilsim: --vs-python: cannot write its runner in %s: %s\n", dir, strerror(errno));
        return -1;
    }
    const gs_run_config *c = &e->cfg;
    char runner[4200], workers[32], work[32], size[32], interval[64], latency[64];
    snprintf(runner, sizeof runner, "%s/vs_python.py", dir);
    snprintf(workers, sizeof workers, "%u", c->workers);
    snprintf(work, sizeof work, "%llu", (unsigned long long)(c->weak ? c->work * c->workers : c->work));
    snprintf(size, sizeof size, "%lld", (long long)c->workload->unit_size);
    snprintf(interval, sizeof interval, "%.9f", (double)c->gil.interval_ns / 1e9);
    snprintf(latency, sizeof latency, "%.9f", (double)c->io_latency_ns / 1e9);
    char *const argv[] = {python,   runner,  (char *)program, "--mode",  (char *)gs_mode_names[c->mode],
                          "--workers", workers, "--work", work, "--unit-size", size, "--switch-interval", interval,
                          "--io-latency", latency, e->have_baseline ? NULL : "--no-baseline", NULL};
    /* python3 is slower than gilsim, 10x on a countdown: 50x gilsim's
     * runs, and at least 30 s, or twice a --timeout */
    double gilsim_s = e->summaries[e->median].wall_s + (e->have_baseline ? e->base_summary.wall_s : 0);
    int limit_s = c->timeout_ns ? (int)(2 * c->timeout_ns / 1000000000u) + 1 : (int)(50 * gilsim_s) + 30;
    fprintf(stderr, "Running the same file under python3 (%s; it gets %d s)...\n", module[c->mode], limit_s);
    bool killed;
    char *text = output_of(argv, limit_s * 1000, &killed);
    remove_runner(dir);
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
    long long sum = (long long)json_integer_value(json_object_get(doc, "checksum"));
    const gs_run_summary *s = &e->summaries[e->median];
    char a[32], b[32];
    printf("\nBeside python3 %s (%s): the same file, %s, work,\n"
           "unit size, switch interval and I/O latency (every sleep lasts --io-latency):\n",
           json_string_value(json_object_get(doc, "python")), module[c->mode], gs_mode_plural[c->mode]);
    printf("  %-26s %14s %14s\n", "", c->sim ? "gilsim (virtual)" : "gilsim", "python3");
    if (e->have_baseline)
        printf("  %-26s %14s %14s\n", c->mode == GS_MODE_ASYNC ? "wall, 1 task" : c->mode == GS_MODE_PROCESSES
                                                                                    ? "wall, 1 process" : "wall, 1 thread",
               gs_fmt_ns(e->base_summary.wall_s * 1e9, a), gs_fmt_ns(base * 1e9, b));
    char label[40];
    snprintf(label, sizeof label, "wall, %u %s", c->workers, gs_mode_plural[c->mode]);
    printf("  %-26s %14s %14s\n", label, gs_fmt_ns(s->wall_s * 1e9, a), gs_fmt_ns(wall * 1e9, b));
    if (e->have_baseline)
        printf("  %-26s %13.2fx %13.2fx\n", "speedup", e->speedup, wall > 0 ? base / wall : 0);
    printf("  %-26s %14lld %14lld%s\n", "checksum", (long long)s->checksum, sum, s->checksum == sum ? " (the same)" : " (DIFFERENT)");
    if (gs_held_applies(gs_lock_scope_of(c)))
        printf("  %-26s %13.1f%% %14s\n", "lock held", 100 * s->held_fraction, "-");
    if (s->lock.wait.count)
        printf("  %-26s %14s %14s\n", "lock wait p99", gs_fmt_ns((double)gs_hist_percentile(&s->lock.wait, 99), a), "-");
    printf("(CPython keeps no lock figures; gilsim's are measured as its report says.)\n");
    json_decref(doc);
    return s->checksum == sum ? 0 : -1;
}
