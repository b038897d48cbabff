/* table.c - a table's cells and its two views (table.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "table.h"

void gs_table_init(gs_table *t, const char *titles)
{
    memset(t, 0, sizeof *t);
    for (const char *p = titles; *p && t->ncols < GS_TABLE_MAX_COLS; t->ncols++) {
        size_t len = strcspn(p, "|");
        t->left[t->ncols] = *p == '<';
        int skip = t->left[t->ncols];
        snprintf(t->head[t->ncols], GS_TABLE_CELL, "%.*s", (int)(len - (size_t)skip), p + skip);
        p += len + (p[len] == '|');
    }
}

void gs_table_cell(gs_table *t, const char *fmt, ...)
{
    if (t->ncols == 0 || t->short_of_memory)
        return;
    uint32_t row = t->next / t->ncols, col = t->next % t->ncols;
    if (row >= t->room) {
        uint32_t room = t->room ? 2 * t->room : 16;
        void *more = realloc(t->cells, room * sizeof *t->cells);
        if (!more) {
            t->short_of_memory = true;
            return;
        }
        t->cells = more;
        t->room = room;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->cells[row][col], GS_TABLE_CELL, fmt, ap);
    va_end(ap);
    t->next++;
    t->nrows = (t->next + t->ncols - 1) / t->ncols;
}

void gs_table_free(gs_table *t)
{
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->room = t->next = 0;
}

/* The cell at row, col: "" where a short last row has none. */
static const char *cell_at(const gs_table *t, uint32_t row, uint32_t col)
{
    return row * t->ncols + col < t->next ? t->cells[row][col] : "";
}

void gs_table_text(FILE *out, const gs_table *t)
{
    int width[GS_TABLE_MAX_COLS], total = 0;
    for (uint32_t c = 0; c < t->ncols; c++) {
        width[c] = (int)strlen(t->head[c]);
        for (uint32_t r = 0; r < t->nrows; r++)
            if ((int)strlen(cell_at(t, r, c)) > width[c])
                width[c] = (int)strlen(cell_at(t, r, c));
        total += width[c] + 2;
    }
    int apart = total - 2 > 80 ? 1 : 2; /* closer, to fit a terminal of 80 columns */
    for (uint32_t r = 0; r <= t->nrows; r++) { /* the titles, then the rows */
        int pad = 0; /* spaces owed before the next text, so that no line ends in them */
        for (uint32_t c = 0; c < t->ncols; c++) {
            const char *s = r == 0 ? t->head[c] : cell_at(t, r - 1, c);
            int gap = width[c] - (int)strlen(s);
            if (c > 0)
                pad += apart;
            if (!t->left[c])
                pad += gap;
            if (*s) {
                fprintf(out, "%*s%s", pad, "", s);
                pad = 0;
            }
            if (t->left[c])
                pad += gap;
        }
        fputc('\n', out);
    }
    if (t->short_of_memory)
        fputs("(out of memory: the table is cut short)\n", out);
}

void gs_table_html(FILE *out, const gs_table *t, const char *cls)
{
    fprintf(out, "<table class=\"%s\">\n<thead><tr>", cls);
    for (uint32_t c = 0; c < t->ncols; c++) {
        fprintf(out, "<th%s>", t->left[c] ? " class=\"text\"" : "");
        gs_put_html(out, t->head[c]);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    for (uint32_t r = 0; r < t->nrows; r++) {
        fputs("<tr>", out);
        for (uint32_t c = 0; c < t->ncols; c++) {
            fprintf(out, "<td%s>", t->left[c] ? " class=\"text\"" : "");
            gs_put_html(out, cell_at(t, r, c));
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    if (t->short_of_memory)
        fputs("<p class=\"note\">Out of memory: the table is cut short.</p>\n", out);
}
