/*
 * A pool of backend connections per connection name: reuse idle ones, open
 * new ones up to a limit, queue requests beyond it. Connects are asynchronous,
 * so asking for a connection never blocks the loop.
 *
 * The pool is given everything it uses (the event base, its size, its
 * timeouts) in pool_settings, and never reaches for the server: the server
 * makes one per connection of its catalog, execution and type discovery ask
 * it for connections, and a unit test can drive one with a bare event base.
 * Nor does it know who asks: a request is a callback and its context, whether
 * a client session's query, type discovery or a test is behind it.
 */
#ifndef MIMIR_PROXY_BACKEND_POOL_H
#define MIMIR_PROXY_BACKEND_POOL_H

#include "proxy/backend/backend.h"
#include "semantic/catalog.h"

typedef struct pool_request pool_request;

typedef struct pool_settings {
    struct event_base *base; /* the loop deliveries and connections run on */
    int max_size;            /* connections open or opening at most; below 1 means 1 */
    int connect_timeout_s;   /* handed to the backend's connect */
    int queue_timeout_s;     /* a request queued this long fails (pool_maintain) */
    int idle_timeout_s;      /* a connection idle this long is closed (pool_maintain) */
} pool_settings;

/*
 * The pool keeps its own copy of c, so it outlives the catalog c came from
 * (reloads), and of s.
 */
pool *pool_new(const connection *c, const pool_settings *s);
/*
 * A reload's timeouts (connect, queue, idle) apply from now on; the base and
 * max_size stay those the pool was made with.
 */
void pool_update_timeouts(pool *p, const pool_settings *s);
void pool_free(pool *p);
/* True when c connects exactly as the pool does (same name, kind and parameters). */
bool pool_matches(const pool *p, const connection *c);
/*
 * Housekeeping, called about once a second: closes connections idle for
 * idle_timeout_s or more, fails requests queued for queue_timeout_s or more.
 * now is the caller's clock (time(NULL)), so a test can move it on.
 */
void pool_maintain(pool *p, time_t now);
/* Connections open or opening, and requests waiting (for SHOW STATUS and tests). */
int pool_size_now(const pool *p);
/* For /metrics: idle connections, busy ones (running a query or being opened), waiters. */
void pool_counts(const pool *p, int *idle, int *busy, int *waiting);

/*
 * Asks for a connection; cb runs later from the loop (never from inside this
 * call) with a connection or an error. The returned request can be cancelled
 * until cb has run.
 */
pool_request *pool_acquire(pool *p, backend_connected_cb cb, void *ctx);
void pool_cancel(pool_request *r);

/* Gives a connection back after its query ended; broken ones are closed. */
void pool_release(backend_conn *c);

const connection *pool_connection(const pool *p);

/* Called by a backend when an idle connection turned out dead. */
void pool_discard_idle(backend_conn *c);

#endif
