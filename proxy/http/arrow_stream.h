/*
 * An encoder of the Arrow IPC *streaming format*, for the HTTP API's answers
 * to "Accept: application/vnd.apache.arrow.stream": a Schema message, any
 * number of RecordBatch messages, and the end-of-stream marker.
 *
 * Debian 12 packages no Arrow C library (nor a FlatBuffers compiler for C),
 * so the messages are encoded by hand (flatbuf.h) after the format's
 * specification, https://arrow.apache.org/docs/format/Columnar.html (the
 * "Serialization and Interprocess Communication (IPC)" part), and its
 * FlatBuffers schemas format/Schema.fbs and format/Message.fbs of
 * https://github.com/apache/arrow. What is written: metadata version V5,
 * little-endian, no dictionaries, no compression, every message framed as the
 * continuation marker 0xFFFFFFFF, the metadata length, the flatbuffer padded
 * to 8 bytes and the body, whose buffers each start at a multiple of 8.
 *
 * Input is what Mimir already has for a MySQL result set: the column
 * definitions (wire_column) and rows as text-protocol values. The type each
 * MySQL type gets is documented for users in docs/http.md ("Arrow"), and in
 * arrow_stream_new below.
 *
 * Usage: arrow_stream_new, arrow_stream_write_schema once, then
 * arrow_stream_add_row per row and arrow_stream_write_batch whenever the
 * caller wants to flush (it decides, by arrow_stream_batch_rows/bytes), then
 * arrow_stream_write_end. Not thread-safe; one stream per answer.
 */
#ifndef MIMIR_PROXY_HTTP_ARROW_STREAM_H
#define MIMIR_PROXY_HTTP_ARROW_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "wire/buf.h"
#include "wire/protocol.h"

typedef struct arrow_stream arrow_stream;

/*
 * A stream of n columns (cols and the strings they point to are copied).
 * Type mapping: TINY/SHORT/INT24,LONG/LONGLONG -> int8/16/32/64 (uint* with
 * UNSIGNED_FLAG); YEAR -> int16; DECIMAL/NEWDECIMAL -> decimal128(p, s), or
 * decimal256 when p > 38, where s = decimals and p comes from the display
 * length (length - (s > 0) - (signed), at least 1 and at least s; a scale
 * above 76, which no Arrow decimal holds and MySQL never gives: utf8 of the
 * exact text); FLOAT -> float32; DOUBLE -> float64; DATE -> date32;
 * DATETIME/TIMESTAMP -> timestamp[us] in timestamp_tz; TIME -> time64[us];
 * NULL -> null; BIT -> binary; string, BLOB and JSON types -> binary with
 * charset 63 (binary), else utf8; any other type -> the same utf8/binary
 * rule, as its text is all Mimir has of it.
 *
 * timestamp_tz: "UTC" (or any zone name) -> timestamp[us, tz=that zone], the
 * values then being the wall clock of that zone; NULL -> timestamp[us]
 * without a zone (a wall clock of no particular zone).
 */
arrow_stream *arrow_stream_new(const wire_column *cols, size_t n, const char *timestamp_tz);

/* Appends the Schema message. Every field is nullable. */
void arrow_stream_write_schema(arrow_stream *s, buf *out);

/*
 * Adds one row (values[i] NULL: SQL NULL, else lengths[i] bytes) to the batch
 * being built. When a value has no exact value of its column's Arrow type (an
 * integer that overflows, a decimal beyond its precision, a zero date, a TIME
 * outside one day, invalid UTF-8 in a utf8 column, ...), nothing is added,
 * err receives a message naming the column and the value, and it returns
 * false: the caller ends the answer with that error.
 */
bool arrow_stream_add_row(arrow_stream *s, const char *const *values, const size_t *lengths,
                          char *err, size_t errlen);

/* Rows in the batch being built, and the bytes its buffers hold so far. */
size_t arrow_stream_batch_rows(const arrow_stream *s);
size_t arrow_stream_batch_bytes(const arrow_stream *s);

/* Appends a RecordBatch message of the rows added since the last one (zero
 * rows is a valid, empty batch) and starts a new batch. */
void arrow_stream_write_batch(arrow_stream *s, buf *out);

/* Appends the end-of-stream marker: 0xFFFFFFFF then a zero length. */
void arrow_stream_write_end(arrow_stream *s, buf *out);

void arrow_stream_free(arrow_stream *s);

#endif
