/*
 * Column types discovered from the backends. Once the server listens, and
 * again after every reload, each source on a PostgreSQL (or MySQL) connection
 * gets one probe query (planner/type_probe.h: the source with all its
 * dimensions and metrics, LIMIT 0) through the ordinary pools, never blocking
 * the loop. The sources of one connection are probed one after the other on
 * one pooled connection. What the results' column types say is recorded
 * (planner/discovered_types.h) and information_schema is rebuilt with it and
 * swapped in between two statements; declared `type:` keys always win.
 *
 * A connection that cannot be reached, or a probe that fails, leaves its
 * sources with their declared or default types and is retried with backoff
 * (1 s doubling up to 30 s), logging one line when it starts failing (and
 * when the error changes), not one per retry. SQLite sources are not probed:
 * SQLite types values, not result columns, so a result without rows says
 * nothing; they keep their declared or default types.
 *
 * Why it lives here, next to server.c, and not in proxy/backend/: it is a
 * job of the server, not a part of the connectors. It runs on the semantic
 * layer in force (srv.cat), is started and stopped by the server's life
 * (listen, reload, shutdown), swaps the server's information_schema, and is
 * the server's one discovery (srv.discovery, read by sessions through
 * type_discovery_types). Towards the backends it is a client of the pools,
 * as execution is. Handing it all that as parameters would only move the
 * server's state into its signature; proxy/backend/ stays below the server.
 */
#ifndef MIMIR_PROXY_TYPE_DISCOVERY_H
#define MIMIR_PROXY_TYPE_DISCOVERY_H

#include <stdbool.h>

/*
 * Discovers the types of srv.cat's sources, stopping any discovery already
 * running first. Call once the loop and the pools exist, and after every
 * reload has installed its catalog.
 */
void type_discovery_start(void);

/*
 * Stops discovery: queued requests are withdrawn, probes in flight are
 * dropped (their connection closed), retries forgotten. Call before the
 * catalog it runs on is freed, and at shutdown. Does nothing when idle.
 */
void type_discovery_stop(void);

/* Whether every connection's first pass has ended (typed, or failed and retrying):
 * what a one-shot command waits for before it plans. */
bool type_discovery_settled(void);
/* The column types learnt so far for the current semantic layer (NULL: none yet). */
struct discovered_types;
const struct discovered_types *type_discovery_types(void);

#endif
