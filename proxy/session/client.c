/*
 * Client sessions. Every socket event of a client arrives here: read_cb takes
 * whole logical packets off the input and dispatches them by state;
 * write_cb resumes a paused stream or finishes a close once the output
 * drained; event_cb handles the peer going away. The connection phase is in
 * client_auth.c and prepared statements in client_stmt.c.
 */
#include "proxy/session/client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>

#include "planner/planner.h"
#include "planner/rollup_route.h"
#include "proxy/server_access.h"
#include "proxy/session/client_internal.h"
#include "proxy/session/sessions.h"
#include "proxy/exec/columns.h"
#include "proxy/exec/exec.h"
#include "proxy/log.h"
#include "proxy/server.h"
#include "proxy/tls.h"
#include "wire/binary.h"
#include "wire/xalloc.h"

/* Output beyond this pauses the backend until the client reads (backpressure). */
#define OUTPUT_HIGH_WATER (1u << 20)
#define OUTPUT_LOW_WATER  (256u << 10)
/* A packet buffer larger than this is freed once its command is answered. */
#define PACKET_KEEP_BYTES (1u << 20)
/* Encoded rows are handed to the socket in chunks of about this size. */
#define OUT_CHUNK (64u << 10)
/*
 * Closing a TLS session: the TLS layer's own socket buffer may still hold the
 * last (encrypted) packet after ours drained, and nothing tells us when it is
 * written, so look again every 10 ms, for at most 5 s.
 */
#define TLS_CLOSE_POLL_US 10000
#define TLS_CLOSE_POLLS   500

/* COM_SET_OPTION values. */
#define MYSQL_OPTION_MULTI_STATEMENTS_ON  0
#define MYSQL_OPTION_MULTI_STATEMENTS_OFF 1

static void read_cb(struct bufferevent *bev, void *arg);
static void write_cb(struct bufferevent *bev, void *arg);
static void event_cb(struct bufferevent *bev, short what, void *arg);
static void run_batch(client *cl);
static void retry_without_rollups(client *cl);

uint16_t client_status(const client *cl)
{
    return (uint16_t)((cl->autocommit ? SERVER_STATUS_AUTOCOMMIT : 0) |
                      (cl->more_results ? SERVER_MORE_RESULTS : 0));
}

/*
 * When nothing is queued, the bytes are sent at once, past the bufferevent:
 * handing them to it would add write interest to epoll and remove it again
 * after the write, two epoll_ctl calls for every reply to a short query
 * (docs/performance.md, scenario 3). What the socket does not take (or an
 * error, which the bufferevent then reports through event_cb) goes the usual
 * way. Plain TCP only: under TLS the bytes must go through OpenSSL.
 */
void client_flush(client *cl)
{
    if (!cl->out.len)
        return;
    cl->bytes_out += cl->out.len;
    srv.stats.bytes_out += cl->out.len;
    size_t sent = 0;
    if (!cl->tls && evbuffer_get_length(bufferevent_get_output(cl->bev)) == 0) {
        ssize_t n = send(bufferevent_getfd(cl->bev), cl->out.data, cl->out.len,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0)
            sent = (size_t)n;
    }
    if (sent < cl->out.len)
        bufferevent_write(cl->bev, cl->out.data + sent, cl->out.len - sent);
    buf_reset(&cl->out);
}

/* The statement's record is written and counted (proxy/obs/query_log.h). */
static void log_finish(client *cl, query_status status)
{
    query_log_origin who = {.conn = cl->id,
                            .user = cl->user,
                            .peer = cl->peer,
                            .peer_port = cl->peer_port,
                            .bytes_out = cl->bytes_out};
    query_log_finish(&cl->qlog, &who, &srv.stats, status);
}

static void end_batch(client *cl)
{
    free(cl->batch.sql);
    free(cl->batch.spans);
    memset(&cl->batch, 0, sizeof(cl->batch));
    cl->more_results = false;
}

static void free_client(client *cl)
{
    if (cl->running)
        log_finish(cl, QUERY_DISCONNECTED);
    query_log_free(&cl->qlog);
    if (cl->running) {
        exec_detach(cl->running);
        cl->running = NULL;
    }
    if (cl->timer)
        event_free(cl->timer);
    free(cl->running_sql);
    free(cl->rollup_retry_sql);
    diagnostics_clear(&cl->diag);
    sessions_remove(cl);
    if (cl->next_command)
        event_free(cl->next_command);
    bufferevent_free(cl->bev);
    client_auth_free(cl);
    client_stmt_free_all(cl);
    end_batch(cl);
    free(cl->result_cols);
    buf_free(&cl->packet);
    buf_free(&cl->out);
    arena_free(&cl->stmt);
    free(cl->user);
    free(cl->db);
    free(cl);
}

