#include "proxy/exec/exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <event2/event.h>

#include "proxy/backend/backend.h"
#include "proxy/backend/pool.h"
#include "proxy/cache/cache_key.h"
#include "proxy/cache/cache_policy.h"
#include "proxy/cache/result_cache.h"
#include "proxy/exec/columns.h"
#include "proxy/exec/combine.h"
#include "proxy/exec/phases.h"
#include "proxy/backend/row_batch.h"
#include "planner/final_exact.h"
#include "proxy/log.h"
#include "proxy/workers.h"
#include "wire/xalloc.h"

typedef struct exec_part {
    exec *ex;
    size_t index;
    char *label; /* "backend 'x' (source 'y')", kept for messages after the plan is gone */
    pool_request *request;
    backend_conn *conn;
    bool finished; /* its query ended (or never started) */
    result_column *cols;
    size_t ncols;
    uint64_t started_ns; /* when its query went to the backend; 0 before */
    uint64_t rows;       /* rows its backend returned */
    source_stats *stats; /* its source's counters (env->stats) */
    /* SQLite's DECIMAL columns (sqlite_decimal_type): each one's scale, -1 for the
     * others; NULL when no column is one. The row being passed on, at those scales. */
    int *round_scales;
    const char **rounded;
    size_t *rounded_lengths;
    char (*rounded_text)[64];
} exec_part;

/* How the answer is made; fixed when the execution starts. */
typedef enum {
    EXEC_STREAM,  /* one source: its rows go straight to the caller */
    EXEC_COMBINE, /* several: loaded into SQLite, the final query's rows go out */
    EXEC_CACHED,  /* from the result cache: no backend is asked */
} exec_mode;

struct exec {
    exec_mode mode;
    const exec_env *env;
    exec_sink sink;
    bool attached;     /* the caller waits for its answer (not yet given, not gone) */
    const plan *plan;  /* the caller's: only while attached */
    query_log *record; /* the caller's: only while attached; may be NULL */
    uint64_t max_rows, max_bytes;
    size_t nparts;
    exec_part *parts;
    size_t unfinished;
    /* stop_parts is running: a part that ends inside it must not free the execution. */
    bool stopping;
    /*
     * The caller's output is full: nothing more is produced until exec_resume.
     * In EXEC_STREAM the backend of held_part is paused; in EXEC_COMBINE the
     * next batch is not stepped; in EXEC_CACHED no more stored rows are sent.
     */
    bool held;
    exec_part *held_part;
    combine *comb;
    struct event *deadline;
    uint64_t rows, bytes; /* delivered or staged, against the limits */
    void *layer;          /* the semantic layer the plan was made on (env->hold_layer) */
    /* The final query, stepped on a worker in batches (the loop never waits for SQLite). */
    sqlite3_stmt *final;
    row_batch batch;
    bool combining;     /* a worker has the combine: a batch, or a table's index */
    size_t batch_rows;  /* the rows of the last batch stepped (combine_step) */
    result_column *out; /* the final columns' types */
    const char **values;
    size_t *lengths;
    char (*numbers)[64]; /* reformatted decimals of the row being sent */
    uint64_t combine_started_ns;
    /*
     * The tables whose sources answered while others ran are indexed then, on a
     * worker (index_early); the last to answer is the one the final join scans.
     */
    size_t *answered; /* the parts that answered, in that order */
    size_t nanswered;
    bool indexing;     /* the worker indexes table indexed */
    size_t indexed;    /* (combining is set too) */
    bool index_failed; /* and could not: index_err says why */
    char index_err[256];
    bool combine_waits; /* every source answered meanwhile: run_combine after it */
    size_t outer;       /* the table the final join scans */
    char *final_sql;    /* the plan's final SQL with its tables in that order; or NULL */
    /* The result cache (proxy/cache/cache_policy.h). */
    cache_outcome cache; /* what the cache did for this execution */
    cache_fill *fill;    /* a miss: the result recorded as it goes out; NULL once abandoned */
    cache_entry *hit;    /* a hit: the stored result being sent */
    size_t hit_offset;   /* its next row */
    /* Not NULL: this is only the caller's handle on a phased execution
     * (proxy/exec/phases.h); everything the caller does goes to it. */
    phases *phased;
};

static unsigned live_execs;

unsigned exec_count(void)
{
    return live_execs;
}

/* The recording of a result that will not complete (or was not wanted) goes. */
static void drop_fill(exec *ex)
{
    cache_fill_abort(ex->fill);
    ex->fill = NULL;
}

static void exec_free(exec *ex)
{
    /* Nothing may call back into a freed execution: no backend, no worker, no caller. */
    MIMIR_ASSERT(ex->unfinished == 0 && !ex->attached && !ex->combining);
    drop_fill(ex);
    cache_entry_release(ex->hit);
    for (size_t i = 0; i < ex->nparts; i++) {
        free(ex->parts[i].cols);
        free(ex->parts[i].label);
        free(ex->parts[i].round_scales);
        free(ex->parts[i].rounded);
        free(ex->parts[i].rounded_lengths);
        free(ex->parts[i].rounded_text);
    }
    if (ex->deadline)
        event_free(ex->deadline);
    if (ex->final)
        sqlite3_finalize(ex->final);
    row_batch_free(&ex->batch);
    free(ex->out);
    free(ex->values);
    free(ex->lengths);
    free(ex->numbers);
    free(ex->answered);
    free(ex->final_sql);
    combine_free(ex->comb);
    free(ex->parts);
    ex->env->release_layer(ex->env->ctx, ex->layer);
    free(ex);
    live_execs--;
}

