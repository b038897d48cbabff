/* names.h - looking a name up in a table, and listing a table's names for
 * a message: the one way every option value, instruction, I/O kind,
 * policy, mode and workload is found by name. */
#ifndef GS_NAMES_H
#define GS_NAMES_H

#include <stddef.h>

/* The index of the entry whose name is the len bytes at name, or -1.  The
 * table's count entries are `stride` bytes apart, each with a
 * `const char *` at *first (an array of names: stride sizeof(char *); an
 * array of structs: the address of the first one's name field).  NULL
 * names are skipped. */
int gs_name_find(const void *first, size_t stride, int count, const char *name, size_t len);

/* The same, for an array of names and a C string. */
static inline int gs_name_index(const char *const *names, int count, const char *name)
{
    size_t len = 0;
    while (name[len])
        len++;
    return gs_name_find(names, sizeof *names, count, name, len);
}

/* "a, b or c": the table's names (NULL ones skipped) for a message, in
 * buf.  Returns buf. */
const char *gs_name_choices(const char *const *names, int count, char *buf, size_t size);

#endif
