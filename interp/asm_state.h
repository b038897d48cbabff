/* asm_state.h - what the assembler's two files share (private to
 * interp/): the state of one assembly, and the helpers that read its text
 * and report where it is wrong.  asm.c reads lines, instructions and
 * operands; asm_directives.c the directives (.func, .end, .const, .shared,
 * .lock, .overflow, .default, .line) and labels. */
#ifndef GS_ASM_STATE_H
#define GS_ASM_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "asm.h"

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

/* Errors: "FILE:LINE:COL: message"; return -1.  At a place on the
 * current line, or at one remembered from an earlier line (fix-ups). */
int asm_fail_at(asm_state *s, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int asm_fail_line_col(asm_state *s, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reading the text. */
bool asm_is_ident_start(char c);
bool asm_is_ident_char(char c);
const char *asm_skip_space(const asm_state *s, const char *p);
bool asm_at_line_end(const asm_state *s, const char *p);
/* An identifier (with a leading '.' for directives); returns its end. */
const char *asm_scan_ident(const asm_state *s, const char *p);
bool asm_word_is(const char *w, size_t len, const char *lit);
int asm_copy_name(asm_state *s, const char *w, const char *wend, char out[GS_MAX_NAME + 1]);
const asm_const *asm_find_named(const asm_state *s, const char *w, size_t len);
/* A number or a named constant; what names it in errors.  0, or -1. */
int asm_parse_value(asm_state *s, const char **pp, int64_t *v, const char *what);
/* The index of the shared variable (shared) or user lock named w, or -1. */
int asm_declared(const asm_state *s, bool shared, const char *w, size_t len);

/* The directive at w (its name ends at wend).  0, or -1. */
int asm_directive(asm_state *s, const char *w, const char *wend);
/* A label at w..wend, in the function being assembled.  0, or -1. */
int asm_define_label(asm_state *s, const char *w, const char *wend);

#endif
