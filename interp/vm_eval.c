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
 * every taken jump, which includes them) and when a function is entered.
 * A clear breaker costs one relaxed load and one predicted branch per loop
 * iteration.  Building with -DGS_VM_POLL=0
 * removes the poll, which only the benchmark does, to measure its cost.
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

#ifndef GS_VM_POLL
#define GS_VM_POLL 1
#endif
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

gs_stop gs_vm_run(gs_vm *vm, uint64_t budget)
{
    if (vm->done)
        return vm->error[0] ? GS_STOP_ERROR : GS_STOP_DONE;
    switch (vm->request) {
    case GS_REQ_NONE:    break;
    case GS_REQ_IO:      return GS_STOP_IO;
    case GS_REQ_NATIVE:  return GS_STOP_NATIVE;
    case GS_REQ_ACQUIRE:
    case GS_REQ_RELEASE:
    case GS_REQ_STORE:   return GS_STOP_LOCK;
    }

    const gs_program *prog = vm->prog;
    const int64_t *const code = prog->fast; /* prog->code, with superinstructions (fuse.h) */
    const gs_func *const funcs = prog->funcs;
    int64_t *stack = vm->stack;   /* the state's, in locals: a call grows them */
    gs_frame *frames = vm->frames;
    gs_frame *frame = frames + vm->nframes - 1; /* the running function's: vm->nframes, in a register */
    int64_t *stack_end = stack + vm->stack_cap;
    const int64_t *ip = code + vm->pc;
    int64_t *sp = stack + vm->sp;
    int64_t *fp = stack + frame->base;
    uint64_t left = budget;
    const int64_t *at; /* start of the instruction being run, for errors */
    gs_stop stop;
    int64_t a, b;

#define OPERAND(i) (ip[1 + (i)])
#define ADVANCE(n) (ip += 1 + (n))
#define PUSH(v)    (*sp++ = (v))
#define POP()      (*--sp)
#define TOP()      (sp[-1])
#define STOP(why)  do { stop = (why); goto leave; } while (0)
#define FAIL(...)                                                   \
    do {                                                            \
        snprintf(vm->error, sizeof vm->error, __VA_ARGS__);         \
        vm->error_pc = (uint32_t)(at - code);                       \
        vm->done = true;                                            \
        STOP(GS_STOP_ERROR);                                        \
    } while (0)
#if GS_VM_POLL && GS_GNU_C && defined(__x86_64__) && !GS_VM_UNDER_TSAN
/* On x86-64 a relaxed load is a plain one, and the poll is one compare
 * with memory and a branch to breaker_set (below).  GCC will not fold an
 * atomic load into a compare: its load, test and branch cost countdown
 * 2.7% to 4.9% of its time, the compare 1.2% to 2.3% (gilsim-bench's
 * paired runs, three each, 2026-12-06).  Not under ThreadSanitizer: it
 * delivers a signal only when the thread calls into its runtime, as an
 * instrumented atomic load does and this compare does not, so a child a
 * signal stops (machine/real/procs.c) would never see its breaker set. */
#define GS_VM_POLL_ASM 1
#define POLL_BREAKER() __asm__ goto("cmpl $0, %0\n\tjne %l1" : : "m"(vm->breaker) : "cc" : breaker_set)
#elif GS_VM_POLL
#define POLL_BREAKER()                                                            \
    do {                                                                          \
        if (GS_UNLIKELY(atomic_load_explicit(&vm->breaker, memory_order_relaxed))) \
            STOP(GS_STOP_BREAK);                                                  \
    } while (0)
#else
#define POLL_BREAKER() ((void)0)
#endif
/* Every taken jump polls: that covers every loop's back-edge, as CPython's
 * JUMP_BACKWARD does, and costs less than telling backward from forward.
 * The taken side is marked likely, so that GCC lays it out straight and
 * the poll is a load and a not-taken branch: a loop's back-edge is taken
 * on every iteration but the last (measured: 1.07 -> 0.92 ns per
 * countdown instruction). */
#define JUMP_TO(target)                                               \
    do {                                                              \
        ip = (const int64_t *)(intptr_t)(target); /* fuse.h */        \
        POLL_BREAKER();                                               \
    } while (0)
#define JUMP_IF(cond, width)                                        \
    do {                                                            \
        if (GS_LIKELY(cond)) {                                      \
            JUMP_TO(OPERAND(0));                                    \
        } else {                                                    \
            ADVANCE(width);                                         \
        }                                                           \
    } while (0)
#define BINARY(expr) do { b = POP(); a = TOP(); TOP() = (expr); ADVANCE(0); } while (0)
/* dst = x op y, wrapped; past 64 bits under .overflow error, stop. */
#define CHECKED(builtin, x, y, dst, shown) CHECKED_BEFORE(builtin, x, y, dst, shown, 0)
/* The same inside a superinstruction, with `rest` of its run's
 * instructions after this one: counted with the run (RUN_FITS), they are
 * given back when this one fails, so that the count stops where the plain
 * code's does (fuzz_eval found the difference). */
#define CHECKED_BEFORE(builtin, x, y, dst, shown, rest)                                             \
    do {                                                                                            \
        if (GS_UNLIKELY(builtin(x, y, &(dst))) && prog->overflow_errs) {                           \
            left += (rest);                                                                         \
            FAIL("integer overflow: %" PRId64 " %s %" PRId64 " does not fit in 64 bits", (int64_t)(x), \
                 shown, (int64_t)(y));                                                              \
        }                                                                                           \
    } while (0)
#define CHECKED_BINARY(builtin, shown) CHECKED_BINARY_BEFORE(builtin, shown, 0)
#define CHECKED_BINARY_BEFORE(builtin, shown, rest) \
    do { b = POP(); a = TOP(); CHECKED_BEFORE(builtin, a, b, TOP(), shown, rest); ADVANCE(0); } while (0)
#define COMPARE_JUMP(rel) do { b = POP(); a = POP(); JUMP_IF(a rel b, 1); } while (0)
/* Superinstructions: whether the budget has room for the run's n
 * instructions, counting them if so; and the plain first instruction,
 * counted alone, when it has not.  These are case bodies,
 * not do-while statements: under the switch, VM_NEXT is `continue`. */
#define RUN_FITS(n)    (GS_LIKELY(left >= (n)) ? (left -= (n), at = ip, 1) : 0)
#define LOAD_BODY()    { PUSH(fp[OPERAND(0)]); ADVANCE(1); VM_NEXT(); }
#define INC_BODY()     { a = fp[OPERAND(0)]; b = OPERAND(1);                                      \
                         CHECKED(GS_ADD_OVERFLOW, a, b, fp[OPERAND(0)], "+"); ADVANCE(2); VM_NEXT(); }
