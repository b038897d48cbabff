/* pyc.c - the Python subset to gilsim assembly (see pyc.h).
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
 * modulo are written inline (floor_op).  Errors stop at the first, with
 * the source line and a caret. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyc.h"

/* ---- tokens ---- */

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
    bool failed;
} pyc;

static int fail_at(pyc *c, const tok *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "FILE:LINE:COL: message", then the line and a caret under the column. */
static int fail_pos(pyc *c, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
    if (c->failed)
        return -1;
    c->failed = true;
    char msg[160];
    vsnprintf(msg, sizeof msg, fmt, ap);
    const char *l = c->src;
    for (uint32_t i = 1; i < line && l < c->end; i++) {
        const char *nl = memchr(l, '\n', (size_t)(c->end - l));
        l = nl ? nl + 1 : c->end;
    }
    const char *nl = l < c->end ? memchr(l, '\n', (size_t)(c->end - l)) : NULL;
    size_t n = (size_t)((nl ? nl : c->end) - l);
    int shown = n > 60 ? 60 : (int)n;
    snprintf(c->err, GS_ERRMSG_MAX, "%s:%u:%u: %s\n    %.*s\n    %*s^", c->path, line, col, msg, shown, l,
             (int)(col > (uint32_t)shown + 1 ? (uint32_t)shown : col - 1), "");
    return -1;
}

static int fail_at(pyc *c, const tok *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = fail_pos(c, at->line, at->col, fmt, ap);
    va_end(ap);
    return rc;
}

static int fail_line(pyc *c, uint32_t line, uint32_t col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail_line(pyc *c, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = fail_pos(c, line, col, fmt, ap);
    va_end(ap);
    return rc;
}

static void emit(pyc *c, buf *b, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void emit(pyc *c, buf *b, const char *fmt, ...)
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

/* ---- the lexer ---- */

static int add(pyc *c, int kind, const char *at, size_t len, uint32_t line, uint32_t col)
{
    if (c->nt == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        tok *t = realloc(c->t, cap * sizeof *t);
        if (!t) {
            snprintf(c->err, GS_ERRMSG_MAX, "%s: out of memory", c->path);
            return -1;
        }
        c->t = t;
        c->cap = cap;
    }
    c->t[c->nt++] = (tok){.kind = kind, .at = at, .len = len, .line = line, .col = col};
    return 0;
}

static const char *const ops[] = {"//=", "**", "//", "+=", "-=", "*=", "%=", "==", "!=", "<=", ">=", "->", "+", "-",
                                  "*", "/", "%", "<", ">", "=", "(", ")", ":", ",", ".", "[", "]", "{", "}",
                                  "@", "&", "|", "^", "~", ";"};

static int lex(pyc *c)
{
    uint32_t line = 1, indents[100] = {0}, nind = 1, depth = 0;
    bool line_start = true;
    const char *p = c->src, *ls = p;
    while (p < c->end) {
        if (line_start && depth == 0) { /* indentation of a line that holds code */
            uint32_t width = 0;
            const char *q = p;
            for (; q < c->end && (*q == ' ' || *q == '\t'); q++)
                width += *q == '\t' ? 8 - width % 8 : 1;
            if (q < c->end && (*q == '\n' || *q == '#' || *q == '\r')) {
                p = q; /* blank or comment: no tokens */
            } else if (q < c->end) {
                uint32_t col = (uint32_t)(q - ls) + 1;
                if (width > indents[nind - 1]) {
                    if (nind == 100)
                        return fail_line(c, line, col, "too deeply nested");
                    indents[nind++] = width;
                    if (add(c, T_INDENT, q, 0, line, col) != 0)
                        return -1;
                }
                while (width < indents[nind - 1]) {
                    nind--;
                    if (add(c, T_DEDENT, q, 0, line, col) != 0)
                        return -1;
                }
                if (width != indents[nind - 1])
                    return fail_line(c, line, col, "unindent does not match any outer indentation level");
                p = q;
            }
            line_start = false;
            continue;
        }
        uint32_t col = (uint32_t)(p - ls) + 1;
        unsigned char ch = (unsigned char)*p;
        if (ch == '\n') {
            if (depth == 0 && c->nt && c->t[c->nt - 1].kind != T_NEWLINE && c->t[c->nt - 1].kind != T_INDENT &&
                c->t[c->nt - 1].kind != T_DEDENT && add(c, T_NEWLINE, p, 0, line, col) != 0)
                return -1;
            p++;
            ls = p;
            line++;
            line_start = true;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f') {
            p++;
        } else if (ch == '#') {
            while (p < c->end && *p != '\n')
                p++;
        } else if (ch == '\\' && p + 1 < c->end && p[1] == '\n') {
            p += 2;
            ls = p;
            line++;
        } else if (isalpha(ch) || ch == '_') {
            const char *s = p;
            while (p < c->end && (isalnum((unsigned char)*p) || *p == '_'))
                p++;
            if (add(c, T_NAME, s, (size_t)(p - s), line, col) != 0)
                return -1;
        } else if (isdigit(ch) || (ch == '.' && p + 1 < c->end && isdigit((unsigned char)p[1]))) {
            const char *s = p;
            bool is_float = false;
            while (p < c->end && (isalnum((unsigned char)*p) || *p == '_' || *p == '.')) {
                is_float |= *p == '.' || ((*p == 'e' || *p == 'E') && !(s[0] == '0' && s + 1 < p && (s[1] == 'x' || s[1] == 'X')));
                p++;
            }
            if (add(c, is_float ? T_FLOAT : T_INT, s, (size_t)(p - s), line, col) != 0)
                return -1;
            if (!is_float) {
                char digits[64];
                size_t n = 0;
                for (const char *q = s; q < p && n < sizeof digits - 1; q++)
                    if (*q != '_')
                        digits[n++] = *q;
                digits[n] = '\0';
                char *stop;
                int base = n > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') ? 16 : 10;
                errno = 0;
                unsigned long long v = strtoull(base == 16 ? digits + 2 : digits, &stop, base);
                if (*stop || errno || v > INT64_MAX || (base == 10 && n > 1 && digits[0] == '0' && v != 0))
                    return fail_line(c, line, col, "'%.*s' is not an integer gilsim can hold (64-bit, decimal "
                                     "or 0x hexadecimal)", (int)(p - s), s);
                c->t[c->nt - 1].value = (int64_t)v;
            }
        } else if (ch == '"' || ch == '\'') {
            const char *s = p++;
            while (p < c->end && *p != (char)ch && *p != '\n')
                p += *p == '\\' && p + 1 < c->end ? 2 : 1;
            if (p >= c->end || *p != (char)ch)
                return fail_line(c, line, col, "unterminated string");
            p++;
            if (add(c, T_STRING, s, (size_t)(p - s), line, col) != 0)
                return -1;
        } else {
            size_t n = 0;
            for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !n; i++)
                if ((size_t)(c->end - p) >= strlen(ops[i]) && memcmp(p, ops[i], strlen(ops[i])) == 0)
                    n = strlen(ops[i]);
            if (!n)
                return fail_line(c, line, col, ch < 0x80 && isprint(ch) ? "unexpected character '%c'"
                                                                         : "unexpected byte 0x%02x", ch);
            if (*p == '(' || *p == '[' || *p == '{')
                depth++;
            else if ((*p == ')' || *p == ']' || *p == '}') && depth > 0)
                depth--;
            if (add(c, T_OP, p, n, line, col) != 0)
                return -1;
            p += n;
        }
    }
    if (c->nt && c->t[c->nt - 1].kind != T_NEWLINE && add(c, T_NEWLINE, p, 0, line, (uint32_t)(p - ls) + 1) != 0)
        return -1;
    while (nind-- > 1)
        if (add(c, T_DEDENT, p, 0, line, 1) != 0)
            return -1;
    return add(c, T_END, p, 0, line, 1);
}

/* ---- the parser's reading ---- */

static const tok *peek(const pyc *c) { return &c->t[c->pos]; }
static const tok *ahead(const pyc *c, size_t k) { return &c->t[c->pos + k < c->nt ? c->pos + k : c->nt - 1]; }
static const tok *next(pyc *c) { return &c->t[c->pos < c->nt - 1 ? c->pos++ : c->pos]; }

static bool is(const tok *t, int kind, const char *text)
{
    return t->kind == kind && (!text || (t->len == strlen(text) && memcmp(t->at, text, t->len) == 0));
}
static bool is_op(const tok *t, const char *op) { return is(t, T_OP, op); }
static bool is_kw(const tok *t, const char *kw) { return is(t, T_NAME, kw); }

static bool accept(pyc *c, const char *op)
{
    if (!is_op(peek(c), op))
        return false;
    next(c);
    return true;
}

static int expect(pyc *c, const char *op)
{
    if (accept(c, op))
        return 0;
    const tok *t = peek(c);
    return fail_at(c, t, "expected '%s'%s", op, t->kind == T_NEWLINE ? " before the end of the line" : "");
}

static int expect_newline(pyc *c)
{
    if (peek(c)->kind == T_NEWLINE) {
        next(c);
        return 0;
    }
    return fail_at(c, peek(c), "unexpected '%.*s' after the statement", (int)peek(c)->len, peek(c)->at);
}

static int index_of(const name *names, uint32_t n, const tok *t)
{
    for (uint32_t i = 0; i < n; i++)
        if (strlen(names[i].name) == t->len && memcmp(names[i].name, t->at, t->len) == 0)
            return (int)i;
    return -1;
}

static int add_name(pyc *c, name *names, uint32_t *n, uint32_t max, const tok *t, const char *what)
{
    int i = index_of(names, *n, t);
    if (i >= 0)
        return i;
    if (*n == max)
        return fail_at(c, t, "too many %s (at most %u)", what, max);
    if (t->len > GS_MAX_NAME)
        return fail_at(c, t, "name too long (at most %u characters)", GS_MAX_NAME);
    memcpy(names[*n].name, t->at, t->len);
    names[*n].name[t->len] = '\0';
    return (int)(*n)++;
}

/* Words Python has that the subset does not. */
static const struct {
    const char *word, *message;
} unsupported[] = {
    {"class", "classes are not supported"},
    {"lambda", "lambda is not supported: use def"},
    {"try", "exceptions are not supported (try)"},
    {"raise", "exceptions are not supported (raise)"},
    {"except", "exceptions are not supported (except)"},
    {"finally", "exceptions are not supported (finally)"},
    {"yield", "generators are not supported (yield)"},
    {"async", "async functions are not supported: gilsim --async runs the same program as tasks"},
    {"await", "await is not supported: gilsim --async runs the same program as tasks"},
    {"nonlocal", "nonlocal is not supported: nested functions are not"},
    {"del", "del is not supported"},
    {"assert", "assert is not supported"},
    {"print", "print is not supported: return a checksum from main instead"},
    {"None", "None is not supported: the subset has integers only"},
    {"is", "'is' is not supported: compare integers with =="},
    {"in", "'in' is only allowed in for NAME in range(...)"},
    {"match", NULL}, /* a soft keyword: a name like any other */
};

static const char *unsupported_word(const tok *t)
{
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        if (is_kw(t, unsupported[i].word))
            return unsupported[i].message;
    return NULL;
}

static const char *const keywords[] = {"def", "return", "if", "elif", "else", "while", "for", "break", "continue",
                                       "pass", "and", "or", "not", "global", "with", "import", "from", "True",
                                       "False", "as"};

static bool is_keyword(const tok *t)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (is_kw(t, keywords[i]))
            return true;
    return unsupported_word(t) != NULL;
}

/* ---- expressions: each leaves one value on the stack ---- */

static int expr(pyc *c);

static uint32_t label(pyc *c) { return c->labels++; }

static int temp(pyc *c)
{
    char n[16];
    snprintf(n, sizeof n, " t%u", c->nlocals);
    if (c->nlocals == GS_MAX_LOCALS)
        return fail_at(c, peek(c), "too many local variables in this function (at most %u)", GS_MAX_LOCALS);
    snprintf(c->locals[c->nlocals].name, sizeof c->locals[0].name, "%s", n);
    return (int)c->nlocals++;
}

/* A call of a module's function: time.sleep(x), gilsim.pipe(x), ... */
static int module_call(pyc *c, const tok *mod, const tok *fn)
{
    if (is_kw(mod, "time") && is_kw(fn, "sleep")) {
        const tok *arg = peek(c);
        if (arg->kind == T_FLOAT || arg->kind == T_INT) { /* the latency is the run's --io-latency */
            next(c);
        } else if (expr(c) == 0) {
            emit(c, &c->fn, "    pop\n");
        } else {
            return -1;
        }
        emit(c, &c->fn, "    push 0\n    io sleep\n");
        return expect(c, ")");
    }
    static const char *const io[] = {"pipe", "file"};
    for (size_t i = 0; is_kw(mod, "gilsim") && i < 2; i++)
        if (is_kw(fn, io[i])) {
            if (expr(c) != 0)
                return -1;
            emit(c, &c->fn, "    io %s\n", io[i]);
            return expect(c, ")");
        }
    if (is_kw(mod, "gilsim") && is_kw(fn, "native")) {
        if (expr(c) != 0)
            return -1;
        emit(c, &c->fn, "    native\n");
        return expect(c, ")");
    }
    int lock = index_of(c->locks, c->nlocks, mod);
    if (lock >= 0 && (is_kw(fn, "acquire") || is_kw(fn, "release"))) {
        emit(c, &c->fn, "    %s %s\n    push 1\n", is_kw(fn, "acquire") ? "acquire" : "release", c->locks[lock].name);
        if (!is_op(peek(c), ")"))
            return fail_at(c, peek(c), "%.*s() takes no arguments here", (int)fn->len, fn->at);
        return expect(c, ")");
    }
    return fail_at(c, mod, "'%.*s.%.*s' is not supported (time.sleep, gilsim.pipe, gilsim.file, gilsim.native, "
                   "and a lock's acquire and release are)", (int)mod->len, mod->at, (int)fn->len, fn->at);
}

static int atom(pyc *c)
{
    const tok *t = next(c);
    if (t->kind == T_INT) {
        emit(c, &c->fn, "    push %" PRId64 "\n", t->value);
        return 0;
    }
    if (t->kind == T_FLOAT)
        return fail_at(c, t, "floats are only allowed as the argument of time.sleep");
    if (t->kind == T_STRING)
        return fail_at(c, t, "strings are not supported: the subset has integers only");
    if (is_op(t, "(")) {
        if (expr(c) != 0)
            return -1;
        if (is_op(peek(c), ","))
            return fail_at(c, peek(c), "tuples are not supported");
        return expect(c, ")");
    }
    if (is_op(t, "[") || is_op(t, "{"))
        return fail_at(c, t, "lists, dicts and sets are not supported");
    if (t->kind != T_NAME)
        return fail_at(c, t, t->kind == T_NEWLINE ? "expected an expression before the end of the line"
                                                   : "expected an expression, found '%.*s'", (int)t->len, t->at);
    if (is_kw(t, "True") || is_kw(t, "False")) {
        emit(c, &c->fn, "    push %d\n", is_kw(t, "True"));
        return 0;
    }
    const char *why = unsupported_word(t);
    if (why)
        return fail_at(c, t, "%s", why);
    if (is_keyword(t))
        return fail_at(c, t, "expected an expression, found '%.*s'", (int)t->len, t->at);
    if (is_op(peek(c), ".")) {
        next(c);
        const tok *fn = next(c);
        if (fn->kind != T_NAME || !accept(c, "("))
            return fail_at(c, fn, "attributes are not supported, only calls such as time.sleep(x)");
        return module_call(c, t, fn);
    }
    if (accept(c, "(")) {
        if (is_kw(t, "range"))
            return fail_at(c, t, "range() is only allowed in for NAME in range(...)");
        int f = index_of(c->funcs, c->nfuncs, t);
        if (f < 0)
            return fail_at(c, t, "function '%.*s' is not defined (define it with def in this file)", (int)t->len,
                           t->at);
        uint32_t n = 0;
        while (!is_op(peek(c), ")")) {
            if (n && expect(c, ",") != 0)
                return -1;
            if (is_op(peek(c), ")"))
                break;
            if (is(ahead(c, 0), T_NAME, NULL) && is_op(ahead(c, 1), "="))
                return fail_at(c, peek(c), "keyword arguments are not supported");
            if (expr(c) != 0)
                return -1;
            n++;
        }
        next(c);
        if (n != c->nargs[f])
            return fail_at(c, t, "%s() takes %u argument%s, %u given", c->funcs[f].name, c->nargs[f],
                           c->nargs[f] == 1 ? "" : "s", n);
        emit(c, &c->fn, "    call %s\n", c->funcs[f].name);
        return 0;
    }
    int l = index_of(c->locals, c->nlocals, t);
    if (l >= 0) {
        emit(c, &c->fn, "    load %d\n", l);
        return 0;
    }
    int g = index_of(c->globals, c->nglobals, t);
    if (g >= 0) {
        emit(c, &c->fn, "    gload %s\n", c->globals[g].name);
        return 0;
    }
    if (index_of(c->locks, c->nlocks, t) >= 0)
        return fail_at(c, t, "a lock is not a number: use it in with or its acquire() and release()");
    return fail_at(c, t, "name '%.*s' is not defined", (int)t->len, t->at);
}

static int unary(pyc *c)
{
    if (accept(c, "-")) {
        if (unary(c) != 0)
            return -1;
        emit(c, &c->fn, "    neg\n");
        return 0;
    }
    if (accept(c, "+"))
        return unary(c);
    if (is_op(peek(c), "~"))
        return fail_at(c, peek(c), "the bitwise operators are not supported");
    if (atom(c) != 0)
        return -1;
    if (is_op(peek(c), "**"))
        return fail_at(c, peek(c), "the power operator ** is not supported");
    return 0;
}

/* Python's a // b and a % b, which round toward minus infinity where
 * gilsim's div and mod truncate: the truncated result, corrected when the
 * remainder is not zero and the signs differ.  Inline, over three locals
 * of the function's own. */
static int floor_op(pyc *c, bool modulo)
{
    if (c->arith_temps < 0) {
        int a = temp(c), b = temp(c), r = temp(c);
        if (a < 0 || b < 0 || r < 0)
            return -1;
        c->arith_temps = a;
    }
    int a = c->arith_temps, b = a + 1, r = a + 2;
    uint32_t done = label(c);
    emit(c, &c->fn, "    store %d\n    store %d\n    load %d\n    load %d\n    %s\n    store %d\n", b, a, a, b,
         modulo ? "mod" : "div", r);
    if (modulo)
        emit(c, &c->fn, "    load %d\n    jz P%u\n    load %d\n", r, done, r);
    else
        emit(c, &c->fn, "    load %d\n    load %d\n    mod\n    jz P%u\n    load %d\n", a, b, done, a);
    emit(c, &c->fn, "    push 0\n    lt\n    load %d\n    push 0\n    lt\n    ne\n    jz P%u\n", b, done);
    if (modulo)
        emit(c, &c->fn, "    load %d\n    load %d\n    add\n    store %d\n", r, b, r);
    else
        emit(c, &c->fn, "    inc %d -1\n", r);
    emit(c, &c->fn, "P%u:\n    load %d\n", done, r);
    return 0;
}

static int term(pyc *c)
{
    if (unary(c) != 0)
        return -1;
    for (;;) {
        const tok *op = peek(c);
        if (is_op(op, "/"))
            return fail_at(c, op, "true division '/' gives a float: use // for integers");
        if (is_op(op, "@") || is_op(op, "&") || is_op(op, "|") || is_op(op, "^"))
            return fail_at(c, op, "the operator '%.*s' is not supported", (int)op->len, op->at);
        if (!is_op(op, "*") && !is_op(op, "//") && !is_op(op, "%"))
            return 0;
        next(c);
        if (unary(c) != 0)
            return -1;
        if (is_op(op, "*")) {
            emit(c, &c->fn, "    mul\n");
        } else if (floor_op(c, is_op(op, "%")) != 0) {
            return -1;
        }
    }
}

static int arith(pyc *c)
{
    if (term(c) != 0)
        return -1;
    while (is_op(peek(c), "+") || is_op(peek(c), "-")) {
        bool plus = is_op(next(c), "+");
        if (term(c) != 0)
            return -1;
        emit(c, &c->fn, plus ? "    add\n" : "    sub\n");
    }
    return 0;
}

static const char *comparison_op(const tok *t)
{
    static const struct {
        const char *op, *ins;
    } cmp[] = {{"==", "eq"}, {"!=", "ne"}, {"<", "lt"}, {"<=", "le"}, {">", "gt"}, {">=", "ge"}};
    for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++)
        if (is_op(t, cmp[i].op))
            return cmp[i].ins;
    return NULL;
}

