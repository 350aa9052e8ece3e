/*
 * Command-phase responses: OK, EOF, ERR and text result sets. Every writer
 * frames one whole packet so the session cannot forget a sequence id; caps are
 * the negotiated capabilities (the client's flags masked by ours), because the
 * layout of OK and the end of a result set depend on them.
 */
#include "wire/protocol.h"

#include <string.h>

#include "wire/utf8.h"

#define OK_HEADER  0x00
#define EOF_HEADER 0xFE
#define ERR_HEADER 0xFF

static void put_ok_body(buf *out, uint8_t header, uint32_t caps, uint64_t affected_rows,
                        uint64_t last_insert_id, uint16_t status, uint16_t warnings,
                        const char *info)
{
    buf_append_byte(out, header);
    wire_put_lenenc_int(out, affected_rows);
    wire_put_lenenc_int(out, last_insert_id);
    if (caps & CLIENT_PROTOCOL_41) {
        buf_put_u16(out, status);
        buf_put_u16(out, warnings);
    } else if (caps & CLIENT_TRANSACTIONS) {
        buf_put_u16(out, status);
    }
    /* Like MySQL, omit an empty info entirely: with session tracking it would
     * otherwise be a lenenc "" that clients must still skip. We never report
     * session state changes, so nothing follows the info. */
    if (info == NULL || info[0] == '\0')
        return;
    if (caps & CLIENT_SESSION_TRACK)
        wire_put_lenenc_cstr(out, info);
    else
        buf_append_str(out, info); /* string<EOF> */
}

void wire_write_ok(buf *out, uint8_t *seq, uint32_t caps, uint64_t affected_rows,
                   uint64_t last_insert_id, uint16_t status, uint16_t warnings, const char *info)
{
    size_t begin = wire_packet_begin(out);
    put_ok_body(out, OK_HEADER, caps, affected_rows, last_insert_id, status, warnings, info);
    wire_packet_end(out, begin, seq);
}

void wire_write_eof_ok(buf *out, uint8_t *seq, uint32_t caps, uint16_t status, uint16_t warnings)
{
    size_t begin = wire_packet_begin(out);
    put_ok_body(out, EOF_HEADER, caps, 0, 0, status, warnings, NULL);
    wire_packet_end(out, begin, seq);
}

void wire_write_eof(buf *out, uint8_t *seq, uint16_t status, uint16_t warnings)
{
    size_t begin = wire_packet_begin(out);
    buf_append_byte(out, EOF_HEADER);
    /* Warnings before status: the reverse of OK, and a classic trap. */
    buf_put_u16(out, warnings);
    buf_put_u16(out, status);
    wire_packet_end(out, begin, seq);
}

void wire_write_err(buf *out, uint8_t *seq, uint16_t code, const char *sqlstate,
                    const char *message)
{
    /* Clients read exactly five bytes after '#'; a malformed state would eat
     * the start of the message, so fall back to the generic one. */
    if (sqlstate == NULL || strlen(sqlstate) != 5)
        sqlstate = "HY000";
    size_t begin = wire_packet_begin(out);
    buf_append_byte(out, ERR_HEADER);
    buf_put_u16(out, code);
    buf_append_byte(out, '#');
    buf_append(out, sqlstate, 5);
    /* Messages may quote what a client sent (a user or database name): keep
     * them UTF-8, or a client library fails decoding the error itself. */
    if (message)
        utf8_append_sanitized(out, (const uint8_t *)message, strlen(message));
    wire_packet_end(out, begin, seq);
}

void wire_write_column_count(buf *out, uint8_t *seq, uint64_t count)
{
    size_t begin = wire_packet_begin(out);
    wire_put_lenenc_int(out, count);
    wire_packet_end(out, begin, seq);
}

