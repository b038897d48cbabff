/* test_workloads.c - the built-in programs: known checksums, the split of
 * work, the I/O template, the mixed calibration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "vm.h"
#include "workload.h"

static gs_workload load(gs_workload_kind kind, gs_io_kind io)
{
    gs_workload w;
    char err[GS_ERRMSG_MAX];
    gs_workload_spec spec = {.kind = kind, .io_kind = io, .cpu_share = 0.8, .io_latency_ns = 1000000};
    if (gs_workload_load(&w, &spec, err) != 0)
        fail_msg("%s", err);
    return w;
}

static int64_t checksum(const gs_workload *w, uint64_t first, uint64_t count)
{
    int64_t sum;
    char err[GS_ERRMSG_MAX];
    if (gs_workload_sequential(w, first, count, &sum, err) != 0)
        fail_msg("%s", err);
    return sum;
}

static void test_known_checksums(void **state)
{
    (void)state;
    gs_workload w = load(GS_WL_COUNTDOWN, 0);
    assert_int_equal(checksum(&w, 0, 100), 99 * 100 / 2); /* sum of the unit indices */
    gs_workload_free(&w);
    w = load(GS_WL_PRIMES, 0);
    assert_int_equal(checksum(&w, 0, 10), 1229); /* pi(10000) with 1000-wide units */
    gs_workload_free(&w);
    w = load(GS_WL_FIB, 0);
    assert_int_equal(checksum(&w, 0, 3), 3 * 6765 + 0 + 1 + 2); /* fib(20) per unit + index */
    gs_workload_free(&w);
}

/* The convoy's cast: the worker at unit 0 does one I/O per unit and no
 * counting; the others count and do no I/O; the checksum is the sum of
 * the unit indices either way. */
static void test_convoy_roles(void **state)
{
    (void)state;
    gs_workload w = load(GS_WL_CONVOY, GS_IO_SLEEP);
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    for (int64_t first = 0; first <= 10; first += 10) {
        int64_t args[3] = {first, 5, 1000};
        assert_int_equal(gs_vm_init(&vm, &w.prog, args, 3, err), 0);
        uint32_t ios = 0;
        gs_stop why;
        while ((why = gs_vm_run(&vm, UINT64_MAX)) == GS_STOP_IO) {
            ios++;
            gs_vm_complete(&vm, vm.io_arg);
        }
        assert_int_equal(why, GS_STOP_DONE);
        assert_int_equal(ios, first == 0 ? 5 : 0);
        assert_true(first == 0 ? vm.instructions < 100 : vm.instructions > 5 * 1000 * 4);
        assert_int_equal(vm.result, 5 * first + 10);
    }
    gs_workload_free(&w);
}

/* Every kind of workload loads, named by its own name, with a unit size
 * and default work: a kind added to GS_WORKLOAD_KINDS with neither a row
 * in workload.c's built_ins nor a case of its own fails here. */
static void test_every_kind_loads(void **state)
{
    (void)state;
    char path[512], err[GS_ERRMSG_MAX];
    snprintf(path, sizeof path, "%s/examples/countdown.py", GS_SOURCE_DIR);
    for (int k = 0; k < GS_WL_COUNT; k++) {
        gs_workload_spec spec = {.kind = (gs_workload_kind)k, .io_kind = GS_IO_SLEEP, .cpu_share = 0.5,
                                 .native_share = 0.5, .io_latency_ns = 1000000, .instruction_ns = 1.0,
                                 .path = path};
        gs_workload w;
        if (gs_workload_load(&w, &spec, err) != 0)
            fail_msg("%s: %s", gs_workload_kind_names[k], err);
        if (k != GS_WL_PROGRAM) /* a program is named by its file */
            assert_true(strncmp(w.name, gs_workload_kind_names[k], strlen(gs_workload_kind_names[k])) == 0);
        assert_true(w.unit_size > 0 && w.default_work > 0);
        gs_workload_free(&w);
    }
    gs_workload_spec unknown = {.kind = GS_WL_COUNT};
    gs_workload w;
    assert_int_equal(gs_workload_load(&w, &unknown, err), -1);
}

static void test_checksums_add_up_over_any_split(void **state)
{
    (void)state;
    gs_workload_kind kinds[] = {GS_WL_COUNTDOWN, GS_WL_FIB, GS_WL_PRIMES, GS_WL_IO_BOUND, GS_WL_CONVOY};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        gs_workload w = load(kinds[k], GS_IO_PIPE);
        const uint64_t total = 37;
        int64_t whole = checksum(&w, 0, total);
        for (uint32_t n = 1; n <= 8; n++) {
            int64_t sum = 0;
            uint64_t next = 0;
            for (uint32_t i = 0; i < n; i++) {
                uint64_t first, count;
                gs_workload_split(total, n, i, &first, &count);
                assert_int_equal(first, next); /* contiguous, in order */
                next = first + count;
                sum += checksum(&w, first, count);
            }
            assert_int_equal(next, total);
            assert_int_equal(sum, whole);
        }
        gs_workload_free(&w);
    }
}

static void test_io_template_per_kind(void **state)
{
    (void)state;
    for (int k = 0; k < GS_IO_KIND_COUNT; k++) {
        gs_workload w = load(GS_WL_IO_BOUND, (gs_io_kind)k);
        assert_int_equal(gs_program_io_kinds(&w.prog), 1u << k);
        gs_workload_free(&w);
    }
    gs_workload w = load(GS_WL_COUNTDOWN, 0);
    assert_int_equal(gs_program_io_kinds(&w.prog), 0);
    gs_workload_free(&w);
}

static void test_mixed_calibration(void **state)
{
    (void)state;
    gs_workload w = load(GS_WL_MIXED, GS_IO_SLEEP);
    /* 80% CPU against 1 ms of I/O is 4 ms of counting: thousands of spins */
    assert_true(w.unit_size > 1000);
    assert_non_null(strstr(w.name, "mixed 0.80"));
    gs_workload_free(&w);
}

static void test_kernel_names(void **state)
{
    (void)state;
    assert_int_equal(gs_workload_cpu_kind("countdown"), GS_WL_COUNTDOWN);
    assert_int_equal(gs_workload_cpu_kind("fib"), GS_WL_FIB);
    assert_int_equal(gs_workload_cpu_kind("primes"), GS_WL_PRIMES);
    assert_int_equal(gs_workload_cpu_kind("quicksort"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_checksums),
        cmocka_unit_test(test_every_kind_loads),
        cmocka_unit_test(test_checksums_add_up_over_any_split),
        cmocka_unit_test(test_convoy_roles),
        cmocka_unit_test(test_io_template_per_kind),
        cmocka_unit_test(test_mixed_calibration),
        cmocka_unit_test(test_kernel_names),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
