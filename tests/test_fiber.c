/* test_fiber.c - fibers switch where they are told, each on its own stack,
 * and come back to the fiber named at creation when done. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "machine/sim/fiber.h"

typedef struct {
    gs_fiber *self, *other, *main;
    char name;
    char *log;
    size_t *len;
    int rounds;
} player;

/* Plays rounds turns, handing over to the other after each. */
static void play(void *arg)
{
    player *p = arg;
    for (int i = 0; i < p->rounds; i++) {
        p->log[(*p->len)++] = p->name;
        gs_fiber_switch(p->self, i + 1 < p->rounds ? p->other : p->main);
    }
}

static void test_two_fibers_take_turns(void **state)
{
    (void)state;
    char log[64] = {0};
    size_t len = 0;
    gs_fiber *main = gs_fiber_main();
    player a = {.name = 'a', .log = log, .len = &len, .rounds = 3, .main = main};
    player b = {.name = 'b', .log = log, .len = &len, .rounds = 3, .main = main};
    a.self = gs_fiber_new(64 * 1024, play, &a, main);
    b.self = gs_fiber_new(64 * 1024, play, &b, main);
    assert_non_null(main);
    assert_non_null(a.self);
    assert_non_null(b.self);
    a.other = b.self;
    b.other = a.self;
    gs_fiber_switch(main, a.self); /* a, b, a, b, a: a's last turn comes home */
    log[len++] = 'm';
    assert_string_equal(log, "ababam");
    assert_false(gs_fiber_done(a.self));
    gs_fiber_switch(main, a.self); /* a returns from its last switch, ends, and comes home */
    assert_true(gs_fiber_done(a.self));
    gs_fiber_switch(main, b.self); /* b's third turn, then home */
    log[len++] = 'm';
    assert_string_equal(log, "ababambm");
    gs_fiber_switch(main, b.self);
    assert_true(gs_fiber_done(b.self));
    gs_fiber_free(a.self);
    gs_fiber_free(b.self);
    gs_fiber_free(main);
}

static unsigned depth_sum(unsigned n)
{
    volatile char frame[256]; /* a stack frame worth the name */
    frame[0] = (char)n;
    return n == 0 ? 0 : n + depth_sum(n - 1) + (unsigned)(frame[0] - (char)n);
}

typedef struct {
    gs_fiber *self, *main;
    unsigned n, sum;
} counter;

/* Recurses deep on its own stack, yielding home halfway through the
 * work, then finishes. */
static void count(void *arg)
{
    counter *c = arg;
    c->sum = depth_sum(c->n / 2);
    gs_fiber_switch(c->self, c->main);
    c->sum += depth_sum(c->n);
}

static void test_many_fibers_keep_their_stacks(void **state)
{
    (void)state;
    enum { N = 500 };
    static counter c[N];
    gs_fiber *main = gs_fiber_main();
    for (unsigned i = 0; i < N; i++) {
        c[i] = (counter){.main = main, .n = 100 + i % 50};
        c[i].self = gs_fiber_new(128 * 1024, count, &c[i], main);
        assert_non_null(c[i].self);
    }
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < N; i++)
            gs_fiber_switch(main, c[i].self);
    for (unsigned i = 0; i < N; i++) {
        unsigned half = c[i].n / 2;
        assert_true(gs_fiber_done(c[i].self));
        assert_int_equal(c[i].sum, half * (half + 1) / 2 + c[i].n * (c[i].n + 1) / 2);
        gs_fiber_free(c[i].self);
    }
    gs_fiber_free(main);
}

typedef struct {
    gs_fiber *self;
    char name;
    char *log;
    size_t *len;
} ender;

/* Logs its name and ends: control goes to the fiber named at creation. */
static void end_at_once(void *arg)
{
    ender *e = arg;
    e->log[(*e->len)++] = e->name;
}

/* A fiber whose back has never run starts it by ending (the simulator
 * passes turns between threads, so a thread may finish before the
 * scheduler, its back, has run), and that one ends home in turn. */
