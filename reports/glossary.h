/* glossary.h - the words of gilsim's figures, each in a sentence or two a
 * student can read: one table for `gilsim terms`, every page's "How to
 * read this" and the README's "How to read the figures" (which a test
 * keeps in step with it). */
#ifndef GS_GLOSSARY_H
#define GS_GLOSSARY_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    const char *term;
    const char *meaning;
} gs_term;

extern const gs_term gs_glossary[];
extern const size_t gs_glossary_count;

/* The glossary for a terminal: each term, its meaning wrapped below it. */
void gs_glossary_text(FILE *out);

#endif
