/*
 * The binary protocol of prepared statements. Parameters arrive typed and
 * binary and leave as text (the planner substitutes them as literals); result
 * values arrive as text and leave binary, typed by their column definition.
 * Both directions parse strictly: a parameter block that ends early is
 * reported, never read past.
 */
#include "wire/binary.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/xalloc.h"

#define STMT_OK_HEADER      0x00
#define BINARY_ROW_HEADER   0x00
#define EXECUTE_HEADER_LEN  10 /* command, statement id, flags, iteration count */
#define ROW_NULL_BIT_OFFSET 2
#define NO_TYPE             0xFFFFu

void wire_write_stmt_prepare_ok(buf *out, uint8_t *seq, uint32_t stmt_id, uint16_t ncols,
                                uint16_t nparams, uint16_t warnings)
{
    size_t begin = wire_packet_begin(out);
    buf_append_byte(out, STMT_OK_HEADER);
    buf_put_u32(out, stmt_id);
    buf_put_u16(out, ncols);
    buf_put_u16(out, nparams);
    buf_append_byte(out, 0); /* reserved */
    buf_put_u16(out, warnings);
    wire_packet_end(out, begin, seq);
}

bool wire_parse_stmt_execute(const uint8_t *payload, size_t len, wire_stmt_execute *out)
{
    wire_cursor c;
    uint8_t cmd;
    wire_cursor_init(&c, payload, len);
    if (!wire_get_u8(&c, &cmd) || !wire_get_u32(&c, &out->stmt_id) ||
        !wire_get_u8(&c, &out->flags) || !wire_get_u32(&c, &out->iterations))
        return false;
    out->rest = c.p;
    out->rest_len = wire_cursor_left(&c);
    return true;
}

bool wire_parse_stmt_id(const uint8_t *payload, size_t len, uint32_t *stmt_id)
{
    wire_cursor c;
    uint8_t cmd;
    wire_cursor_init(&c, payload, len);
    return wire_get_u8(&c, &cmd) && wire_get_u32(&c, stmt_id);
}

bool wire_parse_stmt_long_data(const uint8_t *payload, size_t len, wire_stmt_long_data *out)
{
    wire_cursor c;
    uint8_t cmd;
    wire_cursor_init(&c, payload, len);
    if (!wire_get_u8(&c, &cmd) || !wire_get_u32(&c, &out->stmt_id) ||
        !wire_get_u16(&c, &out->param))
        return false;
    out->data = c.p;
    out->data_len = wire_cursor_left(&c);
    return true;
}

/* ---- Parameters ----------------------------------------------------------- */

static uint64_t load_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Width of the fixed-size integer and float types; 0 for the others. */
static size_t fixed_width(uint8_t type)
{
    switch (type) {
    case MYSQL_TYPE_TINY:
        return 1;
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_YEAR:
        return 2;
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_FLOAT:
        return 4;
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_DOUBLE:
        return 8;
    default:
        return 0;
    }
}

static bool is_date_type(uint8_t type)
{
    return type == MYSQL_TYPE_DATE || type == MYSQL_TYPE_DATETIME || type == MYSQL_TYPE_TIMESTAMP;
}

/* The shortest %g rendering that reads back as the same value. */
static void put_shortest_float(buf *text, double v, bool single)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (single ? strtof(tmp, NULL) == (float)v : strtod(tmp, NULL) == v)
            break;
    }
    buf_append_str(text, tmp);
}

static void put_integer(buf *text, uint8_t type, bool is_unsigned, const uint8_t *p)
{
    size_t w = fixed_width(type);
    uint64_t raw = load_le(p, w);
    if (is_unsigned) {
        buf_printf(text, "%" PRIu64, raw);
        return;
    }
    int64_t v;
    switch (w) {
    case 1:
        v = (int8_t)(uint8_t)raw;
        break;
    case 2:
        v = (int16_t)(uint16_t)raw;
        break;
    case 4:
        v = (int32_t)(uint32_t)raw;
        break;
    default:
        v = (int64_t)raw;
        break;
    }
    buf_printf(text, "%" PRId64, v);
}

/* An exact number as SQL writes one: [+-]digits[.digits][e[+-]digits]. */
static bool is_decimal_text(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (digits == 0)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp_digits = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            exp_digits++;
        if (exp_digits == 0)
            return false;
    }
    return i == len;
}

/*
 * MySQL's binary date: a length (0, 4, 7 or 11) then year(2) month day, hour
 * minute second, microseconds(4). A length of 4 is a date alone and renders as
 * one: compared with a DATETIME it means midnight, as in MySQL.
 */
