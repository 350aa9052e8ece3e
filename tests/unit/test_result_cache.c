/*
 * The result cache: proxy/cache/result_cache.c (LRU by bytes, TTL with an injected
 * clock, oversized results refused, clears), proxy/cache/cache_key.c (what
 * separates two plans), planner/cache_hints.c (SQL_NO_CACHE, functions that
 * make an answer change by itself), proxy/config/cache_config.c (the `cache:`
 * section) and semantic/loader.c's cache_ttl.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "planner/cache_hints.h"
#include "planner/parser.h"
#include "proxy/cache/cache_key.h"
#include "proxy/cache/result_cache.h"
#include "proxy/config/server_config.h"
#include "semantic/catalog.h"
#include "tests/unit/unit_support.h"

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
    return fake_now;
}

static cache_key key_of(int n)
{
    cache_key k;
    memset(&k, 0, sizeof(k));
    k.digest[0] = (uint8_t)n;
    k.digest[31] = (uint8_t)(n >> 8);
    return k;
}

static const result_column one_col[] = {{.name = "x", .type = VT_TEXT, .decimals = -1}};

/* Stores a result of nrows rows of one value of width bytes (NULL every 3rd row). */
static void store(result_cache *c, int n, size_t nrows, size_t width, uint64_t ttl_ms)
{
    cache_key k = key_of(n);
    cache_fill *f = cache_fill_begin(c, &k, ttl_ms);
    cache_fill_columns(f, one_col, 1);
    char *value = malloc(width + 1);
    memset(value, 'a' + n % 26, width);
    value[width] = '\0';
    for (size_t r = 0; r < nrows; r++) {
        const char *v[1] = {r % 3 == 2 ? NULL : value};
        size_t len[1] = {width};
        if (!cache_fill_row(f, v, len))
            break;
    }
    free(value);
    cache_fill_commit(f);
}

static bool present(result_cache *c, int n)
{
    cache_key k = key_of(n);
    cache_entry *e = result_cache_lookup(c, &k);
    cache_entry_release(e);
    return e != NULL;
}

static void test_rows_round_trip(void **state)
{
    (void)state;
    result_cache *c = result_cache_new(1 << 20, 1 << 20, fake_clock);
    cache_key k = key_of(1);
    assert_null(result_cache_lookup(c, &k));
    cache_fill *f = cache_fill_begin(c, &k, 1000);
    result_column cols[2] = {{.name = "a", .type = VT_INT64, .decimals = -1},
                             {.name = "b", .type = VT_DECIMAL, .decimals = 2}};
    cache_fill_columns(f, cols, 2);
    const char *r1[2] = {"42", "1.50"};
    size_t l1[2] = {2, 4};
    const char *r2[2] = {NULL, ""};
    size_t l2[2] = {0, 0};
    assert_true(cache_fill_row(f, r1, l1));
    assert_true(cache_fill_row(f, r2, l2));
    cache_fill_commit(f);

    cache_entry *e = result_cache_lookup(c, &k);
    assert_non_null(e);
    assert_int_equal(cache_entry_ncols(e), 2);
    assert_int_equal(cache_entry_nrows(e), 2);
    assert_null(cache_entry_cols(e)[0].name); /* the plan names columns, not the entry */
    assert_int_equal(cache_entry_cols(e)[1].type, VT_DECIMAL);
    assert_int_equal(cache_entry_cols(e)[1].decimals, 2);
    const char *v[2];
    size_t len[2];
    size_t off = cache_entry_row(e, 0, v, len);
    assert_string_equal(v[0], "42");
    assert_int_equal(len[1], 4);
    assert_string_equal(v[1], "1.50");
    off = cache_entry_row(e, off, v, len);
    assert_null(v[0]);
    assert_non_null(v[1]); /* an empty string is not NULL */
    assert_int_equal(len[1], 0);
    assert_int_equal(off, cache_entry_end(e));
    cache_entry_release(e);

    uint64_t hits, misses, bytes, entries;
    cache_stats(c, &hits, &misses, &bytes, &entries);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 1);
    assert_int_equal(entries, 1);
    assert_true(bytes > 6 && bytes < 1024);
    result_cache_free(c);
}