void client_free_now(client *cl)
{
    free_client(cl);
}

/* Nothing left to write, in our buffer nor (under TLS) in the socket's below it. */
static bool output_drained(client *cl)
{
    if (evbuffer_get_length(bufferevent_get_output(cl->bev)) > 0)
        return false;
    struct bufferevent *under = bufferevent_get_underlying(cl->bev);
    return under == NULL || evbuffer_get_length(bufferevent_get_output(under)) == 0;
}

/* A closing session frees itself once its output is written. */
static void finish_close(client *cl)
{
    if (cl->gone || output_drained(cl) || cl->tls_close_polls <= 0) {
        free_client(cl);
        return;
    }
    if (evbuffer_get_length(bufferevent_get_output(cl->bev)) > 0)
        return; /* write_cb comes back when our own buffer drained */
    cl->tls_close_polls--;
    struct timeval tv = {0, TLS_CLOSE_POLL_US};
    event_add(cl->next_command, &tv);
}

/* Closes after what was already queued has been written. */
void client_close(client *cl)
{
    if (cl->state == CLIENT_CLOSING)
        return;
    if (cl->running) {
        /* Only KILL CONNECTION closes a session in the middle of its query. */
        log_finish(cl, QUERY_KILLED);
        exec_detach(cl->running);
        cl->running = NULL;
    }
    client_flush(cl);
    client_set_state(cl, CLIENT_CLOSING);
    cl->tls_close_polls = TLS_CLOSE_POLLS;
    bufferevent_disable(cl->bev, EV_READ);
    bufferevent_setwatermark(cl->bev, EV_WRITE, 0, 0);
    /* Freed from the loop (here we may be deep in this client's own callbacks). */
    event_active(cl->next_command, 0, 0);
}

void client_send_err(client *cl, uint16_t code, const char *sqlstate, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cl->statement_failed = true;
    diagnostics_set_error(&cl->diag, code, msg); /* what SHOW WARNINGS shows next */
    query_log_error(&cl->qlog, code, msg);
    wire_write_err(&cl->out, &cl->seq, code, sqlstate, msg);
    client_flush(cl);
}

void client_send_error(client *cl, const sql_error *e)
{
    client_send_err(cl, e->code, e->sqlstate, "%s", e->message);
}

void client_send_ok(client *cl)
{
    wire_write_ok(&cl->out, &cl->seq, cl->caps, 0, 0, client_status(cl),
                  diagnostics_count(&cl->diag), NULL);
    client_flush(cl);
}

void client_send_header(client *cl, const wire_column *cols, size_t n)
{
    /* Binary rows are encoded by column type: keep the types (not the names,
     * which the caller owns) for client_send_row. */
    free(cl->result_cols);
    cl->result_cols = xcalloc(n + 1, sizeof(*cl->result_cols));
    for (size_t i = 0; i < n; i++) {
        cl->result_cols[i].type = cols[i].type;
        cl->result_cols[i].flags = cols[i].flags;
    }
    cl->result_ncols = n;
    wire_write_result_header(&cl->out, &cl->seq, cl->caps, n, cols);
}

void client_send_row(client *cl, const char *const *values, const size_t *lengths, size_t n)
{
    cl->qlog.rows++;
    if (cl->binary_rows && n == cl->result_ncols)
        wire_write_binary_row(&cl->out, &cl->seq, n, cl->result_cols, values, lengths);
    else
        wire_write_text_row(&cl->out, &cl->seq, n, values, lengths);
    if (cl->out.len >= OUT_CHUNK)
        client_flush(cl);
}

void client_send_end(client *cl)
{
    wire_write_result_end(&cl->out, &cl->seq, cl->caps, client_status(cl),
                          diagnostics_count(&cl->diag));
    client_flush(cl);
}

/*
 * Rows staged in cl->out count too; nothing is flushed here. (Flushing on
 * every check made one bufferevent_write per streamed row: 240 instructions
 * a row, docs/performance.md.) Staged rows go out at OUT_CHUNK, at the end of
 * the result, or when the backend waits for more (client_flush via the
 * sink's on_flush).
 */
bool client_output_full(client *cl)
{
    return cl->out.len + evbuffer_get_length(bufferevent_get_output(cl->bev)) > OUTPUT_HIGH_WATER;
}

