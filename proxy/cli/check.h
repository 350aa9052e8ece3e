/*
 * `mimir validate`'s checks against the databases: a blocking connection per
 * connection of the semantic layer (libpq, libmariadb or SQLite), on which a
 * statement is prepared and run with its parameters, returning no rows. A
 * command line has no event loop to keep responsive, so blocking calls are
 * the simple and right tool here; the server never uses this file.
 */
#ifndef MIMIR_PROXY_CLI_CHECK_H
#define MIMIR_PROXY_CLI_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/plan.h"
#include "semantic/catalog.h"

typedef struct check_conn check_conn;

/* Seconds a check waits for a database to answer a connect. */
#define CHECK_CONNECT_TIMEOUT_S 10

/* Connects; NULL with the database's message (one line) in err. */
check_conn *check_connect(const connection *c, char *err, size_t errlen);

/*
 * Runs SELECT * FROM (sql) AS mimir_check LIMIT 0: the database parses, plans
 * and starts it (so unknown tables, columns and functions show), but returns
 * nothing. False with the database's message (one line) in err.
 */
bool check_query(check_conn *cc, const char *sql, const query_param *params, size_t nparams,
                 char *err, size_t errlen);

void check_close(check_conn *cc);

/*
 * The connection's handle of its kind (NULL for the other kinds), for other
 * blocking work over a connection made exactly as validate makes it (mimir
 * discover reads catalogs on it). The handle stays check_close's to close.
 */
struct pg_conn;
struct st_mysql;
struct sqlite3;
struct pg_conn *check_pg(check_conn *cc);
struct st_mysql *check_mysql(check_conn *cc);
struct sqlite3 *check_sqlite(check_conn *cc);

/* A database's message on one line (line breaks and tabs as spaces, no trailing blank). */
void check_one_line(char *err, size_t errlen, const char *msg);

#endif
