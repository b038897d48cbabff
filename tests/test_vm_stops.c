/* test_vm_stops.c - what the eval loop stops for and hands its caller:
 * an I/O request and its result, a yield, shared variables, a native
 * call, user locks.  The instructions themselves are test_vm.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "vm.h"
#include "vm_helpers.h"

static void test_io_request_and_resume(void **state)
{
    (void)state;
    gs_program p = vm_load(".func main 0\n push 5\n io pipe\n push 1\n add\n ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_IO);
    assert_int_equal(vm.io_kind, GS_IO_PIPE);
    assert_int_equal(vm.io_arg, 5);
    /* not resumable until the result is delivered */
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_IO);
    gs_vm_complete(&vm, 41);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_DONE);
    assert_int_equal(vm.result, 42);
    assert_int_equal(vm.instructions, 5);
    gs_program_free(&p);
}

static void test_yield(void **state)
{
    (void)state;
    gs_program p = vm_load(".func main 0 1\nloop:\n yield\n inc 0 1\n load 0\n push 3\n jlt loop\n load 0\n ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    unsigned yields = 0;
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
    assert_int_equal(vm_run_all(&vm, UINT64_MAX, NULL, &yields), GS_STOP_DONE);
    assert_int_equal(yields, 3);
    assert_int_equal(vm.result, 3);
    gs_program_free(&p);
}

/* gload and gstore read and write the table the runner gives; without one
 * they are a runtime error, never a crash. */
static void test_shared_variables(void **state)
{
    (void)state;
    gs_program p = vm_load(".shared a 5\n.shared b\n.func main 0\n gload a\n push 2\n mul\n gstore b\n gload b\n"
                        " ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    _Atomic int64_t table[2];
    atomic_init(&table[0], p.shared[0].init);
    atomic_init(&table[1], p.shared[1].init);
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
    vm.shared = table;
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_DONE);
    assert_int_equal(vm.result, 10);
    assert_int_equal(atomic_load(&table[1]), 10);
    assert_int_equal(vm.instructions, 6);
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0); /* no table */
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_ERROR);
    char trace[256];
    gs_vm_format_error(&vm, trace, sizeof trace);
    assert_string_equal(trace, "shared variable a: this interpreter was given none\n  at main (t.gsa:4)");
    gs_program_free(&p);
}

/* native pops its size, stops for the caller, and pushes what the caller
 * delivers; the work is the same in one piece or in several. */
static void test_native_call(void **state)
{
    (void)state;
    gs_program p = vm_load(".func main 0\n push 1000\n native\n push 1\n add\n ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_NATIVE);
    assert_int_equal(vm.native_work, 1000);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_NATIVE); /* not resumable before its result */
    int64_t result = gs_native_result(gs_native_work(1000, 1000));
    assert_true(gs_native_work(gs_native_work(1000, 300), 700) == gs_native_work(1000, 1000));
    gs_vm_complete(&vm, result);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_DONE);
    assert_int_equal(vm.result, result + 1);
    bool held[GS_MAX_ULOCKS] = {false};
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
    assert_int_equal(gs_vm_run_alone(&vm, held), GS_STOP_DONE);
    assert_int_equal(vm.result, result + 1);
    gs_program_free(&p);
    p = vm_load(".func main 0\n push -1\n native\n ret\n.end\n");
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_ERROR);
    assert_string_equal(vm.error, "native call of -1 units: give 0 or more");
    gs_program_free(&p);
}

/* acquire and release stop for the caller with the lock's index; a lone
 * thread releasing a lock it does not hold, or taking one it holds, fails
 * with the instruction's line. */
static void test_user_lock_requests(void **state)
{
    (void)state;
    gs_program p = vm_load(".lock a\n.lock b\n.func main 0\n acquire b\n release b\n push 7\n ret\n.end\n");
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_LOCK);
    assert_int_equal(vm.request, GS_REQ_ACQUIRE);
    assert_int_equal(vm.ulock, 1);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_LOCK); /* not resumable before it is granted */
    gs_vm_complete(&vm, 0);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_LOCK);
    assert_int_equal(vm.request, GS_REQ_RELEASE);
    gs_vm_complete(&vm, 0);
    assert_int_equal(gs_vm_run(&vm, UINT64_MAX), GS_STOP_DONE);
    assert_int_equal(vm.result, 7);
    gs_program_free(&p);
    static const struct {
        const char *src, *trace;
    } misuse[] = {
        {".lock a\n.func main 0\n push 1\n pop\n release a\n push 0\n ret\n.end\n",
         "release a: this thread does not hold it\n  at main (t.gsa:5)"},
        {".lock a\n.func f 0\n acquire a\n push 0\n ret\n.end\n.func main 0\n acquire a\n call f\n ret\n.end\n",
         "acquire a: this thread holds it already, and would wait for itself forever\n  at f (t.gsa:3)\n"
         "  at main (t.gsa:9)"},
    };
    for (size_t i = 0; i < sizeof misuse / sizeof misuse[0]; i++) {
        p = vm_load(misuse[i].src);
        bool held[GS_MAX_ULOCKS] = {false};
        assert_int_equal(gs_vm_init(&vm, &p, NULL, 0, err), 0);
        assert_int_equal(gs_vm_run_alone(&vm, held), GS_STOP_ERROR);
        char trace[512];
        gs_vm_format_error(&vm, trace, sizeof trace);
        assert_string_equal(trace, misuse[i].trace);
        gs_program_free(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_request_and_resume),
        cmocka_unit_test(test_yield),
        cmocka_unit_test(test_shared_variables),
        cmocka_unit_test(test_native_call),
        cmocka_unit_test(test_user_lock_requests),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
