/* pyc_expr.c - the Python front end's expressions: each leaves one value
 * on the stack (see pyc_front.h).  Python's floor division and modulo are
 * written inline (floor_op); and and or give one of their operands, as
 * Python's do. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyc_front.h"

uint32_t py_label(pyc *c) { return c->labels++; }

int py_temp(pyc *c)
{
    char n[16];
    snprintf(n, sizeof n, " t%u", c->nlocals);
    if (c->nlocals == GS_MAX_LOCALS)
        return py_fail_at(c, py_peek(c), "too many local variables in this function (at most %u)", GS_MAX_LOCALS);
    snprintf(c->locals[c->nlocals].name, sizeof c->locals[0].name, "%s", n);
    return (int)c->nlocals++;
}

/* A call of a module's function: time.sleep(x), gilsim.pipe(x), ... */
static int module_call(pyc *c, const tok *mod, const tok *fn)
{
    if (py_is_kw(mod, "time") && py_is_kw(fn, "sleep")) {
        /* A sleep lasts the run's --io-latency; the program asks for what
         * its sleeps say, when they all say one constant (pyc.c). */
        const tok *arg = py_peek(c);
        if ((arg->kind == T_FLOAT || arg->kind == T_INT) && py_is_op(py_ahead(c, 1), ")")) {
            char text[64];
            snprintf(text, sizeof text, "%.*s", (int)(arg->len < 63 ? arg->len : 63), arg->at);
            double seconds = strtod(text, NULL);
            int64_t ns = seconds >= 0 && seconds < 1e9 ? (int64_t)(seconds * 1e9 + 0.5) : -1;
            c->sleeps_vary |= ns < 0 || (c->sleep_ns >= 0 && c->sleep_ns != ns);
            c->sleep_ns = ns;
            py_next(c);
        } else if (py_expr(c) == 0) {
            c->sleeps_vary = true;
            py_emit(c, &c->fn, "    pop\n");
        } else {
            return -1;
        }
        py_emit(c, &c->fn, "    push 0\n    io sleep\n");
        return py_expect(c, ")");
    }
    static const char *const io[] = {"pipe", "file"};
    for (size_t i = 0; py_is_kw(mod, "gilsim") && i < 2; i++)
        if (py_is_kw(fn, io[i])) {
            if (py_expr(c) != 0)
                return -1;
            py_emit(c, &c->fn, "    io %s\n", io[i]);
            return py_expect(c, ")");
        }
    if (py_is_kw(mod, "gilsim") && py_is_kw(fn, "native")) {
        if (py_expr(c) != 0)
            return -1;
        py_emit(c, &c->fn, "    native\n");
        return py_expect(c, ")");
    }
    int lock = py_index_of(c->locks, c->nlocks, mod);
    if (lock >= 0 && (py_is_kw(fn, "acquire") || py_is_kw(fn, "release"))) {
        py_emit(c, &c->fn, "    %s %s\n    push 1\n", py_is_kw(fn, "acquire") ? "acquire" : "release", c->locks[lock].name);
        if (!py_is_op(py_peek(c), ")"))
            return py_fail_at(c, py_peek(c), "%.*s() takes no arguments here", (int)fn->len, fn->at);
        return py_expect(c, ")");
    }
    if (py_is_kw(mod, "threading") && !py_is_kw(fn, "Lock"))
        return py_fail_at(c, mod, "'threading.%.*s' is not supported: " PY_WORKERS_HINT, (int)fn->len, fn->at);
    return py_fail_at(c, mod, "'%.*s.%.*s' is not supported (time.sleep, gilsim.pipe, gilsim.file, gilsim.native, "
                   "and a lock's acquire and release are)", (int)mod->len, mod->at, (int)fn->len, fn->at);
}