/* a < b < c is a < b and b < c, with b computed once. */
static int comparison(pyc *c)
{
    if (arith(c) != 0)
        return -1;
    const char *ins = comparison_op(peek(c));
    if (!ins)
        return 0;
    uint32_t done = label(c);
    bool chained = false;
    while (ins) {
        next(c);
        if (arith(c) != 0)
            return -1;
        const char *after = comparison_op(peek(c));
        if (after) { /* keep b for the next comparison */
            int t = temp(c);
            if (t < 0)
                return -1;
            emit(c, &c->fn, "    dup\n    store %d\n    %s\n    dup\n    jz P%u\n    pop\n    load %d\n", t, ins,
                 done, t);
            chained = true;
        } else {
            emit(c, &c->fn, "    %s\n", ins);
        }
        ins = after;
    }
    if (chained)
        emit(c, &c->fn, "P%u:\n", done);
    return 0;
}

static int not_expr(pyc *c)
{
    if (is_kw(peek(c), "not")) {
        next(c);
        if (not_expr(c) != 0)
            return -1;
        emit(c, &c->fn, "    push 0\n    eq\n");
        return 0;
    }
    return comparison(c);
}

/* and/or give one of their operands, as Python's do: a or b is a if a is
 * true, else b. */
static int and_expr(pyc *c)
{
    if (not_expr(c) != 0)
        return -1;
    if (!is_kw(peek(c), "and"))
        return 0;
    uint32_t end = label(c);
    while (is_kw(peek(c), "and")) {
        next(c);
        emit(c, &c->fn, "    dup\n    jz P%u\n    pop\n", end);
        if (not_expr(c) != 0)
            return -1;
    }
    emit(c, &c->fn, "P%u:\n", end);
    return 0;
}