static void test_ending_starts_a_back_that_never_ran(void **state)
{
    (void)state;
    char log[8] = {0};
    size_t len = 0;
    gs_fiber *main = gs_fiber_main();
    ender b = {.name = 'b', .log = log, .len = &len};
    ender a = {.name = 'a', .log = log, .len = &len};
    b.self = gs_fiber_new(64 * 1024, end_at_once, &b, main);
    a.self = gs_fiber_new(64 * 1024, end_at_once, &a, b.self);
    assert_non_null(main);
    assert_non_null(a.self);
    assert_non_null(b.self);
    gs_fiber_switch(main, a.self); /* a ends into b, never started; b ends home */
    log[len++] = 'm';
    assert_string_equal(log, "abm");
    assert_true(gs_fiber_done(a.self));
    assert_true(gs_fiber_done(b.self));
    gs_fiber_free(a.self);
    gs_fiber_free(b.self);
    gs_fiber_free(main);
}

/* Two fibers switch straight to each other many times, as the
 * simulator's threads pass turns.  Under ThreadSanitizer a switch that
 * left a frame on the fiber it entered overflowed its stack depot (65,536
 * frames) within this many switches. */
static void test_many_switches_leave_no_frames_behind(void **state)
{
    (void)state;
    enum { ROUNDS = 100000 };
    static char log[2 * ROUNDS + 1];
    size_t len = 0;
    gs_fiber *main = gs_fiber_main();
    player a = {.name = 'a', .log = log, .len = &len, .rounds = ROUNDS, .main = main};
    player b = {.name = 'b', .log = log, .len = &len, .rounds = ROUNDS, .main = main};
    a.self = gs_fiber_new(64 * 1024, play, &a, main);
    b.self = gs_fiber_new(64 * 1024, play, &b, main);
    assert_non_null(a.self);
    assert_non_null(b.self);
    a.other = b.self;
    b.other = a.self;
    gs_fiber_switch(main, a.self); /* a's last turn comes home, b's is still to come */
    assert_int_equal(len, 2 * ROUNDS - 1);
    assert_int_equal(log[len - 1], 'a');
    gs_fiber_switch(main, b.self);
    assert_int_equal(len, 2 * ROUNDS);
    gs_fiber_switch(main, a.self);
    gs_fiber_switch(main, b.self);
    assert_true(gs_fiber_done(a.self));
    assert_true(gs_fiber_done(b.self));
    gs_fiber_free(a.self);
    gs_fiber_free(b.self);
    gs_fiber_free(main);
}

enum { SMALL_STACK = 16 * 1024 };

/* Writes the highest byte of its stack's lowest page, as a thread that
 * ran to the end of its stack would on its way past. */
static void run_to_the_end(void *arg)
{
    gs_fiber **self = arg;
    char *last_page = (char *)gs_fiber_stack_end(*self);
    last_page[sysconf(_SC_PAGESIZE) - 1] = 1;
}

/* A fiber that ran to the end of its stack (its lowest page: fiber.c)
 * stops the program with a message when it is freed, where it would
 * otherwise have gone on to write over other memory unseen (simulated threads' stacks are small: sim_core.h):
 * one of its own, and one of a pool (the simulator's threads), freed with
 * its pool. */
static void overrun_stops_the_program(bool pooled)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *err = fopen("overrun-stderr", "w");
        if (!err || dup2(fileno(err), 2) < 0) /* stderr stays unbuffered: abort() flushes nothing */
            _exit(125);
        gs_fiber *main = gs_fiber_main(), *f = NULL;
        gs_fiber_pool *pool = pooled ? gs_fiber_pool_new(SMALL_STACK, sizeof f) : NULL;
        void *room;
        f = pooled ? (pool ? gs_fiber_pool_take(pool, run_to_the_end, main, &room) : NULL)
                   : gs_fiber_new(SMALL_STACK, run_to_the_end, &f, main);
        if (!main || !f)
            _exit(125);
        if (pooled)
            memcpy(room, &f, sizeof f);
        gs_fiber_switch(main, f);
        if (pooled)
            gs_fiber_pool_free(pool); /* stops the program */
        else
            gs_fiber_free(f);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    FILE *err = fopen("overrun-stderr", "r");
    assert_non_null(err);
    char line[256] = {0};
    assert_non_null(fgets(line, sizeof line, err));
    fclose(err);
    assert_non_null(strstr(line, "ran to the end of its C stack"));
}

