/* label.h - text a user gave (a file name, a line of a program), made safe
 * to show and to write into other languages.
 *
 * A name is data.  What a terminal, a browser, a spreadsheet or gnuplot
 * would take as an instruction inside it (an escape sequence, a newline, a
 * byte that is not UTF-8) must never reach them.  So gilsim shows every
 * user-given name as its label: the same text with each such character
 * replaced by '?'.  A label is valid UTF-8 with no control character, no
 * C1 control and no bidirectional override (which can make a terminal or a
 * page show other text than the bytes hold), so every output can quote it
 * with its own escaping (reports/escape.h).  The real name is kept as data
 * only where a format can hold it exactly: the JSON report.
 *
 * Everything here is pure and allocates nothing. */
#ifndef GS_LABEL_H
#define GS_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the label of in[0..len) into out (cap bytes, cap >= 1; always
 * terminated), cut at a character boundary when it does not fit.  Returns
 * how many characters were replaced. */
size_t gs_label(const char *in, size_t len, char *out, size_t cap);

/* Whether in[0..len) is already its own label (nothing to replace). */
bool gs_is_label(const char *in, size_t len);

/* Decodes one UTF-8 character at s (at most len bytes): returns its length
 * (1 to 4) with the code point in *cp, or 0 when the bytes there are not
 * valid UTF-8 (a stray continuation byte, an overlong form, a surrogate,
 * past U+10FFFF, cut short). */
size_t gs_utf8_char(const char *s, size_t len, uint32_t *cp);

#endif
