/*
 * Time grains: the SQL each dialect computes a grain with (goldens), the
 * SQLite forms evaluated on dates whose answers are known (a Sunday, a leap
 * day, a quarter's last day, ...), and truncate_incomplete_granularity in the
 * plan: the bound is the start of the current period, as a parameter, only on
 * the source query of metrics that ask for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "planner/inquiry.h"
#include "planner/planner.h"
#include "planner/sql_builder.h"
#include "tests/unit/unit_support.h"

static const char *grain_sql(arena *a, sql_dialect d, time_grain g, const char *col)
{
    sql_builder b;
    sb_init(&b, a, d);
    sb_time_grain(&b, g, col);
    query_param *p;
    size_t n;
    const char *out = sb_finish(&b, &p, &n);
    assert_int_equal(n, 0); /* nothing from a client: no parameters */
    return out;
}

typedef struct grain_golden {
    time_grain g;
    const char *postgres, *mysql, *sqlite;
} grain_golden;

static const grain_golden goldens[] = {
    {GRAIN_SECOND, "CAST(date_trunc('second', t) AS TIMESTAMP)",
     "CAST(DATE_FORMAT(t, '%Y-%m-%d %H:%i:%s') AS DATETIME)", "strftime('%Y-%m-%d %H:%M:%S', t)"},
    {GRAIN_MINUTE, "CAST(date_trunc('minute', t) AS TIMESTAMP)",
     "CAST(DATE_FORMAT(t, '%Y-%m-%d %H:%i:00') AS DATETIME)", "strftime('%Y-%m-%d %H:%M:00', t)"},
    {GRAIN_HOUR, "CAST(date_trunc('hour', t) AS TIMESTAMP)",
     "CAST(DATE_FORMAT(t, '%Y-%m-%d %H:00:00') AS DATETIME)", "strftime('%Y-%m-%d %H:00:00', t)"},
    {GRAIN_DATE, "CAST(t AS DATE)", "DATE(t)", "date(t)"},
    {GRAIN_WEEK, "CAST(date_trunc('week', t) AS DATE)",
     "DATE_SUB(DATE(t), INTERVAL WEEKDAY(t) DAY)", "date(t, 'weekday 0', '-6 days')"},
    {GRAIN_MONTH, "CAST(date_trunc('month', t) AS DATE)",
     "CAST(DATE_FORMAT(t, '%Y-%m-01') AS DATE)", "date(t, 'start of month')"},
    {GRAIN_QUARTER, "CAST(date_trunc('quarter', t) AS DATE)",
     "DATE_ADD(MAKEDATE(YEAR(t), 1), INTERVAL QUARTER(t) - 1 QUARTER)",
     "date(t, 'start of month', '-' || ((CAST(strftime('%m', t) AS INTEGER) - 1) % 3) || ' "
     "months')"},
    {GRAIN_YEAR, "CAST(EXTRACT(YEAR FROM t) AS INTEGER)", "YEAR(t)",
     "CAST(strftime('%Y', t) AS INTEGER)"},
};

static void test_grain_sql_per_dialect(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    for (size_t i = 0; i < sizeof goldens / sizeof *goldens; i++) {
        const grain_golden *g = &goldens[i];
        assert_string_equal(grain_sql(&a, DIALECT_POSTGRES, g->g, "t"), g->postgres);
        assert_string_equal(grain_sql(&a, DIALECT_MYSQL, g->g, "t"), g->mysql);
        assert_string_equal(grain_sql(&a, DIALECT_SQLITE, g->g, "t"), g->sqlite);
    }
    arena_free(&a);
}

/* Each grain's name is a column: time_grain_of and time_grain_name agree. */
static void test_grain_names(void **state)
{
    (void)state;
    static const char *const names[] = {"ts",        "ds",      "year_month", "year",   "ts_second",
                                        "ts_minute", "ts_hour", "week",       "quarter"};
    for (int g = 0; g < GRAIN_COUNT; g++) {
        assert_string_equal(time_grain_name((time_grain)g), names[g]);
        time_grain got;
        const char *canon;
        assert_true(time_grain_of(names[g], &got, &canon));
        assert_int_equal(got, g);
    }
    time_grain got;
    const char *canon;
    assert_true(time_grain_of("WEEK", &got, &canon));
    assert_string_equal(canon, "week");
    assert_false(time_grain_of("fortnight", &got, &canon));
}

typedef struct sqlite_case {
    const char *t;
    time_grain g;
    const char *want;
} sqlite_case;

/* Answers by the calendar: 2023-12-31 is a Sunday, 2024-01-01 a Monday, 2024-02-29 a Thursday. */
static const sqlite_case sqlite_cases[] = {
    {"2024-01-01 13:45:59", GRAIN_WEEK, "2024-01-01"},
    {"2023-12-31 23:59:59", GRAIN_WEEK, "2023-12-25"},
    {"2024-02-29 00:00:00", GRAIN_WEEK, "2024-02-26"},
    {"2024-03-09 10:00:00", GRAIN_WEEK, "2024-03-04"}, /* a Saturday */
    {"2024-03-31 23:00:00", GRAIN_QUARTER, "2024-01-01"},
    {"2024-04-01 00:00:00", GRAIN_QUARTER, "2024-04-01"},
    {"2023-12-31 23:59:59", GRAIN_QUARTER, "2023-10-01"},
    {"2024-08-15 12:00:00", GRAIN_QUARTER, "2024-07-01"},
    {"2024-02-29 07:08:09", GRAIN_HOUR, "2024-02-29 07:00:00"},
    {"2024-02-29 07:08:09", GRAIN_MINUTE, "2024-02-29 07:08:00"},
    {"2024-02-29 07:08:09.750", GRAIN_SECOND, "2024-02-29 07:08:09"},
    {"2024-02-29 07:08:09", GRAIN_DATE, "2024-02-29"},
    {"2024-02-29 07:08:09", GRAIN_MONTH, "2024-02-01"},
};