static void test_running_past_the_stack_is_caught(void **state)
{
    (void)state;
    overrun_stops_the_program(false);
    overrun_stops_the_program(true);
}

/* Its frame, the first on its stack but for the trampoline's (fiber.c),
 * a few dozen bytes; then it writes the lowest byte of a stack of
 * SMALL_STACK bytes below that. */
static void use_the_whole_stack(void *arg)
{
    uintptr_t *frame = arg;
    *frame = (uintptr_t)__builtin_frame_address(0);
    *(volatile char *)(*frame + 256 - SMALL_STACK) = 1;
}

/* One that used all the stack it asked for is freed quietly: the
 * tripwire, a page, lies below it. */
static void test_a_fiber_within_its_stack_frees_quietly(void **state)
{
    (void)state;
    uintptr_t frame = 0;
    gs_fiber *main = gs_fiber_main();
    gs_fiber *f = gs_fiber_new(SMALL_STACK, use_the_whole_stack, &frame, main);
    assert_non_null(main);
    assert_non_null(f);
    gs_fiber_switch(main, f);
    assert_true(gs_fiber_done(f));
    uintptr_t usable = (uintptr_t)gs_fiber_stack_end(f) + (uintptr_t)sysconf(_SC_PAGESIZE);
    assert_true(frame + 256 - SMALL_STACK >= usable);
    gs_fiber_free(f);
    gs_fiber_free(main);
}

/* Counts its calls in its room, which came zeroed. */
static void count_in_room(void *arg)
{
    unsigned *calls = arg;
    *calls += 1;
}

/* Fibers from a pool, more than one of its slabs holds (fiber.c: 64),
 * each run its function on room of their own, which the caller was given
 * too, zeroed; freeing the pool frees them all (the sanitizer builds and
 * Valgrind would see one left). */
static void test_pooled_fibers_each_get_their_room(void **state)
{
    (void)state;
    enum { FIBERS = 150, ROOM = 3 * sizeof(unsigned) };
    gs_fiber *main = gs_fiber_main();
    gs_fiber_pool *pool = gs_fiber_pool_new(SMALL_STACK, ROOM);
    assert_non_null(main);
    assert_non_null(pool);
    gs_fiber *f[FIBERS];
    unsigned *calls[FIBERS];
    for (int i = 0; i < FIBERS; i++) {
        void *room = NULL;
        f[i] = gs_fiber_pool_take(pool, count_in_room, main, &room);
        assert_non_null(f[i]);
        assert_non_null(room);
        calls[i] = room;
        assert_int_equal(calls[i][0] + calls[i][1] + calls[i][2], 0);
        for (int j = 0; j < i; j++) { /* apart by a whole stack at least */
            uintptr_t a = (uintptr_t)calls[i], b = (uintptr_t)calls[j];
            assert_true(a >= b + ROOM + SMALL_STACK || b >= a + ROOM + SMALL_STACK);
        }
    }
    for (int i = 0; i < FIBERS; i++) {
        gs_fiber_switch(main, f[i]);
        assert_true(gs_fiber_done(f[i]));
    }
    for (int i = 0; i < FIBERS; i++) {
        assert_int_equal(calls[i][0], 1);
        assert_int_equal(calls[i][1] + calls[i][2], 0);
    }
    gs_fiber_pool_free(pool);
    gs_fiber_free(main);
}

/* Pooled fibers' rooms do not all lie at one place in a page, where
 * they would all share a few sets of the caches (fiber.c, COLOURS): 16
 * in a row lie at 16 different places. */
