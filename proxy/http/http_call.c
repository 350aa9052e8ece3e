/*
 * One statement of the HTTP API, planned and answered: the HTTP side of
 * execution, as proxy/session/client.c is the MySQL side. It is execution's
 * sink (proxy/exec/exec.h): rows are encoded in the format the client asked
 * for (http_format.h) into a staging buffer and handed to the connection in
 * chunks.
 *
 * The status line waits for the first HTTP_STAGE_BYTES of the answer (or its
 * end): an answer that fits is sent whole with a Content-Length, and an error
 * that comes before gets its own HTTP status. After that the answer is
 * chunked; an error then ends it without its last chunk (after the error
 * member, in JSON), so that no client can take a partial result for a whole
 * one. Execution is paused while the connection holds more than
 * HTTP_HIGH_WATER unsent bytes, and resumed once it has drained: a slow
 * reader holds back the database, not Mimir's memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "planner/planner.h"
#include "planner/rollup_route.h"
#include "proxy/exec/columns.h"
#include "proxy/http/http_internal.h"
#include "proxy/log.h"
#include "proxy/server.h"
#include "proxy/server_access.h"
#include "wire/xalloc.h"

/* The answer's start is held back this long for a status that can still tell an error. */
#define HTTP_STAGE_BYTES (64 * 1024)
/* Execution pauses while the connection has more than this to send. */
#define HTTP_HIGH_WATER (256 * 1024)

static void finish(http_call *c, query_status status)
{
    query_log_origin who = {.conn = c->id,
                            .user = c->user,
                            .peer = c->peer,
                            .peer_port = c->peer_port,
                            .protocol = "http",
                            .bytes_out = c->bytes_out};
    query_log_finish(&c->qlog, &who, &srv.stats, status);
}

static size_t connection_backlog(http_call *c)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
    return bev ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
}

static void add_headers(http_call *c)
{
    struct evkeyvalq *headers = evhttp_request_get_output_headers(c->req);
    evhttp_add_header(headers, "Content-Type", http_format_mime(c->format));
    evhttp_add_header(headers, "Cache-Control", "no-store");
}

/* The connection wrote out what it had: a paused execution may go on. */
static void drained(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    http_call *c = arg;
    if (c->paused && c->running) {
        c->paused = false;
        exec_resume(c->running);
    }
}

/* Hands the staged bytes to the connection as a chunk (none when nothing is staged); then
 * is called once the connection has written everything out. */
static bool send_chunk(http_call *c, void (*then)(struct evhttp_connection *, void *))
{
    if (!c->started) {
        add_headers(c);
        http_count_answer(200);
        evhttp_send_reply_start(c->req, 200, "OK");
        c->started = true;
    }
    if (!c->staged.len)
        return false;
    struct evbuffer *chunk = evbuffer_new();
    if (!chunk)
        abort();
    evbuffer_add(chunk, c->staged.data, c->staged.len);
    c->bytes_out += c->staged.len;
    srv.stats.bytes_out += c->staged.len;
    buf_reset(&c->staged);
    evhttp_send_reply_chunk_with_cb(c->req, chunk, then, c);
    evbuffer_free(chunk);
    return true;
}

static void send_staged(http_call *c)
{
    send_chunk(c, drained);
}

/* A complete answer: whole with a Content-Length, or the last chunk. */
static void send_complete(http_call *c)
{
    if (c->started) {
        send_staged(c);
        evhttp_send_reply_end(c->req);
        return;
    }
    add_headers(c);
    struct evbuffer *body = evbuffer_new();
    if (!body)
        abort();
    evbuffer_add(body, c->staged.data, c->staged.len);
    c->bytes_out += c->staged.len;
    srv.stats.bytes_out += c->staged.len;
    buf_reset(&c->staged);
    http_count_answer(200);
    evhttp_send_reply(c->req, 200, "OK", body);
    evbuffer_free(body);
}

/* Once the failure's last bytes are written, the connection is closed without the last chunk. */
static void close_after_failure(struct evhttp_connection *evcon, void *arg)
{
    http_call *c = arg;
    c->req = NULL; /* freed with its connection */
    http_call_free(c);
    evhttp_connection_set_closecb(evcon, NULL, NULL);
    evhttp_connection_free(evcon);
}

/* The statement failed: an error answer, or the end of a chunked one that began. */
static void send_failure(http_call *c, const sql_error *e)
{
    query_log_error(&c->qlog, e->code, e->message);
    if (!c->started) {
        finish(c, QUERY_ERROR);
        http_send_error(c, http_status_of(e), e->code, e->sqlstate, "%s", e->message);
        return;
    }
    log_info("http %u: the answer failed after it began (%u: %s); its connection is closed", c->id,
             e->code, e->message);
    finish(c, QUERY_ERROR);
    if (c->enc)
        http_encoder_fail(c->enc, e, &c->staged);
    evhttp_connection_set_closecb(c->evcon, NULL, NULL);
    if (!send_chunk(c, close_after_failure)) /* nothing more to say: close now */
        close_after_failure(c->evcon, c);
}

