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

#include "proxy/backend/blocking_db.h"
#include "semantic/catalog.h"

/* Seconds a connect may take. */
#define ROLLUP_DB_CONNECT_TIMEOUT_S 10

/* A blocking connection with the pools' session to a rollup's storage (on SQLite,
 * the rollups file attached as mimir_rollups, in write-ahead logging); statements go
 * through proxy/backend/blocking_db.h. NULL with the database's message in err. */
blocking_db *rollup_db_connect(const connection *c, char *err, size_t errlen);

/* A blocking connection with the pools' session to a source whose rollup is stored on
 * another connection: read only (SQLite: with Mimir's functions, nothing attached). */
blocking_db *rollup_db_connect_source(const connection *c, char *err, size_t errlen);

/* A string literal in the connection's dialect (malloc'd). */
char *rollup_db_literal(const blocking_db *db, const char *text);

#endif