static void test_lru_by_bytes(void **state)
{
    (void)state;
    /* Each entry is a bit over 10 KiB (7 values of 1500 bytes, 3 NULLs): four fit in 48 KiB,
     * five do not. */
    result_cache *c = result_cache_new(48 << 10, 16 << 10, fake_clock);
    for (int n = 1; n <= 4; n++)
        store(c, n, 10, 1500, 60000);
    result_cache_stats s;
    result_cache_get_stats(c, &s);
    assert_int_equal(s.entries, 4);
    assert_true(s.bytes <= 48 << 10);
    assert_true(present(c, 1)); /* 1 is now the most recently used; 2 the least */
    store(c, 5, 10, 1500, 60000);
    assert_false(present(c, 2));
    assert_true(present(c, 1));
    assert_true(present(c, 3));
    assert_true(present(c, 5));
    result_cache_get_stats(c, &s);
    assert_int_equal(s.evictions, 1);
    assert_true(s.bytes <= 48 << 10);

    /* Many more: the total never passes the bound. */
    for (int n = 10; n < 300; n++) {
        store(c, n, 1 + n % 7, 500 + (size_t)n * 7, 60000);
        result_cache_get_stats(c, &s);
        assert_true(s.bytes <= 48 << 10);
    }
    /* Shrinking the bound evicts at once. */
    result_cache_set_limits(c, 12 << 10, 12 << 10);
    result_cache_get_stats(c, &s);
    assert_true(s.bytes <= 12 << 10);
    assert_true(s.entries >= 1);
    result_cache_free(c);
}

static void test_ttl_expiry(void **state)
{
    (void)state;
    fake_now = 1000;
    result_cache *c = result_cache_new(1 << 20, 1 << 20, fake_clock);
    store(c, 1, 3, 10, 5000);
    store(c, 2, 3, 10, 60000);
    fake_now = 5999;
    assert_true(present(c, 1));
    fake_now = 6000; /* stored at 1000 with 5 s */
    assert_false(present(c, 1));
    assert_true(present(c, 2));
    result_cache_stats s;
    result_cache_get_stats(c, &s);
    assert_int_equal(s.expired, 1);
    assert_int_equal(s.entries, 1);
    /* The janitor's sweep drops what nobody asked for again. */
    fake_now = 61000;
    result_cache_expire(c);
    result_cache_get_stats(c, &s);
    assert_int_equal(s.entries, 0);
    assert_int_equal(s.bytes, 0);
    result_cache_free(c);
}

static void test_oversized_results_refused(void **state)
{
    (void)state;
    result_cache *c = result_cache_new(1 << 20, 4 << 10, fake_clock);
    cache_key k = key_of(7);
    cache_fill *f = cache_fill_begin(c, &k, 60000);
    cache_fill_columns(f, one_col, 1);
    char value[1000];
    memset(value, 'x', sizeof value);
    const char *v[1] = {value};
    size_t len[1] = {sizeof value};
    size_t accepted = 0;
    while (cache_fill_row(f, v, len))
        accepted++;
    assert_true(accepted >= 2 && accepted < 5);
    assert_true(cache_fill_abandoned(f));
    result_cache_stats s;
    result_cache_get_stats(c, &s);
    assert_int_equal(s.fill_bytes, 0); /* abandoned: its memory is gone at once */
    assert_false(cache_fill_row(f, v, len));
    cache_fill_commit(f);
    assert_false(present(c, 7));
    result_cache_get_stats(c, &s);
    assert_int_equal(s.refused, 1);

    /* A bound larger than the cache is capped at the cache. */
    result_cache_set_limits(c, 2 << 10, 1 << 20);
    store(c, 8, 4, 1000, 60000);
    assert_false(present(c, 8));
    result_cache_free(c);
}

