/*
 * Execution (proxy/exec/exec.c) driven without a socket or a server: a real
 * event base and the worker threads, two real SQLite databases in a temporary
 * directory, a semantic layer loaded from YAML written there, plans made by
 * the real planner, and a sink that records every call execution makes.
 *
 * Every expected value is computed in the same run from the same SQLite files
 * with sqlite3 directly: the single-source results by the equivalent GROUP BY,
 * the combined ones by a FULL OUTER JOIN of the per-source aggregates (the
 * combine's documented semantics), the record's per-source rows by running
 * the plan's own atomic queries.
 *
 * Timing: nothing sleeps for a result. Loops poll until a condition holds
 * (with a cap that fails the test), and "nothing more arrives" is checked by
 * running the loop for a short while and seeing the count unchanged. The slow
 * query is a COUNT over a three-way cross join of 2,000 rows (8e9 rows): it
 * cannot finish within the time limits used here on any machine, and
 * execution's cancel interrupts it (sqlite3_interrupt), so it costs only the
 * time limit.
 *
 * `build/release/tests/test_exec test_cancel` runs the tests whose names match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "planner/planner.h"
#include "proxy/backend/pool.h"
#include "proxy/exec/exec.h"
#include "proxy/log.h"
#include "proxy/workers.h"
#include "wire/protocol.h"
#include "tests/unit/unit_support.h"

/* ---- The data and the semantic layer ----------------------------------------------- */

/*
 * a.db (connection shop_a): sales of items item-0000..item-2999 in regions
 * North, South, West; nums for the slow source. b.db (shop_b): visits of
 * items item-1000..item-3999 in North, South, East. So items and regions
 * exist in one source only on both sides of the join.
 */
static const char *const a_sql =
    "CREATE TABLE sales(id INTEGER PRIMARY KEY, sold_at TEXT, item TEXT, region TEXT,"
    " amount REAL);"
    "INSERT INTO sales WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k"
    " WHERE i < 5999) SELECT i, printf('2024-%02d-%02d 10:00:00', i % 12 + 1, i % 28 + 1),"
    " printf('item-%04d', i % 3000), CASE i % 3 WHEN 0 THEN 'North' WHEN 1 THEN 'South'"
    " ELSE 'West' END, (i * 7 % 40) * 0.25 FROM k;"
    "CREATE TABLE nums(n INTEGER, ts TEXT);"
    "INSERT INTO nums WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k"
    " WHERE i < 2000) SELECT i, '2024-01-01' FROM k;";

static const char *const b_sql =
    "CREATE TABLE visits(id INTEGER PRIMARY KEY, visited_at TEXT, item TEXT, region TEXT);"
    "INSERT INTO visits WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k"
    " WHERE i < 5999) SELECT i, printf('2024-%02d-01 09:00:00', i % 12 + 1),"
    " printf('item-%04d', 1000 + i % 3000), CASE i % 3 WHEN 0 THEN 'North'"
    " WHEN 1 THEN 'South' ELSE 'East' END FROM k;";

/* ghost reads a table a.db does not have; lost is on a connection whose file is missing. */
static const char *const sources_yaml =
    "sales:\n"
    "  name: sales\n"
    "  connection_name: shop_a\n"
    "  time_col: sales.sold_at\n"
    "  time_col_alias: ts\n"
    "  sql: SELECT sales.id, sales.sold_at AS ts, sales.item, sales.region, sales.amount"
    " FROM sales\n"
    "visits:\n"
    "  name: visits\n"
    "  connection_name: shop_b\n"
    "  time_col: visits.visited_at\n"
    "  time_col_alias: ts\n"
    "  sql: SELECT visits.id, visits.visited_at AS ts, visits.item, visits.region FROM visits\n"
    "late:\n"
    "  name: late\n"
    "  connection_name: shop_b\n"
    "  time_col: visits.visited_at\n"
    "  time_col_alias: ts\n"
    "  sql: SELECT visits.id, visits.visited_at AS ts, visits.item, visits.region FROM visits"
    " CROSS JOIN (SELECT COUNT(*) AS n FROM visits x CROSS JOIN visits y WHERE x.id < 1500"
    " AND y.id < 1500) w WHERE w.n > 0\n"
    "slow:\n"
    "  name: slow\n"
    "  connection_name: shop_a\n"
    "  time_col: a.ts\n"
    "  time_col_alias: ts\n"
    "  sql: SELECT a.n AS n, a.ts AS ts FROM nums a CROSS JOIN nums b CROSS JOIN nums c\n"
    "ghost:\n"
    "  name: ghost\n"
    "  connection_name: shop_a\n"
    "  time_col: ghost_rows.ts\n"
    "  sql: SELECT ghost_rows.g, ghost_rows.ts FROM ghost_rows\n"
    "lost:\n"
    "  name: lost\n"
    "  connection_name: gone\n"
    "  time_col: lost_rows.ts\n"
    "  sql: SELECT lost_rows.l, lost_rows.ts FROM lost_rows\n";

static const char *const metrics_yaml = "name: revenue\nsource_name: sales\nsql: SUM(amount)\n"
                                        "---\n"
                                        "name: sales_count\nsource_name: sales\nsql: COUNT(id)\n"
                                        "---\n"
                                        "name: visits_count\nsource_name: visits\nsql: COUNT(id)\n"
                                        "---\n"
                                        "name: late_count\nsource_name: late\nsql: COUNT(id)\n"
                                        "---\n"
                                        "name: slow_count\nsource_name: slow\nsql: COUNT(n)\n"
                                        "---\n"
                                        "name: ghost_count\nsource_name: ghost\nsql: COUNT(g)\n"
                                        "---\n"
                                        "name: lost_count\nsource_name: lost\nsql: COUNT(l)\n";