static void free_if_done(exec *ex)
{
    if (ex->unfinished == 0 && !ex->attached && !ex->combining && !ex->stopping)
        exec_free(ex);
}

/* From now on nothing is sent to the caller, and nothing of its is read. */
static void detach(exec *ex)
{
    ex->attached = false;
    ex->plan = NULL;
    ex->record = NULL;
    ex->held = false;
    ex->held_part = NULL;
    if (ex->deadline)
        event_del(ex->deadline);
}

/* What the cache did, for the caller's query record and /metrics. */
static void count_cache_outcome(exec *ex)
{
    if (ex->record)
        ex->record->cache = cache_outcome_name(ex->cache);
    if (ex->cache == CACHE_HIT)
        ex->env->stats->cache_hits++;
    else if (ex->cache == CACHE_MISS)
        ex->env->stats->cache_misses++;
}

/* The whole result went out: the caller has its answer. */
static void answer_end(exec *ex)
{
    MIMIR_ASSERT(ex->attached);
    count_cache_outcome(ex);
    exec_sink sink = ex->sink;
    detach(ex);
    sink.end(sink.ctx);
}

/*
 * Stops the parts still running: waiting ones give their place up, running ones are
 * cancelled on their database and end through on_done. A backend may end its query
 * inside cancel (SQLite does when no batch is being stepped): the execution is then
 * not freed under this loop, and the caller calls free_if_done when done with it.
 */
static void stop_parts(exec *ex)
{
    ex->stopping = true;
    for (size_t i = 0; i < ex->nparts; i++) {
        exec_part *part = &ex->parts[i];
        if (part->finished)
            continue;
        if (part->request) {
            pool_cancel(part->request);
            part->request = NULL;
            part->finished = true;
            ex->unfinished--;
        } else if (part->conn) {
            if (part->conn->ops->cancel) {
                part->conn->ops->cancel(part->conn);
            } else {
                /* A backend that cannot cancel: drop the connection instead. */
                part->conn->broken = true;
                pool_release(part->conn);
                part->conn = NULL;
                part->finished = true;
                ex->unfinished--;
            }
        }
    }
    ex->stopping = false;
}

/* Answers the caller with an error and stops everything else. */
static void fail(exec *ex, uint16_t code, const char *sqlstate, const char *message)
{
    drop_fill(ex); /* killed, timed out, failed or over a limit: never cached */
    if (!ex->attached)
        return;
    sql_error e;
    sql_error_set(&e, code, sqlstate, "%s", message);
    count_cache_outcome(ex);
    exec_sink sink = ex->sink;
    detach(ex);
    sink.error(sink.ctx, &e);
    stop_parts(ex);
}

void exec_cancel(exec *ex, uint16_t code, const char *sqlstate, const char *message)
{
    if (ex->phased) {
        phases_cancel(ex->phased, code, sqlstate, message);
        return;
    }
    fail(ex, code, sqlstate, message);
    free_if_done(ex);
}

void exec_detach(exec *ex)
{
    if (ex->phased) {
        phases_detach(ex->phased);
        return;
    }
    drop_fill(ex);
    detach(ex); /* gone: no answer */
    stop_parts(ex);
    free_if_done(ex);
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    exec *ex = arg;
    log_info("query timed out; cancelling its backend queries");
    exec_cancel(ex, ER_QUERY_TIMEOUT, "HY000",
                "Query execution was interrupted, maximum statement execution time exceeded");
}

/* Counts a row against max_result_rows / max_result_bytes; false (and fails) past them. */
static bool within_limits(exec *ex, const size_t *lengths, size_t n)
{
    ex->rows++;
    for (size_t i = 0; i < n; i++)
        ex->bytes += lengths[i];
    char msg[256];
    if (ex->max_rows && ex->rows > ex->max_rows) {
        snprintf(msg, sizeof(msg),
                 "result too large: more than %llu rows (max_result_rows); narrow the query "
                 "or add a LIMIT",
                 (unsigned long long)ex->max_rows);
    } else if (ex->max_bytes && ex->bytes > ex->max_bytes) {
        snprintf(msg, sizeof(msg),
                 "result too large: more than %llu bytes (max_result_bytes); narrow the query "
                 "or add a LIMIT",
                 (unsigned long long)ex->max_bytes);
    } else {
        return true;
    }
    fail(ex, ER_TOO_BIG_SELECT, "42000", msg);
    return false;
}

/*
 * A backend that leaves a column's scale or precision unknown (PostgreSQL's
 * NUMERIC without one, when no row tells it; a timestamp without one) gets
 * the semantic layer's, when the layer has the same type: the result is then
 * described as COM_STMT_PREPARE and information_schema describe it, rows or
 * not. What the backend knows is never overridden.
 */
static result_column with_layer_type(const result_column *col, const plan_column *pc)
{
    result_column c = *col;
    if (c.decimals < 0 && pc->layer_type.type == c.type && pc->layer_type.decimals >= 0)
        c.decimals = pc->layer_type.decimals;
    return c;
}

