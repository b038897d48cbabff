/* pyc.c - the Python subset to gilsim assembly (see pyc.h): statements,
 * functions and the module; the tokens are pyc_lex.c's, the expressions
 * pyc_expr.c's.
 *
 * DESIGN
 * The lexer turns the whole file into tokens first, Python's INDENT and
 * DEDENT among them, so the parser may look ahead.  The parser is
 * recursive descent and writes assembly as it goes, one function at a
 * time into a buffer: a function's locals (its arguments, then every name
 * it assigns that it does not declare global, found by a first look over
 * its body, as Python decides) are known before its `.func` line is
 * written.  Each statement starts with a `.line N` directive, so runtime
 * errors and `gilsim dis` name the .py line.  Python's floor division and
 * modulo are written inline (py_floor_op).  Errors stop at the first, with
 * the source line and a caret. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyc_front.h"
#include "label.h"

void py_emit(pyc *c, buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
        char *s = realloc(b->s, cap);
        if (!s) {
            c->failed = true;
            snprintf(c->err, GS_ERRMSG_MAX, "%s: out of memory", c->path);
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

int py_index_of(const name *names, uint32_t n, const tok *t)
{
    for (uint32_t i = 0; i < n; i++)
        if (strlen(names[i].name) == t->len && memcmp(names[i].name, t->at, t->len) == 0)
            return (int)i;
    return -1;
}

int py_add_name(pyc *c, name *names, uint32_t *n, uint32_t max, const tok *t, const char *what)
{
    int i = py_index_of(names, *n, t);
    if (i >= 0)
        return i;
    if (*n == max)
        return py_fail_at(c, t, "too many %s (at most %u)", what, max);
    if (t->len > GS_MAX_NAME)
        return py_fail_at(c, t, "name too long (at most %u characters)", GS_MAX_NAME);
    memcpy(names[*n].name, t->at, t->len);
    names[*n].name[t->len] = '\0';
    return (int)(*n)++;
}

/* Words Python has that the subset does not. */
/* ---- statements ---- */

static int block(pyc *c);

static void line_of(pyc *c, const tok *t) { py_emit(c, &c->fn, ".line %u\n", t->line); }

/* Emits a jump to P<target> taken when the condition just compiled is
 * true (when_true) or false.  A condition that ends in an ordering
 * comparison becomes one compare-and-jump instruction, as the loops of
 * hand-written assembly are. */
static void jump_if(pyc *c, bool when_true, uint32_t target)
{
    static const struct {
        const char *cmp, *yes, *no;
    } fused[] = {{"lt", "jlt", "jge"}, {"le", "jle", "jgt"}, {"gt", "jgt", "jle"}, {"ge", "jge", "jlt"}};
    for (size_t i = 0; i < sizeof fused / sizeof fused[0]; i++) {
        char tail[16];
        size_t n = (size_t)snprintf(tail, sizeof tail, "\n    %s\n", fused[i].cmp);
        if (c->fn.len >= n && memcmp(c->fn.s + c->fn.len - n, tail, n) == 0) {
            c->fn.len -= n - 1;
            py_emit(c, &c->fn, "    %s P%u\n", when_true ? fused[i].yes : fused[i].no, target);
            return;
        }
    }
    py_emit(c, &c->fn, "    %s P%u\n", when_true ? "jnz" : "jz", target);
}

/* Releases the with-blocks' locks opened since the innermost loop (break,
 * continue) or all of them (return), innermost first. */
static void release_withs(pyc *c, uint32_t down_to)
{
    for (uint32_t i = c->nwiths; i-- > down_to;)
        py_emit(c, &c->fn, "    release %s\n", c->locks[c->withs[i]].name);
}

static bool is_assign_op(const tok *t)
{
    static const char *const ops[] = {"=", "+=", "-=", "*=", "//=", "%=", "<<=", ">>=", "&=", "|=", "^="};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (py_is_op(t, ops[i]))
            return true;
    return false;
}

