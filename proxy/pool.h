/*
 * A pool of backend connections per connection name: reuse idle ones, open
 * new ones up to a limit, queue requests beyond it. Connects are asynchronous,
 * so asking for a connection never blocks the loop.
 */
#ifndef MIMIR_PROXY_POOL_H
#define MIMIR_PROXY_POOL_H

#include "proxy/backend.h"
#include "semantic/catalog.h"

typedef struct pool_request pool_request;

pool *pool_new(const connection *c, int max_size);
void pool_free(pool *p);

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
