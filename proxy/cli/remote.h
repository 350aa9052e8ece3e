/*
 * `mimir query --host`'s client side: a libmariadb connection to a Mimir
 * server, one statement run on it, and its rows printed as a table, CSV or
 * JSON. Errors are printed as the mariadb client prints them: ERROR code
 * (SQLSTATE): text.
 */
#ifndef MIMIR_PROXY_CLI_REMOTE_H
#define MIMIR_PROXY_CLI_REMOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "proxy/cli/output.h"

typedef struct remote_target {
    char host[256];
    unsigned port;
    const char *user;
    const char *password;
} remote_target;

/* HOST, HOST:PORT, [IPv6]:PORT, optionally mysql:// in front; port default 3306. Another
 * scheme is an error at once (http:// and https:// are remote_http.h's). */
bool remote_target_parse(const char *text, remote_target *t, char *err, size_t errlen);

typedef struct remote remote;

/* Connects to database mimir; NULL after printing why (with the command name). */
remote *remote_connect(const remote_target *t, const char *cmd);
void remote_close(remote *r);

/* Runs sql and prints its result; false after printing the error. */
bool remote_print(remote *r, const char *sql, out_format format, const char *cmd);

/*
 * Runs sql and hands back its rows as text: *rows holds nrows * ncols
 * malloc'd values (NULL for SQL NULL), row-major; free with remote_rows_free.
 * false after printing the error.
 */
bool remote_fetch(remote *r, const char *sql, size_t *ncols, char ***rows, size_t *nrows,
                  const char *cmd);
void remote_rows_free(char **rows, size_t n);

#endif
