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

#include "asm.h"
#include "opcodes.h"

typedef struct {
    char name[GS_MAX_NAME + 1];
    uint32_t offset;
    uint32_t line;
} asm_label;

typedef struct {
    char name[GS_MAX_NAME + 1];
    uint32_t at;   /* code word to patch */
    uint32_t line, col;
} asm_fixup;

typedef struct {
    char name[GS_MAX_NAME + 1];
    int64_t value;
} asm_const;

typedef struct {
    const char *src, *end;
    const char *filename;
    char *err;
    uint32_t line;
    const char *line_start;

    gs_program *prog;
    uint32_t code_cap, lines_cap, consts_cap;
    asm_const *named;
    uint32_t nnamed;
    int cur_func;            /* -1 outside .func */
    uint32_t cur_func_line;
    asm_label *labels;       /* of the current function */
    uint32_t nlabels;
    asm_fixup *jumps;        /* of the current function */
    uint32_t njumps;
    asm_fixup *calls;        /* of the whole file */
    uint32_t ncalls;
    uint32_t source_line;    /* .line N: the line of the source this was compiled from */
} asm_state;

/* ---- errors ---------------------------------------------------------- */

static int vfail(asm_state *s, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
    int n = snprintf(s->err, GS_ERRMSG_MAX, "%s:%u:%u: ", s->filename, line, col);
    if (n >= 0 && n < (int)GS_ERRMSG_MAX)
        vsnprintf(s->err + n, GS_ERRMSG_MAX - (size_t)n, fmt, ap);
    return -1;
}

/* An error at a place on the current line. */
__attribute__((format(printf, 3, 4)))
static int fail_at(asm_state *s, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(s, s->line, (uint32_t)(at - s->line_start) + 1, fmt, ap);
    va_end(ap);
    return -1;
}

/* An error at a place remembered from an earlier line (fix-ups). */
__attribute__((format(printf, 4, 5)))
static int fail_line_col(asm_state *s, uint32_t line, uint32_t col, const char *fmt, ...)
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
        return fail_at(s, at, "program too long (at most %u code words)", GS_MAX_CODE);
    if (grow((void **)&p->code, &s->code_cap, p->ncode + 1, sizeof *p->code) != 0 ||
        grow((void **)&p->lines, &s->lines_cap, p->ncode + 1, sizeof *p->lines) != 0)
        return fail_at(s, at, "out of memory");
    p->code[p->ncode] = word;
    p->lines[p->ncode] = s->source_line ? s->source_line : s->line;
    p->ncode++;
    return 0;
}

/* ---- lexing ------------------------------------------------------------ */

static bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.'; }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static const char *skip_space(const asm_state *s, const char *p)
{
    while (p < s->end && is_space(*p))
        p++;
    return p;
}

static bool at_line_end(const asm_state *s, const char *p)
{
    return p >= s->end || *p == '\n' || *p == ';' || *p == '#';
}

/* Reads an identifier (with a leading '.' for directives).  Returns its end. */
static const char *scan_ident(const asm_state *s, const char *p)
{
    if (p < s->end && *p == '.')
        p++;
    while (p < s->end && is_ident_char(*p))
        p++;
    return p;
}

static bool word_is(const char *w, size_t len, const char *lit)
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
    if (p == digits || (p < s->end && is_ident_char(*p)))
        return 1;
    *next = p;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (overflow || mag > limit)
        return -1;
    *v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return 0;
}

static int copy_name(asm_state *s, const char *w, const char *wend, char out[GS_MAX_NAME + 1])
{
    size_t len = (size_t)(wend - w);
    if (len > GS_MAX_NAME)
        return fail_at(s, w, "name too long (at most %u characters)", GS_MAX_NAME);
    memcpy(out, w, len);
    out[len] = '\0';
    return 0;
}

static const asm_const *find_named(const asm_state *s, const char *w, size_t len)
{
    for (uint32_t i = 0; i < s->nnamed; i++)
        if (word_is(w, len, s->named[i].name))
            return &s->named[i];
    return NULL;
}

