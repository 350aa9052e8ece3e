/*
 * The Arrow IPC stream encoder of arrow_stream.h: MySQL column definitions
 * mapped to Arrow types, text rows converted (arrow_values.c) into column
 * buffers, and the Schema and RecordBatch messages written as flatbuffers
 * (flatbuf.c). Field and union numbers below are those of the format's
 * Schema.fbs and Message.fbs.
 */
#include "proxy/http/arrow_stream.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/http/arrow_values.h"
#include "proxy/http/flatbuf.h"
#include "wire/xalloc.h"

/* Message.fbs: MetadataVersion.V5 and the MessageHeader union's members. */
#define ARROW_METADATA_V5    4
#define ARROW_HEADER_SCHEMA  1
#define ARROW_HEADER_BATCH   3
#define ARROW_CONTINUATION   0xFFFFFFFFu
#define ARROW_DECIMAL128_MAX 38 /* digits: beyond them, decimal256 */
#define ARROW_DECIMAL256_MAX 76

/* Schema.fbs: the Type union's members this encoder uses. */
enum arrow_type_tag {
    ARROW_TYPE_NULL = 1,
    ARROW_TYPE_INT = 2,
    ARROW_TYPE_FLOAT = 3,
    ARROW_TYPE_BINARY = 4,
    ARROW_TYPE_UTF8 = 5,
    ARROW_TYPE_DECIMAL = 7,
    ARROW_TYPE_DATE = 8,
    ARROW_TYPE_TIME = 9,
    ARROW_TYPE_TIMESTAMP = 10,
};

/* Schema.fbs enums: Precision.SINGLE/DOUBLE, DateUnit.DAY, TimeUnit.MICROSECOND. */
#define ARROW_PRECISION_SINGLE 1
#define ARROW_PRECISION_DOUBLE 2
#define ARROW_DATE_DAY         0
#define ARROW_TIME_MICROSECOND 2

/* Widest fixed-width value: a decimal256. */
#define ARROW_VALUE_MAX 32

typedef struct arrow_col {
    char *name;
    enum arrow_type_tag tag;
    int width; /* bytes of a fixed-width value; 0: variable (utf8, binary) or null */
    int bits;  /* int and decimal: the type's bitWidth */
    bool is_signed;
    int precision, scale;
    /* The batch being built: validity (one bit per row, 1 = valid), int32
     * offsets (variable width: rows + 1 of them) and values. */
    buf validity, offsets, data;
    size_t nulls;
    /* add_row's first pass: the converted value, copied by the second. */
    uint8_t value[ARROW_VALUE_MAX];
} arrow_col;

struct arrow_stream {
    arrow_col *cols;
    size_t n;
    char *tz;
    size_t rows;
};

/* The precision of a MySQL DECIMAL, from its display length: MySQL counts a
 * sign (unless unsigned) and a decimal point (when scale > 0) in it. */
static int decimal_precision(const wire_column *c)
{
    int64_t p = (int64_t)c->length - (c->decimals > 0 ? 1 : 0) - (c->flags & UNSIGNED_FLAG ? 0 : 1);
    if (p < 1)
        p = 1;
    if (p < c->decimals)
        p = c->decimals; /* no MySQL DECIMAL has scale > precision; keep it readable */
    if (p > ARROW_DECIMAL256_MAX)
        p = ARROW_DECIMAL256_MAX;
    return (int)p;
}

static void map_int(arrow_col *a, const wire_column *c, int bits)
{
    a->tag = ARROW_TYPE_INT;
    a->bits = bits;
    a->width = bits / 8;
    a->is_signed = !(c->flags & UNSIGNED_FLAG);
}

