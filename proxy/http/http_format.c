/*
 * JSON and CSV answers, Accept negotiation and column type names: see
 * http_format.h. The Arrow stream is written by arrow_stream.c, in record
 * batches of at most ARROW_BATCH_ROWS rows or ARROW_BATCH_BYTES bytes.
 */
#include "proxy/http/http_format.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "proxy/http/arrow_stream.h"
#include "proxy/obs/json_out.h"
#include "wire/xalloc.h"

/* A record batch is sent when it holds this much (or when the backend waits, or at the end). */
#define ARROW_BATCH_ROWS  65536
#define ARROW_BATCH_BYTES (1024 * 1024)

struct http_encoder {
    http_format format;
    arrow_stream *arrow;
    wire_column *cols; /* types only: names are written at begin */
    size_t ncols;
    bool began, any_row;
    char *ts_zone;
};

const char *http_format_mime(http_format f)
{
    switch (f) {
    case HTTP_FORMAT_CSV:
        return "text/csv; charset=utf-8; header=present";
    case HTTP_FORMAT_ARROW:
        return "application/vnd.apache.arrow.stream";
    case HTTP_FORMAT_JSON:
        break;
    }
    return "application/json";
}

/* ---- Accept ------------------------------------------------------------------ */

/* The format of one media type; false when it names none. */
static bool format_of(const char *type, size_t len, http_format *out)
{
    static const struct {
        const char *type;
        http_format format;
    } known[] = {{"application/json", HTTP_FORMAT_JSON},
                 {"text/csv", HTTP_FORMAT_CSV},
                 {"application/vnd.apache.arrow.stream", HTTP_FORMAT_ARROW},
                 {"*/*", HTTP_FORMAT_JSON},
                 {"application/*", HTTP_FORMAT_JSON},
                 {"text/*", HTTP_FORMAT_CSV}};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strlen(known[i].type) == len && strncasecmp(type, known[i].type, len) == 0) {
            *out = known[i].format;
            return true;
        }
    return false;
}

/* The q parameter of a media range's parameters (";q=0.5;..."); 1 when absent. */
static double quality(const char *params, size_t len)
{
    const char *end = params + len;
    for (const char *p = params; p < end; p++) {
        if (*p != ';')
            continue;
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
            return strtod(p + 2, NULL);
    }
    return 1.0;
}

bool http_format_negotiate(const char *accept, http_format *out)
{
    *out = HTTP_FORMAT_JSON;
    if (!accept || !*accept)
        return true;
    double best = 0;
    bool found = false;
    const char *p = accept;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && isspace((unsigned char)*p))
            p++, len--;
        size_t type_len = 0;
        while (type_len < len && p[type_len] != ';' && !isspace((unsigned char)p[type_len]))
            type_len++;
        http_format f;
        double q = quality(p + type_len, len - type_len);
        if (q > best && format_of(p, type_len, &f)) {
            best = q;
            *out = f;
            found = true;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return found;
}

/* ---- Column types -------------------------------------------------------------- */

static bool is_binary_string(const wire_column *c)
{
    switch (c->type) {
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_BLOB:
        return c->charset == 63;
    case MYSQL_TYPE_BIT:
        return true;
    default:
        return false;
    }
}

static const char *integer_name(uint8_t type)
{
    switch (type) {
    case MYSQL_TYPE_TINY:
        return "TINYINT";
    case MYSQL_TYPE_SHORT:
        return "SMALLINT";
    case MYSQL_TYPE_INT24:
        return "MEDIUMINT";
    case MYSQL_TYPE_LONG:
        return "INT";
    case MYSQL_TYPE_LONGLONG:
        return "BIGINT";
    default:
        return NULL;
    }
}

static const char *other_name(const wire_column *c)
{
    bool bin = is_binary_string(c);
    switch (c->type) {
    case MYSQL_TYPE_FLOAT:
        return "FLOAT";
    case MYSQL_TYPE_DOUBLE:
        return "DOUBLE";
    case MYSQL_TYPE_NULL:
        return "NULL";
    case MYSQL_TYPE_TIMESTAMP:
        return "TIMESTAMP";
    case MYSQL_TYPE_DATE:
        return "DATE";
    case MYSQL_TYPE_TIME:
        return "TIME";
    case MYSQL_TYPE_DATETIME:
        return "DATETIME";
    case MYSQL_TYPE_YEAR:
        return "YEAR";
    case MYSQL_TYPE_BIT:
        return "BIT";
    case MYSQL_TYPE_JSON:
        return "JSON";
    case MYSQL_TYPE_BLOB:
        return bin ? "BLOB" : "TEXT";
    case MYSQL_TYPE_STRING:
        return bin ? "BINARY" : "CHAR";
    default:
        return bin ? "VARBINARY" : "VARCHAR";
    }
}