#define LOAD_ALONE()   { COUNT_ONE(); LOAD_BODY() }
#define RET_BODY()                                                          \
    {                                                                       \
        a = TOP();                                                          \
        if (frame == frames) {                                              \
            vm->result = a;                                                 \
            vm->done = true;                                                \
            ADVANCE(0);                                                     \
            STOP(GS_STOP_DONE);                                             \
        }                                                                   \
        sp = fp;                                                            \
        PUSH(a);                                                            \
        ip = code + frame->ret_pc;                                          \
        frame--;                                                            \
        fp = stack + frame->base;                                           \
        VM_NEXT();                                                          \
    }
/* load L; push K; jCC T: the words are L at 1, K at 3, T at 5. */
#define LOCAL_CONST_JUMP(rel)                                               \
    if (!RUN_FITS(3))                                                       \
        LOAD_ALONE()                                                        \
    if (GS_LIKELY(fp[OPERAND(0)] rel ip[3])) {                              \
        JUMP_TO(ip[5]);                                                     \
    } else {                                                                \
        ADVANCE(5);                                                         \
    }                                                                       \
    VM_NEXT();
/* load L; push K; add or sub (at 4): the op begins as the plain code's
 * would, with L's value on the stack, so that an overflow stops where and
 * as the plain code stops. */
#define LOCAL_CONST_OP_RUN(n, builtin, shown)                               \
    if (!RUN_FITS(n))                                                       \
        LOAD_ALONE()                                                        \
    a = fp[OPERAND(0)];                                                     \
    b = ip[3];                                                              \
    at = ip += 4;                                                           \
    PUSH(a);                                                                \
    CHECKED_BEFORE(builtin, a, b, TOP(), shown, (n) - 3);                   \
    ADVANCE(0);
#define LOCAL_CONST_OP(builtin, shown) LOCAL_CONST_OP_RUN(3, builtin, shown) VM_NEXT();

/* A plain instruction counts itself as it begins; a superinstruction
 * counts its whole run at once (RUN_FITS): one check, where counting at
 * dispatch took two. */
