/*
 * The formats the HTTP API answers in, chosen by the request's Accept
 * header: JSON (the default), CSV, and the Arrow IPC stream format. An
 * encoder turns what execution delivers (column definitions, then rows of
 * MySQL text values) into the bytes of one format, appended to a buffer
 * that the answer (http_answer.c) sends out in chunks. docs/http.md
 * describes each format for users.
 */
#ifndef MIMIR_PROXY_HTTP_HTTP_FORMAT_H
#define MIMIR_PROXY_HTTP_HTTP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/planner.h"
#include "planner/sql_error.h"
#include "wire/buf.h"
#include "wire/protocol.h"

typedef enum { HTTP_FORMAT_JSON, HTTP_FORMAT_CSV, HTTP_FORMAT_ARROW } http_format;

/* The MIME type of f, as sent in Content-Type. */
const char *http_format_mime(http_format f);

/*
 * The format an Accept header asks for: the first media range of the list
 * that names a supported format (q-values are honoured: the highest wins,
 * the earlier on a tie; q=0 excludes), with * / * and application/ * giving
 * JSON. NULL or empty accepts anything (JSON). False when nothing in it is
 * supported (the API answers 406).
 */
bool http_format_negotiate(const char *accept, http_format *out);

/* A column's type as users read it in the JSON answer ("BIGINT", "DECIMAL(10,2)", ...). */
void http_column_type_name(const wire_column *c, char *out, size_t n);

typedef struct http_encoder http_encoder;

/* ts_zone: the zone timestamps are in ("UTC" gives Arrow's timestamp[us, tz=UTC]). */
http_encoder *http_encoder_new(http_format f, const char *ts_zone);
void http_encoder_free(http_encoder *e);

/* The result's columns: the start of the document (JSON), the header line (CSV), the schema. */
void http_encoder_begin(http_encoder *e, const wire_column *cols, size_t n, buf *out);
/* One row; false (err set) when a value cannot be written exactly in the format. */
bool http_encoder_row(http_encoder *e, const char *const *values, const size_t *lengths, size_t n,
                      buf *out, sql_error *err);
/* Output the encoder holds back (Arrow builds record batches): written now. */
void http_encoder_flush(http_encoder *e, buf *out);
/* The end of a complete result, with the statement's notes (JSON has them). */
void http_encoder_end(http_encoder *e, const diagnostic *notes, size_t nnotes, buf *out);
/*
 * The result failed after it had begun: what the format can say of it (JSON
 * closes the document with an "error" member). The answer then ends without
 * its last chunk, so that no client takes it for a complete result.
 */
void http_encoder_fail(http_encoder *e, const sql_error *error, buf *out);

/* {"error": {"code": ..., "sqlstate": ..., "message": ...}} and a newline. */
void http_error_json(buf *out, const sql_error *e);

#endif
