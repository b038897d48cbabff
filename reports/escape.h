/* escape.h - writing text into another language, one function a
 * language: the only places where a name (a label, interp/label.h, or
 * anything else) enters HTML, CSV, gnuplot, a shell command line or JSON.
 *
 * Labels hold no control character and are valid UTF-8 already; each
 * function still makes any text safe in its language, so that a writer
 * that forgot a label writes a wrong name, never a command. */
#ifndef GS_ESCAPE_H
#define GS_ESCAPE_H

#include <stdio.h>

#include <jansson.h>

/* HTML text or a quoted attribute value: & < > " ' as entities. */
void gs_put_html(FILE *f, const char *s);

/* A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line
 * end; a field a spreadsheet would take for a formula (it begins with
 * = + - @, a tab or a carriage return) begins with ' instead, as OWASP
 * advises, so it stays text. */
void gs_put_csv(FILE *f, const char *s);

/* A gnuplot string literal in single quotes, where gnuplot substitutes
 * nothing (no `command`, no @macro, no backslash escape); a quote is
 * written twice.  A control character becomes '?': a newline would end
 * the command, and no gnuplot string can hold one. */
void gs_put_gnuplot(FILE *f, const char *s);
/* Whether gs_put_gnuplot writes s as it is (no control character):
 * a file name gnuplot must open has to be. */
int gs_gnuplot_can_name(const char *s);

/* A word of a POSIX shell command line: as it is when it holds only
 * letters, digits and - _ . / , : = + @ % (and is not empty), else in
 * single quotes, where the shell expands nothing, each quote written as
 * '\''.  Any byte is safe inside the quotes, but a line end would split a
 * one-line command: gs_sh_can_word says whether s has none (nor any other
 * control character, which a terminal showing the line would act on). */
void gs_put_sh(FILE *f, const char *s);
int gs_sh_can_word(const char *s);

/* A word of a command line for a person to paste into bash or zsh, shown
 * on a terminal: gs_put_sh's when s is its own label (interp/label.h),
 * else s exactly in $'...' quotes, where each character a label would
 * replace (a control, a byte that is not UTF-8, a bidirectional mark) is
 * written as \xHH, a line end as \n, and \ and ' as \\ and \'; so the
 * terminal shows no character it would act on, and the pasted word names
 * the same file (a label's '?' would name another, or a glob).  POSIX sh
 * before 2024 (dash) has no $'...'; a plan, which sh runs, never needs
 * it (gs_sh_can_word). */
void gs_put_sh_shown(FILE *f, const char *s);

/* A JSON string of s: as it is when it is UTF-8, each byte that is not
 * replaced by U+FFFD (JSON holds text, not bytes).  NULL only when out of
 * memory. */
json_t *gs_json_text(const char *s);

#endif
