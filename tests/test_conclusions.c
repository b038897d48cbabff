/* test_conclusions.c - every demonstration's closing words agree with its
 * figures, whichever way the figures go.  A trend is claimed only where
 * the printed figures show it: figures that differ by less than the table
 * prints read as the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../cli/conclusions.h"
#include "testdir.h"

/* The text with its line breaks and indents undone, so phrases can be
 * found across a wrap; also checks the lines fit 80 columns. */
static char *unwrap(char *text)
{
    for (char *line = text; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "")
        if (strcspn(line, "\n") > 80)
            fail_msg("a line wider than 80 columns: %s", line);
    char *w = text;
    for (const char *r = text; *r; r++) {
        if (*r == '\n') {
            *w++ = ' ';
            while (r[1] == ' ')
                r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return text;
}

static char words_buf[4096];

static FILE *words_open(void)
{
    FILE *f = fmemopen(words_buf, sizeof words_buf, "w");
    assert_non_null(f);
    return f;
}

static char *words_close(FILE *f)
{
    fclose(f);
    return unwrap(words_buf);
}

/* The words conclude writes about figures f. */
#define WORDS(conclude, f) (out = words_open(), conclude(out, f), words_close(out))

static void expect(const char *words, const char *phrase)
{
    if (!strstr(words, phrase))
        fail_msg("no '%s' in: %s", phrase, words);
}

static void expect_not(const char *words, const char *phrase)
{
    if (strstr(words, phrase))
        fail_msg("'%s' claimed in: %s", phrase, words);
}

/* A row of ops/s counted over a second's window (so ops = the rate). */
static gs_convoy_row convoy_row(uint32_t k, double per_s, uint64_t p50)
{
    return (gs_convoy_row){.cpu_threads = k, .io_per_s = per_s, .ops = (uint64_t)per_s, .window_ns = 1000000000,
                           .io_p50_ns = p50};
}

static gs_convoy_figures convoy(double alone, double one, double two, double four)
{
    return (gs_convoy_figures){.nrows = 4,
                               .rows = {convoy_row(0, alone, 1150000), convoy_row(1, one, 6000000),
                                        convoy_row(2, two, 9000000), convoy_row(4, four, 12000000)}};
}

/* The run the issue saw: 72 a second beside 2 CPU threads, 83 beside 4,
 * and the words said more CPU threads meant more waiting. */
static void test_convoy_claims_only_what_the_rows_show(void **state)
{
    (void)state;
    FILE *out;
    gs_convoy_figures f = convoy(890, 150, 72, 83);
    char *w = WORDS(gs_conclude_convoy, &f);
    expect(w, "Beside 4 CPU threads it did 83 a second, fewer than beside one, though not steadily "
              "(72 beside 2, 83 beside 4)");
    expect_not(w, "the more CPU threads, the more turns");

    expect_not(w, "Who got the lock"); /* no forced drop counted: nothing to say who took them */

    f = convoy(890, 150, 72, 40);
    f.rows[3].forced = 226, f.rows[3].to_asker = 192, f.rows[3].io_took = 51, f.rows[3].cpu_took = 175;
    w = WORDS(gs_conclude_convoy, &f);
    expect(w, "Beside one CPU-bound thread the I/O thread did 150 operations a second, 6x fewer than alone (890");
    expect(w, "Beside 4 CPU threads it did 40 a second, fewer than beside one: when it asks");
    expect(w, "the more CPU threads, the more turns it waits through");
    expect(w, "Who got the lock each time a holder let go on request, 226 times on that run: a CPU thread 175 "
              "times, the I/O thread 51; the waiter that had asked for it, awake since its interval ran out, "
              "192 times.");

    f = convoy(890, 150, 160, 170);
    w = WORDS(gs_conclude_convoy, &f);
    expect(w, "Beside 4 CPU threads it did 170 a second, more than beside one (150) on this run");
    expect_not(w, "fewer than beside one");

    f = convoy(890, 150.4, 150.2, 149.6); /* all print as 150 */
    w = WORDS(gs_conclude_convoy, &f);
    expect(w, "it did 150 a second, as many as beside one");

    f = convoy(890, 600, 500, 400); /* no convoy */
    w = WORDS(gs_conclude_convoy, &f);
    expect(w, "the I/O thread still did 600 operations a second (alone: 890, each waiting 1 ms): the convoy effect did not show");
    expect_not(w, "the convoy effect. ");

    f.nrows = 2; /* --quick without the 4-thread row: no trend to claim */
    w = WORDS(gs_conclude_convoy, &f);
    expect_not(w, "Beside 4");

    /* Beside 4 CPU threads no operation ended while they all ran (the
     * calibrated model's run once its CPU threads' work was sized at a
     * fixed pace): no rate to explain, and no trend drawn from a 0. */
    f = convoy(934, 125, 114, 0);
    f.rows[3].window_ns = 48000000;
    w = WORDS(gs_conclude_convoy, &f);
    expect(w, "Beside 4 CPU threads the I/O thread finished no operation in the 48.00 ms in which they all ran, "
              "so this run gives no rate for it there");
    expect_not(w, "it did 0 a second");
    expect_not(w, "fewer than beside one");
    f = convoy(934, 0, 114, 50);
    f.rows[1].window_ns = 3000000;
    w = WORDS(gs_conclude_convoy, &f);
    expect(w, "Beside 1 CPU thread the I/O thread finished no operation in the 3.00 ms in which it ran");
    expect_not(w, "0 operations a second");
    expect_not(w, "Beside 4 CPU threads it did");
}

static void test_switch_interval_latency_trend(void **state)
{
    (void)state;
    FILE *out;
    gs_interval_figures f = {.nrows = 2,
                             .rows = {{1000000, 0.30, 900, 1200000, 80}, {50000000, 0.25, 20, 48000000, 4}}};
    char *w = WORDS(gs_conclude_switch_interval, &f);
    expect(w, "took 1.20x as long as with 50.00 ms: every hand-off costs time");
    expect(w, "went from 1.20 ms (interval 1.00 ms) to 48.00 ms (interval 50.00 ms): a long interval");

    f.rows[1].io_p50_ns = 1200400; /* prints as 1.20 ms too */
    f.rows[1].wall_s = 0.2990;      /* 1.003x: prints as 1.00x */
    w = WORDS(gs_conclude_switch_interval, &f);
    expect(w, "took 1.00x as long as with 50.00 ms: on this machine the hand-offs were too cheap");
    expect(w, "it did not grow with the interval");
    expect_not(w, "went from");

    f.rows[1].io_p50_ns = 900000; /* fell */
    w = WORDS(gs_conclude_switch_interval, &f);
    expect(w, "it did not grow with the interval");

    f.rows[1].io_p50_ns = 0; /* no operation in the window at 50 ms */
    f.rows[1].io_ops = 0;
    w = WORDS(gs_conclude_switch_interval, &f);
    expect(w, "At the 50.00 ms interval the I/O thread finished no operation while the CPU thread ran");
    expect_not(w, "did not grow");
    expect_not(w, "0 ns");
}

static void test_legacy_battle_either_way(void **state)
{
    (void)state;
    FILE *out;
    gs_legacy_figures f = {.legacy_one_s = 1.03, .nrows = 3, .cores = {1, 2, 4}, .legacy_two_s = {1.2, 1.854, 1.9},
                           .cpython_wall_s = {1.0, 1.02}, .check_interval = 5000, .ticks_alone = 200000,
                           .tick_drops = 9000, .futile_wakeups = 4000};
    char *w = WORDS(gs_conclude_legacy_battle, &f);
    expect(w, "One tick is 5000 instructions (--check-interval): here one came every 5 us; Python 2.7's came "
              "every 100 of its ticks");
    expect(w, "took 1.03x as long as under CPython's: each release and re-take cost it about 150 ns");
    expect(w, "two threads on 2 cores doing the same work as one took 1.80x as long. The holder let go every "
              "tick (9000 times)");
    expect(w, "On one core they took 1.17x as long, about as long as one thread");
    f.legacy_two_s[0] = 1.6;
    w = WORDS(gs_conclude_legacy_battle, &f);
    expect(w, "On one core they took 1.55x as long, less than on 2 cores: the waiter, woken on the holder's own "
              "core, often preempts it");
    f.legacy_two_s[0] = 1.2;
    expect(w, "On 4 cores, 1.84x: more cores do not end the battle");
    expect(w, "took 1.02x as long, less than under the old lock");

    f.legacy_one_s = 2.0; /* a lone thread paying twice: the 100-instruction tick */
    f.legacy_two_s[0] = 2.4;
    f.legacy_two_s[1] = 2.0;
    f.legacy_two_s[2] = 1.0;
    w = WORDS(gs_conclude_legacy_battle, &f);
    expect(w, "took 2.00x as long as under CPython's: its releases and re-takes cost more than Python 2's");
    expect(w, "the battle did not show on this run");
    expect(w, "On one core they took 1.20x as long, no less than on 2 cores on this run");
    expect(w, "On 4 cores, 0.50x: less than on fewer cores on this run");

    f.legacy_one_s = f.legacy_two_s[1] = 1.0;
    f.cpython_wall_s[1] = 1.004; /* both print as 1.00x */
    w = WORDS(gs_conclude_legacy_battle, &f);
    expect(w, "took 1.00x as long, the same as under the old lock on this run");
    expect(w, "its releases and re-takes cost nothing visible");
    expect_not(w, "no battle");

    f.cpython_wall_s[1] = 1.3;
    w = WORDS(gs_conclude_legacy_battle, &f);
    expect(w, "took 1.30x as long, more than under the old lock on this run");

    f.nrows = 1; /* a machine of one core */
    w = WORDS(gs_conclude_legacy_battle, &f);
    expect(w, "Only one core here (2.40x as long as one thread under the old lock): the battle needs two.");
    expect_not(w, "On one core they took");
}

static void test_scaling_demos_either_way(void **state)
{
    (void)state;
    FILE *out;
    gs_tvp_figures t = {.cores = 2, .threads = 8, .thread_speedup = 0.97, .held_fraction = 0.99,
                        .processes = 8, .process_speedup = 1.9};
    char *w = WORDS(gs_conclude_threads_vs_processes, &t);
    expect(w, "8 threads were 0.97x as fast as 1: the lock let one thread run at a time");
    expect(w, "8 processes were 1.90x as fast as 1: each has its own interpreter");
    t.thread_speedup = 1.6;
    t.process_speedup = 1.1;
    w = WORDS(gs_conclude_threads_vs_processes, &t);
    expect(w, "more than a lock that runs one thread at a time should allow");
    expect(w, "8 processes were only 1.10x as fast as 1 on 2 cores: something else was using the cores");
    t.process_wall_s = 0.05;
    t.process_spawn_s = 0.016;
    w = WORDS(gs_conclude_threads_vs_processes, &t);
    expect(w, "starting them took 16.00 ms of the run's 50.00 ms");

    gs_io_figures io = {.cores = 2, .threads = 8, .speedup = 7.5, .held_fraction = 0.02};
    w = WORDS(gs_conclude_io_bound, &io);
    expect(w, "8 threads were 7.50x as fast as 1, on 2 cores: the threads spend their time blocked");
    io.speedup = 2;
    w = WORDS(gs_conclude_io_bound, &io);
    expect(w, "8 threads were only 2.00x as fast as 1");

    /* free-threading, each sentence both ways: the figures of 16 modelled
     * cores (the published shape: scaling on independent work, fastest
     * at 4 on a shared object, then slower), then of figures that say
     * otherwise */
    gs_ft_figures ft = {.cores = 16, .workers = 16, .virtual_time = true, .one_313 = 0.714, .one_314 = 0.926,
                        .gil = 1.0, .ft = 14.6, .processes = 12.1, .interpreters = 15.9, .shared_peak = 2.8,
                        .shared_peak_workers = 4, .shared_last = 2.43, .shared_interpreters = 15.9,
                        .lost_gil = 0, .lost_ft = 61.2};
    w = WORDS(gs_conclude_free_threading, &ft);
    expect(w, "One free-threaded thread ran 0.71x (3.13t) and 0.93x (3.14t) as fast as one thread of the default");
    expect(w, "On independent work 16 free-threaded threads were 14.60x as fast as one default-build thread, "
              "where 16 threads under the GIL were 1.00x");
    expect(w, "free-threaded threads were fastest with 4 (2.80x) and slower with more: 2.43x with 16");
    expect(w, "Interpreters share no objects: 16 ran 15.90x");
    expect(w, "without the GIL counter += 1 lost 61.2% of its updates (under the GIL none)");
    ft = (gs_ft_figures){.cores = 2, .workers = 8, .gil = 0.98, .ft = 0.99, .processes = 1.9, .interpreters = 1.9,
                         .shared_peak = 0.99, .shared_peak_workers = 8, .shared_last = 0.99,
                         .shared_interpreters = 1.9};
    w = WORDS(gs_conclude_free_threading, &ft);
    assert_null(strstr(w, "One free-threaded thread")); /* real time: the build's cost is not measured */
    expect(w, "8 free-threaded threads were only 0.99x as fast as one default-build thread on 2 cores");
    expect(w, "free-threaded threads reached 0.99x with 8; as independent work did not scale on this run either");
    ft.ft = 1.9, ft.shared_last = 1.8;
    w = WORDS(gs_conclude_free_threading, &ft);
    expect(w, "free-threaded threads still reached 1.80x with 8: on 2 cores they seldom met at it");
    ft.shared_last = 0.99;
    expect(w, "counter += 1 lost no update without the GIL on this run");
    ft.shared_peak = ft.shared_last = 0.6;
    w = WORDS(gs_conclude_free_threading, &ft);
    expect(w, "free-threaded threads reached only 0.60x with 8 (on independent work 1.90x)");
    ft.lost_ft = 30, ft.lost_gil = 10;
    w = WORDS(gs_conclude_free_threading, &ft);
    expect(w, "counter += 1 lost 30.0% of its updates without the GIL and 10.0% under it");
}

static void test_async_either_way(void **state)
{
    (void)state;
    FILE *out;
    gs_async_figures f = {.wall_s = {0.45, 0.06}, .lag_p99_ns = {80000, 10000000}, .computed_ns = 150000000};
    char *w = WORDS(gs_conclude_async, &f);
    expect(w, "8 I/O-bound tasks were 7.50x as fast as 1, on one thread: while one task waits");
    expect(w, "fired up to 10.00 ms late instead of 80 us");
    f.wall_s[1] = 0.2;
    f.lag_p99_ns[1] = 200000;
    w = WORDS(gs_conclude_async, &f);
    expect(w, "less overlap than expected on this run");
    expect(w, "the stall did not show clearly on this run");
    expect_not(w, "stalls every other task");
}

/* The race: each row's words follow its own figures, and the row with no
 * lock at all (which lost nothing before the model interleaved threads
 * computing at once) never says updates were lost when none were. */
static void test_race_either_way(void **state)
{
    (void)state;
    FILE *out;
    gs_race_figures f = {.cores = 8, .rows = {
        [GS_RACE_INPLACE_CPYTHON] = {400000, 0, 0.003, 0}, [GS_RACE_INPLACE_LEGACY] = {400000, 91082, 0.004, 0},
        [GS_RACE_CALL_1US] = {400000, 157812, 0.02, 0}, [GS_RACE_CALL_5MS] = {400000, 90131, 0.018, 0},
        [GS_RACE_LOCKED] = {400000, 0, 0.019, 12}, [GS_RACE_NO_GIL] = {400000, 199990, 0.009, 0}}};
    char *w = WORDS(gs_conclude_race, &f);
    expect(w, "counter += 1 lost no update under CPython's lock");
    expect(w, "Under Python 2's lock the same += lost 91082 (22.8%)");
    expect(w, "39.5% lost at a 1 us switch interval, 22.5% at 5 ms, more where");
    expect(w, "a thread that found it held (12 times)");
    expect(w, "(free threading) 50.0% were lost");
    f.rows[GS_RACE_INPLACE_LEGACY].lost = 0;
    f.rows[GS_RACE_CALL_1US].lost = 90131;
    f.rows[GS_RACE_LOCKED].waited = 0;
    f.rows[GS_RACE_NO_GIL].lost = 0;
    w = WORDS(gs_conclude_race, &f);
    expect(w, "Under Python 2's lock the same += lost nothing on this run");
    expect(w, "22.5% at 5 ms, as many at both");
    expect(w, "this run no thread even found it held");
    expect(w, "(free threading) no update was lost on this run");
    expect_not(w, "were lost: the threads run at the same time");
    expect_not(w, "on one core");
    f.cores = 1;
    w = WORDS(gs_conclude_race, &f);
    expect(w, "on one core they take turns");
}

/* three-ways: each sentence follows its figures.  The figures of the
 * virtual-time run, then a run where the processes gained nothing and
 * async tasks beat the one-at-a-time bound. */
static void test_three_ways_either_way(void **state)
{
    (void)state;
    FILE *out;
    gs_ways_figures f = {.cores = 8, .workers = 8, .cpu_share = 0.5, .transfer_bytes = 64 * 1024,
                         .speedup = {{7.97, 7.63, 7.99}, {1.98, 7.60, 2.05}}, .bound = {2.06, 0, 2.06},
                         .sent_mib = {3.1, 1.6}, .sending_s = {0.00512, 0.00256},
                         .process_wall_s = {0.0611, 0.057}};
    char *w = WORDS(gs_conclude_three_ways, &f);
    expect(w, "all three overlapped the waits: 8 threads were 7.97x as fast as one, 8 processes 7.63x, 8 async "
              "tasks 7.99x");
    expect(w, "threads were 1.98x as fast as one and async tasks 2.05x: only one of them computes at a time");
    expect(w, "2.06x for threads and 2.06x for tasks, is the most");
    expect(w, "Processes were 7.60x as fast as one on the mixed work: each computes on a core of its own.");
    expect(w, "64 KiB a unit, as multiprocessing pickles a result and pipes it back: 3.1 MiB in 5.12 ms of the "
              "I/O-bound run's 61.10 ms");
    expect_not(w, "a large part of what the processes gained");
    expect(w, "as the threads did (1.98x on the mixed work)");
    f.speedup[GS_WAYS_IO][GS_WAYS_PROCESSES] = 2.5;
    f.speedup[GS_WAYS_MIXED][GS_WAYS_PROCESSES] = 2.1;
    f.speedup[GS_WAYS_MIXED][GS_WAYS_ASYNC] = 2.61;
    f.sending_s[GS_WAYS_MIXED] = 0.03;
    f.cores = 1;
    w = WORDS(gs_conclude_three_ways, &f);
    expect(w, "the processes did not overlap the waits as well as the others on this run (expected: about 8x");
    expect_not(w, "all three overlapped");
    expect(w, "beyond what one computing at a time allows (2.06x and 2.06x");
    expect(w, "no better than threads on this run: one core computes for all of them");
    expect(w, ": a large part of what the processes gained");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convoy_claims_only_what_the_rows_show),
        cmocka_unit_test(test_switch_interval_latency_trend),
        cmocka_unit_test(test_legacy_battle_either_way),
        cmocka_unit_test(test_scaling_demos_either_way),
        cmocka_unit_test(test_async_either_way),
        cmocka_unit_test(test_race_either_way),
        cmocka_unit_test(test_three_ways_either_way),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