static wire_params_status put_date(wire_cursor *c, uint8_t type, buf *text)
{
    uint8_t n;
    const uint8_t *p;
    if (!wire_get_u8(c, &n) || !wire_get_bytes(c, n, &p))
        return WIRE_PARAMS_TRUNCATED;
    if (n != 0 && n != 4 && n != 7 && n != 11)
        return WIRE_PARAMS_BAD_VALUE;
    unsigned year = n ? (unsigned)load_le(p, 2) : 0, month = n ? p[2] : 0, day = n ? p[3] : 0;
    buf_printf(text, "%04u-%02u-%02u", year, month, day);
    if (type == MYSQL_TYPE_DATE || n == 4)
        return WIRE_PARAMS_OK;
    unsigned hour = n >= 7 ? p[4] : 0, minute = n >= 7 ? p[5] : 0, second = n >= 7 ? p[6] : 0;
    buf_printf(text, " %02u:%02u:%02u", hour, minute, second);
    if (n == 11)
        buf_printf(text, ".%06u", (unsigned)load_le(p + 7, 4));
    return WIRE_PARAMS_OK;
}

/* MySQL's binary time: a length (0, 8 or 12) then is_negative, days(4), hour
 * minute second, microseconds(4). Rendered as [-]HH:MM:SS with days folded in. */
static wire_params_status put_time(wire_cursor *c, buf *text)
{
    uint8_t n;
    const uint8_t *p;
    if (!wire_get_u8(c, &n) || !wire_get_bytes(c, n, &p))
        return WIRE_PARAMS_TRUNCATED;
    if (n != 0 && n != 8 && n != 12)
        return WIRE_PARAMS_BAD_VALUE;
    if (n == 0) {
        buf_append_str(text, "00:00:00");
        return WIRE_PARAMS_OK;
    }
    uint64_t hours = load_le(p + 1, 4) * 24 + p[5];
    buf_printf(text, "%s%02" PRIu64 ":%02u:%02u", p[0] ? "-" : "", hours, p[6], p[7]);
    if (n == 12)
        buf_printf(text, ".%06u", (unsigned)load_le(p + 8, 4));
    return WIRE_PARAMS_OK;
}

static wire_params_status decode_value(wire_cursor *c, uint16_t bound, buf *text,
                                       wire_value_kind *kind)
{
    uint8_t type = (uint8_t)(bound & 0xFF);
    bool is_unsigned = (bound & WIRE_PARAM_UNSIGNED) != 0;
    size_t w = fixed_width(type);
    const uint8_t *p;
    if (type == MYSQL_TYPE_NULL) {
        *kind = WIRE_VALUE_NULL;
        return WIRE_PARAMS_OK;
    }
    if (w) {
        if (!wire_get_bytes(c, w, &p))
            return WIRE_PARAMS_TRUNCATED;
        if (type == MYSQL_TYPE_FLOAT || type == MYSQL_TYPE_DOUBLE) {
            uint64_t raw = load_le(p, w);
            double v;
            if (type == MYSQL_TYPE_FLOAT) {
                uint32_t r32 = (uint32_t)raw;
                float f;
                memcpy(&f, &r32, sizeof f);
                v = f;
            } else {
                memcpy(&v, &raw, sizeof v);
            }
            /* SQL has no literal for NaN or infinity. */
            if (!isfinite(v))
                return WIRE_PARAMS_BAD_VALUE;
            put_shortest_float(text, v, type == MYSQL_TYPE_FLOAT);
            *kind = WIRE_VALUE_FLOAT;
            return WIRE_PARAMS_OK;
        }
        put_integer(text, type, is_unsigned, p);
        *kind = WIRE_VALUE_INTEGER;
        return WIRE_PARAMS_OK;
    }
    if (is_date_type(type)) {
        *kind = WIRE_VALUE_TEMPORAL;
        return put_date(c, type, text);
    }
    if (type == MYSQL_TYPE_TIME) {
        *kind = WIRE_VALUE_TEMPORAL;
        return put_time(c, text);
    }
    /* DECIMAL, strings, blobs, JSON, BIT, ENUM, SET and anything newer: as
     * MySQL does, a length-encoded string. */
    size_t n;
    if (!wire_get_lenenc_str(c, &p, &n))
        return WIRE_PARAMS_TRUNCATED;
    buf_append(text, p, n);
    bool decimal = type == MYSQL_TYPE_DECIMAL || type == MYSQL_TYPE_NEWDECIMAL;
    *kind = decimal && is_decimal_text((const char *)p, n) ? WIRE_VALUE_DECIMAL : WIRE_VALUE_STRING;
    return WIRE_PARAMS_OK;
}

