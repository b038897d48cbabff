/* test_demos.c - every classroom demonstration, from the command line:
 * it runs end to end, names the figures its conclusion rests on (whatever
 * way they went: test_conclusions.c checks the words), fits 80 columns,
 * and writes the plot and the trace it offers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli_helpers.h"

static const char *const demo_names[] = {"threads-vs-processes", "io-bound", "three-ways", "convoy",
                                         "switch-interval", "legacy-battle", "async", "free-threading", "race",
                                         "native", NULL};
#include "testdir.h"

/* text with each run of spaces one space, so that a table's row is
 * found however wide its columns came out */
static const char *squeezed(const char *text)
{
    static char one[1 << 16];
    size_t o = 0;
    for (const char *p = text; *p && o < sizeof one - 1; p++)
        if (*p != ' ' || o == 0 || one[o - 1] != ' ')
            one[o++] = *p;
    one[o] = '\0';
    return one;
}

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

/* Every demonstration runs on a modelled machine too, says so first, and
 * prints the same thing twice for a seed; the sweeps go up to the
 * modelled cores. */
static void test_every_demo_in_virtual_time(void **state)
{
    (void)state;
    for (size_t i = 0; demo_names[i]; i++) {
        char args[160], *out, first[8192];
        snprintf(args, sizeof args, "demo %s --quick --sim --cores 16 --seed 3", demo_names[i]);
        char *err;
        int rc = run(args, &err, &out);
        if (rc != 0)
            fail_msg("gilsim %s: exit %d: %s", args, rc, err);
        assert_non_null(strstr(out, "On a modelled 16-core machine, in virtual time (seed 3)"));
        assert_non_null(strstr(out, "What it means:"));
        assert_fits_80(args, out);
        if (GS_SANITIZE[0]) /* the same bytes twice is a property of the code, not of the build: */
            continue;       /* sanitizer builds, ten times slower, run each demo once */
        snprintf(first, sizeof first, "%s", out);
        assert_int_equal(run(args, NULL, &out), 0);
        assert_string_equal(first, out);
    }
    char *out;
    assert_int_equal(run("demo threads-vs-processes --quick --sim --cores 16", NULL, &out), 0);
    assert_non_null(strstr(squeezed(out), "processes countdown 16 "));
    char *err;
    /* --cores means what it means for a run: in real time, pinned */
    assert_int_equal(run("demo convoy --cores 999", &err, NULL), 2);
    assert_non_null(strstr(err, "--cores: '999' is more than"));
    assert_int_equal(run("demo convoy --quick --cores 1", NULL, &out), 0);
    assert_non_null(strstr(out, "Every run pinned to 1 of this machine's cores (--cores 1)."));
}

/* In virtual time every demonstration is true to itself on 2 and on 16
 * modelled cores: no sentence for real runs only ("real runs vary"), none
 * about something that happened 0 times, the counts its introduction names
 * are the counts it runs, and --cores bounds the cores it models. */
/* Every figure a conclusion names ("7.90x as fast", "22.5%") is one of its
 * own table's, as printed above "What it means:"; returns the first that
 * is not, or NULL. */
static const char *unprinted_figure(const char *out)
{
    const char *means = strstr(out, "What it means:");
    static char figure[32];
    for (const char *p = means; p && *p; p++) {
        if (!(p[0] >= '0' && p[0] <= '9') || (p > means && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.')))
            continue;
        int len = 0;
        double v;
        if (sscanf(p, "%lf%n", &v, &len) != 1 || len >= (int)sizeof figure - 4)
            continue;
        const char *dot = memchr(p, '.', (size_t)len);
        int decimals = dot ? (int)(p + len - dot - 1) : 0;
        bool fast = decimals == 2 && strncmp(p + len, "x as fast", 9) == 0;
        bool share = decimals == 1 && p[len] == '%';
        if (!fast && !share)
            continue;
        snprintf(figure, sizeof figure, "%.*s%s", len, p, fast ? "x" : "%");
        char *before = strndup(out, (size_t)(means - out));
        bool found = before && strstr(before, figure);
        free(before);
        if (!found)
            return figure;
    }
    return NULL;
}

/* Each demonstration in virtual time on 2 and 16 modelled cores: it
 * concludes, every figure its conclusions name is one its table printed,
 * its introduction names what it runs, and it runs nothing beyond the
 * machine (legacy-battle's cores). */
static void test_demos_true_in_virtual_time(void **state)
{
    (void)state;
    static const unsigned cores[] = {2, 16};
    for (size_t c = 0; c < 2; c++)
        for (const char *const *d = demo_names; *d; d++) {
            char args[160], *out;
            snprintf(args, sizeof args, "demo %s --quick --sim --cores %u", *d, cores[c]);
            assert_int_equal(run(args, NULL, &out), 0);
            if (!strstr(out, "What it means:") || strstr(out, "real runs vary") || strstr(out, "(0 time"))
                fail_msg("gilsim %s:\n%s", args, out);
            const char *figure = unprinted_figure(out);
            if (figure)
                fail_msg("gilsim %s: a conclusion names %s, which its table does not show:\n%s", args, figure, out);
            char top[64];
            snprintf(top, sizeof top, " and %u threads", cores[c]);
            bool scaling = strcmp(*d, "io-bound") == 0 || strcmp(*d, "native") == 0 ||
                           strcmp(*d, "free-threading") == 0;
            if (scaling && !strstr(squeezed(out), top))
                fail_msg("gilsim %s: the introduction does not name %u threads:\n%s", args, cores[c], out);
            if (strcmp(*d, "legacy-battle") == 0 && cores[c] == 2 &&
                (strstr(squeezed(out), "legacy 4 ") || !strstr(squeezed(out), "2 threads on 1 and 2 cores")))
                fail_msg("gilsim %s modelled 4 cores, or says it does:\n%s", args, out);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_demo_quick),
        cmocka_unit_test(test_demo_plot_and_trace),
        cmocka_unit_test(test_every_demo_in_virtual_time),
        cmocka_unit_test(test_demos_true_in_virtual_time),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