/* ---- Fixture: one loop, the workers, the catalog and its pools --------------------- */

static char dir[256];
static char path_a[320], path_b[320], path_gone[320];
static struct event_base *base;
static catalog *cat;
static pool *pools[4];
static size_t npools;
static server_stats stats;
static int layers_held; /* hold_layer minus release_layer */
static exec_env env;

/*
 * The execution the running test started that has not answered: a test that
 * fails midway leaves it running, and the teardown detaches it, so that the
 * next test starts with no execution and every connection idle.
 */
static exec *unanswered;

static void write_text(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        fail_msg("cannot write %s", path);
}

static void make_db(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("cannot make %s: %s", path, sqlite3_errmsg(db));
    sqlite3_close(db);
}

static void write_project(void)
{
    static const char *const subdirs[] = {"sources", "metrics", "dimensions", "secrets"};
    for (size_t i = 0; i < 4; i++) {
        char sub[512];
        snprintf(sub, sizeof(sub), "%s/%s", dir, subdirs[i]);
        if (mkdir(sub, 0700) != 0)
            fail_msg("mkdir %s", sub);
    }
    write_text("sources/shop.yaml", sources_yaml);
    write_text("metrics/shop.yaml", metrics_yaml);
    char json[512];
    snprintf(json, sizeof(json), "{\"connection_class\": \"sqlite\", \"path\": \"%s\"}", path_a);
    write_text("secrets/shop_a.json", json);
    snprintf(json, sizeof(json), "{\"connection_class\": \"sqlite\", \"path\": \"%s\"}", path_b);
    write_text("secrets/shop_b.json", json);
    snprintf(json, sizeof(json), "{\"connection_class\": \"sqlite\", \"path\": \"%s\"}", path_gone);
    write_text("secrets/gone.json", json);
}

static pool *env_pool_for(void *ctx, const connection *c)
{
    (void)ctx;
    for (size_t i = 0; i < npools; i++)
        if (pool_matches(pools[i], c))
            return pools[i];
    fail_msg("no pool for connection %s", c->name);
    return NULL;
}

static void *env_hold_layer(void *ctx)
{
    (void)ctx;
    layers_held++;
    return &layers_held;
}

static void env_release_layer(void *ctx, void *layer)
{
    (void)ctx;
    assert_ptr_equal(layer, &layers_held);
    layers_held--;
}

static int group_setup(void **state)
{
    (void)state;
    unit_tmpdir_make(dir, sizeof(dir), "mimir-exec");
    snprintf(path_a, sizeof(path_a), "%s/a.db", dir);
    snprintf(path_b, sizeof(path_b), "%s/b.db", dir);
    snprintf(path_gone, sizeof(path_gone), "%s/gone.db", dir);
    make_db(path_a, a_sql);
    make_db(path_b, b_sql);
    write_project();
    char configs[512], secrets[512], err[1024];
    snprintf(configs, sizeof(configs), "%s", dir);
    snprintf(secrets, sizeof(secrets), "%s/secrets", dir);
    cat = catalog_load(configs, secrets, err, sizeof(err));
    if (!cat)
        fail_msg("catalog_load: %s", err);
    base = event_base_new();
    if (!base || !workers_start(base, 2))
        return -1;
    pool_settings s = {.base = base,
                       .max_size = 4,
                       .connect_timeout_s = 1,
                       .queue_timeout_s = 60,
                       .idle_timeout_s = 60};
    for (size_t i = 0; i < cat->n_connections; i++)
        pools[npools++] = pool_new(&cat->connections[i], &s);
    env = (exec_env){.base = base,
                     .stats = &stats,
                     .pool_for = env_pool_for,
                     .hold_layer = env_hold_layer,
                     .release_layer = env_release_layer};
    /* Connect failures and cancellations are logged; the tests read what the sink got. */
    log_set_min_level(LOG_LEVEL_ERROR);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < npools; i++)
        pool_free(pools[i]);
    workers_stop();
    event_base_free(base);
    catalog_free(cat);
    stats_free(&stats);
    unit_tmpdir_remove(dir);
    return 0;
}

/* ---- Running the loop -------------------------------------------------------------- */

static uint64_t now_ms(void)
{
    return stats_now_ns() / 1000000;
}

/* One pass over what is ready, then a short nap: the workers answer through the loop. */
static void loop_turn(void)
{
    event_base_loop(base, EVLOOP_NONBLOCK);
    struct timespec nap = {0, 200000};
    nanosleep(&nap, NULL);
}

static void run_for_ms(uint64_t ms)
{
    uint64_t until = now_ms() + ms;
    while (now_ms() < until)
        loop_turn();
}

/* Every execution freed, and every connection back in its pool. */
static void wait_all_freed(void)
{
    uint64_t until = now_ms() + 3000;
    while (exec_count() > 0 && now_ms() < until)
        loop_turn();
    run_for_ms(5); /* pool deliveries of connections handed back */
    assert_int_equal(exec_count(), 0);
    assert_int_equal(layers_held, 0);
    for (size_t i = 0; i < npools; i++) {
        int idle, busy, waiting;
        pool_counts(pools[i], &idle, &busy, &waiting);
        if (busy || waiting)
            fail_msg("pool %zu: %d busy, %d waiting after the executions ended", i, busy, waiting);
    }
}

/* After each test: what a failed test left running is stopped and freed. */
static int test_teardown(void **state)
{
    (void)state;
    if (unanswered && exec_count() > 0) /* one execution at a time: still that one */
        exec_detach(unanswered);
    unanswered = NULL;
    uint64_t until = now_ms() + 3000;
    while (exec_count() > 0 && now_ms() < until)
        loop_turn();
    return exec_count() == 0 ? 0 : -1;
}

