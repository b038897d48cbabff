/* vm_eval.c - the eval loop: the one long function of gilsim.
 *
 * DESIGN
 * The program counter, stack pointer and frame pointer live in locals (so in
 * registers) and are written back to the gs_vm only when the loop stops.  No
 * instruction checks bounds: the verifier proved them (verify.h), except the
 * depth of recursion, which call checks against the room left.
 *
 * Dispatch is computed goto where the compiler has it (one indirect jump per
 * instruction, which branch predictors learn per opcode), and a switch
 * otherwise; both come from the same VM_CASE bodies, and -DGS_VM_SWITCH=1
 * forces the switch (Lua's lvm.c does the same).  The suite runs test_vm
 * on both (test_vm_portable), and CI builds all of gilsim on the switch
 * once (GILSIM_VM_SWITCH), so neither rots.
 *
 * Superinstructions (fuse.h) run from the program's interpreter copy of
 * its code, where the first instruction of a common run has the run's
 * opcode: one dispatch does the run, if the budget has room for all of it,
 * and counts each of its instructions; otherwise it does the first alone.
 *
 * The instruction budget is one counter decremented per instruction,
 * run in chunks of GS_VM_CHUNK (1,024) instructions.  The eval breaker is
 * looked at where a chunk ends, which the count must test for anyway, so
 * that the loop pays for the breaker one branch mispredicted a chunk, not
 * a load at every back-edge.  Once it is seen set, gs_vm_run goes on in a
 * second copy of the loop (vm_loop.inc is compiled twice) that polls where
 * CPython polls, at every taken jump (loops' back-edges among them) and
 * function entry, and stops at the first: a thread still stops only where
 * CPython's can, which the race lessons rest on, at most 1,024
 * instructions (0.3 us here) after the breaker was set.  The simulated
 * machine, whose threads are fibers taking turns between runs, sets the
 * breaker only between them: it runs gs_vm_run_unpolled, the same chunked
 * copy in one chunk, and gs_vm_run when the breaker is set as a run
 * begins, which goes straight to the polling copy.  Real time and virtual
 * time thus run the same machine code, and gilsim-bench's paired figure
 * (chunks against one chunk) is the breaker's cost alone: 0.3% to 1.5%
 * on a Zen 5 core (2026-12-07); on a Zen 4 core -1.3% to 2.7% (five
 * runs), once a chunk no longer ends inside a superinstruction's run
 * (vm_loop.inc, FIRST_ALONE), where it read 4.3% to 9.7%.
 *
 * The polls at every back-edge cost countdown 7% to 20% of its time when
 * real time ran the polling copy throughout (a compare with memory and a
 * branch not taken), a figure that moved with where the two copies' code
 * fell: the same machine code runs countdown at 1.2 or at 1.4 ns an
 * iteration, as its alignment and even its recent history fall (likely
 * how soon the core forwards the counted-down local, just stored, to its
 * next load; this VM shows no performance counters to say).
 * Chunks of 4,096 were tried in an earlier design (a separate counter):
 * 2 CPU threads at a 1 us interval then handed the lock over in 16 to 19
 * us (p50), not 1.4 to 1.8, because the waiter that set the request was
 * asleep by the time the holder saw it, where CPython's holder, polling
 * every back-edge, signals it on its way to sleep.  At 1,024 the hand-off
 * is 1 us (p50, `--switch-interval 1us`); a slower machine sees it later.
 *
 * Arithmetic wraps modulo 2^64, as machine integers do, unless the program
 * says `.overflow error` (Python's integers never wrap, so gilsim's Python
 * front end says it): then a result past 64 bits is a runtime error, not a
 * silently different number.  Either way the check is the CPU's overflow
 * flag (__builtin_*_overflow, which also stores the wrapped result without
 * undefined behaviour): one branch, never taken.  A compiler without the
 * GNU builtins gets portable checks (below) that do the same in more
 * instructions.  Division and modulo by
 * zero are runtime errors; INT64_MIN / -1 overflows like the rest. */
#include <inttypes.h>
#include <stdio.h>

#include "fuse.h"
#include "vm.h"