static int assignment(pyc *c, const tok *target)
{
    const tok *op = py_next(c);
    int l = py_index_of(c->locals, c->nlocals, target), g = -1;
    if (l < 0) {
        g = py_index_of(c->globals, c->nglobals, target);
        if (g < 0 || py_index_of(c->declared, c->ndeclared, target) < 0)
            return py_fail_at(c, target, "internal error: '%.*s' has no place", (int)target->len, target->at);
    }
    const tok *v = py_peek(c);
    bool neg = py_is_op(v, "-");
    if (neg)
        v = py_ahead(c, 1);
    if (l >= 0 && (py_is_op(op, "+=") || py_is_op(op, "-=")) && v->kind == T_INT && v->value <= INT32_MAX &&
        py_ahead(c, neg ? 2 : 1)->kind == T_NEWLINE) { /* n += 1: one instruction */
        int64_t by = (neg ? -v->value : v->value) * (py_is_op(op, "-=") ? -1 : 1);
        py_emit(c, &c->fn, "    inc %d %" PRId64 "\n", l, by);
        c->pos += neg ? 2 : 1;
        return py_expect_newline(c);
    }
    if (!py_is_op(op, "=")) { /* augmented: the old value first */
        if (l >= 0)
            py_emit(c, &c->fn, "    load %d\n", l);
        else
            py_emit(c, &c->fn, "    gload %s\n", c->globals[g].name);
    }
    if (py_expr(c) != 0)
        return -1;
    if (!py_is_op(op, "=") && py_binary_op(c, op, op->len - 1) != 0) /* x <<= 2: the operator before the = */
        return -1;
    if (l >= 0)
        py_emit(c, &c->fn, "    store %d\n", l);
    else
        py_emit(c, &c->fn, "    gstore %s\n", c->globals[g].name);
    return py_expect_newline(c);
}

static int for_range(pyc *c, const tok *kw)
{
    const tok *var = py_next(c);
    if (var->kind != T_NAME || py_is_keyword(var))
        return py_fail_at(c, var, "expected a name after for (for NAME in range(...))");
    if (!py_is_kw(py_next(c), "in"))
        return py_fail_at(c, &c->t[c->pos - 1], "expected 'in' (for NAME in range(...))");
    const tok *r = py_next(c);
    if (!py_is_kw(r, "range") || !py_accept(c, "("))
        return py_fail_at(c, r, "only for NAME in range(...) is supported");
    int i = py_index_of(c->locals, c->nlocals, var), stop = py_temp(c), step = py_temp(c);
    if (i < 0 || stop < 0 || step < 0)
        return i < 0 ? py_fail_at(c, var, "the loop variable must be local") : -1;
    int nargs = 0;
    int64_t step_value = 1;
    bool step_known = true;
    while (!py_is_op(py_peek(c), ")")) {
        if (nargs && py_expect(c, ",") != 0)
            return -1;
        if (nargs == 3)
            return py_fail_at(c, py_peek(c), "range() takes one to three arguments");
        if (nargs == 2) {
            const tok *s = py_peek(c);
            bool neg = py_is_op(s, "-") && py_ahead(c, 1)->kind == T_INT;
            step_known = s->kind == T_INT || neg;
            if (step_known)
                step_value = neg ? -py_ahead(c, 1)->value : s->value;
            if (step_known && step_value == 0)
                return py_fail_at(c, s, "range() step must not be zero");
        }
        if (py_expr(c) != 0)
            return -1;
        nargs++;
    }
    py_next(c);
    if (nargs == 0)
        return py_fail_at(c, r, "range() takes one to three arguments");
    /* the stack holds the arguments as given: stop; start, stop; or start,
     * stop, step */
    if (nargs == 3)
        py_emit(c, &c->fn, "    store %d\n    store %d\n    store %d\n", step, stop, i);
    else if (nargs == 2)
        py_emit(c, &c->fn, "    store %d\n    store %d\n    push 1\n    store %d\n", stop, i, step);
    else
        py_emit(c, &c->fn, "    store %d\n    push 0\n    store %d\n    push 1\n    store %d\n", stop, i, step);
    if (py_expect(c, ":") != 0)
        return -1;
    uint32_t top = py_label(c), body = py_label(c), cont = py_label(c), end = py_label(c), down = py_label(c);
    int outer_break = c->loop_break, outer_cont = c->loop_continue;
    uint32_t outer_withs = c->loop_withs;
    c->loop_break = (int)end, c->loop_continue = (int)cont, c->loop_withs = c->nwiths;
    py_emit(c, &c->fn, "    jmp P%u\nP%u:\n", top, body);
    if (block(c) != 0)
        return -1;
    py_emit(c, &c->fn, "P%u:\n.line %u\n    load %d\n    load %d\n    add\n    store %d\nP%u:\n", cont, kw->line, i, step, i,
         top);
    if (!step_known)
        py_emit(c, &c->fn, "    load %d\n    push 0\n    jlt P%u\n", step, down);
    if (!step_known || step_value > 0)
        py_emit(c, &c->fn, "    load %d\n    load %d\n    jlt P%u\n    jmp P%u\n", i, stop, body, end);
    if (!step_known || step_value < 0)
        py_emit(c, &c->fn, "P%u:\n    load %d\n    load %d\n    jgt P%u\n", down, i, stop, body);
    py_emit(c, &c->fn, "P%u:\n", end);
    c->loop_break = outer_break, c->loop_continue = outer_cont, c->loop_withs = outer_withs;
    return 0;
}