static void next_command_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    client *cl = arg;
    if (cl->state == CLIENT_CLOSING) {
        finish_close(cl);
        return;
    }
    if (cl->rollup_retry_due) {
        retry_without_rollups(cl);
        return;
    }
    if (cl->batch.sql) {
        run_batch(cl);
        if (cl->state != CLIENT_READY)
            return;
    }
    read_cb(cl->bev, cl);
}

/* Idle sessions are closed after wait_timeout; logins must finish within handshake_timeout. */
static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    client *cl = arg;
    if (cl->state == CLIENT_READY) {
        log_info("client %u: idle for %d s (wait_timeout); closing", cl->id,
                 srv.cfg.wait_timeout_s);
        client_close(cl);
    } else if (cl->state == CLIENT_AWAIT_PROXY) {
        log_warn("client %u from %s: no PROXY header within %d s (handshake_timeout; "
                 "listen.proxy_protocol requires one from this address); closing",
                 cl->id, cl->peer, srv.cfg.handshake_timeout_s);
        client_close(cl);
    } else if (cl->state == CLIENT_AWAIT_HANDSHAKE || cl->state == CLIENT_AWAIT_AUTH) {
        log_info("client %u from %s: no login within %d s (handshake_timeout); closing", cl->id,
                 cl->peer, srv.cfg.handshake_timeout_s);
        client_close(cl);
    }
}

void client_arm_timer(client *cl)
{
    int seconds = cl->state == CLIENT_READY ? srv.cfg.wait_timeout_s : srv.cfg.handshake_timeout_s;
    struct timeval tv = {seconds, 0};
    event_add(cl->timer, &tv);
}

/*
 * Every change of a session's state goes through here, as PgBouncer's
 * change_client_state: it keeps state_since (SHOW PROCESSLIST's Time: since
 * the session started logging in, became idle or became busy) and the one
 * timer right. Idle sessions wait at most wait_timeout; busy and closing ones
 * have no timer; a login keeps the handshake_timeout armed when it connected.
 */
void client_set_state(client *cl, client_state st)
{
    MIMIR_ASSERT(cl->state != CLIENT_CLOSING || st == CLIENT_CLOSING); /* closing is final */
    MIMIR_ASSERT(st != CLIENT_BUSY || cl->state == CLIENT_READY);      /* one query at a time */
    bool changed = cl->state != st;
    cl->state = st;
    switch (st) {
    case CLIENT_AWAIT_PROXY:
    case CLIENT_AWAIT_HANDSHAKE:
    case CLIENT_READY:
        if (changed)
            cl->state_since = time(NULL);
        client_arm_timer(cl);
        break;
    case CLIENT_BUSY:
        cl->state_since = time(NULL);
        event_del(cl->timer);
        break;
    case CLIENT_AWAIT_AUTH:
        break;
    case CLIENT_CLOSING:
        if (cl->timer)
            event_del(cl->timer);
        break;
    }
}

void client_query_done(client *cl)
{
    client_flush(cl);
    log_finish(cl, QUERY_OK);
    cl->running = NULL;
    free(cl->running_sql);
    cl->running_sql = NULL;
    free(cl->rollup_retry_sql); /* answered: nothing to run again */
    cl->rollup_retry_sql = NULL;
    cl->rollup_retry_params = NULL;
    if (cl->state != CLIENT_BUSY)
        return;
    /* At shutdown the session is not closed here, right after its answer: a client may
     * be sending its next statement already. Sessions left idle are closed between
     * queries (sessions.c, close_idle). */
    client_set_state(cl, CLIENT_READY);
    /* The rest of a batch, or pipelined commands already buffered: take them
     * from the loop, not from here (we are inside the executor). */
    event_active(cl->next_command, 0, 0);
}

void client_ready(client *cl)
{
    client_set_state(cl, CLIENT_READY);
    client_send_ok(cl);
}

void client_reset_session(client *cl)
{
    diagnostics_clear(&cl->diag);
    client_stmt_free_all(cl);
    end_batch(cl);
    cl->autocommit = true;
    cl->tz = access_default_time_zone();
    cl->rollups_off = false;
    cl->select_limited = false;
}

/* ---- Commands -------------------------------------------------------------- */

session_info client_session_info(const client *cl)
{
    /* The user's view of the semantic layer: hidden names do not exist for the session. */
    session_info s = access_session_info(cl->user, cl->peer);
    s.db = cl->db;
    s.connection_id = cl->id;
    s.autocommit = cl->autocommit;
    s.max_execution_time_ms = cl->max_execution_time_ms;
    s.tz = cl->tz;
    s.select_limited = cl->select_limited;
    s.rollups_off = cl->rollups_off;
    s.sql_select_limit = cl->sql_select_limit;
    /* Like MySQL without the PROCESS privilege: a restricted user sees its own sessions. */
    s.list_sessions = access_restricted(cl->user) ? NULL : sessions_list;
    s.diagnostics = cl->diag.items;
    s.ndiagnostics = cl->diag.n;
    return s;
}

