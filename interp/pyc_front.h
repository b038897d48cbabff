/* pyc_front.h - what the pieces of the Python front end share (private
 * to interp/): its tokens, its state, and the helpers that read tokens,
 * report errors and write assembly.  pyc_lex.c makes the tokens and reads
 * them; pyc_expr.c compiles expressions; pyc.c statements, functions and
 * the module (see pyc.h for the subset). */
#ifndef GS_PYC_FRONT_H
#define GS_PYC_FRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "pyc.h"

enum {
    T_END, T_NEWLINE, T_INDENT, T_DEDENT, T_NAME, T_INT, T_FLOAT, T_STRING, T_OP,
};

typedef struct {
    int kind;
    const char *at;   /* in the source */
    size_t len;
    int64_t value;    /* T_INT */
    uint32_t line, col;
} tok;

typedef struct {
    char *s;
    size_t len, cap;
} buf;

typedef struct {
    char name[GS_MAX_NAME + 1];
} name;

typedef struct {
    const char *src, *end, *path;
    char *err;
    tok *t;
    size_t nt, cap, pos;
    buf out, fn;                 /* the program; the function being written */
    name globals[GS_MAX_SHARED]; /* module-level integers: shared variables */
    uint32_t nglobals;
    name locks[GS_MAX_ULOCKS];
    uint32_t nlocks;
    name funcs[GS_MAX_FUNCS];
    uint32_t nargs[GS_MAX_FUNCS], nfuncs;
    /* the function being compiled */
    name locals[GS_MAX_LOCALS];
    uint32_t nlocals, nparams;
    name declared[GS_MAX_SHARED]; /* its global statements */
    uint32_t ndeclared;
    uint32_t labels;
    int loop_break, loop_continue; /* labels of the innermost loop, -1 outside */
    uint32_t loop_withs;           /* with-blocks open when that loop began */
    uint32_t withs[32], nwiths;    /* the locks of the open with-blocks */
    int arith_temps;               /* the first of three locals for // and %, or -1 */
    uint32_t nesting;              /* levels of expression the parser is inside (pyc_expr.c) */
    int64_t sleep_ns;              /* what the time.sleep calls ask for, -1 before the first; */
    bool sleeps_vary;              /* ... or they differ, or one is not a constant */
    bool unit_size_default;        /* a main block's call of main gave the unit size */
    bool failed;
} pyc;


/* Errors: "FILE:LINE:COL: message", the source line, a caret; the first
 * one only.  Return -1. */
int py_fail_at(pyc *c, const tok *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int py_fail_line(pyc *c, uint32_t line, uint32_t col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The whole file as tokens, INDENT and DEDENT among them.  Returns 0, or -1. */
int py_lex(pyc *c);

/* Reading them. */
const tok *py_peek(const pyc *c);
const tok *py_ahead(const pyc *c, size_t k);
const tok *py_next(pyc *c);
bool py_is(const tok *t, int kind, const char *text);
bool py_is_op(const tok *t, const char *op);
bool py_is_kw(const tok *t, const char *kw);
bool py_accept(pyc *c, const char *op);
int py_expect(pyc *c, const char *op);
int py_expect_newline(pyc *c);
/* What to say instead of running Python's own ways of starting workers
 * (threading.Thread, asyncio, multiprocessing). */
#define PY_WORKERS_HINT                                                                                   \
    "gilsim starts the workers itself: put the work in main(first, units, size), and choose --threads N, " \
    "--processes N or --async N"
/* The message for a word of Python the subset refuses, or NULL. */
const char *py_unsupported(const tok *t);
bool py_is_keyword(const tok *t);

/* Writing assembly into b. */
void py_emit(pyc *c, buf *b, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
uint32_t py_label(pyc *c);
/* A hidden local of the function; its index, or -1. */
int py_temp(pyc *c);
int py_index_of(const name *names, uint32_t n, const tok *t);
int py_add_name(pyc *c, name *names, uint32_t *n, uint32_t max, const tok *t, const char *what);

/* Compiles an expression: one value on the stack.  Returns 0, or -1. */
int py_expr(pyc *c);
/* Python's // (or %, modulo) of the two values on the stack. */
int py_floor_op(pyc *c, bool modulo);
/* The binary operator op->at[0..len) (+, <<, //, ...) on the two values on
 * the stack: for augmented assignment.  Returns 0, or -1. */
int py_binary_op(pyc *c, const tok *op, size_t len);

#endif
