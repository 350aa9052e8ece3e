/*
 * MySQL client/server protocol 4.1: constants, packet framing and the
 * encoders/decoders for the packets Mimir sends and reads. Pure functions over
 * byte buffers: no sockets, no SQL, no event loop.
 */
#ifndef MIMIR_WIRE_PROTOCOL_H
#define MIMIR_WIRE_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

/* Capability flags (subset Mimir negotiates). */
#define CLIENT_LONG_PASSWORD                  0x00000001u
#define CLIENT_FOUND_ROWS                     0x00000002u
#define CLIENT_LONG_FLAG                      0x00000004u
#define CLIENT_CONNECT_WITH_DB                0x00000008u
#define CLIENT_NO_SCHEMA                      0x00000010u
#define CLIENT_COMPRESS                       0x00000020u
#define CLIENT_ODBC                           0x00000040u
#define CLIENT_LOCAL_FILES                    0x00000080u
#define CLIENT_IGNORE_SPACE                   0x00000100u
#define CLIENT_PROTOCOL_41                    0x00000200u
#define CLIENT_INTERACTIVE                    0x00000400u
#define CLIENT_SSL                            0x00000800u
#define CLIENT_IGNORE_SIGPIPE                 0x00001000u
#define CLIENT_TRANSACTIONS                   0x00002000u
#define CLIENT_RESERVED                       0x00004000u
#define CLIENT_SECURE_CONNECTION              0x00008000u
#define CLIENT_MULTI_STATEMENTS               0x00010000u
#define CLIENT_MULTI_RESULTS                  0x00020000u
#define CLIENT_PS_MULTI_RESULTS               0x00040000u
#define CLIENT_PLUGIN_AUTH                    0x00080000u
#define CLIENT_CONNECT_ATTRS                  0x00100000u
#define CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA 0x00200000u
#define CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS   0x00400000u
#define CLIENT_SESSION_TRACK                  0x00800000u
#define CLIENT_DEPRECATE_EOF                  0x01000000u

/* Server status flags. */
#define SERVER_STATUS_IN_TRANS   0x0001
#define SERVER_STATUS_AUTOCOMMIT 0x0002
#define SERVER_MORE_RESULTS      0x0008

/* Commands. */
enum {
    COM_QUIT = 0x01,
    COM_INIT_DB = 0x02,
    COM_QUERY = 0x03,
    COM_FIELD_LIST = 0x04,
    COM_STATISTICS = 0x09,
    COM_PROCESS_KILL = 0x0c,
    COM_PING = 0x0e,
    COM_CHANGE_USER = 0x11,
    COM_STMT_PREPARE = 0x16,
    COM_STMT_EXECUTE = 0x17,
    COM_STMT_SEND_LONG_DATA = 0x18,
    COM_STMT_CLOSE = 0x19,
    COM_STMT_RESET = 0x1a,
    COM_SET_OPTION = 0x1b,
    COM_RESET_CONNECTION = 0x1f,
};

/* Column types (enum_field_types). */
enum {
    MYSQL_TYPE_DECIMAL = 0,
    MYSQL_TYPE_TINY = 1,
    MYSQL_TYPE_SHORT = 2,
    MYSQL_TYPE_LONG = 3,
    MYSQL_TYPE_FLOAT = 4,
    MYSQL_TYPE_DOUBLE = 5,
    MYSQL_TYPE_NULL = 6,
    MYSQL_TYPE_TIMESTAMP = 7,
    MYSQL_TYPE_LONGLONG = 8,
    MYSQL_TYPE_INT24 = 9,
    MYSQL_TYPE_DATE = 10,
    MYSQL_TYPE_TIME = 11,
    MYSQL_TYPE_DATETIME = 12,
    MYSQL_TYPE_YEAR = 13,
    MYSQL_TYPE_VARCHAR = 15,
    MYSQL_TYPE_BIT = 16,
    MYSQL_TYPE_JSON = 245,
    MYSQL_TYPE_NEWDECIMAL = 246,
    MYSQL_TYPE_BLOB = 252,
    MYSQL_TYPE_VAR_STRING = 253,
    MYSQL_TYPE_STRING = 254,
};

