/*
 * A blocking connection for rollup builds (proxy/rollups/): libpq, libmariadb
 * or SQLite calls made on a worker thread or by the command line, never on the
 * event loop. It connects as the pools do (proxy/backend/pg_conninfo.h, the
 * same TLS settings: proxy/backend/db_tls.h; SQLite with Mimir's functions,
 * and the rollups file attached as mimir_rollups).
 */
#ifndef MIMIR_PROXY_ROLLUPS_ROLLUP_DB_H
#define MIMIR_PROXY_ROLLUPS_ROLLUP_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/plan.h"
#include "semantic/catalog.h"

typedef struct rollup_db rollup_db;

/* Seconds a connect may take. */
#define ROLLUP_DB_CONNECT_TIMEOUT_S 10

/* The SQLite file that holds a SQLite connection's rollups: beside its database. */
char *rollup_db_sqlite_file(const connection *c);

rollup_db *rollup_db_connect(const connection *c, char *err, size_t errlen);
void rollup_db_close(rollup_db *db);
conn_kind rollup_db_kind(const rollup_db *db);

/* Runs a statement (parameters as text, in the connection's dialect).
 */
bool rollup_db_exec(rollup_db *db, const char *sql, const query_param *params, size_t nparams,
                    char *err, size_t errlen);

/* The first row of a query as malloc'd texts (NULL for SQL NULL) in cells[0 ..
 * ncols); *found false when there is no row. */
bool rollup_db_row(rollup_db *db, const char *sql, char **cells, size_t ncols, bool *found,
                   char *err, size_t errlen);

/* A string literal in the connection's dialect (malloc'd). */
char *rollup_db_literal(const rollup_db *db, const char *text);

#endif
