#include "proxy/exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/backend.h"
#include "proxy/columns.h"
#include "proxy/combine.h"
#include "proxy/log.h"
#include "proxy/pool.h"
#include "proxy/server.h"

typedef struct exec_part {
    exec *ex;
    size_t index;
    pool_request *request;
    backend_conn *conn;
    bool finished; /* on_done ran, or it was abandoned */
    result_column *cols;
    size_t ncols;
} exec_part;

struct exec {
    client *cl;
    const plan *plan;
    exec_part *parts;
    size_t unfinished;
    bool streaming; /* one source: rows go straight to the client */
    bool failed;
    exec_part *paused; /* the part held back by a full client socket */
    combine *comb;
};

static void exec_free(exec *ex)
{
    for (size_t i = 0; i < ex->plan->nqueries; i++)
        free(ex->parts[i].cols);
    combine_free(ex->comb);
    free(ex->parts);
    free(ex);
}

/* Stops a part that has not finished: its connection is closed, not reused. */
static void abandon(exec_part *part)
{
    if (part->finished)
        return;
    part->finished = true;
    part->ex->unfinished--;
    if (part->request) {
        pool_cancel(part->request);
        part->request = NULL;
    }
    if (part->conn) {
        part->conn->broken = true;
        pool_release(part->conn);
        part->conn = NULL;
    }
}

static void finish_if_done(exec *ex)
{
    if (ex->unfinished > 0)
        return;
    client *cl = ex->cl;
    exec_free(ex);
    client_query_done(cl);
}

/* Reports the first error to the client and stops every other part. */
static void fail(exec *ex, exec_part *current, const char *message)
{
    if (ex->failed)
        return;
    ex->failed = true;
    sql_error e;
    sql_error_set(&e, ER_UNKNOWN_ERROR, "HY000", "%s", message);
    client_send_error(ex->cl, &e);
    for (size_t i = 0; i < ex->plan->nqueries; i++)
        if (&ex->parts[i] != current)
            abandon(&ex->parts[i]);
}

static const char *part_label(const exec_part *part, char *out, size_t n)
{
    const atomic_query *q = &part->ex->plan->queries[part->index];
    snprintf(out, n, "backend '%s' (source '%s')", q->conn ? q->conn->name : "?", q->src->name);
    return out;
}

static void send_header(exec *ex, const result_column *cols)
{
    const plan *p = ex->plan;
    wire_column *defs = calloc(p->ncols + 1, sizeof(*defs));
    if (!defs)
        abort();
    for (size_t i = 0; i < p->ncols; i++)
        column_definition(&cols[i], p->cols[i].name, p->cols[i].org_name, &defs[i]);
    client_send_header(ex->cl, defs, p->ncols);
    free(defs);
}

/* ---- Sink callbacks ------------------------------------------------------- */

static void on_columns(void *ctx, const result_column *cols, size_t n)
{
    exec_part *part = ctx;
    exec *ex = part->ex;
    if (ex->failed)
        return;
    const atomic_query *q = &ex->plan->queries[part->index];
    char label[256];
    if (n != q->ncols) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s returned %zu columns, expected %zu",
                 part_label(part, label, sizeof(label)), n, q->ncols);
        fail(ex, part, msg);
        return;
    }
    part->ncols = n;
    part->cols = calloc(n + 1, sizeof(*part->cols));
    if (!part->cols)
        abort();
    memcpy(part->cols, cols, n * sizeof(*cols));
    for (size_t i = 0; i < n; i++)
        part->cols[i].name = NULL; /* owned by the backend; not needed past this call */
    if (ex->streaming) {
        send_header(ex, part->cols);
        return;
    }
    char err[512];
    if (!combine_create(ex->comb, part->index, q->col_names, cols, n, err, sizeof(err)))
        fail(ex, part, err);
}

static void on_row(void *ctx, const char *const *values, const size_t *lengths)
{
    exec_part *part = ctx;
    exec *ex = part->ex;
    if (ex->failed)
        return;
    if (ex->streaming) {
        client_send_row(ex->cl, values, lengths, part->ncols);
        if (client_output_full(ex->cl) && !ex->paused) {
            ex->paused = part;
            part->conn->ops->pause(part->conn);
        }
        return;
    }
    char err[512];
    if (!combine_insert(ex->comb, part->index, values, lengths, err, sizeof(err)))
        fail(ex, part, err);
}

