/* test_newcomer.c - what a newcomer tripped over (issue "What a newcomer
 * trips over"), each point as the user met it: the command, and what they
 * should see instead.  Terminal behaviour (colour, escape sequences) is
 * checked on a real pseudo-terminal. */
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_helpers.h"
#include "testdir.h"

static json_t *load(const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        fail_msg("%s: not JSON: %s", path, jerr.text);
    return doc;
}

/* 1. Without Chromium the page test skips, saying so: the README's test
 * command passes on such a machine. */
static void test_page_test_skips_without_a_browser(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "env -u GILSIM_CI GILSIM_CHROMIUM=/nonexistent %s/tests/test_html > html.out 2>&1",
             GS_BINARY_DIR);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen("html.out", "r");
    char buf[8192] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "SKIPPED: no Chromium here"));
    assert_null(strstr(buf, "FAILED"));
}

/* 2. and 3. Each workload of a sweep does its own default work; in
 * virtual time a point runs once unless --repeat says, and repeats run the
 * next seeds, so their spread means something. */
static void test_sweep_work_and_repeats(void **state)
{
    (void)state;
    assert_int_equal(run("sweep --sim --workloads countdown,io-bound --workers 1,2 --modes threads --quiet "
                         "--json w.json", NULL, NULL), 0);
    json_t *doc = load("w.json");
    json_t *points = get(doc, "points");
    assert_int_equal(json_array_size(points), 4);
    assert_string_equal(json_string_value(get(json_array_get(points, 0), "workload")), "countdown");
    assert_int_equal(json_integer_value(get(json_array_get(points, 0), "work")), 5000);
    assert_string_equal(json_string_value(get(json_array_get(points, 2), "workload")), "io-bound");
    assert_int_equal(json_integer_value(get(json_array_get(points, 2), "work")), 250);
    assert_int_equal(json_integer_value(get(json_array_get(points, 0), "runs")), 1);
    assert_int_equal(json_integer_value(get(doc, "config.repeat")), 1);
    json_decref(doc);

    assert_int_equal(run("sweep --sim --workloads io-bound --workers 2 --modes threads --repeat 3 --quiet "
                         "--json r.json", NULL, NULL), 0);
    doc = load("r.json");
    json_t *p = json_array_get(get(doc, "points"), 0);
    assert_int_equal(json_integer_value(get(p, "runs")), 3);
    assert_true(json_real_value(get(p, "wall_min_s")) < json_real_value(get(p, "wall_max_s")));
    json_decref(doc);
}

/* 4. and 5. A program's defaults: about a second's work for one worker,
 * its own unit size (from its __main__ block) and I/O latency (what its
 * sleeps ask for), each named in the report. */
static void test_program_defaults_said(void **state)
{
    (void)state;
    char args[512], *out;
    snprintf(args, sizeof args, "--threads 2 --program %s/examples/countdown.py --json c.json", GS_SOURCE_DIR);
    assert_int_equal(run(args, NULL, &out), 0);
    assert_non_null(strstr(unwrapped(out), "about a second's worth for one worker"));
    assert_non_null(strstr(unwrapped(out), "unit size 100000 (the program's own)"));
    json_t *doc = load("c.json");
    assert_int_equal(json_integer_value(get(doc, "config.unit_size")), 100000);
    assert_true(json_integer_value(get(doc, "config.work")) > 10);
    json_decref(doc);

    static const char sleeper[] = "import time\n\ndef main(first, units, size):\n    for i in range(units):\n"
                                  "        time.sleep(0.004)\n    return units\n";
    write_file("sleeper.py", sleeper, sizeof sleeper - 1);
    assert_int_equal(run("--threads 2 --program sleeper.py --work 20 --json s.json", NULL, &out), 0);
    assert_non_null(strstr(unwrapped(out), "I/O latency 4.00 ms (what every time.sleep in the program asks for)"));
    assert_non_null(strstr(unwrapped(out), "unit size 0 (none given: --unit-size N)"));
    doc = load("s.json");
    assert_int_equal(json_integer_value(get(doc, "config.io_latency_ns")), 4000000);
    json_decref(doc);
    assert_int_equal(run("--threads 2 --program sleeper.py --work 20 --io-latency 1ms --json s.json", NULL, &out), 0);
    assert_non_null(strstr(unwrapped(out), "every time.sleep lasts it, whatever it asks"));
}

/* 6. and 14. A stopped run says what ran: its instructions, and how many
 * workers finished their share, with no speedup for work left undone. */