/* Rotated, as compilers lay loops out: the test at the bottom, one jump
 * per iteration.  The condition's tokens are compiled after the body. */
static int while_loop(pyc *c, const tok *kw)
{
    uint32_t test = py_label(c), body = py_label(c), end = py_label(c);
    int outer_break = c->loop_break, outer_cont = c->loop_continue;
    uint32_t outer_withs = c->loop_withs;
    c->loop_break = (int)end, c->loop_continue = (int)test, c->loop_withs = c->nwiths;
    size_t cond = c->pos; /* compiled below, once the body is */
    while (!py_is_op(py_peek(c), ":") && py_peek(c)->kind != T_NEWLINE && py_peek(c)->kind != T_END)
        py_next(c);
    if (py_expect(c, ":") != 0)
        return -1;
    py_emit(c, &c->fn, "    jmp P%u\nP%u:\n", test, body);
    if (block(c) != 0)
        return -1;
    size_t after = c->pos;
    c->pos = cond;
    py_emit(c, &c->fn, "P%u:\n.line %u\n", test, kw->line);
    if (py_expr(c) != 0)
        return -1;
    if (!py_is_op(py_peek(c), ":"))
        return py_fail_at(c, py_peek(c), "expected ':'");
    jump_if(c, true, body);
    py_emit(c, &c->fn, "P%u:\n", end);
    c->pos = after;
    c->loop_break = outer_break, c->loop_continue = outer_cont, c->loop_withs = outer_withs;
    return 0;
}

static int if_chain(pyc *c)
{
    uint32_t end = py_label(c);
    for (;;) {
        uint32_t next_branch = py_label(c);
        if (py_expr(c) != 0 || py_expect(c, ":") != 0)
            return -1;
        jump_if(c, false, next_branch);
        if (block(c) != 0)
            return -1;
        py_emit(c, &c->fn, "    jmp P%u\nP%u:\n", end, next_branch);
        if (py_is_kw(py_peek(c), "elif")) {
            line_of(c, py_next(c));
            continue;
        }
        if (py_is_kw(py_peek(c), "else")) {
            line_of(c, py_next(c));
            if (py_expect(c, ":") != 0 || block(c) != 0)
                return -1;
        }
        break;
    }
    py_emit(c, &c->fn, "P%u:\n", end);
    return 0;
}

static int with_lock(pyc *c)
{
    const tok *t = py_next(c);
    int lock = py_index_of(c->locks, c->nlocks, t);
    if (lock < 0)
        return py_fail_at(c, t, "with takes a lock made at module level with threading.Lock()");
    if (py_is_kw(py_peek(c), "as"))
        return py_fail_at(c, py_peek(c), "with ... as is not supported");
    if (py_expect(c, ":") != 0)
        return -1;
    if (c->nwiths == sizeof c->withs / sizeof c->withs[0])
        return py_fail_at(c, t, "too many nested with-blocks");
    py_emit(c, &c->fn, "    acquire %s\n", c->locks[lock].name);
    c->withs[c->nwiths++] = (uint32_t)lock;
    if (block(c) != 0)
        return -1;
    c->nwiths--;
    py_emit(c, &c->fn, "    release %s\n", c->locks[lock].name);
    return 0;
}

