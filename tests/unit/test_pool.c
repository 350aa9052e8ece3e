/*
 * The backend pool (proxy/backend/pool.c), driven without a socket or a
 * server: a real event base, the real SQLite connector on a temporary file,
 * and pool_settings given by the test. Connections that reach a requester are
 * wrapped in counting ops (the real SQLite ops underneath), so the tests see
 * how many connections the pool really closed, not only what it says.
 *
 * The pool's clock is the caller's: pool_maintain takes `now`, so timeouts
 * are tested by passing a later time instead of sleeping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "proxy/backend/pool.h"
#include "proxy/log.h"
#include "proxy/workers.h"
#include "tests/unit/unit_support.h"

/* ---- Fixture: one event base, one SQLite file, for the whole group ------------ */

static char dir[256];
static char db_path[320];
static struct event_base *base;

static int group_setup(void **state)
{
    (void)state;
    unit_tmpdir_make(dir, sizeof(dir), "mimir-pool");
    snprintf(db_path, sizeof(db_path), "%s/pool.db", dir);
    sqlite3 *db = NULL;
    if (sqlite3_open(db_path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (41);", NULL, NULL,
                     NULL) != SQLITE_OK)
        return -1;
    sqlite3_close(db);
    base = event_base_new();
    if (!base || !workers_start(base, 1))
        return -1;
    /* A failed connect is logged as a warning; the tests read what the requester got. */
    log_set_min_level(LOG_LEVEL_ERROR);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    workers_stop();
    event_base_free(base);
    unit_tmpdir_remove(dir);
    return 0;
}

/* ---- Counting the connections' real closes ------------------------------------ */

static const backend_ops *sqlite_ops; /* the real ops, under the counting ones */
static int closes;

static void counting_run(backend_conn *c, const atomic_query *q, const backend_sink *sink)
{
    sqlite_ops->run(c, q, sink);
}

static void counting_pause(backend_conn *c)
{
    sqlite_ops->pause(c);
}

static void counting_resume(backend_conn *c)
{
    sqlite_ops->resume(c);
}

static void counting_idle(backend_conn *c)
{
    sqlite_ops->idle(c);
}

static void counting_close(backend_conn *c)
{
    closes++;
    sqlite_ops->close(c);
}

static void counting_cancel(backend_conn *c)
{
    sqlite_ops->cancel(c);
}

static backend_conn *dead_conn; /* the one connection counting_alive says is dead */
static int alive_asked;

static bool counting_alive(backend_conn *c, const char **why)
{
    alive_asked++;
    *why = "test";
    return c != dead_conn;
}

static const backend_ops counting_ops = {
    .run = counting_run,
    .pause = counting_pause,
    .resume = counting_resume,
    .idle = counting_idle,
    .close = counting_close,
    .cancel = counting_cancel,
    .alive = counting_alive,
};

/* ---- A requester ---------------------------------------------------------------- */

typedef struct requester {
    int calls;
    int order; /* when it was served, among all requesters of the test (1, 2, ...) */
    backend_conn *conn;
    char error[512];
    pool_request *request;
} requester;

static int served; /* requesters served so far in this test */

static void on_acquired(void *ctx, backend_conn *conn, const char *error)
{
    requester *r = ctx;
    r->calls++;
    r->order = ++served;
    r->conn = conn;
    r->request = NULL; /* no longer cancellable */
    snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
    if (conn && conn->ops != &counting_ops) {
        sqlite_ops = conn->ops;
        conn->ops = &counting_ops;
    }
}

static void acquire(pool *p, requester *r)
{
    memset(r, 0, sizeof(*r));
    r->request = pool_acquire(p, on_acquired, r);
}

static int test_setup(void **state)
{
    (void)state;
    closes = 0;
    served = 0;
    dead_conn = NULL;
    alive_asked = 0;
    return 0;
}

/* Runs what is ready on the loop (deliveries are made on the next loop turn). */
static void run_loop(void)
{
    for (int i = 0; i < 4; i++)
        event_base_loop(base, EVLOOP_NONBLOCK);
}

static connection sqlite_connection(const char *path)
{
    return (connection){.name = "pool_test", .kind = CONN_SQLITE, .path = (char *)path};
}

static pool *make_pool(const char *path, int max_size, int queue_timeout_s, int idle_timeout_s)
{
    connection c = sqlite_connection(path);
    pool_settings s = {.base = base,
                       .max_size = max_size,
                       .connect_timeout_s = 1,
                       .queue_timeout_s = queue_timeout_s,
                       .idle_timeout_s = idle_timeout_s};
    return pool_new(&c, &s);
}

static void assert_counts(const pool *p, int idle, int busy, int waiting)
{
    int i, b, w;
    pool_counts(p, &i, &b, &w);
    assert_int_equal(i, idle);
    assert_int_equal(b, busy);
    assert_int_equal(w, waiting);
}

