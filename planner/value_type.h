/*
 * The types of values flowing through Mimir, independent of both the backend
 * (PostgreSQL OIDs, SQLite storage classes) and the wire (MySQL column types).
 * Backends map their types to these; proxy/ maps these to column definitions.
 * Values themselves travel as text in MySQL's text-protocol rendering.
 */
#ifndef MIMIR_PLANNER_VALUE_TYPE_H
#define MIMIR_PLANNER_VALUE_TYPE_H

#include <stdbool.h>

typedef enum {
    VT_NULL, /* only NULLs (e.g. SELECT NULL) */
    VT_BOOL, /* rendered 0/1 */
    VT_INT16,
    VT_INT32,
    VT_INT64,
    VT_DECIMAL, /* exact; decimals = scale */
    VT_FLOAT,
    VT_DOUBLE,
    VT_TEXT,
    VT_BLOB,
    VT_DATE,     /* YYYY-MM-DD */
    VT_TIME,     /* HH:MM:SS[.ffffff] */
    VT_DATETIME, /* YYYY-MM-DD HH:MM:SS[.ffffff], UTC */
} value_type;

/* A column of a result: its name and type, as a backend or the planner reports it. */
typedef struct result_column {
    const char *name;
    value_type type;
    int decimals;    /* DECIMAL scale, fractional-second digits; -1 when unknown */
    unsigned length; /* display length in characters; 0 when unknown */
    /* A DATETIME that is an instant (PostgreSQL timestamptz, MySQL TIMESTAMP), which a
     * session time zone converts; false for wall-clock values (timestamp, DATETIME). */
    bool instant;
} result_column;

#endif