/* ---- Rows as text ------------------------------------------------------------------ */

/* A row as one string, "v1|v2|NULL", and the bytes its values count against max_bytes. */
typedef struct rowset {
    char **rows;
    size_t *bytes;
    size_t n, cap;
} rowset;

static void rowset_add(rowset *s, const char *const *values, const size_t *lengths, size_t n)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->rows = realloc(s->rows, s->cap * sizeof(*s->rows));
        s->bytes = realloc(s->bytes, s->cap * sizeof(*s->bytes));
        assert_non_null(s->rows);
        assert_non_null(s->bytes);
    }
    size_t len = 1, bytes = 0;
    for (size_t i = 0; i < n; i++) {
        len += (values[i] ? lengths[i] : 4) + 1;
        bytes += values[i] ? lengths[i] : 0;
    }
    char *row = calloc(1, len), *p = row;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = '|';
        p += sprintf(p, "%.*s", values[i] ? (int)lengths[i] : 4, values[i] ? values[i] : "NULL");
    }
    s->rows[s->n] = row;
    s->bytes[s->n++] = bytes;
}

static void rowset_free(rowset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->rows[i]);
    free(s->rows);
    free(s->bytes);
    memset(s, 0, sizeof(*s));
}

static void assert_rows_equal(const rowset *got, const rowset *want, const char *what)
{
    for (size_t i = 0; i < got->n && i < want->n; i++)
        if (strcmp(got->rows[i], want->rows[i]) != 0)
            fail_msg("%s: row %zu is \"%s\", SQLite says \"%s\"", what, i, got->rows[i],
                     want->rows[i]);
    if (got->n != want->n)
        fail_msg("%s: %zu rows, SQLite says %zu", what, got->n, want->n);
}

/* ---- Asking SQLite directly -------------------------------------------------------- */

/* Adds the rows of one statement to out. */
static void step_rows(sqlite3_stmt *st, rowset *out)
{
    size_t n = (size_t)sqlite3_column_count(st);
    const char *values[16];
    size_t lengths[16];
    assert_true(n <= 16);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (size_t i = 0; i < n; i++) {
            values[i] = (const char *)sqlite3_column_text(st, (int)i);
            lengths[i] = (size_t)sqlite3_column_bytes(st, (int)i);
        }
        rowset_add(out, values, lengths, n);
    }
}

/* The rows of sql (statements separated by ';': the rows of those that return some)
 * on a connection that has a.db and b.db attached as a and b. */
static void direct_rows(const char *sql, rowset *out)
{
    sqlite3 *db = NULL;
    char attach[1024];
    snprintf(attach, sizeof(attach), "ATTACH '%s' AS a; ATTACH '%s' AS b;", path_a, path_b);
    if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
        sqlite3_exec(db, attach, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("cannot attach the test databases: %s", sqlite3_errmsg(db));
    for (const char *next = sql; *next;) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, next, -1, &st, &next) != SQLITE_OK)
            fail_msg("direct query %s: %s", sql, sqlite3_errmsg(db));
        if (!st) /* only blanks were left */
            break;
        step_rows(st, out);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

static long long direct_count(const char *sql)
{
    rowset r = {0};
    direct_rows(sql, &r);
    assert_int_equal(r.n, 1);
    long long n = strtoll(r.rows[0], NULL, 10);
    rowset_free(&r);
    return n;
}

/* Runs one atomic query of a plan on its database, as the SQLite backend binds it:
 * its row count, or -1 with SQLite's message in err. */
