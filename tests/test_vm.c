/* test_vm.c - the eval loop: every instruction, errors, single steps, the
 * eval breaker, two states on two threads, golden programs.  What it
 * stops for and hands its caller (I/O, a yield, shared variables, a
 * native call, user locks) is test_vm_stops.c's; superinstructions are
 * test_fuse.c's. */
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "testdir.h"

#include "asm.h"
#include "vm.h"
#include "vm_helpers.h"

static int64_t eval(const char *src, const int64_t *args, uint32_t nargs)
{
    gs_program p = vm_load(src);
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_vm_init(&vm, &p, args, nargs, err), 0);
    gs_stop s = vm_run_all(&vm, UINT64_MAX, NULL, NULL);
    if (s != GS_STOP_DONE)
        fail_msg("stopped with %d: %s", s, vm.error);
    gs_program_free(&p);
    return vm.result;
}

/* ---- every instruction ---------------------------------------------------- */

static void test_binary_ops(void **state)
{
    (void)state;
    static const struct {
        const char *op;
        int64_t a, b, want;
    } cases[] = {
        {"add", 7, 3, 10}, {"add", INT64_MAX, 1, INT64_MIN},
        {"sub", 7, 3, 4}, {"sub", INT64_MIN, 1, INT64_MAX},
        {"mul", -7, 3, -21}, {"mul", INT64_MAX, 2, -2},
        {"div", 7, 2, 3}, {"div", -7, 2, -3}, {"div", INT64_MIN, -1, INT64_MIN}, {"div", 9, -3, -3},
        {"mod", 7, 3, 1}, {"mod", -7, 2, -1}, {"mod", 7, -2, 1}, {"mod", INT64_MIN, -1, 0},
        {"eq", 3, 3, 1}, {"eq", 3, 4, 0}, {"ne", 3, 4, 1}, {"ne", 3, 3, 0},
        {"lt", -1, 0, 1}, {"lt", 0, 0, 0}, {"le", 0, 0, 1}, {"le", 1, 0, 0},
        {"gt", 1, 0, 1}, {"gt", 0, 0, 0}, {"ge", 0, 0, 1}, {"ge", -1, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char src[256];
        snprintf(src, sizeof src, ".func main 0\n push %" PRId64 "\n push %" PRId64 "\n %s\n ret\n.end\n",
                 cases[i].a, cases[i].b, cases[i].op);
        int64_t got = eval(src, NULL, 0);
        if (got != cases[i].want)
            fail_msg("%" PRId64 " %s %" PRId64 ": got %" PRId64 ", want %" PRId64, cases[i].a, cases[i].op,
                     cases[i].b, got, cases[i].want);
    }
}

static void test_conditional_jumps(void **state)
{
    (void)state;
    static const struct {
        const char *op;
        int64_t a, b, taken;
    } cases[] = {
        {"jlt", 1, 2, 1}, {"jlt", 2, 2, 0}, {"jle", 2, 2, 1}, {"jle", 3, 2, 0},
        {"jgt", 3, 2, 1}, {"jgt", 2, 2, 0}, {"jge", 2, 2, 1}, {"jge", 1, 2, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char src[256];
        snprintf(src, sizeof src,
                 ".func main 0\n push %" PRId64 "\n push %" PRId64 "\n %s yes\n push 0\n ret\nyes:\n push 1\n ret\n.end\n",
                 cases[i].a, cases[i].b, cases[i].op);
        assert_int_equal(eval(src, NULL, 0), cases[i].taken);
    }
    const char *jz = ".func main 1\n load 0\n jz zero\n push 10\n ret\nzero:\n push 20\n ret\n.end\n";
    const char *jnz = ".func main 1\n load 0\n jnz nz\n push 10\n ret\nnz:\n push 20\n ret\n.end\n";
    int64_t zero = 0, five = 5;
    assert_int_equal(eval(jz, &zero, 1), 20);
    assert_int_equal(eval(jz, &five, 1), 10);
    assert_int_equal(eval(jnz, &zero, 1), 10);
    assert_int_equal(eval(jnz, &five, 1), 20);
}

static void test_stack_and_locals(void **state)
{
    (void)state;
    /* (a - b) with swap; dup; pop; store/load; inc with negative immediate; neg */
    const char *src =
        ".func main 2 1\n"
        "    load 0\n    load 1\n    swap\n    sub\n"   /* b - a = 3 - 10 = -7 */
        "    dup\n    add\n"                            /* -14 */
        "    push 99\n    pop\n"
        "    store 2\n    inc 2 -6\n"                   /* -20 */
        "    load 2\n    neg\n    ret\n.end\n";         /* 20 */
    int64_t args[2] = {10, 3};
    assert_int_equal(eval(src, args, 2), 20);
}

static void test_call_ret_recursion(void **state)
{
    (void)state;
    const char *src =
        ".func sum3 3\n load 0\n load 1\n add\n load 2\n add\n ret\n.end\n"
        ".func main 0\n push 1\n push 2\n push 3\n call sum3\n push 4\n add\n ret\n.end\n";
    assert_int_equal(eval(src, NULL, 0), 10);
}

static void test_locals_start_at_zero(void **state)
{
    (void)state;
    /* f's extra local must be 0 even though the stack slot held a value before */
    const char *src =
        ".func f 0 1\n load 0\n ret\n.end\n"
        ".func g 0 1\n push 77\n store 0\n push 0\n ret\n.end\n"
        ".func main 0\n call g\n pop\n call f\n ret\n.end\n";
    assert_int_equal(eval(src, NULL, 0), 0);
}

/* ---- runtime errors --------------------------------------------------------- */

static void expect_error(const char *src, const char *message, const char *trace)
{
    gs_program p = vm_load(src);
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
    assert_int_equal(vm_run_all(&vm, UINT64_MAX, NULL, NULL), GS_STOP_ERROR);
    assert_string_equal(vm.error, message);
    char buf[1024];
    gs_vm_format_error(&vm, buf, sizeof buf);
    assert_string_equal(buf, trace);
    /* a failed state stays failed */
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_ERROR);
    gs_program_free(&p);
}

static void test_runtime_errors(void **state)
{
    (void)state;
    expect_error(".func f 1\n push 1\n load 0\n div\n ret\n.end\n.func main 0\n push 0\n call f\n ret\n.end\n",
                 "division by zero", "division by zero\n  at f (t.gsa:4)\n  at main (t.gsa:9)");
    expect_error(".func main 0\n push 1\n push 0\n mod\n ret\n.end\n", "modulo by zero",
                 "modulo by zero\n  at main (t.gsa:4)");
}

/* Arithmetic past 64 bits wraps, unless the program says .overflow error:
 * then it stops with the operands named, and results that just fit do not. */
static void test_integer_overflow(void **state)
{
    (void)state;
    static const struct {
        const char *code; /* leaves one value */
        int64_t wrapped;  /* without .overflow error */
        const char *message;
        uint32_t line; /* of the instruction that overflows, after .overflow and .func */
    } cases[] = {
        {" push 9223372036854775807\n push 1\n add", INT64_MIN, "9223372036854775807 + 1", 5},
        {" push -9223372036854775808\n push 1\n sub", INT64_MAX, "-9223372036854775808 - 1", 5},
        {" push 4611686018427387904\n push 2\n mul", INT64_MIN, "4611686018427387904 * 2", 5},
        {" push -9223372036854775808\n push -1\n div", INT64_MIN, "0 - -9223372036854775808", 5},
        {" push -9223372036854775808\n neg", INT64_MIN, "0 - -9223372036854775808", 4},
        {" push 9223372036854775800\n store 0\n inc 0 8\n load 0", INT64_MIN, "9223372036854775800 + 8", 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char src[512], message[256], trace[512];
        snprintf(src, sizeof src, ".func main 0 1\n%s\n ret\n.end\n", cases[i].code);
        assert_true(eval(src, NULL, 0) == cases[i].wrapped);
        snprintf(src, sizeof src, ".overflow error\n.func main 0 1\n%s\n ret\n.end\n", cases[i].code);
        snprintf(message, sizeof message, "integer overflow: %s does not fit in 64 bits", cases[i].message);
        snprintf(trace, sizeof trace, "%s\n  at main (t.gsa:%u)", message, cases[i].line);
        expect_error(src, message, trace);
    }
    /* the largest results that fit */
    assert_true(eval(".overflow error\n.func main 0\n push 9223372036854775806\n push 1\n add\n ret\n.end\n", NULL,
                     0) == INT64_MAX);
    assert_true(eval(".overflow error\n.func main 0\n push -9223372036854775807\n push 1\n sub\n ret\n.end\n",
                     NULL, 0) == INT64_MIN);
    assert_true(eval(".overflow error\n.func main 0\n push 9223372036854775807\n neg\n ret\n.end\n", NULL, 0) ==
                -INT64_MAX);
    assert_true(eval(".overflow error\n.func main 0\n push -9223372036854775807\n push -1\n div\n ret\n.end\n",
                     NULL, 0) == INT64_MAX);
    assert_true(eval(".overflow wrap\n.func main 0\n push -9223372036854775807\n push -2\n sub\n push 3\n add\n "
                     "ret\n.end\n", NULL, 0) == -INT64_MAX + 5);
}

static void test_stack_overflow(void **state)
{
    (void)state;
    gs_program p = vm_load(".func down 1\n load 0\n call down\n ret\n.end\n.func main 0\n push 1\n call down\n ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
    assert_int_equal(vm_run_all(&vm, UINT64_MAX, NULL, NULL), GS_STOP_ERROR);
    char want[64];
    snprintf(want, sizeof want, "stack overflow: call depth %u is too deep", GS_VM_FRAMES);
    assert_string_equal(vm.error, want); /* the frames ran out first: 3 values a frame fit the stack */
    assert_int_equal(vm.nframes, GS_VM_FRAMES);
    gs_program_free(&p);
}

static void test_init_checks(void **state)
{
    (void)state;
    gs_program p = vm_load(".func main 2\n load 0\n ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    int64_t one = 1;
    assert_int_equal(gs_vm_init(&vm, &p, &one, 1, err), -1);
    assert_string_equal(err, "t.gsa: main takes 2 arguments, 1 given");
    p.verified = false;
    int64_t two[2] = {1, 2};
    assert_int_equal(gs_vm_init(&vm, &p, two, 2, err), -1);
    assert_string_equal(err, "t.gsa: program was not verified");
    gs_program_free(&p);
}

/* ---- budget, breaker ------------------------------------------------------ */

/* Every built-in program, stepped one instruction at a time, gives the same
 * result, instruction count and I/O count as a run in one go. */
static void test_single_steps_match(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int64_t args[3];
    } progs[] = {
        {"countdown.gsa", {3, 4, 50}},
        {"fib.gsa", {0, 3, 12}},
        {"primes.gsa", {2, 3, 100}},
    };
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        char path[512], err[GS_ERRMSG_MAX];
        snprintf(path, sizeof path, "%s/workloads/programs/%s", GS_SOURCE_DIR, progs[i].file);
        gs_program p;
        if (gs_load_file(path, &p, err) != 0)
            fail_msg("%s", err);
        static gs_vm whole, step;
        assert_int_equal(gs_vm_init(&whole, &p, progs[i].args, 3, err), 0);
        assert_int_equal(gs_vm_init(&step, &p, progs[i].args, 3, err), 0);
        assert_int_equal(vm_run_all(&whole, UINT64_MAX, NULL, NULL), GS_STOP_DONE);
        unsigned budget_stops = 0;
        gs_stop s;
        while ((s = gs_vm_run(&step, 1)) == GS_STOP_BUDGET)
            budget_stops++;
        assert_int_equal(s, GS_STOP_DONE);
        assert_true(whole.result == step.result);
        assert_true(whole.instructions == step.instructions);
        assert_int_equal(budget_stops, step.instructions - 1);
        gs_program_free(&p);
    }
}

static void test_io_program_single_steps(void **state)
{
    (void)state;
    gs_program p = vm_load(".func main 1 1\nloop:\n load 0\n io sleep\n load 1\n add\n store 1\n inc 0 -1\n"
                        " load 0\n push 0\n jgt loop\n load 1\n ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    int64_t n = 6;
    unsigned ios = 0;
    assert_int_equal(gs_vm_init(&vm, &p, &n, 1, err), 0);
    assert_int_equal(vm_run_all(&vm, 1, &ios, NULL), GS_STOP_DONE);
    assert_int_equal(ios, 6);
    assert_int_equal(vm.result, 6 + 5 + 4 + 3 + 2 + 1);
    gs_program_free(&p);
}

static void test_breaker_at_back_edge(void **state)
{
    (void)state;
    gs_program p = vm_load(".func main 1\n jmp test\nbody:\n inc 0 -1\ntest:\n load 0\n push 0\n jgt body\n load 0\n ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    int64_t n = 1000;
    assert_int_equal(gs_vm_init(&vm, &p, &n, 1, err), 0);
    gs_vm_set_breaker(&vm, 1);
    /* every taken jump polls: first the jmp to test, then the jgt back-edge */
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_BREAK);
    assert_int_equal(vm.instructions, 1);
    assert_int_equal(vm.pc, 5); /* at test: the jump was taken */
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_BREAK);
    assert_int_equal(vm.instructions, 4);
    assert_int_equal(vm.pc, 2); /* at body */
    gs_vm_clear_breaker(&vm, 1);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_DONE);
    assert_int_equal(vm.result, 0);
    assert_int_equal(vm.instructions, 1 + 3 * 1001 + 1000 + 2); /* jmp, tests, bodies, exit */
    gs_program_free(&p);
}

static void test_breaker_at_call(void **state)
{
    (void)state;
    gs_program p = vm_load(".func f 0\n push 7\n ret\n.end\n.func main 0\n call f\n ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
    gs_vm_set_breaker(&vm, 4);
    assert_int_equal(gs_vm_breaker(&vm), 4);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_BREAK);
    assert_int_equal(vm.nframes, 2); /* stopped on entering f */
    gs_vm_clear_breaker(&vm, 4);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_DONE);
    assert_int_equal(vm.result, 7);
    gs_program_free(&p);
}

