#include "proxy/obs/json_out.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The length of the well-formed UTF-8 sequence at s (RFC 3629), or 0. */
static size_t utf8_sequence(const uint8_t *s, size_t avail)
{
    uint8_t c = s[0];
    size_t n;
    uint8_t lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (avail < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

static void append_control(buf *b, uint8_t c)
{
    static const char hex[] = "0123456789abcdef";
    switch (c) {
    case '\n':
        buf_append(b, "\\n", 2);
        return;
    case '\r':
        buf_append(b, "\\r", 2);
        return;
    case '\t':
        buf_append(b, "\\t", 2);
        return;
    case '\b':
        buf_append(b, "\\b", 2);
        return;
    case '\f':
        buf_append(b, "\\f", 2);
        return;
    default: {
        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        buf_append(b, u, sizeof u);
        return;
    }
    }
}

void json_append_string(buf *b, const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    buf_reserve(b, len + 2);
    buf_append_byte(b, '"');
    size_t i = 0;
    while (i < len) {
        /* Copy the longest run that needs no escaping in one go. */
        size_t run = i;
        while (run < len && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            buf_append(b, p + i, run - i);
            i = run;
            continue;
        }
        uint8_t c = p[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            buf_append(b, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            append_control(b, c);
            i++;
        } else {
            size_t n = utf8_sequence(p + i, len - i);
            if (n) {
                buf_append(b, p + i, n);
                i += n;
            } else {
                buf_append(b, "\\ufffd", 6);
                i++;
            }
        }
    }
    buf_append_byte(b, '"');
}

void json_append_cstr(buf *b, const char *s)
{
    if (!s)
        buf_append(b, "null", 4);
    else
        json_append_string(b, s, strlen(s));
}

void json_append_ms(buf *b, double ms)
{
    if (ms < 0)
        buf_append(b, "null", 4);
    else
        buf_printf(b, "%.3f", ms);
}
