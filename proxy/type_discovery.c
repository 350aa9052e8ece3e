/*
 * Type discovery, one state machine per backend connection:
 *
 *   pass:  acquire a pooled connection -> for each source not yet typed:
 *          plan its probe, run it, record its result types -> release
 *   after: learnt something -> rebuild information_schema and swap it in;
 *          sources left untyped -> retry the pass after a backoff delay.
 *
 * A query error fails that source's whole probe only: the source is then
 * probed one column at a time, so that one column the backend cannot group by
 * (or one broken metric) does not cost the others their types; when no column
 * of it answers, it is retried later. Losing the connection, failing to get
 * one, or the attempt outliving its deadline fails the rest of the pass.
 * Backend callbacks only note what happened and schedule `step`, so no
 * decision is taken inside a backend's own call stack.
 */
#include "proxy/type_discovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/discovered_types.h"
#include "planner/info_schema.h"
#include "planner/type_probe.h"
#include "proxy/backend/backend.h"
#include "proxy/log.h"
#include "proxy/backend/pool.h"
#include "proxy/server.h"
#include "wire/buf.h"
#include "wire/xalloc.h"

#define ATTEMPT_DEADLINE_S 30 /* to get a connection, then for each probe */
#define RETRY_FIRST_S      1
#define RETRY_MAX_S        30  /* while the connection fails */
#define RETRY_MAX_QUERY_S  300 /* while it answers, with errors */

typedef struct type_discovery type_discovery;

typedef struct source_state {
    const source *src;
    bool typed;  /* discovered in this run */
    bool failed; /* its probe failed in the current pass */
    char *error; /* the failure last logged, so a repeat is not logged again */
    unsigned failures;
} source_state;

typedef struct conn_probe {
    type_discovery *d;
    const connection *conn;
    pool *pool;
    source_state *sources;
    size_t nsources;
    size_t current;   /* index of the source being probed */
    bool learnt;      /* the current pass typed a source */
    bool conn_failed; /* the current pass lost (or never had) its connection */
    /* One column at a time, after the whole probe of the current source failed. */
    arena fallback_mem;
    const char **columns; /* NULL when not falling back */
    size_t ncolumns, column, columns_typed;
    char *whole_error;  /* why the whole probe failed */
    char *column_error; /* the first column's failure */
    buf failed_columns; /* "'a', 'b'" */
    pool_request *request;
    backend_conn *bc;
    bool running; /* bc runs a probe; on_done has not come yet */
    bool done;    /* on_done came: step handles it */
    char *done_error;
    arena mem; /* the current probe's plan */
    plan plan;
    result_column *cols; /* the current probe's result columns (types only) */
    size_t ncols;
    struct event *step, *retry, *deadline;
    unsigned attempts; /* consecutive passes that left sources untyped */
    unsigned delay_s;
    char *conn_error; /* the connection failure last logged */
    bool settled;     /* its first pass ended */
} conn_probe;

struct type_discovery {
    const catalog *cat;
    discovered_types *types;
    conn_probe *conns;
    size_t nconns;
    size_t nprobed;   /* sources on connections we probe */
    size_t nskipped;  /* sources without a connection */
    size_t unsettled; /* connections whose first pass has not ended */
    size_t logged_typed;
    bool summary_logged;
};

static void run_next(conn_probe *cp);
static void end_pass(conn_probe *cp);

/* ---- Helpers ------------------------------------------------------------------- */

static char *dup_text(const char *s)
{
    char *out = xstrdup(s ? s : "unknown error");
    return out;
}

/* Replaces *slot with text; true when it differs from what was there (worth a log line). */
static bool remember_error(char **slot, const char *text)
{
    bool changed = !*slot || strcmp(*slot, text) != 0;
    free(*slot);
    *slot = dup_text(text);
    return changed;
}

static size_t typed_sources(const type_discovery *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nconns; i++)
        for (size_t j = 0; j < d->conns[i].nsources; j++)
            n += d->conns[i].sources[j].typed;
    return n;
}

static void free_probe_state(conn_probe *cp)
{
    arena_free(&cp->mem);
    arena_init(&cp->mem);
    memset(&cp->plan, 0, sizeof(cp->plan));
    free(cp->cols);
    cp->cols = NULL;
    cp->ncols = 0;
    free(cp->done_error);
    cp->done_error = NULL;
    cp->done = false;
}

/* ---- information_schema ----------------------------------------------------------- */

static void rebuild_info_schema(type_discovery *d)
{
    char err[1024];
    info_schema *is = info_schema_build_typed(d->cat, d->types, err, sizeof(err));
    if (!is) {
        log_error("column types: cannot rebuild information_schema, keeping the previous one: %s",
                  err);
        return;
    }
    server_replace_info_schema(is);
}