static int expr(pyc *c)
{
    if (and_expr(c) != 0)
        return -1;
    if (!is_kw(peek(c), "or")) {
        if (is_kw(peek(c), "if"))
            return fail_at(c, peek(c), "conditional expressions (x if c else y) are not supported");
        return 0;
    }
    uint32_t end = label(c);
    while (is_kw(peek(c), "or")) {
        next(c);
        emit(c, &c->fn, "    dup\n    jnz P%u\n    pop\n", end);
        if (and_expr(c) != 0)
            return -1;
    }
    emit(c, &c->fn, "P%u:\n", end);
    return 0;
}

/* ---- statements ---- */

static int block(pyc *c);

static void line_of(pyc *c, const tok *t) { emit(c, &c->fn, ".line %u\n", t->line); }

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
            emit(c, &c->fn, "    %s P%u\n", when_true ? fused[i].yes : fused[i].no, target);
            return;
        }
    }
    emit(c, &c->fn, "    %s P%u\n", when_true ? "jnz" : "jz", target);
}

/* Releases the with-blocks' locks opened since the innermost loop (break,
 * continue) or all of them (return), innermost first. */
static void release_withs(pyc *c, uint32_t down_to)
{
    for (uint32_t i = c->nwiths; i-- > down_to;)
        emit(c, &c->fn, "    release %s\n", c->locks[c->withs[i]].name);
}

