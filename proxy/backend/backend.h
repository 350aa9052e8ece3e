/*
 * What the executor sees of a backend connection, whatever the database
 * behind it (PostgreSQL, MySQL/MariaDB, SQLite): run one atomic query and
 * deliver its columns, its rows (as MySQL text-protocol values) and its end
 * to a sink, with pause/resume so a slow client slows the backend down instead
 * of making Mimir buffer the result.
 *
 * proxy/backend/ owns the connectors and their pools (README.md there). It
 * knows atomic queries (planner/plan.h) and connections (semantic/catalog.h),
 * and nothing of who asks: not the client session, not execution's callers,
 * not the server. Everything a connector needs from outside (the event base,
 * the connect timeout) comes in backend_settings, from the pool.
 */
#ifndef MIMIR_PROXY_BACKEND_BACKEND_H
#define MIMIR_PROXY_BACKEND_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "planner/plan.h"
#include "planner/value_type.h"

typedef struct backend_sink {
    void *ctx;
    /* Once, before the first row. */
    void (*on_columns)(void *ctx, const result_column *cols, size_t n);
    /* values[i] NULL is SQL NULL; valid only during the call. */
    void (*on_row)(void *ctx, const char *const *values, const size_t *lengths);
    /*
     * Optional: the backend has delivered every row it holds and now waits
     * (for the network, a worker, its next turn). Rows the sink staged should
     * go out now rather than wait for more.
     */
    void (*on_flush)(void *ctx);
    /*
     * Last call for the query; error NULL on success. After it the sink must
     * hand the connection back (pool_release) or close it; the backend does
     * not touch it again.
     */
    void (*on_done)(void *ctx, const char *error);
    /*
     * Optional: ends the query instead of on_done when the connector itself
     * refuses it with an error the client should get as it is, MySQL code and
     * SQLSTATE included, rather than as a database's failure (1105): the MySQL
     * connector's 1298 for a named time zone its server cannot convert. The
     * message names the source and the connection already. Without it, on_done
     * gets the message. Same contract as on_done otherwise.
     */
    void (*on_refused)(void *ctx, uint16_t code, const char *sqlstate, const char *message);
} backend_sink;

typedef struct backend_conn backend_conn;
typedef struct pool pool;
struct event_base;

/*
 * What a connector needs from whoever opens its connections (the pool, which
 * has it from its pool_settings). Passed at connect time; a connection keeps
 * its own copy of what it uses later, so these settings may change (a reload)
 * under connections already open.
 */
typedef struct backend_settings {
    struct event_base *base; /* the loop every event of the connection runs on */
    int connect_timeout_s;   /* the connect fails after this long */
} backend_settings;

typedef struct backend_ops {
    void (*run)(backend_conn *c, const atomic_query *q, const backend_sink *sink);
    void (*pause)(backend_conn *c);
    void (*resume)(backend_conn *c);
    /* Starts watching an idle connection so a dead one leaves the pool early. */
    void (*idle)(backend_conn *c);
    void (*close)(backend_conn *c);
    /*
     * Asks the database to stop the running query (PQcancel, KILL QUERY, ...)
     * without blocking the loop. The query still ends through on_done, with
     * an error, and the connection is reusable afterwards. NULL when the
     * backend cannot cancel: the executor then closes the connection.
     */
    void (*cancel)(backend_conn *c);
    /*
     * Optional: false when an idle connection is seen to be dead without
     * waiting (its socket readable, closed, or with keepalive probes or data
     * unanswered). The pool asks before reusing a connection idle for the
     * secrets' idle_check_after; NULL means always alive. *why: what was
     * seen, for the log.
     */
    bool (*alive)(backend_conn *c, const char **why);
} backend_ops;

/* Common head of every backend connection. */
struct backend_conn {
    const backend_ops *ops;
    pool *owner;
    backend_conn *next_idle;
    bool broken;       /* failed in a way that makes it unusable: close instead of reuse */
    time_t idle_since; /* when it was last handed back to its pool */
};

/* Called when an asynchronous connect finishes: conn, or NULL and an error. */
typedef void (*backend_connected_cb)(void *ctx, backend_conn *conn, const char *error);

/*
 * Start opening a connection; cb runs once it is open or has failed, possibly
 * before the call returns. They return the connection while it is still being
 * opened, so that its pool can close it if the server stops first (close works
 * in any state), and NULL when cb already ran.
 */
struct connection;
backend_conn *pg_backend_connect(const struct connection *c, const backend_settings *s, pool *owner,
                                 backend_connected_cb cb, void *ctx);
backend_conn *sqlite_backend_connect(const struct connection *c, const backend_settings *s,
                                     pool *owner, backend_connected_cb cb, void *ctx);
backend_conn *mysql_backend_connect(const struct connection *c, const backend_settings *s,
                                    pool *owner, backend_connected_cb cb, void *ctx);

/* Renders into text the way MySQL's text protocol would, for numeric DECIMAL scale. */
int decimal_scale(const char *text, size_t len);

/*
 * How each connector describes a column of a result (its name points into the
 * result), shared with blocking work (proxy/backend/blocking_db.h) so that both tell
 * the same type: PostgreSQL's column i of res (a NUMERIC without a declared scale
 * takes its first value's), MariaDB's field f, SQLite's column i of st (first_type:
 * the storage class of the first row, 0 without one; planned: the planner's type of
 * it, VT_NULL if none).
 */
struct pg_result;
struct st_mysql_field;
struct sqlite3_stmt;
void pg_describe_column(const struct pg_result *res, int i, result_column *col);
void mysql_describe_field(const struct st_mysql_field *f, result_column *col);
void sqlite_describe_column(struct sqlite3_stmt *st, int i, int first_type, value_type planned,
                            result_column *col);

#endif
