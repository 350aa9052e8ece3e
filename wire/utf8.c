/* UTF-8 well-formedness: see utf8.h. */
#include "wire/utf8.h"

/* Bytes of the well-formed sequence that starts at s, or 0 when none does. */
static size_t sequence_length(const uint8_t *s, size_t left)
{
    uint8_t b = s[0];
    if (b < 0x80)
        return 1;
    size_t n;
    uint8_t lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (b >= 0xC2 && b <= 0xDF) {
        n = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        if (b == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (b == 0xED)
            hi = 0x9F; /* no UTF-16 surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        if (b == 0xF0)
            lo = 0x90;
        else if (b == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0; /* continuation bytes, C0, C1, F5..FF */
    }
    if (left < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

size_t utf8_valid_prefix(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t n = sequence_length(s + i, len - i);
        if (n == 0)
            break;
        i += n;
    }
    return i;
}

void utf8_append_sanitized(buf *out, const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t n = sequence_length(s + i, len - i);
        if (n == 0) {
            buf_append_byte(out, '?');
            i++;
        } else {
            buf_append(out, s + i, n);
            i += n;
        }
    }
}