static void send_header(exec *ex, const result_column *cols)
{
    MIMIR_ASSERT(ex->attached);
    const plan *p = ex->plan;
    wire_column *defs = xcalloc(p->ncols + 1, sizeof(*defs));
    for (size_t i = 0; i < p->ncols; i++) {
        result_column c = with_layer_type(&cols[i], &p->cols[i]);
        column_definition(&c, p->cols[i].name, p->cols[i].org_name, &defs[i]);
    }
    ex->sink.header(ex->sink.ctx, defs, p->ncols);
    free(defs);
}

static void send_row(exec *ex, const char *const *values, const size_t *lengths, size_t n)
{
    MIMIR_ASSERT(ex->attached);
    ex->sink.row(ex->sink.ctx, values, lengths, n);
}

static bool caller_full(exec *ex)
{
    return ex->sink.full(ex->sink.ctx);
}

/* ---- The result cache ------------------------------------------------------ */

static void tee_columns(exec *ex, const result_column *cols)
{
    if (ex->fill)
        cache_fill_columns(ex->fill, cols, ex->plan->ncols);
}

/* A row on its way to the caller is recorded too, until the result is too large to keep. */
static void tee_row(exec *ex, const char *const *values, const size_t *lengths)
{
    if (ex->fill && !cache_fill_row(ex->fill, values, lengths))
        drop_fill(ex);
}

/* The caller has the whole result: keep it for the next one who asks. */
static void store_result(exec *ex)
{
    if (ex->fill)
        cache_fill_commit(ex->fill);
    ex->fill = NULL;
}

/* Rows of a hit are sent in slices, so that a large result waits for a slow caller. */
#define HIT_SLICE_ROWS  256
#define HIT_SLICE_BYTES (256u << 10)

/* Sends the stored rows until done, over a limit, or the caller's output is full.
 * True when the execution ended (and is freed). */
static bool serve_hit(exec *ex)
{
    size_t n = cache_entry_ncols(ex->hit), end = cache_entry_end(ex->hit);
    const char **values = xcalloc(n + 1, sizeof(*values));
    size_t *lengths = xcalloc(n + 1, sizeof(*lengths));
    size_t rows = 0, bytes = 0;
    while (ex->attached && ex->hit_offset < end) {
        ex->hit_offset = cache_entry_row(ex->hit, ex->hit_offset, values, lengths);
        if (!within_limits(ex, lengths, n))
            break;
        send_row(ex, values, lengths, n);
        for (size_t i = 0; i < n; i++)
            bytes += lengths[i];
        if (++rows < HIT_SLICE_ROWS && bytes < HIT_SLICE_BYTES)
            continue;
        rows = bytes = 0;
        if (caller_full(ex)) {
            ex->held = true; /* exec_resume goes on when the caller has read */
            break;
        }
    }
    free(values);
    free(lengths);
    if (ex->attached && ex->hit_offset >= end)
        answer_end(ex);
    if (ex->attached)
        return false;
    free_if_done(ex);
    return true;
}

/*
 * Before running a plan: answer it from the cache (true), or get ready to
 * record its result (a miss) when the plan may be cached.
 */
static bool answer_from_cache(exec *ex, const exec_request *req)
{
    uint64_t ttl_ms;
    ex->cache = cache_policy_for(req->cache, req->plan, &ttl_ms);
    if (ex->cache != CACHE_MISS)
        return false;
    cache_key key;
    cache_key_of_plan(req->plan, req->grants_fingerprint ? req->grants_fingerprint : "", &key);
    ex->hit = result_cache_lookup(req->cache, &key);
    if (!ex->hit) {
        ex->fill = cache_fill_begin(req->cache, &key, ttl_ms);
        return false;
    }
    ex->cache = CACHE_HIT;
    send_header(ex, cache_entry_cols(ex->hit));
    return true;
}

/* ---- Sink callbacks of the backends ---------------------------------------- */

/*
 * SQLite types a column by its first value: the dates Mimir computes there (a
 * grain, DATE(ts)) are TEXT to it, and of unknown type without a row (a source
 * with no row in a combine). The planner knows them (layer_types of a SQLite
 * query): they go out as DATE and DATETIME, as from PostgreSQL.
 */
static void computed_date_type(const atomic_query *q, size_t i, result_column *col)
{
    const result_column *t = q->layer_types ? &q->layer_types[i] : NULL;
    if (q->dialect == DIALECT_SQLITE && (col->type == VT_TEXT || col->type == VT_NULL) && t &&
        (t->type == VT_DATE || t->type == VT_DATETIME)) {
        col->type = t->type;
        col->decimals = t->decimals;
    }
}

/*
 * SQLite has no DECIMAL: a metric the semantic layer types DECIMAL(p,s) there
 * (planner/layer_types.h) is a sum of REALs, binary floating point, which the
 * split has SQLite round to s decimals. Its text ("0.3", "5.0") is written
 * with s decimals (half away from zero) as it arrives, and the column is that
 * DECIMAL, as PostgreSQL and MySQL describe theirs: from then on (the combine,
 * the final stage) it is exact. SQLite prints a REAL with 15 significant
 * digits, so the value is the exact decimal while the metric has at most 15
 * significant digits and SQLite's binary sum is off by less than half a unit
 * of its last decimal (docs/configuration.md).
 */