static void test_stopped_run_says_what_ran(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("--threads 4 --cpu-bound --work 200000 --no-baseline --timeout 300ms", NULL, &out), 1);
    assert_non_null(strstr(out, "4 threads were stopped by --timeout after"));
    assert_non_null(strstr(unwrapped(out), "million instructions; 0 of 4 finished their share of the 200000"));
    assert_null(strstr(out, "did 0 units"));
    assert_int_equal(run("--threads 2 --cpu-bound --work 200000 --timeout 300ms", NULL, &out), 1);
    assert_null(strstr(out, "speedup"));
}

/* 7. and 8. Words that say what applies: file I/O has no --io-latency,
 * and --timeline cannot share standard output with a file. */
static void test_io_words_and_timeline(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(run("--threads 2 --io-bound --io file --work 40 --no-baseline", NULL, &out), 0);
    assert_non_null(strstr(out, "file reads as long as the page cache takes"));
    assert_null(strstr(out, "I/O latency"));
    assert_int_equal(run("--threads 2 --work 10 --json - --timeline", &err, NULL), 2);
    assert_non_null(strstr(err, "--timeline draws on standard output"));
    assert_int_equal(run("--threads 2 --work 10 --quiet --timeline", NULL, &out), 0);
    assert_true(strncmp(out, "who held the lock when", 22) == 0); /* no blank line first */
    assert_non_null(strstr(out, "(blank) not started yet, or finished"));
}

/* 9. A sweep's files say how to run it again. */
static void test_sweep_files_record_the_run(void **state)
{
    (void)state;
    assert_int_equal(run("sweep --sim --seed 7 --cores 4 --workloads io-bound --io pipe --io-latency 2ms --gil legacy "
                         "--check-interval 3000 --workers 1,2 --modes threads --quiet --json r.json --csv r.csv",
                         NULL, NULL), 0);
    json_t *doc = load("r.json");
    assert_int_equal(json_integer_value(get(doc, "config.io_latency_ns")), 2000000);
    assert_int_equal(json_integer_value(get(doc, "config.check_interval")), 3000);
    assert_int_equal(json_integer_value(get(doc, "config.cores")), 4);
    assert_int_equal(json_integer_value(get(doc, "config.model.seed")), 7);
    assert_string_equal(json_string_value(get(doc, "config.gil")), "legacy");
    json_t *cmd = get(doc, "command");
    assert_string_equal(json_string_value(json_array_get(cmd, 0)), "gilsim");
    assert_string_equal(json_string_value(json_array_get(cmd, 1)), "sweep");
    for (size_t i = 0; i < json_array_size(cmd); i++) /* where it was written is not how it was made */
        assert_string_not_equal(json_string_value(json_array_get(cmd, i)), "--json");
    json_t *p = json_array_get(get(doc, "points"), 0);
    assert_string_equal(json_string_value(get(p, "io")), "pipe");
    assert_int_equal(json_integer_value(get(p, "io_latency_ns")), 2000000);
    assert_int_equal(json_integer_value(get(p, "seed")), 7);
    assert_int_equal(json_integer_value(get(p, "work")), 250);
    json_decref(doc);
    assert_true(file_starts_with("r.csv", "mode,workload,work,unit_size,io,io_latency_ns,", 44));
}

/* 10. Under taskset, the words count the cores gilsim may use. */
static void test_affinity_in_the_words(void **state)
{
    (void)state;
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || system("command -v taskset >/dev/null") != 0)
        skip();
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "taskset -c 0 %s --threads 2 --work 200 --json aff.json > aff.out", GS_GILSIM);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen("aff.out", "r");
    char buf[4096] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "on 1 of this machine's"));
    assert_non_null(strstr(unwrapped(buf), "cores (its CPU affinity)"));
    json_t *doc = load("aff.json");
    assert_int_equal(json_integer_value(get(doc, "host.cores_allowed")), 1);
    json_decref(doc);
}

/* Runs gilsim with args on a pseudo-terminal, with env set first (NAME=
 * VALUE, or NAME alone to unset it); returns what the terminal showed. */