static void test_sqlite_grains_compute(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    arena a;
    arena_init(&a);
    for (size_t i = 0; i < sizeof sqlite_cases / sizeof *sqlite_cases; i++) {
        const sqlite_case *c = &sqlite_cases[i];
        const char *sql = arena_printf(&a, "SELECT %s", grain_sql(&a, DIALECT_SQLITE, c->g, "?1"));
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, c->t, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        const char *got = (const char *)sqlite3_column_text(st, 0);
        if (!got || strcmp(got, c->want) != 0)
            fail_msg("%s of %s: got %s, want %s", time_grain_name(c->g), c->t, got ? got : "NULL",
                     c->want);
        sqlite3_finalize(st);
    }
    arena_free(&a);
    sqlite3_close(db);
}

/* ---- truncate_incomplete_granularity in plans ----------------------------------- */

/* pagila, load_pagila and free_pagila: tests/unit/unit_support.h */

static const plan *plan_of(arena *a, const char *sql)
{
    session_info s = {.cat = pagila, .db = "mimir", .user = "u", .autocommit = true};
    action act;
    planner_plan(a, &s, sql, strlen(sql), &act);
    if (act.kind != ACTION_QUERY)
        fail_msg("%s: %s", sql, act.kind == ACTION_ERROR ? act.error.message : "no plan");
    return act.plan;
}

/* Monday 00:00:00 UTC of the current week, as the planner writes it. */
static const char *this_monday(arena *a)
{
    time_t now = time(NULL);
    struct tm t;
    gmtime_r(&now, &t);
    time_t monday =
        now - (time_t)((t.tm_wday + 6) % 7) * 86400 - t.tm_hour * 3600 - t.tm_min * 60 - t.tm_sec;
    gmtime_r(&monday, &t);
    return arena_printf(a, "%04d-%02d-%02d 00:00:00", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
}

static void test_truncate_bound_on_asking_metric_only(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    /* action_movies_rented asks for it (configs/pagila), movies_rented does not: two
     * queries on rentals, the bound only in the first one's source WHERE. */
    const plan *p = plan_of(&a, "SELECT week, AGG(action_movies_rented), AGG(movies_rented) FROM "
                                "mimir.metrics GROUP BY week");
    assert_int_equal(p->nqueries, 2);
    assert_non_null(p->final_sql);
    const atomic_query *q = &p->queries[0];
    assert_non_null(strstr(q->sql, "date_trunc('week', rental.rental_date)"));
    assert_non_null(strstr(q->sql, "WHERE rental.rental_date < $1"));
    assert_int_equal(q->nparams, 1);
    assert_int_equal(q->params[0].kind, PARAM_TEXT);
    assert_string_equal(q->params[0].text, this_monday(&a));
    assert_int_equal(p->queries[1].nparams, 0);
    assert_null(strstr(p->queries[1].sql, "rental.rental_date <"));
    arena_free(&a);
}

static void test_truncate_needs_a_grain(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    static const char *const no_bound[] = {
        "SELECT dim_rental_category, AGG(action_movies_rented) FROM mimir.metrics GROUP BY 1",
        "SELECT ts, AGG(action_movies_rented) FROM mimir.metrics GROUP BY 1",
    };
    for (size_t i = 0; i < 2; i++) {
        const plan *p = plan_of(&a, no_bound[i]);
        assert_int_equal(p->nqueries, 1);
        assert_int_equal(p->queries[0].nparams, 0);
    }
    /* Grouped by a year and a day, a row is complete once its day is: the later start wins. */
    const plan *p = plan_of(&a, "SELECT year, ds, AGG(action_movies_rented) FROM mimir.metrics "
                                "GROUP BY 1, 2");
    assert_int_equal(p->queries[0].nparams, 1);
    time_t now = time(NULL);
    struct tm t;
    gmtime_r(&now, &t);
    assert_string_equal(
        p->queries[0].params[0].text,
        arena_printf(&a, "%04d-%02d-%02d 00:00:00", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday));
    /* A quarter starts in January, April, July or October. */
    p = plan_of(&a, "SELECT quarter, AGG(action_movies_rented) FROM mimir.metrics GROUP BY 1");
    assert_string_equal(
        p->queries[0].params[0].text,
        arena_printf(&a, "%04d-%02d-01 00:00:00", t.tm_year + 1900, t.tm_mon - t.tm_mon % 3 + 1));
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest sql[] = {
        cmocka_unit_test(test_grain_sql_per_dialect),
        cmocka_unit_test(test_grain_names),
        cmocka_unit_test(test_sqlite_grains_compute),
    };
    const struct CMUnitTest plans[] = {
        cmocka_unit_test(test_truncate_bound_on_asking_metric_only),
        cmocka_unit_test(test_truncate_needs_a_grain),
    };
    int failed = cmocka_run_group_tests_name("time grain SQL", sql, NULL, NULL);
    failed += cmocka_run_group_tests_name("truncate_incomplete_granularity", plans, load_pagila,
                                          free_pagila);
    return failed ? 1 : 0;
}