#if defined(__SANITIZE_THREAD__) /* GCC's -fsanitize=thread */
#define GS_VM_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) /* clang's */
#define GS_VM_UNDER_TSAN 1
#endif
#endif
#ifndef GS_VM_UNDER_TSAN
#define GS_VM_UNDER_TSAN 0
#endif
/* GS_VM_PORTABLE=1 builds what a compiler without GNU C gets (the switch
 * and the portable overflow checks): the suite's test_vm_portable. */
#if (defined(__GNUC__) || defined(__clang__)) && !GS_VM_PORTABLE
#define GS_GNU_C 1
#else
#define GS_GNU_C 0
#endif
#ifndef GS_VM_SWITCH
#define GS_VM_SWITCH (!GS_GNU_C) /* computed goto is a GNU extension */
#endif

#if GS_GNU_C
#define GS_LIKELY(x)   __builtin_expect(!!(x), 1)
#define GS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define GS_UNREACHABLE() __builtin_unreachable()
#define GS_ADD_OVERFLOW(a, b, dst) __builtin_add_overflow(a, b, dst)
#define GS_SUB_OVERFLOW(a, b, dst) __builtin_sub_overflow(a, b, dst)
#define GS_MUL_OVERFLOW(a, b, dst) __builtin_mul_overflow(a, b, dst)
#else
#define GS_LIKELY(x)   (x)
#define GS_UNLIKELY(x) (x)
#define GS_UNREACHABLE() ((void)0)
/* The wrapped result, as unsigned arithmetic gives it without undefined
 * behaviour, and whether the true one fitted. */
static inline bool gs_add_overflow(int64_t a, int64_t b, int64_t *dst)
{
    *dst = (int64_t)((uint64_t)a + (uint64_t)b);
    return (b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b);
}
static inline bool gs_sub_overflow(int64_t a, int64_t b, int64_t *dst)
{
    *dst = (int64_t)((uint64_t)a - (uint64_t)b);
    return (b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b);
}
static inline bool gs_mul_overflow(int64_t a, int64_t b, int64_t *dst)
{
    *dst = (int64_t)((uint64_t)a * (uint64_t)b);
    if (a == 0 || b == 0)
        return false;
    if ((a == -1 && b == INT64_MIN) || (b == -1 && a == INT64_MIN))
        return true;
    return a > 0 ? (b > 0 ? a > INT64_MAX / b : b < INT64_MIN / a)
                 : (b > 0 ? a < INT64_MIN / b : a < INT64_MAX / b);
}
#define GS_ADD_OVERFLOW(a, b, dst) gs_add_overflow(a, b, dst)
#define GS_SUB_OVERFLOW(a, b, dst) gs_sub_overflow(a, b, dst)
#define GS_MUL_OVERFLOW(a, b, dst) gs_mul_overflow(a, b, dst)
#endif

/* Instructions between two looks at the breaker in gs_vm_run's chunks
 * (the DESIGN above says why 1,024). */
#define GS_VM_CHUNK 1024

#define GS_VM_EVAL run_to_back_edge
#define GS_VM_POLL_BACK_EDGES 1
#include "vm_loop.inc"
#undef GS_VM_EVAL
#undef GS_VM_POLL_BACK_EDGES

#define GS_VM_EVAL run_chunks
#define GS_VM_POLL_BACK_EDGES 0
#include "vm_loop.inc"
#undef GS_VM_EVAL
#undef GS_VM_POLL_BACK_EDGES

gs_stop gs_vm_run(gs_vm *vm, uint64_t budget)
{
    if (!atomic_load_explicit(&vm->breaker, memory_order_relaxed)) {
        uint64_t before = vm->instructions;
        gs_stop why = run_chunks(vm, budget, GS_VM_CHUNK);
        if (why != GS_STOP_BREAK) /* it stops for the breaker only where a chunk ends */
            return why;
        budget -= vm->instructions - before;
    }
    return run_to_back_edge(vm, budget, UINT64_MAX);
}

gs_stop gs_vm_run_unpolled(gs_vm *vm, uint64_t budget)
{
    return run_chunks(vm, budget, UINT64_MAX); /* one chunk: the breaker is never looked at */
}
