/* test_fuse.c - superinstructions (fuse.h): the fused code does what the
 * code as written does, instruction for instruction, stopped anywhere,
 * and the compiler's commonest runs are fused in the built-in programs. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "asm.h"
#include "fuse.h"
#include "vm.h"
#include "vm_helpers.h"

/* Runs p fused and as plain code side by side in budgets of `budget`:
 * after every stop the two must agree on why, where, how deep the stack
 * is and what is on it, and how many instructions ran; and at the end on
 * the result or the error and where it happened.  Returns the fused
 * state's final stop. */
static gs_stop run_both(gs_program *p, const int64_t *args, uint32_t nargs, uint64_t budget)
{
    gs_program plain = *p;
    plain.fast = gs_interpreter_code(p, false); /* the code as written */
    assert_non_null(plain.fast);
    static gs_vm fused, alone;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_vm_init(&fused, p, args, nargs, err), 0);
    assert_int_equal(gs_vm_init(&alone, &plain, args, nargs, err), 0);
    for (;;) {
        gs_stop a = gs_vm_run(&fused, budget), b = gs_vm_run(&alone, budget);
        if (a != b || fused.pc != alone.pc || fused.sp != alone.sp || fused.instructions != alone.instructions ||
            memcmp(fused.stack, alone.stack, fused.sp * sizeof fused.stack[0]) != 0)
            fail_msg("%s, budget %" PRIu64 ": fused stopped (%d) at pc %u, sp %u after %" PRIu64
                     " instructions; plain (%d) at pc %u, sp %u after %" PRIu64,
                     p->source, budget, a, fused.pc, fused.sp, fused.instructions, b, alone.pc, alone.sp,
                     alone.instructions);
        if (a == GS_STOP_IO) {
            gs_vm_complete(&fused, fused.io_arg);
            gs_vm_complete(&alone, alone.io_arg);
        } else if (a == GS_STOP_DONE || a == GS_STOP_ERROR) {
            assert_true(fused.result == alone.result);
            assert_string_equal(fused.error, alone.error);
            assert_int_equal(fused.error_pc, alone.error_pc);
            free(plain.fast);
            return a;
        } else if (a != GS_STOP_BUDGET && a != GS_STOP_YIELD) {
            fail_msg("%s: stopped with %d", p->source, a);
        }
    }
}

/* Every run of the table, a jump into the middle of one, a budget that
 * ends inside one, and an overflow inside one: the fused code does what
 * the plain code does, instruction for instruction; and the runs are
 * there (the commonest loop is one dispatch). */
