/* asm.c - the assembler: .gsa text to bytecode.
 *
 * DESIGN
 * One pass over the lines, emitting code as it goes.  Jumps to labels not yet
 * seen and calls to functions not yet seen are recorded as fix-ups and
 * patched when the function ends (labels) or when the file ends (calls).
 * Parsing stops at the first error; every error carries the line and column
 * of the token that caused it.  All state lives in one struct asm_state, so
 * the assembler is re-entrant.  Semantic checks that bytecode from any source
 * needs (local indices, stack depths, targets) belong to the verifier, not
 * here: the assembler checks only what the text itself says. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_state.h"
#include "opcodes.h"

/* ---- errors ---------------------------------------------------------- */

static int vfail(asm_state *s, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
    int n = snprintf(s->err, GS_ERRMSG_MAX, "%s:%u:%u: ", s->filename, line, col);
    if (n >= 0 && n < (int)GS_ERRMSG_MAX)
        vsnprintf(s->err + n, GS_ERRMSG_MAX - (size_t)n, fmt, ap);
    return -1;
}

/* An error at a place on the current line. */
int asm_fail_at(asm_state *s, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(s, s->line, (uint32_t)(at - s->line_start) + 1, fmt, ap);
    va_end(ap);
    return -1;
}

/* An error at a place remembered from an earlier line (fix-ups). */
int asm_fail_line_col(asm_state *s, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(s, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- growing arrays ---------------------------------------------------- */

static int grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    uint32_t ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*arr, (size_t)ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

static int emit(asm_state *s, const char *at, int32_t word)
{
    gs_program *p = s->prog;
    if (p->ncode >= GS_MAX_CODE)
        return asm_fail_at(s, at, "program too long (at most %u code words)", GS_MAX_CODE);
    if (grow((void **)&p->code, &s->code_cap, p->ncode + 1, sizeof *p->code) != 0 ||
        grow((void **)&p->lines, &s->lines_cap, p->ncode + 1, sizeof *p->lines) != 0)
        return asm_fail_at(s, at, "out of memory");
    p->code[p->ncode] = word;
    p->lines[p->ncode] = s->source_line ? s->source_line : s->line;
    p->ncode++;
    return 0;
}

/* ---- lexing ------------------------------------------------------------ */

bool asm_is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool asm_is_ident_char(char c) { return asm_is_ident_start(c) || (c >= '0' && c <= '9') || c == '.'; }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

const char *asm_skip_space(const asm_state *s, const char *p)
{
    while (p < s->end && is_space(*p))
        p++;
    return p;
}

bool asm_at_line_end(const asm_state *s, const char *p)
{
    return p >= s->end || *p == '\n' || *p == ';' || *p == '#';
}

/* Reads an identifier (with a leading '.' for directives).  Returns its end. */
const char *asm_scan_ident(const asm_state *s, const char *p)
{
    if (p < s->end && *p == '.')
        p++;
    while (p < s->end && asm_is_ident_char(*p))
        p++;
    return p;
}

bool asm_word_is(const char *w, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(w, lit, len) == 0;
}

/* Parses a decimal or 0x-hex integer with an optional sign.  Returns 0 and
 * sets *v and *next, 1 if the text is not a number, -1 if out of range. */
static int scan_int(const asm_state *s, const char *p, int64_t *v, const char **next)
{
    bool neg = false;
    if (p < s->end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    unsigned base = 10;
    if (p + 1 < s->end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    uint64_t mag = 0;
    const char *digits = p;
    bool overflow = false;
    for (; p < s->end; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9') d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f') d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F') d = (unsigned)(*p - 'A' + 10);
        else break;
        if (mag > (UINT64_MAX - d) / base)
            overflow = true;
        else
            mag = mag * base + d;
    }
    if (p == digits || (p < s->end && asm_is_ident_char(*p)))
        return 1;
    *next = p;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (overflow || mag > limit)
        return -1;
    *v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return 0;
}

int asm_copy_name(asm_state *s, const char *w, const char *wend, char out[GS_MAX_NAME + 1])
{
    size_t len = (size_t)(wend - w);
    if (len > GS_MAX_NAME)
        return asm_fail_at(s, w, "name too long (at most %u characters)", GS_MAX_NAME);
    memcpy(out, w, len);
    out[len] = '\0';
    return 0;
}

const asm_const *asm_find_named(const asm_state *s, const char *w, size_t len)
{
    for (uint32_t i = 0; i < s->nnamed; i++)
        if (asm_word_is(w, len, s->named[i].name))
            return &s->named[i];
    return NULL;
}

/* Reads a number or a named constant.  what names the operand in errors. */
int asm_parse_value(asm_state *s, const char **pp, int64_t *v, const char *what)
{
    const char *p = *pp, *next;
    if (asm_at_line_end(s, p))
        return asm_fail_at(s, p, "missing %s", what);
    if (asm_is_ident_start(*p)) {
        next = asm_scan_ident(s, p);
        const asm_const *c = asm_find_named(s, p, (size_t)(next - p));
        if (!c)
            return asm_fail_at(s, p, "unknown constant '%.*s'", (int)(next - p), p);
        *v = c->value;
        *pp = next;
        return 0;
    }
    int r = scan_int(s, p, v, &next);
    if (r > 0)
        return asm_fail_at(s, p, "expected %s, found '%c'", what, *p);
    if (r < 0)
        return asm_fail_at(s, p, "constant out of range (64-bit signed integers only)");
    *pp = next;
    return 0;
}

/* ---- operands ------------------------------------------------------------- */

static int intern_const(asm_state *s, const char *at, int64_t v, int32_t *index)
{
    gs_program *p = s->prog;
    for (uint32_t i = 0; i < p->nconsts; i++) {
        if (p->consts[i] == v) {
            *index = (int32_t)i;
            return 0;
        }
    }
    if (p->nconsts >= GS_MAX_CONSTS)
        return asm_fail_at(s, at, "too many distinct constants (at most %u)", GS_MAX_CONSTS);
    if (grow((void **)&p->consts, &s->consts_cap, p->nconsts + 1, sizeof *p->consts) != 0)
        return asm_fail_at(s, at, "out of memory");
    p->consts[p->nconsts] = v;
    *index = (int32_t)p->nconsts++;
    return 0;
}

static int add_fixup(asm_state *s, asm_fixup **arr, uint32_t *n, const char *w, const char *wend)
{
    asm_fixup f = {.at = s->prog->ncode, .line = s->line, .col = (uint32_t)(w - s->line_start) + 1};
    if (asm_copy_name(s, w, wend, f.name) != 0)
        return -1;
    if (*n >= GS_MAX_CODE)
        return asm_fail_at(s, w, "too many references");
    asm_fixup *grown = realloc(*arr, (*n + 1) * sizeof **arr);
    if (!grown)
        return asm_fail_at(s, w, "out of memory");
    *arr = grown;
    (*arr)[(*n)++] = f;
    return 0;
}

/* The index of the shared variable (shared) or user lock with that name,
 * or -1. */
int asm_declared(const asm_state *s, bool shared, const char *w, size_t len)
{
    const gs_program *p = s->prog;
    uint32_t n = shared ? p->nshared : p->nulocks;
    for (uint32_t i = 0; i < n; i++) {
        const char *name = shared ? p->shared[i].name : p->ulocks[i].name;
        if (strlen(name) == len && memcmp(name, w, len) == 0)
            return (int)i;
    }
    return -1;
}

static int parse_operand(asm_state *s, const char **pp, gs_operand_kind kind)
{
    const char *p = *pp;
    int64_t v;
    int32_t word = 0;
    if (asm_at_line_end(s, p))
        return asm_fail_at(s, p, "missing operand");
    switch (kind) {
    case GS_OPND_CONST:
        if (asm_parse_value(s, &p, &v, "a number") != 0 || intern_const(s, *pp, v, &word) != 0)
            return -1;
        break;
    case GS_OPND_LOCAL:
        if (asm_parse_value(s, &p, &v, "a local index") != 0)
            return -1;
        if (v < 0 || v >= (int64_t)GS_MAX_LOCALS)
            return asm_fail_at(s, *pp, "local index %" PRId64 " out of range (0..%u)", v, GS_MAX_LOCALS - 1);
        word = (int32_t)v;
        break;
    case GS_OPND_IMM:
        if (asm_parse_value(s, &p, &v, "an immediate") != 0)
            return -1;
        if (v < INT32_MIN || v > INT32_MAX)
            return asm_fail_at(s, *pp, "immediate %" PRId64 " out of range (32-bit signed)", v);
        word = (int32_t)v;
        break;
    case GS_OPND_LABEL:
    case GS_OPND_FUNC: {
        if (!asm_is_ident_start(*p))
            return asm_fail_at(s, p, "expected a %s name", kind == GS_OPND_LABEL ? "label" : "function");
        const char *wend = asm_scan_ident(s, p);
        if (kind == GS_OPND_LABEL ? add_fixup(s, &s->jumps, &s->njumps, p, wend)
                                  : add_fixup(s, &s->calls, &s->ncalls, p, wend))
            return -1;
        word = -1;
        p = wend;
        break;
    }
    case GS_OPND_SHARED:
    case GS_OPND_ULOCK: {
        bool shared = kind == GS_OPND_SHARED;
        if (!asm_is_ident_start(*p))
            return asm_fail_at(s, p, "expected a %s name", shared ? "shared variable" : "lock");
        const char *wend = asm_scan_ident(s, p);
        int i = asm_declared(s, shared, p, (size_t)(wend - p));
        if (i < 0)
            return asm_fail_at(s, p, "undeclared %s '%.*s' (declare it with %s before its use)",
                           shared ? "shared variable" : "lock", (int)(wend - p), p, shared ? ".shared" : ".lock");
        word = i;
        p = wend;
        break;
    }
    case GS_OPND_IOKIND: {
        const char *wend = asm_scan_ident(s, p);
        int k = gs_io_kind_by_name(p, (size_t)(wend - p));
        if (k < 0)
            return asm_fail_at(s, p, "unknown I/O kind '%.*s' (sleep, pipe or file)",
                           (int)(wend - p > 0 ? wend - p : 1), p);
        word = k;
        p = wend;
        break;
    }
    default:
        return asm_fail_at(s, p, "internal error: operand kind %d", (int)kind);
    }
    if (emit(s, *pp, word) != 0)
        return -1;
    *pp = p;
    return 0;
}

static int parse_instruction(asm_state *s, const char *w, const char *wend)
{
    int op = gs_opcode_by_name(w, (size_t)(wend - w));
    if (op < 0)
        return asm_fail_at(s, w, "unknown instruction '%.*s'", (int)(wend - w), w);
    if (s->cur_func < 0)
        return asm_fail_at(s, w, "instruction outside a function (start one with .func)");
    const gs_opinfo *info = &gs_opinfo_table[op];
    if (emit(s, w, op) != 0)
        return -1;
    const char *p = wend;
    for (int i = 0; i < info->noperands; i++) {
        const char *before = p;
        p = asm_skip_space(s, p);
        if (i > 0 && p < s->end && *p == ',')
            p = asm_skip_space(s, p + 1);
        if (p == before && !asm_at_line_end(s, p))
            return asm_fail_at(s, p, "expected a space before the operand");
        if (asm_at_line_end(s, p))
            return asm_fail_at(s, p, "'%s' needs %d operand%s", info->name, info->noperands,
                           info->noperands == 1 ? "" : "s");
        if (parse_operand(s, &p, info->operand[i]) != 0)
            return -1;
    }
    p = asm_skip_space(s, p);
    if (!asm_at_line_end(s, p))
        return asm_fail_at(s, p, "unexpected text after '%s'", info->name);
    return 0;
}

/* ---- lines and files ---------------------------------------------------- */

/* Rejects bytes that no text program holds.  Bytes >= 0x80 are allowed in
 * comments only, so UTF-8 prose does not trip it. */
static int check_bytes(asm_state *s, const char *p, const char *eol)
{
    bool comment = false;
    for (; p < eol; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ';' || c == '#')
            comment = true;
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f || (c >= 0x80 && !comment))
            return asm_fail_at(s, p, "unexpected byte 0x%02x (programs are plain text)", c);
    }
    return 0;
}

static int parse_line(asm_state *s, const char *p, const char *eol)
{
    if (check_bytes(s, p, eol) != 0)
        return -1;
    for (;;) {
        p = asm_skip_space(s, p);
        if (asm_at_line_end(s, p))
            return 0;
        if (*p != '.' && !asm_is_ident_start(*p))
            return asm_fail_at(s, p, "unexpected character '%c'", *p);
        const char *w = p, *wend = asm_scan_ident(s, p);
        if (wend < s->end && *wend == ':' && *w != '.') {
            if (asm_define_label(s, w, wend) != 0)
                return -1;
            p = wend + 1;
            continue;
        }
        if (*w == '.')
            return asm_directive(s, w, wend);
        return parse_instruction(s, w, wend);
    }
}

static int finish(asm_state *s)
{
    gs_program *p = s->prog;
    if (s->cur_func >= 0)
        return asm_fail_line_col(s, s->cur_func_line, 1, "missing .end for function '%s'",
                             p->funcs[s->cur_func].name);
    for (uint32_t i = 0; i < s->ncalls; i++) {
        const asm_fixup *f = &s->calls[i];
        int fi = gs_program_find_func(p, f->name);
        if (fi < 0)
            return asm_fail_line_col(s, f->line, f->col, "undefined function '%s'", f->name);
        p->code[f->at] = fi;
    }
    if (p->nfuncs == 0)
        return asm_fail_line_col(s, 1, 1, "empty program (no function named main)");
    int m = gs_program_find_func(p, "main");
    if (m < 0)
        return asm_fail_line_col(s, 1, 1, "no function named main");
    p->main = (uint32_t)m;
    return 0;
}

int gs_assemble(const char *source, size_t len, const char *filename, gs_program *out,
                char err[GS_ERRMSG_MAX])
{
    asm_state s = {.src = source, .end = source + len, .filename = filename, .err = err,
                   .prog = out, .cur_func = -1};
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", filename);
    int rc = 0;
    if (len > GS_MAX_SOURCE) {
        snprintf(err, GS_ERRMSG_MAX, "%s: program too large (%zu bytes; at most %u)", filename,
                 len, GS_MAX_SOURCE);
        rc = -1;
    }
    const char *p = source;
    s.line = 1;
    while (rc == 0 && p < s.end) {
        const char *eol = memchr(p, '\n', (size_t)(s.end - p));
        if (!eol)
            eol = s.end;
        s.line_start = p;
        rc = parse_line(&s, p, eol);
        p = eol + 1;
        s.line++;
    }
    if (rc == 0) {
        s.line_start = p;
        rc = finish(&s);
    }
    free(s.named);
    free(s.labels);
    free(s.jumps);
    free(s.calls);
    if (rc != 0)
        gs_program_free(out);
    return rc;
}