/* Column definition flags. */
#define NOT_NULL_FLAG 0x0001
#define PRI_KEY_FLAG  0x0002
#define BINARY_FLAG   0x0080
#define UNSIGNED_FLAG 0x0020
#define NUM_FLAG      0x8000

/* Character sets (collation ids). */
#define CHARSET_UTF8MB4_GENERAL_CI 45
#define CHARSET_BINARY             63

/* Largest payload of one physical packet; a longer logical payload is split. */
#define WIRE_MAX_PACKET 0xFFFFFFu

/* --- Framing ---------------------------------------------------------- */

/*
 * Writes a logical packet: call wire_packet_begin, append the payload to out,
 * then wire_packet_end. Payloads of 16 MiB - 1 or more are split into several
 * physical packets (and one of exactly a multiple of 0xFFFFFF gets an empty
 * trailer), each consuming a sequence id from *seq.
 */
size_t wire_packet_begin(buf *out);
void wire_packet_end(buf *out, size_t begin, uint8_t *seq);

typedef enum {
    WIRE_NEED_MORE = 0,     /* not enough bytes yet for a whole logical packet */
    WIRE_PACKET = 1,        /* *payload holds one logical packet */
    WIRE_TOO_LARGE = -1,    /* the logical payload would exceed max_payload */
    WIRE_OUT_OF_ORDER = -2, /* a sequence id is not the one expected */
} wire_read_status;

/*
 * Takes one logical packet (reassembling multi-packet payloads) from the
 * front of data[0..avail). On WIRE_PACKET, *consumed bytes were used, the
 * payload is appended to payload (which the caller resets), and *seq is the
 * sequence id of the last physical packet. max_payload bounds the logical size
 * (exceeding it is WIRE_TOO_LARGE, as soon as a header announces it); expect_seq < 0
 * skips the check of the first sequence id, but the physical packets of one
 * logical payload must still be numbered consecutively (else WIRE_OUT_OF_ORDER).
 * On anything but WIRE_PACKET, payload is left untouched.
 */
wire_read_status wire_read_packet(const uint8_t *data, size_t avail, size_t max_payload,
                                  int expect_seq, size_t *consumed, buf *payload, uint8_t *seq);

/* --- Primitive codecs ------------------------------------------------- */

void wire_put_lenenc_int(buf *out, uint64_t v);
void wire_put_lenenc_str(buf *out, const void *s, size_t len);
void wire_put_lenenc_cstr(buf *out, const char *s); /* NULL encodes as "" */

/*
 * A read cursor over a payload; every getter fails (returns false) past the
 * end and then leaves the cursor where it was. wire_get_lenenc_int accepts
 * 0xFB (NULL) only when is_null is non-NULL; 0xFF is never an integer.
 */
typedef struct wire_cursor {
    const uint8_t *p;
    const uint8_t *end;
} wire_cursor;

void wire_cursor_init(wire_cursor *c, const uint8_t *data, size_t len);
size_t wire_cursor_left(const wire_cursor *c);
bool wire_get_u8(wire_cursor *c, uint8_t *v);
bool wire_get_u16(wire_cursor *c, uint16_t *v);
bool wire_get_u32(wire_cursor *c, uint32_t *v);
bool wire_get_bytes(wire_cursor *c, size_t n, const uint8_t **v);
bool wire_get_lenenc_int(wire_cursor *c, uint64_t *v, bool *is_null);
bool wire_get_lenenc_str(wire_cursor *c, const uint8_t **s, size_t *len);
/* A NUL-terminated string; fails if no NUL before the end. */
bool wire_get_cstr(wire_cursor *c, const char **s, size_t *len);