static void send_const_result(client *cl, const const_result *r)
{
    wire_column *defs = const_result_columns(r);
    client_send_header(cl, defs, r->ncols);
    free(defs);
    for (size_t row = 0; row < r->nrows; row++)
        client_send_row(cl, r->values + row * r->ncols,
                        r->lengths ? r->lengths + row * r->ncols : NULL, r->ncols);
    client_send_end(cl);
}

/* ---- The session as a caller of execution (proxy/exec/exec.h) --------------- */

static void sink_header(void *ctx, const wire_column *cols, size_t n)
{
    ((client *)ctx)->header_sent = true;
    client_send_header(ctx, cols, n);
}

static void sink_row(void *ctx, const char *const *values, const size_t *lengths, size_t n)
{
    client_send_row(ctx, values, lengths, n);
}

static void sink_end(void *ctx)
{
    client_send_end(ctx);
    client_query_done(ctx);
}

/*
 * A backend error (1105) before the first row of a statement that read a rollup: the
 * rollup's table may be gone or its storage unreachable while the source answers. The
 * statement runs again from the sources, from the loop (we are inside the executor);
 * the client sees only that answer. Timeouts, KILL and limits are answers as they are.
 */
static bool retry_from_sources(client *cl, const sql_error *e)
{
    if (!cl->rollup_retry_sql || cl->header_sent || e->code != ER_UNKNOWN_ERROR)
        return false;
    log_warn("client %u: a rollup could not answer (%s); reading the sources", cl->id, e->message);
    cl->running = NULL;
    cl->qlog.active = false; /* the statement's record is the second attempt's */
    cl->rollup_retry_due = true;
    event_active(cl->next_command, 0, 0);
    return true;
}

static void sink_error(void *ctx, const sql_error *e)
{
    if (retry_from_sources(ctx, e))
        return;
    client_send_error(ctx, e);
    client_query_done(ctx);
}

static bool sink_full(void *ctx)
{
    return client_output_full(ctx);
}

static void sink_flush(void *ctx)
{
    client_flush(ctx);
}

/* The session is busy until the execution answers through the sink (client_query_done). */
static void start_query(client *cl, const plan *p, uint64_t timeout_ms)
{
    exec_sink sink = {.ctx = cl,
                      .header = sink_header,
                      .row = sink_row,
                      .end = sink_end,
                      .error = sink_error,
                      .full = sink_full,
                      .flush = sink_flush};
    exec_request req = {.plan = p,
                        .timeout_ms = timeout_ms,
                        .max_rows = srv.cfg.max_result_rows,
                        .max_bytes = srv.cfg.max_result_bytes,
                        .cache = srv.cache,
                        .grants_fingerprint = access_grants_fingerprint(cl->user),
                        .record = &cl->qlog};
    cl->running = exec_start(&srv.exec_env, &req, &sink);
}

static void run_action(client *cl, const action *act)
{
    switch (act->kind) {
    case ACTION_OK:
        if (act->new_db) {
            free(cl->db);
            cl->db = xstrdup(act->new_db);
        }
        if (act->set_autocommit >= 0)
            cl->autocommit = act->set_autocommit == 1;
        if (act->set_max_execution_time >= 0)
            cl->max_execution_time_ms = (uint64_t)act->set_max_execution_time;
        if (act->set_time_zone)
            cl->tz = *act->set_time_zone;
        else if (act->time_zone_default)
            cl->tz = access_default_time_zone();
        if (act->set_rollups >= 0)
            cl->rollups_off = act->set_rollups == 0;
        if (act->set_select_limit) {
            cl->select_limited = act->select_limit != UINT64_MAX;
            cl->sql_select_limit = act->select_limit;
        }
        client_send_ok(cl);
        return;
    case ACTION_KILL:
        sessions_kill(cl, act->kill_id, act->kill_query_only);
        return;
    case ACTION_ROWS:
        send_const_result(cl, &act->rows);
        return;
    case ACTION_ERROR:
        client_send_error(cl, &act->error);
        return;
    case ACTION_QUERY: {
        /* The session's max_execution_time may only tighten the server's query_timeout. */
        uint64_t timeout = srv.cfg.query_timeout_ms;
        if (cl->max_execution_time_ms && (!timeout || cl->max_execution_time_ms < timeout))
            timeout = cl->max_execution_time_ms;
        client_set_state(cl, CLIENT_BUSY);
        query_log_plan(&cl->qlog, act->plan);
        start_query(cl, act->plan, timeout);
        return;
    }
    }
}

