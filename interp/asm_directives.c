/* asm_directives.c - the assembler's directives and labels (see
 * asm_state.h; the format is asm.h's). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "asm_state.h"

static int parse_name_operand(asm_state *s, const char **pp, char out[GS_MAX_NAME + 1], const char *what)
{
    const char *p = asm_skip_space(s, *pp);
    if (asm_at_line_end(s, p) || !asm_is_ident_start(*p))
        return asm_fail_at(s, p, "expected a %s name", what);
    const char *wend = asm_scan_ident(s, p);
    if (asm_copy_name(s, p, wend, out) != 0)
        return -1;
    *pp = wend;
    return 0;
}

static int parse_count(asm_state *s, const char **pp, uint32_t *out, const char *what, uint32_t max)
{
    const char *p = asm_skip_space(s, *pp);
    const char *at = p;
    int64_t v;
    if (asm_parse_value(s, &p, &v, what) != 0)
        return -1;
    if (v < 0 || v > (int64_t)max)
        return asm_fail_at(s, at, "%s %" PRId64 " out of range (0..%u)", what, v, max);
    *out = (uint32_t)v;
    *pp = p;
    return 0;
}

static int dir_const(asm_state *s, const char *p)
{
    asm_const c;
    const char *at = asm_skip_space(s, p);
    if (parse_name_operand(s, &p, c.name, "constant") != 0)
        return -1;
    if (asm_find_named(s, c.name, strlen(c.name)))
        return asm_fail_at(s, at, "duplicate constant '%s'", c.name);
    p = asm_skip_space(s, p);
    if (asm_parse_value(s, &p, &c.value, "a value") != 0)
        return -1;
    if (s->nnamed >= GS_MAX_CONSTS)
        return asm_fail_at(s, at, "too many named constants (at most %u)", GS_MAX_CONSTS);
    asm_const *grown = realloc(s->named, (s->nnamed + 1) * sizeof *grown);
    if (!grown)
        return asm_fail_at(s, at, "out of memory");
    s->named = grown;
    s->named[s->nnamed++] = c;
    p = asm_skip_space(s, p);
    return asm_at_line_end(s, p) ? 0 : asm_fail_at(s, p, "unexpected text after .const");
}

/* .overflow wrap|error: what arithmetic past 64 bits does; outside functions. */
static int dir_overflow(asm_state *s, const char *dir, const char *p)
{
    if (s->cur_func >= 0)
        return asm_fail_at(s, dir, ".overflow inside a function (give it before .func)");
    const char *at = asm_skip_space(s, p), *wend = at;
    while (wend < s->end && asm_is_ident_start(*wend))
        wend++;
    size_t len = (size_t)(wend - at);
    if (!asm_word_is(at, len, "wrap") && !asm_word_is(at, len, "error"))
        return asm_fail_at(s, at, ".overflow takes wrap or error");
    s->prog->overflow_errs = len == 5;
    p = asm_skip_space(s, wend);
    return asm_at_line_end(s, p) ? 0 : asm_fail_at(s, p, "unexpected text after .overflow");
}

/* .default NAME VALUE: what the program asks for when the command line
 * does not say (program.h); outside functions, once each. */