wire_params_status wire_parse_stmt_params(const uint8_t *data, size_t len, uint16_t nparams,
                                          uint16_t *types, const bool *long_data, buf *text,
                                          wire_param_value *values)
{
    if (nparams == 0)
        return WIRE_PARAMS_OK;
    wire_cursor c;
    const uint8_t *null_bitmap, *type_bytes = NULL;
    uint8_t new_bound;
    wire_cursor_init(&c, data, len);
    if (!wire_get_bytes(&c, ((size_t)nparams + 7) / 8, &null_bitmap) ||
        !wire_get_u8(&c, &new_bound))
        return WIRE_PARAMS_TRUNCATED;
    if (new_bound && !wire_get_bytes(&c, (size_t)nparams * 2, &type_bytes))
        return WIRE_PARAMS_TRUNCATED;
    if (!new_bound && types[0] == NO_TYPE)
        return WIRE_PARAMS_NO_TYPES;

    /* Offsets first: text may move while it grows. Types are committed only
     * when the whole block decoded, so a bad execute changes nothing. */
    size_t *offsets = xcalloc(nparams, sizeof *offsets);
    uint16_t *bound = xcalloc(nparams, sizeof *bound);
    wire_params_status st = WIRE_PARAMS_OK;
    for (size_t i = 0; i < nparams && st == WIRE_PARAMS_OK; i++) {
        bound[i] = type_bytes
                       ? (uint16_t)(type_bytes[2 * i] |
                                    ((type_bytes[2 * i + 1] & 0x80) ? WIRE_PARAM_UNSIGNED : 0))
                       : types[i];
        offsets[i] = text->len;
        values[i].kind = WIRE_VALUE_NULL;
        /* Long data wins over the NULL bit, as in MySQL and MariaDB: PHP's
         * documented pattern binds NULL to a 'b' parameter, then sends its
         * value with COM_STMT_SEND_LONG_DATA, and its execute sets the bit. */
        if (long_data && long_data[i])
            values[i].kind = WIRE_VALUE_STRING; /* the caller supplies it */
        else if (null_bitmap[i / 8] & (1u << (i % 8)))
            ; /* NULL: no value in the packet */
        else
            st = decode_value(&c, bound[i], text, &values[i].kind);
        values[i].len = text->len - offsets[i];
        buf_append_byte(text, 0);
    }
    if (st == WIRE_PARAMS_OK) {
        for (size_t i = 0; i < nparams; i++) {
            values[i].text = (const char *)text->data + offsets[i];
            types[i] = bound[i];
        }
    }
    free(offsets);
    free(bound);
    return st;
}

/* ---- Binary rows ---------------------------------------------------------- */

/* Parses exactly `digits` decimal digits at s[*i]. */
static bool take_digits(const char *s, size_t len, size_t *i, int digits, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < digits; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[*i] - '0');
    }
    *out = v;
    return true;
}

/* ".ffffff" (1 to 6 digits, padded to microseconds), or nothing. */
static bool take_fraction(const char *s, size_t len, size_t *i, unsigned *micro)
{
    *micro = 0;
    if (*i >= len || s[*i] != '.')
        return true;
    (*i)++;
    int digits = 0;
    for (; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++, digits++)
        if (digits < 6)
            *micro = *micro * 10 + (unsigned)(s[*i] - '0');
    if (digits == 0)
        return false;
    for (; digits < 6; digits++)
        *micro *= 10;
    return true;
}

typedef struct date_parts {
    unsigned year, month, day, hour, minute, second, micro;
} date_parts;

/* "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" (a 'T' separator is accepted too). */
static bool parse_date_text(const char *s, size_t len, date_parts *d)
{
    size_t i = 0;
    memset(d, 0, sizeof *d);
    if (!take_digits(s, len, &i, 4, &d->year) || i >= len || s[i++] != '-' ||
        !take_digits(s, len, &i, 2, &d->month) || i >= len || s[i++] != '-' ||
        !take_digits(s, len, &i, 2, &d->day))
        return false;
    if (i == len)
        return true;
    if (s[i] != ' ' && s[i] != 'T')
        return false;
    i++;
    if (!take_digits(s, len, &i, 2, &d->hour) || i >= len || s[i++] != ':' ||
        !take_digits(s, len, &i, 2, &d->minute) || i >= len || s[i++] != ':' ||
        !take_digits(s, len, &i, 2, &d->second) || !take_fraction(s, len, &i, &d->micro))
        return false;
    return i == len;
}