/* ---- Acquire, queue, release ------------------------------------------------------- */

static void test_acquire_up_to_size_then_fifo_queue(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 2, 60, 60);
    requester r[4];
    for (int i = 0; i < 4; i++)
        acquire(p, &r[i]);
    /* Never from inside pool_acquire: all four wait for the loop. */
    for (int i = 0; i < 4; i++)
        assert_int_equal(r[i].calls, 0);
    assert_int_equal(pool_size_now(p), 2);
    assert_counts(p, 0, 2, 2);

    run_loop();
    assert_int_equal(r[0].calls, 1);
    assert_int_equal(r[1].calls, 1);
    assert_non_null(r[0].conn);
    assert_non_null(r[1].conn);
    assert_ptr_not_equal(r[0].conn, r[1].conn);
    assert_string_equal(r[0].error, "");
    assert_int_equal(r[2].calls, 0);
    assert_int_equal(r[3].calls, 0);

    /* The second connection comes back first: it goes to the first in the queue. */
    pool_release(r[1].conn);
    run_loop();
    assert_int_equal(r[2].calls, 1);
    assert_ptr_equal(r[2].conn, r[1].conn);
    assert_int_equal(r[3].calls, 0);
    assert_counts(p, 0, 2, 1);

    pool_release(r[0].conn);
    run_loop();
    assert_int_equal(r[3].calls, 1);
    assert_ptr_equal(r[3].conn, r[0].conn);
    assert_true(r[2].order < r[3].order);
    assert_int_equal(pool_size_now(p), 2); /* reused, none opened */

    pool_release(r[2].conn);
    pool_release(r[3].conn);
    assert_counts(p, 2, 0, 0);
    assert_int_equal(closes, 0);
    pool_free(p);
    assert_int_equal(closes, 2);
}

/* An idle connection is handed out again instead of a new one being opened. */
static void test_idle_connection_reused(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 4, 60, 60);
    requester a, b;
    acquire(p, &a);
    run_loop();
    pool_release(a.conn);
    assert_counts(p, 1, 0, 0);
    acquire(p, &b);
    assert_counts(p, 0, 1, 0);
    run_loop();
    assert_ptr_equal(b.conn, a.conn);
    assert_int_equal(pool_size_now(p), 1);
    pool_release(b.conn);
    pool_free(p);
    assert_int_equal(closes, 1);
}

/* ---- A query on a pooled connection ------------------------------------------------ */

typedef struct query_result {
    bool done;
    char value[32];
    char error[256];
} query_result;

static void q_columns(void *ctx, const result_column *cols, size_t n)
{
    (void)ctx;
    (void)cols;
    (void)n;
}

static void q_row(void *ctx, const char *const *values, const size_t *lengths)
{
    query_result *q = ctx;
    snprintf(q->value, sizeof(q->value), "%.*s", (int)lengths[0], values[0] ? values[0] : "");
}

static void q_done(void *ctx, const char *error)
{
    query_result *q = ctx;
    q->done = true;
    snprintf(q->error, sizeof(q->error), "%s", error ? error : "");
}

/* Runs sql on conn through the loop (the SQLite connector steps on a worker). */
static void run_query(backend_conn *conn, const char *sql, query_result *out)
{
    memset(out, 0, sizeof(*out));
    atomic_query q = {.sql = sql};
    backend_sink sink = {.ctx = out, .on_columns = q_columns, .on_row = q_row, .on_done = q_done};
    conn->ops->run(conn, &q, &sink);
    for (int i = 0; i < 1000 && !out->done; i++)
        event_base_loop(base, EVLOOP_ONCE);
    assert_true(out->done);
}

/* What the pool hands out is a working connection, and stays one after a release. */
static void test_pooled_connection_runs_queries(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 1, 60, 60);
    requester a, b;
    acquire(p, &a);
    run_loop();
    query_result q;
    run_query(a.conn, "SELECT x + 1 FROM t", &q);
    assert_string_equal(q.error, "");
    assert_string_equal(q.value, "42");
    pool_release(a.conn);

    acquire(p, &b);
    run_loop();
    assert_ptr_equal(b.conn, a.conn);
    run_query(b.conn, "SELECT x * 2 FROM t", &q);
    assert_string_equal(q.value, "82");
    pool_release(b.conn);
    assert_int_equal(closes, 0);
    pool_free(p);
    assert_int_equal(closes, 1);
}

/* ---- Cancelling ------------------------------------------------------------------------ */