static int assignment(pyc *c, const tok *target)
{
    const tok *op = next(c);
    int l = index_of(c->locals, c->nlocals, target), g = -1;
    if (l < 0) {
        g = index_of(c->globals, c->nglobals, target);
        if (g < 0 || index_of(c->declared, c->ndeclared, target) < 0)
            return fail_at(c, target, "internal error: '%.*s' has no place", (int)target->len, target->at);
    }
    const tok *v = peek(c);
    bool neg = is_op(v, "-");
    if (neg)
        v = ahead(c, 1);
    if (l >= 0 && (is_op(op, "+=") || is_op(op, "-=")) && v->kind == T_INT && v->value <= INT32_MAX &&
        ahead(c, neg ? 2 : 1)->kind == T_NEWLINE) { /* n += 1: one instruction */
        int64_t by = (neg ? -v->value : v->value) * (is_op(op, "-=") ? -1 : 1);
        emit(c, &c->fn, "    inc %d %" PRId64 "\n", l, by);
        c->pos += neg ? 2 : 1;
        return expect_newline(c);
    }
    if (!is_op(op, "=")) { /* augmented: the old value first */
        if (l >= 0)
            emit(c, &c->fn, "    load %d\n", l);
        else
            emit(c, &c->fn, "    gload %s\n", c->globals[g].name);
    }
    if (expr(c) != 0)
        return -1;
    if (is_op(op, "+="))
        emit(c, &c->fn, "    add\n");
    else if (is_op(op, "-="))
        emit(c, &c->fn, "    sub\n");
    else if (is_op(op, "*="))
        emit(c, &c->fn, "    mul\n");
    else if ((is_op(op, "//=") || is_op(op, "%=")) && floor_op(c, is_op(op, "%=")) != 0)
        return -1;
    if (l >= 0)
        emit(c, &c->fn, "    store %d\n", l);
    else
        emit(c, &c->fn, "    gstore %s\n", c->globals[g].name);
    return expect_newline(c);
}