/* Reads a number or a named constant.  what names the operand in errors. */
static int parse_value(asm_state *s, const char **pp, int64_t *v, const char *what)
{
    const char *p = *pp, *next;
    if (at_line_end(s, p))
        return fail_at(s, p, "missing %s", what);
    if (is_ident_start(*p)) {
        next = scan_ident(s, p);
        const asm_const *c = find_named(s, p, (size_t)(next - p));
        if (!c)
            return fail_at(s, p, "unknown constant '%.*s'", (int)(next - p), p);
        *v = c->value;
        *pp = next;
        return 0;
    }
    int r = scan_int(s, p, v, &next);
    if (r > 0)
        return fail_at(s, p, "expected %s, found '%c'", what, *p);
    if (r < 0)
        return fail_at(s, p, "constant out of range (64-bit signed integers only)");
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
        return fail_at(s, at, "too many distinct constants (at most %u)", GS_MAX_CONSTS);
    if (grow((void **)&p->consts, &s->consts_cap, p->nconsts + 1, sizeof *p->consts) != 0)
        return fail_at(s, at, "out of memory");
    p->consts[p->nconsts] = v;
    *index = (int32_t)p->nconsts++;
    return 0;
}

static int add_fixup(asm_state *s, asm_fixup **arr, uint32_t *n, const char *w, const char *wend)
{
    asm_fixup f = {.at = s->prog->ncode, .line = s->line, .col = (uint32_t)(w - s->line_start) + 1};
    if (copy_name(s, w, wend, f.name) != 0)
        return -1;
    if (*n >= GS_MAX_CODE)
        return fail_at(s, w, "too many references");
    asm_fixup *grown = realloc(*arr, (*n + 1) * sizeof **arr);
    if (!grown)
        return fail_at(s, w, "out of memory");
    *arr = grown;
    (*arr)[(*n)++] = f;
    return 0;
}

/* The index of the shared variable (shared) or user lock with that name,
 * or -1. */
static int declared(const asm_state *s, bool shared, const char *w, size_t len)
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
    if (at_line_end(s, p))
        return fail_at(s, p, "missing operand");
    switch (kind) {
    case GS_OPND_CONST:
        if (parse_value(s, &p, &v, "a number") != 0 || intern_const(s, *pp, v, &word) != 0)
            return -1;
        break;
    case GS_OPND_LOCAL:
        if (parse_value(s, &p, &v, "a local index") != 0)
            return -1;
        if (v < 0 || v >= (int64_t)GS_MAX_LOCALS)
            return fail_at(s, *pp, "local index %" PRId64 " out of range (0..%u)", v, GS_MAX_LOCALS - 1);
        word = (int32_t)v;
        break;
    case GS_OPND_IMM:
        if (parse_value(s, &p, &v, "an immediate") != 0)
            return -1;
        if (v < INT32_MIN || v > INT32_MAX)
            return fail_at(s, *pp, "immediate %" PRId64 " out of range (32-bit signed)", v);
        word = (int32_t)v;
        break;
    case GS_OPND_LABEL:
    case GS_OPND_FUNC: {
        if (!is_ident_start(*p))
            return fail_at(s, p, "expected a %s name", kind == GS_OPND_LABEL ? "label" : "function");
        const char *wend = scan_ident(s, p);
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
        if (!is_ident_start(*p))
            return fail_at(s, p, "expected a %s name", shared ? "shared variable" : "lock");
        const char *wend = scan_ident(s, p);
        int i = declared(s, shared, p, (size_t)(wend - p));
        if (i < 0)
            return fail_at(s, p, "undeclared %s '%.*s' (declare it with %s before its use)",
                           shared ? "shared variable" : "lock", (int)(wend - p), p, shared ? ".shared" : ".lock");
        word = i;
        p = wend;
        break;
    }
    case GS_OPND_IOKIND: {
        const char *wend = scan_ident(s, p);
        int k = gs_io_kind_by_name(p, (size_t)(wend - p));
        if (k < 0)
            return fail_at(s, p, "unknown I/O kind '%.*s' (sleep, pipe or file)",
                           (int)(wend - p > 0 ? wend - p : 1), p);
        word = k;
        p = wend;
        break;
    }
    default:
        return fail_at(s, p, "internal error: operand kind %d", (int)kind);
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
        return fail_at(s, w, "unknown instruction '%.*s'", (int)(wend - w), w);
    if (s->cur_func < 0)
        return fail_at(s, w, "instruction outside a function (start one with .func)");
    const gs_opinfo *info = &gs_opinfo_table[op];
    if (emit(s, w, op) != 0)
        return -1;
    const char *p = wend;
    for (int i = 0; i < info->noperands; i++) {
        const char *before = p;
        p = skip_space(s, p);
        if (i > 0 && p < s->end && *p == ',')
            p = skip_space(s, p + 1);
        if (p == before && !at_line_end(s, p))
            return fail_at(s, p, "expected a space before the operand");
        if (at_line_end(s, p))
            return fail_at(s, p, "'%s' needs %d operand%s", info->name, info->noperands,
                           info->noperands == 1 ? "" : "s");
        if (parse_operand(s, &p, info->operand[i]) != 0)
            return -1;
    }
    p = skip_space(s, p);
    if (!at_line_end(s, p))
        return fail_at(s, p, "unexpected text after '%s'", info->name);
    return 0;
}