/* A loop with no end: push, then a taken jnz back to it (at 0). */
#define ENDLESS_LOOP ".func main 0\nloop:\n push 1\n jnz loop\n push 0\n ret\n.end\n"

/* gs_vm_run_unpolled never looks at the breaker, and with it clear does
 * what gs_vm_run does, to the instruction. */
static void test_unpolled_ignores_the_breaker(void **state)
{
    (void)state;
    gs_program p = vm_load(ENDLESS_LOOP);
    static gs_vm polled, unpolled;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_vm_init(&polled, &p, NULL, 0, err), 0);
    assert_int_equal(gs_vm_init(&unpolled, &p, NULL, 0, err), 0);
    for (uint64_t budget = 1; budget < 40; budget += 7) {
        assert_int_equal(gs_vm_run(&polled, budget), GS_STOP_BUDGET);
        assert_int_equal(gs_vm_run_unpolled(&unpolled, budget), GS_STOP_BUDGET);
        assert_int_equal(unpolled.instructions, polled.instructions);
        assert_int_equal(unpolled.pc, polled.pc);
        assert_int_equal(unpolled.sp, polled.sp);
    }
    gs_vm_set_breaker(&unpolled, 1);
    assert_int_equal(gs_vm_run_unpolled(&unpolled, 1000), GS_STOP_BUDGET);
    assert_int_equal(unpolled.instructions, polled.instructions + 1000);
    gs_program_free(&p);
}