static void sqlite_decimal_type(const atomic_query *q, exec_part *part, size_t i)
{
    const result_column *t = q->layer_types ? &q->layer_types[i] : NULL;
    result_column *col = &part->cols[i];
    if (q->dialect != DIALECT_SQLITE)
        return;
    if (t && t->type == VT_DECIMAL && t->decimals >= 0) {
        col->type = VT_DECIMAL;
        col->decimals = t->decimals;
        if (t->length > 0)
            col->length = t->length;
    } else if (col->type != VT_DECIMAL || col->decimals < 0) {
        return; /* a column declared DECIMAL(p,s) (1 stored as the INTEGER 1) is padded too */
    }
    if (!part->round_scales) {
        part->round_scales = xcalloc(part->ncols + 1, sizeof(int));
        for (size_t k = 0; k < part->ncols; k++)
            part->round_scales[k] = -1;
        part->rounded = xcalloc(part->ncols + 1, sizeof(char *));
        part->rounded_lengths = xcalloc(part->ncols + 1, sizeof(size_t));
        part->rounded_text = xcalloc(part->ncols + 1, 64);
    }
    part->round_scales[i] = col->decimals;
}

/* The row with SQLite's DECIMAL metrics at their scale (the values unchanged otherwise). */
static const char *const *round_decimals(exec_part *part, const char *const *values,
                                         const size_t **lengths)
{
    if (!part->round_scales)
        return values;
    for (size_t k = 0; k < part->ncols; k++) {
        part->rounded[k] = values[k];
        part->rounded_lengths[k] = (*lengths)[k];
        if (values[k] && part->round_scales[k] >= 0 && (*lengths)[k] < 64) {
            part->rounded_lengths[k] = combine_decimal_text(
                values[k], (*lengths)[k], part->round_scales[k], part->rounded_text[k]);
            part->rounded[k] = part->rounded_text[k];
        }
    }
    *lengths = part->rounded_lengths;
    return part->rounded;
}

static void on_columns(void *ctx, const result_column *cols, size_t n)
{
    exec_part *part = ctx;
    exec *ex = part->ex;
    if (!ex->attached)
        return;
    const atomic_query *q = &ex->plan->queries[part->index];
    if (n != q->ncols) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s returned %zu columns, expected %zu", part->label, n,
                 q->ncols);
        fail(ex, ER_UNKNOWN_ERROR, "HY000", msg);
        free_if_done(ex);
        return;
    }
    part->ncols = n;
    part->cols = xcalloc(n + 1, sizeof(*part->cols));
    memcpy(part->cols, cols, n * sizeof(*cols));
    for (size_t i = 0; i < n; i++) {
        part->cols[i].name = NULL; /* owned by the backend; not needed past this call */
        computed_date_type(q, i, &part->cols[i]);
        sqlite_decimal_type(q, part, i);
    }
    if (ex->mode == EXEC_STREAM) {
        tee_columns(ex, part->cols);
        send_header(ex, part->cols);
        return;
    }
    char err[512];
    const plan *p = ex->plan;
    size_t nkeys = p->query_keys ? p->query_keys[part->index] : p->njoin_cols;
    if (!combine_create(ex->comb, part->index, q->col_names, part->cols, n, nkeys, err,
                        sizeof(err))) {
        fail(ex, ER_UNKNOWN_ERROR, "HY000", err);
        free_if_done(ex);
    }
}

static void on_row(void *ctx, const char *const *values, const size_t *lengths)
{
    exec_part *part = ctx;
    exec *ex = part->ex;
    part->rows++;
    if (!ex->attached)
        return;
    values = round_decimals(part, values, &lengths);
    if (!within_limits(ex, lengths, part->ncols)) {
        free_if_done(ex);
        return;
    }
    if (ex->mode == EXEC_STREAM) {
        tee_row(ex, values, lengths);
        send_row(ex, values, lengths, part->ncols);
        if (!ex->held && caller_full(ex)) {
            ex->held = true;
            ex->held_part = part;
            part->conn->ops->pause(part->conn);
        }
        return;
    }
    char err[512];
    if (!combine_insert(ex->comb, part->index, values, lengths, err, sizeof(err))) {
        fail(ex, ER_UNKNOWN_ERROR, "HY000", err);
        free_if_done(ex);
    }
}

static void combine_next(exec *ex);

/* The backend waits: the streamed rows staged so far go to the caller. */
static void on_flush(void *ctx)
{
    exec_part *part = ctx;
    exec *ex = part->ex;
    if (ex->mode == EXEC_STREAM && ex->attached)
        ex->sink.flush(ex->sink.ctx);
}

/* ---- The combine ------------------------------------------------------------ */

/*
 * Batches of final rows: the first of 1,024 rows, each next one twice as large up to
 * 32,768 values (8,192 rows of four columns), and 256 KiB of values at most. Each
 * batch is a round trip between the loop and a worker (a wake-up on each side): with
 * 1,024 rows throughout, scenario 4's 200,000 rows took 195 of them and its combine
 * 213 ms, with 8,192 rows 25 and 201 ms. The first batch stays small, so that the
 * first rows (and a caller's backpressure) come as early as before; wide rows keep
 * the batches they had (the lengths array holds rows x columns).
 */
