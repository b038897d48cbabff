/* label.c - labels of user-given text (see label.h). */
#include <string.h>

#include "label.h"

size_t gs_utf8_char(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t n = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 0;
    if (n == 0 || n > len || u[0] > 0xf4)
        return 0;
    uint32_t c = u[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (u[i] & 0x3f);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000}; /* below: an overlong form */
    if (c < least[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* Characters a label never holds: controls (C0, DEL, C1), and the
 * bidirectional marks and overrides (the "Trojan Source" characters). */
static bool unsafe(uint32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x61c || c == 0x200e || c == 0x200f ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

size_t gs_label(const char *in, size_t len, char *out, size_t cap)
{
    size_t o = 0, replaced = 0;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t n = gs_utf8_char(in + i, len - i, &c);
        bool bad = n == 0 || unsafe(c);
        size_t w = bad ? 1 : n;
        if (o + w >= cap)
            break;
        if (bad)
            out[o] = '?';
        else
            memcpy(out + o, in + i, n);
        o += w;
        replaced += bad;
        i += n ? n : 1;
    }
    out[o] = '\0';
    return replaced;
}

bool gs_is_label(const char *in, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t n = gs_utf8_char(in + i, len - i, &c);
        if (n == 0 || unsafe(c))
            return false;
        i += n;
    }
    return true;
}