/* gs_vm_run looks at the breaker where a chunk of 1,024 instructions
 * ends; with it clear, budgets that cross chunks' ends (and the end of a
 * superinstruction's run there: inc+load+push+jgt is 4) stop where
 * gs_vm_run_unpolled's do, to the instruction, and so does the result. */
static void test_chunks_count_exactly(void **state)
{
    (void)state;
    gs_program p = vm_load(".func main 1\n jmp test\nbody:\n inc 0 -1\ntest:\n load 0\n push 0\n jgt body\n"
                           " load 0\n ret\n.end\n");
    static gs_vm polled, unpolled;
    char err[GS_ERRMSG_MAX];
    int64_t n = 20000;
    assert_int_equal(gs_vm_init(&polled, &p, &n, 1, err), 0);
    assert_int_equal(gs_vm_init(&unpolled, &p, &n, 1, err), 0);
    const uint64_t budgets[] = {1023, 1, 1025, 2050, 3001, 7, 4097};
    gs_stop a = GS_STOP_BUDGET, b = GS_STOP_BUDGET;
    for (unsigned i = 0; a == GS_STOP_BUDGET; i++) {
        uint64_t budget = budgets[i % (sizeof budgets / sizeof budgets[0])];
        a = gs_vm_run(&polled, budget);
        b = gs_vm_run_unpolled(&unpolled, budget);
        assert_int_equal(a, b);
        assert_int_equal(polled.instructions, unpolled.instructions);
        assert_int_equal(polled.pc, unpolled.pc);
        assert_int_equal(polled.sp, unpolled.sp);
    }
    assert_int_equal(a, GS_STOP_DONE);
    assert_int_equal(polled.result, 0);
    assert_int_equal(polled.instructions, 1 + 3 * (n + 1) + n + 2); /* jmp, tests, bodies, exit */
    gs_program_free(&p);
}

