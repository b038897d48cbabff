/* pyc_lex.c - the Python front end's tokens: making them (Python's
 * INDENT and DEDENT among them), reading them, and saying where one is
 * wrong, with the source line and a caret (see pyc_front.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyc_front.h"
#include "label.h"


/* "FILE:LINE:COL: message", then the line and a caret under the column. */
static int fail_pos(pyc *c, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
    if (c->failed)
        return -1;
    c->failed = true;
    char raw[300], msg[300]; /* a message may quote a token of the program: shown as a label */
    vsnprintf(raw, sizeof raw, fmt, ap);
    gs_label(raw, strlen(raw), msg, sizeof msg);
    const char *l = c->src;
    for (uint32_t i = 1; i < line && l < c->end; i++) {
        const char *nl = memchr(l, '\n', (size_t)(c->end - l));
        l = nl ? nl + 1 : c->end;
    }
    const char *nl = l < c->end ? memchr(l, '\n', (size_t)(c->end - l)) : NULL;
    size_t n = (size_t)((nl ? nl : c->end) - l);
    int shown = n > 60 ? 60 : (int)n;
    char text[64]; /* the line as a label (label.h): a program's bytes are never escape sequences */
    gs_label(l, (size_t)shown, text, sizeof text);
    snprintf(c->err, GS_ERRMSG_MAX, "%s:%u:%u: %s\n    %s\n    %*s^", c->path, line, col, msg, text,
             (int)(col > (uint32_t)shown + 1 ? (uint32_t)shown : col - 1), "");
    return -1;
}

int py_fail_at(pyc *c, const tok *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = fail_pos(c, at->line, at->col, fmt, ap);
    va_end(ap);
    return rc;
}

int py_fail_line(pyc *c, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = fail_pos(c, line, col, fmt, ap);
    va_end(ap);
    return rc;
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

static const char *const ops[] = {"<<=", ">>=", "//=", "**", "//", "<<", ">>", "+=", "-=", "*=", "%=", "&=", "|=",
                                  "^=", "==", "!=", "<=", ">=", "->", "+", "-", "*", "/", "%", "<", ">", "=", "(",
                                  ")", ":", ",", ".", "[", "]", "{", "}", "@", "&", "|", "^", "~", ";"};

int py_lex(pyc *c)
{
    uint32_t line = 1, indents[100] = {0}, nind = 1, depth = 0;
    bool line_start = true;
    const char *p = c->src, *ls = p;
    while (p < c->end) {
        if (line_start && depth == 0) { /* indentation of a line that holds code */
            uint32_t width = 0;
            const char *q = p;
            for (; q < c->end && (*q == ' ' || *q == '\t' || *q == '\f'); q++) /* a form feed starts the */
                width = *q == '\f' ? 0 : *q == '\t' ? width + 8 - width % 8 : width + 1; /* count again, as CPython's */
            if (q < c->end && (*q == '\n' || *q == '#')) {
                p = q; /* blank or comment: no tokens */
            } else if (q < c->end) {
                uint32_t col = (uint32_t)(q - ls) + 1;
                if (width > indents[nind - 1]) {
                    if (nind == 100)
                        return py_fail_line(c, line, col, "too deeply nested");
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
                    return py_fail_line(c, line, col, "unindent does not match any outer indentation level");
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
        } else if (ch == ' ' || ch == '\t' || ch == '\f') {
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
                    return py_fail_line(c, line, col, "'%.*s' is not an integer gilsim can hold (64-bit, decimal "
                                     "or 0x hexadecimal)", (int)(p - s), s);
                c->t[c->nt - 1].value = (int64_t)v;
            }
        } else if (ch == '"' || ch == '\'') {
            /* As Python ends a string: at the first quote (three, for a
             * triple-quoted one) that no backslash escapes; a one-quote
             * string ends with its line, unless a backslash continues it. */
            const char *s = p;
            uint32_t first = line;
            size_t quotes = c->end - p >= 3 && p[1] == (char)ch && p[2] == (char)ch ? 3 : 1;
            for (p += quotes;; p++) {
                if ((size_t)(c->end - p) < quotes || (quotes == 1 && *p == '\n'))
                    return py_fail_line(c, first, col, "unterminated string");
                if (*p == (char)ch && (quotes == 1 || (p[1] == (char)ch && p[2] == (char)ch)))
                    break;
                if (*p == '\\' && p + 1 < c->end)
                    p++;
                if (*p == '\n') {
                    line++;
                    ls = p + 1;
                }
            }
            p += quotes;
            if (add(c, T_STRING, s, (size_t)(p - s), first, col) != 0)
                return -1;
        } else {
            size_t n = 0;
            for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !n; i++)
                if ((size_t)(c->end - p) >= strlen(ops[i]) && memcmp(p, ops[i], strlen(ops[i])) == 0)
                    n = strlen(ops[i]);
            if (!n)
                return py_fail_line(c, line, col, ch < 0x80 && isprint(ch) ? "unexpected character '%c'"
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

const tok *py_peek(const pyc *c) { return &c->t[c->pos]; }
const tok *py_ahead(const pyc *c, size_t k) { return &c->t[c->pos + k < c->nt ? c->pos + k : c->nt - 1]; }
const tok *py_next(pyc *c) { return &c->t[c->pos < c->nt - 1 ? c->pos++ : c->pos]; }

bool py_is(const tok *t, int kind, const char *text)
{
    return t->kind == kind && (!text || (t->len == strlen(text) && memcmp(t->at, text, t->len) == 0));
}
bool py_is_op(const tok *t, const char *op) { return py_is(t, T_OP, op); }
bool py_is_kw(const tok *t, const char *kw) { return py_is(t, T_NAME, kw); }

bool py_accept(pyc *c, const char *op)
{
    if (!py_is_op(py_peek(c), op))
        return false;
    py_next(c);
    return true;
}

int py_expect(pyc *c, const char *op)
{
    if (py_accept(c, op))
        return 0;
    const tok *t = py_peek(c);
    return py_fail_at(c, t, "expected '%s'%s", op, t->kind == T_NEWLINE ? " before the end of the line" : "");
}

int py_expect_newline(pyc *c)
{
    if (py_peek(c)->kind == T_NEWLINE) {
        py_next(c);
        return 0;
    }
    return py_fail_at(c, py_peek(c), "unexpected '%.*s' after the statement", (int)py_peek(c)->len, py_peek(c)->at);
}

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

const char *py_unsupported(const tok *t)
{
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        if (py_is_kw(t, unsupported[i].word))
            return unsupported[i].message;
    return NULL;
}

static const char *const keywords[] = {"def", "return", "if", "elif", "else", "while", "for", "break", "continue",
                                       "pass", "and", "or", "not", "global", "with", "import", "from", "True",
                                       "False", "as"};

bool py_is_keyword(const tok *t)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (py_is_kw(t, keywords[i]))
            return true;
    return py_unsupported(t) != NULL;
}