static void test_pooled_fibers_spread_over_the_caches(void **state)
{
    (void)state;
    gs_fiber *main = gs_fiber_main();
    gs_fiber_pool *pool = gs_fiber_pool_new(SMALL_STACK, 64);
    assert_non_null(main);
    assert_non_null(pool);
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), offsets[16];
    for (int i = 0; i < 16; i++) {
        void *room = NULL;
        assert_non_null(gs_fiber_pool_take(pool, count_in_room, main, &room));
        offsets[i] = (uintptr_t)room % page;
        for (int j = 0; j < i; j++)
            assert_true(offsets[i] != offsets[j]);
    }
    gs_fiber_pool_free(pool); /* never started: nothing of theirs to unwind */
    gs_fiber_free(main);
}

/* What a fiber that leaves is told: itself, and a mark of its frames. */
typedef struct {
    gs_fiber *self;
    int ran;
} abandoned;

/* Leaves its function in the middle, frames and all, as the simulator's
 * thread parked at a start gate does. */
static void leave_midway(void *arg)
{
    abandoned *a = *(abandoned **)arg;
    volatile char frame[512]; /* frames the next function on this stack runs over */
    for (size_t i = 0; i < sizeof frame; i++)
        frame[i] = (char)i;
    a->ran = frame[511];
    gs_fiber_leave(a->self);
}

/* Counts its calls through the counter its room points to. */
static void count_through_room(void *arg)
{
    unsigned *calls = *(unsigned **)arg;
    *calls += 1;
}

/* A fiber that leaves its function midway is done, and control is back
 * where it came from.  Given back to its pool, it is the next one taken,
 * in its place (its stack still in the caches): its room zeroed, the new
 * function run from its start over the frames the last one left midway
 * (the sanitizer builds check that no stale mark of theirs trips it) or
 * after it returned.  The pool maps no new block for it. */
static void test_pool_takes_back_given_fibers(void **state)
{
    (void)state;
    gs_fiber *main = gs_fiber_main();
    gs_fiber_pool *pool = gs_fiber_pool_new(SMALL_STACK, sizeof(void *));
    assert_non_null(main);
    assert_non_null(pool);
    void *room = NULL;
    abandoned a = {0};
    a.self = gs_fiber_pool_take(pool, leave_midway, main, &room);
    assert_non_null(a.self);
    *(abandoned **)room = &a;
    gs_fiber_switch(main, a.self);
    assert_int_equal(a.ran, (char)511);
    assert_true(gs_fiber_done(a.self));
    void *left_room = room;
    gs_fiber_pool_give(pool, a.self);
    unsigned calls = 0;
    for (int again = 0; again < 3; again++) {
        gs_fiber *f = gs_fiber_pool_take(pool, count_through_room, main, &room);
        assert_ptr_equal(f, a.self);
        assert_ptr_equal(room, left_room);
        assert_null(*(void **)room);
        assert_false(gs_fiber_done(f));
        *(unsigned **)room = &calls;
        gs_fiber_switch(main, f);
        assert_true(gs_fiber_done(f));
        gs_fiber_pool_give(pool, f);
    }
    assert_int_equal(calls, 3);
    void *other = NULL;
    assert_non_null(gs_fiber_pool_take(pool, count_in_room, main, &room)); /* the given one */
    assert_non_null(gs_fiber_pool_take(pool, count_in_room, main, &other)); /* a new one */
    assert_ptr_equal(room, left_room);
    assert_ptr_not_equal(other, left_room);
    assert_int_equal(gs_fiber_pool_made(pool), 2);
    gs_fiber_pool_free(pool);
    gs_fiber_free(main);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_fibers_take_turns),
        cmocka_unit_test(test_many_fibers_keep_their_stacks),
        cmocka_unit_test(test_ending_starts_a_back_that_never_ran),
        cmocka_unit_test(test_many_switches_leave_no_frames_behind),
        cmocka_unit_test(test_running_past_the_stack_is_caught),
        cmocka_unit_test(test_a_fiber_within_its_stack_frees_quietly),
        cmocka_unit_test(test_pooled_fibers_each_get_their_room),
        cmocka_unit_test(test_pooled_fibers_spread_over_the_caches),
        cmocka_unit_test(test_pool_takes_back_given_fibers),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