static void test_cancel_waiting_request(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 1, 60, 60);
    requester a, b, c;
    acquire(p, &a);
    acquire(p, &b);
    acquire(p, &c);
    run_loop();
    assert_counts(p, 0, 1, 2);
    pool_cancel(b.request);
    assert_counts(p, 0, 1, 1);

    pool_release(a.conn);
    run_loop();
    assert_int_equal(b.calls, 0); /* cancelled: never called */
    assert_int_equal(c.calls, 1);
    assert_ptr_equal(c.conn, a.conn);
    pool_release(c.conn);
    pool_free(p);
    assert_int_equal(closes, 1);
}

/* Cancelled after its connection was chosen but before the delivery: the
 * connection goes back to the pool, and the requester hears nothing. */
static void test_cancel_during_delivery(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 1, 60, 60);
    requester a, b;
    acquire(p, &a);
    run_loop();
    pool_release(a.conn);
    acquire(p, &b);
    assert_counts(p, 0, 1, 0);
    pool_cancel(b.request);
    run_loop();
    assert_int_equal(b.calls, 0);
    assert_counts(p, 1, 0, 0);
    assert_int_equal(closes, 0);
    pool_free(p);
    assert_int_equal(closes, 1);
}

/* ---- Timeouts ---------------------------------------------------------------------------- */

static void test_queue_timeout(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 1, 5, 60);
    requester a, b;
    acquire(p, &a);
    acquire(p, &b);
    run_loop();
    time_t now = time(NULL);
    pool_maintain(p, now); /* queued just now: still waiting */
    run_loop();
    assert_int_equal(b.calls, 0);
    assert_counts(p, 0, 1, 1);

    pool_maintain(p, now + 5);
    assert_counts(p, 0, 1, 0);
    run_loop();
    assert_int_equal(b.calls, 1);
    assert_null(b.conn);
    assert_string_equal(b.error, "timed out after 5 s waiting for a connection (all 1 of the "
                                 "pool in use)");
    /* The connection in use is not affected, and comes back idle. */
    pool_release(a.conn);
    assert_counts(p, 1, 0, 0);
    pool_free(p);
}

static void test_idle_timeout(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 2, 60, 30);
    requester a, b;
    acquire(p, &a);
    acquire(p, &b);
    run_loop();
    pool_release(a.conn);
    pool_release(b.conn);
    time_t now = time(NULL);
    pool_maintain(p, now);
    assert_counts(p, 2, 0, 0);
    assert_int_equal(closes, 0);

    a.conn->idle_since = now - 30; /* a has been idle idle_timeout_s, b just came back */
    pool_maintain(p, now);
    assert_int_equal(closes, 1);
    assert_counts(p, 1, 0, 0);
    assert_int_equal(pool_size_now(p), 1);

    pool_maintain(p, now + 30);
    assert_int_equal(closes, 2);
    assert_int_equal(pool_size_now(p), 0);
    pool_free(p);
    assert_int_equal(closes, 2);
}

/* A reload's timeouts apply to a pool already made; its size does not change. */
static void test_update_timeouts(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 1, 60, 60);
    pool_settings s = {.base = base,
                       .max_size = 5,
                       .connect_timeout_s = 1,
                       .queue_timeout_s = 2,
                       .idle_timeout_s = 3};
    pool_update_timeouts(p, &s);
    requester a, b;
    acquire(p, &a);
    acquire(p, &b);
    assert_counts(p, 0, 1, 1); /* still one connection at most */
    run_loop();
    time_t now = time(NULL);
    pool_maintain(p, now + 2);
    run_loop();
    assert_int_equal(b.calls, 1);
    assert_null(b.conn);
    assert_non_null(strstr(b.error, "timed out after 2 s"));

    pool_release(a.conn);
    pool_maintain(p, now + 3);
    assert_int_equal(closes, 1);
    assert_int_equal(pool_size_now(p), 0);
    pool_free(p);
}

/* ---- Broken and dead connections ---------------------------------------------------------- */

static void test_broken_connection_closed_not_reused(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 1, 60, 60);
    requester a, b;
    acquire(p, &a);
    acquire(p, &b);
    run_loop();
    assert_counts(p, 0, 1, 1);

    a.conn->broken = true;
    pool_release(a.conn);
    assert_int_equal(closes, 1);
    /* Its slot went to the waiter, on a connection opened for it. */
    run_loop();
    assert_int_equal(b.calls, 1);
    assert_non_null(b.conn);
    assert_false(b.conn->broken);
    assert_int_equal(pool_size_now(p), 1);
    assert_counts(p, 0, 1, 0);
    pool_release(b.conn);
    assert_counts(p, 1, 0, 0);
    pool_free(p);
    assert_int_equal(closes, 2);
}

/* A backend saw an idle connection die (pool_discard_idle): it is closed at once. */
static void test_discard_idle_connection(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 1, 60, 60);
    requester a;
    acquire(p, &a);
    run_loop();
    pool_release(a.conn);
    assert_counts(p, 1, 0, 0);
    pool_discard_idle(a.conn);
    assert_int_equal(closes, 1);
    assert_int_equal(pool_size_now(p), 0);
    assert_counts(p, 0, 0, 0);
    pool_free(p);
    assert_int_equal(closes, 1);
}

