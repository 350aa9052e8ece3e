#include "proxy/exec/columns.h"

#include <string.h>

#include "wire/xalloc.h"

/* What MySQL 8.0 reports for the same types; drivers pick host-language types from it. */
void column_definition(const result_column *rc, const char *name, const char *org_name,
                       wire_column *out)
{
    memset(out, 0, sizeof(*out));
    out->schema = "mimir";
    out->table = "metrics";
    out->org_table = "metrics";
    out->name = name;
    out->org_name = org_name ? org_name : name;
    out->charset = CHARSET_BINARY;
    int dec = rc->decimals;
    switch (rc->type) {
    case VT_NULL:
        out->type = MYSQL_TYPE_NULL;
        break;
    case VT_BOOL:
        out->type = MYSQL_TYPE_TINY;
        out->length = 1;
        out->flags = NUM_FLAG;
        break;
    case VT_INT16:
        out->type = MYSQL_TYPE_SHORT;
        out->length = 6;
        out->flags = NUM_FLAG;
        break;
    case VT_INT32:
        out->type = MYSQL_TYPE_LONG;
        out->length = 11;
        out->flags = NUM_FLAG;
        break;
    case VT_INT64:
        out->type = MYSQL_TYPE_LONGLONG;
        out->length = 21;
        out->flags = NUM_FLAG;
        break;
    case VT_DECIMAL: {
        unsigned scale = dec >= 0 ? (unsigned)dec : 0;
        unsigned precision = rc->length ? rc->length : 65;
        out->type = MYSQL_TYPE_NEWDECIMAL;
        out->decimals = (uint8_t)(scale > 30 ? 30 : scale);
        out->length = precision + (scale ? 2 : 1);
        out->flags = NUM_FLAG;
        break;
    }
    case VT_FLOAT:
        out->type = MYSQL_TYPE_FLOAT;
        out->length = 12;
        out->decimals = 31;
        out->flags = NUM_FLAG;
        break;
    case VT_DOUBLE:
        out->type = MYSQL_TYPE_DOUBLE;
        out->length = 22;
        out->decimals = 31;
        out->flags = NUM_FLAG;
        break;
    case VT_BLOB:
        /* A binary string of known length (X'4A61', _binary'x'): VARBINARY, as MySQL says. */
        out->type = rc->length ? MYSQL_TYPE_VAR_STRING : MYSQL_TYPE_BLOB;
        out->length = rc->length ? rc->length : 65535;
        out->flags = BINARY_FLAG;
        break;
    case VT_DATE:
        out->type = MYSQL_TYPE_DATE;
        out->length = 10;
        out->flags = BINARY_FLAG;
        break;
    case VT_TIME:
        out->type = MYSQL_TYPE_TIME;
        out->decimals = (uint8_t)(dec > 0 ? dec : 0);
        out->length = 10 + (dec > 0 ? (unsigned)dec + 1 : 0);
        out->flags = BINARY_FLAG;
        break;
    case VT_DATETIME:
        /* Unknown precision is PostgreSQL's default of microseconds. */
        dec = dec < 0 ? 6 : dec;
        out->type = MYSQL_TYPE_DATETIME;
        out->decimals = (uint8_t)dec;
        out->length = 19 + (dec > 0 ? (unsigned)dec + 1 : 0);
        out->flags = BINARY_FLAG;
        break;
    case VT_TEXT:
    default:
        out->type = MYSQL_TYPE_VAR_STRING;
        out->charset = CHARSET_UTF8MB4_GENERAL_CI;
        /* Length is in bytes: 4 per utf8mb4 character; unknown means VARCHAR(65535). */
        out->length = (rc->length ? rc->length : 65535) * 4;
        break;
    }
}

wire_column *const_result_columns(const const_result *r)
{
    wire_column *defs = xcalloc(r->ncols + 1, sizeof(*defs));
    for (size_t i = 0; i < r->ncols; i++) {
        column_definition(&r->cols[i], r->cols[i].name, r->cols[i].name, &defs[i]);
        defs[i].schema = defs[i].table = defs[i].org_table = "";
    }
    return defs;
}