static int atom(pyc *c)
{
    const tok *t = py_next(c);
    if (t->kind == T_INT) {
        py_emit(c, &c->fn, "    push %" PRId64 "\n", t->value);
        return 0;
    }
    if (t->kind == T_FLOAT)
        return py_fail_at(c, t, "floats are only allowed as the argument of time.sleep");
    if (t->kind == T_STRING)
        return py_fail_at(c, t, "strings are not supported: the subset has integers only");
    if (py_is_op(t, "(")) {
        if (py_expr(c) != 0)
            return -1;
        if (py_is_op(py_peek(c), ","))
            return py_fail_at(c, py_peek(c), "tuples are not supported");
        return py_expect(c, ")");
    }
    if (py_is_op(t, "[") || py_is_op(t, "{"))
        return py_fail_at(c, t, "lists, dicts and sets are not supported");
    if (t->kind != T_NAME)
        return py_fail_at(c, t, t->kind == T_NEWLINE ? "expected an expression before the end of the line"
                                                   : "expected an expression, found '%.*s'", (int)t->len, t->at);
    if (py_is_kw(t, "True") || py_is_kw(t, "False")) {
        py_emit(c, &c->fn, "    push %d\n", py_is_kw(t, "True"));
        return 0;
    }
    const char *why = py_unsupported(t);
    if (why)
        return py_fail_at(c, t, "%s", why);
    if (py_is_keyword(t))
        return py_fail_at(c, t, "expected an expression, found '%.*s'", (int)t->len, t->at);
    if (py_is_op(py_peek(c), ".")) {
        py_next(c);
        const tok *fn = py_next(c);
        if (fn->kind != T_NAME || !py_accept(c, "("))
            return py_fail_at(c, fn, "attributes are not supported, only calls such as time.sleep(x)");
        return module_call(c, t, fn);
    }
    if (py_accept(c, "(")) {
        if (py_is_kw(t, "range"))
            return py_fail_at(c, t, "range() is only allowed in for NAME in range(...)");
        int f = py_index_of(c->funcs, c->nfuncs, t);
        if (f < 0)
            return py_fail_at(c, t, "function '%.*s' is not defined (define it with def in this file)", (int)t->len,
                           t->at);
        uint32_t n = 0;
        while (!py_is_op(py_peek(c), ")")) {
            if (n && py_expect(c, ",") != 0)
                return -1;
            if (py_is_op(py_peek(c), ")"))
                break;
            if (py_is(py_ahead(c, 0), T_NAME, NULL) && py_is_op(py_ahead(c, 1), "="))
                return py_fail_at(c, py_peek(c), "keyword arguments are not supported");
            if (py_expr(c) != 0)
                return -1;
            n++;
        }
        py_next(c);
        if (n != c->nargs[f])
            return py_fail_at(c, t, "%s() takes %u argument%s, %u given", c->funcs[f].name, c->nargs[f],
                           c->nargs[f] == 1 ? "" : "s", n);
        py_emit(c, &c->fn, "    call %s\n", c->funcs[f].name);
        return 0;
    }
    int l = py_index_of(c->locals, c->nlocals, t);
    if (l >= 0) {
        py_emit(c, &c->fn, "    load %d\n", l);
        return 0;
    }
    int g = py_index_of(c->globals, c->nglobals, t);
    if (g >= 0) {
        py_emit(c, &c->fn, "    gload %s\n", c->globals[g].name);
        return 0;
    }
    if (py_index_of(c->locks, c->nlocks, t) >= 0)
        return py_fail_at(c, t, "a lock is not a number: use it in with or its acquire() and release()");
    return py_fail_at(c, t, "name '%.*s' is not defined", (int)t->len, t->at);
}

/* The parser recurses as deep as the input nests: each parenthesis, call
 * argument, `not` and sign is a level.  A bound keeps a hostile file (a
 * hundred thousand parentheses) from overflowing the C stack; a real
 * program never comes near it (CPython's own parser stops at 200
 * parentheses).  nested() enters a level, or fails at t; leave with
 * c->nesting--. */