#define COMBINE_BATCH_VALUES   32768
#define COMBINE_BATCH_MIN_ROWS 1024
#define COMBINE_BATCH_BYTES    (256u << 10)

/* On a worker: the next batch of final rows (the first also indexes the join keys). */
static void combine_step(void *arg)
{
    exec *ex = arg;
    combine_index(ex->comb, ex->outer);
    size_t ncols = (size_t)sqlite3_column_count(ex->final);
    size_t most = ncols ? COMBINE_BATCH_VALUES / ncols : COMBINE_BATCH_VALUES;
    if (most < COMBINE_BATCH_MIN_ROWS)
        most = COMBINE_BATCH_MIN_ROWS;
    ex->batch_rows = ex->batch_rows ? ex->batch_rows * 2 : COMBINE_BATCH_MIN_ROWS;
    if (ex->batch_rows > most)
        ex->batch_rows = most;
    row_batch_step(&ex->batch, combine_db(ex->comb), ex->final, ex->batch_rows,
                   COMBINE_BATCH_BYTES);
}

/* The first batch tells the types of computed columns outside MySQL's type rules
 * (functions the rules do not know): then the header goes out. */
static void send_final_header(exec *ex)
{
    const plan *p = ex->plan;
    ex->values = xcalloc(p->ncols + 1, sizeof(char *));
    ex->lengths = xcalloc(p->ncols + 1, sizeof(size_t));
    ex->numbers = xcalloc(p->ncols + 1, 64);
    for (size_t i = 0; i < p->ncols; i++) {
        if (ex->out[i].type != VT_NULL)
            continue;
        int kind = ex->batch.first_types ? ex->batch.first_types[i] : SQLITE_NULL;
        ex->out[i].type = kind == SQLITE_INTEGER ? VT_INT64
                          : kind == SQLITE_TEXT  ? VT_TEXT
                          : kind == SQLITE_BLOB  ? VT_BLOB
                                                 : VT_DOUBLE; /* REAL, or NULL: mostly ratios */
        ex->out[i].decimals = -1;
    }
    tee_columns(ex, ex->out);
    send_header(ex, ex->out);
}

/* Sends the rows of the batch just stepped. */
static void send_batch(exec *ex)
{
    const plan *p = ex->plan;
    size_t offset = 0;
    for (size_t r = 0; r < ex->batch.nrows; r++) {
        offset = row_batch_row(&ex->batch, r, offset, ex->values, ex->lengths);
        for (size_t k = 0; k < p->ncols; k++) {
            /* Decimals at their column's scale (keys were stored as REAL). */
            if (ex->values[k] && ex->out[k].type == VT_DECIMAL && ex->out[k].decimals >= 0) {
                ex->lengths[k] = combine_decimal_text(ex->values[k], ex->lengths[k],
                                                      ex->out[k].decimals, ex->numbers[k]);
                ex->values[k] = ex->numbers[k];
            }
            /* A DATE plus whole days is a DATE, as MySQL: SQLite's datetime() adds a time. */
            if (ex->values[k] && ex->out[k].type == VT_DATE && ex->lengths[k] > 10)
                ex->lengths[k] = 10;
            /* A DATE in a DATETIME column (a UNION, COALESCE of both) is its midnight. */
            if (ex->values[k] && ex->out[k].type == VT_DATETIME && ex->lengths[k] == 10) {
                int d =
                    ex->out[k].decimals > 0 && ex->out[k].decimals <= 6 ? ex->out[k].decimals : 0;
                snprintf(ex->numbers[k], 64, "%.10s 00:00:00%s%.*s", ex->values[k], d ? "." : "", d,
                         "000000");
                ex->values[k] = ex->numbers[k];
                ex->lengths[k] = strlen(ex->numbers[k]);
            }
        }
        tee_row(ex, ex->values, ex->lengths);
        send_row(ex, ex->values, ex->lengths, p->ncols);
    }
}

/* Back on the loop: send the batch, then step on unless done, failed or held back. */
static void combine_stepped(void *arg)
{
    exec *ex = arg;
    ex->combining = false;
    if (!ex->attached) {
        free_if_done(ex);
        return;
    }
    if (ex->batch.first || (ex->batch.rc == SQLITE_DONE && !ex->batch.first_types && !ex->values))
        send_final_header(ex);
    send_batch(ex);
    if (ex->batch.rc == SQLITE_DONE) {
        if (ex->record)
            ex->record->combine_ms = (double)(stats_now_ns() - ex->combine_started_ns) / 1e6;
        store_result(ex);
        answer_end(ex);
        free_if_done(ex);
    } else if (ex->batch.rc != SQLITE_ROW) {
        char msg[512];
        snprintf(msg, sizeof(msg), "combine: the final query failed: %s",
                 ex->batch.error ? ex->batch.error : "SQLite error");
        exec_cancel(ex, ER_UNKNOWN_ERROR, "HY000", msg);
    } else {
        ex->sink.flush(ex->sink.ctx); /* the next batch takes a worker's time */
        if (caller_full(ex))
            ex->held = true; /* exec_resume steps on when the caller has read */
        else
            combine_next(ex);
    }
}

