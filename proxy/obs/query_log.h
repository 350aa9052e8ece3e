/*
 * One record per client statement, for the log and the counters: who ran
 * it, what it asked (metrics, dimensions), how each source's atomic query
 * went, the combine, the bytes and rows sent, and how it ended. The line is
 * the JSON object agreed in docs/operations.md ("Query log"):
 *
 *   {"ts":"...","level":"info","event":"query","conn":12,"user":"analyst",
 *    "client":"127.0.0.1:53122","protocol":"mysql","statement":"select","metrics":[...],
 *    "dimensions":[...],"sources":[{"name":"rentals","connection":"pagila",
 *    "backend_ms":12.3,"rows":16}],"combine_ms":null,"total_ms":14.1,
 *    "rows":16,"bytes":1234,"cache":"off","status":"ok","error_code":0,
 *    "error":null}
 *
 * Levels: statements that run on the backends, and statements answered with
 * an error, are logged at info and counted in mimir_queries_total. Session
 * statements the planner answers by itself (SET, SHOW, USE, SELECT
 * @@version_comment, information_schema, ...) are logged at debug only: BI
 * tools send dozens of them per connection. The statement text ("sql") is
 * added at debug level only: its literals may be sensitive (customer names,
 * e-mail addresses in filters).
 *
 * A record is an object of its own: whoever answers statements owns one (a
 * MySQL session keeps one for its statement) and hands it to execution,
 * which fills in the per-source figures, the combine and the cache outcome
 * while the owner waits for the answer.
 */
#ifndef MIMIR_PROXY_OBS_QUERY_LOG_H
#define MIMIR_PROXY_OBS_QUERY_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner/plan.h"
#include "proxy/obs/stats.h"
#include "wire/buf.h"

typedef struct query_log_source {
    double backend_ms; /* < 0 while its query has not finished */
    uint64_t rows;
} query_log_source;

typedef struct query_log {
    bool active;       /* a statement is being answered */
    bool session_stmt; /* answered by the planner: debug level */
    uint64_t start_ns; /* stats_now_ns() when the statement arrived */
    uint64_t bytes_at_start;
    char statement[24];        /* its first keyword, lower case ("select", "show") */
    char *sql;                 /* the text, kept only when debug records are written */
    const plan *plan;          /* while it runs: metrics, dimensions, sources */
    query_log_source *sources; /* kept from statement to statement (see query_log.c) */
    size_t nsources;
    size_t sources_cap;
    double combine_ms; /* < 0: no combine (one source streamed) */
    uint64_t rows;     /* rows sent to the client */
    /* "off" until a result cache sets "hit", "miss" or "bypass". */
    const char *cache;
    uint16_t error_code; /* the first error sent for the statement; 0 for none */
    char error[512];
} query_log;

/* Who ran a statement, for its record. */
typedef struct query_log_origin {
    uint32_t conn;
    const char *user;
    const char *peer; /* the client's address */
    unsigned peer_port;
    const char *protocol; /* "mysql" (NULL gives it) or "http" */
    uint64_t bytes_out;   /* the owner's bytes sent so far (the record counts the difference) */
} query_log_origin;

/* A statement arrived (before planning); bytes_out: the owner's bytes sent so far. */
void query_log_begin(query_log *q, const char *sql, size_t len, uint64_t bytes_out);
/* It became an execution of p. */
void query_log_plan(query_log *q, const plan *p);
/* Source i's atomic query ended after ms with rows rows. */
void query_log_source_done(query_log *q, size_t i, double ms, uint64_t rows);
/* The error the client was sent (the first one counts). */
void query_log_error(query_log *q, uint16_t code, const char *message);
/*
 * The statement is answered (or abandoned): writes the record and counts it
 * in stats. status is how it ended when it is not told by the error code (ok,
 * killed when the session was closed by KILL, disconnected when the client
 * left); 1317 and 3024 make it killed and timeout.
 */
void query_log_finish(query_log *q, const query_log_origin *who, server_stats *stats,
                      query_status status);
/* Frees what the record holds (when the session ends). */
void query_log_free(query_log *q);
/* Whether records are written at all (`log: queries:`); they are counted either way. */
void query_log_set_enabled(bool on);

/* Appends the JSON record (without the newline); for the log and unit tests. */
typedef struct query_log_who {
    uint32_t conn;
    const char *user;
    const char *client;   /* host:port */
    const char *protocol; /* "mysql" (NULL gives it) or "http" */
    const char *level;    /* "info" or "debug" */
    const char *ts;       /* ISO 8601, UTC, milliseconds */
} query_log_who;
void query_log_render(buf *b, const query_log *q, const query_log_who *who, query_status status,
                      double total_ms, uint64_t bytes, bool with_sql);

#endif