static int dir_default(asm_state *s, const char *dir, const char *p)
{
    static const int64_t min[] = {
#define GS_DEFAULT_MIN(e, name, lo, hi) lo,
        GS_PROGRAM_DEFAULTS(GS_DEFAULT_MIN)
#undef GS_DEFAULT_MIN
    }, max[] = {
#define GS_DEFAULT_MAX(e, name, lo, hi) hi,
        GS_PROGRAM_DEFAULTS(GS_DEFAULT_MAX)
#undef GS_DEFAULT_MAX
    };
    if (s->cur_func >= 0)
        return asm_fail_at(s, dir, ".default inside a function (give it before .func)");
    const char *at = asm_skip_space(s, p), *wend = at;
    while (wend < s->end && (asm_is_ident_char(*wend) || *wend == '-'))
        wend++;
    int k = 0;
    while (k < GS_DEFAULT_COUNT && !asm_word_is(at, (size_t)(wend - at), gs_default_names[k]))
        k++;
    if (k == GS_DEFAULT_COUNT)
        return asm_fail_at(s, at, ".default takes unit-size or io-latency");
    if (s->prog->has_default[k])
        return asm_fail_at(s, at, ".default %s given twice", gs_default_names[k]);
    p = asm_skip_space(s, wend);
    const char *value = p;
    int64_t v;
    if (asm_parse_value(s, &p, &v, "a value") != 0)
        return -1;
    if (v < min[k] || v > max[k])
        return asm_fail_at(s, value, ".default %s %" PRId64 " out of range (%" PRId64 "..%" PRId64 ")", gs_default_names[k],
                       v, min[k], max[k]);
    s->prog->has_default[k] = true;
    s->prog->defaults[k] = v;
    p = asm_skip_space(s, p);
    return asm_at_line_end(s, p) ? 0 : asm_fail_at(s, p, "unexpected text after .default");
}

/* .shared NAME [VALUE] and .lock NAME: outside functions, before use. */
static int dir_declare(asm_state *s, const char *dir, const char *p, bool shared)
{
    const char *what = shared ? ".shared" : ".lock";
    if (s->cur_func >= 0)
        return asm_fail_at(s, dir, "%s inside a function (declare it before .func)", what);
    const char *at = asm_skip_space(s, p);
    char name[GS_MAX_NAME + 1];
    if (parse_name_operand(s, &p, name, shared ? "shared variable" : "lock") != 0)
        return -1;
    if (asm_declared(s, shared, name, strlen(name)) >= 0)
        return asm_fail_at(s, at, "duplicate %s '%s'", shared ? "shared variable" : "lock", name);
    gs_program *prog = s->prog;
    int64_t init = 0;
    p = asm_skip_space(s, p);
    if (shared && !asm_at_line_end(s, p) && asm_parse_value(s, &p, &init, "a value") != 0)
        return -1;
    p = asm_skip_space(s, p);
    if (!asm_at_line_end(s, p))
        return asm_fail_at(s, p, "unexpected text after %s", what);
    if (shared) {
        if (prog->nshared >= GS_MAX_SHARED)
            return asm_fail_at(s, at, "too many shared variables (at most %u)", GS_MAX_SHARED);
        gs_shared_decl *grown = realloc(prog->shared, (prog->nshared + 1) * sizeof *grown);
        if (!grown)
            return asm_fail_at(s, at, "out of memory");
        prog->shared = grown;
        grown[prog->nshared] = (gs_shared_decl){.init = init};
        memcpy(grown[prog->nshared++].name, name, sizeof name);
    } else {
        if (prog->nulocks >= GS_MAX_ULOCKS)
            return asm_fail_at(s, at, "too many locks (at most %u)", GS_MAX_ULOCKS);
        gs_ulock_decl *grown = realloc(prog->ulocks, (prog->nulocks + 1) * sizeof *grown);
        if (!grown)
            return asm_fail_at(s, at, "out of memory");
        prog->ulocks = grown;
        memcpy(grown[prog->nulocks++].name, name, sizeof name);
    }
    return 0;
}