static void combine_next(exec *ex)
{
    ex->combining = true;
    workers_submit(combine_step, combine_stepped, ex);
}

/*
 * The type of column col of atomic query q, as loaded. A DECIMAL has the
 * semantic layer's scale when the layer knows it (discovered from the backend,
 * so the backend's own), whatever the values show: a metric whose every value
 * is NULL still has it. Otherwise the scale of its values, the largest (a
 * PostgreSQL NUMERIC without a typmod has one per value: the backend's
 * column tells only its first), or without a value what the backend said
 * (-1 when it left the scale open: send_header then takes the plan's).
 */
static result_column loaded_column(exec *ex, size_t q, size_t col)
{
    result_column c = ex->parts[q].cols[col];
    if (c.type != VT_DECIMAL)
        return c;
    const atomic_query *aq = &ex->plan->queries[q];
    const result_column *layer = aq->layer_types ? &aq->layer_types[col] : NULL;
    int seen = combine_scale(ex->comb, q, col);
    if (layer && layer->type == VT_DECIMAL && layer->decimals >= 0)
        c.decimals = layer->decimals;
    else if (seen >= 0)
        c.decimals = seen;
    return c;
}

/* The same for the type rules of computed columns, which need a scale: an open one is 0. */
static result_column loaded_type(void *ctx, size_t q, size_t col)
{
    result_column c = loaded_column(ctx, q, col);
    if (c.type == VT_DECIMAL && c.decimals < 0)
        c.decimals = 0;
    return c;
}

/*
 * The final SQL's parameters, with the decimals MySQL shows of its quotients
 * (PARAM_DECIMALS) and the types of a UNION's columns (PARAM_TYPE) now that the
 * sources' types are known: an integer, -1 when the expression is no DECIMAL (has no
 * known type), -2 (PARAM_DECIMALS) when it is a DOUBLE. Bound at once by combine_prepare.
 */
static query_param *bind_decimals(exec *ex, const plan *p)
{
    query_param *out = xcalloc(p->nfinal_params + 1, sizeof(*out));
    static const char *const digits[] = {"-2", "-1", "0",  "1",  "2",  "3",  "4",  "5",  "6",
                                         "7",  "8",  "9",  "10", "11", "12", "13", "14", "15",
                                         "16", "17", "18", "19", "20", "21", "22", "23", "24",
                                         "25", "26", "27", "28", "29", "30"};
    for (size_t i = 0; i < p->nfinal_params; i++) {
        out[i] = p->final_params[i];
        if (out[i].kind != PARAM_DECIMALS && out[i].kind != PARAM_TYPE)
            continue;
        result_column c;
        bool known = out[i].rule && final_type_eval(out[i].rule, loaded_type, ex, &c);
        int d = -1;
        if (out[i].kind == PARAM_TYPE && known && c.type >= 0 && c.type <= 30)
            d = c.type;
        else if (out[i].kind == PARAM_DECIMALS && known && c.type == VT_DECIMAL &&
                 c.decimals >= 0 && c.decimals <= 30)
            d = c.decimals;
        else if (out[i].kind == PARAM_DECIMALS && known &&
                 (c.type == VT_DOUBLE || c.type == VT_FLOAT))
            d = PARAM_DECIMALS_DOUBLE;
        out[i].kind = PARAM_INT;
        out[i].text = digits[d - PARAM_DECIMALS_DOUBLE];
    }
    return out;
}

/* ---- Indexing while other sources run ------------------------------------------ */

/* May the final join take its tables in another order (plan.join)? */
static bool join_reorderable(const exec *ex)
{
    const final_join *j = &ex->plan->join;
    return j->sql && j->sql == ex->plan->final_sql && ex->nanswered == ex->plan->nqueries;
}

/*
 * The final SQL with the tables joined in the order their sources answered, the last
 * first: the join scans it and looks the others up by their keys, indexed while it
 * ran. FULL OUTER JOIN ... USING is the same join in any order; only the order of the
 * rows changes, which no ORDER BY fixed. NULL when that is the plan's own order.
 */
static char *reordered_final_sql(const exec *ex)
{
    const plan *p = ex->plan;
    const final_join *j = &p->join;
    size_t n = ex->nanswered, last = ex->answered[n - 1];
    bool same = last == 0;
    for (size_t k = 0; same && k + 1 < n; k++)
        same = ex->answered[k] == k + 1;
    if (same)
        return NULL;
    buf sql;
    buf_init(&sql);
    buf_append(&sql, p->final_sql, j->from);
    for (size_t k = 0; k < n; k++) {
        size_t i = k == 0 ? last : ex->answered[k - 1];
        if (k)
            buf_append_str(&sql, " FULL OUTER JOIN ");
        buf_append(&sql, p->final_sql + j->table_from[i], j->table_to[i] - j->table_from[i]);
        if (k)
            buf_append_str(&sql, j->using_sql);
    }
    buf_append_str(&sql, p->final_sql + j->to);
    char *out = xstrdup(buf_cstr(&sql));
    buf_free(&sql);
    return out;
}

/* On a worker: builds the index of a table whose source has answered. */
static void index_step(void *arg)
{
    exec *ex = arg;
    ex->index_failed =
        !combine_index_table(ex->comb, ex->indexed, ex->index_err, sizeof(ex->index_err));
}

