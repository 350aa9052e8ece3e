/*
 * Growable byte buffer. The only allocation an encoder ever does happens here,
 * and it is amortised: capacity doubles, so a session that keeps one buffer
 * per direction and resets it between packets stops allocating once it has
 * seen its largest packet.
 */
#include "wire/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/mimir_assert.h"
#include "wire/xalloc.h"

/* Small enough not to matter, large enough that an OK packet never grows twice. */
#define BUF_MIN_CAP 64

void buf_init(buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_free(buf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_reset(buf *b)
{
    b->len = 0;
}

void buf_reserve(buf *b, size_t extra)
{
    if (extra <= b->cap - b->len)
        return;
    if (extra > SIZE_MAX - b->len) {
        fprintf(stderr, "mimir: a buffer of %zu bytes cannot grow by %zu more\n", b->len, extra);
        abort();
    }
    size_t need = b->len + extra;
    size_t cap = b->cap < BUF_MIN_CAP ? BUF_MIN_CAP : b->cap;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    MIMIR_ASSERT(b->cap - b->len >= extra);
}

void buf_append(buf *b, const void *data, size_t len)
{
    /* memcpy from NULL is undefined even for zero bytes, and callers pass
     * (NULL, 0) for empty values. */
    if (len == 0)
        return;
    buf_reserve(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

void buf_append_str(buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_append_byte(buf *b, uint8_t v)
{
    buf_reserve(b, 1);
    b->data[b->len++] = v;
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    /* Try in the space we already have; most messages fit, so one pass. */
    size_t room = b->cap - b->len;
    int n = vsnprintf(room ? (char *)b->data + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n >= room) {
        buf_reserve(b, (size_t)n + 1);
        vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    b->len += (size_t)n;
}

char *buf_cstr(buf *b)
{
    buf_reserve(b, 1);
    b->data[b->len] = '\0';
    return (char *)b->data;
}

char *buf_detach(buf *b)
{
    char *s = buf_cstr(b);
    buf_init(b);
    return s;
}

void buf_put_u16(buf *b, uint16_t v)
{
    buf_reserve(b, 2);
    uint8_t *p = b->data + b->len;
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    b->len += 2;
}

void buf_put_u24(buf *b, uint32_t v)
{
    buf_reserve(b, 3);
    uint8_t *p = b->data + b->len;
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    b->len += 3;
}

void buf_put_u32(buf *b, uint32_t v)
{
    buf_reserve(b, 4);
    uint8_t *p = b->data + b->len;
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    b->len += 4;
}

void buf_put_u64(buf *b, uint64_t v)
{
    buf_reserve(b, 8);
    uint8_t *p = b->data + b->len;
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    b->len += 8;
}