static long long atomic_rows(const atomic_query *q, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long rows = -1;
    if (sqlite3_open_v2(q->conn->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, q->sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    for (size_t i = 0; i < q->nparams; i++) {
        const query_param *p = &q->params[i];
        if (p->kind == PARAM_INT)
            sqlite3_bind_int64(st, (int)i + 1, strtoll(p->text, NULL, 0));
        else if (p->kind == PARAM_NUMBER)
            sqlite3_bind_double(st, (int)i + 1, strtod(p->text, NULL));
        else
            sqlite3_bind_text(st, (int)i + 1, p->text, -1, SQLITE_TRANSIENT);
    }
    for (rows = 0; sqlite3_step(st) == SQLITE_ROW;)
        rows++;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
}

/* ---- The recording sink ------------------------------------------------------------ */

typedef struct recorder {
    int headers, ends, errors, flushes;
    int rows_before_header;
    int calls_after_answer; /* sink calls after end or error */
    int calls_after_detach; /* sink calls after the test detached */
    bool detached;
    size_t ncols;
    char names[8][64];
    size_t row_width_mismatches; /* rows whose n differs from the header's */
    rowset rows;
    sql_error error;
    size_t allowed; /* full() once this many rows arrived; 0: never full */
} recorder;

static bool answered(const recorder *r)
{
    return r->ends + r->errors > 0;
}

/* Every sink call: none may come after the answer, or after a detach. */
static void note_call(recorder *r)
{
    if (answered(r))
        r->calls_after_answer++;
    if (r->detached)
        r->calls_after_detach++;
}

static void rec_header(void *ctx, const wire_column *cols, size_t n)
{
    recorder *r = ctx;
    note_call(r);
    r->headers++;
    r->ncols = n;
    for (size_t i = 0; i < n && i < 8; i++)
        snprintf(r->names[i], sizeof(r->names[i]), "%s", cols[i].name);
}

static void rec_row(void *ctx, const char *const *values, const size_t *lengths, size_t n)
{
    recorder *r = ctx;
    note_call(r);
    if (r->headers == 0)
        r->rows_before_header++;
    if (n != r->ncols)
        r->row_width_mismatches++;
    rowset_add(&r->rows, values, lengths, n);
}

static void rec_end(void *ctx)
{
    recorder *r = ctx;
    note_call(r);
    r->ends++;
    unanswered = NULL;
}

static void rec_error(void *ctx, const sql_error *e)
{
    recorder *r = ctx;
    note_call(r);
    r->errors++;
    r->error = *e;
    unanswered = NULL;
}

static bool rec_full(void *ctx)
{
    recorder *r = ctx;
    note_call(r);
    return r->allowed && r->rows.n >= r->allowed;
}

static void rec_flush(void *ctx)
{
    recorder *r = ctx;
    note_call(r);
    r->flushes++;
}

static void recorder_free(recorder *r)
{
    rowset_free(&r->rows);
}

/* The contract every answer keeps, whatever it is. */
static void assert_sink_contract(const recorder *r)
{
    assert_int_equal(r->calls_after_answer, 0);
    assert_int_equal(r->calls_after_detach, 0);
    assert_int_equal(r->rows_before_header, 0);
    assert_int_equal(r->row_width_mismatches, 0);
    assert_true(r->headers <= 1);
    assert_true(r->ends + r->errors <= 1);
}

/* ---- Planning and starting --------------------------------------------------------- */

static plan *plan_sql(arena *a, const char *sql)
{
    session_info s = {.cat = cat,
                      .db = MIMIR_DATABASE,
                      .user = "tester",
                      .client_host = "localhost",
                      .autocommit = true};
    action act;
    planner_plan(a, &s, sql, strlen(sql), &act);
    if (act.kind != ACTION_QUERY)
        fail_msg("%s: planned as action %d (%s)", sql, act.kind, act.error.message);
    return act.plan;
}

static exec *start(const plan *p, recorder *r, const exec_request *tmpl)
{
    exec_request req = tmpl ? *tmpl : (exec_request){0};
    req.plan = p;
    exec_sink sink = {.ctx = r,
                      .header = rec_header,
                      .row = rec_row,
                      .end = rec_end,
                      .error = rec_error,
                      .full = rec_full,
                      .flush = rec_flush};
    exec *ex = exec_start(&env, &req, &sink);
    unanswered = answered(r) ? NULL : ex;
    return ex;
}

static void wait_answer(const recorder *r)
{
    uint64_t until = now_ms() + 3000;
    while (!answered(r) && now_ms() < until)
        loop_turn();
    if (!answered(r))
        fail_msg("no answer after 3 s (%zu rows so far)", r->rows.n);
}

/* Until the rows stop at the caller's allowance (held), or the answer came. */
static void wait_held_or_answer(const recorder *r)
{
    uint64_t until = now_ms() + 3000;
    for (;;) {
        size_t before = r->rows.n;
        run_for_ms(20);
        if (answered(r) || (r->rows.n >= r->allowed && r->rows.n == before))
            return;
        if (now_ms() > until)
            fail_msg("neither held nor answered after 3 s (%zu rows)", r->rows.n);
    }
}

/* The header names the plan's columns, in order. */
static void assert_header_of(const recorder *r, const plan *p)
{
    assert_int_equal(r->headers, 1);
    assert_int_equal(r->ncols, p->ncols);
    for (size_t i = 0; i < p->ncols && i < 8; i++)
        assert_string_equal(r->names[i], p->cols[i].name);
}

/* ---- Statements and what SQLite says they mean ------------------------------------- */

#define ITEMS_ONE        "SELECT item, AGG(revenue) FROM mimir.metrics GROUP BY item ORDER BY item"
#define ITEMS_ONE_DIRECT "SELECT item, SUM(amount) FROM a.sales GROUP BY item ORDER BY item"
#define ITEMS_TWO                                                                                  \
    "SELECT item, AGG(revenue), AGG(visits_count) FROM mimir.metrics GROUP BY item ORDER BY item"
/*
 * The combine's semantics: a FULL OUTER JOIN of the sources' aggregates on the
 * dimensions. Made into keyed tables first: SQLite 3.40 joins two subqueries
 * FULL OUTER without an index, a quarter of a second for these 3,000 x 3,000.
 */
#define ITEMS_TWO_DIRECT                                                                           \
    "CREATE TEMP TABLE s(item TEXT PRIMARY KEY, m);"                                               \
    "INSERT INTO s SELECT item, SUM(amount) FROM a.sales GROUP BY item;"                           \
    "CREATE TEMP TABLE v(item TEXT PRIMARY KEY, m);"                                               \
    "INSERT INTO v SELECT item, COUNT(id) FROM b.visits GROUP BY item;"                            \
    "SELECT item, s.m, v.m FROM s FULL OUTER JOIN v USING (item) ORDER BY item"

typedef struct result_case {
    const char *name;
    const char *sql;
    const char *direct;
    bool combined; /* more than one source: EXEC_COMBINE */
} result_case;

static const result_case result_cases[] = {
    {"one source by item", ITEMS_ONE, ITEMS_ONE_DIRECT, false},
    {"one source, two metrics, filtered", /* */
     "SELECT region, AGG(revenue), AGG(sales_count) FROM mimir.metrics WHERE region <> 'West'"
     " GROUP BY region ORDER BY region",
     "SELECT region, SUM(amount), COUNT(id) FROM a.sales WHERE region <> 'West' GROUP BY region"
     " ORDER BY region",
     false},
    {"two sources by item", ITEMS_TWO, ITEMS_TWO_DIRECT, true},
    {"two sources by region", /* */
     "SELECT region, AGG(revenue), AGG(visits_count) FROM mimir.metrics GROUP BY region"
     " ORDER BY region",
     "SELECT region, s.m, v.m FROM (SELECT region, SUM(amount) AS m FROM a.sales GROUP BY region)"
     " s FULL OUTER JOIN (SELECT region, COUNT(id) AS m FROM b.visits GROUP BY region) v"
     " USING (region) ORDER BY region",
     true},
    {"two sources, no dimension", /* */
     "SELECT AGG(revenue), AGG(visits_count) FROM mimir.metrics",
     "SELECT (SELECT SUM(amount) FROM a.sales), (SELECT COUNT(id) FROM b.visits)", true},
};

/* ---- Results: streamed and combined ------------------------------------------------ */

static void check_result_case(const result_case *c)
{
    arena a;
    arena_init(&a);
    plan *p = plan_sql(&a, c->sql);
    assert_int_equal(p->final_sql != NULL, c->combined);
    assert_int_equal(p->nqueries, c->combined ? 2 : 1);
    recorder r = {0};
    assert_non_null(start(p, &r, NULL));
    wait_answer(&r);
    assert_sink_contract(&r);
    assert_int_equal(r.errors, 0);
    assert_int_equal(r.ends, 1);
    assert_header_of(&r, p);
    rowset want = {0};
    direct_rows(c->direct, &want);
    assert_true(want.n > 0);
    assert_rows_equal(&r.rows, &want, c->name);
    run_for_ms(20);
    assert_int_equal(r.calls_after_answer, 0);
    wait_all_freed();
    rowset_free(&want);
    recorder_free(&r);
    arena_free(&a);
}

static void test_results_equal_sqlite(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(result_cases) / sizeof(result_cases[0]); i++)
        check_result_case(&result_cases[i]);
}

/* Counts the rows of a combined item result whose column col is NULL. */
static size_t nulls_in_column(const rowset *s, int col)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const char *v = s->rows[i];
        for (int k = 0; k < col; k++)
            v = strchr(v, '|') + 1;
        n += strncmp(v, "NULL", 4) == 0 && (v[4] == '|' || v[4] == '\0');
    }
    return n;
}

