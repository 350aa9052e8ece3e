/*
 * Phased execution (proxy/exec/phases.h): the semi-join filter's two phases.
 *
 * The first phase is an execution like any other whose sink is ours: it
 * collects the values of the key columns (at most plan_phase.max_keys rows;
 * one more is an error that says so, never a truncation: a filter on part of the
 * keys would be a different number). When it has ended, the planner plans the
 * outer statement with those values (plan_phase.plan_outer: execution calls
 * the planner back, it does not know SQL) and that plan runs with a sink
 * that relays to the caller's. The outer phase starts from its own event of
 * the loop, never from inside the first phase's callbacks, where execution is
 * in the middle of its own work.
 *
 * The caller's time limit covers both phases (the outer one gets what the
 * first left); its row and byte limits and the result cache apply to each.
 */
#include "proxy/exec/phases.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "planner/ast.h"
#include "wire/protocol.h"
#include "wire/xalloc.h"

struct phases {
    exec *handle; /* the caller's (exec_wrap_phases) */
    const exec_env *env;
    exec_sink sink;   /* the caller's */
    exec_request req; /* the caller's; its plan is the outer statement without keys */
    const plan_phase *phase;
    plan inner;    /* phase->inner, with the statement's cache hints */
    exec *running; /* the phase running now; NULL between phases */
    bool starting; /* inside exec_start of a phase: an answer there is synchronous */
    bool answered; /* the caller has its answer */
    void *layer;   /* held throughout: plan_outer reads the semantic layer */
    uint64_t started_ns;
    struct event *next; /* starts the outer phase */
    struct event *stop; /* cancels the first phase once it returned too many values */
    /* The key values of the first phase: nkeys rows of phase->nkey_cols values. */
    char **values;
    size_t *lengths;
    size_t nkeys, cap; /* rows */
    int *kinds;        /* planner/ast.h literal_kind of each key column's values */
    bool *approximate; /* per key column: FLOAT or DOUBLE values */
    int *types;        /* per key column: its planner/value_type.h type, and decimals */
    int *decimals;
    bool over; /* more than max_keys */
};

static void phases_free(phases *ph)
{
    if (ph->next)
        event_free(ph->next);
    if (ph->stop)
        event_free(ph->stop);
    for (size_t i = 0; i < ph->nkeys * ph->phase->nkey_cols; i++)
        free(ph->values[i]);
    free(ph->values);
    free(ph->lengths);
    free(ph->kinds);
    free(ph->approximate);
    free(ph->types);
    free(ph->decimals);
    ph->env->release_layer(ph->env->ctx, ph->layer);
    exec_unwrap_phases(ph->handle);
    free(ph);
}

/* The caller has its answer: the phases go, unless a phase is still being started. */
static void answer_error(phases *ph, const sql_error *e)
{
    exec_sink sink = ph->sink;
    ph->answered = true;
    ph->running = NULL;
    sink.error(sink.ctx, e);
    if (!ph->starting)
        phases_free(ph);
}

static void answer_end(phases *ph)
{
    exec_sink sink = ph->sink;
    ph->answered = true;
    ph->running = NULL;
    sink.end(sink.ctx);
    if (!ph->starting)
        phases_free(ph);
}

static void answer_too_many(phases *ph)
{
    sql_error e;
    if (ph->phase->rollup) { /* the session reads the sources instead (1105) */
        sql_error_set(&e, ER_UNKNOWN_ERROR, "HY000",
                      "rollup '%s': the source's rows of the range outside it are more than %zu",
                      ph->phase->rollup, ph->phase->max_keys);
        answer_error(ph, &e);
        return;
    }
    if (ph->phase->scalar) {
        sql_error_set(&e, ER_SUBQUERY_NO_1_ROW, "21000", "Subquery returns more than 1 row");
        answer_error(ph, &e);
        return;
    }
    sql_error_set(&e, ER_NOT_SUPPORTED_YET, "42000",
                  "The subquery of the semi-join filter on %s returned more than %zu values, "
                  "more than Mimir pushes into a query's WHERE: filter it further or lower its "
                  "LIMIT",
                  ph->phase->key_name, ph->phase->max_keys);
    answer_error(ph, &e);
}

/* ---- The outer phase: relays to the caller ------------------------------------ */

static void relay_header(void *ctx, const struct wire_column *cols, size_t n)
{
    phases *ph = ctx;
    ph->sink.header(ph->sink.ctx, cols, n);
}