static int statement(pyc *c)
{
    const tok *t = py_peek(c);
    line_of(c, t);
    if (t->kind == T_STRING && py_ahead(c, 1)->kind == T_NEWLINE) { /* a docstring, or any lone string: no effect */
        c->pos += 2;
        return 0;
    }
    if (t->kind != T_NAME)
        return py_fail_at(c, t, t->kind == T_INDENT ? "unexpected indent" : "expected a statement, found '%.*s'",
                       (int)t->len, t->at);
    const char *why = py_unsupported(t);
    if (why && !py_is_kw(t, "match"))
        return py_fail_at(c, t, "%s", why);
    if (py_is_kw(t, "pass")) {
        py_next(c);
        return py_expect_newline(c);
    }
    if (py_is_kw(t, "return")) {
        py_next(c);
        if (py_peek(c)->kind == T_NEWLINE)
            py_emit(c, &c->fn, "    push 0\n");
        else if (py_expr(c) != 0)
            return -1;
        release_withs(c, 0);
        py_emit(c, &c->fn, "    ret\n");
        return py_expect_newline(c);
    }
    if (py_is_kw(t, "break") || py_is_kw(t, "continue")) {
        py_next(c);
        if (c->loop_break < 0)
            return py_fail_at(c, t, "'%.*s' outside a loop", (int)t->len, t->at);
        release_withs(c, c->loop_withs);
        py_emit(c, &c->fn, "    jmp P%d\n", py_is_kw(t, "break") ? c->loop_break : c->loop_continue);
        return py_expect_newline(c);
    }
    if (py_is_kw(t, "global")) {
        do
            py_next(c);
        while (py_peek(c)->kind == T_NAME && (py_next(c), py_accept(c, ",")));
        return py_expect_newline(c); /* read by the look over the body */
    }
    if (py_is_kw(t, "if")) {
        py_next(c);
        return if_chain(c);
    }
    if (py_is_kw(t, "while")) {
        py_next(c);
        return while_loop(c, t);
    }
    if (py_is_kw(t, "for")) {
        py_next(c);
        return for_range(c, t);
    }
    if (py_is_kw(t, "with")) {
        py_next(c);
        return with_lock(c);
    }
    if (py_is_kw(t, "def"))
        return py_fail_at(c, t, "nested functions are not supported");
    if (py_is_kw(t, "import") || py_is_kw(t, "from"))
        return py_fail_at(c, t, "imports belong at the top of the module");
    if (py_is_keyword(t))
        return py_fail_at(c, t, "expected a statement, found '%.*s'", (int)t->len, t->at);
    const tok *op = py_ahead(c, 1);
    if (is_assign_op(op)) {
        py_next(c);
        return assignment(c, t);
    }
    if (py_is_op(op, ",") || py_is_op(op, "["))
        return py_fail_at(c, op, "only a single name may be assigned to");
    if (py_expr(c) != 0)
        return -1;
    py_emit(c, &c->fn, "    pop\n");
    return py_expect_newline(c);
}

static int block(pyc *c)
{
    if (py_peek(c)->kind != T_NEWLINE) { /* a simple statement on the same line */
        return statement(c);
    }
    py_next(c);
    if (py_peek(c)->kind != T_INDENT)
        return py_fail_at(c, py_peek(c), "expected an indented block");
    py_next(c);
    while (py_peek(c)->kind != T_DEDENT && py_peek(c)->kind != T_END)
        if (statement(c) != 0)
            return -1;
    py_next(c);
    return 0;
}

/* ---- functions and the module ---- */

/* The end of the block that starts at c->t[from] (an INDENT): the index of
 * its DEDENT. */
static size_t block_end(const pyc *c, size_t from)
{
    int depth = 0;
    for (size_t i = from; i < c->nt; i++) {
        depth += c->t[i].kind == T_INDENT;
        depth -= c->t[i].kind == T_DEDENT;
        if (depth == 0 && c->t[i].kind == T_DEDENT)
            return i;
    }
    return c->nt - 1;
}

/* A function's locals, as Python finds them: every name it assigns or
 * loops over, unless it declares it global. */
