/* names.c - names looked up in tables (see names.h). */
#include <stdio.h>
#include <string.h>

#include "names.h"

int gs_name_find(const void *first, size_t stride, int count, const char *name, size_t len)
{
    const char *p = first;
    for (int i = 0; i < count; i++, p += stride) {
        const char *n;
        memcpy(&n, p, sizeof n);
        if (n && strlen(n) == len && memcmp(n, name, len) == 0)
            return i;
    }
    return -1;
}

const char *gs_name_choices(const char *const *names, int count, char *buf, size_t size)
{
    int last = count - 1;
    while (last >= 0 && !names[last])
        last--;
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i <= last && used < size; i++) {
        if (!names[i])
            continue;
        const char *sep = used == 0 ? "" : i == last ? " or " : ", ";
        int n = snprintf(buf + used, size - used, "%s%s", sep, names[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    return buf;
}