static void put_column_def(buf *out, const wire_column *col)
{
    wire_put_lenenc_cstr(out, "def"); /* catalog: always "def" since 4.1 */
    wire_put_lenenc_cstr(out, col->schema);
    wire_put_lenenc_cstr(out, col->table);
    wire_put_lenenc_cstr(out, col->org_table);
    wire_put_lenenc_cstr(out, col->name);
    wire_put_lenenc_cstr(out, col->org_name);
    wire_put_lenenc_int(out, 0x0c); /* length of the fixed-size fields below */
    buf_put_u16(out, col->charset);
    buf_put_u32(out, col->length);
    buf_append_byte(out, col->type);
    buf_put_u16(out, col->flags);
    buf_append_byte(out, col->decimals);
    buf_put_u16(out, 0); /* filler */
}

void wire_write_column_def(buf *out, uint8_t *seq, const wire_column *col)
{
    size_t begin = wire_packet_begin(out);
    put_column_def(out, col);
    wire_packet_end(out, begin, seq);
}

void wire_write_field_list_column(buf *out, uint8_t *seq, const wire_column *col,
                                  const char *default_value)
{
    size_t begin = wire_packet_begin(out);
    put_column_def(out, col);
    if (default_value)
        wire_put_lenenc_cstr(out, default_value);
    else
        buf_append_byte(out, 0xFB);
    wire_packet_end(out, begin, seq);
}

/* Bytes of v as a length-encoded integer (wire_put_lenenc_int). */
static size_t lenenc_size(uint64_t v)
{
    return v < 251 ? 1 : v <= 0xFFFF ? 3 : v <= 0xFFFFFF ? 4 : 9;
}

/* wire_put_lenenc_int into space already reserved; returns the next byte. */
static uint8_t *put_lenenc(uint8_t *p, uint64_t v)
{
    size_t n = lenenc_size(v);
    if (n == 1) {
        *p = (uint8_t)v;
        return p + 1;
    }
    *p++ = n == 3 ? 0xFC : n == 4 ? 0xFD : 0xFE;
    for (size_t i = 0; i < n - 1; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return p + n - 1;
}

/*
 * Every streamed row goes through here. The row's size is known up front, so
 * the buffer grows once and the values are copied straight in (appending
 * field by field cost ~580 instructions for a 4-column row; docs/performance.md).
 */
void wire_write_text_row(buf *out, uint8_t *seq, size_t n, const char *const *values,
                         const size_t *lengths)
{
    size_t begin = wire_packet_begin(out);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (values[i] == NULL) {
            total++;
            continue;
        }
        size_t len = lengths ? lengths[i] : strlen(values[i]);
        total += lenenc_size(len) + len;
    }
    buf_reserve(out, total);
    uint8_t *p = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        if (values[i] == NULL) {
            *p++ = 0xFB;
            continue;
        }
        size_t len = lengths ? lengths[i] : strlen(values[i]);
        p = put_lenenc(p, len);
        if (len)
            memcpy(p, values[i], len);
        p += len;
    }
    out->len += total;
    wire_packet_end(out, begin, seq);
}

/*
 * The EOF between definitions and rows carries the session status in MySQL,
 * and libmariadb copies it into mysql->server_status. Mimir never holds a
 * transaction open, so autocommit is always the truth at that point; the
 * status that matters (more results, etc.) goes in wire_write_result_end.
 */
void wire_write_result_header(buf *out, uint8_t *seq, uint32_t caps, size_t n,
                              const wire_column *cols)
{
    wire_write_column_count(out, seq, n);
    for (size_t i = 0; i < n; i++)
        wire_write_column_def(out, seq, &cols[i]);
    if (!(caps & CLIENT_DEPRECATE_EOF))
        wire_write_eof(out, seq, SERVER_STATUS_AUTOCOMMIT, 0);
}

void wire_write_result_end(buf *out, uint8_t *seq, uint32_t caps, uint16_t status,
                           uint16_t warnings)
{
    if (caps & CLIENT_DEPRECATE_EOF)
        wire_write_eof_ok(out, seq, caps, status, warnings);
    else
        wire_write_eof(out, seq, status, warnings);
}
