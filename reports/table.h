/* table.h - a table of figures, written once and shown as the terminal's
 * aligned columns and as the page's HTML table (docs/design.md, "Outputs").
 *
 * A writer names the columns, then fills the cells row by row, each as
 * printf formats it; a view lays the same cells out.  Cells are text: the
 * figures as the reader should read them ("1.00x", "20.03 ms"), so the
 * terminal and the page never disagree on a rounding. */
#ifndef GS_TABLE_H
#define GS_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { GS_TABLE_MAX_COLS = 12, GS_TABLE_CELL = 48 };

typedef struct {
    uint32_t ncols, nrows;
    char head[GS_TABLE_MAX_COLS][GS_TABLE_CELL];
    bool left[GS_TABLE_MAX_COLS];   /* text, aligned left; figures go right */
    char (*cells)[GS_TABLE_MAX_COLS][GS_TABLE_CELL]; /* nrows rows */
    uint32_t next;                  /* the next cell to fill, counted over all rows */
    uint32_t room;                  /* rows allocated */
    bool short_of_memory;           /* a row was refused: the views say so */
} gs_table;

/* A table with the columns of titles, separated by '|'; a title that
 * starts with '<' is a column of text, aligned left ("<mode|workers|wall"). */
void gs_table_init(gs_table *t, const char *titles);
/* The next cell, left to right, a new row after the last column. */
void gs_table_cell(gs_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gs_table_free(gs_table *t);

/* The columns aligned for a terminal, two spaces apart (one, where two
 * would pass 80 columns). */
void gs_table_text(FILE *out, const gs_table *t);
/* An HTML <table> of class cls, every cell escaped. */
void gs_table_html(FILE *out, const gs_table *t, const char *cls);

#endif