/* One line when every connection had its first pass, and one each time more sources are typed. */
static void log_summary(type_discovery *d)
{
    if (d->unsettled > 0)
        return;
    size_t typed = typed_sources(d);
    if (d->summary_logged && typed == d->logged_typed)
        return;
    char skipped[160] = "";
    if (d->nskipped)
        snprintf(skipped, sizeof(skipped),
                 "; %zu source%s without a connection keep%s declared or default types",
                 d->nskipped, d->nskipped == 1 ? "" : "s", d->nskipped == 1 ? "s its" : " their");
    log_info("column types discovered for %zu of %zu sources (%zu columns)%s", typed, d->nprobed,
             discovered_types_ncolumns(d->types), skipped);
    d->summary_logged = true;
    d->logged_typed = typed;
}

/* ---- One probe ------------------------------------------------------------------- */

static void on_columns(void *ctx, const result_column *cols, size_t n)
{
    conn_probe *cp = ctx;
    free(cp->cols);
    cp->cols = xcalloc(n + 1, sizeof(*cp->cols));
    /* Types only: the names belong to the backend's result, gone after this call. */
    for (size_t i = 0; i < n; i++) {
        cp->cols[i] = cols[i];
        cp->cols[i].name = NULL;
    }
    cp->ncols = n;
}

static void on_row(void *ctx, const char *const *values, const size_t *lengths)
{
    (void)ctx;
    (void)values;
    (void)lengths; /* LIMIT 0: none come */
}

static void on_done(void *ctx, const char *error)
{
    conn_probe *cp = ctx;
    cp->running = false;
    cp->done = true;
    cp->done_error = error ? dup_text(error) : NULL;
    event_active(cp->step, 0, 0);
}

static void source_failed(conn_probe *cp, source_state *s, const char *error)
{
    s->failed = true;
    s->failures++;
    if (remember_error(&s->error, error))
        log_warn("column types of source '%s' not discovered: %s; it keeps its declared or "
                 "default types (retrying with backoff)",
                 s->src->name, error);
    (void)cp;
}

static void source_typed(conn_probe *cp, source_state *s)
{
    size_t n = type_probe_record(cp->d->cat, s->src, &cp->plan, cp->cols, cp->ncols, cp->d->types);
    s->typed = true;
    cp->learnt = true;
    if (s->failures)
        log_info("column types of source '%s' discovered (%zu columns) after %u failed attempt%s",
                 s->src->name, n, s->failures, s->failures == 1 ? "" : "s");
    free(s->error);
    s->error = NULL;
}

static void end_fallback(conn_probe *cp)
{
    arena_free(&cp->fallback_mem);
    arena_init(&cp->fallback_mem);
    cp->columns = NULL;
    cp->ncolumns = cp->column = cp->columns_typed = 0;
    free(cp->whole_error);
    free(cp->column_error);
    cp->whole_error = cp->column_error = NULL;
    buf_free(&cp->failed_columns);
    buf_init(&cp->failed_columns);
}

static void start_fallback(conn_probe *cp, const source_state *s, const char *error)
{
    end_fallback(cp);
    cp->ncolumns = type_probe_columns(&cp->fallback_mem, cp->d->cat, s->src, &cp->columns);
    cp->whole_error = dup_text(error);
}

static void column_failed(conn_probe *cp, const char *column, const char *error)
{
    buf_printf(&cp->failed_columns, "%s'%s'", cp->failed_columns.len ? ", " : "", column);
    if (!cp->column_error)
        cp->column_error = dup_text(error);
}

/* Every column was probed alone: typed when any answered, else failed as a whole. */
static void finish_fallback(conn_probe *cp, source_state *s)
{
    if (cp->columns_typed == 0) {
        source_failed(cp, s, cp->whole_error);
        end_fallback(cp);
        return;
    }
    s->typed = true;
    cp->learnt = true;
    size_t failed = cp->ncolumns - cp->columns_typed;
    log_warn("column types of source '%s' discovered for %zu of its %zu columns; %s %s keep%s "
             "declared or default types: %s",
             s->src->name, cp->columns_typed, cp->ncolumns, failed == 1 ? "column" : "columns",
             buf_cstr(&cp->failed_columns), failed == 1 ? "s its" : " their", cp->column_error);
    free(s->error);
    s->error = NULL;
    end_fallback(cp);
}