static void test_open_fills_are_bounded_too(void **state)
{
    (void)state;
    result_cache *c = result_cache_new(8 << 10, 6 << 10, fake_clock);
    cache_key k1 = key_of(1), k2 = key_of(2);
    cache_fill *a = cache_fill_begin(c, &k1, 60000);
    cache_fill *b = cache_fill_begin(c, &k2, 60000);
    cache_fill_columns(a, one_col, 1);
    cache_fill_columns(b, one_col, 1);
    char value[1000];
    memset(value, 'y', sizeof value);
    const char *v[1] = {value};
    size_t len[1] = {sizeof value};
    /* Together the two would hold more than max_bytes: one of them gives up. */
    bool ok_a = true, ok_b = true;
    for (int i = 0; i < 5; i++) {
        ok_a = ok_a && cache_fill_row(a, v, len);
        ok_b = ok_b && cache_fill_row(b, v, len);
    }
    assert_false(ok_a && ok_b);
    result_cache_stats s;
    result_cache_get_stats(c, &s);
    assert_true(s.fill_bytes <= 8 << 10);
    cache_fill_abort(a);
    cache_fill_abort(b);
    result_cache_get_stats(c, &s);
    assert_int_equal(s.fill_bytes, 0);
    result_cache_free(c);
}

static void test_clear_drops_entries_and_open_fills(void **state)
{
    (void)state;
    result_cache *c = result_cache_new(1 << 20, 1 << 20, fake_clock);
    store(c, 1, 2, 10, 60000);
    cache_key k = key_of(2);
    cache_fill *f = cache_fill_begin(c, &k, 60000);
    cache_fill_columns(f, one_col, 1);
    /* Held by a client being served: stays readable after the clear. */
    cache_key k1 = key_of(1);
    cache_entry *held = result_cache_lookup(c, &k1);
    assert_non_null(held);
    result_cache_clear(c);
    assert_false(present(c, 1));
    assert_int_equal(cache_entry_nrows(held), 2);
    cache_entry_release(held);
    /* A result that began before the reload is not stored after it. */
    cache_fill_commit(f);
    assert_false(present(c, 2));
    /* A fill still open when the cache goes is freed by its owner. */
    f = cache_fill_begin(c, &k, 60000);
    result_cache_free(c);
    assert_true(cache_fill_abandoned(f));
    cache_fill_abort(f);
}

/* ---- Keys ------------------------------------------------------------------ */

typedef struct plan_fixture {
    connection conn;
    source src;
    query_param params[2];
    const char *col_names[2];
    atomic_query q;
    plan_column cols[2];
    plan p;
} plan_fixture;

static void make_plan(plan_fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->conn.name = "pagila_postgres";
    f->src.name = "rentals";
    f->params[0] = (query_param){.kind = PARAM_TEXT, .text = "Action"};
    f->params[1] = (query_param){.kind = PARAM_INT, .text = "5"};
    f->col_names[0] = "dim_rental_category";
    f->col_names[1] = "movies_rented";
    f->q = (atomic_query){.src = &f->src,
                          .conn = &f->conn,
                          .dialect = DIALECT_POSTGRES,
                          .sql = "SELECT c, COUNT(x) FROM t WHERE c = $1 LIMIT $2",
                          .params = f->params,
                          .nparams = 2,
                          .ncols = 2,
                          .col_names = f->col_names};
    f->cols[0] = (plan_column){.name = "dim_rental_category", .org_name = "dim_rental_category"};
    f->cols[1] = (plan_column){.name = "AGG(movies_rented)",
                               .org_name = "movies_rented",
                               .is_metric = true,
                               .query_col = 1};
    f->p = (plan){.queries = &f->q, .nqueries = 1, .cols = f->cols, .ncols = 2};
}

static cache_key key_of_fixture(const plan_fixture *f, const char *grants)
{
    cache_key k;
    cache_key_of_plan(&f->p, grants, &k);
    return k;
}

static bool same_key(cache_key a, cache_key b)
{
    return memcmp(a.digest, b.digest, CACHE_KEY_LEN) == 0;
}