static int for_range(pyc *c, const tok *kw)
{
    const tok *var = next(c);
    if (var->kind != T_NAME || is_keyword(var))
        return fail_at(c, var, "expected a name after for (for NAME in range(...))");
    if (!is_kw(next(c), "in"))
        return fail_at(c, &c->t[c->pos - 1], "expected 'in' (for NAME in range(...))");
    const tok *r = next(c);
    if (!is_kw(r, "range") || !accept(c, "("))
        return fail_at(c, r, "only for NAME in range(...) is supported");
    int i = index_of(c->locals, c->nlocals, var), stop = temp(c), step = temp(c);
    if (i < 0 || stop < 0 || step < 0)
        return i < 0 ? fail_at(c, var, "the loop variable must be local") : -1;
    int nargs = 0;
    int64_t step_value = 1;
    bool step_known = true;
    while (!is_op(peek(c), ")")) {
        if (nargs && expect(c, ",") != 0)
            return -1;
        if (nargs == 3)
            return fail_at(c, peek(c), "range() takes one to three arguments");
        if (nargs == 2) {
            const tok *s = peek(c);
            bool neg = is_op(s, "-") && ahead(c, 1)->kind == T_INT;
            step_known = s->kind == T_INT || neg;
            if (step_known)
                step_value = neg ? -ahead(c, 1)->value : s->value;
            if (step_known && step_value == 0)
                return fail_at(c, s, "range() step must not be zero");
        }
        if (expr(c) != 0)
            return -1;
        nargs++;
    }
    next(c);
    if (nargs == 0)
        return fail_at(c, r, "range() takes one to three arguments");
    /* the stack holds the arguments as given: stop; start, stop; or start,
     * stop, step */
    if (nargs == 3)
        emit(c, &c->fn, "    store %d\n    store %d\n    store %d\n", step, stop, i);
    else if (nargs == 2)
        emit(c, &c->fn, "    store %d\n    store %d\n    push 1\n    store %d\n", stop, i, step);
    else
        emit(c, &c->fn, "    store %d\n    push 0\n    store %d\n    push 1\n    store %d\n", stop, i, step);
    if (expect(c, ":") != 0)
        return -1;
    uint32_t top = label(c), body = label(c), cont = label(c), end = label(c), down = label(c);
    int outer_break = c->loop_break, outer_cont = c->loop_continue;
    uint32_t outer_withs = c->loop_withs;
    c->loop_break = (int)end, c->loop_continue = (int)cont, c->loop_withs = c->nwiths;
    emit(c, &c->fn, "    jmp P%u\nP%u:\n", top, body);
    if (block(c) != 0)
        return -1;
    emit(c, &c->fn, "P%u:\n.line %u\n    load %d\n    load %d\n    add\n    store %d\nP%u:\n", cont, kw->line, i, step, i,
         top);
    if (!step_known)
        emit(c, &c->fn, "    load %d\n    push 0\n    jlt P%u\n", step, down);
    if (!step_known || step_value > 0)
        emit(c, &c->fn, "    load %d\n    load %d\n    jlt P%u\n    jmp P%u\n", i, stop, body, end);
    if (!step_known || step_value < 0)
        emit(c, &c->fn, "P%u:\n    load %d\n    load %d\n    jgt P%u\n", down, i, stop, body);
    emit(c, &c->fn, "P%u:\n", end);
    c->loop_break = outer_break, c->loop_continue = outer_cont, c->loop_withs = outer_withs;
    return 0;
}