static void map_type(arrow_col *a, const wire_column *c)
{
    switch (c->type) {
    case MYSQL_TYPE_TINY:
        map_int(a, c, 8);
        return;
    case MYSQL_TYPE_SHORT:
        map_int(a, c, 16);
        return;
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
        map_int(a, c, 32);
        return;
    case MYSQL_TYPE_LONGLONG:
        map_int(a, c, 64);
        return;
    case MYSQL_TYPE_YEAR: /* 1901-2155 or 0: int16, signed, whatever its flags */
        map_int(a, c, 16);
        a->is_signed = true;
        return;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
        if (c->decimals > ARROW_DECIMAL256_MAX) {
            /* No Arrow decimal has such a scale (MySQL's stops at 30): the
             * exact text is the one faithful value left. */
            a->tag = ARROW_TYPE_UTF8;
            return;
        }
        a->tag = ARROW_TYPE_DECIMAL;
        a->scale = c->decimals;
        a->precision = decimal_precision(c);
        a->bits = a->precision > ARROW_DECIMAL128_MAX ? 256 : 128;
        a->width = a->bits / 8;
        return;
    case MYSQL_TYPE_FLOAT:
        a->tag = ARROW_TYPE_FLOAT, a->bits = 32, a->width = 4;
        return;
    case MYSQL_TYPE_DOUBLE:
        a->tag = ARROW_TYPE_FLOAT, a->bits = 64, a->width = 8;
        return;
    case MYSQL_TYPE_DATE:
        a->tag = ARROW_TYPE_DATE, a->width = 4;
        return;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
        a->tag = ARROW_TYPE_TIMESTAMP, a->width = 8;
        return;
    case MYSQL_TYPE_TIME:
        a->tag = ARROW_TYPE_TIME, a->width = 8;
        return;
    case MYSQL_TYPE_NULL:
        a->tag = ARROW_TYPE_NULL;
        return;
    case MYSQL_TYPE_BIT:
        a->tag = ARROW_TYPE_BINARY;
        return;
    default:
        /* Strings, BLOBs, JSON, and whatever else: its text is all we have. */
        a->tag = c->charset == CHARSET_BINARY ? ARROW_TYPE_BINARY : ARROW_TYPE_UTF8;
        return;
    }
}

static void col_start_batch(arrow_col *a)
{
    buf_reset(&a->validity);
    buf_reset(&a->offsets);
    buf_reset(&a->data);
    a->nulls = 0;
    if (a->width == 0 && a->tag != ARROW_TYPE_NULL)
        fb_put(&a->offsets, 0, 4); /* offsets[0] */
}

arrow_stream *arrow_stream_new(const wire_column *cols, size_t n, const char *timestamp_tz)
{
    arrow_stream *s = xcalloc(1, sizeof(*s));
    s->cols = xcalloc(n ? n : 1, sizeof(*s->cols));
    s->n = n;
    s->tz = timestamp_tz ? xstrdup(timestamp_tz) : NULL;
    for (size_t i = 0; i < n; i++) {
        arrow_col *a = &s->cols[i];
        a->name = xstrdup(cols[i].name ? cols[i].name : "");
        map_type(a, &cols[i]);
        buf_init(&a->validity);
        buf_init(&a->offsets);
        buf_init(&a->data);
        col_start_batch(a);
    }
    return s;
}

void arrow_stream_free(arrow_stream *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->cols[i].name);
        buf_free(&s->cols[i].validity);
        buf_free(&s->cols[i].offsets);
        buf_free(&s->cols[i].data);
    }
    free(s->cols);
    free(s->tz);
    free(s);
}

/* ---- Messages -------------------------------------------------------- */

/* Frames a finished flatbuffer (and its body, already 8-byte padded):
 * continuation marker, metadata length, metadata padded so that the body
 * starts at a multiple of 8. */
static void write_message(buf *out, buf *meta, const buf *body)
{
    fb_pad(meta, 8);
    fb_put(out, ARROW_CONTINUATION, 4);
    fb_put(out, meta->len, 4);
    buf_append(out, meta->data, meta->len);
    if (body)
        buf_append(out, body->data, body->len);
}

