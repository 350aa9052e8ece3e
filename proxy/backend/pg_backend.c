/*
 * PostgreSQL through libpq's asynchronous API on the event loop: connect with
 * PQconnectStartParams/PQconnectPoll, run with PQsendQueryParams (client
 * literals travel as parameters) in single-row mode, so rows reach the client
 * as PostgreSQL produces them and a paused delivery stops reading the socket,
 * which in turn makes PostgreSQL wait: backpressure all the way to the server.
 *
 * A query text whose last result had PG_COPY_MIN_ROWS rows or more runs the
 * next time as `COPY (query) TO STDOUT` (proxy/backend/pg_copy.h says why):
 * first the column descriptions (the same text prepared unnamed and described,
 * in one round trip through pipeline mode), then the COPY, its lines decoded
 * into the same values. Rows still flow as PostgreSQL produces them, pausing
 * still stops reading the socket, and a cancel ends a COPY as it ends a query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "proxy/backend/backend.h"
#include "proxy/log.h"
#include "proxy/backend/db_tls.h"
#include "proxy/backend/pg_conninfo.h"
#include "proxy/backend/pg_copy.h"
#include "proxy/backend/pool.h"
#include "proxy/backend/tcp_liveness.h"
#include "proxy/workers.h"
#include "wire/xalloc.h"

/* PostgreSQL type OIDs (pg_type.h is not part of libpq's public headers). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_BPCHAR = 1042,
    OID_VARCHAR = 1043,
    OID_DATE = 1082,
    OID_TIME = 1083,
    OID_TIMESTAMP = 1114,
    OID_TIMESTAMPTZ = 1184,
    OID_INTERVAL = 1186,
    OID_TIMETZ = 1266,
    OID_NUMERIC = 1700,
};

typedef enum { PG_CONNECTING, PG_IDLE, PG_QUERY } pg_state;

/* How the running query's rows come (see the top of the file). */
typedef enum {
    PATH_ROWS,     /* PQsendQueryParams in single-row mode */
    PATH_DESCRIBE, /* the column descriptions before a COPY */
    PATH_COPY,     /* COPY (query) TO STDOUT */
} pg_path;

typedef struct pg_conn {
    backend_conn base;
    PGconn *pg;
    struct event *ev;      /* socket readiness; re-created when the socket changes */
    struct event *timeout; /* connect deadline */
    struct event *resume;  /* deferred processing after resume */
    pg_state state;
    char *name;              /* connection name, for messages */
    struct event_base *loop; /* backend_settings.base: where its events run */
    int connect_timeout_s;   /* backend_settings': the deadline and its message */
    /* connecting */
    backend_connected_cb connected;
    void *connected_ctx;
    /* running a query */
    backend_sink sink;
    bool paused;
    bool cancel_sent; /* a cancel request is on its way: do not send another */
    bool cancel_seen; /* the query ended cancelled (SQLSTATE 57014): no cancel in flight */
    bool discard;     /* cancelled: rows are dropped instead of delivered */
    char *sql;        /* the running query's text, its own copy (remember_if_large) */
    bool columns_sent;
    bool failed;
    char *error;
    size_t ncols;
    result_column *cols;
    Oid *types;
    const char **values;
    size_t *lengths;
    char *scratch; /* rewritten values (timestamps, booleans) */
    size_t scratch_cap;
    /* the path of the rows */
    pg_path path;
    const atomic_query *query; /* valid until on_done: run again if a COPY is refused */
    char *copy_sql;
    PGresult *described; /* the column descriptions of a COPY (names point into it) */
    bool copy_started;   /* the server answered the COPY with its CopyOutResponse */
    bool copy_done;      /* every line read: what remains is the COPY's end */
    bool rerun;          /* the COPY was refused: run the query in single-row mode */
    size_t rows;         /* rows delivered, for the memo of large results */
} pg_conn;

static void pg_socket_cb(evutil_socket_t fd, short what, void *arg);

/* libpq's messages end with a newline and may span lines; make them one line. */
static char *one_line(const char *msg)
{
    char *s = xstrdup(msg ? msg : "unknown error");
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    for (char *c = s; *c; c++)
        if (*c == '\n' || *c == '\t')
            *c = ' ';
    return s;
}

