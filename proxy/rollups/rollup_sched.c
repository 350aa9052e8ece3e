/* The server's rollup builds and refreshes: see rollup_sched.h. */
#include "proxy/rollups/rollup_sched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "planner/rollup_route.h"
#include "proxy/log.h"
#include "proxy/rollups/rollup_build.h"
#include "proxy/rollups/rollup_types.h"
#include "proxy/server.h"
#include "proxy/type_discovery.h"
#include "proxy/workers.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

/* The first retry after a failure; each further one waits twice as long. */
#define ROLLUP_BACKOFF_FIRST_S 5
/* Another server holds the lock: look again this soon (its build may take a while). */
#define ROLLUP_BUSY_RETRY_S 10
/* One build at a time: the other worker stays free for what cannot wait (PQcancel of a
 * KILL QUERY); a rollup whose time came meanwhile looks again this soon. */
#define ROLLUP_QUEUE_RETRY_S 1

typedef struct rollup_job {
    char *name;
    char hash[32]; /* the definition it was last scheduled with ("" unknown) */
    long refresh_every_s;
    struct event *timer;
    unsigned failures;  /* in a row */
    bool running;       /* a worker has it */
    bool again;         /* a reload asked for a run while it was running */
    bool removed;       /* no longer in the layer: freed when its run ends */
    bool first;         /* not run yet on this server: reuse a fresh build */
    bool ready;         /* built with the definition in force: queries may read it */
    rollup_ready state; /* when ready: its watermark, last refresh and rows */
    /* Its source's time column's type as last discovered (rollup_types.h): a reload
     * forgets the server's until type discovery runs again. */
    discovered_types *types;
} rollup_job;

/* One run on a worker: what it reads stays alive through the catalog it holds. */
typedef struct rollup_run {
    rollup_job *job;
    catalog_gen *gen;
    const source *src;
    const rollup *r;
    discovered_types *types; /* the run's own copy: the loop may change the server's */
    rollup_build_mode mode;
    rollup_result res;
} rollup_run;

static struct {
    rollup_job **jobs;
    size_t n;
    bool stopped;
    unsigned running;    /* builds on a worker now (at most one) */
    rollup_ready *ready; /* the ready jobs' states, for the planner */
    size_t nready;
} sched;

/* Lists the ready jobs again (after any of them changed). */
static void list_ready(void)
{
    sched.nready = 0;
    sched.ready = xreallocarray(sched.ready, sched.n + 1, sizeof *sched.ready);
    for (size_t i = 0; i < sched.n; i++)
        if (sched.jobs[i]->ready)
            sched.ready[sched.nready++] = sched.jobs[i]->state;
}

const rollup_ready *rollup_sched_ready(size_t *n)
{
    *n = sched.nready;
    return sched.ready;
}

/* A build or refresh that succeeded, or a fresh one found: queries may read it. */
static void mark_ready(rollup_job *j, const rollup_result *res)
{
    j->ready = true;
    j->state.name = j->name;
    snprintf(j->state.watermark, sizeof j->state.watermark, "%s", res->watermark);
    snprintf(j->state.refreshed_at, sizeof j->state.refreshed_at, "%s", res->refreshed_at);
    j->state.rows = res->rows;
    list_ready();
}

static void job_free(rollup_job *j)
{
    if (j->timer)
        event_free(j->timer);
    discovered_types_free(j->types);
    free(j->name);
    free(j);
}

static void schedule(rollup_job *j, long seconds)
{
    struct timeval tv = {seconds, 0};
    event_add(j->timer, &tv);
}

static void log_progress(void *ctx, const char *line)
{
    (void)ctx;
    log_info("%s", line);
}

static void run_on_worker(void *arg)
{
    rollup_run *run = arg;
    rollup_build(run->gen->cat, run->src, run->r, run->types, run->mode, time(NULL), log_progress,
                 NULL, &run->res);
}

static long backoff_s(const rollup_job *j)
{
    long s = ROLLUP_BACKOFF_FIRST_S;
    for (unsigned i = 1; i < j->failures && s < j->refresh_every_s; i++)
        s *= 2;
    return s < j->refresh_every_s ? s : j->refresh_every_s;
}

/* j's definition hash with the types its run had (sync_one compares it after a reload). */
static void remember_hash(rollup_job *j)
{
    const source *s;
    const rollup *r = catalog_rollup(srv.cat, j->name, &s);
    char err[512];
    if (r && !rollup_definition_hash(srv.cat, s, r, j->types, j->hash, err, sizeof err))
        j->hash[0] = '\0';
}

/* Counts, logs and schedules the next run (loop thread). */
static void account(rollup_job *j, const rollup_result *res)
{
    rollup_stats *st = stats_rollup(&srv.stats, j->name);
    st->seconds += res->seconds;
    long next = j->refresh_every_s;
    /* Until a run gets the lock, a fresh build (by the server that had it) is reused. */
    if (res->outcome != ROLLUP_BUSY)
        j->first = false;
    if (!j->hash[0] && (res->outcome == ROLLUP_DONE || res->outcome == ROLLUP_FRESH))
        remember_hash(j); /* unknown when it was scheduled: the types it needed were not */
    switch (res->outcome) {
    case ROLLUP_DONE:
        st->builds++;
        st->rows = res->rows;
        j->failures = 0;
        log_info("rollup %s: %s %lld rows in %.3f s (watermark %s)", j->name,
                 res->full ? "built" : "refreshed", res->rows, res->seconds, res->watermark);
        if (!j->again) /* else it ran the definition a reload replaced */
            mark_ready(j, res);
        break;
    case ROLLUP_FRESH:
        st->rows = res->rows;
        if (!j->again)
            mark_ready(j, res);
        j->failures = 0;
        next = res->due_in_s > 0 ? res->due_in_s : 1; /* refresh_every after the last one */
        break;
    case ROLLUP_BUSY:
        st->busy++;
        next = ROLLUP_BUSY_RETRY_S < next ? ROLLUP_BUSY_RETRY_S : next;
        break;
    case ROLLUP_FAILED:
        st->failures++;
        j->failures++;
        next = backoff_s(j);
        log_error("rollup %s: build failed (%u in a row), the last good build stays; retrying in "
                  "%ld s: %s",
                  j->name, j->failures, next, res->error);
        break;
    }
    schedule(j, next);
}