/* ---- directives ---------------------------------------------------------- */

static int parse_name_operand(asm_state *s, const char **pp, char out[GS_MAX_NAME + 1], const char *what)
{
    const char *p = skip_space(s, *pp);
    if (at_line_end(s, p) || !is_ident_start(*p))
        return fail_at(s, p, "expected a %s name", what);
    const char *wend = scan_ident(s, p);
    if (copy_name(s, p, wend, out) != 0)
        return -1;
    *pp = wend;
    return 0;
}

static int parse_count(asm_state *s, const char **pp, uint32_t *out, const char *what, uint32_t max)
{
    const char *p = skip_space(s, *pp);
    const char *at = p;
    int64_t v;
    if (parse_value(s, &p, &v, what) != 0)
        return -1;
    if (v < 0 || v > (int64_t)max)
        return fail_at(s, at, "%s %" PRId64 " out of range (0..%u)", what, v, max);
    *out = (uint32_t)v;
    *pp = p;
    return 0;
}

static int dir_const(asm_state *s, const char *p)
{
    asm_const c;
    const char *at = skip_space(s, p);
    if (parse_name_operand(s, &p, c.name, "constant") != 0)
        return -1;
    if (find_named(s, c.name, strlen(c.name)))
        return fail_at(s, at, "duplicate constant '%s'", c.name);
    p = skip_space(s, p);
    if (parse_value(s, &p, &c.value, "a value") != 0)
        return -1;
    if (s->nnamed >= GS_MAX_CONSTS)
        return fail_at(s, at, "too many named constants (at most %u)", GS_MAX_CONSTS);
    asm_const *grown = realloc(s->named, (s->nnamed + 1) * sizeof *grown);
    if (!grown)
        return fail_at(s, at, "out of memory");
    s->named = grown;
    s->named[s->nnamed++] = c;
    p = skip_space(s, p);
    return at_line_end(s, p) ? 0 : fail_at(s, p, "unexpected text after .const");
}

/* .overflow wrap|error: what arithmetic past 64 bits does; outside functions. */
static int dir_overflow(asm_state *s, const char *dir, const char *p)
{
    if (s->cur_func >= 0)
        return fail_at(s, dir, ".overflow inside a function (give it before .func)");
    const char *at = skip_space(s, p), *wend = at;
    while (wend < s->end && is_ident_start(*wend))
        wend++;
    size_t len = (size_t)(wend - at);
    if (!word_is(at, len, "wrap") && !word_is(at, len, "error"))
        return fail_at(s, at, ".overflow takes wrap or error");
    s->prog->overflow_errs = len == 5;
    p = skip_space(s, wend);
    return at_line_end(s, p) ? 0 : fail_at(s, p, "unexpected text after .overflow");
}