/* Rotated, as compilers lay loops out: the test at the bottom, one jump
 * per iteration.  The condition's tokens are compiled after the body. */
static int while_loop(pyc *c, const tok *kw)
{
    uint32_t test = label(c), body = label(c), end = label(c);
    int outer_break = c->loop_break, outer_cont = c->loop_continue;
    uint32_t outer_withs = c->loop_withs;
    c->loop_break = (int)end, c->loop_continue = (int)test, c->loop_withs = c->nwiths;
    size_t cond = c->pos; /* compiled below, once the body is */
    while (!is_op(peek(c), ":") && peek(c)->kind != T_NEWLINE && peek(c)->kind != T_END)
        next(c);
    if (expect(c, ":") != 0)
        return -1;
    emit(c, &c->fn, "    jmp P%u\nP%u:\n", test, body);
    if (block(c) != 0)
        return -1;
    size_t after = c->pos;
    c->pos = cond;
    emit(c, &c->fn, "P%u:\n.line %u\n", test, kw->line);
    if (expr(c) != 0)
        return -1;
    if (!is_op(peek(c), ":"))
        return fail_at(c, peek(c), "expected ':'");
    jump_if(c, true, body);
    emit(c, &c->fn, "P%u:\n", end);
    c->pos = after;
    c->loop_break = outer_break, c->loop_continue = outer_cont, c->loop_withs = outer_withs;
    return 0;
}

static int if_chain(pyc *c)
{
    uint32_t end = label(c);
    for (;;) {
        uint32_t next_branch = label(c);
        if (expr(c) != 0 || expect(c, ":") != 0)
            return -1;
        jump_if(c, false, next_branch);
        if (block(c) != 0)
            return -1;
        emit(c, &c->fn, "    jmp P%u\nP%u:\n", end, next_branch);
        if (is_kw(peek(c), "elif")) {
            line_of(c, next(c));
            continue;
        }
        if (is_kw(peek(c), "else")) {
            line_of(c, next(c));
            if (expect(c, ":") != 0 || block(c) != 0)
                return -1;
        }
        break;
    }
    emit(c, &c->fn, "P%u:\n", end);
    return 0;
}

static int with_lock(pyc *c)
{
    const tok *t = next(c);
    int lock = index_of(c->locks, c->nlocks, t);
    if (lock < 0)
        return fail_at(c, t, "with takes a lock made at module level with threading.Lock()");
    if (is_kw(peek(c), "as"))
        return fail_at(c, peek(c), "with ... as is not supported");
    if (expect(c, ":") != 0)
        return -1;
    if (c->nwiths == sizeof c->withs / sizeof c->withs[0])
        return fail_at(c, t, "too many nested with-blocks");
    emit(c, &c->fn, "    acquire %s\n", c->locks[lock].name);
    c->withs[c->nwiths++] = (uint32_t)lock;
    if (block(c) != 0)
        return -1;
    c->nwiths--;
    emit(c, &c->fn, "    release %s\n", c->locks[lock].name);
    return 0;
}