static void put_binary_date(buf *out, const char *s, size_t len, uint8_t type)
{
    date_parts d;
    if (!parse_date_text(s, len, &d))
        memset(&d, 0, sizeof d);
    if (type == MYSQL_TYPE_DATE)
        d.hour = d.minute = d.second = d.micro = 0;
    uint8_t n = d.micro                            ? 11
                : (d.hour || d.minute || d.second) ? 7
                : (d.year || d.month || d.day)     ? 4
                                                   : 0;
    buf_append_byte(out, n);
    if (n == 0)
        return;
    buf_put_u16(out, (uint16_t)d.year);
    buf_append_byte(out, (uint8_t)d.month);
    buf_append_byte(out, (uint8_t)d.day);
    if (n == 4)
        return;
    buf_append_byte(out, (uint8_t)d.hour);
    buf_append_byte(out, (uint8_t)d.minute);
    buf_append_byte(out, (uint8_t)d.second);
    if (n == 11)
        buf_put_u32(out, d.micro);
}

/* "[-]H+:MM:SS[.ffffff]": hours may exceed 24 (MySQL's TIME is an interval). */
static void put_binary_time(buf *out, const char *s, size_t len)
{
    size_t i = 0;
    bool negative = false;
    unsigned long hours = 0;
    unsigned minute = 0, second = 0, micro = 0;
    if (i < len && s[i] == '-') {
        negative = true;
        i++;
    }
    size_t start = i;
    for (; i < len && s[i] >= '0' && s[i] <= '9' && hours < 100000000ul; i++)
        hours = hours * 10 + (unsigned long)(s[i] - '0');
    bool ok = i > start && i < len && s[i++] == ':' && take_digits(s, len, &i, 2, &minute) &&
              i < len && s[i++] == ':' && take_digits(s, len, &i, 2, &second) &&
              take_fraction(s, len, &i, &micro) && i == len;
    if (!ok || (hours == 0 && minute == 0 && second == 0 && micro == 0)) {
        buf_append_byte(out, 0);
        return;
    }
    buf_append_byte(out, micro ? 12 : 8);
    buf_append_byte(out, negative ? 1 : 0);
    buf_put_u32(out, (uint32_t)(hours / 24));
    buf_append_byte(out, (uint8_t)(hours % 24));
    buf_append_byte(out, (uint8_t)minute);
    buf_append_byte(out, (uint8_t)second);
    if (micro)
        buf_put_u32(out, micro);
}

static void put_binary_value(buf *out, const wire_column *col, const char *s, size_t len)
{
    /* strto* need a terminated string; values are short, so copy numbers. */
    char num[64];
    size_t w = fixed_width(col->type);
    if (w) {
        size_t n = len < sizeof num - 1 ? len : sizeof num - 1;
        memcpy(num, s, n);
        num[n] = '\0';
    }
    switch (col->type) {
    case MYSQL_TYPE_FLOAT: {
        float f = strtof(num, NULL);
        uint32_t raw;
        memcpy(&raw, &f, sizeof raw);
        buf_put_u32(out, raw);
        return;
    }
    case MYSQL_TYPE_DOUBLE: {
        double d = strtod(num, NULL);
        uint64_t raw;
        memcpy(&raw, &d, sizeof raw);
        buf_put_u64(out, raw);
        return;
    }
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
        put_binary_date(out, s, len, col->type);
        return;
    case MYSQL_TYPE_TIME:
        put_binary_time(out, s, len);
        return;
    default:
        break;
    }
    if (!w) {
        wire_put_lenenc_str(out, s, len);
        return;
    }
    uint64_t v = (col->flags & UNSIGNED_FLAG) ? (uint64_t)strtoull(num, NULL, 10)
                                              : (uint64_t)strtoll(num, NULL, 10);
    for (size_t i = 0; i < w; i++)
        buf_append_byte(out, (uint8_t)(v >> (8 * i)));
}

void wire_write_binary_row(buf *out, uint8_t *seq, size_t n, const wire_column *cols,
                           const char *const *values, const size_t *lengths)
{
    size_t begin = wire_packet_begin(out);
    buf_append_byte(out, BINARY_ROW_HEADER);
    size_t bitmap_len = (n + 7 + ROW_NULL_BIT_OFFSET) / 8;
    size_t bitmap = out->len;
    buf_reserve(out, bitmap_len);
    memset(out->data + bitmap, 0, bitmap_len);
    out->len += bitmap_len;
    for (size_t i = 0; i < n; i++) {
        if (values[i] == NULL || cols[i].type == MYSQL_TYPE_NULL) {
            size_t bit = i + ROW_NULL_BIT_OFFSET;
            out->data[bitmap + bit / 8] |= (uint8_t)(1u << (bit % 8));
            continue;
        }
        size_t len = lengths ? lengths[i] : strlen(values[i]);
        put_binary_value(out, &cols[i], values[i], len);
    }
    wire_packet_end(out, begin, seq);
}
