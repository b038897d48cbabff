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
 * The instruction budget is one counter decremented per instruction.  The
 * eval breaker is polled where CPython polls it, at loop back-edges (here:
 * every taken jump, which includes them) and when a function is entered,
 * by gs_vm_run.  The loop is compiled twice (vm_loop.inc):
 * gs_vm_run_unpolled is the same without the polls, for a caller on whose
 * machine nothing can set the breaker while the loop runs (the simulated
 * one: its threads are fibers of one OS thread, which take turns between
 * runs).  The poll costs countdown 7% to 9% of its time on a Zen 5 core,
 * where the whole iteration is under 4 cycles (gilsim-bench's paired
 * runs, 2026-12-06); virtual time saves that, and its figures are the
 * same to the instruction.  Real time pays it.  A loop that looked at the
 * breaker only every 4,096 instructions was 0% to 2% dearer than none,
 * but 2 CPU threads at a 1 us interval then handed the lock over in 16 to
 * 19 us (p50), not 1.4 to 1.8: the waiter that set the request was asleep
 * by the time the holder saw it, where CPython's holder, polling every
 * back-edge, signals it on its way to sleep.  Looking closely only while
 * another thread waits for the lock fixed that, but made a lone thread's
 * instructions 7% to 9% cheaper than a contended one's, a bias in every
 * speedup over one thread; looking every 1,024 or 2,048 instructions cost
 * 2.9% to 3.7% or 1.8% and handed over in 1.3 or 3 us here, later on a
 * slower machine.  What the poll costs is its load, not its branch (a
 * compare with a register in its place cost nothing), and on this loop
 * the figure moves with where the two copies' code falls: built with
 * -falign-labels=32, the polled loop ran as before (1.24 ns an
 * iteration) and the other 6% slower, a paired figure of -5.9% where the
 * same hour's default build read +10.7%.  One copy of the loop, polling
 * once 16 to 128 instructions had passed (counted in a register), paid
 * a mispredicted branch each poll instead: 2.6% to 9.7%, as the
 * predictor learned the period or not (2026-12-07).
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

#define GS_VM_EVAL gs_vm_run
#define GS_VM_POLL 1
#include "vm_loop.inc"
#undef GS_VM_EVAL
#undef GS_VM_POLL

#define GS_VM_EVAL gs_vm_run_unpolled
#define GS_VM_POLL 0
#include "vm_loop.inc"
#undef GS_VM_EVAL
#undef GS_VM_POLL