static void run_combine(exec *ex);
static void index_early(exec *ex);

/*
 * Back on the loop: the rows the other sources sent meanwhile go in. They were held
 * in memory rather than the backends paused: they are few (an index is built at
 * about 4 million keys a second), within the limits already, and would be in the
 * database anyway.
 */
static void index_stepped(void *arg)
{
    exec *ex = arg;
    ex->indexing = ex->combining = false;
    if (!ex->attached) {
        free_if_done(ex);
        return;
    }
    char err[512];
    bool ok = !ex->index_failed && combine_settle(ex->comb, err, sizeof(err));
    if (ex->index_failed)
        snprintf(err, sizeof(err), "%s", ex->index_err);
    if (!ok) {
        fail(ex, ER_UNKNOWN_ERROR, "HY000", err);
    } else if (ex->combine_waits) {
        ex->combine_waits = false;
        run_combine(ex);
    } else {
        index_early(ex);
    }
    free_if_done(ex);
}

/*
 * A source has answered while others run: a worker indexes its table now rather than
 * after the last one. Any table but the one the join scans is looked up: with a join
 * that may be reordered that is the last to answer, so any table that answers before
 * it; else s0. One table at a time; the next when the worker is done.
 */
static void index_early(exec *ex)
{
    if (ex->combining || !ex->attached || ex->unfinished == 0)
        return;
    const final_join *j = &ex->plan->join;
    bool any = j->sql && j->sql == ex->plan->final_sql;
    for (size_t k = 0; k < ex->nanswered; k++) {
        size_t i = ex->answered[k];
        if ((i > 0 || any) && combine_has_index_to_build(ex->comb, i)) {
            ex->indexing = ex->combining = true;
            ex->indexed = i;
            combine_lend(ex->comb);
            workers_submit(index_step, index_stepped, ex);
            return;
        }
    }
}

/* Every part is in: join them in SQLite, on a worker, and send the result. */
static void run_combine(exec *ex)
{
    const plan *p = ex->plan;
    ex->out = xcalloc(p->ncols + 1, sizeof(*ex->out));
    for (size_t i = 0; i < p->ncols; i++) {
        const plan_column *pc = &p->cols[i];
        if (!pc->computed) {
            ex->out[i] = loaded_column(ex, pc->query, pc->query_col);
        } else if (!pc->type || !final_type_eval(pc->type, loaded_type, ex, &ex->out[i])) {
            ex->out[i].type = VT_NULL; /* outside the rules: known from the first row */
        }
        ex->out[i].name = NULL;
    }
    ex->combine_started_ns = stats_now_ns();
    ex->outer = 0;
    if (join_reorderable(ex)) {
        ex->outer = ex->answered[ex->nanswered - 1];
        ex->final_sql = reordered_final_sql(ex);
    }
    char err[512];
    query_param *params = bind_decimals(ex, p);
    ex->final = combine_prepare(ex->comb, ex->final_sql ? ex->final_sql : p->final_sql, params,
                                p->nfinal_params, err, sizeof(err));
    free(params);
    if (!ex->final) {
        fail(ex, ER_UNKNOWN_ERROR, "HY000", err);
        return;
    }
    row_batch_init(&ex->batch);
    combine_next(ex);
}

/* ---- Backend queries ---------------------------------------------------------- */

/* A part's query ended: its source's counters, and the caller's query record. */
static void count_part(exec_part *part, bool ok)
{
    if (!part->started_ns)
        return;
    uint64_t ns = stats_now_ns() - part->started_ns;
    if (ok)
        histogram_observe(&part->stats->backend, (double)ns / 1e9);
    part->stats->rows += part->rows;
    if (part->ex->record)
        query_log_source_done(part->ex->record, part->index, (double)ns / 1e6, part->rows);
}

/* A part's query ended: with message NULL it succeeded, else it failed with code. */
static void part_ended(exec_part *part, uint16_t code, const char *sqlstate, const char *message)
{
    exec *ex = part->ex;
    MIMIR_ASSERT(!part->finished && ex->unfinished > 0); /* a backend ends its query once */
    count_part(part, message == NULL);
    backend_conn *conn = part->conn;
    part->conn = NULL;
    if (ex->held_part == part) {
        ex->held_part = NULL;
        ex->held = false;
    }
    if (conn)
        pool_release(conn);
    part->finished = true;
    ex->unfinished--;
    if (ex->attached) {
        if (message) {
            fail(ex, code, sqlstate, message);
        } else if (ex->mode == EXEC_STREAM) {
            store_result(ex);
            answer_end(ex);
        } else {
            if (!ex->answered)
                ex->answered = xcalloc(ex->nparts + 1, sizeof(*ex->answered));
            ex->answered[ex->nanswered++] = part->index;
            if (ex->unfinished > 0)
                index_early(ex);
            else if (ex->indexing)
                ex->combine_waits = true; /* index_stepped runs it */
            else
                run_combine(ex);
        }
    }
    free_if_done(ex);
}