/* Dimension values found in one source only are rows of their own, NULL for the other. */
static void test_combine_keeps_values_of_one_source(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    plan *p = plan_sql(&a, ITEMS_TWO);
    recorder r = {0};
    start(p, &r, NULL);
    wait_answer(&r);
    assert_int_equal(r.ends, 1);
    long long only_sales = direct_count("SELECT COUNT(DISTINCT item) FROM a.sales WHERE item NOT"
                                        " IN (SELECT item FROM b.visits)");
    long long only_visits = direct_count("SELECT COUNT(DISTINCT item) FROM b.visits WHERE item"
                                         " NOT IN (SELECT item FROM a.sales)");
    long long both = direct_count("SELECT COUNT(DISTINCT item) FROM a.sales WHERE item IN"
                                  " (SELECT item FROM b.visits)");
    assert_true(only_sales > 0 && only_visits > 0 && both > 0);
    assert_int_equal(r.rows.n, only_sales + only_visits + both);
    assert_int_equal(nulls_in_column(&r.rows, 1), only_visits); /* no revenue */
    assert_int_equal(nulls_in_column(&r.rows, 2), only_sales);  /* no visits */
    assert_int_equal(nulls_in_column(&r.rows, 0), 0);           /* the item is always there */
    wait_all_freed();
    recorder_free(&r);
    arena_free(&a);
}

/*
 * The tables of sources that answer while another runs are indexed then, and the final
 * join scans the last one's (proxy/exec/exec.c): `late` counts 2.25 million pairs before
 * its first row, so it answers after the others. Whatever its place in the plan (first,
 * in the middle, last), the rows are the FULL OUTER JOIN of the three aggregates, each
 * item once; without ORDER BY too, in some order.
 */
#define LATE_DIRECT(cols)                                                                          \
    "CREATE TEMP TABLE s(item TEXT PRIMARY KEY, m);"                                               \
    "INSERT INTO s SELECT item, SUM(amount) FROM a.sales GROUP BY item;"                           \
    "CREATE TEMP TABLE v(item TEXT PRIMARY KEY, m);"                                               \
    "INSERT INTO v SELECT item, COUNT(id) FROM b.visits GROUP BY item;"                            \
    "SELECT item, " cols " FROM (SELECT item FROM s UNION SELECT item FROM v) k"                   \
    " LEFT JOIN s USING (item) LEFT JOIN v USING (item) ORDER BY item"