static void test_key_separates_what_changes_the_answer(void **state)
{
    (void)state;
    plan_fixture f, g;
    make_plan(&f);
    cache_key base = key_of_fixture(&f, "");

    /* Equal plans built apart (other pointers, same text) share the key. */
    make_plan(&g);
    char sql_copy[128];
    snprintf(sql_copy, sizeof sql_copy, "%s", f.q.sql);
    g.q.sql = sql_copy;
    assert_true(same_key(base, key_of_fixture(&g, "")));
    assert_true(same_key(base, key_of_fixture(&g, NULL))); /* no grants is "" */

    make_plan(&g);
    g.params[0].text = "Comedy";
    assert_false(same_key(base, key_of_fixture(&g, "")));
    make_plan(&g);
    g.params[1].kind = PARAM_TEXT; /* '5' is not 5 */
    assert_false(same_key(base, key_of_fixture(&g, "")));
    make_plan(&g);
    g.q.sql = "SELECT c, COUNT(x) FROM t WHERE c <> $1 LIMIT $2";
    assert_false(same_key(base, key_of_fixture(&g, "")));
    make_plan(&g);
    g.cols[1].name = "rented"; /* an alias changes the column's name */
    assert_false(same_key(base, key_of_fixture(&g, "")));
    make_plan(&g);
    g.conn.name = "other";
    assert_false(same_key(base, key_of_fixture(&g, "")));
    make_plan(&g);
    g.q.dialect = DIALECT_MYSQL;
    assert_false(same_key(base, key_of_fixture(&g, "")));
    make_plan(&g);
    g.p.final_sql = "SELECT * FROM s0";
    assert_false(same_key(base, key_of_fixture(&g, "")));
    assert_false(same_key(base, key_of_fixture(&f, "role:analyst")));

    /* Lengths are part of the bytes: moving text between fields is another key. */
    make_plan(&g);
    g.params[0].text = "Actio";
    g.params[1].text = "n5";
    assert_false(same_key(base, key_of_fixture(&g, "")));
}

/* ---- Hints ----------------------------------------------------------------- */

static cache_hints hints_of(const char *sql)
{
    arena a;
    arena_init(&a);
    statement st;
    parse_error pe;
    assert_true(parse_statement(&a, sql, strlen(sql), &st, &pe));
    assert_int_equal(st.kind, STMT_SELECT);
    cache_hints h;
    select_cache_hints(st.select, &h);
    arena_free(&a);
    return h;
}

static void test_hints(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        bool no_cache, nondeterministic;
    } cases[] = {
        {"SELECT AGG(m) FROM mimir.metrics", false, false},
        {"SELECT SQL_NO_CACHE AGG(m) FROM mimir.metrics", true, false},
        {"select sql_no_cache distinct d from mimir.metrics", true, false},
        {"SELECT SQL_CACHE AGG(m) FROM mimir.metrics", false, false},
        {"SELECT d FROM (SELECT SQL_NO_CACHE d FROM mimir.metrics GROUP BY d) t", true, false},
        {"SELECT AGG(m) FROM mimir.metrics WHERE ds >= CURRENT_DATE - INTERVAL 7 DAY", false, true},
        {"SELECT AGG(m) FROM mimir.metrics WHERE ts < NOW()", false, true},
        {"SELECT AGG(m) FROM mimir.metrics HAVING AGG(m) > RAND()", false, true},
        {"SELECT d FROM mimir.metrics GROUP BY d ORDER BY utc_timestamp()", false, true},
        {"SELECT AGG(m) FROM mimir.metrics WHERE d = @who", false, true},
        {"SELECT AGG(m) FROM mimir.metrics WHERE DATE(ts) = '2022-05-01'", false, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cache_hints h = hints_of(cases[i].sql);
        if (h.no_cache != cases[i].no_cache || h.nondeterministic != cases[i].nondeterministic)
            fail_msg("%s: no_cache %d nondeterministic %d", cases[i].sql, h.no_cache,
                     h.nondeterministic);
    }
}

/* ---- Configuration ------------------------------------------------------------ */

static char dir[4096];

static int make_dir(void **state)
{
    (void)state;
    unit_tmpdir_make(dir, sizeof dir, "mimir-cache");
    return 0;
}

static int remove_dir(void **state)
{
    (void)state;
    unit_tmpdir_remove(dir);
    return 0;
}

