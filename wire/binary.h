/*
 * The binary protocol of prepared statements: the COM_STMT_PREPARE answer,
 * the parameters of COM_STMT_EXECUTE, and binary result rows. Pure functions
 * over byte buffers, like the rest of wire/.
 *
 * Values travel through Mimir as text in MySQL's text-protocol rendering (see
 * planner/value_type.h); this file converts between that rendering and the
 * binary encodings, driven by the column or parameter type.
 */
#ifndef MIMIR_WIRE_BINARY_H
#define MIMIR_WIRE_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"
#include "wire/protocol.h"

/* COM_STMT_EXECUTE flags byte: cursor types. Mimir never opens a cursor. */
#define WIRE_CURSOR_TYPE_NO_CURSOR 0x00

/* Bit 15 of a bound parameter type: the integer is unsigned. */
#define WIRE_PARAM_UNSIGNED 0x8000u

/*
 * COM_STMT_PREPARE_OK: status 0x00, statement id, column count, parameter
 * count, a reserved 0 and the warning count. The caller then sends nparams
 * parameter definitions and ncols column definitions, each run followed by an
 * EOF unless CLIENT_DEPRECATE_EOF.
 */
void wire_write_stmt_prepare_ok(buf *out, uint8_t *seq, uint32_t stmt_id, uint16_t ncols,
                                uint16_t nparams, uint16_t warnings);

/* COM_STMT_EXECUTE up to its parameters: what every execute starts with. */
typedef struct wire_stmt_execute {
    uint32_t stmt_id;
    uint8_t flags; /* cursor type */
    uint32_t iterations;
    const uint8_t *rest; /* the parameter block (payload after the 10-byte header) */
    size_t rest_len;
} wire_stmt_execute;

/* Payload including the command byte; false when shorter than the header. */
bool wire_parse_stmt_execute(const uint8_t *payload, size_t len, wire_stmt_execute *out);

/*
 * The statement id of COM_STMT_CLOSE, COM_STMT_RESET (payload including the
 * command byte); false when the payload is shorter than command and id.
 */
bool wire_parse_stmt_id(const uint8_t *payload, size_t len, uint32_t *stmt_id);

/* COM_STMT_SEND_LONG_DATA: statement id, parameter number, then the data. */
typedef struct wire_stmt_long_data {
    uint32_t stmt_id;
    uint16_t param;
    const uint8_t *data; /* the rest of the payload */
    size_t data_len;
} wire_stmt_long_data;

/* Payload including the command byte; false when shorter than the header. */
bool wire_parse_stmt_long_data(const uint8_t *payload, size_t len, wire_stmt_long_data *out);

/* How a bound parameter's value reads as SQL (the session maps it to a literal). */
typedef enum {
    WIRE_VALUE_NULL,
    WIRE_VALUE_INTEGER,  /* text: [-]digits */
    WIRE_VALUE_DECIMAL,  /* text: an exact number, e.g. 12.50 or -1e3 */
    WIRE_VALUE_FLOAT,    /* text: the shortest decimal that reads back as the float */
    WIRE_VALUE_STRING,   /* bytes as sent (may hold NULs) */
    WIRE_VALUE_TEMPORAL, /* text: YYYY-MM-DD[ HH:MM:SS[.ffffff]] or [-]HH:MM:SS[.ffffff] */
} wire_value_kind;

typedef struct wire_param_value {
    wire_value_kind kind;
    const char *text; /* NUL-terminated, in the text buffer given to the decoder */
    size_t len;
} wire_param_value;

typedef enum {
    WIRE_PARAMS_OK,
    WIRE_PARAMS_TRUNCATED, /* the packet ends before every parameter is read */
    WIRE_PARAMS_NO_TYPES,  /* new-params-bound is 0 but no types were ever bound */
    WIRE_PARAMS_BAD_VALUE, /* a value does not fit its type (e.g. a DATE of 5 bytes) */
} wire_params_status;

/*
 * Decodes the parameter block of an execute for a statement with nparams
 * placeholders. types[nparams] holds the types bound by the previous execute
 * (type | WIRE_PARAM_UNSIGNED; 0xFFFF when none yet) and is updated when the
 * client sends new ones. long_data[i] true means the value of parameter i came
 * through COM_STMT_SEND_LONG_DATA and is not in the packet (the caller fills
 * it in): its kind is WIRE_VALUE_STRING even when the NULL bit is set, as
 * MySQL uses long data over the bit. Each value's text is appended to text,
 * NUL-terminated; the pointers in values stay valid until text is reset or
 * grows, so they are filled in only at the end. Bytes after the last value
 * are ignored, as MySQL does.
 */
wire_params_status wire_parse_stmt_params(const uint8_t *data, size_t len, uint16_t nparams,
                                          uint16_t *types, const bool *long_data, buf *text,
                                          wire_param_value *values);

/*
 * A binary-protocol row: 0x00, a NULL bitmap with an offset of 2 bits, then
 * each non-NULL value encoded per its column's type: integers fixed-width
 * little-endian (unsigned when the column has UNSIGNED_FLAG), FLOAT and
 * DOUBLE as IEEE 754, DATE/DATETIME/TIMESTAMP and TIME in MySQL's binary
 * date format (the shortest length that holds the value), everything else
 * (DECIMAL, strings, blobs) as a length-encoded string. values[i] is the
 * text-protocol rendering (NULL for SQL NULL); lengths may be NULL for
 * NUL-terminated values. A value whose text does not read as its column's
 * type (which a correct backend never produces) is sent as zero.
 */
void wire_write_binary_row(buf *out, uint8_t *seq, size_t n, const wire_column *cols,
                           const char *const *values, const size_t *lengths);

#endif
