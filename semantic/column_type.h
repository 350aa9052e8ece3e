/*
 * A column type as MySQL writes it (BIGINT, DECIMAL(12,2), VARCHAR(64), DATE,
 * DATETIME, DOUBLE, ...). Dimensions and metrics may declare one with the
 * optional `type:` key; it is what clients are told about the column
 * (information_schema, SHOW COLUMNS, COM_FIELD_LIST), while values still
 * come from the backend. The planner also uses it for the columns of its own
 * information_schema tables.
 */
#ifndef MIMIR_SEMANTIC_COLUMN_TYPE_H
#define MIMIR_SEMANTIC_COLUMN_TYPE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    CT_TINYINT,
    CT_SMALLINT,
    CT_MEDIUMINT,
    CT_INT,
    CT_BIGINT,
    CT_DECIMAL,
    CT_FLOAT,
    CT_DOUBLE,
    CT_CHAR,
    CT_VARCHAR,
    CT_TEXT, /* TINYTEXT, TEXT, MEDIUMTEXT, LONGTEXT: length says which */
    CT_BINARY,
    CT_VARBINARY,
    CT_BLOB, /* TINYBLOB ... LONGBLOB */
    CT_DATE,
    CT_TIME,
    CT_DATETIME,
    CT_TIMESTAMP,
    CT_YEAR,
    CT_JSON,
} column_type_kind;

typedef struct column_type {
    column_type_kind kind;
    /* information_schema.COLUMNS.DATA_TYPE: "varchar", "decimal", "longtext", ... */
    const char *data_type;
    /* Characters of CHAR/VARCHAR/TEXT (bytes of BINARY/BLOB), precision of DECIMAL,
     * display width of TINYINT(1); 0 when none. */
    unsigned length;
    unsigned scale; /* DECIMAL scale; fractional-second digits of TIME/DATETIME/TIMESTAMP */
    bool is_unsigned;
    /* information_schema.COLUMNS.COLUMN_TYPE, as MySQL 8.0 prints it:
     * "decimal(12,2)", "varchar(64)", "bigint unsigned", "datetime". */
    char text[48];
    /* A DATETIME learnt from a backend that is an instant (PostgreSQL timestamptz, MySQL
     * TIMESTAMP): shown as DATETIME, converted by a session time zone. */
    bool instant;
} column_type;

/*
 * Parses a type name, case-insensitively, with MySQL's synonyms (INTEGER,
 * BOOLEAN, NUMERIC, REAL, DOUBLE PRECISION, CHARACTER VARYING ...) and an
 * optional UNSIGNED. False, with a reason in why, when text is not a type or
 * its length/precision is out of MySQL's range.
 */
bool column_type_parse(const char *text, column_type *out, char *why, size_t whylen);

#endif