static const char *write_text(const char *rel, const char *text)
{
    static char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdir(path, 0700);
    *slash = '/';
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        fail_msg("cannot write %s", path);
    return path;
}

static void test_cache_section(void **state)
{
    (void)state;
    server_file sf;
    char err[1024];
    const char *path = write_text("server.yaml", "cache:\n  max_bytes: 64MiB\n"
                                                 "  max_entry_bytes: 512 KiB\n");
    assert_true(server_file_load(path, &sf, err, sizeof err));
    assert_int_equal(sf.cache.max_bytes, 64ll << 20);
    assert_int_equal(sf.cache.max_entry_bytes, 512ll << 10);
    server_file_free(&sf);

    path = write_text("server.yaml", "limits:\n  max_result_rows: 5\n");
    assert_true(server_file_load(path, &sf, err, sizeof err));
    assert_int_equal(sf.cache.max_bytes, -1); /* not set: the default applies */
    server_file_free(&sf);

    path = write_text("server.yaml", "cache:\n  max_bytes: 0\n");
    assert_true(server_file_load(path, &sf, err, sizeof err));
    assert_int_equal(sf.cache.max_bytes, 0);
    server_file_free(&sf);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"cache:\n  max_bytes: lots\n", "server.yaml:2: 'max_bytes' must be a size"},
        {"cache:\n  max_bytes: -1\n", "server.yaml:2: 'max_bytes' must be a size"},
        {"cache:\n  max_bytes: 64MB\n", "server.yaml:2: 'max_bytes' must be a size"},
        {"cache:\n\n  max_entry: 1\n", "server.yaml:3: unknown key 'max_entry' in 'cache'"},
        {"cache: 5\n", "server.yaml:1: 'cache' must be a mapping"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        path = write_text("server.yaml", bad[i].text);
        assert_false(server_file_load(path, &sf, err, sizeof err));
        if (!strstr(err, bad[i].want))
            fail_msg("%s: got '%s'", bad[i].text, err);
    }
}

static const char *source_with_ttl(const char *ttl_line)
{
    static char text[1024];
    snprintf(text, sizeof text,
             "rentals:\n  name: rentals\n  connection_name: db\n  time_col: ts\n"
             "%s  sql: SELECT id, ts FROM t\n",
             ttl_line);
    return text;
}

static void test_cache_ttl_of_sources(void **state)
{
    (void)state;
    char err[2048];
    write_text("metrics/m.yaml", "name: n\nsource_name: rentals\nsql: COUNT(id)\n");
    write_text("sources/s.yaml", source_with_ttl("  cache_ttl: 300\n"));
    catalog *c = catalog_load(dir, NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(c->sources[0].cache_ttl_s, 300);
    catalog_free(c);

    write_text("sources/s.yaml", source_with_ttl(""));
    c = catalog_load(dir, NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(c->sources[0].cache_ttl_s, 0); /* not cached unless asked */
    catalog_free(c);

    static const char *const bad[] = {"  cache_ttl: -5\n", "  cache_ttl: 5m\n",
                                      "  cache_ttl: 1.5\n", "  cache_ttl: 86401\n",
                                      "  cache_ttl: [1]\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_text("sources/s.yaml", source_with_ttl(bad[i]));
        c = catalog_load(dir, NULL, err, sizeof err);
        assert_null(c);
        if (!strstr(err, "s.yaml:5:") || !strstr(err, "cache_ttl"))
            fail_msg("%s: got '%s'", bad[i], err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_round_trip),
        cmocka_unit_test(test_lru_by_bytes),
        cmocka_unit_test(test_ttl_expiry),
        cmocka_unit_test(test_oversized_results_refused),
        cmocka_unit_test(test_open_fills_are_bounded_too),
        cmocka_unit_test(test_clear_drops_entries_and_open_fills),
        cmocka_unit_test(test_key_separates_what_changes_the_answer),
        cmocka_unit_test(test_hints),
        cmocka_unit_test_setup_teardown(test_cache_section, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_cache_ttl_of_sources, make_dir, remove_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
