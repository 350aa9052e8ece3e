/*
 * SQLite sources (the embedded demo, small local data sets). SQLite has no
 * socket to wait on and its calls block, so a query is stepped on a worker
 * thread in batches of rows; each batch is handed to the loop, which delivers
 * it and, unless the client asked to pause, queues the next. The loop never
 * waits for SQLite, however long an aggregate takes to compute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "proxy/backend/backend.h"
#include "proxy/backend/pool.h"
#include "proxy/backend/row_batch.h"
#include "proxy/backend/sqlite_functions.h"
#include "proxy/workers.h"
#include "wire/xalloc.h"

#define ROWS_PER_BATCH  1024
#define BYTES_PER_BATCH (256u << 10)

typedef struct sqlite_conn {
    backend_conn base;
    sqlite3 *db;
    sqlite3_stmt *stmt;
    backend_sink sink;
    row_batch batch;
    bool stepping; /* a batch is being stepped on a worker: the handle is the worker's */
    bool closing;  /* close requested while stepping: freed when the worker is done */
    bool paused;
    bool running;
    bool cancelled;
    bool columns_sent;
    size_t ncols;
    value_type *planned_types; /* atomic_query.col_types, copied (NULL: none) */
    size_t nplanned;
    result_column *cols;
    const char **values;
    size_t *lengths;
    char *rollups_file; /* its rollups (docs/rollups.md), attached on first use */
} sqlite_conn;

static void free_query_state(sqlite_conn *c)
{
    if (c->stmt)
        sqlite3_finalize(c->stmt);
    c->stmt = NULL;
    row_batch_free(&c->batch);
    row_batch_init(&c->batch);
    free(c->cols);
    free(c->values);
    free(c->lengths);
    free(c->planned_types);
    c->planned_types = NULL;
    c->nplanned = 0;
    c->cols = NULL;
    c->values = NULL;
    c->lengths = NULL;
    c->ncols = 0;
}

static void sqlite_close(backend_conn *bc)
{
    sqlite_conn *c = (sqlite_conn *)bc;
    if (c->stepping) {
        c->closing = true; /* the worker still uses the handle */
        return;
    }
    free_query_state(c);
    row_batch_free(&c->batch);
    sqlite3_close(c->db);
    free(c->rollups_file);
    free(c);
}

/*
 * A query answered from a rollup reads the rollups file, attached (read-only, like the
 * source) the first time one does: it may have been built after the connection opened.
 */
static bool attach_rollups(sqlite_conn *c)
{
    if (sqlite3_db_filename(c->db, "mimir_rollups"))
        return true;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "ATTACH DATABASE ? AS mimir_rollups", -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, c->rollups_file, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE;
}

/* Declared type first (table columns), else the storage class of the first row,
 * else unknown (VT_NULL). */
