/*
 * What the files of proxy/http/ share, and nothing else includes: one HTTP
 * request being answered (an http_call), from its arrival to the last byte
 * of its answer.
 *
 * http_server.c receives requests, routes them and authenticates the user;
 * http_body.c turns a request's JSON into a statement; http_call.c plans and
 * runs the statement and streams its answer (it is execution's sink, as the
 * MySQL session is); http_catalog.c answers /v1/catalog.
 */
#ifndef MIMIR_PROXY_HTTP_HTTP_INTERNAL_H
#define MIMIR_PROXY_HTTP_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>

#include "planner/arena.h"
#include "planner/planner.h"
#include "planner/sql_error.h"
#include "proxy/exec/exec.h"
#include "proxy/http/http_format.h"
#include "proxy/obs/query_log.h"
#include "wire/buf.h"

typedef enum { HTTP_CATALOG, HTTP_QUERY, HTTP_SQL, HTTP_EXPLAIN, HTTP_PAGE } http_endpoint;

typedef struct http_call {
    struct evhttp_request *req; /* NULL once the client is gone */
    struct evhttp_connection *evcon;
    uint32_t id; /* for the log: "conn" of its query record */
    char peer[64];
    unsigned peer_port;
    char *user;
    http_endpoint endpoint;
    const struct http_asset *page; /* HTTP_PAGE: the web page's file asked for */
    http_format format;
    struct event *auth_wait; /* a login that waits its turn (proxy/login_guard.h) */
    /* The statement. */
    arena stmt;
    action act;
    query_log qlog;
    exec *running;
    /* The answer. */
    http_encoder *enc;
    buf staged;                /* encoded, not yet handed to the connection */
    bool started;              /* the status line and headers are out: chunks follow */
    bool paused;               /* execution waits until the connection's output drains */
    bool answered;             /* the answer is complete (or failed): nothing more is sent */
    uint64_t bytes_out;        /* handed to the connection */
    struct event *close_watch; /* the peer's FIN while a query runs (EV_CLOSED) */
    bool encode_failed;        /* a value the format cannot hold: the query is cancelled */
    sql_error encode_error;
    struct event *encode_cancel;
    /* exec_start may answer before it returns (a cache hit, an error at once): the call is
     * then freed only once it has returned. */
    bool in_exec_start, free_pending;
    /* The statement's text (in stmt), to run it again from the sources when a rollup
     * it read fails before the result's header (rollup_retry, from the loop). */
    const char *sql;
    size_t sql_len;
    bool header_seen;
    struct event *rollup_retry;
    struct http_call *prev, *next;
} http_call;

/* ---- http_server.c ---- */
/* Sends a complete answer: status, JSON error body, the headers an error needs. */
void http_send_error(http_call *c, int status, uint16_t code, const char *sqlstate, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));
/* Counts an answer's status for /metrics (mimir_http_responses_total). */
void http_count_answer(int status);
/* The HTTP status for a statement's error. */
int http_status_of(const sql_error *e);
/* The call is over: unlinked and freed (its request answered or gone). */
void http_call_free(http_call *c);

/* ---- http_body.c ---- */
/*
 * The statement a request stands for: /v1/query's inquiry or /v1/sql's
 * {"sql": ...}; /v1/explain takes either, and gets EXPLAIN in front. In c's
 * arena; false after sending the error (400).
 */
bool http_body_statement(http_call *c, const char **sql, size_t *len);

/* ---- http_call.c ---- */
/* Plans and answers sql for c's user. */
void http_call_run(http_call *c, const char *sql, size_t len);
/* The client closed its connection: stop without talking to it. */
void http_call_gone(http_call *c);
/* c->staged is the whole answer (200, in c->format): sent, and c freed. */
void http_call_send_whole(http_call *c);

/* ---- http_catalog.c ---- */
void http_catalog_answer(http_call *c);

#endif