static void watch(pg_conn *c, short what)
{
    if (c->ev) {
        event_del(c->ev);
        event_free(c->ev);
    }
    c->ev = event_new(c->loop, PQsocket(c->pg), what, pg_socket_cb, c);
    event_add(c->ev, NULL);
}

static void free_query_state(pg_conn *c)
{
    free(c->cols);
    free(c->types);
    free(c->values);
    free(c->lengths);
    free(c->error);
    free(c->copy_sql);
    free(c->sql);
    PQclear(c->described);
    c->copy_sql = NULL;
    c->sql = NULL;
    c->described = NULL;
    c->cols = NULL;
    c->types = NULL;
    c->values = NULL;
    c->lengths = NULL;
    c->error = NULL;
    c->ncols = 0;
}

static void pg_close(backend_conn *bc)
{
    pg_conn *c = (pg_conn *)bc;
    if (c->ev)
        event_free(c->ev);
    if (c->timeout)
        event_free(c->timeout);
    if (c->resume)
        event_free(c->resume);
    PQfinish(c->pg);
    free_query_state(c);
    free(c->scratch);
    free(c->name);
    free(c);
}

/* ---- Connecting ------------------------------------------------------------ */

static void connect_failed(pg_conn *c, const char *why)
{
    char *msg = one_line(why);
    backend_connected_cb cb = c->connected;
    void *ctx = c->connected_ctx;
    pg_close(&c->base);
    cb(ctx, NULL, msg);
    free(msg);
}

static void connect_step(pg_conn *c)
{
    switch (PQconnectPoll(c->pg)) {
    case PGRES_POLLING_READING:
        watch(c, EV_READ);
        return;
    case PGRES_POLLING_WRITING:
        watch(c, EV_WRITE);
        return;
    case PGRES_POLLING_OK:
        event_del(c->timeout);
        c->state = PG_IDLE;
        if (c->ev)
            event_del(c->ev);
        c->connected(c->connected_ctx, &c->base, NULL);
        return;
    default: {
        char *msg = one_line(PQerrorMessage(c->pg)), explained[900], why[1024];
        db_tls_explain(explained, sizeof(explained), msg);
        snprintf(why, sizeof(why), "could not connect to '%s': %s", c->name, explained);
        free(msg);
        connect_failed(c, why);
        return;
    }
    }
}

static void connect_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pg_conn *c = arg;
    char why[512];
    snprintf(why, sizeof(why), "could not connect to '%s': timed out after %d s", c->name,
             c->connect_timeout_s);
    connect_failed(c, why);
}

static const backend_ops pg_ops;

backend_conn *pg_backend_connect(const connection *conn, const backend_settings *s, pool *owner,
                                 backend_connected_cb cb, void *ctx)
{
    pg_conn *c = xcalloc(1, sizeof(*c));
    c->base.ops = &pg_ops;
    c->base.owner = owner;
    c->name = xstrdup(conn->name);
    c->loop = s->base;
    c->connect_timeout_s = s->connect_timeout_s;
    c->connected = cb;
    c->connected_ctx = ctx;
    c->state = PG_CONNECTING;
    /* The secrets' settings, sslmode and conninfo included, and the session's
     * TimeZone=UTC (timestamptz renders as DATETIME in UTC): proxy/backend/pg_conninfo.c. */
    pg_conninfo params;
    pg_conninfo_build(&params, conn, 0);
    c->pg = PQconnectStartParams(params.keys, params.values, params.expand_dbname);
    c->timeout = evtimer_new(c->loop, connect_timeout_cb, c);
    if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
        char why[1024], explained[900];
        char *msg = one_line(c->pg ? PQerrorMessage(c->pg) : "out of memory");
        db_tls_explain(explained, sizeof(explained), msg);
        snprintf(why, sizeof(why), "could not connect to '%s': %s", conn->name, explained);
        free(msg);
        /* Report from the loop, as the pool expects, by failing on the first poll. */
        connect_failed(c, why);
        return NULL;
    }
    PQsetnonblocking(c->pg, 1);
    struct timeval tv = {c->connect_timeout_s, 0};
    event_add(c->timeout, &tv);
    watch(c, EV_WRITE);
    return &c->base;
}

