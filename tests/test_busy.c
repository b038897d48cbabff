/* test_busy.c - figures on a really busy machine: in real time, beside a
 * hog pinned to the run's one core, the invariants: the run waited for its
 * core, and the verdict is busy; gilsim calibrate there warns, and refuses
 * with --strict.  test_busy_virtual.c has the modelled busy machine. */
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "testdir.h"

#include "cli_helpers.h"

/* Real time, beside a process that spins on the run's one core: the run
 * waited for that core, and says the machine was busy. */
static void test_real_hog_on_the_same_core(void **state)
{
    (void)state;
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    int cpu = 0;
    while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set))
        cpu++;
    pid_t hog = fork();
    assert_true(hog >= 0);
    if (hog == 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        sched_setaffinity(0, sizeof one, &one);
        for (;;)
            ;
    }
    char *out;
    int rc = run("--threads 1 --cores 1 --cpu-bound --work 3000 --no-baseline --json -", NULL, &out);
    kill(hog, SIGKILL);
    waitpid(hog, NULL, 0);
    assert_int_equal(rc, 0);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    json_t *r = json_array_get(json_object_get(doc, "runs"), 0);
    json_t *wait = json_object_get(json_object_get(r, "time"), "core_wait_s");
    if (json_is_null(wait)) {
        json_decref(doc);
        skip(); /* a kernel without schedstat: nothing to check */
    }
    assert_true(json_real_value(wait) > 0);
    json_t *verdict = json_object_get(json_object_get(doc, "summary"), "verdict");
    assert_true(json_is_false(json_object_get(verdict, "trusted")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(verdict, "doubts"), 0),
                                                          "kind")), "busy");
    json_decref(doc);
}

/* gilsim calibrate beside a hog on its one allowed core: it warns, and
 * with --strict prints no options and exits 1. */
static void test_calibrate_on_a_busy_machine(void **state)
{
    (void)state;
    cpu_set_t saved, one;
    assert_int_equal(sched_getaffinity(0, sizeof saved, &saved), 0);
    int cpu = 0;
    while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &saved))
        cpu++;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0); /* gilsim and the hog inherit it */
    pid_t hog = fork();
    assert_true(hog >= 0);
    if (hog == 0)
        for (;;)
            ;
    char *err, *out;
    int strict = run("calibrate --quiet --strict", &err, &out);
    char strict_err[1024];
    snprintf(strict_err, sizeof strict_err, "%s", err);
    bool printed = out[0] != '\0';
    int lenient = run("calibrate --quiet", &err, &out);
    kill(hog, SIGKILL);
    waitpid(hog, NULL, 0);
    assert_int_equal(sched_setaffinity(0, sizeof saved, &saved), 0);
    assert_int_equal(strict, 1);
    assert_non_null(strstr(strict_err, "this machine was busy: other programs used"));
    assert_false(printed);
    assert_int_equal(lenient, 0);
    assert_non_null(strstr(err, "this machine was busy"));
    assert_non_null(strstr(out, "--instruction-ns"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_hog_on_the_same_core),
        cmocka_unit_test(test_calibrate_on_a_busy_machine),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