void client_run_action(client *cl, const action *act)
{
    if (!act->keeps_diagnostics) /* SHOW WARNINGS and the like read the previous statement's */
        diagnostics_set_notes(&cl->diag, act->notes, act->nnotes);
    run_action(cl, act);
    /* An execution still running is logged when it ends (client_query_done); a
     * statement answered already (by the planner, or an execution that failed
     * at once) now. */
    if (cl->qlog.active && !cl->running)
        log_finish(cl, QUERY_OK);
}

/*
 * COM_FIELD_LIST: table NUL [wildcard]. The columns of a table of the current
 * database, each a column definition plus its default, then EOF; the mariadb
 * CLI asks this for every table after USE, to complete column names.
 */
static void handle_field_list(client *cl)
{
    const uint8_t *tp, *wp;
    size_t tlen, wlen;
    wire_parse_field_list(cl->packet.data, cl->packet.len, &tp, &tlen, &wp, &wlen);
    char *table = xstrndup((const char *)tp, tlen);
    char *wild = wp ? xstrndup((const char *)wp, wlen) : NULL;
    session_info s = client_session_info(cl);
    arena_free(&cl->stmt);
    arena_init(&cl->stmt);
    const_result cols;
    sql_error err;
    if (!planner_field_list(&cl->stmt, &s, table, wild, &cols, &err)) {
        client_send_error(cl, &err);
    } else {
        for (size_t i = 0; i < cols.ncols; i++) {
            wire_column def;
            column_definition(&cols.cols[i], cols.cols[i].name, cols.cols[i].name, &def);
            def.schema = s.db;
            def.table = def.org_table = table;
            wire_write_field_list_column(&cl->out, &cl->seq, &def, NULL);
        }
        wire_write_result_end(&cl->out, &cl->seq, cl->caps, client_status(cl),
                              diagnostics_count(&cl->diag));
        client_flush(cl);
    }
    free(table);
    free(wild);
}

/* Keeps the text of a statement that reads a rollup, for retry_from_sources. */
void client_keep_for_retry(client *cl, const action *act, const char *sql, size_t len,
                           const param_value *params, size_t nparams)
{
    free(cl->rollup_retry_sql);
    cl->rollup_retry_sql = NULL;
    cl->rollup_retry_params = NULL;
    cl->header_sent = false;
    if (act->kind != ACTION_QUERY || !rollup_plan_reads(act->plan))
        return;
    cl->rollup_retry_sql = xstrndup(sql, len);
    cl->rollup_retry_len = len;
    cl->rollup_retry_params = params;
    cl->rollup_retry_nparams = nparams;
}

static void plan_and_run(client *cl, const char *sql, size_t len, bool no_rollups)
{
    session_info s = client_session_info(cl);
    s.rollups_off |= no_rollups;
    arena_free(&cl->stmt);
    arena_init(&cl->stmt);
    query_log_begin(&cl->qlog, sql, len, cl->bytes_out);
    action act;
    memset(&act, 0, sizeof(act));
    planner_plan(&cl->stmt, &s, sql, len, &act);
    if (act.kind == ACTION_QUERY) {
        free(cl->running_sql);
        cl->running_sql = xstrndup(sql, len < 4096 ? len : 4096);
    }
    client_keep_for_retry(cl, &act, sql, len, NULL, 0);
    client_run_action(cl, &act);
}

static void run_statement(client *cl, const char *sql, size_t len)
{
    plan_and_run(cl, sql, len, false);
}

/* A prepared statement planned again with its parameters, into the same arena (which
 * holds them), reading the sources. */
static void execute_without_rollups(client *cl, const char *sql, size_t len)
{
    session_info s = client_session_info(cl);
    s.rollups_off = true;
    query_log_begin(&cl->qlog, sql, len, cl->bytes_out);
    action act;
    memset(&act, 0, sizeof(act));
    planner_plan_params(&cl->stmt, &s, sql, len, cl->rollup_retry_params, cl->rollup_retry_nparams,
                        &act);
    cl->rollup_retry_params = NULL;
    client_run_action(cl, &act);
}

static void retry_without_rollups(client *cl)
{
    char *sql = cl->rollup_retry_sql;
    cl->rollup_retry_sql = NULL;
    cl->rollup_retry_due = false;
    client_set_state(cl, CLIENT_READY); /* between the attempts; busy again at once */
    if (cl->rollup_retry_params)
        execute_without_rollups(cl, sql, cl->rollup_retry_len);
    else
        plan_and_run(cl, sql, cl->rollup_retry_len, true);
    free(sql);
}

