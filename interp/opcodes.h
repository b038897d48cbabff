/* opcodes.h - the instruction set of gilsim's bytecode, defined once.
 *
 * Every instruction is one 32-bit opcode word followed by zero, one or two
 * 32-bit operand words.  GS_OPCODES is the only list: the enum, the
 * mnemonics, the operand kinds, the stack effects, the assembler, the
 * verifier and the disassembler are all generated from it.
 *
 * Columns: X(ENUM, mnemonic, operand A, operand B, pops, pushes, meaning)
 * Stack effects marked GS_VARIES are computed by the verifier (call: the
 * callee's argument count; the pops/pushes of ret and halt end the path).
 * In the meanings, a is the value below the top and b the top; wrapping*
 * is modulo 2^64, or a runtime error in a program that says `.overflow
 * error` (as compiled Python does), and a / -1 is -a, the same. */
#ifndef GS_OPCODES_H
#define GS_OPCODES_H

#include <stddef.h>
#include <stdint.h>

#define GS_VARIES (-1)

#define GS_OPCODES(X)                                                          \
    X(PUSH,  "push",  CONST, NONE, 0, 1, "push constant K")                    \
    X(POP,   "pop",   NONE,  NONE, 1, 0, "discard the top")                    \
    X(DUP,   "dup",   NONE,  NONE, 1, 2, "push a copy of the top")             \
    X(SWAP,  "swap",  NONE,  NONE, 2, 2, "exchange the two top values")        \
    X(LOAD,  "load",  LOCAL, NONE, 0, 1, "push local L")                       \
    X(STORE, "store", LOCAL, NONE, 1, 0, "pop into local L")                   \
    X(INC,   "inc",   LOCAL, IMM,  0, 0, "local L += I (wrapping*)")           \
    X(ADD,   "add",   NONE,  NONE, 2, 1, "push a + b (wrapping*)")             \
    X(SUB,   "sub",   NONE,  NONE, 2, 1, "push a - b (wrapping*)")             \
    X(MUL,   "mul",   NONE,  NONE, 2, 1, "push a * b (wrapping*)")             \
    X(DIV,   "div",   NONE,  NONE, 2, 1, "push a / b toward zero; b=0 errs")   \
    X(MOD,   "mod",   NONE,  NONE, 2, 1, "push a % b, sign of a; b=0 errs")    \
    X(NEG,   "neg",   NONE,  NONE, 1, 1, "push -b (wrapping*)")                \
    X(INV,   "inv",   NONE,  NONE, 1, 1, "push ~b, that is -b - 1")            \
    X(AND,   "and",   NONE,  NONE, 2, 1, "push a & b (two's complement)")      \
    X(OR,    "or",    NONE,  NONE, 2, 1, "push a | b")                         \
    X(XOR,   "xor",   NONE,  NONE, 2, 1, "push a ^ b")                         \
    X(SHL,   "shl",   NONE,  NONE, 2, 1, "push a << b (wrapping*); b < 0 errs") \
    X(SHR,   "shr",   NONE,  NONE, 2, 1,                                       \
      "push a >> b, rounding down (b >= 64: 0 or -1); b < 0 errs")             \
    X(EQ,    "eq",    NONE,  NONE, 2, 1, "push 1 if a == b else 0")            \
    X(NE,    "ne",    NONE,  NONE, 2, 1, "push 1 if a != b else 0")            \
    X(LT,    "lt",    NONE,  NONE, 2, 1, "push 1 if a < b else 0")             \
    X(LE,    "le",    NONE,  NONE, 2, 1, "push 1 if a <= b else 0")            \
    X(GT,    "gt",    NONE,  NONE, 2, 1, "push 1 if a > b else 0")             \
    X(GE,    "ge",    NONE,  NONE, 2, 1, "push 1 if a >= b else 0")            \
    X(JMP,   "jmp",   LABEL, NONE, 0, 0, "jump to T")                          \
    X(JZ,    "jz",    LABEL, NONE, 1, 0, "pop; jump to T if it was 0")         \
    X(JNZ,   "jnz",   LABEL, NONE, 1, 0, "pop; jump to T if it was not 0")     \
    X(JLT,   "jlt",   LABEL, NONE, 2, 0, "pop b, a; jump to T if a < b")       \
    X(JLE,   "jle",   LABEL, NONE, 2, 0, "pop b, a; jump to T if a <= b")      \
    X(JGT,   "jgt",   LABEL, NONE, 2, 0, "pop b, a; jump to T if a > b")       \
    X(JGE,   "jge",   LABEL, NONE, 2, 0, "pop b, a; jump to T if a >= b")      \
    X(CALL,  "call",  FUNC,  NONE, GS_VARIES, 1,                               \
      "pop F's arguments, run F, push its result")                             \
    X(RET,   "ret",   NONE,  NONE, 1, GS_VARIES,                               \
      "pop the result, leave the function, push it in the caller")             \
    X(IO,    "io",    IOKIND, NONE, 1, 1,                                      \
      "pop a token; stop and hand the I/O request to the caller; push result") \
    X(GLOAD, "gload", SHARED, NONE, 0, 1, "push shared variable S")            \
    X(GSTORE, "gstore", SHARED, NONE, 1, 0, "pop into shared variable S")      \
    X(ACQUIRE, "acquire", ULOCK, NONE, 0, 0,                                   \
      "stop; the caller takes user lock U (waiting without the interpreter lock)") \
    X(RELEASE, "release", ULOCK, NONE, 0, 0,                                   \
      "stop; the caller releases user lock U (an error if not its holder)")    \
    X(NATIVE, "native", NONE, NONE, 1, 1,                                      \
      "pop n; stop; the caller does n units of work outside the interpreter lock; push its result") \
    X(YIELD, "yield", NONE,  NONE, 0, 0, "stop so the caller may run others")  \
    X(HALT,  "halt",  NONE,  NONE, 1, GS_VARIES, "stop the program; top is the result")