static int statement(pyc *c)
{
    const tok *t = peek(c);
    line_of(c, t);
    if (t->kind != T_NAME)
        return fail_at(c, t, t->kind == T_INDENT ? "unexpected indent" : "expected a statement, found '%.*s'",
                       (int)t->len, t->at);
    const char *why = unsupported_word(t);
    if (why && !is_kw(t, "match"))
        return fail_at(c, t, "%s", why);
    if (is_kw(t, "pass")) {
        next(c);
        return expect_newline(c);
    }
    if (is_kw(t, "return")) {
        next(c);
        if (peek(c)->kind == T_NEWLINE)
            emit(c, &c->fn, "    push 0\n");
        else if (expr(c) != 0)
            return -1;
        release_withs(c, 0);
        emit(c, &c->fn, "    ret\n");
        return expect_newline(c);
    }
    if (is_kw(t, "break") || is_kw(t, "continue")) {
        next(c);
        if (c->loop_break < 0)
            return fail_at(c, t, "'%.*s' outside a loop", (int)t->len, t->at);
        release_withs(c, c->loop_withs);
        emit(c, &c->fn, "    jmp P%d\n", is_kw(t, "break") ? c->loop_break : c->loop_continue);
        return expect_newline(c);
    }
    if (is_kw(t, "global")) {
        do
            next(c);
        while (peek(c)->kind == T_NAME && (next(c), accept(c, ",")));
        return expect_newline(c); /* read by the look over the body */
    }
    if (is_kw(t, "if")) {
        next(c);
        return if_chain(c);
    }
    if (is_kw(t, "while")) {
        next(c);
        return while_loop(c, t);
    }
    if (is_kw(t, "for")) {
        next(c);
        return for_range(c, t);
    }
    if (is_kw(t, "with")) {
        next(c);
        return with_lock(c);
    }
    if (is_kw(t, "def"))
        return fail_at(c, t, "nested functions are not supported");
    if (is_kw(t, "import") || is_kw(t, "from"))
        return fail_at(c, t, "imports belong at the top of the module");
    if (is_keyword(t))
        return fail_at(c, t, "expected a statement, found '%.*s'", (int)t->len, t->at);
    const tok *op = ahead(c, 1);
    if (is_op(op, "=") || is_op(op, "+=") || is_op(op, "-=") || is_op(op, "*=") || is_op(op, "//=") ||
        is_op(op, "%=")) {
        next(c);
        return assignment(c, t);
    }
    if (is_op(op, ",") || is_op(op, "["))
        return fail_at(c, op, "only a single name may be assigned to");
    if (expr(c) != 0)
        return -1;
    emit(c, &c->fn, "    pop\n");
    return expect_newline(c);
}

static int block(pyc *c)
{
    if (peek(c)->kind != T_NEWLINE) { /* a simple statement on the same line */
        return statement(c);
    }
    next(c);
    if (peek(c)->kind != T_INDENT)
        return fail_at(c, peek(c), "expected an indented block");
    next(c);
    while (peek(c)->kind != T_DEDENT && peek(c)->kind != T_END)
        if (statement(c) != 0)
            return -1;
    next(c);
    return 0;
}

/* ---- functions and the module ---- */

static bool is_assign_op(const tok *t)
{
    return is_op(t, "=") || is_op(t, "+=") || is_op(t, "-=") || is_op(t, "*=") || is_op(t, "//=") || is_op(t, "%=");
}

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
                      c->t[i - 1].kind == T_DEDENT || is_op(&c->t[i - 1], ":");
        if (starts && is_kw(t, "global"))
            for (size_t k = i + 1; k < to && c->t[k].kind == T_NAME; k += 2) {
                if (index_of(c->globals, c->nglobals, &c->t[k]) < 0)
                    return fail_at(c, &c->t[k], "'%.*s' is declared global but is no integer variable of the module",
                                   (int)c->t[k].len, c->t[k].at);
                if (add_name(c, c->declared, &c->ndeclared, GS_MAX_SHARED, &c->t[k], "global names") < 0)
                    return -1;
                if (!is_op(&c->t[k + 1], ","))
                    break;
            }
    }
    for (size_t i = from; i + 1 < to; i++) {
        const tok *t = &c->t[i];
        bool starts = i == from || c->t[i - 1].kind == T_NEWLINE || c->t[i - 1].kind == T_INDENT ||
                      c->t[i - 1].kind == T_DEDENT || is_op(&c->t[i - 1], ":");
        bool target = (starts && t->kind == T_NAME && is_assign_op(&c->t[i + 1])) ||
                      (i > from && is_kw(&c->t[i - 1], "for") && t->kind == T_NAME);
        if (target && !is_keyword(t) && index_of(c->declared, c->ndeclared, t) < 0 &&
            add_name(c, c->locals, &c->nlocals, GS_MAX_LOCALS, t, "local variables") < 0)
            return -1;
    }
    return 0;
}

static int function(pyc *c)
{
    const tok *def = next(c), *fname = next(c);
    int f = index_of(c->funcs, c->nfuncs, fname);
    c->nlocals = c->ndeclared = 0;
    c->arith_temps = -1;
    c->nwiths = 0;
    c->loop_break = c->loop_continue = -1;
    c->fn.len = 0;
    next(c); /* ( : checked when the functions were counted */
    while (!is_op(peek(c), ")")) {
        const tok *p = next(c);
        if (add_name(c, c->locals, &c->nlocals, GS_MAX_LOCALS, p, "arguments") < 0)
            return -1;
        accept(c, ",");
    }
    next(c);
    c->nparams = c->nlocals;
    if (expect(c, ":") != 0)
        return -1;
    if (peek(c)->kind != T_NEWLINE)
        return fail_at(c, peek(c), "put the body of %s on the lines below, indented", c->funcs[f].name);
    if (find_locals(c, c->pos + 2, block_end(c, c->pos + 1)) != 0)
        return -1;
    if (block(c) != 0)
        return -1;
    emit(c, &c->fn, "    push 0\n    ret\n"); /* falling off the end returns None: 0 here */
    emit(c, &c->out, ".func %s %u %u\n.line %u\n%.*s.end\n", c->funcs[f].name, c->nparams, c->nlocals - c->nparams,
         def->line, (int)c->fn.len, c->fn.s ? c->fn.s : "");
    return c->failed ? -1 : 0;
}

