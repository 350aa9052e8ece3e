/*
 * Runs a plan for a client: gets a backend connection per atomic query from
 * the pools, runs them concurrently, and either streams the single source's
 * rows straight to the client or loads every partial result into the combine
 * and streams the final rows.
 *
 * An execution outlives its answer when it must: once the client has its
 * answer, or is gone, or the query was cancelled or timed out, the backend
 * queries still running are cancelled on their databases and the execution
 * frees itself when they have ended, handing clean connections back to the
 * pools.
 */
#ifndef MIMIR_PROXY_EXEC_EXEC_H
#define MIMIR_PROXY_EXEC_EXEC_H

#include <stdint.h>

#include "planner/plan.h"
#include "proxy/cache/cache_policy.h"
#include "proxy/session/client.h"

/* Starts the plan; the client hears back through client_send_* and client_query_done.
 * timeout_ms 0: no time limit. */
exec *exec_start(client *cl, const plan *p, uint64_t timeout_ms);
/* The client's output drained: a paused stream may go on. */
void exec_resume(exec *ex);
/* Stops the query: the client (while attached) gets this error and is free again. */
void exec_cancel(exec *ex, uint16_t code, const char *sqlstate, const char *message);
/* The client went away: stop without talking to it. */
void exec_detach(exec *ex);
/* What the result cache did for this execution (for the query log and /metrics). */
cache_outcome exec_cache_outcome(const exec *ex);
/* Executions not yet freed (still answering or still cancelling). */
unsigned exec_count(void);

#endif
