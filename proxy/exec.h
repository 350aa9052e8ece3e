/*
 * Runs a plan for a client: gets a backend connection per atomic query from
 * the pools, runs them concurrently, and either streams the single source's
 * rows straight to the client or loads every partial result into the combine
 * and streams the combined rows.
 */
#ifndef MIMIR_PROXY_EXEC_H
#define MIMIR_PROXY_EXEC_H

#include "planner/plan.h"
#include "proxy/client.h"

/* Starts the plan; the client hears back through client_send_* and client_query_done. */
exec *exec_start(client *cl, const plan *p);
/* The client's output drained: a paused stream may go on. */
void exec_resume(exec *ex);
/* The client went away: stop everything and free, without talking to it. */
void exec_abort(exec *ex);

#endif