/* ---- The call as a caller of execution (proxy/exec/exec.h) ------------------------------ */

static void sink_header(void *ctx, const wire_column *cols, size_t n)
{
    http_call *c = ctx;
    c->header_seen = true;
    http_encoder_begin(c->enc, cols, n, &c->staged);
}

/* An encoding error is a failure of the statement: execution is told from the loop, not from
 * inside its own callback. */
static void cancel_on_encoding_error(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    http_call *c = arg;
    if (c->running)
        exec_cancel(c->running, c->encode_error.code, c->encode_error.sqlstate,
                    c->encode_error.message);
}

static void sink_row(void *ctx, const char *const *values, const size_t *lengths, size_t n)
{
    http_call *c = ctx;
    if (c->encode_failed)
        return;
    c->qlog.rows++;
    if (!http_encoder_row(c->enc, values, lengths, n, &c->staged, &c->encode_error)) {
        c->encode_failed = true;
        c->encode_cancel = evtimer_new(srv.base, cancel_on_encoding_error, c);
        event_active(c->encode_cancel, EV_TIMEOUT, 0);
        return;
    }
    if (c->staged.len >= HTTP_STAGE_BYTES)
        send_staged(c);
}

static void stop_close_watch(http_call *c)
{
    if (c->close_watch)
        event_free(c->close_watch);
    c->close_watch = NULL;
}

static void sink_end(void *ctx)
{
    http_call *c = ctx;
    c->running = NULL;
    stop_close_watch(c);
    http_encoder_end(c->enc, c->act.notes, c->act.nnotes, &c->staged);
    send_complete(c);
    finish(c, QUERY_OK);
    http_call_free(c);
}

static void retry_from_sources_cb(evutil_socket_t fd, short what, void *arg);

/*
 * A backend error (1105) before the header of a statement that read a rollup: its table
 * may be gone or its storage unreachable while the source answers. The statement runs
 * again from the sources, from the loop (we are inside the executor), as a MySQL
 * session's does (proxy/session/client.c).
 */
static bool retry_from_sources(http_call *c, const sql_error *e)
{
    if (c->header_seen || e->code != ER_UNKNOWN_ERROR || !rollup_plan_reads(c->act.plan) ||
        c->rollup_retry)
        return false;
    log_warn("http %u: a rollup could not answer (%s); reading the sources", c->id, e->message);
    c->qlog.active = false; /* the statement's record is the second attempt's */
    c->rollup_retry = evtimer_new(srv.base, retry_from_sources_cb, c);
    event_active(c->rollup_retry, EV_TIMEOUT, 0);
    return true;
}

static void sink_error(void *ctx, const sql_error *e)
{
    http_call *c = ctx;
    c->running = NULL;
    stop_close_watch(c);
    if (!retry_from_sources(c, e))
        send_failure(c, e);
}

static bool sink_full(void *ctx)
{
    http_call *c = ctx;
    if (c->encode_failed)
        return true; /* nothing more is wanted: the cancel is on its way */
    if (!c->started || connection_backlog(c) <= HTTP_HIGH_WATER)
        return false;
    c->paused = true;
    return true;
}

/* The backend waits for its database: what is staged goes out, so that the first rows of a
 * slow query reach the client without waiting for HTTP_STAGE_BYTES. */
static void sink_flush(void *ctx)
{
    http_call *c = ctx;
    if (c->qlog.rows && !c->encode_failed) {
        http_encoder_flush(c->enc, &c->staged);
        send_staged(c);
    }
}

/* ---- Clients that leave ---------------------------------------------------------------- */

void http_call_gone(http_call *c)
{
    log_info("http %u: the client at %s closed its connection before its answer was complete",
             c->id, c->peer);
    stop_close_watch(c);
    if (c->running)
        exec_detach(c->running); /* cancels the queries on their databases */
    c->running = NULL;
    finish(c, QUERY_DISCONNECTED);
    http_call_free(c);
}

/* evhttp failed to write to the client (it left): the request is ours to free. */
static void connection_closed(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    http_call *c = arg;
    struct evhttp_request *req = c->req;
    c->req = NULL;
    http_call_gone(c);
    if (req)
        evhttp_request_free(req);
}

/* The peer closed (FIN or RST) while its query ran and nothing was written yet: evhttp does
 * not read the connection then, so it would not know until the answer's first write. */
static void peer_closed(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    http_call *c = arg;
    struct evhttp_connection *evcon = c->evcon;
    evhttp_connection_set_closecb(evcon, NULL, NULL);
    c->req = NULL; /* freed with its connection */
    http_call_gone(c);
    evhttp_connection_free(evcon);
}