void http_column_type_name(const wire_column *c, char *out, size_t n)
{
    const char *integer = integer_name(c->type);
    bool is_unsigned = (c->flags & UNSIGNED_FLAG) != 0;
    if (integer) {
        snprintf(out, n, "%s%s", integer, is_unsigned ? " UNSIGNED" : "");
    } else if (c->type == MYSQL_TYPE_NEWDECIMAL || c->type == MYSQL_TYPE_DECIMAL) {
        /* MySQL's display length counts the sign and the point. */
        unsigned digits = c->length - (c->decimals ? 1u : 0u) - (is_unsigned ? 0u : 1u);
        if (c->length < 2 || digits < c->decimals)
            digits = c->decimals ? c->decimals : 1;
        snprintf(out, n, "DECIMAL(%u,%u)%s", digits, c->decimals, is_unsigned ? " UNSIGNED" : "");
    } else {
        snprintf(out, n, "%s", other_name(c));
    }
}

/* ---- Values ---------------------------------------------------------------------- */

typedef enum { VALUE_NUMBER, VALUE_TEXT, VALUE_BYTES } value_kind;

static value_kind kind_of(const wire_column *c)
{
    if (is_binary_string(c))
        return VALUE_BYTES;
    if (integer_name(c->type) || c->type == MYSQL_TYPE_YEAR || c->type == MYSQL_TYPE_FLOAT ||
        c->type == MYSQL_TYPE_DOUBLE)
        return VALUE_NUMBER;
    /* DECIMAL too: as a string, so that no JSON reader rounds it to a double. */
    return VALUE_TEXT;
}

/* JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool is_json_number(const char *s, size_t len)
{
    size_t i = 0;
    if (i < len && s[i] == '-')
        i++;
    if (i >= len || !isdigit((unsigned char)s[i]))
        return false;
    if (s[i] == '0')
        i++;
    else
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
        if (i == start)
            return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t start = i;
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
        if (i == start)
            return false;
    }
    return i == len;
}

static void append_base64(buf *out, const char *v, size_t len)
{
    size_t at = out->len;
    buf_reserve(out, 4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock(out->data + at, (const unsigned char *)v, (int)len);
    out->len = at + (size_t)n;
}

static void json_value(buf *out, const wire_column *c, const char *v, size_t len)
{
    if (!v) {
        buf_append_str(out, "null");
        return;
    }
    switch (kind_of(c)) {
    case VALUE_NUMBER:
        if (is_json_number(v, len)) {
            buf_append(out, v, len);
            return;
        }
        break; /* not a number JSON can hold ("inf"): as text */
    case VALUE_BYTES:
        buf_append_byte(out, '"');
        append_base64(out, v, len);
        buf_append_byte(out, '"');
        return;
    case VALUE_TEXT:
        break;
    }
    json_append_string(out, v, len);
}

/* RFC 4180: quoted when it holds a separator, a quote or a line break, or is empty (NULL
 * is the empty field, the empty string ""), or starts or ends with a space. */
static void csv_value(buf *out, const wire_column *c, const char *v, size_t len)
{
    if (!v)
        return;
    if (kind_of(c) == VALUE_BYTES) {
        append_base64(out, v, len);
        return;
    }
    bool quote = len == 0 || v[0] == ' ' || v[len - 1] == ' ';
    for (size_t i = 0; i < len && !quote; i++)
        quote = v[i] == ',' || v[i] == '"' || v[i] == '\n' || v[i] == '\r';
    if (!quote) {
        buf_append(out, v, len);
        return;
    }
    buf_append_byte(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (v[i] == '"')
            buf_append_byte(out, '"');
        buf_append_byte(out, (uint8_t)v[i]);
    }
    buf_append_byte(out, '"');
}

/* ---- Encoders --------------------------------------------------------------------- */

http_encoder *http_encoder_new(http_format f, const char *ts_zone)
{
    http_encoder *e = xcalloc(1, sizeof *e);
    e->format = f;
    e->ts_zone = ts_zone ? xstrdup(ts_zone) : NULL;
    return e;
}

void http_encoder_free(http_encoder *e)
{
    if (!e)
        return;
    if (e->arrow)
        arrow_stream_free(e->arrow);
    free(e->cols);
    free(e->ts_zone);
    free(e);
}

static void json_begin(const wire_column *cols, size_t n, buf *out)
{
    buf_append_str(out, "{\"columns\":[");
    for (size_t i = 0; i < n; i++) {
        char type[64];
        http_column_type_name(&cols[i], type, sizeof type);
        buf_append_str(out, i ? ",{\"name\":" : "{\"name\":");
        json_append_cstr(out, cols[i].name);
        buf_append_str(out, ",\"type\":");
        json_append_cstr(out, type);
        buf_append_byte(out, '}');
    }
    buf_append_str(out, "],\"rows\":[");
}