static int compare_rows(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void check_late_source(const char *sql, const char *direct, size_t late, bool ordered)
{
    arena a;
    arena_init(&a);
    plan *p = plan_sql(&a, sql);
    assert_int_equal(p->nqueries, 3);
    assert_string_equal(p->queries[late].src->name, "late");
    assert_non_null(p->join.sql); /* the join may be reordered */
    query_log q = {0};
    query_log_begin(&q, sql, strlen(sql), 0);
    query_log_plan(&q, p);
    recorder r = {0};
    exec_request req = {.record = &q};
    start(p, &r, &req);
    wait_answer(&r);
    assert_sink_contract(&r);
    assert_int_equal(r.errors, 0);
    assert_int_equal(r.ends, 1);
    for (size_t i = 0; i < 3; i++) /* late answered last: its table was the one scanned */
        if (i != late)
            assert_true(q.sources[i].backend_ms < q.sources[late].backend_ms);
    rowset want = {0};
    direct_rows(direct, &want);
    if (!ordered)
        qsort(r.rows.rows, r.rows.n, sizeof(*r.rows.rows), compare_rows);
    assert_rows_equal(&r.rows, &want, sql);
    wait_all_freed();
    rowset_free(&want);
    query_log_free(&q);
    recorder_free(&r);
    arena_free(&a);
}

static void test_combine_scans_the_last_source(void **state)
{
    (void)state;
    check_late_source("SELECT item, AGG(late_count), AGG(revenue), AGG(visits_count) FROM"
                      " mimir.metrics GROUP BY item ORDER BY item",
                      LATE_DIRECT("v.m, s.m, v.m"), 0, true);
    check_late_source("SELECT item, AGG(revenue), AGG(late_count), AGG(visits_count) FROM"
                      " mimir.metrics GROUP BY item ORDER BY item",
                      LATE_DIRECT("s.m, v.m, v.m"), 1, true);
    check_late_source("SELECT item, AGG(revenue), AGG(visits_count), AGG(late_count) FROM"
                      " mimir.metrics GROUP BY item",
                      LATE_DIRECT("s.m, v.m, v.m"), 2, false);
}

/* ---- Backpressure ------------------------------------------------------------------ */

/*
 * The caller allows 10 rows, then reads 1,100 at a time. Execution may finish
 * the batch it is delivering (a backend's, or the combine's: up to 1,024
 * rows) but then waits for exec_resume; asking again while still full changes
 * nothing. More than 1,024 rows, so a pause is always before the end.
 */
static void check_backpressure(const char *name, const char *sql, const char *direct)
{
    arena a;
    arena_init(&a);
    plan *p = plan_sql(&a, sql);
    rowset want = {0};
    direct_rows(direct, &want);
    assert_true(want.n > 1024);
    recorder r = {.allowed = 10};
    exec *ex = start(p, &r, NULL);
    assert_non_null(ex);
    int pauses = 0;
    for (;;) {
        wait_held_or_answer(&r);
        if (answered(&r))
            break;
        pauses++;
        size_t held_at = r.rows.n;
        assert_true(held_at < want.n);
        assert_int_equal(r.ends + r.errors, 0);
        run_for_ms(20);
        assert_int_equal(r.rows.n, held_at); /* nothing while full */
        exec_resume(ex);                     /* still full: stays held */
        run_for_ms(20);
        assert_int_equal(r.rows.n, held_at);
        r.allowed = held_at + 1100;
        exec_resume(ex);
    }
    if (pauses == 0)
        fail_msg("%s: never paused", name);
    assert_sink_contract(&r);
    assert_int_equal(r.ends, 1);
    assert_true(r.flushes > 0); /* staged rows were pushed out while the next batch ran */
    assert_rows_equal(&r.rows, &want, name);
    wait_all_freed();
    rowset_free(&want);
    recorder_free(&r);
    arena_free(&a);
}

static void test_backpressure_stream(void **state)
{
    (void)state;
    check_backpressure("one source", ITEMS_ONE, ITEMS_ONE_DIRECT);
}

static void test_backpressure_combine(void **state)
{
    (void)state;
    check_backpressure("two sources", ITEMS_TWO, ITEMS_TWO_DIRECT);
}

/* ---- Result limits ----------------------------------------------------------------- */

typedef struct limit_case {
    const char *sql;
    const char *direct; /* NULL: two sources, whose rows are staged before any is sent */
    uint64_t max_rows, max_bytes;
} limit_case;

static const limit_case limit_cases[] = {
    {ITEMS_ONE, ITEMS_ONE_DIRECT, 5, 0},
    {ITEMS_ONE, ITEMS_ONE_DIRECT, 0, 100},
    {ITEMS_ONE, ITEMS_ONE_DIRECT, 2999, 0}, /* one row too many */
    {ITEMS_TWO, NULL, 5, 0},
    {ITEMS_TWO, NULL, 0, 100},
};

/* The rows of want that fit the limits before the first that does not. */
static size_t rows_within(const rowset *want, uint64_t max_rows, uint64_t max_bytes)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < want->n; i++) {
        bytes += want->bytes[i];
        if ((max_rows && i + 1 > max_rows) || (max_bytes && bytes > max_bytes))
            return i;
    }
    return want->n;
}

static void check_limit_case(const limit_case *c)
{
    arena a;
    arena_init(&a);
    plan *p = plan_sql(&a, c->sql);
    recorder r = {0};
    exec_request req = {.max_rows = c->max_rows, .max_bytes = c->max_bytes};
    start(p, &r, &req);
    wait_answer(&r);
    run_for_ms(20);
    assert_sink_contract(&r);
    assert_int_equal(r.ends, 0);
    assert_int_equal(r.errors, 1);
    assert_int_equal(r.error.code, ER_TOO_BIG_SELECT);
    assert_string_equal(r.error.sqlstate, "42000");
    char msg[256];
    snprintf(msg, sizeof(msg),
             "result too large: more than %llu %s; narrow the query or add a LIMIT",
             (unsigned long long)(c->max_rows ? c->max_rows : c->max_bytes),
             c->max_rows ? "rows (max_result_rows)" : "bytes (max_result_bytes)");
    assert_string_equal(r.error.message, msg);
    if (c->direct) { /* streamed: every row within the limits went out, in order */
        rowset want = {0};
        direct_rows(c->direct, &want);
        size_t fit = rows_within(&want, c->max_rows, c->max_bytes);
        assert_true(fit < want.n);
        rowset prefix = want;
        prefix.n = fit;
        assert_rows_equal(&r.rows, &prefix, c->sql);
        rowset_free(&want);
    } else { /* combined: the partial results ran over before the final query */
        assert_int_equal(r.headers, 0);
        assert_int_equal(r.rows.n, 0);
    }
    wait_all_freed();
    recorder_free(&r);
    arena_free(&a);
}

static void test_result_limits(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(limit_cases) / sizeof(limit_cases[0]); i++)
        check_limit_case(&limit_cases[i]);
}

/* ---- Stopping: cancel, detach, time limit ------------------------------------------ */