#define COUNT_ONE()   do { if (GS_UNLIKELY(left == 0)) STOP(GS_STOP_BUDGET); left--; at = ip; } while (0)
#if GS_VM_SWITCH
#define VM_SWITCH()   for (;;) { switch (*ip) {
#define VM_END()      default: GS_UNREACHABLE(); } }
#define VM_LABEL(op)  case GS_OP_##op:
#define VM_NEXT()     continue
#else
    static const void *const dispatch[GS_OP_ALL_COUNT] = {
#define GS_OP_LABEL(e, name, oa, ob, pops, pushes, meaning) [GS_OP_##e] = &&op_##e,
        GS_OPCODES(GS_OP_LABEL)
#undef GS_OP_LABEL
#define GS_FUSED_LABEL(e, name, a, b, c, d) [GS_OP_##e] = &&op_##e,
        GS_FUSED(GS_FUSED_LABEL)
#undef GS_FUSED_LABEL
    };
#define VM_SWITCH()   VM_NEXT();
#define VM_END()
#define VM_LABEL(op)  op_##op:
#define VM_NEXT()     goto *dispatch[*ip]
#endif
#define VM_CASE(op)   VM_LABEL(op) COUNT_ONE();
#define VM_FUSED(op)  VM_LABEL(op)

    VM_SWITCH()
    VM_CASE(PUSH)  { PUSH(OPERAND(0)); ADVANCE(1); VM_NEXT(); }
    VM_CASE(POP)   { sp--; ADVANCE(0); VM_NEXT(); }
    VM_CASE(DUP)   { a = TOP(); PUSH(a); ADVANCE(0); VM_NEXT(); }
    VM_CASE(SWAP)  { a = sp[-2]; sp[-2] = sp[-1]; sp[-1] = a; ADVANCE(0); VM_NEXT(); }
    VM_CASE(LOAD)  LOAD_BODY()
    VM_CASE(STORE) { fp[OPERAND(0)] = POP(); ADVANCE(1); VM_NEXT(); }
    VM_CASE(INC)   INC_BODY()
    VM_CASE(ADD)   { CHECKED_BINARY(GS_ADD_OVERFLOW, "+"); VM_NEXT(); }
    VM_CASE(SUB)   { CHECKED_BINARY(GS_SUB_OVERFLOW, "-"); VM_NEXT(); }
    VM_CASE(MUL)   { CHECKED_BINARY(GS_MUL_OVERFLOW, "*"); VM_NEXT(); }
    VM_CASE(DIV) {
        if (GS_UNLIKELY(TOP() == 0))
            FAIL("division by zero");
        if (GS_UNLIKELY(TOP() == -1)) { /* a / -1 is -a, which overflows for INT64_MIN */
            b = POP();
            a = TOP();
            CHECKED(GS_SUB_OVERFLOW, (int64_t)0, a, TOP(), "-");
            ADVANCE(0);
            VM_NEXT();
        }
        BINARY(a / b);
        VM_NEXT();
    }
    VM_CASE(MOD) {
        if (GS_UNLIKELY(TOP() == 0))
            FAIL("modulo by zero");
        BINARY(b == -1 ? 0 : a % b);
        VM_NEXT();
    }
    VM_CASE(NEG)   { a = TOP(); CHECKED(GS_SUB_OVERFLOW, (int64_t)0, a, TOP(), "-"); ADVANCE(0); VM_NEXT(); }
    VM_CASE(INV)   { TOP() = ~TOP(); ADVANCE(0); VM_NEXT(); }
    VM_CASE(AND)   { BINARY(a & b); VM_NEXT(); }
    VM_CASE(OR)    { BINARY(a | b); VM_NEXT(); }
    VM_CASE(XOR)   { BINARY(a ^ b); VM_NEXT(); }
    VM_CASE(SHL) {
        if (GS_UNLIKELY(TOP() < 0))
            FAIL("negative shift count: %" PRId64, TOP());
        b = POP();
        a = TOP();
        /* a fits after the shift when -2^(63-b) <= a < 2^(63-b), as Python's would */
        if (GS_UNLIKELY(b >= 64 ? a != 0 : b > 0 && (a >= (int64_t)(1ull << (63 - b)) || a < -(int64_t)(1ull << (63 - b))))
            && prog->overflow_errs)
            FAIL("integer overflow: %" PRId64 " << %" PRId64 " does not fit in 64 bits", a, b);
        TOP() = b >= 64 ? 0 : (int64_t)((uint64_t)a << b);
        ADVANCE(0);
        VM_NEXT();
    }
    VM_CASE(SHR) {
        if (GS_UNLIKELY(TOP() < 0))
            FAIL("negative shift count: %" PRId64, TOP());
        b = POP();
        a = TOP();
        TOP() = b >= 64 ? (a < 0 ? -1 : 0) : a < 0 ? ~(~a >> b) : a >> b; /* arithmetic, whatever C's >> does */
        ADVANCE(0);
        VM_NEXT();
    }
    VM_CASE(EQ)    { BINARY(a == b); VM_NEXT(); }
    VM_CASE(NE)    { BINARY(a != b); VM_NEXT(); }
    VM_CASE(LT)    { BINARY(a < b); VM_NEXT(); }
    VM_CASE(LE)    { BINARY(a <= b); VM_NEXT(); }
    VM_CASE(GT)    { BINARY(a > b); VM_NEXT(); }
    VM_CASE(GE)    { BINARY(a >= b); VM_NEXT(); }
    VM_CASE(JMP)   { JUMP_IF(1, 1); VM_NEXT(); }
    VM_CASE(JZ)    { a = POP(); JUMP_IF(a == 0, 1); VM_NEXT(); }
    VM_CASE(JNZ)   { a = POP(); JUMP_IF(a != 0, 1); VM_NEXT(); }
    VM_CASE(JLT)   { COMPARE_JUMP(<); VM_NEXT(); }
    VM_CASE(JLE)   { COMPARE_JUMP(<=); VM_NEXT(); }
    VM_CASE(JGT)   { COMPARE_JUMP(>); VM_NEXT(); }
    VM_CASE(JGE)   { COMPARE_JUMP(>=); VM_NEXT(); }
    VM_CASE(CALL)
    call: { /* the call at ip; LOAD_PUSH_SUB_CALL comes here too */
        const gs_func *f = (const gs_func *)(intptr_t)OPERAND(0);
        int64_t *base = sp - f->nargs;
        if (GS_UNLIKELY(frame + 1 == frames + vm->frames_cap ||
                        f->nlocals + f->max_stack > (uint64_t)(stack_end - base))) {
            /* Out of room: grow (rebasing base, sp, fp and the frames),
             * unless the call would pass a limit. */
            uint32_t depth = (uint32_t)(frame - frames) + 1;
            uint32_t at_base = (uint32_t)(base - stack), need = at_base + f->nlocals + f->max_stack;
            if (depth == GS_VM_FRAMES || need > GS_VM_STACK)
                FAIL("stack overflow: call depth %u is too deep", depth);
            uint32_t at_sp = (uint32_t)(sp - stack), at_fp = (uint32_t)(fp - stack);
            if (!gs_vm_grow(vm, depth + 1, need))
                FAIL("out of memory for a call at depth %u", depth);
            stack = vm->stack;
            frames = vm->frames;
            frame = frames + depth - 1;
            base = stack + at_base;
            sp = stack + at_sp;
            fp = stack + at_fp;
            stack_end = stack + vm->stack_cap;
        }
        *++frame = (gs_frame){.ret_pc = (uint32_t)(ip + 2 - code),
                              .func = (uint32_t)(f - funcs),
                              .base = (uint32_t)(base - stack)};
        for (sp = base + f->nargs; sp < base + f->nlocals; sp++)
            *sp = 0;
        fp = base;
        ip = code + f->entry;
        POLL_BREAKER();
        VM_NEXT();
    }
    VM_CASE(RET) RET_BODY()
    VM_CASE(IO) {
        vm->io_kind = (gs_io_kind)OPERAND(0);
        vm->io_arg = POP();
        vm->request = GS_REQ_IO;
        ADVANCE(1);
        STOP(GS_STOP_IO);
    }
    VM_CASE(GLOAD) {
        if (GS_UNLIKELY(!vm->shared))
            FAIL("shared variable %s: this interpreter was given none", prog->shared[OPERAND(0)].name);
        if (GS_UNLIKELY(vm->object_locks))
            vm->shared_touched |= 1ull << OPERAND(0);
        PUSH(atomic_load_explicit(&vm->shared[OPERAND(0)], memory_order_relaxed));
        ADVANCE(1);
        VM_NEXT();
    }
    VM_CASE(GSTORE) {
        if (GS_UNLIKELY(!vm->shared))
            FAIL("shared variable %s: this interpreter was given none", prog->shared[OPERAND(0)].name);
        if (GS_UNLIKELY(vm->object_locks)) { /* the runner stores it, under its lock */
            vm->store_var = (uint32_t)OPERAND(0);
            vm->store_value = POP();
            vm->request = GS_REQ_STORE;
            ADVANCE(1);
            STOP(GS_STOP_LOCK);
        }
        atomic_store_explicit(&vm->shared[OPERAND(0)], POP(), memory_order_relaxed);
        ADVANCE(1);
        VM_NEXT();
    }
    VM_CASE(ACQUIRE) { vm->ulock = (uint32_t)OPERAND(0); vm->request = GS_REQ_ACQUIRE; ADVANCE(1); STOP(GS_STOP_LOCK); }
    VM_CASE(RELEASE) { vm->ulock = (uint32_t)OPERAND(0); vm->request = GS_REQ_RELEASE; ADVANCE(1); STOP(GS_STOP_LOCK); }
    VM_CASE(NATIVE) {
        a = POP();
        if (GS_UNLIKELY(a < 0))
            FAIL("native call of %" PRId64 " units: give 0 or more", a);
        vm->native_work = (uint64_t)a;
        vm->request = GS_REQ_NATIVE;
        ADVANCE(0);
        STOP(GS_STOP_NATIVE);
    }
    VM_CASE(YIELD) { ADVANCE(0); STOP(GS_STOP_YIELD); }
    VM_CASE(HALT) {
        vm->result = POP();
        vm->done = true;
        ADVANCE(0);
        STOP(GS_STOP_DONE);
    }
    VM_FUSED(INC_LOAD_PUSH_JGT) { /* inc L I; load M; push K; jgt T: I at 2, M at 4, K at 6, T at 8 */
        if (!RUN_FITS(4)) {
            COUNT_ONE();
            INC_BODY()
        }
        a = fp[OPERAND(0)];
        b = OPERAND(1);
        CHECKED_BEFORE(GS_ADD_OVERFLOW, a, b, fp[OPERAND(0)], "+", 3);
        if (GS_LIKELY(fp[ip[4]] > ip[6])) {
            JUMP_TO(ip[8]);
        } else {
            ADVANCE(8);
        }
        VM_NEXT();
    }
    VM_FUSED(LOAD_PUSH_JGT) { LOCAL_CONST_JUMP(>) }
    VM_FUSED(LOAD_PUSH_JLT) { LOCAL_CONST_JUMP(<) }
    VM_FUSED(LOAD_PUSH_JGE) { LOCAL_CONST_JUMP(>=) }
    VM_FUSED(LOAD_PUSH_JLE) { LOCAL_CONST_JUMP(<=) }
    VM_FUSED(LOAD_PUSH_ADD) { LOCAL_CONST_OP(GS_ADD_OVERFLOW, "+") }
    VM_FUSED(LOAD_PUSH_SUB) { LOCAL_CONST_OP(GS_SUB_OVERFLOW, "-") }
    VM_FUSED(LOAD_LOAD) {
        if (!RUN_FITS(2))
            LOAD_ALONE()
        sp[0] = fp[OPERAND(0)];
        sp[1] = fp[ip[3]];
        sp += 2;
        ADVANCE(3);
        VM_NEXT();
    }
    VM_FUSED(LOAD_PUSH_SUB_CALL) { /* load L; push K; sub; call F: the call at 5 */
        LOCAL_CONST_OP_RUN(4, GS_SUB_OVERFLOW, "-")
        at = ip;
        goto call;
    }
    VM_FUSED(LOAD_RET) { /* load L; ret: the ret at 2 */
        if (!RUN_FITS(2))
            LOAD_ALONE()
        PUSH(fp[OPERAND(0)]);
        at = ip += 2;
        RET_BODY()
    }
    VM_FUSED(ADD_RET) { /* add; ret: the ret at 1 */
        if (!RUN_FITS(2)) {
            COUNT_ONE();
            CHECKED_BINARY(GS_ADD_OVERFLOW, "+");
            VM_NEXT();
        }
        CHECKED_BINARY_BEFORE(GS_ADD_OVERFLOW, "+", 1);
        at = ip;
        RET_BODY()
    }
    VM_END()

#ifdef GS_VM_POLL_ASM
breaker_set:
    STOP(GS_STOP_BREAK);
#endif
leave:
    vm->nframes = (uint32_t)(frame - frames) + 1;
    vm->pc = (uint32_t)(ip - code);
    vm->sp = (uint32_t)(sp - stack);
    vm->instructions += budget - left;
    return stop;

#undef OPERAND
#undef ADVANCE
#undef PUSH
#undef POP
#undef TOP
#undef STOP
#undef FAIL
#undef POLL_BREAKER
#undef JUMP_IF
#undef BINARY
#undef CHECKED
#undef CHECKED_BEFORE
#undef CHECKED_BINARY
#undef CHECKED_BINARY_BEFORE
#undef COMPARE_JUMP
#undef RUN_FITS
#undef LOAD_ALONE
#undef RET_BODY
#undef INC_BODY
#undef LOAD_BODY
#undef LOCAL_CONST_JUMP
#undef LOCAL_CONST_OP
#undef LOCAL_CONST_OP_RUN
#undef VM_SWITCH
#undef VM_END
#undef VM_CASE
#undef VM_NEXT
#undef VM_LABEL
#undef VM_FUSED
#undef COUNT_ONE
}
