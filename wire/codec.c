/*
 * Length-encoded integers and strings, and the bounds-checked read cursor
 * that every decoder in wire/ goes through. A getter either consumes exactly
 * what it returns or leaves the cursor where it was, so a caller that sees
 * false never has to reason about a half-read field.
 */
#include "wire/protocol.h"

#include <string.h>

void wire_put_lenenc_int(buf *out, uint64_t v)
{
    /* 0xFB (NULL), 0xFF (ERR) and 0xFC..0xFE (prefixes) cannot be one-byte values. */
    if (v < 251) {
        buf_append_byte(out, (uint8_t)v);
    } else if (v <= 0xFFFF) {
        buf_append_byte(out, 0xFC);
        buf_put_u16(out, (uint16_t)v);
    } else if (v <= 0xFFFFFF) {
        buf_append_byte(out, 0xFD);
        buf_put_u24(out, (uint32_t)v);
    } else {
        buf_append_byte(out, 0xFE);
        buf_put_u64(out, v);
    }
}

void wire_put_lenenc_str(buf *out, const void *s, size_t len)
{
    wire_put_lenenc_int(out, len);
    buf_append(out, s, len);
}

void wire_put_lenenc_cstr(buf *out, const char *s)
{
    if (s == NULL)
        s = "";
    wire_put_lenenc_str(out, s, strlen(s));
}

void wire_cursor_init(wire_cursor *c, const uint8_t *data, size_t len)
{
    /* An empty buf has data == NULL, and NULL + 0 is undefined in C. */
    c->p = data;
    c->end = len ? data + len : data;
}

size_t wire_cursor_left(const wire_cursor *c)
{
    return (size_t)(c->end - c->p);
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

bool wire_get_u8(wire_cursor *c, uint8_t *v)
{
    if (wire_cursor_left(c) < 1)
        return false;
    *v = *c->p++;
    return true;
}

bool wire_get_u16(wire_cursor *c, uint16_t *v)
{
    if (wire_cursor_left(c) < 2)
        return false;
    *v = (uint16_t)load_le(c->p, 2);
    c->p += 2;
    return true;
}

bool wire_get_u32(wire_cursor *c, uint32_t *v)
{
    if (wire_cursor_left(c) < 4)
        return false;
    *v = (uint32_t)load_le(c->p, 4);
    c->p += 4;
    return true;
}

bool wire_get_bytes(wire_cursor *c, size_t n, const uint8_t **v)
{
    if (wire_cursor_left(c) < n)
        return false;
    *v = c->p;
    c->p += n;
    return true;
}

bool wire_get_lenenc_int(wire_cursor *c, uint64_t *v, bool *is_null)
{
    if (wire_cursor_left(c) < 1)
        return false;
    uint8_t first = c->p[0];
    size_t width;
    switch (first) {
    case 0xFB:
        /* Only meaningful where a value may be NULL (row data); a caller that
         * passes no is_null does not accept one. */
        if (is_null == NULL)
            return false;
        *is_null = true;
        *v = 0;
        c->p++;
        return true;
    case 0xFC:
        width = 2;
        break;
    case 0xFD:
        width = 3;
        break;
    case 0xFE:
        width = 8;
        break;
    case 0xFF:
        return false; /* the first byte of an ERR packet, never an integer */
    default:
        if (is_null != NULL)
            *is_null = false;
        *v = first;
        c->p++;
        return true;
    }
    if (wire_cursor_left(c) < 1 + width)
        return false;
    if (is_null != NULL)
        *is_null = false;
    *v = load_le(c->p + 1, width);
    c->p += 1 + width;
    return true;
}

bool wire_get_lenenc_str(wire_cursor *c, const uint8_t **s, size_t *len)
{
    wire_cursor save = *c;
    uint64_t n;
    if (!wire_get_lenenc_int(c, &n, NULL) || n > wire_cursor_left(c)) {
        *c = save;
        return false;
    }
    *s = c->p;
    *len = (size_t)n;
    c->p += n;
    return true;
}

bool wire_get_cstr(wire_cursor *c, const char **s, size_t *len)
{
    size_t left = wire_cursor_left(c);
    const uint8_t *nul = left ? memchr(c->p, 0, left) : NULL;
    if (nul == NULL)
        return false;
    *s = (const char *)c->p;
    *len = (size_t)(nul - c->p);
    c->p = nul + 1;
    return true;
}