static int dir_func(asm_state *s, const char *dir, const char *p)
{
    gs_program *prog = s->prog;
    if (s->cur_func >= 0)
        return asm_fail_at(s, dir, "missing .end before .func (function '%s' is still open)",
                       prog->funcs[s->cur_func].name);
    gs_func f = {.entry = prog->ncode};
    const char *at = asm_skip_space(s, p);
    if (parse_name_operand(s, &p, f.name, "function") != 0)
        return -1;
    if (gs_program_find_func(prog, f.name) >= 0)
        return asm_fail_at(s, at, "duplicate function '%s'", f.name);
    uint32_t extra = 0;
    if (parse_count(s, &p, &f.nargs, "argument count", GS_MAX_LOCALS) != 0)
        return -1;
    p = asm_skip_space(s, p);
    if (!asm_at_line_end(s, p) && parse_count(s, &p, &extra, "local count", GS_MAX_LOCALS) != 0)
        return -1;
    if (f.nargs + extra > GS_MAX_LOCALS)
        return asm_fail_at(s, at, "function '%s' has %u arguments and locals (at most %u)", f.name,
                       f.nargs + extra, GS_MAX_LOCALS);
    f.nlocals = f.nargs + extra;
    p = asm_skip_space(s, p);
    if (!asm_at_line_end(s, p))
        return asm_fail_at(s, p, "unexpected text after .func");
    if (prog->nfuncs >= GS_MAX_FUNCS)
        return asm_fail_at(s, dir, "too many functions (at most %u)", GS_MAX_FUNCS);
    gs_func *grown = realloc(prog->funcs, (prog->nfuncs + 1) * sizeof *grown);
    if (!grown)
        return asm_fail_at(s, dir, "out of memory");
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
        return asm_fail_at(s, dir, ".end without .func");
    p = asm_skip_space(s, p);
    if (!asm_at_line_end(s, p))
        return asm_fail_at(s, p, "unexpected text after .end");
    for (uint32_t i = 0; i < s->njumps; i++) {
        const asm_fixup *f = &s->jumps[i];
        const asm_label *l = find_label(s, f->name);
        if (!l)
            return asm_fail_line_col(s, f->line, f->col, "undefined label '%s'", f->name);
        s->prog->code[f->at] = (int32_t)l->offset;
    }
    s->prog->funcs[s->cur_func].end = s->prog->ncode;
    s->cur_func = -1;
    return 0;
}

int asm_define_label(asm_state *s, const char *w, const char *wend)
{
    if (s->cur_func < 0)
        return asm_fail_at(s, w, "label outside a function");
    asm_label l = {.offset = s->prog->ncode, .line = s->line};
    if (asm_copy_name(s, w, wend, l.name) != 0)
        return -1;
    const asm_label *old = find_label(s, l.name);
    if (old)
        return asm_fail_at(s, w, "duplicate label '%s' (first defined on line %u)", l.name, old->line);
    if (s->nlabels >= GS_MAX_CODE)
        return asm_fail_at(s, w, "too many labels");
    asm_label *grown = realloc(s->labels, (s->nlabels + 1) * sizeof *grown);
    if (!grown)
        return asm_fail_at(s, w, "out of memory");
    s->labels = grown;
    s->labels[s->nlabels++] = l;
    return 0;
}

int asm_directive(asm_state *s, const char *w, const char *wend)
{
    size_t len = (size_t)(wend - w);
    if (asm_word_is(w, len, ".const"))
        return dir_const(s, wend);
    if (asm_word_is(w, len, ".func"))
        return dir_func(s, w, wend);
    if (asm_word_is(w, len, ".end"))
        return dir_end(s, w, wend);
    if (asm_word_is(w, len, ".line")) { /* from a compiler: the source line of what follows */
        const char *at = asm_skip_space(s, wend);
        if (parse_count(s, &at, &s->source_line, "a line number", UINT32_MAX) != 0)
            return -1;
        at = asm_skip_space(s, at);
        return asm_at_line_end(s, at) ? 0 : asm_fail_at(s, at, "unexpected text after .line");
    }
    if (asm_word_is(w, len, ".shared") || asm_word_is(w, len, ".lock"))
        return dir_declare(s, w, wend, len == 7);
    if (asm_word_is(w, len, ".overflow"))
        return dir_overflow(s, w, wend);
    if (asm_word_is(w, len, ".default"))
        return dir_default(s, w, wend);
    return asm_fail_at(s, w, "unknown directive '%.*s' (.const, .shared, .lock, .overflow, .default, .func or "
                       ".end)", (int)len, w);
}
