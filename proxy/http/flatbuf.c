/*
 * The front-to-back FlatBuffers writer of flatbuf.h. Every multi-byte value is
 * written byte by byte in little-endian order, the order FlatBuffers (and
 * Arrow) specify, so the output does not depend on the host.
 */
#include "proxy/http/flatbuf.h"

#include "wire/xalloc.h"

void fb_put(buf *b, uint64_t v, size_t size)
{
    for (size_t i = 0; i < size; i++)
        buf_append_byte(b, (uint8_t)(v >> (8 * i)));
}

void fb_pad(buf *b, size_t align)
{
    while (b->len % align != 0)
        buf_append_byte(b, 0);
}

size_t fb_begin(buf *b)
{
    MIMIR_ASSERT(b->len == 0);
    fb_put(b, 0, 4);
    return 0;
}

void fb_patch(buf *b, size_t slot, size_t target)
{
    MIMIR_ASSERT(target > slot && slot + 4 <= b->len);
    uint32_t off = (uint32_t)(target - slot);
    for (size_t i = 0; i < 4; i++)
        b->data[slot + i] = (uint8_t)(off >> (8 * i));
}

/* Where each field lands inside the table: after the 4-byte soffset, each at
 * the next multiple of its width (the table itself starts 8-aligned, so
 * relative and absolute alignment agree). Returns the table's inline size. */
static size_t fb_layout(const fb_field *fields, size_t n, size_t *at)
{
    size_t pos = 4;
    for (size_t i = 0; i < n; i++) {
        pos = (pos + fields[i].size - 1) / fields[i].size * fields[i].size;
        at[i] = pos;
        pos += fields[i].size;
    }
    return pos;
}

size_t fb_table(buf *b, const fb_field *fields, size_t n, size_t *slots)
{
    size_t at[FB_MAX_FIELDS];
    uint16_t voff[FB_MAX_FIELDS] = {0};
    size_t nslots = 0, ids = 0;
    MIMIR_ASSERT(n <= FB_MAX_FIELDS);
    size_t inline_size = fb_layout(fields, n, at);
    for (size_t i = 0; i < n; i++) {
        MIMIR_ASSERT(fields[i].id < FB_MAX_FIELDS);
        voff[fields[i].id] = (uint16_t)at[i];
        if (fields[i].id + 1u > ids)
            ids = fields[i].id + 1u;
    }
    /* The vtable: its own size, the table's size, one offset per slot id
     * (0 = absent: the reader takes the schema's default). */
    fb_pad(b, 2);
    size_t vtable = b->len;
    fb_put(b, 4 + 2 * ids, 2);
    fb_put(b, inline_size, 2);
    for (size_t i = 0; i < ids; i++)
        fb_put(b, voff[i], 2);
    fb_pad(b, 8);
    size_t table = b->len;
    fb_put(b, table - vtable, 4); /* soffset: the vtable lies this far before */
    for (size_t i = 0; i < n; i++) {
        while (b->len < table + at[i])
            buf_append_byte(b, 0);
        if (fields[i].is_offset)
            slots[nslots++] = b->len;
        fb_put(b, fields[i].value, fields[i].size);
    }
    return table;
}

size_t fb_string(buf *b, const char *s, size_t len)
{
    fb_pad(b, 4);
    size_t pos = b->len;
    fb_put(b, len, 4);
    buf_append(b, s, len);
    buf_append_byte(b, 0);
    return pos;
}

size_t fb_vector_begin(buf *b, size_t count, size_t elem_size, size_t align)
{
    (void)elem_size;
    if (align < 4)
        align = 4;
    /* The 4-byte length sits just before the first element. */
    while ((b->len + 4) % align != 0)
        buf_append_byte(b, 0);
    size_t pos = b->len;
    fb_put(b, count, 4);
    return pos;
}

size_t fb_vector_offsets(buf *b, size_t count)
{
    size_t pos = fb_vector_begin(b, count, 4, 4);
    for (size_t i = 0; i < count; i++)
        fb_put(b, 0, 4);
    return pos;
}