/* The connection went away, could not be had, or the attempt ran out of time. */
static void connection_failed(conn_probe *cp, const char *error)
{
    if (remember_error(&cp->conn_error, error)) {
        size_t untyped = 0;
        for (size_t i = 0; i < cp->nsources; i++)
            untyped += !cp->sources[i].typed;
        log_warn("column types of %zu source%s on connection '%s' not discovered: %s; %s "
                 "declared or default types until it answers (retrying with backoff)",
                 untyped, untyped == 1 ? "" : "s", cp->conn->name, error,
                 untyped == 1 ? "it keeps its" : "they keep their");
    }
    for (size_t i = 0; i < cp->nsources; i++)
        if (!cp->sources[i].typed)
            cp->sources[i].failures++;
    cp->conn_failed = true;
    end_fallback(cp);
    end_pass(cp);
}

/* The probe on bc ended (on_done came): record, note the failure, or give the connection up. */
static void probe_finished(conn_probe *cp)
{
    source_state *s = &cp->sources[cp->current];
    const char *error = cp->done_error;
    if (error && cp->bc->broken) {
        char *why = dup_text(error);
        pool_release(cp->bc);
        cp->bc = NULL;
        free_probe_state(cp);
        connection_failed(cp, why);
        free(why);
        return;
    }
    if (!error && cp->ncols != cp->plan.ncols)
        error = "the probe's result does not have the probe's columns";
    if (cp->columns) {
        /* One column alone. */
        if (error)
            column_failed(cp, cp->columns[cp->column], error);
        else if (type_probe_record(cp->d->cat, s->src, &cp->plan, cp->cols, cp->ncols,
                                   cp->d->types))
            cp->columns_typed++;
        cp->column++;
    } else if (error) {
        start_fallback(cp, s, error);
    } else {
        source_typed(cp, s);
        cp->current++;
    }
    free_probe_state(cp);
    run_next(cp);
}

static void step_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn_probe *cp = arg;
    if (cp->done && cp->bc)
        probe_finished(cp);
}

/*
 * Runs the next probe on bc: the next column of a source being probed column
 * by column, else the whole probe of the next source still untyped; or ends
 * the pass.
 */
static void run_next(conn_probe *cp)
{
    static const backend_sink sink_template = {
        .on_columns = on_columns, .on_row = on_row, .on_done = on_done};
    while (cp->current < cp->nsources) {
        source_state *s = &cp->sources[cp->current];
        if (!cp->columns && (s->typed || s->failed)) {
            cp->current++;
            continue;
        }
        if (cp->columns && cp->column == cp->ncolumns) {
            finish_fallback(cp, s);
            cp->current++;
            continue;
        }
        const char *column = cp->columns ? cp->columns[cp->column] : NULL;
        sql_error err;
        if (!type_probe_plan(&cp->mem, cp->d->cat, s->src, column, &cp->plan, &err)) {
            free_probe_state(cp);
            if (column) {
                column_failed(cp, column, err.message);
                cp->column++;
            } else {
                source_failed(cp, s, err.message);
                cp->current++;
            }
            continue;
        }
        backend_sink sink = sink_template;
        sink.ctx = cp;
        cp->running = true;
        struct timeval tv = {ATTEMPT_DEADLINE_S, 0};
        event_add(cp->deadline, &tv); /* from now, for this probe */
        cp->bc->ops->run(cp->bc, &cp->plan.queries[0], &sink);
        return;
    }
    end_pass(cp);
}

/* ---- Passes ------------------------------------------------------------------------ */

static void connected_cb(void *ctx, backend_conn *bc, const char *error)
{
    conn_probe *cp = ctx;
    cp->request = NULL;
    if (!bc) {
        connection_failed(cp, error);
        return;
    }
    free(cp->conn_error);
    cp->conn_error = NULL;
    cp->bc = bc;
    cp->current = 0;
    run_next(cp);
}

static void begin_pass(conn_probe *cp)
{
    bool any = false;
    for (size_t i = 0; i < cp->nsources; i++) {
        cp->sources[i].failed = false;
        any = any || !cp->sources[i].typed;
    }
    if (!any)
        return;
    cp->learnt = false;
    cp->conn_failed = false;
    struct timeval tv = {ATTEMPT_DEADLINE_S, 0};
    event_add(cp->deadline, &tv);
    cp->request = pool_acquire(cp->pool, connected_cb, cp);
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    begin_pass(arg);
}