static int find_locals(pyc *c, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        const tok *t = &c->t[i];
        bool starts = i == from || c->t[i - 1].kind == T_NEWLINE || c->t[i - 1].kind == T_INDENT ||
                      c->t[i - 1].kind == T_DEDENT || py_is_op(&c->t[i - 1], ":");
        if (starts && py_is_kw(t, "global"))
            for (size_t k = i + 1; k < to && c->t[k].kind == T_NAME; k += 2) {
                if (py_index_of(c->globals, c->nglobals, &c->t[k]) < 0)
                    return py_fail_at(c, &c->t[k], "'%.*s' is declared global but is no integer variable of the module",
                                   (int)c->t[k].len, c->t[k].at);
                if (py_add_name(c, c->declared, &c->ndeclared, GS_MAX_SHARED, &c->t[k], "global names") < 0)
                    return -1;
                if (!py_is_op(&c->t[k + 1], ","))
                    break;
            }
    }
    for (size_t i = from; i + 1 < to; i++) {
        const tok *t = &c->t[i];
        bool starts = i == from || c->t[i - 1].kind == T_NEWLINE || c->t[i - 1].kind == T_INDENT ||
                      c->t[i - 1].kind == T_DEDENT || py_is_op(&c->t[i - 1], ":");
        bool target = (starts && t->kind == T_NAME && is_assign_op(&c->t[i + 1])) ||
                      (i > from && py_is_kw(&c->t[i - 1], "for") && t->kind == T_NAME);
        if (target && !py_is_keyword(t) && py_index_of(c->declared, c->ndeclared, t) < 0 &&
            py_add_name(c, c->locals, &c->nlocals, GS_MAX_LOCALS, t, "local variables") < 0)
            return -1;
    }
    return 0;
}

static int function(pyc *c)
{
    const tok *def = py_next(c), *fname = py_next(c);
    int f = py_index_of(c->funcs, c->nfuncs, fname);
    c->nlocals = c->ndeclared = 0;
    c->arith_temps = -1;
    c->nwiths = 0;
    c->loop_break = c->loop_continue = -1;
    c->fn.len = 0;
    py_next(c); /* ( : checked when the functions were counted */
    while (!py_is_op(py_peek(c), ")")) {
        const tok *p = py_next(c);
        if (py_add_name(c, c->locals, &c->nlocals, GS_MAX_LOCALS, p, "arguments") < 0)
            return -1;
        py_accept(c, ",");
    }
    py_next(c);
    c->nparams = c->nlocals;
    if (py_expect(c, ":") != 0)
        return -1;
    if (py_peek(c)->kind != T_NEWLINE)
        return py_fail_at(c, py_peek(c), "put the body of %s on the lines below, indented", c->funcs[f].name);
    if (find_locals(c, c->pos + 2, block_end(c, c->pos + 1)) != 0)
        return -1;
    if (block(c) != 0)
        return -1;
    py_emit(c, &c->fn, "    push 0\n    ret\n"); /* falling off the end returns None: 0 here */
    py_emit(c, &c->out, ".func %s %u %u\n.line %u\n%.*s.end\n", c->funcs[f].name, c->nparams, c->nlocals - c->nparams,
         def->line, (int)c->fn.len, c->fn.s ? c->fn.s : "");
    return c->failed ? -1 : 0;
}

/* `if __name__ == "__main__":` at module level: for python3 alone. */
static bool is_main_guard(const pyc *c)
{
    return py_is_kw(py_ahead(c, 0), "if") && py_is_kw(py_ahead(c, 1), "__name__") && py_is_op(py_ahead(c, 2), "==") &&
           py_ahead(c, 3)->kind == T_STRING && py_ahead(c, 3)->len == 10 && memcmp(py_ahead(c, 3)->at + 1, "__main__", 8) == 0;
}

static int skip_block(pyc *c)
{
    while (py_peek(c)->kind != T_NEWLINE && py_peek(c)->kind != T_END)
        py_next(c);
    py_next(c);
    if (py_peek(c)->kind == T_INDENT)
        c->pos = block_end(c, c->pos) + 1;
    return 0;
}

/* The call of main in the `if __name__ == "__main__":` block, when its
 * three arguments are integers (print(main(0, 20, 100000))): the unit size
 * python3 runs the file with, which the program then asks of gilsim too
 * (.default unit-size) when --unit-size does not say: the first such call's,
 * when a file has more than one main block (python3 runs them all; the
 * assembler takes one default).  The block itself is python3's alone. */
