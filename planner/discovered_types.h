/*
 * Column types learnt from the backends: what each source's columns and
 * metrics really are (proxy/type_discovery.c runs one probe query per source
 * and records its result types here). mimir_tables_typed() takes them for
 * every column whose definition declares no `type:`, so information_schema,
 * SHOW COLUMNS and schema probes report what queries will return.
 *
 * Entries are keyed by source name and column name (ASCII case-insensitive,
 * as MySQL compares column names). A column that several sources have (a
 * shared dimension, a local column of the same name, `ts`) has one column in
 * mimir.metrics: its type there is the union of the sources' types.
 */
#ifndef MIMIR_PLANNER_DISCOVERED_TYPES_H
#define MIMIR_PLANNER_DISCOVERED_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/value_type.h"
#include "semantic/column_type.h"

typedef struct discovered_types discovered_types;

discovered_types *discovered_types_new(void);
void discovered_types_free(discovered_types *d);

/* Records the type of a column of a source, replacing what was known. */
void discovered_types_set(discovered_types *d, const char *source, const char *column,
                          const column_type *t);
/* Forgets every column of a source (before recording a new probe of it). */
void discovered_types_forget(discovered_types *d, const char *source);

/* The type of a column of a source; NULL when it was not discovered. */
const column_type *discovered_types_get(const discovered_types *d, const char *source,
                                        const char *column);
/* The union of a column's types over every source that has it; false when none does. */
bool discovered_types_merged(const discovered_types *d, const char *column, column_type *out);

/* How many columns were discovered, over all sources. */
size_t discovered_types_ncolumns(const discovered_types *d);

/*
 * The MySQL column type a backend's result column has:
 *   int2 SMALLINT, int4 INT, int8 BIGINT, bool TINYINT(1), float4 FLOAT,
 *   float8 DOUBLE, date DATE, time TIME(fsp), timestamp[tz] DATETIME(fsp)
 *   (DATETIME(6) when the backend declares no precision: it holds
 *   microseconds, and query results describe it so), bytea BLOB;
 *   numeric(p,s) DECIMAL(p,s) (precision capped at MySQL's 65, scale at 30);
 *   numeric without a declared precision (SUM of a numeric(5,2) column, ...)
 *   DECIMAL(65,s) with s = decimal_scale when it is known (>= 0), else 2;
 *   varchar(n)/char(n) VARCHAR(n) (LONGTEXT beyond 65535), text and other
 *   types without a length VARCHAR(255).
 * False when the result says nothing (a column of NULLs only).
 */
bool column_type_of_result(const result_column *rc, int decimal_scale, column_type *out);

/*
 * The narrowest type that holds the values of both a and b: the wider of two
 * integers, DECIMAL wide enough for both integer parts and scales, DOUBLE for
 * a float with anything numeric, DATETIME for a DATE with a DATETIME, the
 * longer of two strings; VARCHAR(255) when they have nothing in common.
 */
void column_type_union(const column_type *a, const column_type *b, column_type *out);

#endif
