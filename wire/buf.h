/*
 * A growable byte buffer. Every encoder in wire/ appends to one of these; the
 * session hands the finished bytes to its socket in one piece. Allocation
 * failure aborts: a proxy that cannot allocate a few bytes cannot do anything
 * useful, and checking every append would bury the protocol logic.
 */
#ifndef MIMIR_WIRE_BUF_H
#define MIMIR_WIRE_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reset(buf *b); /* len = 0, keeps the allocation */
void buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *data, size_t len);
void buf_append_str(buf *b, const char *s);
void buf_append_byte(buf *b, uint8_t v);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminates without counting the NUL in len; returns data as char *. */
char *buf_cstr(buf *b);
/* Hands the allocation to the caller (NUL-terminated) and resets b. */
char *buf_detach(buf *b);

/* Little-endian fixed-width integers, as the MySQL protocol writes them. */
void buf_put_u16(buf *b, uint16_t v);
void buf_put_u24(buf *b, uint32_t v);
void buf_put_u32(buf *b, uint32_t v);
void buf_put_u64(buf *b, uint64_t v);

#endif