static void watch_peer(http_call *c)
{
    evhttp_connection_set_closecb(c->evcon, connection_closed, c);
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    if (fd < 0)
        return;
    c->close_watch = event_new(srv.base, fd, EV_CLOSED, peer_closed, c);
    if (c->close_watch)
        event_add(c->close_watch, NULL);
}

/* ---- Statements ------------------------------------------------------------------------- */

/* A request is a session of its own that ends with it: database mimir, autocommit, the
 * server's default time zone. */
static session_info call_session(http_call *c)
{
    session_info s = access_session_info(c->user, c->peer);
    s.db = MIMIR_DATABASE;
    s.connection_id = c->id;
    s.autocommit = true;
    return s;
}

/* A result the planner computed (SHOW, information_schema, EXPLAIN, @@variables). */
static void answer_rows(http_call *c, const const_result *r)
{
    wire_column *defs = const_result_columns(r);
    http_encoder_begin(c->enc, defs, r->ncols, &c->staged);
    free(defs);
    sql_error err;
    for (size_t row = 0; row < r->nrows; row++) {
        const char *const *values = r->values + row * r->ncols;
        size_t lengths[r->ncols + 1];
        for (size_t i = 0; i < r->ncols; i++)
            lengths[i] = r->lengths  ? r->lengths[row * r->ncols + i]
                         : values[i] ? strlen(values[i])
                                     : 0;
        if (!http_encoder_row(c->enc, values, lengths, r->ncols, &c->staged, &err)) {
            buf_reset(&c->staged);
            send_failure(c, &err);
            return;
        }
        c->qlog.rows++;
    }
    http_encoder_end(c->enc, c->act.notes, c->act.nnotes, &c->staged);
    send_complete(c);
    finish(c, QUERY_OK);
    http_call_free(c);
}

static void start_query(http_call *c)
{
    exec_sink sink = {.ctx = c,
                      .header = sink_header,
                      .row = sink_row,
                      .end = sink_end,
                      .error = sink_error,
                      .full = sink_full,
                      .flush = sink_flush};
    exec_request req = {.plan = c->act.plan,
                        .timeout_ms = srv.cfg.query_timeout_ms,
                        .max_rows = srv.cfg.max_result_rows,
                        .max_bytes = srv.cfg.max_result_bytes,
                        .cache = srv.cache,
                        .grants_fingerprint = access_grants_fingerprint(c->user),
                        .record = &c->qlog};
    query_log_plan(&c->qlog, c->act.plan);
    watch_peer(c);
    /* Execution answers through the sink, possibly before exec_start returns (NULL then). */
    c->in_exec_start = true;
    exec *ex = exec_start(&srv.exec_env, &req, &sink);
    c->in_exec_start = false;
    if (c->free_pending)
        http_call_free(c);
    else
        c->running = ex;
}

static void plan_and_answer(http_call *c, bool no_rollups)
{
    session_info s = call_session(c);
    s.rollups_off = no_rollups;
    query_log_begin(&c->qlog, c->sql, c->sql_len, c->bytes_out);
    memset(&c->act, 0, sizeof c->act);
    planner_plan(&c->stmt, &s, c->sql, c->sql_len, &c->act);
    /* Arrow timestamps say their zone only when they are UTC instants (timestamp[us, tz=UTC]);
     * in another zone they are that zone's wall clock, a timestamp without a zone. */
    if (!c->enc) /* a second attempt (retry_from_sources) keeps the first's: nothing began */
        c->enc = http_encoder_new(c->format, s.tz.kind == TZ_UTC ? "UTC" : NULL);
    switch (c->act.kind) {
    case ACTION_QUERY:
        start_query(c);
        return;
    case ACTION_ROWS:
        answer_rows(c, &c->act.rows);
        return;
    case ACTION_OK: /* SET, USE, ...: nothing outlives the request, so nothing to change */
        answer_rows(c, &(const_result){0});
        return;
    case ACTION_KILL: {
        sql_error e;
        sql_error_set(&e, ER_NOT_SUPPORTED_YET, "42000",
                      "KILL is not available over HTTP: a request that is cancelled closes its "
                      "connection; use the MySQL port to kill a session");
        send_failure(c, &e);
        return;
    }
    case ACTION_ERROR:
        send_failure(c, &c->act.error);
        return;
    }
}

void http_call_run(http_call *c, const char *sql, size_t len)
{
    c->sql = sql;
    c->sql_len = len;
    plan_and_answer(c, false);
}

static void retry_from_sources_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    plan_and_answer(arg, true);
}

void http_call_send_whole(http_call *c)
{
    send_complete(c);
    http_call_free(c);
}