/* .shared NAME [VALUE] and .lock NAME: outside functions, before use. */
static int dir_declare(asm_state *s, const char *dir, const char *p, bool shared)
{
    const char *what = shared ? ".shared" : ".lock";
    if (s->cur_func >= 0)
        return fail_at(s, dir, "%s inside a function (declare it before .func)", what);
    const char *at = skip_space(s, p);
    char name[GS_MAX_NAME + 1];
    if (parse_name_operand(s, &p, name, shared ? "shared variable" : "lock") != 0)
        return -1;
    if (declared(s, shared, name, strlen(name)) >= 0)
        return fail_at(s, at, "duplicate %s '%s'", shared ? "shared variable" : "lock", name);
    gs_program *prog = s->prog;
    int64_t init = 0;
    p = skip_space(s, p);
    if (shared && !at_line_end(s, p) && parse_value(s, &p, &init, "a value") != 0)
        return -1;
    p = skip_space(s, p);
    if (!at_line_end(s, p))
        return fail_at(s, p, "unexpected text after %s", what);
    if (shared) {
        if (prog->nshared >= GS_MAX_SHARED)
            return fail_at(s, at, "too many shared variables (at most %u)", GS_MAX_SHARED);
        gs_shared_decl *grown = realloc(prog->shared, (prog->nshared + 1) * sizeof *grown);
        if (!grown)
            return fail_at(s, at, "out of memory");
        prog->shared = grown;
        grown[prog->nshared] = (gs_shared_decl){.init = init};
        memcpy(grown[prog->nshared++].name, name, sizeof name);
    } else {
        if (prog->nulocks >= GS_MAX_ULOCKS)
            return fail_at(s, at, "too many locks (at most %u)", GS_MAX_ULOCKS);
        gs_ulock_decl *grown = realloc(prog->ulocks, (prog->nulocks + 1) * sizeof *grown);
        if (!grown)
            return fail_at(s, at, "out of memory");
        prog->ulocks = grown;
        memcpy(grown[prog->nulocks++].name, name, sizeof name);
    }
    return 0;
}

static int dir_func(asm_state *s, const char *dir, const char *p)
{
    gs_program *prog = s->prog;
    if (s->cur_func >= 0)
        return fail_at(s, dir, "missing .end before .func (function '%s' is still open)",
                       prog->funcs[s->cur_func].name);
    gs_func f = {.entry = prog->ncode};
    const char *at = skip_space(s, p);
    if (parse_name_operand(s, &p, f.name, "function") != 0)
        return -1;
    if (gs_program_find_func(prog, f.name) >= 0)
        return fail_at(s, at, "duplicate function '%s'", f.name);
    uint32_t extra = 0;
    if (parse_count(s, &p, &f.nargs, "argument count", GS_MAX_LOCALS) != 0)
        return -1;
    p = skip_space(s, p);
    if (!at_line_end(s, p) && parse_count(s, &p, &extra, "local count", GS_MAX_LOCALS) != 0)
        return -1;
    if (f.nargs + extra > GS_MAX_LOCALS)
        return fail_at(s, at, "function '%s' has %u arguments and locals (at most %u)", f.name,
                       f.nargs + extra, GS_MAX_LOCALS);
    f.nlocals = f.nargs + extra;
    p = skip_space(s, p);
    if (!at_line_end(s, p))
        return fail_at(s, p, "unexpected text after .func");
    if (prog->nfuncs >= GS_MAX_FUNCS)
        return fail_at(s, dir, "too many functions (at most %u)", GS_MAX_FUNCS);
    gs_func *grown = realloc(prog->funcs, (prog->nfuncs + 1) * sizeof *grown);
    if (!grown)
        return fail_at(s, dir, "out of memory");
    prog->funcs = grown;
    prog->funcs[prog->nfuncs] = f;
    s->cur_func = (int)prog->nfuncs++;
    s->cur_func_line = s->line;
    s->nlabels = s->njumps = 0;
    return 0;
}