/* A database's error: 1105, prefixed with the part's backend and source. */
static void on_done(void *ctx, const char *error)
{
    exec_part *part = ctx;
    if (!error) {
        part_ended(part, 0, NULL, NULL);
        return;
    }
    char msg[1024];
    snprintf(msg, sizeof(msg), "%s: %s", part->label, error);
    part_ended(part, ER_UNKNOWN_ERROR, "HY000", msg);
}

/* The connector's own refusal (a time zone its server lacks): its code, its message. */
static void on_refused(void *ctx, uint16_t code, const char *sqlstate, const char *message)
{
    part_ended(ctx, code, sqlstate, message);
}

static void on_acquired(void *ctx, backend_conn *conn, const char *error)
{
    exec_part *part = ctx;
    exec *ex = part->ex;
    part->request = NULL;
    if (!conn) {
        part->finished = true;
        ex->unfinished--;
        char msg[1024];
        snprintf(msg, sizeof(msg), "%s: %s", part->label, error);
        fail(ex, ER_UNKNOWN_ERROR, "HY000", msg);
        free_if_done(ex);
        return;
    }
    part->conn = conn;
    part->started_ns = stats_now_ns();
    backend_sink sink = {.ctx = part,
                         .on_columns = on_columns,
                         .on_row = on_row,
                         .on_flush = on_flush,
                         .on_done = on_done,
                         .on_refused = on_refused};
    conn->ops->run(conn, &ex->plan->queries[part->index], &sink);
}

/* ---- Starting and resuming -------------------------------------------------- */

static exec *exec_new(const exec_env *env, const exec_request *req, const exec_sink *sink)
{
    const plan *p = req->plan;
    exec *ex = xcalloc(1, sizeof(*ex));
    live_execs++;
    ex->env = env;
    ex->sink = *sink;
    ex->attached = true;
    ex->plan = p;
    ex->record = req->record;
    ex->max_rows = req->max_rows;
    ex->max_bytes = req->max_bytes;
    ex->layer = env->hold_layer(env->ctx);
    ex->mode = p->final_sql == NULL ? EXEC_STREAM : EXEC_COMBINE;
    ex->nparts = p->nqueries;
    ex->parts = xcalloc(p->nqueries + 1, sizeof(*ex->parts));
    for (size_t i = 0; i < p->nqueries; i++) {
        const atomic_query *q = &p->queries[i];
        char label[512];
        snprintf(label, sizeof(label), "backend '%s' (source '%s')", q->conn ? q->conn->name : "?",
                 q->src->name);
        ex->parts[i].label = xstrdup(label);
        ex->parts[i].ex = ex;
        ex->parts[i].index = i;
        ex->parts[i].stats = stats_source(env->stats, q->src->name);
        if (q->rollup)
            stats_rollup(env->stats, q->rollup)->hits++;
        else if (q->src->n_rollups)
            ex->parts[i].stats->rollup_misses++;
    }
    ex->unfinished = p->nqueries;
    if (req->timeout_ms) {
        ex->deadline = evtimer_new(env->base, deadline_cb, ex);
        struct timeval tv = {(time_t)(req->timeout_ms / 1000),
                             (suseconds_t)(req->timeout_ms % 1000) * 1000};
        event_add(ex->deadline, &tv);
    }
    return ex;
}

exec *exec_wrap_phases(phases *ph)
{
    exec *ex = xcalloc(1, sizeof(*ex));
    live_execs++;
    ex->phased = ph;
    return ex;
}

void exec_unwrap_phases(exec *ex)
{
    free(ex);
    live_execs--;
}

exec *exec_start(const exec_env *env, const exec_request *req, const exec_sink *sink)
{
    if (req->plan->phase)
        return phases_start(env, req, sink);
    exec *ex = exec_new(env, req, sink);
    const plan *p = req->plan;
    if (answer_from_cache(ex, req)) {
        for (size_t i = 0; i < p->nqueries; i++)
            ex->parts[i].finished = true; /* no backend is asked */
        ex->unfinished = 0;
        ex->mode = EXEC_CACHED;
        return serve_hit(ex) ? NULL : ex;
    }
    if (ex->mode == EXEC_COMBINE) {
        char err[256];
        ex->comb = combine_new(p->nqueries, err, sizeof(err));
        if (!ex->comb) {
            ex->unfinished = 0;
            exec_cancel(ex, ER_UNKNOWN_ERROR, "HY000", err);
            return NULL;
        }
    }
    for (size_t i = 0; i < p->nqueries && ex->attached; i++) {
        exec_part *part = &ex->parts[i];
        struct pool *pl = env->pool_for(env->ctx, p->queries[i].conn);
        MIMIR_ASSERT(pl); /* every connection of the layer in force has its pool */
        part->request = pool_acquire(pl, on_acquired, part);
    }
    return ex->attached ? ex : NULL;
}

void exec_resume(exec *ex)
{
    if (ex->phased) {
        phases_resume(ex->phased);
        return;
    }
    if (!ex->attached || !ex->held || caller_full(ex))
        return;
    ex->held = false;
    switch (ex->mode) {
    case EXEC_CACHED:
        serve_hit(ex);
        return;
    case EXEC_COMBINE:
        combine_next(ex);
        return;
    case EXEC_STREAM: {
        exec_part *part = ex->held_part;
        ex->held_part = NULL;
        if (part && part->conn)
            part->conn->ops->resume(part->conn);
        return;
    }
    }
}