/*
 * Runs the statements of a batch one after the other, each with its own
 * result; all but the last carry SERVER_MORE_RESULTS_EXISTS. A statement that
 * runs on a backend makes the session busy: the batch goes on from
 * next_command_cb once it is done. The first error ends the batch, as in
 * MySQL: its ERR packet is the last packet of the answer.
 */
static void run_batch(client *cl)
{
    while (cl->batch.sql && cl->state == CLIENT_READY) {
        if (cl->statement_failed || cl->batch.next >= cl->batch.nspans) {
            end_batch(cl);
            return;
        }
        const stmt_span *sp = &cl->batch.spans[cl->batch.next++];
        cl->more_results = cl->batch.next < cl->batch.nspans;
        cl->statement_failed = false;
        run_statement(cl, cl->batch.sql + sp->start, sp->len);
    }
}

static void handle_query(client *cl, const char *sql, size_t len)
{
    srv.questions++;
    if (cl->caps & CLIENT_MULTI_STATEMENTS) {
        stmt_span *spans;
        size_t n = multi_statement_split(sql, len, &spans);
        if (n > 1) {
            cl->batch.sql = xmalloc(len + 1);
            memcpy(cl->batch.sql, sql, len);
            cl->batch.sql[len] = '\0';
            cl->batch.spans = spans;
            cl->batch.nspans = n;
            cl->batch.next = 0;
            run_batch(cl);
            return;
        }
        free(spans);
    }
    run_statement(cl, sql, len);
}

static void handle_init_db(client *cl, const char *name, size_t len)
{
    char *db = xstrndup(name, len);
    /* strndup stops at a NUL: "mimir\0x" is not the database mimir. */
    if (strlen(db) != len || !planner_database_exists(db)) {
        client_send_err(cl, ER_BAD_DB, "42000", "Unknown database '%.200s'", db);
        free(db);
        return;
    }
    free(cl->db);
    cl->db = db;
    client_send_ok(cl);
}

static void handle_set_option(client *cl)
{
    uint16_t option;
    if (!wire_parse_set_option(cl->packet.data, cl->packet.len, &option) ||
        (option != MYSQL_OPTION_MULTI_STATEMENTS_ON &&
         option != MYSQL_OPTION_MULTI_STATEMENTS_OFF)) {
        client_send_err(cl, ER_UNKNOWN_COM, "08S01",
                        "Unknown command: COM_SET_OPTION takes 0 (multi-statements on) or 1 "
                        "(off)");
        return;
    }
    if (option == MYSQL_OPTION_MULTI_STATEMENTS_ON)
        cl->caps |= CLIENT_MULTI_STATEMENTS;
    else
        cl->caps &= ~CLIENT_MULTI_STATEMENTS;
    /* MySQL answers with EOF (an OK under CLIENT_DEPRECATE_EOF). */
    wire_write_result_end(&cl->out, &cl->seq, cl->caps, client_status(cl),
                          diagnostics_count(&cl->diag));
    client_flush(cl);
}

static void handle_statistics(client *cl)
{
    char stats[256];
    long uptime = (long)(time(NULL) - srv.started);
    double qps = uptime > 0 ? (double)srv.questions / (double)uptime : 0.0;
    int n = snprintf(stats, sizeof(stats),
                     "Uptime: %ld  Threads: %u  Questions: %llu  Slow queries: 0  Opens: 0  "
                     "Flush tables: 0  Open tables: 0  Queries per second avg: %.3f",
                     uptime, sessions_count(), (unsigned long long)srv.questions, qps);
    size_t begin = wire_packet_begin(&cl->out);
    buf_append(&cl->out, stats, (size_t)n);
    wire_packet_end(&cl->out, begin, &cl->seq);
    client_flush(cl);
}