/* ---- Rows ------------------------------------------------------------------ */

static value_type type_of(Oid oid)
{
    switch (oid) {
    case OID_BOOL:
        return VT_BOOL;
    case OID_INT2:
        return VT_INT16;
    case OID_INT4:
    case OID_OID:
        return VT_INT32;
    case OID_INT8:
        return VT_INT64;
    case OID_NUMERIC:
        return VT_DECIMAL;
    case OID_FLOAT4:
        return VT_FLOAT;
    case OID_FLOAT8:
        return VT_DOUBLE;
    case OID_DATE:
        return VT_DATE;
    case OID_TIME:
    case OID_TIMETZ:
    /* The planner computes MySQL's TIME (a duration up to 838:59:59) as an interval
     * without days (planner/functions_time.c), which prints as MySQL prints the TIME. */
    case OID_INTERVAL:
        return VT_TIME;
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
        return VT_DATETIME;
    case OID_BYTEA:
        return VT_BLOB;
    default:
        return VT_TEXT;
    }
}

void pg_describe_column(const PGresult *res, int i, result_column *col)
{
    Oid oid = PQftype(res, i);
    int mod = PQfmod(res, i);
    col->name = PQfname(res, i);
    col->type = type_of(oid);
    col->instant = oid == OID_TIMESTAMPTZ;
    col->decimals = -1;
    if (oid == OID_NUMERIC && mod >= 4) {
        col->decimals = (mod - 4) & 0xffff;
        col->length = (unsigned)(((mod - 4) >> 16) & 0xffff);
    } else if (oid == OID_NUMERIC && PQntuples(res) > 0 && !PQgetisnull(res, 0, i)) {
        col->decimals = decimal_scale(PQgetvalue(res, 0, i), (size_t)PQgetlength(res, 0, i));
    } else if ((oid == OID_TIMESTAMP || oid == OID_TIMESTAMPTZ || oid == OID_TIME) && mod >= 0) {
        col->decimals = mod;
    } else if ((oid == OID_VARCHAR || oid == OID_BPCHAR) && mod >= 4) {
        col->length = (unsigned)(mod - 4);
    }
}

/* Column metadata from the first result; NUMERIC without a declared scale takes the
 * scale of the first value, which is what SUM/AVG over a typed column keep. */
static void describe_columns(pg_conn *c, const PGresult *res)
{
    c->ncols = (size_t)PQnfields(res);
    c->cols = xcalloc(c->ncols + 1, sizeof(*c->cols));
    c->types = xcalloc(c->ncols + 1, sizeof(*c->types));
    c->values = xcalloc(c->ncols + 1, sizeof(*c->values));
    c->lengths = xcalloc(c->ncols + 1, sizeof(*c->lengths));
    for (size_t i = 0; i < c->ncols; i++) {
        c->types[i] = PQftype(res, (int)i);
        pg_describe_column(res, (int)i, &c->cols[i]);
    }
}

/* "2022-02-14 15:16:03.5+00" -> "2022-02-14 15:16:03.5": the session is in UTC. */
static size_t strip_zone(const char *v, size_t len)
{
    for (size_t i = len; i > 10; i--) {
        char ch = v[i - 1];
        if (ch == '+' || ch == '-')
            return i - 1;
        if (ch != ':' && (ch < '0' || ch > '9'))
            break;
    }
    return len;
}

/* c->values as PostgreSQL printed them -> as MySQL's text protocol has them, and out. */
static void deliver_values(pg_conn *c)
{
    for (size_t i = 0; i < c->ncols; i++) {
        const char *v = c->values[i];
        if (!v)
            continue;
        size_t len = c->lengths[i];
        switch (c->types[i]) {
        case OID_BOOL:
            v = v[0] == 't' ? "1" : "0";
            len = 1;
            break;
        case OID_TIMESTAMPTZ:
        case OID_TIMETZ:
            len = strip_zone(v, len);
            break;
        default:
            break;
        }
        c->values[i] = v;
        c->lengths[i] = len;
    }
    c->rows++;
    c->sink.on_row(c->sink.ctx, c->values, c->lengths);
}

