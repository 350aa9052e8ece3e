/*
 * `mimir query --host http://HOST:PORT` (or https://), the prototype's remote
 * mode: the inquiry goes to a server's HTTP API (docs/http.md) as JSON, with
 * HTTP Basic authentication, through libcurl; the JSON answer is handed back
 * as text cells for the command line's printers (output.h). Errors are
 * printed as the mariadb client prints them: ERROR code (SQLSTATE): text.
 */
#ifndef MIMIR_PROXY_CLI_REMOTE_HTTP_H
#define MIMIR_PROXY_CLI_REMOTE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* True when text is an http:// or https:// URL. */
bool remote_http_url(const char *text);

typedef struct remote_http_target {
    const char *base_url; /* http://host:port, without a trailing slash */
    const char *user;
    const char *password; /* NULL: empty */
    const char *cacert;   /* https: the CA file to verify the server with; NULL: the system's */
} remote_http_target;

typedef struct remote_http_result {
    size_t ncols, nrows;
    char **names;
    bool *numeric; /* numbers right-aligned in a table, bare in JSON */
    char **cells;  /* nrows * ncols, row-major; NULL for SQL NULL */
} remote_http_result;

/* POSTs body (JSON) to path; false after printing why (with the command name). */
bool remote_http_post(const remote_http_target *t, const char *path, const char *body,
                      remote_http_result *out, const char *cmd);
void remote_http_result_free(remote_http_result *r);

#endif