static void handle_command(client *cl)
{
    if (cl->packet.len == 0) {
        client_close(cl);
        return;
    }
    uint8_t cmd = cl->packet.data[0];
    const char *arg = (const char *)cl->packet.data + 1;
    size_t arg_len = cl->packet.len - 1;
    /* Reset per command: only COM_STMT_EXECUTE answers with binary rows. */
    cl->binary_rows = false;
    cl->more_results = false;
    cl->statement_failed = false;
    switch (cmd) {
    case COM_QUIT:
        client_close(cl);
        return;
    case COM_PING:
        client_send_ok(cl);
        return;
    case COM_PROCESS_KILL: {
        /* The old form of KILL CONNECTION: a 4-byte connection id. */
        if (arg_len < 4) {
            client_send_err(cl, ER_NO_SUCH_THREAD, "HY000", "Unknown thread id: (malformed)");
            return;
        }
        const uint8_t *id = (const uint8_t *)arg;
        sessions_kill(cl,
                      (uint32_t)id[0] | (uint32_t)id[1] << 8 | (uint32_t)id[2] << 16 |
                          (uint32_t)id[3] << 24,
                      false);
        return;
    }
    case COM_RESET_CONNECTION:
        client_reset_session(cl);
        client_send_ok(cl);
        return;
    case COM_CHANGE_USER:
        client_auth_change_user(cl);
        return;
    case COM_QUERY:
        handle_query(cl, arg, arg_len);
        return;
    case COM_INIT_DB:
        handle_init_db(cl, arg, arg_len);
        return;
    case COM_FIELD_LIST:
        handle_field_list(cl);
        return;
    case COM_SET_OPTION:
        handle_set_option(cl);
        return;
    case COM_STATISTICS:
        handle_statistics(cl);
        return;
    case COM_STMT_PREPARE:
        srv.questions++;
        client_stmt_prepare(cl);
        return;
    case COM_STMT_EXECUTE:
        srv.questions++;
        client_stmt_execute(cl);
        return;
    case COM_STMT_CLOSE:
        client_stmt_close(cl);
        return;
    case COM_STMT_RESET:
        client_stmt_reset(cl);
        return;
    case COM_STMT_SEND_LONG_DATA:
        client_stmt_send_long_data(cl);
        return;
    default:
        client_send_err(cl, ER_UNKNOWN_COM, "08S01", "Unknown command %u", cmd);
        return;
    }
}

/* ---- Socket events --------------------------------------------------------- */

/*
 * After a command answered at once, nothing refers to its statement: an idle
 * session keeps neither the parse of a huge statement nor a huge packet
 * buffer (hundreds of idle sessions that each sent one would add up).
 */
static void release_statement(client *cl)
{
    arena_free(&cl->stmt);
    arena_init(&cl->stmt);
    if (cl->packet.cap > PACKET_KEEP_BYTES)
        buf_free(&cl->packet);
}

/* True when a whole physical packet is buffered (cheap check before a pullup). */
static bool packet_buffered(struct evbuffer *in)
{
    uint8_t header[4];
    if (evbuffer_copyout(in, header, 4) < 4)
        return false;
    size_t len = header[0] | (size_t)header[1] << 8 | (size_t)header[2] << 16;
    return evbuffer_get_length(in) >= len + 4;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    client *cl = arg;
    /* After a TLS upgrade the plaintext arrives on the new bufferevent. */
    while (bev == cl->bev && (cl->state != CLIENT_BUSY && cl->state != CLIENT_CLOSING) &&
           !client_auth_waiting(cl)) {
        /* The rest of a batch goes before any command sent after it. */
        if (cl->batch.sql && cl->state == CLIENT_READY) {
            run_batch(cl);
            continue;
        }
        if (cl->state == CLIENT_AWAIT_PROXY) {
            if (!client_proxy_read(cl))
                return;
            continue;
        }
        if (cl->state == CLIENT_AWAIT_HANDSHAKE && client_proxy_unexpected(cl))
            return;
        struct evbuffer *in = bufferevent_get_input(bev);
        if (!packet_buffered(in))
            return;
        size_t avail = evbuffer_get_length(in);
        const uint8_t *data = evbuffer_pullup(in, -1);
        size_t consumed = 0;
        uint8_t seq = 0;
        buf_reset(&cl->packet);
        int expect = cl->state == CLIENT_READY ? 0 : cl->seq;
        wire_read_status st = wire_read_packet(data, avail, srv.cfg.max_allowed_packet, expect,
                                               &consumed, &cl->packet, &seq);
        if (st == WIRE_NEED_MORE)
            return;
        if (st != WIRE_PACKET) {
            /* As MySQL: the error names what broke, then the connection closes
             * (the stream can no longer be trusted to be in step). */
            bool too_large = st == WIRE_TOO_LARGE;
            log_info("client %u: %s; closing", cl->id,
                     too_large ? "packet over max_allowed_packet" : "packets out of order");
            cl->seq = (uint8_t)(seq + 1);
            if (too_large)
                client_send_err(cl, ER_NET_PACKET_TOO_LARGE, "08S01",
                                "Got a packet bigger than 'max_allowed_packet' bytes");
            else
                client_send_err(cl, ER_NET_PACKETS_OUT_OF_ORDER, "08S01",
                                "Got packets out of order");
            client_close(cl);
            return;
        }
        evbuffer_drain(in, consumed);
        cl->seq = (uint8_t)(seq + 1);
        switch (cl->state) {
        case CLIENT_AWAIT_HANDSHAKE:
            client_auth_handshake(cl);
            break;
        case CLIENT_AWAIT_AUTH:
            client_auth_continue(cl);
            break;
        case CLIENT_READY:
            handle_command(cl);
            if (cl->state == CLIENT_READY) {
                client_arm_timer(cl); /* answered at once: idle again */
                release_statement(cl);
            }
            break;
        default:
            return;
        }
    }
}

