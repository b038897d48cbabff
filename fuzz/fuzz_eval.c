/* fuzz_eval.c - libFuzzer target: the eval loop on every program that
 * passes the verifier.  The verifier's promise is that a verified program
 * cannot make the loop read or jump out of bounds or overflow its stack;
 * this runs whatever the fuzzer finds, in small budgets (so stopping and
 * resuming is exercised) or budgets that cross the loop's chunks, answering
 * I/O with its token, with the breaker
 * set now and then, until it finishes, fails or has run long enough.
 * Beside it, the same program as plain code (no superinstructions,
 * fuse.h) runs the same budgets, as virtual time runs them (in one chunk
 * while the breaker is clear: gs_vm_run_unpolled): after every stop the
 * two must agree on why, where, the stack and the instruction count, or
 * the target aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "fuse.h"
#include "vm.h"

#define MAX_INSTRUCTIONS 200000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gs_program p;
    char err[GS_ERRMSG_MAX];
    if (gs_load_source((const char *)data, size, "fuzz.gsa", &p, err) != 0)
        return 0;
    static gs_vm vm, alone;
    int64_t args[3] = {3, 5, 7};
    gs_program plain = p;
    plain.fast = gs_interpreter_code(&p, false);
    /* gilsim gives main at most three arguments and refuses programs that want more */
    if (!plain.fast || p.funcs[p.main].nargs > 3 || gs_vm_init(&vm, &p, args, p.funcs[p.main].nargs, err) != 0 ||
        gs_vm_init(&alone, &plain, args, p.funcs[p.main].nargs, err) != 0) {
        free(plain.fast);
        gs_program_free(&p);
        return 0;
    }
    _Atomic int64_t shared[GS_MAX_SHARED], alone_shared[GS_MAX_SHARED];
    gs_vm_shared_init(&p, shared);
    gs_vm_shared_init(&p, alone_shared);
    vm.shared = shared;
    alone.shared = alone_shared;
    bool held[GS_MAX_ULOCKS] = {false};
    /* small budgets, or ones past gs_vm_run's chunk of 1,024 (vm_eval.c),
     * whose ends fall inside superinstructions' runs */
    uint64_t budget = size % 3 ? 1 + size % 97 : 1000 + size % 1500;
    for (int rounds = 0; vm.instructions < MAX_INSTRUCTIONS && rounds < 100000; rounds++) {
        if (rounds % 7 == 3) {
            gs_vm_set_breaker(&vm, 1);
            gs_vm_set_breaker(&alone, 1);
        }
        gs_stop why = gs_vm_run(&vm, budget);
        gs_stop alone_why = gs_vm_breaker(&alone) ? gs_vm_run(&alone, budget) : gs_vm_run_unpolled(&alone, budget);
        if (alone_why != why || alone.pc != vm.pc || alone.sp != vm.sp ||
            alone.instructions != vm.instructions || memcmp(alone.stack, vm.stack, vm.sp * sizeof vm.stack[0]) != 0 ||
            (why == GS_STOP_DONE && alone.result != vm.result) || strcmp(alone.error, vm.error) != 0) {
            fprintf(stderr, "superinstructions in chunks and plain code in one part at pc %u / %u\n", vm.pc, alone.pc);
            abort();
        }
        if (why == GS_STOP_DONE || why == GS_STOP_ERROR) {
            char trace[1024];
            gs_vm_format_error(&vm, trace, sizeof trace);
            break;
        }
        if (why == GS_STOP_IO) {
            gs_vm_complete(&vm, vm.io_arg);
            gs_vm_complete(&alone, vm.io_arg);
        }
        if (why == GS_STOP_NATIVE) { /* at most a little of the work: a fuzzer's numbers are large */
            int64_t r = gs_native_result(gs_native_work(vm.native_work, vm.native_work % 1000));
            gs_vm_complete(&vm, r);
            gs_vm_complete(&alone, r);
        }
        if (why == GS_STOP_LOCK) {
            char msg[GS_ERRMSG_MAX];
            if (gs_vm_lock_misuse(&vm, held, msg)) {
                gs_vm_raise(&vm, msg);
                gs_vm_format_error(&vm, msg, sizeof msg);
                break;
            }
            held[vm.ulock] = vm.request == GS_REQ_ACQUIRE;
            gs_vm_complete(&vm, 0);
            gs_vm_complete(&alone, 0);
        }
        if (why == GS_STOP_BREAK) {
            gs_vm_clear_breaker(&vm, 1);
            gs_vm_clear_breaker(&alone, 1);
        }
    }
    free(plain.fast);
    gs_program_free(&p);
    return 0;
}