static void main_call_defaults(pyc *c)
{
    size_t end = c->pos;
    while (end < c->nt && c->t[end].kind != T_NEWLINE)
        end++;
    end = end + 1 < c->nt && c->t[end + 1].kind == T_INDENT ? block_end(c, end + 1) : end;
    for (size_t i = c->pos; i + 1 < end; i++) {
        if (!py_is_kw(&c->t[i], "main") || !py_is_op(&c->t[i + 1], "("))
            continue;
        int64_t args[3];
        size_t k = i + 2;
        for (int n = 0; n < 3 && k + 1 < end; n++) {
            bool neg = py_is_op(&c->t[k], "-");
            k += neg;
            if (c->t[k].kind != T_INT || k + 1 >= end)
                break;
            args[n] = neg ? -c->t[k].value : c->t[k].value;
            const tok *after = &c->t[++k];
            if (n == 2 && py_is_op(after, ")")) {
                if (!c->unit_size_default)
                    py_emit(c, &c->out, ".default unit-size %" PRId64 "\n", args[2]);
                c->unit_size_default = true;
                return;
            }
            if (!py_is_op(after, ","))
                break;
            k++;
        }
    }
}

/* First look over the module: imports, integer variables, locks, and each
 * function's name and arguments, so calls may come before definitions. */
static int declarations(pyc *c)
{
    while (py_peek(c)->kind != T_END) {
        const tok *t = py_peek(c);
        if (t->kind == T_NEWLINE) {
            py_next(c);
        } else if (t->kind == T_STRING && py_ahead(c, 1)->kind == T_NEWLINE) { /* a docstring: nothing to do */
            c->pos += 2;
        } else if (py_is_kw(t, "import") || py_is_kw(t, "from")) {
            py_next(c);
            const tok *m = py_next(c);
            static const char *const workers[] = {"asyncio", "multiprocessing", "concurrent", "_thread"};
            for (size_t i = 0; i < sizeof workers / sizeof workers[0]; i++)
                if (py_is_kw(m, workers[i]))
                    return py_fail_at(c, m, "importing '%s' is not supported: " PY_WORKERS_HINT, workers[i]);
            if (!py_is_kw(m, "time") && !py_is_kw(m, "threading") && !py_is_kw(m, "gilsim"))
                return py_fail_at(c, m, "importing '%.*s' is not supported (time, threading and gilsim are)", (int)m->len,
                               m->at);
            while (py_peek(c)->kind != T_NEWLINE && py_peek(c)->kind != T_END)
                py_next(c);
        } else if (py_is_kw(t, "def")) {
            py_next(c);
            const tok *n = py_next(c);
            if (n->kind != T_NAME || py_is_keyword(n))
                return py_fail_at(c, n, "expected a function name after def");
            if (py_index_of(c->funcs, c->nfuncs, n) >= 0)
                return py_fail_at(c, n, "function '%.*s' is defined twice", (int)n->len, n->at);
            int f = py_add_name(c, c->funcs, &c->nfuncs, GS_MAX_FUNCS, n, "functions");
            if (f < 0 || py_expect(c, "(") != 0)
                return -1;
            uint32_t nargs = 0;
            while (!py_is_op(py_peek(c), ")")) {
                const tok *p = py_next(c);
                if (p->kind != T_NAME || py_is_keyword(p))
                    return py_fail_at(c, p, py_is_op(p, "*") ? "*args and keyword-only arguments are not supported"
                                                       : "expected an argument name");
                if (py_is_op(py_peek(c), "="))
                    return py_fail_at(c, py_peek(c), "default argument values are not supported");
                if (py_is_op(py_peek(c), ":"))
                    return py_fail_at(c, py_peek(c), "annotations are not supported");
                nargs++;
                if (!py_accept(c, ",") && !py_is_op(py_peek(c), ")"))
                    return py_fail_at(c, py_peek(c), "expected ',' or ')' in the arguments of %s", c->funcs[f].name);
            }
            c->nargs[f] = nargs;
            skip_block(c);
        } else if (is_main_guard(c)) {
            main_call_defaults(c);
            skip_block(c);
        } else if (t->kind == T_NAME && py_is_op(py_ahead(c, 1), "=") && !py_is_keyword(t)) {
            py_next(c);
            py_next(c);
            if (py_is_kw(py_peek(c), "threading") && py_is_op(py_ahead(c, 1), ".") && py_is_kw(py_ahead(c, 2), "Lock") &&
                py_is_op(py_ahead(c, 3), "(") && py_is_op(py_ahead(c, 4), ")")) {
                if (py_add_name(c, c->locks, &c->nlocks, GS_MAX_ULOCKS, t, "locks") < 0)
                    return -1;
                c->pos += 5;
            } else {
                bool neg = py_accept(c, "-");
                const tok *v = py_next(c);
                if (v->kind != T_INT)
                    return py_fail_at(c, v, v->kind == T_FLOAT ? "floats are only allowed as the argument of time.sleep"
                                                            : "a module variable must be an integer or threading.Lock()");
                if (py_index_of(c->globals, c->nglobals, t) >= 0)
                    return py_fail_at(c, t, "'%.*s' is assigned twice at module level", (int)t->len, t->at);
                if (py_add_name(c, c->globals, &c->nglobals, GS_MAX_SHARED, t, "module variables") < 0)
                    return -1;
                py_emit(c, &c->out, ".shared %s %" PRId64 "\n", c->globals[c->nglobals - 1].name, neg ? -v->value : v->value);
            }
            if (py_expect_newline(c) != 0)
                return -1;
        } else {
            const char *why = py_unsupported(t);
            if (why && !py_is_kw(t, "match"))
                return py_fail_at(c, t, "%s", why);
            return py_fail_at(c, t, "at module level only imports, integer variables, locks, def and "
                                 "if __name__ == \"__main__\": are supported");
        }
    }
    for (uint32_t i = 0; i < c->nlocks; i++)
        py_emit(c, &c->out, ".lock %s\n", c->locks[i].name);
    if (py_index_of(c->funcs, c->nfuncs, &(tok){.at = "main", .len = 4}) < 0)
        return py_fail_line(c, 1, 1, "no function named main");
    return 0;
}

