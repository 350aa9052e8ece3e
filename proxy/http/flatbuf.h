/*
 * A minimal FlatBuffers writer, just enough for the Arrow IPC messages of
 * arrow_stream.c: tables of scalar and offset fields, strings, and vectors of
 * offsets or of structs. Debian 12 packages neither the Arrow C library nor
 * flatcc, and the messages Mimir writes are few and small, so they are encoded
 * by hand (https://flatbuffers.dev/internals/ describes the layout).
 *
 * Unlike the usual FlatBuffers builders, which write back to front, this one
 * writes front to back: a table's offset fields are written as slots and
 * patched once the object they point to has been appended after them.
 * FlatBuffers offsets (uoffset_t) point forward, so every child must come
 * after its parent, which depth-first writing gives for free. Each table's
 * vtable is written just before it (the table's soffset_t then is positive).
 *
 * Positions are byte offsets from the start of b, which must be the start of
 * the flatbuffer: scalars are aligned to their size relative to it, and the
 * caller places the finished buffer at an 8-byte-aligned address.
 */
#ifndef MIMIR_PROXY_HTTP_FLATBUF_H
#define MIMIR_PROXY_HTTP_FLATBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

/* Most fields a table of ours has (Field has 7 slots: its union takes two). */
#define FB_MAX_FIELDS 8

/* One field of a table: its slot id in the schema, its width in bytes (1, 2,
 * 4 or 8) and its value; an offset field (width 4) gets a slot to patch. */
typedef struct fb_field {
    uint16_t id;
    uint8_t size;
    bool is_offset;
    uint64_t value;
} fb_field;

#define FB_SCALAR(i, sz, v) ((fb_field){.id = (i), .size = (sz), .is_offset = false, .value = (v)})
#define FB_OFFSET(i)        ((fb_field){.id = (i), .size = 4, .is_offset = true, .value = 0})

/* Starts a flatbuffer in an empty b: the root offset, returned as a slot. */
size_t fb_begin(buf *b);

/*
 * Appends a vtable and its table holding fields (ids in any order, each at
 * most once, below FB_MAX_FIELDS). slots[k] receives the position of the k-th
 * offset field (in the order given) for fb_patch. Returns the table's position.
 */
size_t fb_table(buf *b, const fb_field *fields, size_t n, size_t *slots);

/* Points the offset at slot to target (which lies after it). */
void fb_patch(buf *b, size_t slot, size_t target);

/* Appends a string (length, bytes, NUL); returns its position. */
size_t fb_string(buf *b, const char *s, size_t len);

/*
 * Appends the length of a vector of count elements of elem_size bytes, placed
 * so that the elements start aligned to align; returns the vector's position.
 * The caller appends the elements right after (fb_vector_offsets does it for a
 * vector of offsets, whose slots follow one another 4 bytes apart).
 */
size_t fb_vector_begin(buf *b, size_t count, size_t elem_size, size_t align);

/* A vector of count offset slots, all zero; the first slot is position + 4. */
size_t fb_vector_offsets(buf *b, size_t count);

/* Pads b with zeros to a multiple of align. */
void fb_pad(buf *b, size_t align);

/* Writes a little-endian integer of size bytes at the end of b. */
void fb_put(buf *b, uint64_t v, size_t size);

#endif