static int nested(pyc *c, const tok *t)
{
    if (++c->nesting <= GS_PY_MAX_NESTING)
        return 0;
    return py_fail_at(c, t, "expression nested too deeply (at most %u levels of parentheses, calls, signs and "
                      "not)", GS_PY_MAX_NESTING);
}

static int unary(pyc *c)
{
    const tok *sign = py_peek(c);
    if (py_is_op(sign, "-") || py_is_op(sign, "+")) {
        py_next(c);
        if (nested(c, sign) != 0 || unary(c) != 0)
            return -1;
        c->nesting--;
        if (py_is_op(sign, "-"))
            py_emit(c, &c->fn, "    neg\n");
        return 0;
    }
    if (py_is_op(sign, "~")) {
        py_next(c);
        if (nested(c, sign) != 0 || unary(c) != 0)
            return -1;
        c->nesting--;
        py_emit(c, &c->fn, "    inv\n");
        return 0;
    }
    if (atom(c) != 0)
        return -1;
    if (py_is_op(py_peek(c), "**"))
        return py_fail_at(c, py_peek(c), "the power operator ** is not supported");
    return 0;
}

/* Python's a // b and a % b, which round toward minus infinity where
 * gilsim's div and mod truncate: the truncated result, corrected when the
 * remainder is not zero and the signs differ.  Inline, over three locals
 * of the function's own. */
int py_floor_op(pyc *c, bool modulo)
{
    if (c->arith_temps < 0) {
        int a = py_temp(c), b = py_temp(c), r = py_temp(c);
        if (a < 0 || b < 0 || r < 0)
            return -1;
        c->arith_temps = a;
    }
    int a = c->arith_temps, b = a + 1, r = a + 2;
    uint32_t done = py_label(c);
    py_emit(c, &c->fn, "    store %d\n    store %d\n    load %d\n    load %d\n    %s\n    store %d\n", b, a, a, b,
         modulo ? "mod" : "div", r);
    if (modulo)
        py_emit(c, &c->fn, "    load %d\n    jz P%u\n    load %d\n", r, done, r);
    else
        py_emit(c, &c->fn, "    load %d\n    load %d\n    mod\n    jz P%u\n    load %d\n", a, b, done, a);
    py_emit(c, &c->fn, "    push 0\n    lt\n    load %d\n    push 0\n    lt\n    ne\n    jz P%u\n", b, done);
    if (modulo)
        py_emit(c, &c->fn, "    load %d\n    load %d\n    add\n    store %d\n", r, b, r);
    else
        py_emit(c, &c->fn, "    inc %d -1\n", r);
    py_emit(c, &c->fn, "P%u:\n    load %d\n", done, r);
    return 0;
}

/* The binary operators by precedence, loosest first (Python's order):
 * each level's operators and the instruction each is, "" for Python's
 * floor division and modulo (py_floor_op).  Augmented assignments
 * (x <<= 2) use the same table (py_binary_op). */
static const struct {
    const char *op, *ins;
    int level;
} binops[] = {
    {"|", "or", 0}, {"^", "xor", 1}, {"&", "and", 2}, {"<<", "shl", 3}, {">>", "shr", 3},
    {"+", "add", 4}, {"-", "sub", 4}, {"*", "mul", 5}, {"//", "", 5}, {"%", "", 5},
};
enum { BINARY_LEVELS = 6 };

static int binop_at(const tok *t, int level)
{
    for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++)
        if (binops[i].level == level && py_is_op(t, binops[i].op))
            return (int)i;
    return -1;
}

/* Writes the instruction of operator i on the two values on the stack. */
static int apply_binop(pyc *c, int i)
{
    if (binops[i].ins[0]) {
        py_emit(c, &c->fn, "    %s\n", binops[i].ins);
        return 0;
    }
    return py_floor_op(c, strcmp(binops[i].op, "%") == 0);
}

int py_binary_op(pyc *c, const tok *op, size_t len)
{
    for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++)
        if (strlen(binops[i].op) == len && memcmp(op->at, binops[i].op, len) == 0)
            return apply_binop(c, (int)i);
    return py_fail_at(c, op, "internal error: no operator '%.*s'", (int)len, op->at);
}

