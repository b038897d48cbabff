/* program.h - a bytecode program: code, constants, functions, line table.
 *
 * A program is built by the assembler (asm.h), checked once by the verifier
 * (verify.h) and then only read: any number of interpreter states, on any
 * number of threads, may run the same program at once. */
#ifndef GS_PROGRAM_H
#define GS_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

/* Documented limits; the assembler rejects a program that passes one. */
#define GS_MAX_CODE       (1u << 16) /* code words in a program */
#define GS_MAX_CONSTS     4096u      /* distinct constants */
#define GS_MAX_FUNCS      256u       /* functions */
#define GS_MAX_LOCALS     256u       /* arguments + locals of one function */
#define GS_MAX_FUNC_STACK 256u       /* operand stack depth inside one function */
#define GS_MAX_NAME       31u        /* characters in a function, label or constant name */
#define GS_MAX_SOURCE     (1u << 20) /* bytes of assembly source */
#define GS_MAX_SHARED     64u        /* shared variables */
#define GS_MAX_ULOCKS     16u        /* user locks */

typedef struct {
    char name[GS_MAX_NAME + 1];
    uint32_t entry;     /* code offset of the first instruction */
    uint32_t end;       /* code offset one past the last word */
    uint32_t nargs;     /* arguments, in locals 0 .. nargs-1 */
    uint32_t nlocals;   /* all locals, arguments included */
    uint32_t max_stack; /* deepest operand stack, set by the verifier */
} gs_func;

/* A variable every thread of a process sees (docs/design.md, "Shared state"): its
 * name and its value when the process starts. */
typedef struct {
    char name[GS_MAX_NAME + 1];
    int64_t init;
} gs_shared_decl;

typedef struct {
    char name[GS_MAX_NAME + 1];
} gs_ulock_decl;

/* What a program asks for when the command line does not say (the
 * assembler's `.default NAME VALUE`; the Python front end writes them from
 * the file, pyc.h): NAME, the smallest and largest value. */
#define GS_PROGRAM_DEFAULTS(X)                                                       \
    X(UNIT_SIZE,  "unit-size",  INT64_MIN, INT64_MAX)  /* main's third argument */   \
    X(IO_LATENCY, "io-latency", 0, 10000000000)        /* ns: each sleep, each echo */

typedef enum {
#define GS_DEFAULT_ENUM(e, name, min, max) GS_DEFAULT_##e,
    GS_PROGRAM_DEFAULTS(GS_DEFAULT_ENUM)
#undef GS_DEFAULT_ENUM
    GS_DEFAULT_COUNT
} gs_default_kind;

extern const char *const gs_default_names[GS_DEFAULT_COUNT]; /* "unit-size", ... */

typedef struct {
    int32_t *code;
    int64_t *fast;     /* the interpreter's copy of code, with superinstructions and
                        * jumps' targets as addresses (fuse.h); made by gs_verify */
    uint32_t ncode;
    int64_t *consts;
    uint32_t nconsts;
    gs_func *funcs;
    uint32_t nfuncs;
    uint32_t *lines;   /* source line of each code word; 0 where unknown */
    gs_shared_decl *shared;
    uint32_t nshared;
    gs_ulock_decl *ulocks;
    uint32_t nulocks;
    uint32_t main;     /* index of the function named main */
    bool overflow_errs; /* .overflow error: arithmetic past 64 bits stops the program (Python's
                         * integers never wrap); by default it wraps */
    bool has_default[GS_DEFAULT_COUNT]; /* .default NAME VALUE */
    int64_t defaults[GS_DEFAULT_COUNT];
    bool verified;     /* set by gs_verify; the interpreter runs nothing else */
    char source[64];   /* file name for messages */
} gs_program;

void gs_program_free(gs_program *p);

/* Returns the index of the function with that name, or -1. */
int gs_program_find_func(const gs_program *p, const char *name);

/* Returns the function whose code holds offset pc, or NULL. */
const gs_func *gs_program_func_at(const gs_program *p, uint32_t pc);

/* Returns the set of I/O kinds the program's io instructions use, as bits
 * (1 << gs_io_kind).  The program must be verified. */
unsigned gs_program_io_kinds(const gs_program *p);

/* Whether any instruction of the (verified) program is op (a gs_opcode). */
bool gs_program_has_op(const gs_program *p, int op);

/* Returns true when both programs hold identical code, constants,
 * functions, shared variables, locks and defaults (line tables and names
 * of the source are not compared). */
bool gs_program_equal(const gs_program *a, const gs_program *b);

#endif
