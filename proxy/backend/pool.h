/*
 * A pool of backend connections per connection name: reuse idle ones, open
 * new ones up to a limit, queue requests beyond it. Connects are asynchronous,
 * so asking for a connection never blocks the loop.
 */
#ifndef MIMIR_PROXY_BACKEND_POOL_H
#define MIMIR_PROXY_BACKEND_POOL_H

#include "proxy/backend/backend.h"
#include "semantic/catalog.h"

typedef struct pool_request pool_request;

/* The pool keeps its own copy of c, so it outlives the catalog c came from (reloads). */
pool *pool_new(const connection *c, int max_size);
void pool_free(pool *p);
/* True when c connects exactly as the pool does (same name, kind and parameters). */
bool pool_matches(const pool *p, const connection *c);
/*
 * Housekeeping, called about once a second: closes connections idle for more
 * than idle_timeout_s, fails requests queued for more than queue_timeout_s.
 */
void pool_maintain(pool *p, time_t now, int idle_timeout_s, int queue_timeout_s);
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