static void write_cb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    client *cl = arg;
    if (cl->state == CLIENT_CLOSING) {
        finish_close(cl);
        return;
    }
    if (cl->running)
        exec_resume(cl->running);
}

/*
 * The peer went away or the socket (or its TLS layer) failed. The session is
 * freed from the loop, not here: libevent may still be inside this client's
 * callbacks (a TLS handshake fails within the read that started it).
 */
static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    client *cl = arg;
    if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) || cl->gone)
        return;
    if (cl->running) {
        log_info("client %u disconnected during a query; cancelling it", cl->id);
        log_finish(cl, QUERY_DISCONNECTED);
        exec_detach(cl->running);
        cl->running = NULL;
    }
    if (cl->tls && (what & BEV_EVENT_ERROR)) {
        char why[256];
        if (tls_bufferevent_error(bev, why, sizeof why))
            log_info("client %u: TLS error: %s", cl->id, why);
    }
    cl->gone = true;
    client_set_state(cl, CLIENT_CLOSING);
    bufferevent_disable(cl->bev, EV_READ | EV_WRITE);
    event_active(cl->next_command, 0, 0);
}

/* Takes over a new bufferevent (the TLS layer over the old one). */
void client_set_bufferevent(client *cl, struct bufferevent *bev)
{
    cl->bev = bev;
    bufferevent_setcb(cl->bev, read_cb, write_cb, event_cb, cl);
    bufferevent_setwatermark(cl->bev, EV_WRITE, OUTPUT_LOW_WATER, 0);
    bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

static void describe_peer(const struct sockaddr *addr, char *out, size_t n, uint16_t *port)
{
    char host[INET6_ADDRSTRLEN] = "?";
    *port = 0;
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        *port = ntohs(in->sin_port);
    } else if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        *port = ntohs(in6->sin6_port);
    }
    snprintf(out, n, "%s", host);
}

void client_accept(evutil_socket_t fd, const struct sockaddr *addr, int socklen)
{
    (void)socklen;
    client *cl = xcalloc(1, sizeof(*cl));
    cl->autocommit = true;
    cl->tz = access_default_time_zone();
    cl->next_stmt_id = 1;
    describe_peer(addr, cl->peer, sizeof(cl->peer), &cl->peer_port);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    cl->next_command = event_new(srv.base, -1, 0, next_command_cb, cl);
    cl->timer = evtimer_new(srv.base, timer_cb, cl);
    cl->state_since = time(NULL);
    buf_init(&cl->packet);
    buf_init(&cl->out);
    arena_init(&cl->stmt);
    sessions_add(cl);
    client_set_bufferevent(cl, bufferevent_socket_new(srv.base, fd, BEV_OPT_CLOSE_ON_FREE));
    cl->state = CLIENT_AWAIT_HANDSHAKE; /* the first state: nothing to change from */
    if (sessions_count() > srv.cfg.max_connections || srv.stopped_accepting) {
        /* MySQL's answer instead of a greeting: the client reports it and gives up. */
        srv.stats.connections_rejected++;
        log_warn("client %u from %s refused: %s", cl->id, cl->peer,
                 srv.stopped_accepting ? "shutting down" : "max_connections reached");
        cl->seq = 0;
        if (srv.stopped_accepting)
            client_send_err(cl, ER_SERVER_SHUTDOWN, "08S01", "Server shutdown in progress");
        else
            client_send_err(cl, ER_CON_COUNT, "08004", "Too many connections");
        client_close(cl);
        return;
    }
    srv.stats.connections_total++;
    if (client_proxy_expected(addr)) {
        client_set_state(cl, CLIENT_AWAIT_PROXY); /* greets once the header came */
        return;
    }
    client_set_state(cl, CLIENT_AWAIT_HANDSHAKE); /* arms handshake_timeout */
    client_auth_greet(cl);
}

bool client_has_input(client *cl)
{
    return evbuffer_get_length(bufferevent_get_input(cl->bev)) > 0;
}
