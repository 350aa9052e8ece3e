/*
 * SQLite sources (the embedded demo, small local data sets). SQLite has no
 * socket to wait on, so a query is stepped in slices of rows from the event
 * loop, yielding between slices: other clients keep being served, and a
 * paused delivery simply stops scheduling slices.
 *
 * A slice is short for scans but the first step of an aggregate computes the
 * whole aggregate; for the small files SQLite sources hold that is a few
 * milliseconds. Moving it to a worker thread is part of the runtime issue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "proxy/backend.h"
#include "proxy/pool.h"
#include "proxy/server.h"

#define ROWS_PER_SLICE 512

typedef struct sqlite_conn {
    backend_conn base;
    sqlite3 *db;
    sqlite3_stmt *stmt;
    struct event *slice;
    backend_sink sink;
    bool paused;
    bool running;
    bool columns_sent;
    size_t ncols;
    result_column *cols;
    const char **values;
    size_t *lengths;
} sqlite_conn;

static void free_query_state(sqlite_conn *c)
{
    if (c->stmt)
        sqlite3_finalize(c->stmt);
    c->stmt = NULL;
    free(c->cols);
    free(c->values);
    free(c->lengths);
    c->cols = NULL;
    c->values = NULL;
    c->lengths = NULL;
    c->ncols = 0;
}

static void sqlite_close(backend_conn *bc)
{
    sqlite_conn *c = (sqlite_conn *)bc;
    free_query_state(c);
    if (c->slice)
        event_free(c->slice);
    sqlite3_close(c->db);
    free(c);
}

/* Declared type first (table columns), else the storage class of the first row. */
static value_type column_type(sqlite3_stmt *st, int i, bool have_row)
{
    const char *decl = sqlite3_column_decltype(st, i);
    if (decl) {
        if (strcasestr(decl, "INT"))
            return VT_INT64;
        if (strcasestr(decl, "REAL") || strcasestr(decl, "FLOA") || strcasestr(decl, "DOUB"))
            return VT_DOUBLE;
        if (strcasestr(decl, "DATETIME") || strcasestr(decl, "TIMESTAMP"))
            return VT_DATETIME;
        if (strcasestr(decl, "DATE"))
            return VT_DATE;
        if (strcasestr(decl, "BLOB"))
            return VT_BLOB;
        if (strcasestr(decl, "NUMERIC") || strcasestr(decl, "DECIMAL"))
            return VT_DECIMAL;
        return VT_TEXT;
    }
    if (!have_row)
        return VT_TEXT;
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        return VT_INT64;
    case SQLITE_FLOAT:
        return VT_DOUBLE;
    case SQLITE_BLOB:
        return VT_BLOB;
    default:
        return VT_TEXT;
    }
}

static void send_columns(sqlite_conn *c, bool have_row)
{
    c->ncols = (size_t)sqlite3_column_count(c->stmt);
    c->cols = calloc(c->ncols + 1, sizeof(*c->cols));
    c->values = calloc(c->ncols + 1, sizeof(*c->values));
    c->lengths = calloc(c->ncols + 1, sizeof(*c->lengths));
    if (!c->cols || !c->values || !c->lengths)
        abort();
    for (size_t i = 0; i < c->ncols; i++) {
        c->cols[i].name = sqlite3_column_name(c->stmt, (int)i);
        c->cols[i].type = column_type(c->stmt, (int)i, have_row);
        c->cols[i].decimals = -1;
    }
    c->columns_sent = true;
    c->sink.on_columns(c->sink.ctx, c->cols, c->ncols);
}

static void deliver_row(sqlite_conn *c)
{
    for (size_t i = 0; i < c->ncols; i++) {
        if (sqlite3_column_type(c->stmt, (int)i) == SQLITE_NULL) {
            c->values[i] = NULL;
            c->lengths[i] = 0;
            continue;
        }
        c->values[i] = (const char *)sqlite3_column_text(c->stmt, (int)i);
        c->lengths[i] = (size_t)sqlite3_column_bytes(c->stmt, (int)i);
    }
    c->sink.on_row(c->sink.ctx, c->values, c->lengths);
}

static void finish(sqlite_conn *c, const char *error)
{
    char *msg = error ? strdup(error) : NULL;
    backend_sink sink = c->sink;
    c->running = false;
    free_query_state(c);
    sink.on_done(sink.ctx, msg);
    free(msg);
}

static void slice_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sqlite_conn *c = arg;
    for (int n = 0; n < ROWS_PER_SLICE && !c->paused && c->running; n++) {
        int rc = sqlite3_step(c->stmt);
        if (rc == SQLITE_ROW) {
            if (!c->columns_sent)
                send_columns(c, true);
            deliver_row(c);
        } else if (rc == SQLITE_DONE) {
            if (!c->columns_sent)
                send_columns(c, false);
            finish(c, NULL);
            return;
        } else {
            finish(c, sqlite3_errmsg(c->db));
            return;
        }
    }
    if (c->running && !c->paused)
        event_active(c->slice, 0, 0);
}

static void sqlite_run(backend_conn *bc, const atomic_query *q, const backend_sink *sink)
{
    sqlite_conn *c = (sqlite_conn *)bc;
    c->sink = *sink;
    c->paused = false;
    c->running = true;
    c->columns_sent = false;
    if (sqlite3_prepare_v2(c->db, q->sql, -1, &c->stmt, NULL) != SQLITE_OK) {
        finish(c, sqlite3_errmsg(c->db));
        return;
    }
    for (size_t i = 0; i < q->nparams; i++) {
        const query_param *p = &q->params[i];
        int idx = (int)i + 1;
        if (p->kind == PARAM_INT)
            sqlite3_bind_int64(c->stmt, idx, strtoll(p->text, NULL, 0));
        else if (p->kind == PARAM_NUMBER)
            sqlite3_bind_double(c->stmt, idx, strtod(p->text, NULL));
        else
            sqlite3_bind_text(c->stmt, idx, p->text, -1, SQLITE_TRANSIENT);
    }
    event_active(c->slice, 0, 0);
}

static void sqlite_pause(backend_conn *bc)
{
    ((sqlite_conn *)bc)->paused = true;
}

static void sqlite_resume(backend_conn *bc)
{
    sqlite_conn *c = (sqlite_conn *)bc;
    if (c->paused && c->running) {
        c->paused = false;
        event_active(c->slice, 0, 0);
    }
    c->paused = false;
}

static void sqlite_idle(backend_conn *bc)
{
    (void)bc; /* a local file cannot go away under an idle handle */
}

static const backend_ops sqlite_ops = {
    .run = sqlite_run,
    .pause = sqlite_pause,
    .resume = sqlite_resume,
    .idle = sqlite_idle,
    .close = sqlite_close,
};

void sqlite_backend_connect(const connection *conn, pool *owner, backend_connected_cb cb, void *ctx)
{
    sqlite_conn *c = calloc(1, sizeof(*c));
    if (!c)
        abort();
    c->base.ops = &sqlite_ops;
    c->base.owner = owner;
    /* Read-only: a metrics store never writes to its sources. */
    int rc = sqlite3_open_v2(conn->path, &c->db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        char why[1024];
        snprintf(why, sizeof(why), "could not open SQLite database '%s' for '%s': %s", conn->path,
                 conn->name, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close(c->db);
        free(c);
        cb(ctx, NULL, why);
        return;
    }
    c->slice = event_new(srv.base, -1, 0, slice_cb, c);
    cb(ctx, &c->base, NULL);
}