/* The root Message table; returns the slot of its header, to point at the
 * Schema or RecordBatch written next. */
static size_t write_message_table(buf *fb, uint8_t header_type, size_t body_len)
{
    size_t root = fb_begin(fb);
    const fb_field f[] = {FB_SCALAR(3, 8, body_len), FB_OFFSET(2),
                          FB_SCALAR(0, 2, ARROW_METADATA_V5), FB_SCALAR(1, 1, header_type)};
    size_t slot;
    fb_patch(fb, root, fb_table(fb, f, 4, &slot));
    return slot;
}

/* The type table of a Field (Schema.fbs: Int, FloatingPoint, Decimal, ...). */
static size_t write_type(buf *fb, const arrow_stream *s, const arrow_col *a)
{
    size_t slot, t;
    switch (a->tag) {
    case ARROW_TYPE_INT: {
        const fb_field f[] = {FB_SCALAR(0, 4, a->bits), FB_SCALAR(1, 1, a->is_signed)};
        return fb_table(fb, f, 2, NULL);
    }
    case ARROW_TYPE_FLOAT: {
        uint64_t p = a->bits == 32 ? ARROW_PRECISION_SINGLE : ARROW_PRECISION_DOUBLE;
        const fb_field f[] = {FB_SCALAR(0, 2, p)};
        return fb_table(fb, f, 1, NULL);
    }
    case ARROW_TYPE_DECIMAL: {
        const fb_field f[] = {FB_SCALAR(0, 4, a->precision), FB_SCALAR(1, 4, a->scale),
                              FB_SCALAR(2, 4, a->bits)};
        return fb_table(fb, f, 3, NULL);
    }
    case ARROW_TYPE_DATE: { /* unit defaults to MILLISECOND: written out */
        const fb_field f[] = {FB_SCALAR(0, 2, ARROW_DATE_DAY)};
        return fb_table(fb, f, 1, NULL);
    }
    case ARROW_TYPE_TIME: {
        const fb_field f[] = {FB_SCALAR(0, 2, ARROW_TIME_MICROSECOND), FB_SCALAR(1, 4, 64)};
        return fb_table(fb, f, 2, NULL);
    }
    case ARROW_TYPE_TIMESTAMP: {
        const fb_field f[] = {FB_SCALAR(0, 2, ARROW_TIME_MICROSECOND), FB_OFFSET(1)};
        t = fb_table(fb, f, s->tz ? 2 : 1, &slot);
        if (s->tz)
            fb_patch(fb, slot, fb_string(fb, s->tz, strlen(s->tz)));
        return t;
    }
    default: /* Null, Binary, Utf8: tables without fields */
        return fb_table(fb, NULL, 0, NULL);
    }
}

/* One Field: name, nullable, type, and an empty children vector (readers
 * such as Arrow C++ require the vector even for flat types). */
static size_t write_field(buf *fb, const arrow_stream *s, const arrow_col *a)
{
    const fb_field f[] = {FB_OFFSET(0), FB_OFFSET(3), FB_OFFSET(5), FB_SCALAR(1, 1, 1),
                          FB_SCALAR(2, 1, a->tag)};
    size_t slots[3];
    size_t field = fb_table(fb, f, 5, slots);
    fb_patch(fb, slots[1], write_type(fb, s, a));
    fb_patch(fb, slots[0], fb_string(fb, a->name, strlen(a->name)));
    fb_patch(fb, slots[2], fb_vector_offsets(fb, 0));
    return field;
}