static void deliver_row(pg_conn *c, const PGresult *res)
{
    for (size_t i = 0; i < c->ncols; i++) {
        bool null = PQgetisnull(res, 0, (int)i);
        c->values[i] = null ? NULL : PQgetvalue(res, 0, (int)i);
        c->lengths[i] = null ? 0 : (size_t)PQgetlength(res, 0, (int)i);
    }
    deliver_values(c);
}

static void send_columns(pg_conn *c)
{
    if (!c->columns_sent && !c->failed) {
        c->columns_sent = true;
        c->sink.on_columns(c->sink.ctx, c->cols, c->ncols);
    }
}

/* A NUMERIC without a declared scale takes the first value's, as in describe_columns. */
static void scale_from_first_row(pg_conn *c)
{
    for (size_t i = 0; i < c->ncols; i++)
        if (c->types[i] == OID_NUMERIC && c->cols[i].decimals < 0 && c->values[i])
            c->cols[i].decimals = decimal_scale(c->values[i], c->lengths[i]);
}

/* A result this large makes the next run of the same text go through COPY. The text is
 * the connection's own copy: a caller that left (a cancel, a result limit) may have
 * freed its plan (c->query) by now. */
static void remember_if_large(pg_conn *c)
{
    if (c->path != PATH_ROWS || c->rows < PG_COPY_MIN_ROWS || !c->sql || pg_copy_memo_has(c->sql))
        return;
    pg_copy_memo_add(c->sql);
    if (!pg_copy_memo_has(c->sql))
        return; /* its COPY was refused */
    log_info("backend '%s': a result of %zu rows: this query's next results stream through COPY",
             c->name, c->rows);
}