typedef enum {
#define GS_OP_ENUM(e, name, a, b, pops, pushes, meaning) GS_OP_##e,
    GS_OPCODES(GS_OP_ENUM)
#undef GS_OP_ENUM
    GS_OP_COUNT
} gs_opcode;

/* What an operand word means; decides how the assembler parses it, how the
 * verifier checks it and how the disassembler prints it. */
typedef enum {
    GS_OPND_NONE,
    GS_OPND_CONST,  /* index into the constant pool; written as the value */
    GS_OPND_LOCAL,  /* local slot of the current function */
    GS_OPND_IMM,    /* signed 32-bit immediate */
    GS_OPND_LABEL,  /* absolute code offset inside the same function */
    GS_OPND_FUNC,   /* function index; written as the function's name */
    GS_OPND_IOKIND, /* one of gs_io_kind; written as its name */
    GS_OPND_SHARED, /* shared variable of the program; written as its name */
    GS_OPND_ULOCK,  /* user lock of the program; written as its name */
} gs_operand_kind;

typedef struct {
    const char *name;
    gs_operand_kind operand[2];
    int noperands;
    int pops, pushes;
    const char *meaning;
} gs_opinfo;

/* The table indexed by gs_opcode. */
extern const gs_opinfo gs_opinfo_table[GS_OP_COUNT];

/* The code words of an instruction: its opcode and its operands. */
static inline uint32_t gs_instruction_length(int32_t opcode)
{
    return 1 + (uint32_t)gs_opinfo_table[opcode].noperands;
}

/* I/O kinds an io instruction can request.  The interpreter never performs
 * I/O; it only names the kind and lets the runner do it. */
#define GS_IOKINDS(X)                                                          \
    X(SLEEP, "sleep", "nanosleep for the configured latency")                  \
    X(PIPE,  "pipe",  "round trip through a pipe to an echo peer")             \
    X(FILE,  "file",  "pread one block of a temporary file")

typedef enum {
#define GS_IO_ENUM(e, name, meaning) GS_IO_##e,
    GS_IOKINDS(GS_IO_ENUM)
#undef GS_IO_ENUM
    GS_IO_KIND_COUNT
} gs_io_kind;

extern const char *const gs_io_kind_names[GS_IO_KIND_COUNT];

/* Returns the opcode or io kind with that name, or -1. */
int gs_opcode_by_name(const char *name, size_t len);
int gs_io_kind_by_name(const char *name, size_t len);

#endif
