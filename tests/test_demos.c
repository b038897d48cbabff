/* test_demos.c - every classroom demonstration, from the command line, in
 * real time: it runs end to end, names the figures its conclusion rests on
 * (whatever way they went: test_conclusions.c checks the words), fits 80
 * columns, and writes the plot and the trace it offers; in virtual time,
 * test_demos_virtual.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli_helpers.h"
#include "testdir.h"

/* Every demonstration runs end to end and names the figures its
 * conclusion rests on; on a machine its checks find busy (CI runs this
 * beside a process hogging a core) it draws no conclusion and says how to
 * get one instead. */
static void test_every_demo_quick(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *figures[3];
    } demos[] = {
        {"threads-vs-processes", {"threads countdown", "processes countdown", "processes were"}},
        {"io-bound", {"threads io-bound", "threads were", "lock was held"}},
        {"three-ways", {"processes", "sending data home", "asyncio's answer for computing"}},
        {"convoy", {"I/O thread ops/s", "Beside one CPU-bound thread the I/O thread", "than alone ("}},
        {"switch-interval", {"switches/s", "I/O thread latency p50", "The default, 5 ms"}},
        {"legacy-battle", {"legacy", "cpython", "2 threads vs 1"}},
        {"async", {"loop lag p99", "8 I/O-bound tasks were", "timers"}},
        {"free-threading", {"interpreters", "adding to one shared variable", "counter += 1"}},
    };
    char *out;
    assert_int_equal(run("demo", NULL, &out), 0);
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++)
        assert_non_null(strstr(out, demos[i].name));
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++) {
        char args[128];
        snprintf(args, sizeof args, "demo %s --quick", demos[i].name);
        char *err;
        int rc = run(args, &err, &out);
        if (rc != 0)
            fail_msg("gilsim %s: exit %d: %s", args, rc, err);
        assert_fits_80(args, out);
        if (strstr(out, "No conclusion: ")) { /* its own checks rejected a figure */
            char again[128];
            snprintf(again, sizeof again, "gilsim demo %s --sim", demos[i].name);
            assert_non_null(strstr(out, again));
            assert_null(strstr(out, "What it means:"));
            continue;
        }
        assert_non_null(strstr(out, "What it means:"));
        for (int k = 0; k < 3; k++)
            if (!strstr(squeezed(out), demos[i].figures[k]))
                fail_msg("gilsim %s: no '%s' in:\n%s", args, demos[i].figures[k], out);
    }
}

static void test_demo_plot_and_trace(void **state)
{
    (void)state;
    assert_int_equal(system("rm -rf demo && mkdir demo"), 0);
    char *out;
    assert_int_equal(run("demo threads-vs-processes --quick --plot demo/tvp.png", NULL, &out), 0);
    assert_true(file_starts_with("demo/tvp.png", "\x89PNG", 4));
    assert_int_equal(run("demo convoy --quick --trace demo/convoy.json", NULL, &out), 0);
    json_error_t jerr;
    json_t *doc = json_load_file("demo/convoy.json", 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(get(doc, "otherData.workers")), 3); /* the I/O thread and 2 CPU threads */
    json_decref(doc);
    assert_int_equal(system("rm -rf demo"), 0);
}

/* --cores means for a demonstration what it means for a run: in real
 * time, every run pinned to that many of this machine's cores. */
static void test_demo_cores_pin(void **state)
{
    (void)state;
    char *err, *out;
    assert_int_equal(run("demo convoy --cores 999", &err, NULL), 2);
    assert_non_null(strstr(err, "--cores: '999' is more than"));
    assert_int_equal(run("demo convoy --quick --cores 1", NULL, &out), 0);
    assert_non_null(strstr(out, "Every run pinned to 1 of this machine's cores (--cores 1)."));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_demo_quick),
        cmocka_unit_test(test_demo_plot_and_trace),
        cmocka_unit_test(test_demo_cores_pin),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
