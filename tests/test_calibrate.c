/* test_calibrate.c - the parts of gilsim calibrate that are arithmetic on
 * what it measured, checked on made-up measurements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "calibrate.h"

/* Two spinners taking 4 ms turns on one core: the first is cut twice in
 * its second turn by gaps in which the second did not run (the host ran
 * another guest); those join, and its slices are 4 ms each.  A gap in
 * which the other ran ends a slice. */
static void test_slices_join_gaps_the_other_did_not_run_in(void **state)
{
    (void)state;
    enum { MS = 1000000 };
    const uint64_t a_from[] = {0, 8 * MS, 9 * MS, 11 * MS, 16 * MS};
    const uint64_t a_to[] = {4 * MS, 8 * MS + MS / 2, 10 * MS, 12 * MS, 20 * MS};
    const uint64_t b_from[] = {4 * MS + 60000, 12 * MS + 60000};
    const uint64_t b_to[] = {8 * MS - 60000, 16 * MS - 60000};
    gs_cal_stretches a = {a_from, a_to, 5}, b = {b_from, b_to, 2};
    uint64_t slices[5];
    assert_int_equal(gs_cal_slices(&a, &b, slices), 3);
    assert_int_equal(slices[0], 4 * MS);
    assert_int_equal(slices[1], 4 * MS); /* 8 to 12 ms, across two gaps */
    assert_int_equal(slices[2], 4 * MS);
    assert_int_equal(gs_cal_slices(&b, &a, slices), 2);
    assert_int_equal(slices[0], 4 * MS - 120000);
    assert_int_equal(slices[1], 4 * MS - 120000);
}

/* With no other spinner seen at all, a thread's stretches are one slice;
 * with none of its own, there are none. */
static void test_slices_at_the_edges(void **state)
{
    (void)state;
    const uint64_t from[] = {0, 100, 300}, to[] = {50, 200, 400};
    gs_cal_stretches a = {from, to, 3}, none = {NULL, NULL, 0};
    uint64_t slices[3];
    assert_int_equal(gs_cal_slices(&a, &none, slices), 1);
    assert_int_equal(slices[0], 400);
    assert_int_equal(gs_cal_slices(&none, &a, slices), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slices_join_gaps_the_other_did_not_run_in),
        cmocka_unit_test(test_slices_at_the_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