typedef struct {
    gs_vm *vm;
    _Atomic bool running;
} breaker_setter;

static void *set_breaker_later(void *arg)
{
    breaker_setter *s = arg;
    while (!atomic_load(&s->running))
        ;
    struct timespec ms = {0, 1000 * 1000};
    nanosleep(&ms, NULL); /* most likely inside the run by now; before it is fine too */
    gs_vm_set_breaker(s->vm, 1);
    return NULL;
}

/* A breaker another thread sets while a run has an endless budget stops
 * the run, at a back-edge (the only poll point of this loop), not where
 * the chunk in which it was seen ended: the loop is 3 instructions, so
 * chunks of 1,024 end at each of them in turn, and a run stopped where
 * one ended would be at the loop's head once in 3 (hence 6 runs). */
static void test_breaker_set_during_a_run(void **state)
{
    (void)state;
    gs_program p = vm_load(".func main 0\nloop:\n push 1\n neg\n jnz loop\n push 0\n ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    for (int run = 0; run < 6; run++) {
        assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
        breaker_setter s = {.vm = &vm};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, set_breaker_later, &s), 0);
        atomic_store(&s.running, true);
        gs_stop why = gs_vm_run(&vm, UINT64_MAX);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(why, GS_STOP_BREAK);
        assert_int_equal(vm.pc, 0); /* at loop: the jnz was taken */
        assert_int_equal(vm.instructions % 3, 0);
    }
    gs_program_free(&p);
}

