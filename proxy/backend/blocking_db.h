/*
 * A blocking connection to a database of the semantic layer (libpq,
 * libmariadb or SQLite), for work that runs outside the event loop: the
 * command line's checks (`mimir validate`, `mimir discover`) and rollup builds
 * (proxy/rollups/, on a worker thread or in `mimir rollups build`). It
 * connects with the pools' settings (proxy/backend/pg_conninfo.h, the same
 * TLS settings: proxy/backend/db_tls.h). The server's queries never use it:
 * they go through the asynchronous connectors on the loop.
 */
#ifndef MIMIR_PROXY_BACKEND_BLOCKING_DB_H
#define MIMIR_PROXY_BACKEND_BLOCKING_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/plan.h"
#include "semantic/catalog.h"

typedef struct blocking_db blocking_db;

typedef struct blocking_db_options {
    int connect_timeout_s;
    /* SQLite: open the file for writing (else read-only). */
    bool writable;
    /* A session as the pools open one: MySQL in UTC with their sql_mode; PostgreSQL's
     * NOTICEs ("... already exists, skipping") kept out of the log. */
    bool pool_session;
} blocking_db_options;

/* Connects; NULL with the database's message (one line) in err. */
blocking_db *blocking_db_connect(const connection *c, const blocking_db_options *o, char *err,
                                 size_t errlen);
void blocking_db_close(blocking_db *db);
conn_kind blocking_db_kind(const blocking_db *db);

/* Runs a statement with its parameters (text, in the connection's dialect), its rows
 * read and dropped; false with the database's message (one line) in err. */
bool blocking_db_exec(blocking_db *db, const char *sql, const query_param *params, size_t nparams,
                      char *err, size_t errlen);

/* The first row of a query as malloc'd texts (NULL for SQL NULL) in cells[0 .. ncols);
 * *found false when there is no row. */
bool blocking_db_row(blocking_db *db, const char *sql, char **cells, size_t ncols, bool *found,
                     char *err, size_t errlen);

/* The columns of atomic query q's result as the connectors describe them
 * (proxy/backend/backend.h), its rows read and dropped: *cols malloc'd (names NULL),
 * *ncols of them. For the type probe's LIMIT 0 (planner/type_probe.h) without a server.
 * False with the database's message (one line) in err. */
bool blocking_db_describe(blocking_db *db, const atomic_query *q, result_column **cols,
                          size_t *ncols, char *err, size_t errlen);

/* The connection's handle of its kind (NULL for the other kinds), for other blocking
 * work on it; it stays blocking_db_close's to close. */
struct pg_conn;
struct st_mysql;
struct sqlite3;
struct pg_conn *blocking_db_pg(blocking_db *db);
struct st_mysql *blocking_db_mysql(blocking_db *db);
struct sqlite3 *blocking_db_sqlite(blocking_db *db);

/* A database's message on one line (line breaks and tabs as spaces, no trailing blank). */
void blocking_db_one_line(char *err, size_t errlen, const char *msg);

#endif