/* --- Connection phase ------------------------------------------------- */

typedef struct wire_handshake {
    uint32_t connection_id;
    const char *server_version; /* e.g. "8.0.34-mimir-0.1" */
    uint8_t scramble[20];       /* random, no NUL bytes */
    uint32_t capabilities;
    uint8_t charset;
    uint16_t status;
    const char *auth_plugin; /* "mysql_native_password" */
} wire_handshake;

/*
 * Appends the HandshakeV10 payload only: the caller frames it (sequence id 0).
 * The auth plugin name and its data length (21) are sent when capabilities has
 * CLIENT_PLUGIN_AUTH; auth_plugin NULL means "mysql_native_password".
 */
void wire_write_handshake_v10(buf *out, const wire_handshake *hs);

/* What the client answered (pointers into the payload, valid while it lives). */
typedef struct wire_handshake_response {
    uint32_t capabilities;
    uint32_t max_packet;
    uint8_t charset;
    const char *user;
    const uint8_t *auth;
    size_t auth_len;
    const char *database;    /* NULL unless CLIENT_CONNECT_WITH_DB */
    const char *auth_plugin; /* NULL unless CLIENT_PLUGIN_AUTH */
    const uint8_t *attrs;    /* raw CLIENT_CONNECT_ATTRS block, or NULL */
    size_t attrs_len;
} wire_handshake_response;

/*
 * True when the payload is an SSLRequest (32 bytes: caps, max packet, charset,
 * filler) rather than a full response. The caller upgrades the socket to TLS.
 */
bool wire_is_ssl_request(const uint8_t *payload, size_t len, uint32_t *capabilities);
/*
 * HandshakeResponse41 only (false without CLIENT_PROTOCOL_41). Strict: every
 * field the client's capabilities announce must be present, else false and
 * *out is untouched. Bytes after the last announced field are ignored.
 */
bool wire_parse_handshake_response(const uint8_t *payload, size_t len,
                                   wire_handshake_response *out);

/*
 * AuthSwitchRequest: 0xFE, plugin name NUL, scramble (20 bytes) NUL. Payload
 * only, like the handshake: the caller frames it with the next sequence id.
 */
void wire_write_auth_switch(buf *out, const char *plugin, const uint8_t scramble[20]);

/* AuthMoreData: 0x01 then plugin-specific data. Payload only, like the above. */
void wire_write_auth_more_data(buf *out, const void *data, size_t len);

/* COM_CHANGE_USER (pointers into the payload, valid while it lives). */
typedef struct wire_change_user {
    const char *user;
    const uint8_t *auth;
    size_t auth_len;
    const char *database;    /* "" when none */
    const char *auth_plugin; /* NULL when the client did not send one */
} wire_change_user;

/*
 * Payload including the command byte; caps are the session's negotiated
 * capabilities (they decide how auth-response is encoded). The fields after
 * the database (character set, plugin name, connection attributes) are
 * optional, as in MySQL. False when a required field is missing.
 */
bool wire_parse_change_user(const uint8_t *payload, size_t len, uint32_t caps,
                            wire_change_user *out);

/*
 * COM_FIELD_LIST: table name, then (after a NUL) an optional wildcard. The
 * table runs to the NUL or the end; *wild is NULL when there is no NUL. Both
 * point into the payload (not NUL-terminated: use the lengths). False when
 * the payload is not a COM_FIELD_LIST.
 */
bool wire_parse_field_list(const uint8_t *payload, size_t len, const uint8_t **table,
                           size_t *table_len, const uint8_t **wild, size_t *wild_len);

/* COM_SET_OPTION: the two-byte option. False when the payload is too short. */
bool wire_parse_set_option(const uint8_t *payload, size_t len, uint16_t *option);