static void query_finished(pg_conn *c)
{
    c->state = PG_IDLE;
    remember_if_large(c);
    if (c->ev)
        event_del(c->ev);
    if (!c->failed && !c->columns_sent)
        c->sink.on_columns(c->sink.ctx, c->cols, c->ncols);
    char *error = c->failed ? c->error : NULL;
    c->error = NULL;
    backend_sink sink = c->sink;
    /* Only a connection back at rest (no transaction left open) is reused. */
    if (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        c->base.broken = true;
    /* A cancel request that did not end this query (it finished first) may still reach
     * the server and would cancel whatever runs next on the connection: drop it. */
    if (c->cancel_sent && !c->cancel_seen)
        c->base.broken = true;
    free_query_state(c);
    /* Last: the sink may hand this connection to someone else right away. */
    sink.on_done(sink.ctx, error);
    free(error);
}

static void fail_query(pg_conn *c, const char *msg)
{
    if (!c->failed) {
        c->failed = true;
        c->error = one_line(msg);
    }
}

static void lost_connection(pg_conn *c);
static void start_rows(pg_conn *c);
static void send_and_watch(pg_conn *c);

/* ---- COPY (large results) -------------------------------------------------------- */

/*
 * The COPY statement for the query, its parameters escaped by the server's rules;
 * false when it cannot be written (pg_copy_statement refuses the text, a value the
 * connection's encoding rejects): the query then runs in single-row mode.
 */
static bool build_copy_sql(pg_conn *c, const atomic_query *q)
{
    /* pg_copy_statement reads '...' as standard strings (backslashes are no escapes). */
    const char *scs = PQparameterStatus(c->pg, "standard_conforming_strings");
    if (!scs || strcmp(scs, "on") != 0)
        return false;
    char **literals = xcalloc(q->nparams + 1, sizeof(char *));
    bool ok = true;
    for (size_t i = 0; i < q->nparams && ok; i++) {
        if (q->params[i].text) {
            literals[i] = PQescapeLiteral(c->pg, q->params[i].text, strlen(q->params[i].text));
            ok = literals[i] != NULL;
        }
    }
    if (ok)
        c->copy_sql = pg_copy_statement(q->sql, (const char *const *)literals, q->nparams);
    for (size_t i = 0; i < q->nparams; i++)
        PQfreemem(literals[i]);
    free(literals);
    return c->copy_sql != NULL;
}

/*
 * COPY sends no column descriptions: the query's text, prepared as the unnamed
 * statement and described, gives them (names, types, typmods), exactly what the
 * single-row result would have carried. Prepare, describe and sync go out together
 * in pipeline mode: one round trip, and PostgreSQL only parses the text (it plans
 * the COPY).
 */
static bool start_describe(pg_conn *c)
{
    const atomic_query *q = c->query;
    if (!build_copy_sql(c, q))
        return false;
    c->path = PATH_DESCRIBE;
    if (!PQenterPipelineMode(c->pg) || !PQsendPrepare(c->pg, "", q->sql, (int)q->nparams, NULL) ||
        !PQsendDescribePrepared(c->pg, "") || !PQpipelineSync(c->pg)) {
        lost_connection(c);
        return true;
    }
    send_and_watch(c);
    return true;
}

/* The descriptions are in: the COPY goes out, unless the query failed or was cancelled. */
static void describe_done(pg_conn *c)
{
    if (!PQexitPipelineMode(c->pg)) {
        lost_connection(c);
        return;
    }
    if (!c->failed && (c->discard || !c->described))
        fail_query(c, c->discard ? "canceling statement due to user request"
                                 : "no column descriptions for the query");
    if (c->failed) {
        query_finished(c);
        return;
    }
    describe_columns(c, c->described);
    c->path = PATH_COPY;
    if (!PQsendQuery(c->pg, c->copy_sql)) {
        lost_connection(c);
        return;
    }
    send_and_watch(c);
}

static void process_describe(pg_conn *c)
{
    bool after_null = false;
    while (c->state == PG_QUERY && !PQisBusy(c->pg)) {
        PGresult *res = PQgetResult(c->pg);
        if (!res) {
            /* Between the pipeline's results; two in a row: nothing more will come. */
            if (after_null) {
                fail_query(c, "the column descriptions ended without a sync");
                lost_connection(c);
                return;
            }
            after_null = true;
            continue;
        }
        after_null = false;
        switch (PQresultStatus(res)) {
        case PGRES_PIPELINE_SYNC:
            PQclear(res);
            describe_done(c);
            return;
        case PGRES_COMMAND_OK: /* the prepare's, then the describe's: keep the last */
            PQclear(c->described);
            c->described = res;
            continue;
        case PGRES_PIPELINE_ABORTED:
            break;
        default: {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            if (state && strcmp(state, "57014") == 0)
                c->cancel_seen = true;
            fail_query(c, PQresultErrorMessage(res));
            break;
        }
        }
        PQclear(res);
    }
}

/* One line of the COPY: decoded in place into c->values, delivered as a row. */
static void deliver_copy_line(pg_conn *c, char *line, size_t len)
{
    if (c->failed || c->discard)
        return;
    if (!pg_copy_split(line, len, c->ncols, c->values, c->lengths)) {
        fail_query(c, "COPY sent a row whose fields do not match the query's columns");
        return;
    }
    if (!c->columns_sent) {
        scale_from_first_row(c);
        send_columns(c);
    }
    deliver_values(c);
}

/*
 * The COPY ended before its first line. Cancelled: it ends as any query does.
 * Otherwise the rewritten statement may be what PostgreSQL refused (a text
 * pg_copy_statement could not foresee): the text is marked refused (it is not
 * tried through COPY again) and runs again in single-row mode once this result
 * ends, which reports the query's own error, if it has one, as it always did.
 */
static void copy_refused(pg_conn *c, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : "COPY ended without an answer";
    if (state && strcmp(state, "57014") == 0)
        c->cancel_seen = true;
    if (c->discard || c->cancel_seen || c->base.broken) {
        fail_query(c, msg);
    } else {
        char *line = one_line(msg);
        log_warn("backend '%s': COPY refused (%s); the query runs in single-row mode", c->name,
                 line);
        free(line);
        pg_copy_memo_refuse(c->sql);
        c->rerun = true;
    }
    PQclear(res);
}

/* Delivers the COPY's lines; true once they are all read (its end result remains). */
static bool process_copy(pg_conn *c)
{
    while (!c->paused && c->state == PG_QUERY && !c->copy_done) {
        if (!c->copy_started) {
            if (PQisBusy(c->pg))
                return false;
            PGresult *res = PQgetResult(c->pg);
            if (res && PQresultStatus(res) == PGRES_COPY_OUT) {
                c->copy_started = true;
                PQclear(res);
            } else {
                copy_refused(c, res);
                c->copy_done = true;
            }
            continue;
        }
        char *line;
        int n = PQgetCopyData(c->pg, &line, 1);
        if (n > 0) {
            deliver_copy_line(c, line, (size_t)n);
            PQfreemem(line);
        } else if (n == 0) {
            if (c->sink.on_flush)
                c->sink.on_flush(c->sink.ctx);
            return false;
        } else {
            c->copy_done = true; /* -1 the end, -2 an error: the result that follows tells */
        }
    }
    return c->copy_done && !c->paused && c->state == PG_QUERY;
}

/* A COPY refused before its first line runs again as it would have before. */
static void run_again_in_rows(pg_conn *c)
{
    free_query_state(c);
    c->rerun = false;
    c->failed = false;
    c->columns_sent = false;
    c->copy_started = false;
    c->copy_done = false;
    c->path = PATH_ROWS;
    start_rows(c);
}

/* Consumes whatever results libpq has complete; stops when paused or blocked. */
static void process_results(pg_conn *c)
{
    if (c->path == PATH_DESCRIBE) {
        process_describe(c);
        return;
    }
    if (c->path == PATH_COPY && !process_copy(c))
        return;
    while (!c->paused && c->state == PG_QUERY) {
        if (PQisBusy(c->pg)) {
            if (c->sink.on_flush)
                c->sink.on_flush(c->sink.ctx);
            return;
        }
        PGresult *res = PQgetResult(c->pg);
        if (!res && c->rerun && !c->discard) {
            run_again_in_rows(c);
            return;
        }
        if (!res && c->rerun) /* cancelled before the second run began */
            fail_query(c, "canceling statement due to user request");
        if (!res) {
            query_finished(c);
            return;
        }
        switch (PQresultStatus(res)) {
        case PGRES_SINGLE_TUPLE:
            if (!c->cols)
                describe_columns(c, res);
            send_columns(c);
            if (!c->failed && !c->discard)
                deliver_row(c, res);
            break;
        case PGRES_TUPLES_OK:
            if (!c->cols) {
                describe_columns(c, res);
                /* The names live in res, cleared below: a zero-row result carries none. */
                for (size_t i = 0; i < c->ncols; i++)
                    c->cols[i].name = NULL;
            }
            break;
        case PGRES_FATAL_ERROR:
        case PGRES_BAD_RESPONSE:
        case PGRES_NONFATAL_ERROR: {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            if (state && strcmp(state, "57014") == 0)
                c->cancel_seen = true;
            fail_query(c, PQresultErrorMessage(res));
            break;
        }
        default:
            break;
        }
        PQclear(res);
    }
}

static void lost_connection(pg_conn *c)
{
    c->base.broken = true;
    fail_query(c, PQerrorMessage(c->pg));
    /* Drain what libpq still holds, then report. */
    PGresult *res;
    while ((res = PQgetResult(c->pg)) != NULL)
        PQclear(res);
    query_finished(c);
}

static void pg_socket_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    pg_conn *c = arg;
    if (c->state == PG_CONNECTING) {
        connect_step(c);
        return;
    }
    if (c->state == PG_IDLE) {
        /* Readable while idle: the server is closing us (restart, terminate). */
        if (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK) {
            log_warn("backend '%s': idle connection closed by the server", c->name);
            c->base.broken = true;
            if (c->ev)
                event_del(c->ev);
            pool_discard_idle(&c->base);
        }
        return;
    }
    if (what & EV_WRITE) {
        int r = PQflush(c->pg);
        if (r < 0) {
            lost_connection(c);
            return;
        }
        if (r == 0)
            watch(c, EV_READ | EV_PERSIST);
        if (r == 1)
            return;
    }
    if (what & EV_READ) {
        if (!PQconsumeInput(c->pg)) {
            lost_connection(c);
            return;
        }
    }
    process_results(c);
}