static void relay_row(void *ctx, const char *const *values, const size_t *lengths, size_t n)
{
    phases *ph = ctx;
    ph->sink.row(ph->sink.ctx, values, lengths, n);
}

static void relay_end(void *ctx)
{
    answer_end(ctx);
}

static void relay_error(void *ctx, const sql_error *e)
{
    answer_error(ctx, e);
}

static bool relay_full(void *ctx)
{
    phases *ph = ctx;
    return ph->sink.full(ph->sink.ctx);
}

static void relay_flush(void *ctx)
{
    phases *ph = ctx;
    if (ph->sink.flush)
        ph->sink.flush(ph->sink.ctx);
}

/* The time the outer phase has left; false (answered) when none. */
static bool time_left(phases *ph, uint64_t *timeout_ms)
{
    *timeout_ms = 0;
    if (!ph->req.timeout_ms)
        return true;
    uint64_t spent = (stats_now_ns() - ph->started_ns) / 1000000;
    if (spent < ph->req.timeout_ms) {
        *timeout_ms = ph->req.timeout_ms - spent;
        return true;
    }
    sql_error e;
    sql_error_set(&e, ER_QUERY_TIMEOUT, "HY000",
                  "Query execution was interrupted, maximum statement execution time exceeded");
    answer_error(ph, &e);
    return false;
}

static void start_outer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    phases *ph = arg;
    exec_request req = ph->req;
    if (!time_left(ph, &req.timeout_ms))
        return;
    phase_keys keys = {.values = (const char *const *)ph->values,
                       .lengths = ph->lengths,
                       .n = ph->nkeys,
                       .ncols = ph->phase->nkey_cols,
                       .kinds = ph->kinds,
                       .approximate = ph->approximate,
                       .types = ph->types,
                       .decimals = ph->decimals};
    sql_error err;
    if (!ph->phase->plan_outer(ph->phase->ctx, &keys, &req.plan, &err)) {
        answer_error(ph, &err);
        return;
    }
    exec_sink relay = {.ctx = ph,
                       .header = relay_header,
                       .row = relay_row,
                       .end = relay_end,
                       .error = relay_error,
                       .full = relay_full,
                       .flush = relay_flush};
    ph->starting = true;
    ph->running = exec_start(ph->env, &req, &relay);
    ph->starting = false;
    if (ph->answered)
        phases_free(ph);
}

/* ---- The first phase: collects the keys ---------------------------------------- */

/* Too many values: the first phase stops (its sink must not cancel it from inside). */
static void stop_inner(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    phases *ph = arg;
    if (ph->running)
        exec_cancel(ph->running, ER_NOT_SUPPORTED_YET, "42000", "too many values");
}

/* The value type a column of this MySQL type holds (what a value cast back to it needs). */
static value_type value_type_of(const struct wire_column *col)
{
    switch (col->type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:
        return VT_INT64;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
        return VT_DOUBLE;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
        return VT_DECIMAL;
    case MYSQL_TYPE_DATE:
        return VT_DATE;
    case MYSQL_TYPE_TIME:
        return VT_TIME;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
        return VT_DATETIME;
    default:
        return VT_TEXT;
    }
}

/* How its values are written as literals (planner/ast.h literal_kind). */
static int literal_kind_of(value_type t, bool *approximate)
{
    *approximate = t == VT_DOUBLE;
    return t == VT_INT64 ? LIT_INT : t == VT_DOUBLE || t == VT_DECIMAL ? LIT_NUMBER : LIT_STRING;
}

static void collect_header(void *ctx, const struct wire_column *cols, size_t n)
{
    phases *ph = ctx;
    for (size_t c = 0; c < ph->phase->nkey_cols; c++) {
        if (ph->phase->key_cols[c] >= n)
            continue;
        const struct wire_column *col = &cols[ph->phase->key_cols[c]];
        value_type t = value_type_of(col);
        ph->kinds[c] = literal_kind_of(t, &ph->approximate[c]);
        ph->types[c] = (int)t;
        ph->decimals[c] = col->decimals;
    }
}

static char *copy_value(const char *value, size_t len)
{
    if (!value)
        return NULL;
    char *v = xmalloc(len + 1);
    memcpy(v, value, len);
    v[len] = '\0';
    return v;
}