/* ---- two states at once on two threads ----------------------------------- */

typedef struct {
    const gs_program *p;
    int64_t n;
    int64_t result;
    gs_stop stop;
    uint64_t breaks;
} fib_job;

static void *fib_thread(void *arg)
{
    fib_job *job = arg;
    gs_vm *vm = gs_vm_new();
    char err[GS_ERRMSG_MAX];
    int64_t args[3] = {0, 1, job->n};
    job->stop = GS_STOP_ERROR;
    if (vm && gs_vm_init(vm, job->p, args, 3, err) == 0) {
        /* small budgets so both threads interleave many times */
        while ((job->stop = gs_vm_run(vm, 1000)) == GS_STOP_BUDGET)
            job->breaks++;
        job->result = vm->result;
    }
    gs_vm_free(vm);
    return NULL;
}

/* The built-in fib program, from its file. */
static gs_program load_fib(void)
{
    char path[512], err[GS_ERRMSG_MAX];
    snprintf(path, sizeof path, "%s/workloads/programs/fib.gsa", GS_SOURCE_DIR);
    gs_program p;
    if (gs_load_file(path, &p, err) != 0)
        fail_msg("%s", err);
    return p;
}

static void test_two_states_two_threads(void **state)
{
    (void)state;
    gs_program p = load_fib();
    fib_job jobs[2] = {{.p = &p, .n = 22}, {.p = &p, .n = 23}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, fib_thread, &jobs[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(jobs[0].stop, GS_STOP_DONE);
    assert_int_equal(jobs[1].stop, GS_STOP_DONE);
    assert_int_equal(jobs[0].result, 17711); /* fib(22) + unit index 0 */
    assert_int_equal(jobs[1].result, 28657);
    assert_true(jobs[0].breaks > 10 && jobs[1].breaks > 10);
    gs_program_free(&p);
}

/* A state's first frames and values lie in the state itself (vm.h): a
 * run that never calls deeper allocates nothing more; one that does
 * moves them to the heap mid-run, in a budget's middle, and keeps what
 * they held; freeing frees whichever they are (the sanitizer builds would
 * see a leak or a bad free). */
static void test_a_state_starts_in_its_own_room(void **state)
{
    (void)state;
    char err[GS_ERRMSG_MAX];
    gs_program p = load_fib();
    gs_vm *vm = gs_vm_new();
    assert_non_null(vm);
    int64_t args[3] = {0, 1, 1}; /* fib(1): no call past the first frames */
    assert_int_equal(gs_vm_init(vm, &p, args, 3, err), 0);
    assert_ptr_equal(vm->frames, vm->first_frames);
    assert_ptr_equal(vm->stack, vm->first_values);
    assert_int_equal(gs_vm_run(vm, UINT64_MAX), GS_STOP_DONE);
    assert_ptr_equal(vm->frames, vm->first_frames);
    args[2] = 22;
    assert_int_equal(gs_vm_init(vm, &p, args, 3, err), 0);
    while (gs_vm_run(vm, 37) == GS_STOP_BUDGET)
        ;
    assert_int_equal(vm->result, 17711);
    assert_ptr_not_equal(vm->frames, vm->first_frames);
    assert_ptr_not_equal(vm->stack, vm->first_values);
    gs_vm_free(vm);
    gs_program_free(&p);
}

/* States from one block (gs_vm_new_many) are as many states: run in
 * turns, a budget at a time, each keeps its own stack and frames, those
 * that outgrow their room move to the heap alone, and the block frees
 * them (AddressSanitizer's leak check sees the rest). */
static void test_states_in_one_block(void **state)
{
    (void)state;
    enum { N = 5 };
    char err[GS_ERRMSG_MAX];
    gs_program p = load_fib();
    assert_null(gs_vm_new_many(0));
    gs_vm *vms = gs_vm_new_many(N);
    assert_non_null(vms);
    static const int64_t n[N] = {1, 22, 2, 20, 10}, want[N] = {1, 17711, 1, 6765, 55};
    for (int i = 0; i < N; i++) {
        assert_true((uintptr_t)&vms[i] % 64 == 0); /* each breaker on a line of its own */
        int64_t args[3] = {0, 1, n[i]};
        assert_int_equal(gs_vm_init(&vms[i], &p, args, 3, err), 0);
    }
    for (bool running = true; running;) {
        running = false;
        for (int i = 0; i < N; i++)
            if (!vms[i].done)
                running |= gs_vm_run(&vms[i], 53) == GS_STOP_BUDGET;
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(vms[i].result, want[i]);
        assert_int_equal(vms[i].frames == vms[i].first_frames, n[i] <= 2); /* fib(1) and fib(2) call no deeper */
    }
    gs_vm_free_many(vms, N);
    gs_program_free(&p);
}

/* ---- golden programs: the .gsa files of tests/programs, with "; args:" and "; expect:" -- */

static void test_golden_programs(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/programs", GS_SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int ran = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".gsa") != 0)
            continue;
        char path[1024], line[256], err[GS_ERRMSG_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        int64_t args[8];
        uint32_t nargs = 0;
        int64_t want = 0;
        int have_expect = 0;
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "; args:", 7) == 0) {
                char *p = line + 7, *end;
                for (int64_t v; nargs < 8 && (v = strtoll(p, &end, 10), end != p); p = end)
                    args[nargs++] = v;
            } else if (strncmp(line, "; expect:", 9) == 0) {
                want = strtoll(line + 9, NULL, 10);
                have_expect = 1;
            }
        }
        fclose(f);
        assert_true(have_expect);
        gs_program p;
        if (gs_load_file(path, &p, err) != 0)
            fail_msg("%s", err);
        static gs_vm vm;
        assert_int_equal(gs_vm_init(&vm, &p, args, nargs, err), 0);
        assert_int_equal(vm_run_all(&vm, UINT64_MAX, NULL, NULL), GS_STOP_DONE);
        if (vm.result != want)
            fail_msg("%s: got %" PRId64 ", want %" PRId64, e->d_name, vm.result, want);
        gs_program_free(&p);
        ran++;
    }
    closedir(d);
    assert_true(ran >= 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_ops),
        cmocka_unit_test(test_conditional_jumps),
        cmocka_unit_test(test_stack_and_locals),
        cmocka_unit_test(test_call_ret_recursion),
        cmocka_unit_test(test_locals_start_at_zero),
        cmocka_unit_test(test_runtime_errors),
        cmocka_unit_test(test_integer_overflow),
        cmocka_unit_test(test_stack_overflow),
        cmocka_unit_test(test_init_checks),
        cmocka_unit_test(test_single_steps_match),
        cmocka_unit_test(test_io_program_single_steps),
        cmocka_unit_test(test_breaker_at_back_edge),
        cmocka_unit_test(test_breaker_at_call),
        cmocka_unit_test(test_breaker_set_during_a_run),
        cmocka_unit_test(test_unpolled_ignores_the_breaker),
        cmocka_unit_test(test_chunks_count_exactly),
        cmocka_unit_test(test_two_states_two_threads),
        cmocka_unit_test(test_a_state_starts_in_its_own_room),
        cmocka_unit_test(test_states_in_one_block),
        cmocka_unit_test(test_golden_programs),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
