/* fuse.h - superinstructions: runs of instructions the interpreter does in
 * one dispatch.
 *
 * The verifier checks a program as written; then gs_fuse makes the
 * interpreter's copy of its code (gs_program.fast), the same words at the
 * same offsets, widened to 64 bits, except that the opcode of each
 * instruction that begins one of the runs below becomes the run's
 * superinstruction.  Nothing moves:
 * the run's own instructions stay where they were, so a jump into the
 * middle of a run lands on plain code, every offset in an error or a line
 * table means what it did, and the interpreter, when its budget has room
 * for the first instruction only, does just that one.  A superinstruction
 * counts as the instructions it does, so instruction counts, budgets and
 * virtual time are what they were without it.
 *
 * Three kinds of operand differ, each to take a load or an add off the
 * path the interpreter waits on.  A jump's target is its address: a taken
 * jump is one load, the one chain a loop's iterations wait on (a word
 * offset cost a scale and an add, a byte offset an add: countdown 2.68 ->
 * 2.42 -> 2.00 ns an iteration, measured paired with gilsim-bench).  A
 * constant is its value, not its index into the pool (no load, and no
 * register spent on the pool).  A called function is the address of its
 * gs_func (no multiply to find it): the two took fib(30) from 6.9 to 6.0
 * ns a call.  The words are wide enough for an address because they are
 * 64 bits; the program's own code stays 32.
 *
 * The runs are the commonest the compiler and the assembler emit, chosen
 * by counting instruction pairs and triples as the built-in kernels and
 * the examples ran (each program's counts as shares of its own, summed):
 * load-push 1.83, inc-load 1.29, push-jgt 1.17 (load-push-jgt 1.17), jgt-inc
 * 1.17, load-load 0.60, push-sub 0.22 (load-push-sub 0.22), load-load-add
 * 0.15, load-load-jlt 0.14.  A local against a constant decides most
 * loops and most recursions' base cases; a local and a constant feed most
 * arithmetic; two locals feed the rest.  Calls and returns: a recursion
 * passes n - K (push-sub 0.22, sub-call 0.22), returns its base case with
 * load-ret (0.26) and its sum with add-ret (0.11).  Fused, the three took
 * fib(30) from 7.8 to 7.0 ns a call (gilsim-bench, this VM, quiet).
 *
 * The longest, inc-load-push-jgt, is the whole of `while n > 0: n -= 1`
 * as the compiler rotates it (countdown, the default workload).
 *
 * Columns: X(ENUM, mnemonic, first, second, third, fourth): the opcodes of
 * the run in order, NONE past its end.  Where two runs begin at one
 * instruction, the first in the table is taken. */
#ifndef GS_FUSE_H
#define GS_FUSE_H

#include "opcodes.h"
#include "program.h"

#define GS_FUSED(X)                                                         \
    X(INC_LOAD_PUSH_JGT, "inc+load+push+jgt", INC, LOAD, PUSH, JGT)         \
    X(LOAD_PUSH_JGT,     "load+push+jgt",     LOAD, PUSH, JGT, NONE)        \
    X(LOAD_PUSH_JLT,     "load+push+jlt",     LOAD, PUSH, JLT, NONE)        \
    X(LOAD_PUSH_JGE,     "load+push+jge",     LOAD, PUSH, JGE, NONE)        \
    X(LOAD_PUSH_JLE,     "load+push+jle",     LOAD, PUSH, JLE, NONE)        \
    X(LOAD_PUSH_ADD,     "load+push+add",     LOAD, PUSH, ADD, NONE)        \
    X(LOAD_PUSH_SUB_CALL, "load+push+sub+call", LOAD, PUSH, SUB, CALL)     \
    X(LOAD_PUSH_SUB,     "load+push+sub",     LOAD, PUSH, SUB, NONE)        \
    X(LOAD_LOAD,         "load+load",         LOAD, LOAD, NONE, NONE)        \
    X(LOAD_RET,          "load+ret",          LOAD, RET, NONE, NONE)         \
    X(ADD_RET,           "add+ret",           ADD, RET, NONE, NONE)

/* Superinstructions' opcodes follow the instruction set's (opcodes.h). */
enum {
    GS_FUSED_FIRST_ = GS_OP_COUNT - 1,
#define GS_FUSED_ENUM(e, name, a, b, c, d) GS_OP_##e,
    GS_FUSED(GS_FUSED_ENUM)
#undef GS_FUSED_ENUM
    GS_OP_ALL_COUNT /* opcodes of the interpreter's code: plain and fused */
};

#define GS_FUSED_COUNT (GS_OP_ALL_COUNT - GS_OP_COUNT)

/* Superinstruction k (0 .. GS_FUSED_COUNT-1): its name, the instructions it
 * does (2 to 4) and their opcodes. */
typedef struct {
    const char *name;
    int length;
    int32_t ops[4];
} gs_fused_info;
extern const gs_fused_info gs_fused_table[GS_FUSED_COUNT];

/* The interpreter's copy of p's code (p verified), malloc'd, or NULL out
 * of memory: gs_verify makes p->fast with fuse true.  The suite and the
 * fuzzer make one with fuse false too, to run a program both ways. */
int64_t *gs_interpreter_code(const gs_program *p, bool fuse);

/* The superinstruction that begins at pc, the start of an instruction of
 * p, in p's interpreter code; NULL where a plain instruction does. */
const gs_fused_info *gs_fused_at(const gs_program *p, uint32_t pc);

#endif