/* Flushes what libpq queued and watches the socket for the rest and the answer. */
static void send_and_watch(pg_conn *c)
{
    int r = PQflush(c->pg);
    if (r < 0) {
        lost_connection(c);
        return;
    }
    watch(c, (short)((r == 1 ? EV_WRITE : EV_READ) | EV_PERSIST));
}

static void start_rows(pg_conn *c)
{
    const atomic_query *q = c->query;
    const char **values = xcalloc(q->nparams + 1, sizeof(char *));
    for (size_t i = 0; i < q->nparams; i++)
        values[i] = q->params[i].text;
    int ok = PQsendQueryParams(c->pg, q->sql, (int)q->nparams, NULL, values, NULL, NULL, 0);
    free(values);
    if (!ok || !PQsetSingleRowMode(c->pg)) {
        lost_connection(c);
        return;
    }
    send_and_watch(c);
}

static void pg_run(backend_conn *bc, const atomic_query *q, const backend_sink *sink)
{
    pg_conn *c = (pg_conn *)bc;
    c->sink = *sink;
    c->query = q;
    free(c->sql);
    c->sql = xstrdup(q->sql);
    c->state = PG_QUERY;
    c->paused = false;
    c->cancel_sent = false;
    c->cancel_seen = false;
    c->discard = false;
    c->columns_sent = false;
    c->failed = false;
    c->rows = 0;
    c->path = PATH_ROWS;
    c->copy_started = false;
    c->copy_done = false;
    c->rerun = false;
    if (pg_copy_memo_has(q->sql) && start_describe(c))
        return;
    start_rows(c);
}

