/*
 * The server's rollup builds (docs/rollups.md): one job per rollup of the
 * semantic layer in force, run on a worker thread (proxy/workers.h) with its
 * own blocking connection, and scheduled with libevent timers on the loop:
 * at start (a rollup built elsewhere or before a restart, with the same
 * definition and refreshed less than refresh_every ago, is reused as it is),
 * then every refresh_every; after a failure, again after a backoff (5 s,
 * doubling, at most refresh_every); after a reload, at once for a rollup that
 * is new or whose definition changed, while the others keep their schedule.
 * One build runs at a time, so that a worker stays free for the server's other
 * blocking work. Loop thread only.
 */
#ifndef MIMIR_PROXY_ROLLUPS_ROLLUP_SCHED_H
#define MIMIR_PROXY_ROLLUPS_ROLLUP_SCHED_H

#include <stddef.h>

/* Schedules the rollups of the current semantic layer (srv.cat); again after a reload. */
void rollup_sched_sync(void);

struct rollup_ready;

/*
 * The rollups that may answer queries now (planner/rollup_route.h): built or found
 * fresh by this server with the definition in force; one whose refresh failed
 * stays with its last good build. Valid until the loop runs again.
 */
const struct rollup_ready *rollup_sched_ready(size_t *n);

/* Cancels every timer; a build running on a worker finishes, and its result is dropped. */
void rollup_sched_stop(void);

#endif