#define SLOW_ONE "SELECT AGG(slow_count) FROM mimir.metrics"
#define SLOW_TWO "SELECT AGG(revenue), AGG(slow_count) FROM mimir.metrics"

/* When the test stops the execution. */
typedef enum {
    AT_START,   /* right after exec_start: the connections are not delivered yet */
    WHILE_SLOW, /* the backend is stepping the slow query on a worker */
    WHILE_HELD, /* the caller's output is full: the backend (or the combine) waits */
} moment;

typedef struct stop_case {
    const char *name;
    const char *sql;
    moment when;
} stop_case;

static const stop_case stop_cases[] = {
    {"one source, before its connection", ITEMS_ONE, AT_START},
    {"two sources, before their connections", ITEMS_TWO, AT_START},
    {"one source, query running", SLOW_ONE, WHILE_SLOW},
    {"two sources, queries running", SLOW_TWO, WHILE_SLOW},
    {"one source, stream held by a full caller", ITEMS_ONE, WHILE_HELD},
    {"two sources, combine held by a full caller", ITEMS_TWO, WHILE_HELD},
};

/* Busy connections of all pools: a query was handed to a backend. */
static int busy_connections(void)
{
    int total = 0;
    for (size_t i = 0; i < npools; i++) {
        int idle, busy, waiting;
        pool_counts(pools[i], &idle, &busy, &waiting);
        total += busy;
    }
    return total;
}

/* Starts c and runs the loop until its moment; r->allowed is set for WHILE_HELD. */
static exec *start_until(const stop_case *c, const plan *p, recorder *r, const exec_request *req)
{
    if (c->when == WHILE_HELD)
        r->allowed = 10;
    exec *ex = start(p, r, req);
    assert_non_null(ex);
    if (c->when == WHILE_SLOW) {
        uint64_t until = now_ms() + 3000;
        while (busy_connections() < (int)p->nqueries && now_ms() < until)
            loop_turn();
        /*
         * Give the worker time to be inside sqlite3_step: the SQLite connector
         * cancels a step with sqlite3_interrupt, which is lost when it comes
         * before the step begins (the whole 8e9-row count would then run).
         */
        run_for_ms(50);
    } else if (c->when == WHILE_HELD) {
        wait_held_or_answer(r);
    }
    assert_false(answered(r));
    return ex;
}

static void check_cancel(const stop_case *c)
{
    arena a;
    arena_init(&a);
    plan *p = plan_sql(&a, c->sql);
    recorder r = {0};
    exec *ex = start_until(c, p, &r, NULL);
    size_t rows_before = r.rows.n;
    exec_cancel(ex, ER_QUERY_INTERRUPTED, "70100", "Query execution was interrupted");
    /* The answer is given at once; the plan is no longer execution's to read. */
    assert_int_equal(r.errors, 1);
    arena_free(&a);
    assert_int_equal(r.error.code, ER_QUERY_INTERRUPTED);
    assert_string_equal(r.error.sqlstate, "70100");
    assert_string_equal(r.error.message, "Query execution was interrupted");
    wait_all_freed();
    assert_sink_contract(&r);
    assert_int_equal(r.ends, 0);
    assert_int_equal(r.rows.n, rows_before);
    recorder_free(&r);
}

static void test_cancel(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(stop_cases) / sizeof(stop_cases[0]); i++)
        check_cancel(&stop_cases[i]);
}

static void check_detach(const stop_case *c)
{
    arena a;
    arena_init(&a);
    plan *p = plan_sql(&a, c->sql);
    recorder r = {0};
    exec *ex = start_until(c, p, &r, NULL);
    r.detached = true;
    unanswered = NULL;
    exec_detach(ex);
    arena_free(&a); /* the caller is gone, and its plan with it */
    wait_all_freed();
    assert_int_equal(r.calls_after_detach, 0);
    assert_int_equal(r.ends + r.errors, 0);
    recorder_free(&r);
}

static void test_detach(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(stop_cases) / sizeof(stop_cases[0]); i++)
        check_detach(&stop_cases[i]);
}

/*
 * A query that cannot finish in time (on one source, on two), and results whose
 * caller stopped reading after 10 rows (a held stream, a held combine): each is
 * answered 3024 at the time limit, and stopped.
 */
typedef struct timeout_case {
    const char *name;
    const char *sql;
    size_t allowed; /* the caller's allowance; 0: it reads everything */
} timeout_case;

static const timeout_case timeout_cases[] = {
    {"one source, slow", SLOW_ONE, 0},
    {"two sources, one slow", SLOW_TWO, 0},
    {"one source, stream held", ITEMS_ONE, 10},
    {"two sources, combine held", ITEMS_TWO, 10},
};

/* Runs c with a time limit of limit_ms; false when the caller's allowance was not
 * reached before the limit (a held case on a machine too busy to fill it in time). */
static bool check_timeout(const timeout_case *c, uint64_t limit_ms)
{
    arena a;
    arena_init(&a);
    plan *p = plan_sql(&a, c->sql);
    recorder r = {.allowed = c->allowed};
    exec_request req = {.timeout_ms = limit_ms};
    uint64_t started = now_ms();
    assert_non_null(start(p, &r, &req));
    wait_answer(&r);
    uint64_t took = now_ms() - started;
    /* libevent's clock is coarse (CLOCK_MONOTONIC_COARSE): a few ms early is on time. */
    if (took + 10 < limit_ms || took > limit_ms + 2000)
        fail_msg("%s: answered after %llu ms, limit %llu", c->name, (unsigned long long)took,
                 (unsigned long long)limit_ms);
    assert_int_equal(r.ends, 0);
    assert_int_equal(r.error.code, ER_QUERY_TIMEOUT);
    assert_string_equal(r.error.sqlstate, "HY000");
    assert_string_equal(r.error.message, "Query execution was interrupted, maximum "
                                         "statement execution time exceeded");
    assert_true(r.rows.n <= 1024); /* the first batch at most: held, or never sent */
    bool held = r.rows.n >= c->allowed;
    arena_free(&a);
    wait_all_freed();
    assert_sink_contract(&r);
    recorder_free(&r);
    return held;
}

