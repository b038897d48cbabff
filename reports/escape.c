/* escape.c - text into other languages (see escape.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../interp/label.h"
#include "escape.h"

void gs_put_html(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':  fputs("&lt;", f); break;
        case '>':  fputs("&gt;", f); break;
        case '&':  fputs("&amp;", f); break;
        case '"':  fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:   fputc(*s, f); break;
        }
    }
}

void gs_put_csv(FILE *f, const char *s)
{
    bool formula = strchr("=+-@\t\r", s[0]) && s[0];
    if (!formula && !strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++)
        fputs(*s == '"' ? "\"\"" : (char[2]){*s, 0}, f);
    fputc('"', f);
}

void gs_put_gnuplot(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++)
        fputs(*s == '\'' ? "''" : (unsigned char)*s < 0x20 || *s == 0x7f ? "?" : (char[2]){*s, 0}, f);
    fputc('\'', f);
}

int gs_gnuplot_can_name(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

void gs_put_sh(FILE *f, const char *s)
{
    bool plain = *s != '\0';
    for (const char *c = s; *c && plain; c++)
        plain = isalnum((unsigned char)*c) || strchr("-_./,:=+@%", *c);
    if (plain) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (; *s; s++)
        fputs(*s == '\'' ? "'\\''" : (char[2]){*s, 0}, f);
    fputc('\'', f);
}

int gs_sh_can_word(const char *s) { return gs_gnuplot_can_name(s); }

void gs_put_sh_shown(FILE *f, const char *s)
{
    size_t len = strlen(s);
    if (gs_is_label(s, len)) {
        gs_put_sh(f, s);
        return;
    }
    fputs("$'", f);
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t n = gs_utf8_char(s + i, len - i, &c);
        if (n && gs_is_label(s + i, n)) { /* a character a label keeps */
            if (c == '\\' || c == '\'')
                fputc('\\', f);
            fwrite(s + i, 1, n, f);
        } else if (n && c == '\n') {
            fputs("\\n", f);
        } else { /* what a label replaces: each of its bytes */
            for (size_t b = 0; b < (n ? n : 1); b++)
                fprintf(f, "\\x%02x", (unsigned char)s[i + b]);
        }
        i += n ? n : 1;
    }
    fputc('\'', f);
}

json_t *gs_json_text(const char *s)
{
    size_t len = strlen(s);
    char *text = malloc(3 * len + 1); /* a byte at most becomes U+FFFD's three */
    if (!text)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t n = gs_utf8_char(s + i, len - i, &c);
        if (n) {
            memcpy(text + o, s + i, n);
            o += n;
            i += n;
        } else {
            memcpy(text + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    json_t *j = json_stringn(text, o);
    free(text);
    return j;
}