static void end_pass(conn_probe *cp)
{
    type_discovery *d = cp->d;
    event_del(cp->deadline);
    if (cp->bc) {
        pool_release(cp->bc);
        cp->bc = NULL;
    }
    bool untyped = false;
    for (size_t i = 0; i < cp->nsources; i++)
        untyped = untyped || !cp->sources[i].typed;
    if (untyped) {
        unsigned cap = cp->conn_failed ? RETRY_MAX_S : RETRY_MAX_QUERY_S;
        cp->attempts++;
        cp->delay_s = cp->attempts == 1 ? RETRY_FIRST_S : cp->delay_s * 2;
        if (cp->delay_s > cap)
            cp->delay_s = cap;
        struct timeval tv = {cp->delay_s, 0};
        event_add(cp->retry, &tv);
    } else {
        cp->attempts = 0;
    }
    if (cp->learnt)
        rebuild_info_schema(d);
    cp->learnt = false;
    if (!cp->settled) {
        cp->settled = true;
        d->unsettled--;
    }
    log_summary(d);
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn_probe *cp = arg;
    if (cp->request) {
        pool_cancel(cp->request);
        cp->request = NULL;
    }
    if (cp->bc) {
        /* A probe that hangs (a lock, a stuck backend): drop its connection. */
        if (cp->running || cp->done)
            cp->bc->broken = true;
        pool_release(cp->bc);
        cp->bc = NULL;
        cp->running = false;
    }
    free_probe_state(cp);
    char why[96];
    snprintf(why, sizeof(why), "no answer within %d s", ATTEMPT_DEADLINE_S);
    connection_failed(cp, why);
}

/* ---- Start and stop ---------------------------------------------------------------- */

static conn_probe *probe_for(type_discovery *d, const connection *c)
{
    for (size_t i = 0; i < d->nconns; i++)
        if (d->conns[i].conn == c)
            return &d->conns[i];
    return NULL;
}

/* Groups the sources by connection; those without a pool are skipped. */
static void plan_connections(type_discovery *d)
{
    const catalog *cat = d->cat;
    d->conns = xcalloc(cat->n_connections + 1, sizeof(*d->conns));
    for (size_t i = 0; i < cat->n_sources; i++) {
        const source *s = &cat->sources[i];
        pool *p = s->conn ? server_pool_for(s->conn) : NULL;
        if (!p) {
            d->nskipped++;
            continue;
        }
        conn_probe *cp = probe_for(d, s->conn);
        if (!cp) {
            cp = &d->conns[d->nconns++];
            cp->d = d;
            cp->conn = s->conn;
            cp->pool = p;
            cp->sources = xcalloc(cat->n_sources + 1, sizeof(*cp->sources));
            arena_init(&cp->mem);
            arena_init(&cp->fallback_mem);
            buf_init(&cp->failed_columns);
            cp->step = event_new(srv.base, -1, 0, step_cb, cp);
            cp->retry = evtimer_new(srv.base, retry_cb, cp);
            cp->deadline = evtimer_new(srv.base, deadline_cb, cp);
        }
        cp->sources[cp->nsources++].src = s;
        d->nprobed++;
    }
    d->unsettled = d->nconns;
}

void type_discovery_start(void)
{
    type_discovery_stop();
    if (!srv.cat || !srv.base)
        return;
    type_discovery *d = xcalloc(1, sizeof(*d));
    d->cat = srv.cat;
    d->types = discovered_types_new();
    srv.discovery = d;
    plan_connections(d);
    for (size_t i = 0; i < d->nconns; i++)
        begin_pass(&d->conns[i]);
    log_summary(d); /* nothing to probe: say so at once */
}

void type_discovery_stop(void)
{
    type_discovery *d = srv.discovery;
    if (!d)
        return;
    srv.discovery = NULL;
    for (size_t i = 0; i < d->nconns; i++) {
        conn_probe *cp = &d->conns[i];
        if (cp->request)
            pool_cancel(cp->request);
        if (cp->bc) {
            /* A probe still running is dropped with its connection. */
            if (cp->running)
                cp->bc->broken = true;
            pool_release(cp->bc);
        }
        event_free(cp->step);
        event_free(cp->retry);
        event_free(cp->deadline);
        free_probe_state(cp);
        arena_free(&cp->mem);
        end_fallback(cp);
        arena_free(&cp->fallback_mem);
        buf_free(&cp->failed_columns);
        for (size_t j = 0; j < cp->nsources; j++)
            free(cp->sources[j].error);
        free(cp->sources);
        free(cp->conn_error);
    }
    free(d->conns);
    discovered_types_free(d->types);
    free(d);
}

bool type_discovery_settled(void)
{
    return !srv.discovery || srv.discovery->unsettled == 0;
}

const discovered_types *type_discovery_types(void)
{
    type_discovery *d = srv.discovery;
    return d && d->cat == srv.cat ? d->types : NULL;
}