static value_type column_type(sqlite3_stmt *st, int i, int first_type)
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
    switch (first_type) {
    case 0: /* no row to tell: unknown (type discovery keeps the layer's own type) */
        return VT_NULL;
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

/* DECIMAL(p,s) / NUMERIC(p,s) as declared: SQLite keeps REAL values, but the
 * declaration says how many decimals the values have (and are shown with). */
static void declared_precision(const char *decl, result_column *col)
{
    const char *open = decl ? strchr(decl, '(') : NULL;
    unsigned p = 0, sc = 0;
    if (open && sscanf(open, "(%u , %u )", &p, &sc) == 2 && p >= 1 && p <= 65 && sc <= 30 &&
        sc <= p) {
        col->length = p;
        col->decimals = (int)sc;
    } else if (open && sscanf(open, "(%u )", &p) == 1 && p >= 1 && p <= 65) {
        col->length = p;
        col->decimals = 0;
    }
}

void sqlite_describe_column(sqlite3_stmt *st, int i, int first_type, value_type planned,
                            result_column *col)
{
    col->name = sqlite3_column_name(st, i);
    col->type = column_type(st, i, first_type);
    if (planned != VT_NULL && !sqlite3_column_decltype(st, i))
        col->type = planned; /* a TIME the planner knows, held as text */
    col->decimals = -1;
    if (col->type == VT_DECIMAL)
        declared_precision(sqlite3_column_decltype(st, i), col);
    /* SQLite keeps times as UTC text: instants, which a session time zone converts. */
    col->instant = col->type == VT_DATETIME;
}

static void send_columns(sqlite_conn *c)
{
    c->ncols = (size_t)sqlite3_column_count(c->stmt);
    c->cols = xcalloc(c->ncols + 1, sizeof(*c->cols));
    c->values = xcalloc(c->ncols + 1, sizeof(*c->values));
    c->lengths = xcalloc(c->ncols + 1, sizeof(*c->lengths));
    for (size_t i = 0; i < c->ncols; i++)
        sqlite_describe_column(c->stmt, (int)i, c->batch.first_types ? c->batch.first_types[i] : 0,
                               i < c->nplanned ? c->planned_types[i] : VT_NULL, &c->cols[i]);
    c->columns_sent = true;
    c->sink.on_columns(c->sink.ctx, c->cols, c->ncols);
}

static void finish(sqlite_conn *c, const char *error)
{
    char *msg = error ? xstrdup(error) : NULL;
    backend_sink sink = c->sink;
    c->running = false;
    free_query_state(c);
    sink.on_done(sink.ctx, msg);
    free(msg);
}

static void step_next(sqlite_conn *c);

/* On a worker: the next batch of rows. */
static void step_batch(void *arg)
{
    sqlite_conn *c = arg;
    row_batch_step(&c->batch, c->db, c->stmt, ROWS_PER_BATCH, BYTES_PER_BATCH);
}

/* Back on the loop: deliver the batch, then go on unless paused, cancelled or done. */
static void batch_stepped(void *arg)
{
    sqlite_conn *c = arg;
    c->stepping = false;
    if (c->closing) {
        c->closing = false;
        sqlite_close(&c->base);
        return;
    }
    if (c->cancelled) {
        finish(c, "canceling statement due to user request");
        return;
    }
    if (!c->columns_sent && (c->batch.nrows > 0 || c->batch.rc == SQLITE_DONE))
        send_columns(c);
    size_t offset = 0;
    for (size_t i = 0; i < c->batch.nrows && c->running && !c->cancelled; i++) {
        offset = row_batch_row(&c->batch, i, offset, c->values, c->lengths);
        c->sink.on_row(c->sink.ctx, c->values, c->lengths);
    }
    if (!c->running)
        return;
    if (c->cancelled) {
        finish(c, "canceling statement due to user request");
    } else if (c->batch.rc == SQLITE_DONE) {
        finish(c, NULL);
    } else if (c->batch.rc != SQLITE_ROW) {
        char *msg = xstrdup(c->batch.error ? c->batch.error : "SQLite error");
        finish(c, msg);
        free(msg);
    } else if (!c->paused) {
        if (c->sink.on_flush)
            c->sink.on_flush(c->sink.ctx); /* the next batch takes a worker's time */
        step_next(c);
    }
}

static void step_next(sqlite_conn *c)
{
    c->stepping = true;
    workers_submit(step_batch, batch_stepped, c);
}

static void sqlite_run(backend_conn *bc, const atomic_query *q, const backend_sink *sink)
{
    sqlite_conn *c = (sqlite_conn *)bc;
    c->sink = *sink;
    c->paused = false;
    c->running = true;
    c->cancelled = false;
    c->columns_sent = false;
    if (q->col_types) { /* own copy: the plan may go before the rows do */
        c->planned_types = xcalloc(q->ncols + 1, sizeof(*c->planned_types));
        memcpy(c->planned_types, q->col_types, q->ncols * sizeof(*c->planned_types));
        c->nplanned = q->ncols;
    }
    if ((q->rollup && !attach_rollups(c)) ||
        sqlite3_prepare_v2(c->db, q->sql, -1, &c->stmt, NULL) != SQLITE_OK) {
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
    step_next(c);
}

static void sqlite_pause(backend_conn *bc)
{
    ((sqlite_conn *)bc)->paused = true;
}

static void sqlite_resume(backend_conn *bc)
{
    sqlite_conn *c = (sqlite_conn *)bc;
    bool was_paused = c->paused;
    c->paused = false;
    if (was_paused && c->running && !c->stepping)
        step_next(c);
}

static void sqlite_idle(backend_conn *bc)
{
    (void)bc; /* a local file cannot go away under an idle handle */
}

/* Stops after the batch being stepped; the query ends with an error, the handle stays usable. */
static void sqlite_cancel(backend_conn *bc)
{
    sqlite_conn *c = (sqlite_conn *)bc;
    if (!c->running)
        return;
    c->cancelled = true;
    if (c->stepping) {
        sqlite3_interrupt(c->db); /* cuts a long step short; safe from any thread */
        return;
    }
    finish(c, "canceling statement due to user request");
}

static const backend_ops sqlite_ops = {
    .run = sqlite_run,
    .pause = sqlite_pause,
    .resume = sqlite_resume,
    .idle = sqlite_idle,
    .close = sqlite_close,
    .cancel = sqlite_cancel,
};

/*
 * Opening a file is immediate: cb always runs before this returns. The
 * settings go unused: there is no connect to time out, and the batches come
 * back to the loop through the workers (proxy/workers.h), not through events
 * of the connection's own.
 */
backend_conn *sqlite_backend_connect(const connection *conn, const backend_settings *s, pool *owner,
                                     backend_connected_cb cb, void *ctx)
{
    (void)s;
    sqlite_conn *c = xcalloc(1, sizeof(*c));
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
        return NULL;
    }
    /* MySQL functions SQLite lacks, which the planner's SQLite dialect calls. */
    if (!sqlite_functions_register(c->db)) {
        char why[1024];
        snprintf(why, sizeof(why), "could not register Mimir's functions on SQLite database '%s'",
                 conn->path);
        sqlite3_close(c->db);
        free(c);
        cb(ctx, NULL, why);
        return NULL;
    }
    c->rollups_file = catalog_rollup_sqlite_file(conn);
    row_batch_init(&c->batch);
    cb(ctx, &c->base, NULL);
    return NULL;
}
