/*
 * Runs a plan: gets a backend connection per atomic query from the pools,
 * runs them concurrently, and either streams the single source's rows
 * straight to the caller or loads every partial result into the combine and
 * streams the final rows.
 *
 * Execution does not know who asked. The caller implements an exec_sink
 * (column definitions, rows, the end or an error, and "may I send more?"),
 * the way backends deliver to execution through backend_sink: the MySQL
 * session is one caller, `mimir query` run locally another, and the HTTP API
 * and rollup builds will be more. What execution needs of the process (the
 * event loop, the pools, the semantic layer in force, the counters) comes in
 * an exec_env, so that it includes neither the session nor the server.
 *
 * An execution outlives its answer when it must: once the caller has its
 * answer, or is gone, or the query was cancelled or timed out, the backend
 * queries still running are cancelled on their databases and the execution
 * frees itself when they have ended, handing clean connections back to the
 * pools.
 */
#ifndef MIMIR_PROXY_EXEC_EXEC_H
#define MIMIR_PROXY_EXEC_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner/plan.h"
#include "planner/sql_error.h"
#include "proxy/cache/cache_policy.h"
#include "proxy/obs/query_log.h"
#include "proxy/obs/stats.h"

typedef struct exec exec;
struct pool;
struct event_base;
struct result_cache;
struct wire_column; /* wire/protocol.h, which libmariadb's mysql.h clashes with */

/*
 * Where a result goes. After end or error the execution never calls the sink
 * again; every other call comes before them. header comes once, before any
 * row (an error may come instead of it, or after some rows). A sink must not
 * call exec_cancel, exec_detach or exec_resume from inside these callbacks:
 * execution is in the middle of its own work there; it may from any other
 * event of the loop.
 */
typedef struct exec_sink {
    void *ctx;
    /* The result's columns (names and types, as MySQL describes them); valid during the call. */
    void (*header)(void *ctx, const struct wire_column *cols, size_t n);
    /* values[i] NULL is SQL NULL; valid only during the call. */
    void (*row)(void *ctx, const char *const *values, const size_t *lengths, size_t n);
    /* The result is complete. */
    void (*end)(void *ctx);
    /* The statement failed (after some rows, possibly): this is its answer. */
    void (*error)(void *ctx, const sql_error *e);
    /*
     * "May I send more?": true when the caller holds more unsent output than
     * it allows. Execution then pauses its backend (or the combine) until the
     * caller calls exec_resume. It is asked after each row of a stream, and
     * between the batches of the combine (1024 rows or 256 KiB) or of a cached
     * result (256 rows or 256 KiB): the rest of a batch may still arrive after
     * it first said true.
     */
    bool (*full)(void *ctx);
    /* Rows the caller staged should go out now: the backend waits for its database. */
    void (*flush)(void *ctx);
} exec_sink;

/*
 * What execution needs of the process that runs it. It outlives every
 * execution started with it (the server's, or the command line's).
 */
typedef struct exec_env {
    struct event_base *base;
    server_stats *stats; /* per-source latency and rows, cache hits and misses */
    void *ctx;           /* for the calls below */
    /* The pool of a connection of the semantic layer the plan was made on. */
    struct pool *(*pool_for)(void *ctx, const struct connection *c);
    /* Keeps that semantic layer (its connections and pools) alive while the execution runs. */
    void *(*hold_layer)(void *ctx);
    void (*release_layer)(void *ctx, void *layer);
} exec_env;

/* One statement to run. */
typedef struct exec_request {
    const plan *plan;               /* the caller's: kept until the sink hears end or error */
    uint64_t timeout_ms;            /* 0: no time limit */
    uint64_t max_rows;              /* rows returned or staged; 0: no limit */
    uint64_t max_bytes;             /* bytes returned or staged; 0: no limit */
    struct result_cache *cache;     /* NULL: no result cache */
    const char *grants_fingerprint; /* the caller's grants, part of the cache key */
    query_log *record; /* filled in as the statement runs (sources, combine, cache); may be NULL */
} exec_request;

/*
 * Starts the request; the caller hears back through sink. Returns NULL when
 * the answer was given already (from the cache, or an error at once).
 */
exec *exec_start(const exec_env *env, const exec_request *req, const exec_sink *sink);
/* The caller's output drained: a paused stream may go on. */
void exec_resume(exec *ex);
/* Stops the query: the caller (while attached) gets this error as its answer. */
void exec_cancel(exec *ex, uint16_t code, const char *sqlstate, const char *message);
/* The caller went away: stop without talking to it. */
void exec_detach(exec *ex);
/* Executions not yet freed (still answering or still cancelling). */
unsigned exec_count(void);

#endif