static void combined_row(void *ctx, const char *const *values, const size_t *lengths)
{
    exec *ex = ctx;
    client_send_row(ex->cl, values, lengths, ex->plan->ncols);
}

static void combined_header(void *ctx, const result_column *cols)
{
    send_header(ctx, cols);
}

/* Every part is in: join them in SQLite and send the result. */
static void run_combine(exec *ex)
{
    const plan *p = ex->plan;
    result_column *out = calloc(p->ncols + 1, sizeof(*out));
    if (!out)
        abort();
    for (size_t i = 0; i < p->ncols; i++) {
        const plan_column *pc = &p->cols[i];
        if (pc->computed) {
            out[i].type = VT_NULL; /* known from the first row */
            continue;
        }
        out[i] = ex->parts[pc->query].cols[pc->query_col];
        if (out[i].type == VT_DECIMAL)
            out[i].decimals = combine_scale(ex->comb, pc->query, pc->query_col);
    }
    char err[512];
    if (combine_run(ex->comb, p->final_sql, p->final_params, p->nfinal_params, out, p->ncols,
                    combined_header, combined_row, ex, err, sizeof(err)))
        client_send_end(ex->cl);
    else
        fail(ex, NULL, err);
    free(out);
}

static void on_done(void *ctx, const char *error)
{
    exec_part *part = ctx;
    exec *ex = part->ex;
    backend_conn *conn = part->conn;
    part->conn = NULL;
    if (ex->paused == part)
        ex->paused = NULL;
    if (conn)
        pool_release(conn);
    if (part->finished)
        return; /* abandoned meanwhile */
    part->finished = true;
    ex->unfinished--;
    if (error) {
        char label[256], msg[1024];
        snprintf(msg, sizeof(msg), "%s: %s", part_label(part, label, sizeof(label)), error);
        fail(ex, part, msg);
    } else if (!ex->failed) {
        if (ex->streaming)
            client_send_end(ex->cl);
        else if (ex->unfinished == 0)
            run_combine(ex);
    }
    finish_if_done(ex);
}

static void on_acquired(void *ctx, backend_conn *conn, const char *error)
{
    exec_part *part = ctx;
    exec *ex = part->ex;
    part->request = NULL;
    if (!conn) {
        part->finished = true;
        ex->unfinished--;
        char label[256], msg[1024];
        snprintf(msg, sizeof(msg), "%s: %s", part_label(part, label, sizeof(label)), error);
        fail(ex, part, msg);
        finish_if_done(ex);
        return;
    }
    part->conn = conn;
    backend_sink sink = {
        .ctx = part, .on_columns = on_columns, .on_row = on_row, .on_done = on_done};
    conn->ops->run(conn, &ex->plan->queries[part->index], &sink);
}

exec *exec_start(client *cl, const plan *p)
{
    exec *ex = calloc(1, sizeof(*ex));
    if (!ex)
        abort();
    ex->cl = cl;
    ex->plan = p;
    ex->streaming = p->final_sql == NULL;
    ex->parts = calloc(p->nqueries, sizeof(*ex->parts));
    if (!ex->parts)
        abort();
    ex->unfinished = p->nqueries;
    if (!ex->streaming) {
        char err[256];
        ex->comb = combine_new(p->nqueries, err, sizeof(err));
        if (!ex->comb) {
            sql_error e;
            sql_error_set(&e, ER_UNKNOWN_ERROR, "HY000", "%s", err);
            client_send_error(cl, &e);
            ex->unfinished = 0;
            finish_if_done(ex);
            return NULL;
        }
    }
    for (size_t i = 0; i < p->nqueries; i++) {
        exec_part *part = &ex->parts[i];
        part->ex = ex;
        part->index = i;
        pool *pl = server_pool_for(p->queries[i].conn);
        part->request = pool_acquire(pl, on_acquired, part);
    }
    return ex;
}

void exec_resume(exec *ex)
{
    if (!ex->paused || client_output_full(ex->cl))
        return;
    exec_part *part = ex->paused;
    ex->paused = NULL;
    if (part->conn)
        part->conn->ops->resume(part->conn);
}

void exec_abort(exec *ex)
{
    for (size_t i = 0; i < ex->plan->nqueries; i++)
        abandon(&ex->parts[i]);
    exec_free(ex);
}
