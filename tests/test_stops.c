/* test_stops.c - no process outlives gilsim, and a stop stops (issue
 * "Untrusted names and programs"; the rest of it is test_security.c's):
 * python3 beside --vs-python ends with gilsim however gilsim ends, a
 * timeout or a signal ends a run's I/O waits at once and exits 128 + the
 * signal, Ctrl-C writes what finished and leaves no child, and a run
 * that needs more threads than ulimit -u allows is refused before it
 * starts.  gilsim runs from argv, in the test's private folder. */
#include <dirent.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cli_helpers.h"
#include "testdir.h"

/* Whether a process other than gilsim runs with marker in its command line. */
static int processes_with(const char *marker)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], line[8192];
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        FILE *f = fopen(path, "rb");
        size_t len = f ? fread(line, 1, sizeof line - 1, f) : 0;
        if (f)
            fclose(f);
        for (size_t i = 0; i < len; i++)
            line[i] = line[i] ? line[i] : ' ';
        line[len] = '\0';
        n += strstr(line, marker) && strstr(line, "python") != NULL;
    }
    closedir(d);
    return n;
}

static bool three_pythons(const void *marker) { return processes_with(marker) >= 3; }

static bool no_python(const void *marker) { return processes_with(marker) == 0; }

/* --vs-python leaves nothing behind: no folder, no bytecode, and no
 * python3 (nor its children) once gilsim is gone, however it went. */
static void test_vs_python_leaves_nothing(void **state)
{
    (void)state;
    if (!have_python3())
        skip();
    write_file("-h.py", countdown_py, strlen(countdown_py));
    const char *dash[] = {GS_GILSIM, "--threads", "2", "--work", "4", "--program", "-h.py", "--vs-python", NULL};
    char *err, *out;
    assert_int_equal(run_argv(dash, 0, 0, &err, &out), 0);
    assert_non_null(strstr(out, "(the same)"));
    assert_int_equal(system("ls -A | grep -q -e __pycache__ -e gilsim-vs-python"), 256);

    static const char spin[] = "def main(first, count, size):\n    n = 0\n    while n >= 0:\n        n += 1\n"
                               "    return n\n";
    static const int signals[] = {SIGKILL, SIGHUP, SIGTERM};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "spin-%d-%zu.py", (int)getpid(), i);
        write_file(name, spin, sizeof spin - 1);
        const char *argv[] = {GS_GILSIM, "--processes", "2", "--program", name, "--timeout", "200ms", "--vs-python",
                              "--quiet", NULL};
        pid_t gilsim = spawn_gilsim(argv);
        wait_until(three_pythons, name, "python3 and its two processes");
        kill(gilsim, signals[i]);
        int status;
        assert_int_equal(waitpid(gilsim, &status, 0), gilsim);
        if (signals[i] == SIGKILL)
            assert_true(WIFSIGNALED(status));
        else /* caught: the run stops, python3 is stopped, gilsim exits 128 + the signal */
            assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 128 + signals[i]);
        wait_until(no_python, name, "python3 and its children to end with gilsim");
    }
    assert_int_equal(system("ls -A | grep -q -e __pycache__ -e gilsim-vs-python"), 256);
}

static bool says(const void *text)
{
    FILE *f = fopen("spawned-stderr", "rb");
    char buf[4096] = "";
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    return strstr(buf, text) != NULL;
}

/* A stop (--timeout, a signal) ends a real I/O wait at once, in every
 * mode: a run of 10 s sleeps or pipe round trips stopped after 1 s lasts
 * far less than one of them.  Each signal exits 128 + its number, also
 * while gilsim waits for a FIFO's reader. */
static void test_stops_stop(void **state)
{
    (void)state;
    static const char *const modes[][2] = {{"--threads", "sleep"}, {"--processes", "sleep"}, {"--async", "pipe"},
                                           {"--threads", "pipe"}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const char *argv[] = {GS_GILSIM, modes[i][0], "2", "--io-bound", "--io", modes[i][1], "--io-latency", "10s",
                              "--timeout", "1s", "--no-baseline", "--quiet", "--json", "stopped.json", NULL};
        char *err;
        assert_int_equal(run_argv(argv, 0, 0, &err, NULL), 1);
        json_error_t jerr;
        json_t *doc = json_load_file("stopped.json", 0, &jerr);
        json_t *run = json_array_get(get(doc, "runs"), 0);
        double wall = json_real_value(get(run, "wall_s"));
        bool stopped = json_is_true(get(run, "stopped"));
        json_decref(doc);
        if (!stopped || wall >= 10)
            fail_msg("%s with %s I/O: the stop waited out the 10 s latency (%.2f s)", modes[i][0], modes[i][1], wall);
    }
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        const char *argv[] = {GS_GILSIM, "--threads", "2", "--work", "100000000", "--no-baseline", "--quiet", NULL};
        pid_t pid = spawn_gilsim(argv);
        wait_until(running_workers, &pid, "the workers to start");
        kill(pid, signals[i]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 128 + signals[i])
            fail_msg("signal %d: gilsim did not exit %d", signals[i], 128 + signals[i]);
    }
    assert_int_equal(mkfifo("nobody-reads", 0644), 0);
    const char *argv[] = {GS_GILSIM, "--threads", "2", "--work", "20", "--no-baseline", "--quiet", "--json",
                          "nobody-reads", NULL};
    pid_t pid = spawn_gilsim(argv);
    wait_until(says, "waiting for a program to read the FIFO", "gilsim to wait for the FIFO's reader");
    kill(pid, SIGINT);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 130);
}

