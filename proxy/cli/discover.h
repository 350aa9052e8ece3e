/*
 * `mimir discover`: a starter semantic layer from a database's catalog.
 *
 * The command reads the catalog of one schema (PostgreSQL, MariaDB/MySQL or
 * SQLite) into the neutral model below (discover_pg.c, discover_mysql.c,
 * discover_sqlite.c, each over the blocking connection of discover_db.c),
 * measures it (exact row counts and distinct counts, discover_stats.c),
 * turns it into sources, dimensions and metrics (discover_layer.c) and writes
 * them as YAML (discover_emit.c). Only the command line uses these files.
 */
#ifndef MIMIR_PROXY_CLI_DISCOVER_H
#define MIMIR_PROXY_CLI_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "semantic/catalog.h"

/* ---- a blocking connection that returns rows as text (discover_db.c) ---- */

typedef struct disc_db disc_db;

typedef struct disc_rows {
    size_t nrows, ncols;
    char **cells; /* nrows * ncols, row-major; NULL for SQL NULL */
} disc_rows;

/* Connects; NULL with the database's message (one line) in err. */
disc_db *disc_db_connect(const connection *c, char *err, size_t errlen);
conn_kind disc_db_kind(const disc_db *db);
/* Runs sql; false with the database's message (one line) in err. */
bool disc_db_rows(disc_db *db, const char *sql, disc_rows *out, char *err, size_t errlen);
const char *disc_cell(const disc_rows *r, size_t row, size_t col);
void disc_rows_free(disc_rows *r);
/* s as a string literal of the database's dialect, malloc'd. */
char *disc_db_literal(disc_db *db, const char *s);
void disc_db_close(disc_db *db);

/* name as an identifier of kind's dialect ("x" or `x`, quotes doubled), malloc'd. */
char *disc_quote(conn_kind kind, const char *name);

/* ---- the neutral catalog ---- */

typedef enum {
    DCOL_OTHER,  /* binary, JSON, arrays, ...: neither grouped nor summed */
    DCOL_TEXT,   /* strings and enums */
    DCOL_BOOL,   /* boolean, MySQL's tinyint(1) */
    DCOL_NUMBER, /* integers, decimals, floats */
    DCOL_TIME,   /* date, timestamp, datetime (SQLite: text holding dates, see stats) */
} dcol_kind;

typedef struct disc_column {
    char *name;
    char *type; /* as the database names it, for descriptions */
    dcol_kind kind;
    bool not_null;
    long long distinct; /* COUNT(DISTINCT), -1 when not measured */
} disc_column;

/* A list of column names: a primary or unique key, or one side of a foreign key. */
typedef struct disc_names {
    char **v;
    size_t n;
} disc_names;

typedef struct disc_fk {
    disc_names cols;     /* in the referencing table */
    char *ref_table;     /* in the same schema */
    disc_names ref_cols; /* in ref_table, same order */
} disc_fk;

typedef struct disc_table {
    char *name;
    disc_column *cols;
    size_t ncols;
    disc_names pk;
    disc_names *uniques;
    size_t nuniques;
    disc_fk *fks;
    size_t nfks;
    long long rows; /* exact COUNT(*) once measured; -1 before */
} disc_table;

typedef struct disc_catalog {
    conn_kind kind;
    char *schema; /* what generated SQL qualifies tables with; NULL for SQLite */
    disc_table *tables;
    size_t ntables;
} disc_catalog;

disc_table *disc_table_find(const disc_catalog *c, const char *name);
disc_table *disc_table_add(disc_catalog *c, const char *name);
disc_column *disc_column_find(const disc_table *t, const char *name);
disc_column *disc_column_add(disc_table *t, const char *name, const char *type, dcol_kind kind,
                             bool not_null);
/* A new (empty) foreign key to ref_table, or unique key, of t. */
disc_fk *disc_fk_add(disc_table *t, const char *ref_table);
disc_names *disc_unique_add(disc_table *t);
void disc_names_push(disc_names *n, const char *s);
bool disc_names_has(const disc_names *n, const char *s);
bool disc_names_same(const disc_names *a, const disc_names *b);
void disc_catalog_free(disc_catalog *c);

/*
 * What the readers share. Column rows: table, column, type, not null ("1",
 * "t" or "YES" when it is), kind (B boolean, N number, T text, D time, O
 * other), in table and column order. Key rows: table, constraint, kind (p
 * primary, u unique, f foreign), column, referenced table, referenced column
 * (NULL: the referenced table's primary key), ordered by table, constraint,
 * then position in the key.
 */
void disc_columns_from_rows(disc_catalog *c, const disc_rows *r);
void disc_keys_from_rows(disc_catalog *c, const disc_rows *r);

/*
 * How much a column's name says it holds the time of the row's event: 0 for
 * an audit column (last_update, updated_at, ...: when the row was last
 * written), 1 for a name saying nothing, 2 for a time-like name (*_at,
 * *_date, *_time, *_ts, *_on), 3 for created_at, ts, timestamp and the like,
 * 4 for the table's own (rental.rental_date, order.order_date).
 */
int disc_time_name_score(const char *table, const char *col);

/* The readers: tables of schema (partitions folded into their parent), columns, keys. */
bool discover_read_pg(disc_db *db, const char *schema, disc_catalog *out, char *err, size_t errlen);
bool discover_read_mysql(disc_db *db, const char *schema, disc_catalog *out, char *err,
                         size_t errlen);
bool discover_read_sqlite(disc_db *db, disc_catalog *out, char *err, size_t errlen);

/*
 * Exact row counts and distinct counts of the columns that could be
 * dimensions; on SQLite also which text columns named like times hold dates.
 */
bool discover_measure(disc_db *db, disc_catalog *c, char *err, size_t errlen);

/* ---- the layer (discover_layer.c) and its YAML (discover_emit.c) ---- */

typedef struct disc_def {
    char *name, *sql, *description;
} disc_def;

typedef struct disc_source {
    char *name, *description, *time_col, *time_alias, *sql;
    disc_names shared_dims; /* defined on another source, spliced here too */
    disc_def *dims;
    size_t ndims;
    disc_def *metrics;
    size_t nmetrics;
} disc_source;

typedef struct disc_layer {
    disc_source *sources;
    size_t nsources;
} disc_layer;

/* Builds the layer for connection_name; false with a message when no table is a fact. */
bool discover_layer_build(const disc_catalog *c, const char *connection_name, disc_layer *out,
                          char *err, size_t errlen);
void discover_layer_free(disc_layer *l);

/* Writes dir/sources, dir/dimensions, dir/metrics; false with a message in err. */
bool discover_emit(const disc_layer *l, const char *dir, const char *connection, char *err,
                   size_t errlen);

#endif