/*
 * Before reusing a connection idle for idle_check_after (here 0: every time),
 * the pool asks the connector whether it is alive; a dead one is closed and
 * the next idle one handed out. With the default (30 s), one idle for less is
 * not asked about.
 */
static void test_idle_check_before_reuse(void **state)
{
    (void)state;
    connection c = sqlite_connection(db_path);
    c.idle_check_after = CONN_NET_OFF;
    pool_settings s = {.base = base, .max_size = 2, .queue_timeout_s = 60, .idle_timeout_s = 60};
    pool *p = pool_new(&c, &s);
    requester a, b, x;
    acquire(p, &a);
    acquire(p, &b);
    run_loop();
    pool_release(a.conn);
    pool_release(b.conn); /* most recent: taken first */
    dead_conn = b.conn;
    acquire(p, &x);
    run_loop();
    assert_int_equal(alive_asked, 2);
    assert_int_equal(closes, 1);
    assert_ptr_equal(x.conn, a.conn);
    assert_int_equal(pool_size_now(p), 1);
    pool_release(x.conn);
    pool_free(p);

    alive_asked = 0;
    p = make_pool(db_path, 1, 60, 60);
    acquire(p, &a);
    run_loop();
    pool_release(a.conn);
    acquire(p, &x);
    run_loop();
    assert_int_equal(alive_asked, 0);
    assert_ptr_equal(x.conn, a.conn);
    pool_release(x.conn);
    pool_free(p);
}

/*
 * The connection died after the pool had taken it from the idle list for a
 * request, before the delivery ran (3bc2cef): it must not be freed under the
 * delivery, but reach the requester marked broken, and be closed when handed back.
 */
static void test_discard_idle_connection_being_delivered(void **state)
{
    (void)state;
    pool *p = make_pool(db_path, 1, 60, 60);
    requester a, b;
    acquire(p, &a);
    run_loop();
    pool_release(a.conn);
    backend_conn *conn = a.conn;
    acquire(p, &b); /* takes conn off the idle list; delivered on the next turn */
    pool_discard_idle(conn);
    assert_int_equal(closes, 0);
    assert_true(conn->broken);
    assert_int_equal(pool_size_now(p), 1);

    run_loop();
    assert_int_equal(b.calls, 1);
    assert_ptr_equal(b.conn, conn);
    pool_release(b.conn);
    assert_int_equal(closes, 1);
    assert_int_equal(pool_size_now(p), 0);
    assert_counts(p, 0, 0, 0);
    pool_free(p);
    assert_int_equal(closes, 1);
}

/* ---- Connect failures ---------------------------------------------------------------------- */

static void test_connect_failure_reported(void **state)
{
    (void)state;
    char missing[400];
    snprintf(missing, sizeof(missing), "%s/no-such-dir/x.db", dir);
    pool *p = make_pool(missing, 2, 60, 60);
    requester a, b;
    acquire(p, &a);
    acquire(p, &b);
    assert_int_equal(a.calls, 0); /* even a failure is reported from the loop */
    assert_int_equal(pool_size_now(p), 0);
    run_loop();
    for (requester *r = &a; r; r = r == &a ? &b : NULL) {
        assert_int_equal(r->calls, 1);
        assert_null(r->conn);
        assert_non_null(strstr(r->error, "could not open SQLite database"));
        assert_non_null(strstr(r->error, missing));
        assert_non_null(strstr(r->error, "'pool_test'"));
    }
    assert_counts(p, 0, 0, 0);
    pool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_acquire_up_to_size_then_fifo_queue, test_setup),
        cmocka_unit_test_setup(test_idle_connection_reused, test_setup),
        cmocka_unit_test_setup(test_pooled_connection_runs_queries, test_setup),
        cmocka_unit_test_setup(test_cancel_waiting_request, test_setup),
        cmocka_unit_test_setup(test_cancel_during_delivery, test_setup),
        cmocka_unit_test_setup(test_queue_timeout, test_setup),
        cmocka_unit_test_setup(test_idle_timeout, test_setup),
        cmocka_unit_test_setup(test_update_timeouts, test_setup),
        cmocka_unit_test_setup(test_broken_connection_closed_not_reused, test_setup),
        cmocka_unit_test_setup(test_discard_idle_connection, test_setup),
        cmocka_unit_test_setup(test_discard_idle_connection_being_delivered, test_setup),
        cmocka_unit_test_setup(test_connect_failure_reported, test_setup),
        cmocka_unit_test_setup(test_idle_check_before_reuse, test_setup),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