static void test_superinstructions_do_what_their_runs_do(void **state)
{
    (void)state;
    static const char *const runs =
        ".overflow error\n"
        ".func echo 1 0\n"
        "    load 0\n ret\n"
        ".end\n"
        ".func main 2 3\n"
        "    jmp test\n"                        /* into the middle of inc+load+push+jgt */
        "body:\n"
        "    inc 0 -1\n load 0\n push 0\n jgt body\n"
        "test:\n"
        "    load 0\n push 0\n jgt body\n"
        "    load 1\n push 3\n jlt small\n"
        "    load 1\n push 9\n jge big\n"
        "    load 1\n push 5\n jle small\n"
        "small:\n"
        "    load 1\n push 1\n sub\n call echo\n store 2\n" /* a call's load+ret */
        "    load 1\n push 7\n add\n store 2\n"
        "    load 1\n push 2\n sub\n store 3\n"
        "    load 2\n load 3\n mul\n store 4\n"
        "big:\n"
        "    load 4\n load 1\n push 9223372036854775807\n add\n" /* overflows for local 1 > 0 */
        "    add\n ret\n"
        ".end\n";
    gs_program p = vm_load(runs);
    bool seen[GS_FUSED_COUNT] = {false};
    for (uint32_t pc = 0; pc < p.ncode; pc += gs_instruction_length(p.code[pc]))
        if (gs_fused_at(&p, pc))
            seen[gs_fused_at(&p, pc) - gs_fused_table] = true;
    for (int k = 0; k < GS_FUSED_COUNT; k++)
        if (!seen[k])
            fail_msg("%s: the program has no %s", p.source, gs_fused_table[k].name);
    for (int64_t n = -1; n <= 10; n++)
        for (uint64_t budget = 1; budget <= 6; budget++) {
            int64_t args[2] = {4, n};
            gs_stop s = run_both(&p, args, 2, budget);
            assert_int_equal(s, n > 0 ? GS_STOP_ERROR : GS_STOP_DONE);
        }
    gs_program_free(&p);

    /* An overflow in a run's first or third instruction: the instructions
     * after it were not run, and are not counted (fuzz_eval, 2026-12-06:
     * add+ret counted its ret). */
    static const char *const overflows[] = {
        ".overflow error\n.func main 0\n push 9223372036854775807\n push 1\n add\n ret\n.end\n", /* add+ret */
        ".overflow error\n.func main 0 1\n push -9223372036854775807\n store 0\n"            /* inc+load+push+jgt */
        "again:\n inc 0 -2\n load 0\n push 0\n jgt again\n load 0\n ret\n.end\n",
        ".overflow error\n.func f 1 0\n load 0\n ret\n.end\n"                               /* load+push+sub+call */
        ".func main 0 1\n push -9223372036854775807\n store 0\n load 0\n push 2\n sub\n call f\n ret\n.end\n",
    };
    for (size_t i = 0; i < sizeof overflows / sizeof overflows[0]; i++) {
        p = vm_load(overflows[i]);
        for (uint64_t budget = 1; budget <= 6; budget++)
            assert_int_equal(run_both(&p, NULL, 0, budget), GS_STOP_ERROR);
        gs_program_free(&p);
    }

    static const struct {
        const char *file;
        int64_t args[3];
        const char *fused; /* a superinstruction the program must have */
    } progs[] = {
        {"countdown.gsa", {3, 4, 50}, "inc+load+push+jgt"},
        {"fib.gsa", {0, 3, 12}, "load+push+jlt"},
        {"primes.gsa", {2, 3, 100}, NULL},
    };
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        char path[512], err[GS_ERRMSG_MAX];
        snprintf(path, sizeof path, "%s/workloads/programs/%s", GS_SOURCE_DIR, progs[i].file);
        if (gs_load_file(path, &p, err) != 0)
            fail_msg("%s", err);
        bool found = !progs[i].fused;
        for (uint32_t pc = 0; pc < p.ncode; pc += gs_instruction_length(p.code[pc]))
            found |= progs[i].fused && gs_fused_at(&p, pc) && strcmp(gs_fused_at(&p, pc)->name, progs[i].fused) == 0;
        if (!found)
            fail_msg("%s has no %s", progs[i].file, progs[i].fused);
        for (uint64_t budget = 1; budget <= 5; budget++)
            assert_int_equal(run_both(&p, progs[i].args, 3, budget), GS_STOP_DONE);
        assert_int_equal(run_both(&p, progs[i].args, 3, UINT64_MAX), GS_STOP_DONE);
        gs_program_free(&p);
    }
}

/* Budgets past gs_vm_run's chunk of 1,024 instructions (vm_eval.c), at
 * every phase of countdown's four-instruction loop: a chunk that ends
 * inside the loop's one superinstruction ends early, before it (vm_loop.inc,
 * FIRST_ALONE), and only the budget's last chunk ends exactly; either way
 * the fused code stops where the plain code does, every instruction
 * counted once. */
static void test_chunks_end_between_runs(void **state)
{
    (void)state;
    char path[512], err[GS_ERRMSG_MAX];
    gs_program p;
    snprintf(path, sizeof path, "%s/workloads/programs/countdown.gsa", GS_SOURCE_DIR);
    if (gs_load_file(path, &p, err) != 0)
        fail_msg("%s", err);
    const int64_t args[3] = {0, 2, 3000}; /* two units of 3,000: 24,000 instructions and more */
    for (uint64_t budget = 1021; budget <= 1029; budget++)
        assert_int_equal(run_both(&p, args, 3, budget), GS_STOP_DONE);
    assert_int_equal(run_both(&p, args, 3, 5000), GS_STOP_DONE);
    assert_int_equal(run_both(&p, args, 3, UINT64_MAX), GS_STOP_DONE);
    gs_program_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_superinstructions_do_what_their_runs_do),
        cmocka_unit_test(test_chunks_end_between_runs),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
