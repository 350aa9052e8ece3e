/*
 * The shape of Mimir's information_schema: the tables MySQL 8.0 clients read,
 * with MySQL's column names and types (ENUM/SET columns are VARCHARs here),
 * and the fixed rows of the tables that do not depend on the semantic layer
 * (ENGINES, CHARACTER_SETS, COLLATIONS, KEYWORDS, PLUGINS, ...). Private to
 * planner/info_schema*.c.
 */
#ifndef MIMIR_PLANNER_INFO_SCHEMA_TABLES_H
#define MIMIR_PLANNER_INFO_SCHEMA_TABLES_H

#include <stddef.h>

typedef struct is_column {
    const char *name;
    const char *type; /* a MySQL type column_type_parse understands; also the SQLite decltype */
} is_column;

typedef struct is_table {
    const char *name; /* upper-case, as MySQL 8.0 names them */
    const is_column *cols;
    size_t ncols;
} is_table;

extern const is_table is_tables[];
extern const size_t is_ntables;

/* The table of that name, compared case-insensitively; NULL when there is none. */
const is_table *is_table_find(const char *name);

/* Fixed rows: values row-major, table->ncols per row, NULL is SQL NULL. */
typedef struct is_fixed_rows {
    const char *table;
    const char *const *values;
    size_t nvalues;
} is_fixed_rows;

extern const is_fixed_rows is_fixed[];
extern const size_t is_nfixed;

/* MySQL 8.0's reserved words, for KEYWORDS (RESERVED = 1); then common non-reserved ones. */
extern const char *const is_reserved_words[];
extern const char *const is_nonreserved_words[];

#endif
