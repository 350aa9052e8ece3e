/*
 * A small pool of threads for work that must not run on the event loop:
 * calls that block (PQcancel opens a connection to the server) or that can
 * run long. A job runs on a worker; its completion callback runs on the loop.
 */
#ifndef MIMIR_PROXY_WORKERS_H
#define MIMIR_PROXY_WORKERS_H

#include <stdbool.h>

#include <event2/event.h>

typedef void (*work_fn)(void *arg);

bool workers_start(struct event_base *base, int nthreads);
/* Queues fn(arg) on a worker, then done(arg) on the loop (done may be NULL). */
void workers_submit(work_fn fn, work_fn done, void *arg);
/* Finishes queued jobs and joins the threads; completion callbacks still pending run. */
void workers_stop(void);

#endif