/* Every thread of every process of this user, as ulimit -u counts them. */
static unsigned long user_tasks(void)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    unsigned long n = 0;
    char want[32], path[300], line[128];
    snprintf(want, sizeof want, "Uid:\t%u\t", (unsigned)getuid());
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        FILE *f = fopen(path, "r");
        bool mine = false;
        while (f && fgets(line, sizeof line, f)) {
            mine |= strncmp(line, want, strlen(want)) == 0;
            if (mine && strncmp(line, "Threads:", 8) == 0)
                n += strtoul(line + 8, NULL, 10);
        }
        if (f)
            fclose(f);
    }
    closedir(d);
    return n;
}

/* Threads and processes are counted against ulimit -u before any work: a
 * run that needs more than the hard limit is refused at the start, and
 * writes nothing. */
static void test_tasks_reserved(void **state)
{
    (void)state;
    unsigned long limit = user_tasks() + 50;
    char workers[32];
    snprintf(workers, sizeof workers, "%lu", limit + 10);
    if (limit + 10 > 4096)
        skip(); /* this user runs too much already for a real run past the limit */
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit few = {limit, limit};
        if (setrlimit(RLIMIT_NPROC, &few) != 0)
            _exit(125);
        const char *many[] = {GS_GILSIM, "--threads", workers, "--work", workers, "--quiet", "--json", "tasks.json", NULL};
        char *err;
        int rc = run_argv(many, 0, 0, &err, NULL);
        FILE *f = fopen("tasks-stderr", "w"); /* run_argv's copy dies with this child */
        if (!f || fputs(err, f) < 0 || fclose(f) != 0)
            _exit(125);
        _exit(rc);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    char want[128];
    snprintf(want, sizeof want, "%s threads need about", workers);
    const char *err = read_text("tasks-stderr");
    assert_non_null(strstr(err, want));
    snprintf(want, sizeof want, "this user may have %lu (see ulimit -u)", limit);
    assert_non_null(strstr(err, want));
    assert_int_equal(access("tasks.json", F_OK), -1);
}

/* How many children process pid has now. */
static int children_of(pid_t pid)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    int count = 0;
    for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
        count++;
    return count;
}

/* Starts gilsim with args in the background; once it has `children`
 * child processes (0: at once), waits delay_ms more, interrupts it with
 * SIGINT, and returns its exit status (-1 unless it exited itself). */
static int interrupt_when(const char *args, int children, int delay_ms)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "exec %s %s >/dev/null 2>&1", GS_GILSIM, args);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 1200 && children_of(pid) < children; i++) /* a minute at most */
        poll(NULL, 0, 50);
    poll(NULL, 0, delay_ms);
    kill(pid, SIGINT);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Ctrl-C: the run stops, what finished is written whole and marked, the
 * exit status says so, and no child process is left. */
static void test_interrupt_writes_what_finished(void **state)
{
    (void)state;
    /* every point sleeps 1 s, whatever the build: about two finish */
    const char *sleeper = "sleeper.gsa", *once = ".func main 2\n push 0\n io sleep\n ret\n.end\n";
    write_file(sleeper, once, strlen(once));
    unlink("int.csv");
    unlink("int.json");
    assert_int_equal(interrupt_when("sweep --quiet --modes threads,async --program sleeper.gsa "
                                    "--io-latency 1s --work-per-worker 1 --repeat 1 "
                                    "--csv int.csv --json int.json", 0, 2500),
                     130);
    unlink(sleeper);
    json_error_t jerr;
    json_t *doc = json_load_file("int.json", 0, &jerr);
    assert_non_null(doc);
    assert_true(json_is_true(get(doc, "interrupted")));
    size_t points = json_array_size(get(doc, "points"));
    assert_true(points >= 1 && points < 8);
    json_decref(doc);
    FILE *f = fopen("int.csv", "r");
    assert_non_null(f);
    char line[4096];
    size_t rows = 0;
    while (fgets(line, sizeof line, f))
        rows++;
    fclose(f);
    assert_int_equal(rows, points + 1);

    /* named after this test's process, so that pgrep finds no other suite's */
    char prog[64], args[256], pattern[128];
    const char *text = ".func main 0\nloop:\n jmp loop\n.end\n";
    snprintf(prog, sizeof prog, "endless-%ld.gsa", (long)getpid());
    write_file(prog, text, strlen(text));
    unlink("int.json");
    snprintf(args, sizeof args, "--processes 3 --program %s --no-baseline --quiet --json int.json", prog);
    assert_int_equal(interrupt_when(args, 3, 0), 130); /* once the three processes run */
    doc = json_load_file("int.json", 0, &jerr);
    assert_non_null(doc);
    json_t *run0 = json_array_get(get(doc, "runs"), 0);
    assert_true(json_is_true(get(run0, "stopped")));
    assert_int_equal(json_integer_value(get(run0, "failed")), 3);
    assert_string_equal(json_string_value(get(json_array_get(get(run0, "per_worker"), 0), "error")), "interrupted");
    json_decref(doc);
    snprintf(pattern, sizeof pattern, "pgrep -f 'endless-%ld[.]gsa' >/dev/null", (long)getpid());
    assert_int_equal(system(pattern), 256); /* no child left running */
    unlink(prog);
    unlink("int.csv");
    unlink("int.json");
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vs_python_leaves_nothing),
        cmocka_unit_test(test_stops_stop),
        cmocka_unit_test(test_interrupt_writes_what_finished),
        cmocka_unit_test(test_tasks_reserved),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