void arrow_stream_write_schema(arrow_stream *s, buf *out)
{
    buf fb;
    buf_init(&fb);
    size_t header = write_message_table(&fb, ARROW_HEADER_SCHEMA, 0);
    /* Schema: endianness Little (0), fields. */
    const fb_field f[] = {FB_OFFSET(1), FB_SCALAR(0, 2, 0)};
    size_t fields_slot;
    fb_patch(&fb, header, fb_table(&fb, f, 2, &fields_slot));
    size_t vec = fb_vector_offsets(&fb, s->n);
    fb_patch(&fb, fields_slot, vec);
    for (size_t i = 0; i < s->n; i++)
        fb_patch(&fb, vec + 4 + 4 * i, write_field(&fb, s, &s->cols[i]));
    write_message(out, &fb, NULL);
    buf_free(&fb);
}

void arrow_stream_write_end(arrow_stream *s, buf *out)
{
    (void)s;
    fb_put(out, ARROW_CONTINUATION, 4);
    fb_put(out, 0, 4);
}

/* ---- Rows ------------------------------------------------------------ */

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A fixed-width value of a->tag converted into a->value. */
static const char *convert_fixed(arrow_col *a, const char *v, size_t len)
{
    const char *bad;
    uint64_t x = 0, words[4];
    int32_t days;
    int64_t us;
    float f;
    double d;
    switch (a->tag) {
    case ARROW_TYPE_INT:
        bad = arrow_value_int(v, len, a->bits, a->is_signed, &x);
        break;
    case ARROW_TYPE_DATE:
        bad = arrow_value_date(v, len, &days);
        x = (uint64_t)(int64_t)days;
        break;
    case ARROW_TYPE_TIMESTAMP:
        bad = arrow_value_datetime(v, len, &us);
        x = (uint64_t)us;
        break;
    case ARROW_TYPE_TIME:
        bad = arrow_value_time(v, len, &us);
        x = (uint64_t)us;
        break;
    case ARROW_TYPE_FLOAT:
        if (a->bits == 32) {
            uint32_t u;
            bad = arrow_value_float(v, len, &f);
            memcpy(&u, &f, sizeof(u)); /* IEEE 754 binary32 bits */
            x = u;
        } else {
            bad = arrow_value_double(v, len, &d);
            memcpy(&x, &d, sizeof(x));
        }
        break;
    default: /* ARROW_TYPE_DECIMAL */
        bad = arrow_value_decimal(v, len, a->precision, a->scale, words, a->bits / 64);
        for (int w = 0; !bad && w < a->bits / 64; w++)
            put_le(a->value + 8 * w, words[w], 8);
        return bad;
    }
    if (!bad)
        put_le(a->value, x, a->width);
    return bad;
}

/* The first pass over a value: NULL when it can be added as it is. */
static const char *check_value(arrow_col *a, const char *v, size_t len)
{
    if (a->tag == ARROW_TYPE_NULL)
        return "is not NULL, and the column's type is NULL";
    if (a->width > 0)
        return convert_fixed(a, v, len);
    if (a->tag == ARROW_TYPE_UTF8 && !arrow_utf8_valid(v, len))
        return "is not valid UTF-8";
    /* Offsets are int32: a column's text in one batch stays below 2 GiB. */
    if (len > (size_t)INT32_MAX - a->data.len)
        return "does not fit in the batch (2 GiB of text per column): write batches more often";
    return NULL;
}

/* The second pass: appends the value checked (and converted) by the first. */
static void append_value(arrow_col *a, size_t row, const char *v, size_t len)
{
    if (a->tag == ARROW_TYPE_NULL) { /* no buffers: every value is null */
        a->nulls++;
        return;
    }
    if (row % 8 == 0)
        buf_append_byte(&a->validity, 0);
    if (v)
        a->validity.data[row / 8] |= (uint8_t)(1u << (row % 8));
    else
        a->nulls++;
    if (a->width > 0) {
        static const uint8_t zeros[ARROW_VALUE_MAX];
        buf_append(&a->data, v ? a->value : zeros, (size_t)a->width);
        return;
    }
    if (v)
        buf_append(&a->data, v, len);
    fb_put(&a->offsets, a->data.len, 4);
}