/* `if __name__ == "__main__":` at module level: for python3 alone. */
static bool is_main_guard(const pyc *c)
{
    return is_kw(ahead(c, 0), "if") && is_kw(ahead(c, 1), "__name__") && is_op(ahead(c, 2), "==") &&
           ahead(c, 3)->kind == T_STRING && ahead(c, 3)->len == 10 && memcmp(ahead(c, 3)->at + 1, "__main__", 8) == 0;
}

static int skip_block(pyc *c)
{
    while (peek(c)->kind != T_NEWLINE && peek(c)->kind != T_END)
        next(c);
    next(c);
    if (peek(c)->kind == T_INDENT)
        c->pos = block_end(c, c->pos) + 1;
    return 0;
}

/* First look over the module: imports, integer variables, locks, and each
 * function's name and arguments, so calls may come before definitions. */
static int declarations(pyc *c)
{
    while (peek(c)->kind != T_END) {
        const tok *t = peek(c);
        if (t->kind == T_NEWLINE) {
            next(c);
        } else if (is_kw(t, "import") || is_kw(t, "from")) {
            next(c);
            const tok *m = next(c);
            if (!is_kw(m, "time") && !is_kw(m, "threading") && !is_kw(m, "gilsim"))
                return fail_at(c, m, "importing '%.*s' is not supported (time, threading and gilsim are)", (int)m->len,
                               m->at);
            while (peek(c)->kind != T_NEWLINE && peek(c)->kind != T_END)
                next(c);
        } else if (is_kw(t, "def")) {
            next(c);
            const tok *n = next(c);
            if (n->kind != T_NAME || is_keyword(n))
                return fail_at(c, n, "expected a function name after def");
            if (index_of(c->funcs, c->nfuncs, n) >= 0)
                return fail_at(c, n, "function '%.*s' is defined twice", (int)n->len, n->at);
            int f = add_name(c, c->funcs, &c->nfuncs, GS_MAX_FUNCS, n, "functions");
            if (f < 0 || expect(c, "(") != 0)
                return -1;
            uint32_t nargs = 0;
            while (!is_op(peek(c), ")")) {
                const tok *p = next(c);
                if (p->kind != T_NAME || is_keyword(p))
                    return fail_at(c, p, is_op(p, "*") ? "*args and keyword-only arguments are not supported"
                                                       : "expected an argument name");
                if (is_op(peek(c), "="))
                    return fail_at(c, peek(c), "default argument values are not supported");
                if (is_op(peek(c), ":"))
                    return fail_at(c, peek(c), "annotations are not supported");
                nargs++;
                if (!accept(c, ",") && !is_op(peek(c), ")"))
                    return fail_at(c, peek(c), "expected ',' or ')' in the arguments of %s", c->funcs[f].name);
            }
            c->nargs[f] = nargs;
            skip_block(c);
        } else if (is_main_guard(c)) {
            skip_block(c);
        } else if (t->kind == T_NAME && is_op(ahead(c, 1), "=") && !is_keyword(t)) {
            next(c);
            next(c);
            if (is_kw(peek(c), "threading") && is_op(ahead(c, 1), ".") && is_kw(ahead(c, 2), "Lock") &&
                is_op(ahead(c, 3), "(") && is_op(ahead(c, 4), ")")) {
                if (add_name(c, c->locks, &c->nlocks, GS_MAX_ULOCKS, t, "locks") < 0)
                    return -1;
                c->pos += 5;
            } else {
                bool neg = accept(c, "-");
                const tok *v = next(c);
                if (v->kind != T_INT)
                    return fail_at(c, v, v->kind == T_FLOAT ? "floats are only allowed as the argument of time.sleep"
                                                            : "a module variable must be an integer or threading.Lock()");
                if (index_of(c->globals, c->nglobals, t) >= 0)
                    return fail_at(c, t, "'%.*s' is assigned twice at module level", (int)t->len, t->at);
                if (add_name(c, c->globals, &c->nglobals, GS_MAX_SHARED, t, "module variables") < 0)
                    return -1;
                emit(c, &c->out, ".shared %s %" PRId64 "\n", c->globals[c->nglobals - 1].name, neg ? -v->value : v->value);
            }
            if (expect_newline(c) != 0)
                return -1;
        } else {
            const char *why = unsupported_word(t);
            if (why && !is_kw(t, "match"))
                return fail_at(c, t, "%s", why);
            return fail_at(c, t, "at module level only imports, integer variables, locks, def and "
                                 "if __name__ == \"__main__\": are supported");
        }
    }
    for (uint32_t i = 0; i < c->nlocks; i++)
        emit(c, &c->out, ".lock %s\n", c->locks[i].name);
    if (index_of(c->funcs, c->nfuncs, &(tok){.at = "main", .len = 4}) < 0)
        return fail_line(c, 1, 1, "no function named main");
    return 0;
}

int gs_pyc_compile(const char *source, size_t len, const char *filename, char **gsa, char err[GS_ERRMSG_MAX])
{
    pyc c = {.src = source, .end = source + len, .path = filename, .err = err, .loop_break = -1,
             .loop_continue = -1};
    int rc = memchr(source, '\0', len) ? fail_line(&c, 1, 1, "unexpected byte 0x00 (programs are plain text)")
                                       : lex(&c);
    if (rc == 0) {
        emit(&c, &c.out, "; compiled by gilsim from %s\n", filename);
        rc = declarations(&c);
    }
    c.pos = 0;
    while (rc == 0 && peek(&c)->kind != T_END) {
        if (is_kw(peek(&c), "def"))
            rc = function(&c);
        else
            skip_block(&c);
    }
    free(c.t);
    free(c.fn.s);
    if (rc != 0 || c.failed) {
        free(c.out.s);
        return -1;
    }
    *gsa = c.out.s;
    return 0;
}