/*
 * mysql_native_password: the client sends SHA1(pw) XOR SHA1(scramble +
 * SHA1(SHA1(pw))). The server stores stage2 = SHA1(SHA1(pw)) only.
 *
 * Empty password convention: clients send an empty auth-response (not a
 * scramble) when the password is empty, so wire_native_password_check accepts
 * response_len == 0 exactly when stage2 is wire_native_password_stage2(""),
 * and rejects it for any other stage2. A 20-byte response is checked the normal
 * way for every password (including a scrambled empty one); any other length
 * fails. The comparison is constant-time.
 */
void wire_native_password_stage2(const char *password, uint8_t stage2[20]);
bool wire_native_password_check(const uint8_t scramble[20], const uint8_t stage2[20],
                                const uint8_t *response, size_t response_len);
/* What a client computes; used by tests and by a future client side. */
void wire_native_password_scramble(const char *password, const uint8_t scramble[20],
                                   uint8_t out[20]);

/* --- Responses -------------------------------------------------------- */

/*
 * Each writer frames a whole packet and advances *seq. caps are the negotiated
 * capabilities (client's & ours): they decide the OK layout (status/warnings
 * under CLIENT_PROTOCOL_41, info as lenenc under CLIENT_SESSION_TRACK). An
 * empty or NULL info is omitted; a sqlstate that is not 5 characters becomes
 * "HY000".
 */
void wire_write_ok(buf *out, uint8_t *seq, uint32_t caps, uint64_t affected_rows,
                   uint64_t last_insert_id, uint16_t status, uint16_t warnings, const char *info);
/* The OK packet that ends a result set under CLIENT_DEPRECATE_EOF (header 0xFE). */
void wire_write_eof_ok(buf *out, uint8_t *seq, uint32_t caps, uint16_t status, uint16_t warnings);
void wire_write_eof(buf *out, uint8_t *seq, uint16_t status, uint16_t warnings);
void wire_write_err(buf *out, uint8_t *seq, uint16_t code, const char *sqlstate,
                    const char *message);

/* --- Result sets ------------------------------------------------------ */

typedef struct wire_column {
    const char *schema;    /* "mimir" */
    const char *table;     /* virtual table alias, may be "" */
    const char *org_table; /* may be "" */
    const char *name;
    const char *org_name;
    uint16_t charset;
    uint32_t length; /* display length */
    uint8_t type;    /* MYSQL_TYPE_* */
    uint16_t flags;
    uint8_t decimals;
} wire_column;

void wire_write_column_count(buf *out, uint8_t *seq, uint64_t count);
void wire_write_column_def(buf *out, uint8_t *seq, const wire_column *col);
/* One column of a COM_FIELD_LIST answer: a definition followed by the column's
 * default value (NULL: none). The list ends with wire_write_result_end. */
void wire_write_field_list_column(buf *out, uint8_t *seq, const wire_column *col,
                                  const char *default_value);

/*
 * A text-protocol row: each value as a length-encoded string, NULL as 0xFB.
 * values[i] == NULL means SQL NULL. lengths may be NULL for NUL-terminated
 * values; otherwise lengths[i] is used and values may hold any bytes.
 */
void wire_write_text_row(buf *out, uint8_t *seq, size_t n, const char *const *values,
                         const size_t *lengths);

/*
 * The whole header of a result set: column count, definitions and (unless the
 * client set CLIENT_DEPRECATE_EOF) the EOF that ends them. That EOF reports
 * SERVER_STATUS_AUTOCOMMIT: Mimir never holds a transaction open, and the
 * status that matters is the one given to wire_write_result_end.
 */
void wire_write_result_header(buf *out, uint8_t *seq, uint32_t caps, size_t n,
                              const wire_column *cols);
/* The end of a result set: EOF, or OK with 0xFE under CLIENT_DEPRECATE_EOF; warnings is
 * the count of the statement's diagnostics (SHOW WARNINGS). */
void wire_write_result_end(buf *out, uint8_t *seq, uint32_t caps, uint16_t status,
                           uint16_t warnings);

#endif