static const asm_label *find_label(const asm_state *s, const char *name)
{
    for (uint32_t i = 0; i < s->nlabels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return &s->labels[i];
    return NULL;
}

static int dir_end(asm_state *s, const char *dir, const char *p)
{
    if (s->cur_func < 0)
        return fail_at(s, dir, ".end without .func");
    p = skip_space(s, p);
    if (!at_line_end(s, p))
        return fail_at(s, p, "unexpected text after .end");
    for (uint32_t i = 0; i < s->njumps; i++) {
        const asm_fixup *f = &s->jumps[i];
        const asm_label *l = find_label(s, f->name);
        if (!l)
            return fail_line_col(s, f->line, f->col, "undefined label '%s'", f->name);
        s->prog->code[f->at] = (int32_t)l->offset;
    }
    s->prog->funcs[s->cur_func].end = s->prog->ncode;
    s->cur_func = -1;
    return 0;
}

static int define_label(asm_state *s, const char *w, const char *wend)
{
    if (s->cur_func < 0)
        return fail_at(s, w, "label outside a function");
    asm_label l = {.offset = s->prog->ncode, .line = s->line};
    if (copy_name(s, w, wend, l.name) != 0)
        return -1;
    const asm_label *old = find_label(s, l.name);
    if (old)
        return fail_at(s, w, "duplicate label '%s' (first defined on line %u)", l.name, old->line);
    if (s->nlabels >= GS_MAX_CODE)
        return fail_at(s, w, "too many labels");
    asm_label *grown = realloc(s->labels, (s->nlabels + 1) * sizeof *grown);
    if (!grown)
        return fail_at(s, w, "out of memory");
    s->labels = grown;
    s->labels[s->nlabels++] = l;
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
            return fail_at(s, p, "unexpected byte 0x%02x (programs are plain text)", c);
    }
    return 0;
}

static int parse_line(asm_state *s, const char *p, const char *eol)
{
    if (check_bytes(s, p, eol) != 0)
        return -1;
    for (;;) {
        p = skip_space(s, p);
        if (at_line_end(s, p))
            return 0;
        if (*p != '.' && !is_ident_start(*p))
            return fail_at(s, p, "unexpected character '%c'", *p);
        const char *w = p, *wend = scan_ident(s, p);
        if (wend < s->end && *wend == ':' && *w != '.') {
            if (define_label(s, w, wend) != 0)
                return -1;
            p = wend + 1;
            continue;
        }
        size_t len = (size_t)(wend - w);
        if (word_is(w, len, ".const"))
            return dir_const(s, wend);
        if (word_is(w, len, ".func"))
            return dir_func(s, w, wend);
        if (word_is(w, len, ".end"))
            return dir_end(s, w, wend);
        if (word_is(w, len, ".line")) { /* from a compiler: the source line of what follows */
            const char *at = skip_space(s, wend);
            if (parse_count(s, &at, &s->source_line, "a line number", UINT32_MAX) != 0)
                return -1;
            at = skip_space(s, at);
            return at_line_end(s, at) ? 0 : fail_at(s, at, "unexpected text after .line");
        }
        if (word_is(w, len, ".shared") || word_is(w, len, ".lock"))
            return dir_declare(s, w, wend, len == 7);
        if (word_is(w, len, ".overflow"))
            return dir_overflow(s, w, wend);
        if (*w == '.')
            return fail_at(s, w, "unknown directive '%.*s' (.const, .shared, .lock, .overflow, .func or .end)",
                           (int)len, w);
        return parse_instruction(s, w, wend);
    }
}

static int finish(asm_state *s)
{
    gs_program *p = s->prog;
    if (s->cur_func >= 0)
        return fail_line_col(s, s->cur_func_line, 1, "missing .end for function '%s'",
                             p->funcs[s->cur_func].name);
    for (uint32_t i = 0; i < s->ncalls; i++) {
        const asm_fixup *f = &s->calls[i];
        int fi = gs_program_find_func(p, f->name);
        if (fi < 0)
            return fail_line_col(s, f->line, f->col, "undefined function '%s'", f->name);
        p->code[f->at] = fi;
    }
    if (p->nfuncs == 0)
        return fail_line_col(s, 1, 1, "empty program (no function named main)");
    int m = gs_program_find_func(p, "main");
    if (m < 0)
        return fail_line_col(s, 1, 1, "no function named main");
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