static char *on_terminal(const char *args, const char *const env[])
{
    static char shown[1 << 16];
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        for (size_t i = 0; env[i]; i++) {
            const char *eq = strchr(env[i], '=');
            if (eq) {
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)(eq - env[i]), env[i]);
                setenv(name, eq + 1, 1);
            } else {
                unsetenv(env[i]);
            }
        }
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "exec %s %s", GS_GILSIM, args);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    size_t len = 0;
    for (;;) {
        ssize_t n = read(master, shown + len, sizeof shown - 1 - len);
        if (n <= 0)
            break; /* EIO once the child is gone */
        len += (size_t)n;
    }
    shown[len] = '\0';
    close(master);
    int status;
    waitpid(pid, &status, 0);
    return shown;
}

/* 11. Colour: NO_COLOR set and not empty turns it off, empty does not;
 * a dumb terminal gets no escape sequence at all, the progress bar's
 * neither. */
static void test_colour_and_dumb_terminals(void **state)
{
    (void)state;
    const char *args = "--threads 2 --work 400";
    static const char *const xterm[] = {"TERM=xterm", "NO_COLOR", NULL};
    static const char *const empty[] = {"TERM=xterm", "NO_COLOR=", NULL};
    static const char *const none[] = {"TERM=xterm", "NO_COLOR=1", NULL};
    static const char *const dumb[] = {"TERM=dumb", "NO_COLOR", NULL};
    assert_non_null(strstr(on_terminal(args, xterm), "\033[1m"));
    assert_non_null(strstr(on_terminal(args, empty), "\033[1m"));
    assert_null(strstr(on_terminal(args, none), "\033[1m")); /* no colour; the progress bar may erase */
    assert_null(strchr(on_terminal("sweep --workers 1,2 --work 400 --repeat 1", dumb), '\033'));
}

/* 12. -h and -V, as the long options. */
static void test_short_options(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("-h", NULL, &out), 0);
    assert_non_null(strstr(out, "usage: gilsim [run]"));
    assert_int_equal(run("-V", NULL, &out), 0);
    assert_true(strncmp(out, "gilsim ", 7) == 0);
    assert_int_equal(run("sweep -h", NULL, &out), 0);
    assert_non_null(strstr(out, "usage: gilsim sweep"));
    assert_int_equal(run("demo -h", NULL, &out), 0);
    assert_non_null(strstr(out, "Demonstrations:"));
}

/* 14. Messages: a failure reaches standard error whatever hides the
 * report; counts agree with their nouns; I/O-bound processes are
 * explained by their I/O; a command after the options is named; the
 * trace says which run it holds. */
static void test_messages(void **state)
{
    (void)state;
    static const char failing[] = "def main(first, units, size):\n    if first > 0:\n        return 1 // 0\n"
                                  "    return units\n";
    write_file("failing.py", failing, sizeof failing - 1);
    char *err, *out;
    assert_int_equal(run("--threads 2 --program failing.py --work 2 --quiet", &err, NULL), 1);
    assert_non_null(strstr(err, "gilsim: thread 1 failed: division by zero"));
    assert_int_equal(run("--threads 2 --program failing.py --work 2 --json -", &err, NULL), 1);
    assert_non_null(strstr(err, "gilsim: thread 1 failed: division by zero"));

    static const char once[] = "def main(first, units, size):\n    return units\n";
    write_file("once.py", once, sizeof once - 1);
    assert_int_equal(run("--threads 1 --program once.py --work 1 --no-baseline", NULL, &out), 0);
    assert_non_null(strstr(out, "1 unit in"));
    assert_null(strstr(out, " 1 units ")); /* "1 units/s" is a rate's unit, not a count's noun */
    assert_non_null(strstr(out, "1 take ("));

    assert_int_equal(run("--sim --processes 2 --io-bound --work 40", NULL, &out), 0);
    assert_non_null(strstr(unwrapped(out), "of its time in I/O, which needs no core"));

    assert_int_equal(run("--sim demo convoy", &err, NULL), 2);
    assert_non_null(strstr(err, "'demo' is a command: it comes first"));

    assert_int_equal(run("demo legacy-battle --sim --quick --trace lb.json", NULL, &out), 0);
    assert_non_null(strstr(unwrapped(out), "The trace holds the run of 2 threads under the legacy lock on"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_test_skips_without_a_browser),
        cmocka_unit_test(test_sweep_work_and_repeats),
        cmocka_unit_test(test_program_defaults_said),
        cmocka_unit_test(test_stopped_run_says_what_ran),
        cmocka_unit_test(test_io_words_and_timeline),
        cmocka_unit_test(test_sweep_files_record_the_run),
        cmocka_unit_test(test_affinity_in_the_words),
        cmocka_unit_test(test_colour_and_dumb_terminals),
        cmocka_unit_test(test_short_options),
        cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