/* Python reads a program with universal newlines: "\r\n" and a lone "\r"
 * end a line as "\n" does (its tokenizer translates both).  The front end
 * must see the very lines python3 will run, or a line python3 runs could
 * hide in what gilsim took for the rest of a comment (--vs-python runs the
 * file).  Returns the translated copy, malloc'd, and its length in *n. */
static char *universal_newlines(const char *src, size_t len, size_t *n)
{
    char *out = malloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; out && i < len; i++) {
        if (src[i] == '\r' && i + 1 < len && src[i + 1] == '\n')
            continue; /* the "\n" that follows ends the line */
        out[o++] = src[i] == '\r' ? '\n' : src[i];
    }
    *n = o;
    return out;
}

int gs_pyc_compile(const char *source_given, size_t len_given, const char *filename, char **gsa,
                   char err[GS_ERRMSG_MAX])
{
    size_t len;
    char *source = universal_newlines(source_given, len_given, &len);
    char label[GS_MAX_NAME * 4]; /* the file's name in the comment: no newline can end it */
    gs_label(filename, strlen(filename), label, sizeof label);
    if (!source) {
        snprintf(err, GS_ERRMSG_MAX, "%s: out of memory", label);
        return -1;
    }
    pyc c = {.src = source, .end = source + len, .path = filename, .err = err, .loop_break = -1,
             .loop_continue = -1, .sleep_ns = -1};
    int rc = memchr(source, '\0', len) ? py_fail_line(&c, 1, 1, "unexpected byte 0x00 (programs are plain text)")
                                       : py_lex(&c);
    if (rc == 0) {
        py_emit(&c, &c.out, "; compiled by gilsim from %s\n.overflow error\n", label);
        rc = declarations(&c);
    }
    c.pos = 0;
    while (rc == 0 && py_peek(&c)->kind != T_END) {
        if (py_is_kw(py_peek(&c), "def"))
            rc = function(&c);
        else
            skip_block(&c);
    }
    if (rc == 0 && c.sleep_ns >= 0 && !c.sleeps_vary && c.sleep_ns <= 10000000000)
        py_emit(&c, &c.out, ".default io-latency %" PRId64 "\n", c.sleep_ns); /* every sleep asks for it */
    free(c.t);
    free(c.fn.s);
    free(source);
    if (rc != 0 || c.failed) {
        free(c.out.s);
        return -1;
    }
    *gsa = c.out.s;
    return 0;
}