static void pg_pause(backend_conn *bc)
{
    pg_conn *c = (pg_conn *)bc;
    c->paused = true;
    if (c->ev)
        event_del(c->ev);
}

static void resume_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pg_conn *c = arg;
    if (c->paused || c->state != PG_QUERY)
        return;
    event_add(c->ev, NULL);
    /* Rows libpq already buffered will not make the socket readable again. */
    process_results(c);
}

static void pg_resume(backend_conn *bc)
{
    pg_conn *c = (pg_conn *)bc;
    if (!c->paused)
        return;
    c->paused = false;
    if (!c->resume)
        c->resume = event_new(c->loop, -1, 0, resume_cb, c);
    event_active(c->resume, 0, 0);
}

static void pg_idle(backend_conn *bc)
{
    pg_conn *c = (pg_conn *)bc;
    watch(c, EV_READ | EV_PERSIST);
}

/* PQcancel connects to the server and waits for it: it runs on a worker thread. */
static void send_cancel(void *arg)
{
    PGcancel *cancel = arg;
    char err[256];
    if (!PQcancel(cancel, err, sizeof(err)))
        log_warn("backend cancel request failed: %s", err);
}

static void free_cancel(void *arg)
{
    PQfreeCancel(arg);
}

static void pg_cancel(backend_conn *bc)
{
    pg_conn *c = (pg_conn *)bc;
    if (c->state != PG_QUERY || c->cancel_sent)
        return;
    c->cancel_sent = true;
    if (tcp_liveness_path_silent(PQsocket(c->pg))) {
        /* libpq 15's PQcancel connects without a timeout: on a dead path it would hold
         * a worker thread until the kernel gave up on the connect (minutes). The
         * kernel ends this connection within tcp_user_timeout instead; never reused. */
        log_info("backend '%s': no answer from the database: the query is abandoned "
                 "without a cancel request",
                 c->name);
        c->base.broken = true;
    } else {
        PGcancel *cancel = PQgetCancel(c->pg);
        if (cancel)
            workers_submit(send_cancel, free_cancel, cancel);
    }
    /* Its rows are unwanted now: read on, so the error that ends the query arrives. */
    c->discard = true;
    pg_resume(bc);
}

static bool pg_alive(backend_conn *bc, const char **why)
{
    pg_conn *c = (pg_conn *)bc;
    *why = "connection closed";
    return PQstatus(c->pg) == CONNECTION_OK && tcp_liveness_idle_ok(PQsocket(c->pg), why);
}

static const backend_ops pg_ops = {
    .run = pg_run,
    .pause = pg_pause,
    .resume = pg_resume,
    .idle = pg_idle,
    .close = pg_close,
    .cancel = pg_cancel,
    .alive = pg_alive,
};

int decimal_scale(const char *text, size_t len)
{
    const char *dot = memchr(text, '.', len);
    if (!dot)
        return 0;
    int scale = 0;
    for (const char *p = dot + 1; p < text + len && *p >= '0' && *p <= '9'; p++)
        scale++;
    return scale;
}
