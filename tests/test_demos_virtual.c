/* test_demos_virtual.c - every classroom demonstration in virtual time,
 * from the command line: it says it is the model's, prints the same bytes
 * twice for a seed, and on 2 and 16 modelled cores concludes only from
 * figures its own table printed (real time: test_demos.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_helpers.h"
#include "testdir.h"

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
}

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

/* Each demonstration in virtual time on 2 and 16 modelled cores is true
 * to itself: it concludes, with no sentence for real runs only ("real
 * runs vary") and none about something that happened 0 times; every
 * figure its conclusions name is one its table printed; its introduction
 * names what it runs; and it runs nothing beyond the machine
 * (legacy-battle's cores). */
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

/* The convoy's CPU threads compute as long as the I/O thread's operations
 * take, on the model's pace: on the development VM's calibration (an
 * instruction 0.48 ns), units sized at a fixed 4 ns an iteration ended
 * the CPU threads in half the time, and beside 4 of them the I/O thread
 * finished no operation while they all ran (the table read 0 a second,
 * its latencies 0 ns). */
static void test_convoy_fills_its_window_on_a_quick_model(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("demo convoy --quick --sim --cores 2 --instruction-ns 0.48 --wake-latency 22693ns "
                         "--wake-fast 16521ns --timer-cost 14250ns --cold-cost 226ns --switch-cost 1047ns "
                         "--time-slice 3974534ns --syscall-cost 292ns --wake-none-cost 150ns --signal-cost 6340ns "
                         "--timer-latency 69604ns "
                         "--file-io 501ns --thread-cost 15363ns --fork-cost 200061ns --collect-cost 26341ns "
                         "--line-transfer 39ns",
                         NULL, &out),
                     0);
    const char *row = strstr(out, "\n          4 ");
    unsigned ops = 0;
    if (!row || sscanf(row, " 4 %u", &ops) != 1 || ops == 0 || strstr(out, "finished no operation"))
        fail_msg("the I/O thread beside 4 CPU threads did nothing countable:\n%s", out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_demo_in_virtual_time),
        cmocka_unit_test(test_demos_true_in_virtual_time),
        cmocka_unit_test(test_convoy_fills_its_window_on_a_quick_model),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