static void collect_row(void *ctx, const char *const *values, const size_t *lengths, size_t n)
{
    phases *ph = ctx;
    size_t ncols = ph->phase->nkey_cols;
    for (size_t c = 0; c < ncols; c++)
        if (ph->phase->key_cols[c] >= n)
            return;
    if (ph->over)
        return;
    if (ph->nkeys == ph->phase->max_keys) {
        ph->over = true; /* answered by collect_error once stop_inner cancelled the phase */
        ph->stop = evtimer_new(ph->env->base, stop_inner, ph);
        struct timeval now = {0, 0};
        event_add(ph->stop, &now);
        return;
    }
    if (ph->nkeys == ph->cap) {
        ph->cap = ph->cap ? 2 * ph->cap : 16;
        ph->values = xrealloc(ph->values, ph->cap * ncols * sizeof(*ph->values));
        ph->lengths = xrealloc(ph->lengths, ph->cap * ncols * sizeof(*ph->lengths));
    }
    for (size_t c = 0; c < ncols; c++) {
        size_t k = ph->phase->key_cols[c];
        size_t len = values[k] ? (lengths ? lengths[k] : strlen(values[k])) : 0;
        ph->values[ph->nkeys * ncols + c] = copy_value(values[k], len);
        ph->lengths[ph->nkeys * ncols + c] = len;
    }
    ph->nkeys++;
}

static void collect_end(void *ctx)
{
    phases *ph = ctx;
    ph->running = NULL;
    if (ph->over) {
        answer_too_many(ph);
        return;
    }
    ph->next = evtimer_new(ph->env->base, start_outer, ph);
    struct timeval now = {0, 0};
    event_add(ph->next, &now);
}

static void collect_error(void *ctx, const sql_error *e)
{
    phases *ph = ctx;
    if (ph->over) /* stop_inner cancelled it */
        answer_too_many(ph);
    else
        answer_error(ph, e);
}

static bool collect_full(void *ctx)
{
    (void)ctx;
    return false; /* the keys are kept in memory, at most max_keys of them */
}

static void collect_flush(void *ctx)
{
    (void)ctx;
}

/* ---- The caller's handle --------------------------------------------------------- */

exec *phases_start(const exec_env *env, const exec_request *req, const exec_sink *sink)
{
    phases *ph = xcalloc(1, sizeof(*ph));
    ph->env = env;
    ph->sink = *sink;
    ph->req = *req;
    ph->phase = req->plan->phase;
    ph->inner = *ph->phase->inner;
    ph->inner.no_cache = req->plan->no_cache;
    ph->inner.nondeterministic = req->plan->nondeterministic;
    ph->layer = env->hold_layer(env->ctx);
    ph->started_ns = stats_now_ns();
    ph->kinds = xcalloc(ph->phase->nkey_cols + 1, sizeof(int));
    ph->approximate = xcalloc(ph->phase->nkey_cols + 1, sizeof(bool));
    ph->types = xcalloc(ph->phase->nkey_cols + 1, sizeof(int));
    ph->decimals = xcalloc(ph->phase->nkey_cols + 1, sizeof(int));
    for (size_t c = 0; c < ph->phase->nkey_cols; c++)
        ph->types[c] = VT_TEXT;
    for (size_t c = 0; c < ph->phase->nkey_cols; c++)
        ph->kinds[c] = LIT_STRING;
    ph->handle = exec_wrap_phases(ph);
    exec_request inner = *req;
    inner.plan = &ph->inner;
    inner.record = NULL; /* the record tells the outer phase */
    exec_sink collect = {.ctx = ph,
                         .header = collect_header,
                         .row = collect_row,
                         .end = collect_end,
                         .error = collect_error,
                         .full = collect_full,
                         .flush = collect_flush};
    ph->starting = true;
    ph->running = exec_start(env, &inner, &collect);
    ph->starting = false;
    if (!ph->answered)
        return ph->handle;
    phases_free(ph);
    return NULL;
}

void phases_resume(phases *ph)
{
    if (ph->running)
        exec_resume(ph->running);
}

void phases_cancel(phases *ph, uint16_t code, const char *sqlstate, const char *message)
{
    if (ph->running) {
        exec_cancel(ph->running, code, sqlstate, message); /* answers through our sink */
        return;
    }
    sql_error e;
    sql_error_set(&e, code, sqlstate, "%s", message);
    answer_error(ph, &e);
}

void phases_detach(phases *ph)
{
    if (ph->running)
        exec_detach(ph->running);
    phases_free(ph);
}