static void test_timeout(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(timeout_cases) / sizeof(timeout_cases[0]); i++) {
        uint64_t limit = 100;
        while (!check_timeout(&timeout_cases[i], limit)) {
            if ((limit *= 4) > 1600)
                fail_msg("%s: never held before the time limit", timeout_cases[i].name);
        }
    }
}

/* ---- Backend errors ---------------------------------------------------------------- */

typedef struct backend_error_case {
    const char *sql;
    size_t failing; /* the atomic query that fails */
    const char *label;
    bool connect; /* the connection cannot be opened (else: the query fails on SQLite) */
} backend_error_case;

static const backend_error_case backend_error_cases[] = {
    {"SELECT AGG(ghost_count) FROM mimir.metrics", 0, "backend 'shop_a' (source 'ghost')", false},
    {"SELECT AGG(lost_count) FROM mimir.metrics", 0, "backend 'gone' (source 'lost')", true},
    {"SELECT AGG(visits_count), AGG(ghost_count) FROM mimir.metrics", 1,
     "backend 'shop_a' (source 'ghost')", false},
    {"SELECT AGG(lost_count), AGG(revenue) FROM mimir.metrics", 0, "backend 'gone' (source 'lost')",
     true},
};

/* The message names the backend and the source, then says what the database said. */
static void check_backend_error(const backend_error_case *c)
{
    arena a;
    arena_init(&a);
    plan *p = plan_sql(&a, c->sql);
    assert_true(c->failing < p->nqueries);
    char why[512] = "", want[1024];
    if (c->connect) {
        snprintf(why, sizeof(why), "could not open SQLite database '%s' for 'gone'", path_gone);
    } else {
        assert_int_equal(atomic_rows(&p->queries[c->failing], why, sizeof(why)), -1);
        assert_non_null(strstr(why, "no such table"));
    }
    snprintf(want, sizeof(want), "%s: %s", c->label, why);
    recorder r = {0};
    start(p, &r, NULL);
    wait_answer(&r);
    run_for_ms(20);
    assert_sink_contract(&r);
    assert_int_equal(r.ends, 0);
    assert_int_equal(r.error.code, ER_UNKNOWN_ERROR);
    assert_string_equal(r.error.sqlstate, "HY000");
    if (strncmp(r.error.message, want, strlen(want)) != 0)
        fail_msg("%s: error \"%s\", want it to begin \"%s\"", c->sql, r.error.message, want);
    wait_all_freed();
    recorder_free(&r);
    arena_free(&a);
}

static void test_backend_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(backend_error_cases) / sizeof(backend_error_cases[0]); i++)
        check_backend_error(&backend_error_cases[i]);
}

/* ---- The query record -------------------------------------------------------------- */

/* Per source: the rows its atomic query returns (run here on SQLite), and a time;
 * combine_ms only when there was a combine; the source counters grow by those rows. */
static void check_record(const char *sql, bool combined)
{
    arena a;
    arena_init(&a);
    plan *p = plan_sql(&a, sql);
    query_log q = {0};
    query_log_begin(&q, sql, strlen(sql), 0);
    query_log_plan(&q, p);
    uint64_t rows_before[4];
    for (size_t i = 0; i < p->nqueries; i++)
        rows_before[i] = stats_source(&stats, p->queries[i].src->name)->rows;
    recorder r = {0};
    exec_request req = {.record = &q};
    start(p, &r, &req);
    wait_answer(&r);
    assert_int_equal(r.ends, 1);
    assert_int_equal(q.nsources, p->nqueries);
    for (size_t i = 0; i < p->nqueries; i++) {
        char err[256];
        long long want = atomic_rows(&p->queries[i], err, sizeof(err));
        assert_true(want > 0);
        assert_int_equal(q.sources[i].rows, want);
        assert_true(q.sources[i].backend_ms >= 0);
        assert_int_equal(stats_source(&stats, p->queries[i].src->name)->rows - rows_before[i],
                         want);
    }
    if (combined)
        assert_true(q.combine_ms >= 0);
    else
        assert_true(q.combine_ms < 0);
    assert_string_equal(q.cache, "off");
    wait_all_freed();
    query_log_free(&q);
    recorder_free(&r);
    arena_free(&a);
}

static void test_query_record(void **state)
{
    (void)state;
    check_record(ITEMS_ONE, false);
    check_record(ITEMS_TWO, true);
    check_record("SELECT region, AGG(revenue), AGG(visits_count) FROM mimir.metrics"
                 " GROUP BY region",
                 true);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_results_equal_sqlite, test_teardown),
        cmocka_unit_test_teardown(test_combine_keeps_values_of_one_source, test_teardown),
        cmocka_unit_test_teardown(test_combine_scans_the_last_source, test_teardown),
        cmocka_unit_test_teardown(test_backpressure_stream, test_teardown),
        cmocka_unit_test_teardown(test_backpressure_combine, test_teardown),
        cmocka_unit_test_teardown(test_result_limits, test_teardown),
        cmocka_unit_test_teardown(test_cancel, test_teardown),
        cmocka_unit_test_teardown(test_detach, test_teardown),
        cmocka_unit_test_teardown(test_timeout, test_teardown),
        cmocka_unit_test_teardown(test_backend_errors, test_teardown),
        cmocka_unit_test_teardown(test_query_record, test_teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