static void run_done(void *arg)
{
    rollup_run *run = arg;
    rollup_job *j = run->job;
    j->running = false;
    sched.running--;
    if (!sched.stopped && !j->removed) {
        account(j, &run->res);
        if (j->again) {
            j->again = false;
            schedule(j, 0);
        }
    }
    server_catalog_release(run->gen);
    discovered_types_free(run->types);
    if (j->removed || sched.stopped)
        job_free(j);
    free(run);
}

/*
 * The types a run of j plans with, copied (the worker must not read what the loop
 * changes): the server's discovered ones, else those j last had (type discovery starts
 * again after a reload). NULL while a calendar zone other than UTC needs the time
 * column's type and type discovery has not had its first say: the run waits for it.
 * Once it has, a run without the type fails with the planner's message, and retries.
 */
static discovered_types *run_types(rollup_job *j, const source *s)
{
    const discovered_types *now = type_discovery_types();
    if (rollup_types_known(now, s)) {
        discovered_types_free(j->types);
        j->types = rollup_types_copy(now, s);
    }
    if (!rollup_types_known(j->types, s) && rollup_zone_needs_types(srv.cat) &&
        !type_discovery_settled())
        return NULL;
    return rollup_types_copy(j->types, s);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rollup_job *j = arg;
    const source *s;
    const rollup *r = catalog_rollup(srv.cat, j->name, &s);
    if (!r || j->running)
        return;
    discovered_types *types = sched.running > 0 ? NULL : run_types(j, s);
    if (!types) {
        schedule(j, ROLLUP_QUEUE_RETRY_S);
        return;
    }
    rollup_run *run = xcalloc(1, sizeof *run);
    *run = (rollup_run){.job = j,
                        .gen = server_catalog_hold(),
                        .src = s,
                        .r = r,
                        .types = types,
                        .mode = j->first ? ROLLUP_BUILD_IF_DUE : ROLLUP_BUILD_AUTO};
    j->running = true;
    sched.running++;
    workers_submit(run_on_worker, run_done, run);
}

static rollup_job *find_job(const char *name)
{
    for (size_t i = 0; i < sched.n; i++)
        if (sem_name_eq(sched.jobs[i]->name, name))
            return sched.jobs[i];
    return NULL;
}

static void drop_job(size_t i)
{
    rollup_job *j = sched.jobs[i];
    sched.jobs[i] = sched.jobs[--sched.n];
    event_del(j->timer);
    if (j->running)
        j->removed = true; /* run_done frees it */
    else
        job_free(j);
    list_ready();
}

/* A job for r, new or kept from the previous layer: run now when new or changed. */
static void sync_one(const source *s, const rollup *r)
{
    char hash[32] = "", err[512];
    rollup_job *j = find_job(r->name);
    /* After a reload, type discovery starts again: the time column's type the job last
     * had tells whether the definition changed meanwhile (a build checks it again). */
    const discovered_types *types = type_discovery_types();
    if (!rollup_types_known(types, s) && j)
        types = j->types;
    if (!rollup_definition_hash(srv.cat, s, r, types, hash, err, sizeof err) &&
        (rollup_types_known(types, s) || !rollup_zone_needs_types(srv.cat)))
        log_error("rollup %s: its query does not plan: %s", r->name, err);
    if (!j) {
        j = xcalloc(1, sizeof *j);
        j->name = xstrdup(r->name);
        j->timer = evtimer_new(srv.base, on_timer, j);
        j->first = true;
        sched.jobs = xreallocarray(sched.jobs, sched.n + 1, sizeof *sched.jobs);
        sched.jobs[sched.n++] = j;
    } else if (strcmp(j->hash, hash) == 0 && j->refresh_every_s == r->refresh_every_s) {
        return; /* unchanged: its schedule stays */
    }
    if (strcmp(j->hash, hash) != 0 && j->ready) {
        j->ready = false; /* its table holds the old definition's rows until rebuilt */
        list_ready();
    }
    snprintf(j->hash, sizeof j->hash, "%s", hash);
    j->refresh_every_s = r->refresh_every_s;
    j->failures = 0;
    if (j->running)
        j->again = true;
    else
        schedule(j, 0);
}

void rollup_sched_sync(void)
{
    const catalog *c = srv.cat;
    sched.stopped = false;
    for (size_t i = sched.n; i-- > 0;)
        if (!catalog_rollup(c, sched.jobs[i]->name, NULL))
            drop_job(i);
    for (size_t i = 0; i < c->n_sources; i++)
        for (size_t k = 0; k < c->sources[i].n_rollups; k++)
            sync_one(&c->sources[i], &c->sources[i].rollups[k]);
}

void rollup_sched_stop(void)
{
    sched.stopped = true;
    for (size_t i = 0; i < sched.n; i++) {
        rollup_job *j = sched.jobs[i];
        event_del(j->timer);
        if (!j->running)
            job_free(j);
    }
    free(sched.jobs);
    sched.jobs = NULL;
    sched.n = 0;
    free(sched.ready);
    sched.ready = NULL;
    sched.nready = 0;
}