bool arrow_stream_add_row(arrow_stream *s, const char *const *values, const size_t *lengths,
                          char *err, size_t errlen)
{
    /* Every value is checked before any is appended, so that a refused row
     * leaves the batch as it was. */
    for (size_t i = 0; i < s->n; i++) {
        if (!values[i])
            continue;
        const char *bad = check_value(&s->cols[i], values[i], lengths[i]);
        if (bad) {
            int shown = lengths[i] > 64 ? 64 : (int)lengths[i];
            snprintf(err, errlen, "column '%s': value '%.*s%s' %s", s->cols[i].name, shown,
                     values[i], lengths[i] > 64 ? "..." : "", bad);
            return false;
        }
    }
    for (size_t i = 0; i < s->n; i++)
        append_value(&s->cols[i], s->rows, values[i], values[i] ? lengths[i] : 0);
    s->rows++;
    return true;
}

size_t arrow_stream_batch_rows(const arrow_stream *s)
{
    return s->rows;
}

size_t arrow_stream_batch_bytes(const arrow_stream *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->cols[i].validity.len + s->cols[i].offsets.len + s->cols[i].data.len;
    return n;
}

/* ---- Record batches -------------------------------------------------- */

/* The buffers of a batch's body, in the order of the flattened schema. */
typedef struct body_spec {
    buf body;
    uint64_t (*bufs)[2]; /* offset in the body, length */
    size_t nbufs;
} body_spec;

static void body_add(body_spec *b, const buf *data)
{
    b->bufs[b->nbufs][0] = b->body.len;
    b->bufs[b->nbufs][1] = data ? data->len : 0;
    b->nbufs++;
    if (data)
        buf_append(&b->body, data->data, data->len);
    fb_pad(&b->body, 8);
}

/* Validity (omitted, as length 0, when the column has no nulls), then
 * offsets (utf8, binary) and values. The null type has no buffers. */
static void body_add_column(body_spec *b, const arrow_col *a)
{
    if (a->tag == ARROW_TYPE_NULL)
        return;
    body_add(b, a->nulls > 0 ? &a->validity : NULL);
    if (a->width == 0)
        body_add(b, &a->offsets);
    body_add(b, &a->data);
}

/* The RecordBatch table: length, nodes (one FieldNode per column), buffers. */
static void write_batch_table(buf *fb, size_t header, const arrow_stream *s, const body_spec *b)
{
    const fb_field f[] = {FB_SCALAR(0, 8, s->rows), FB_OFFSET(1), FB_OFFSET(2)};
    size_t slots[2];
    fb_patch(fb, header, fb_table(fb, f, 3, slots));
    fb_patch(fb, slots[0], fb_vector_begin(fb, s->n, 16, 8));
    for (size_t i = 0; i < s->n; i++) {
        fb_put(fb, s->rows, 8);
        fb_put(fb, s->cols[i].nulls, 8);
    }
    fb_patch(fb, slots[1], fb_vector_begin(fb, b->nbufs, 16, 8));
    for (size_t i = 0; i < b->nbufs; i++) {
        fb_put(fb, b->bufs[i][0], 8);
        fb_put(fb, b->bufs[i][1], 8);
    }
}

void arrow_stream_write_batch(arrow_stream *s, buf *out)
{
    body_spec b = {.nbufs = 0};
    buf_init(&b.body);
    b.bufs = xcalloc(3 * s->n + 1, sizeof(*b.bufs));
    for (size_t i = 0; i < s->n; i++)
        body_add_column(&b, &s->cols[i]);
    buf fb;
    buf_init(&fb);
    size_t header = write_message_table(&fb, ARROW_HEADER_BATCH, b.body.len);
    write_batch_table(&fb, header, s, &b);
    write_message(out, &fb, &b.body);
    buf_free(&fb);
    buf_free(&b.body);
    free(b.bufs);
    s->rows = 0;
    for (size_t i = 0; i < s->n; i++)
        col_start_batch(&s->cols[i]);
}