/* An operand of level's operators, then each operator and its next operand. */
static int binary(pyc *c, int level)
{
    if (level == BINARY_LEVELS)
        return unary(c);
    if (binary(c, level + 1) != 0)
        return -1;
    for (;;) {
        const tok *op = py_peek(c);
        if (level == BINARY_LEVELS - 1 && py_is_op(op, "/"))
            return py_fail_at(c, op, "true division '/' gives a float: use // for integers");
        if (level == BINARY_LEVELS - 1 && py_is_op(op, "@"))
            return py_fail_at(c, op, "the operator '@' is not supported");
        int i = binop_at(op, level);
        if (i < 0)
            return 0;
        py_next(c);
        if (binary(c, level + 1) != 0 || apply_binop(c, i) != 0)
            return -1;
    }
}

static const char *comparison_op(const tok *t)
{
    static const struct {
        const char *op, *ins;
    } cmp[] = {{"==", "eq"}, {"!=", "ne"}, {"<", "lt"}, {"<=", "le"}, {">", "gt"}, {">=", "ge"}};
    for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++)
        if (py_is_op(t, cmp[i].op))
            return cmp[i].ins;
    return NULL;
}

/* a < b < c is a < b and b < c, with b computed once. */
static int comparison(pyc *c)
{
    if (binary(c, 0) != 0)
        return -1;
    const char *ins = comparison_op(py_peek(c));
    if (!ins)
        return 0;
    uint32_t done = py_label(c);
    bool chained = false;
    while (ins) {
        py_next(c);
        if (binary(c, 0) != 0)
            return -1;
        const char *after = comparison_op(py_peek(c));
        if (after) { /* keep b for the next comparison */
            int t = py_temp(c);
            if (t < 0)
                return -1;
            py_emit(c, &c->fn, "    dup\n    store %d\n    %s\n    dup\n    jz P%u\n    pop\n    load %d\n", t, ins,
                 done, t);
            chained = true;
        } else {
            py_emit(c, &c->fn, "    %s\n", ins);
        }
        ins = after;
    }
    if (chained)
        py_emit(c, &c->fn, "P%u:\n", done);
    return 0;
}

static int not_expr(pyc *c)
{
    if (py_is_kw(py_peek(c), "not")) {
        if (nested(c, py_next(c)) != 0 || not_expr(c) != 0)
            return -1;
        c->nesting--;
        py_emit(c, &c->fn, "    push 0\n    eq\n");
        return 0;
    }
    return comparison(c);
}

/* and/or give one of their operands, as Python's do: a or b is a if a is
 * true, else b.  After the first operand, on the stack: each `kw operand`
 * keeps the value so far where `jump` (jz for and, jnz for or) decides,
 * else replaces it with the next operand's. */
static int short_circuit(pyc *c, const char *kw, const char *jump, int (*operand)(pyc *))
{
    if (!py_is_kw(py_peek(c), kw))
        return 0;
    uint32_t end = py_label(c);
    while (py_is_kw(py_peek(c), kw)) {
        py_next(c);
        py_emit(c, &c->fn, "    dup\n    %s P%u\n    pop\n", jump, end);
        if (operand(c) != 0)
            return -1;
    }
    py_emit(c, &c->fn, "P%u:\n", end);
    return 0;
}

static int and_expr(pyc *c)
{
    return not_expr(c) != 0 ? -1 : short_circuit(c, "and", "jz", not_expr);
}

int py_expr(pyc *c)
{
    if (nested(c, py_peek(c)) != 0 || and_expr(c) != 0)
        return -1;
    if (py_is_kw(py_peek(c), "if"))
        return py_fail_at(c, py_peek(c), "conditional expressions (x if c else y) are not supported");
    if (short_circuit(c, "or", "jnz", and_expr) != 0)
        return -1;
    c->nesting--;
    return 0;
}

