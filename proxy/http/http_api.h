/*
 * The HTTP API (docs/http.md): `mimir serve --http-port N`, or `http:` in
 * the server configuration. It answers on the server's loop, with the same
 * users, grants, planner, execution, limits, result cache and query log as
 * the MySQL port:
 *
 *   GET  /v1/catalog   what the user may query: sources, metrics, dimensions, grains
 *   POST /v1/query     an inquiry as JSON (the prototype's: metrics, dimensions, ...)
 *   POST /v1/sql       {"sql": "..."}: any statement the MySQL port answers
 *   POST /v1/explain   what EXPLAIN shows for an inquiry or a statement
 *
 * Results stream in JSON, CSV or the Arrow IPC stream format, as the Accept
 * header asks. Only proxy/boot.c includes this folder.
 */
#ifndef MIMIR_PROXY_HTTP_HTTP_API_H
#define MIMIR_PROXY_HTTP_HTTP_API_H

#include <stdbool.h>

struct server_sessions;

/* Listens on srv.cfg.http_host:http_port (HTTPS when srv.cfg.http_tls); false (logged) when it
 * cannot. */
bool http_api_start(void);
/* At exit, once the loop has stopped. */
void http_api_stop(void);

/* The requests in flight, as the server counts and closes sessions (proxy/server.h). */
extern const struct server_sessions http_sessions;

#endif
