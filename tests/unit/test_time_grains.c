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

/* The grain's SQL on calendar cal (NULL: none, Monday weeks). */
static const char *grain_sql_on(arena *a, sql_dialect d, const calendar *cal, time_grain g,
                                const char *col)
{
    sql_builder b;
    sb_init(&b, a, d);
    b.cal = cal;
    sb_time_grain(&b, g, col);
    query_param *p;
    size_t n;
    const char *out = sb_finish(&b, &p, &n);
    assert_int_equal(n, 0); /* nothing from a client: no parameters */
    return out;
}

static const char *grain_sql(arena *a, sql_dialect d, time_grain g, const char *col)
{
    return grain_sql_on(a, d, NULL, g, col);
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
    static const char *const names[] = {"ts",        "ds",          "year_month",    "year",
                                        "ts_second", "ts_minute",   "ts_hour",       "week",
                                        "quarter",   "fiscal_year", "fiscal_quarter"};
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

/* ---- The calendar (calendar.yaml): Sunday weeks, fiscal years and quarters ------------------ */

/* week_start: sunday, fiscal_year_start_month: 2 (quarters from February, May, August,
 * November). */
static const calendar feb_sunday = {
    .present = true, .week_start = WEEK_START_SUNDAY, .fiscal_year_start_month = 2};

static const grain_golden calendar_goldens[] = {
    {GRAIN_WEEK, "(CAST(t AS DATE) - CAST(EXTRACT(DOW FROM t) AS INTEGER))",
     "DATE_SUB(DATE(t), INTERVAL DAYOFWEEK(t) - 1 DAY)",
     "date(t, '+1 day', 'weekday 0', '-7 days')"},
    {GRAIN_FISCAL_YEAR,
     "CAST(date_trunc('month', t) - ((CAST(EXTRACT(MONTH FROM t) AS INTEGER) + 10) % 12) * "
     "INTERVAL '1 month' AS DATE)",
     "DATE_SUB(CAST(DATE_FORMAT(t, '%Y-%m-01') AS DATE), INTERVAL ((MONTH(t) + 10) % 12) MONTH)",
     "date(t, 'start of month', '-' || ((CAST(strftime('%m', t) AS INTEGER) + 10) % 12) || ' "
     "months')"},
    {GRAIN_FISCAL_QUARTER,
     "CAST(date_trunc('month', t) - ((CAST(EXTRACT(MONTH FROM t) AS INTEGER) + 10) % 3) * "
     "INTERVAL '1 month' AS DATE)",
     "DATE_SUB(CAST(DATE_FORMAT(t, '%Y-%m-01') AS DATE), INTERVAL ((MONTH(t) + 10) % 3) MONTH)",
     "date(t, 'start of month', '-' || ((CAST(strftime('%m', t) AS INTEGER) + 10) % 3) || ' "
     "months')"},
    /* The other grains do not depend on the calendar. */
    {GRAIN_QUARTER, "CAST(date_trunc('quarter', t) AS DATE)",
     "DATE_ADD(MAKEDATE(YEAR(t), 1), INTERVAL QUARTER(t) - 1 QUARTER)",
     "date(t, 'start of month', '-' || ((CAST(strftime('%m', t) AS INTEGER) - 1) % 3) || ' "
     "months')"},
};

static void test_calendar_grain_sql(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    for (size_t i = 0; i < sizeof calendar_goldens / sizeof *calendar_goldens; i++) {
        const grain_golden *g = &calendar_goldens[i];
        assert_string_equal(grain_sql_on(&a, DIALECT_POSTGRES, &feb_sunday, g->g, "t"),
                            g->postgres);
        assert_string_equal(grain_sql_on(&a, DIALECT_MYSQL, &feb_sunday, g->g, "t"), g->mysql);
        assert_string_equal(grain_sql_on(&a, DIALECT_SQLITE, &feb_sunday, g->g, "t"), g->sqlite);
    }
    /* A calendar with Monday weeks prints the ISO week. */
    calendar monday = {.present = true, .week_start = WEEK_START_MONDAY};
    assert_string_equal(grain_sql_on(&a, DIALECT_MYSQL, &monday, GRAIN_WEEK, "t"),
                        "DATE_SUB(DATE(t), INTERVAL WEEKDAY(t) DAY)");
    arena_free(&a);
}

typedef struct calendar_case {
    int fiscal_start; /* fiscal_year_start_month */
    const char *t;
    time_grain g;
    const char *want;
} calendar_case;

/* 2023-12-31 and 2024-03-10 are Sundays, 2024-03-09 a Saturday. */
static const calendar_case calendar_cases[] = {
    {2, "2023-12-31 23:59:59", GRAIN_WEEK, "2023-12-31"},
    {2, "2024-01-01 00:00:00", GRAIN_WEEK, "2023-12-31"},
    {2, "2024-03-09 10:00:00", GRAIN_WEEK, "2024-03-03"},
    {2, "2024-03-10 00:00:00", GRAIN_WEEK, "2024-03-10"},
    {2, "2024-01-15 08:00:00", GRAIN_FISCAL_YEAR, "2023-02-01"},
    {2, "2024-02-01 00:00:00", GRAIN_FISCAL_YEAR, "2024-02-01"},
    {2, "2024-12-31 23:59:59", GRAIN_FISCAL_YEAR, "2024-02-01"},
    {2, "2024-01-15 08:00:00", GRAIN_FISCAL_QUARTER, "2023-11-01"},
    {2, "2024-02-29 12:00:00", GRAIN_FISCAL_QUARTER, "2024-02-01"},
    {2, "2024-05-01 00:00:00", GRAIN_FISCAL_QUARTER, "2024-05-01"},
    {2, "2024-10-31 23:00:00", GRAIN_FISCAL_QUARTER, "2024-08-01"},
    {1, "2024-08-15 12:00:00", GRAIN_FISCAL_YEAR, "2024-01-01"},
    {1, "2024-08-15 12:00:00", GRAIN_FISCAL_QUARTER, "2024-07-01"},
    {12, "2024-11-30 12:00:00", GRAIN_FISCAL_YEAR, "2023-12-01"},
    {12, "2024-12-01 00:00:00", GRAIN_FISCAL_YEAR, "2024-12-01"},
    {12, "2024-02-29 00:00:00", GRAIN_FISCAL_QUARTER, "2023-12-01"},
    {10, "2024-09-30 00:00:00", GRAIN_FISCAL_YEAR, "2023-10-01"},
    {10, "2024-09-30 00:00:00", GRAIN_FISCAL_QUARTER, "2024-07-01"},
};

static void test_sqlite_calendar_grains_compute(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    arena a;
    arena_init(&a);
    for (size_t i = 0; i < sizeof calendar_cases / sizeof *calendar_cases; i++) {
        const calendar_case *c = &calendar_cases[i];
        calendar cal = {.present = true,
                        .week_start = WEEK_START_SUNDAY,
                        .fiscal_year_start_month = c->fiscal_start};
        const char *sql =
            arena_printf(&a, "SELECT %s", grain_sql_on(&a, DIALECT_SQLITE, &cal, c->g, "?1"));
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, c->t, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        const char *got = (const char *)sqlite3_column_text(st, 0);
        if (!got || strcmp(got, c->want) != 0)
            fail_msg("%s of %s (start %d): got %s, want %s", time_grain_name(c->g), c->t,
                     c->fiscal_start, got ? got : "NULL", c->want);
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

/* The pagila catalog with a calendar, for one test: restored by the caller. */
static calendar with_calendar(week_start_day week, int fiscal_start)
{
    calendar saved = pagila->cal;
    pagila->cal.present = true;
    pagila->cal.week_start = week;
    pagila->cal.fiscal_year_start_month = fiscal_start;
    return saved;
}

/* Without fiscal_year_start_month, the fiscal grains are unknown columns (1054). */
static void test_fiscal_grains_need_the_calendar(void **state)
{
    (void)state;
    static const char *const queries[] = {
        "SELECT fiscal_year, AGG(movies_rented) FROM mimir.metrics GROUP BY 1",
        "SELECT AGG(movies_rented) FROM mimir.metrics WHERE fiscal_quarter = '2024-02-01'",
    };
    for (size_t i = 0; i < 2; i++) {
        arena a;
        arena_init(&a);
        session_info s = {.cat = pagila, .db = "mimir", .user = "u", .autocommit = true};
        action act;
        planner_plan(&a, &s, queries[i], strlen(queries[i]), &act);
        assert_int_equal(act.kind, ACTION_ERROR);
        assert_int_equal(act.error.code, 1054);
        assert_non_null(strstr(act.error.message, "Unknown column 'fiscal_"));
        arena_free(&a);
    }
    /* With it they plan, on the calendar's months. */
    calendar saved = with_calendar(WEEK_START_MONDAY, 4);
    arena a;
    arena_init(&a);
    const plan *p = plan_of(&a, "SELECT fiscal_quarter, fiscal_year, AGG(movies_rented) FROM "
                                "mimir.metrics GROUP BY 1, 2");
    assert_non_null(strstr(p->queries[0].sql, "(CAST(EXTRACT(MONTH FROM rental.rental_date) AS "
                                              "INTEGER) + 8) % 3)"));
    assert_non_null(strstr(p->queries[0].sql, "(CAST(EXTRACT(MONTH FROM rental.rental_date) AS "
                                              "INTEGER) + 8) % 12)"));
    arena_free(&a);
    pagila->cal = saved;
}

/* truncate_incomplete_granularity: the current period starts on the calendar's terms. */
static void test_truncate_bound_on_the_calendar(void **state)
{
    (void)state;
    calendar saved = with_calendar(WEEK_START_SUNDAY, 2);
    arena a;
    arena_init(&a);
    time_t now = time(NULL);
    struct tm t;
    gmtime_r(&now, &t);
    time_t sunday = now - (time_t)t.tm_wday * 86400 - t.tm_hour * 3600 - t.tm_min * 60 - t.tm_sec;
    struct tm w;
    gmtime_r(&sunday, &w);
    const plan *p = plan_of(&a, "SELECT week, AGG(action_movies_rented) FROM mimir.metrics "
                                "GROUP BY 1");
    assert_string_equal(
        p->queries[0].params[0].text,
        arena_printf(&a, "%04d-%02d-%02d 00:00:00", w.tm_year + 1900, w.tm_mon + 1, w.tm_mday));
    /* The fiscal year from February: months back to the last February. */
    int year = t.tm_year + 1900 - (t.tm_mon < 1);
    p = plan_of(&a, "SELECT fiscal_year, AGG(action_movies_rented) FROM mimir.metrics GROUP BY 1");
    assert_string_equal(p->queries[0].params[0].text,
                        arena_printf(&a, "%04d-02-01 00:00:00", year));
    /* Its quarters from February, May, August, November. */
    int qm = t.tm_mon - (t.tm_mon + 12 - 1) % 3; /* 0-based, may be -1: November before */
    p = plan_of(&a,
                "SELECT fiscal_quarter, AGG(action_movies_rented) FROM mimir.metrics GROUP BY 1");
    assert_string_equal(
        p->queries[0].params[0].text,
        qm < 0 ? arena_printf(&a, "%04d-%02d-01 00:00:00", t.tm_year + 1900 - 1, qm + 12 + 1)
               : arena_printf(&a, "%04d-%02d-01 00:00:00", t.tm_year + 1900, qm + 1));
    arena_free(&a);
    pagila->cal = saved;
}

int main(void)
{
    const struct CMUnitTest sql[] = {
        cmocka_unit_test(test_grain_sql_per_dialect),
        cmocka_unit_test(test_grain_names),
        cmocka_unit_test(test_sqlite_grains_compute),
        cmocka_unit_test(test_calendar_grain_sql),
        cmocka_unit_test(test_sqlite_calendar_grains_compute),
    };
    const struct CMUnitTest plans[] = {
        cmocka_unit_test(test_truncate_bound_on_asking_metric_only),
        cmocka_unit_test(test_truncate_needs_a_grain),
        cmocka_unit_test(test_fiscal_grains_need_the_calendar),
        cmocka_unit_test(test_truncate_bound_on_the_calendar),
    };
    int failed = cmocka_run_group_tests_name("time grain SQL", sql, NULL, NULL);
    failed += cmocka_run_group_tests_name("truncate_incomplete_granularity", plans, load_pagila,
                                          free_pagila);
    return failed ? 1 : 0;
}