void http_encoder_begin(http_encoder *e, const wire_column *cols, size_t n, buf *out)
{
    e->began = true;
    e->ncols = n;
    e->cols = xcalloc(n + 1, sizeof *cols);
    memcpy(e->cols, cols, n * sizeof *cols);
    for (size_t i = 0; i < n; i++) /* the names are the caller's: written now, not kept */
        e->cols[i].name = e->cols[i].org_name = e->cols[i].schema = e->cols[i].table =
            e->cols[i].org_table = NULL;
    if (e->format == HTTP_FORMAT_JSON) {
        json_begin(cols, n, out);
    } else if (e->format == HTTP_FORMAT_CSV) {
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_append_byte(out, ',');
            csv_value(out, &(wire_column){.type = MYSQL_TYPE_VAR_STRING}, cols[i].name,
                      strlen(cols[i].name));
        }
        buf_append_str(out, "\r\n");
    } else {
        e->arrow = arrow_stream_new(cols, n, e->ts_zone);
        arrow_stream_write_schema(e->arrow, out);
    }
}

static bool arrow_row(http_encoder *e, const char *const *values, const size_t *lengths, buf *out,
                      sql_error *err)
{
    char why[512];
    if (!arrow_stream_add_row(e->arrow, values, lengths, why, sizeof why)) {
        sql_error_set(err, ER_WARN_DATA_OUT_OF_RANGE, "22003",
                      "%s: the Arrow answer cannot hold it exactly (ask for JSON or CSV)", why);
        return false;
    }
    if (arrow_stream_batch_rows(e->arrow) >= ARROW_BATCH_ROWS ||
        arrow_stream_batch_bytes(e->arrow) >= ARROW_BATCH_BYTES)
        arrow_stream_write_batch(e->arrow, out);
    return true;
}

bool http_encoder_row(http_encoder *e, const char *const *values, const size_t *lengths, size_t n,
                      buf *out, sql_error *err)
{
    if (e->format == HTTP_FORMAT_ARROW) {
        if (!arrow_row(e, values, lengths, out, err))
            return false;
    } else if (e->format == HTTP_FORMAT_JSON) {
        buf_append_str(out, e->any_row ? ",[" : "[");
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_append_byte(out, ',');
            json_value(out, &e->cols[i], values[i], values[i] ? lengths[i] : 0);
        }
        buf_append_byte(out, ']');
    } else if (e->format == HTTP_FORMAT_CSV) {
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_append_byte(out, ',');
            csv_value(out, &e->cols[i], values[i], values[i] ? lengths[i] : 0);
        }
        buf_append_str(out, "\r\n");
    }
    e->any_row = true;
    return true;
}

void http_encoder_flush(http_encoder *e, buf *out)
{
    if (e->arrow && arrow_stream_batch_rows(e->arrow))
        arrow_stream_write_batch(e->arrow, out);
}

static void json_notes(buf *out, const diagnostic *notes, size_t n)
{
    buf_append_str(out, ",\"notes\":[");
    for (size_t i = 0; i < n; i++) {
        buf_append_str(out, i ? ",{\"level\":" : "{\"level\":");
        json_append_cstr(out, notes[i].level);
        buf_printf(out, ",\"code\":%u,\"message\":", notes[i].code);
        json_append_cstr(out, notes[i].message);
        buf_append_byte(out, '}');
    }
    buf_append_byte(out, ']');
}

void http_encoder_end(http_encoder *e, const diagnostic *notes, size_t nnotes, buf *out)
{
    if (!e->began)
        http_encoder_begin(e, NULL, 0, out);
    if (e->format == HTTP_FORMAT_JSON) {
        buf_append_byte(out, ']');
        if (nnotes)
            json_notes(out, notes, nnotes);
        buf_append_str(out, "}\n");
    } else if (e->format == HTTP_FORMAT_ARROW) {
        if (arrow_stream_batch_rows(e->arrow) ||
            !e->any_row) /* a result of no rows: one empty batch */
            arrow_stream_write_batch(e->arrow, out);
        arrow_stream_write_end(e->arrow, out);
    }
}

static void json_error_object(buf *out, const sql_error *e)
{
    buf_printf(out, "{\"code\":%u,\"sqlstate\":", e->code);
    json_append_cstr(out, e->sqlstate);
    buf_append_str(out, ",\"message\":");
    json_append_cstr(out, e->message);
    buf_append_byte(out, '}');
}

void http_encoder_fail(http_encoder *e, const sql_error *error, buf *out)
{
    if (e->format != HTTP_FORMAT_JSON)
        return;
    buf_append_str(out, "],\"error\":");
    json_error_object(out, error);
    buf_append_str(out, "}\n");
}

void http_error_json(buf *out, const sql_error *e)
{
    buf_append_str(out, "{\"error\":");
    json_error_object(out, e);
    buf_append_str(out, "}\n");
}
