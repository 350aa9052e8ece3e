/*
 * Time bounds written with the clock (planner/session_query.h session_fold_time, the
 * bounds of planner/split.c): each form is folded to the value MySQL gives it at the
 * statement's start in the session's zone (UTC, +05:30, America/New_York), from a
 * fixed clock the tests give the planner (session_info.clock_us). The values expected
 * are computed here with the C library (timegm, localtime_r with TZ), not with the
 * planner's own zone code. Then: the bound lands in the source's WHERE as a parameter,
 * the plan is nondeterministic, SYSDATE() and forms that are not constant are left as
 * they were, a prepared statement reads the clock of each execution, and a daily
 * rollup answers a relative range.
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

#include "planner/arena.h"
#include "planner/discovered_types.h"
#include "planner/parser.h"
#include "planner/planner.h"
#include "planner/rollup_route.h"
#include "planner/session_query.h"
#include "semantic/catalog.h"
#include "semantic/column_type.h"
#include "tests/unit/unit_support.h"

/* ---- The project: a source with a daily rollup (PostgreSQL SQL, no secrets) ---- */

static const char sources_yaml[] = "pay:\n"
                                   "  name: pay\n"
                                   "  time_col: paid_at\n"
                                   "  connection_name: db\n"
                                   "  sql: SELECT paid_at, store_id, amount FROM payments\n"
                                   "  rollups:\n"
                                   "    - name: pay_daily\n"
                                   "      grain: ds\n"
                                   "      dimensions: [store_id]\n"
                                   "      metrics: [n]\n";
static const char metrics_yaml[] = "name: n\nsource_name: pay\nsql: COUNT(*)\n";

static char project[300];
static catalog *cat;
static discovered_types *types;
static const rollup_ready ready[] = {
    {"pay_daily", "2024-06-01 00:00:00", "2024-06-01 01:00:00", 90}};

static int load_project(void **state)
{
    (void)state;
    unit_tmpdir_make(project, sizeof project, "mimir-clock");
    static const char *const subs[] = {"sources", "metrics", "dimensions"};
    for (size_t i = 0; i < 3; i++) {
        char sub[400];
        snprintf(sub, sizeof sub, "%s/%s", project, subs[i]);
        assert_int_equal(mkdir(sub, 0700), 0);
    }
    unit_write_file(project, "sources/s.yaml", sources_yaml);
    unit_write_file(project, "metrics/m.yaml", metrics_yaml);
    char err[2048];
    cat = catalog_load(project, NULL, err, sizeof err);
    if (!cat)
        fail_msg("%s", err);
    types = discovered_types_new();
    unit_set_type(types, "pay", "ts", "datetime"); /* a wall clock */
    unit_set_type(types, "pay", "n", "bigint");
    return 0;
}

static int free_project(void **state)
{
    (void)state;
    discovered_types_free(types);
    catalog_free(cat);
    unit_tmpdir_remove(project);
    return 0;
}

/* 2024-03-10 20:15:30.123456 UTC: 01:45 the next day in +05:30; in New York the day
 * daylight saving starts (16:15 EDT). */
#define CLOCK_S  INT64_C(1710101730)
#define CLOCK_US (CLOCK_S * 1000000 + 123456)

static const char *const zones[] = {"+00:00", "+05:30", "America/New_York"};

static session_info session_in(const char *zone, int64_t clock_us)
{
    session_info s = {.cat = cat,
                      .db = "mimir",
                      .user = "u",
                      .connection_id = 7,
                      .autocommit = true,
                      .types = types,
                      .clock_us = clock_us};
    assert_true(time_zone_parse(zone, &s.tz));
    return s;
}

/* The wall clock of instant t in zone (the C library's tz database), as a struct tm. */
static struct tm wall_of(const char *zone, time_t t)
{
    struct tm tm;
    if (strcmp(zone, "+00:00") == 0) {
        gmtime_r(&t, &tm);
    } else if (strcmp(zone, "+05:30") == 0) {
        time_t shifted = t + 5 * 3600 + 30 * 60;
        gmtime_r(&shifted, &tm);
    } else {
        const char *old = getenv("TZ");
        char saved[64] = "";
        if (old)
            snprintf(saved, sizeof saved, "%s", old);
        setenv("TZ", zone, 1);
        tzset();
        localtime_r(&t, &tm);
        if (old)
            setenv("TZ", saved, 1);
        else
            unsetenv("TZ");
        tzset();
    }
    tm.tm_isdst = 0;
    tm.tm_gmtoff = 0;
    return tm;
}

/* ---- 1. Folding each form, in each zone ------------------------------------ */

typedef struct fold_case {
    const char *expr;
    bool utc;   /* reads UTC's clock (UTC_TIMESTAMP, UTC_DATE), not the session's */
    int months; /* then added: months, days, seconds (as MySQL's DATE_ADD) */
    int days;
    long seconds;
    bool midnight; /* then cut to the day */
    bool as_date;  /* shown as a DATE 'YYYY-MM-DD' */
    bool fraction; /* keeps the clock's microseconds */
} fold_case;

static const fold_case fold_cases[] = {
    {"NOW()", false, 0, 0, 0, false, false, false},
    {"CURRENT_TIMESTAMP", false, 0, 0, 0, false, false, false},
    {"CURRENT_TIMESTAMP()", false, 0, 0, 0, false, false, false},
    {"LOCALTIME", false, 0, 0, 0, false, false, false},
    {"LOCALTIMESTAMP()", false, 0, 0, 0, false, false, false},
    {"NOW(6)", false, 0, 0, 0, false, false, true},
    {"CURDATE()", false, 0, 0, 0, true, true, false},
    {"CURRENT_DATE", false, 0, 0, 0, true, true, false},
    {"UTC_TIMESTAMP()", true, 0, 0, 0, false, false, false},
    {"UTC_DATE()", true, 0, 0, 0, true, true, false},
    /* Superset, Redash, hand-written SQL */
    {"CURDATE() - INTERVAL 7 DAY", false, 0, -7, 0, true, true, false},
    {"NOW() - INTERVAL 1 HOUR", false, 0, 0, -3600, false, false, false},
    {"CURRENT_DATE - INTERVAL 1 MONTH", false, -1, 0, 0, true, true, false},
    {"DATE_SUB(CURDATE(), INTERVAL 3 MONTH)", false, -3, 0, 0, true, true, false},
    {"UTC_TIMESTAMP() - INTERVAL 1 DAY", true, 0, -1, 0, false, false, false},
    {"NOW() - INTERVAL 1 YEAR", false, -12, 0, 0, false, false, false},
    {"CURDATE() - INTERVAL 1 QUARTER", false, -3, 0, 0, true, true, false},
    {"NOW() + INTERVAL 90 MINUTE", false, 0, 0, 5400, false, false, false},
    {"INTERVAL 1 DAY + CURDATE()", false, 0, 1, 0, true, true, false},
    /* Metabase */
    {"DATE(DATE_ADD(NOW(6), INTERVAL -30 day))", false, 0, -30, 0, true, true, false},
    {"DATE(NOW(6))", false, 0, 0, 0, true, true, false},
    {"DATE_ADD(NOW(6), INTERVAL -2 hour)", false, 0, 0, -7200, false, false, true},
    /* synonyms and casts */
    {"ADDDATE(CURDATE(), -7)", false, 0, -7, 0, true, true, false},
    {"SUBDATE(NOW(), INTERVAL 2 WEEK)", false, 0, -14, 0, false, false, false},
    {"ADDDATE(CURDATE(), INTERVAL 1 MONTH)", false, 1, 0, 0, true, true, false},
    {"TIMESTAMP(CURDATE())", false, 0, 0, 0, true, false, false},
    {"CAST(NOW() AS DATE)", false, 0, 0, 0, true, true, false},
    {"CAST(CURDATE() - INTERVAL 1 DAY AS DATETIME)", false, 0, -1, 0, true, false, false},
    {"CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+05:30')", true, 0, 0, 19800, false, false, false},
};

/* What MySQL gives the case at CLOCK_US in zone, computed with the C library. */
static void expected(const fold_case *c, const char *zone, char out[64])
{
    struct tm tm = wall_of(c->utc ? "+00:00" : zone, (time_t)CLOCK_S);
    if (c->months) { /* no month-end clamping at days 10 and 11 */
        tm.tm_mon += c->months;
        time_t t = timegm(&tm);
        gmtime_r(&t, &tm);
    }
    time_t t = timegm(&tm) + (time_t)c->days * 86400 + c->seconds;
    if (c->midnight)
        t -= t % 86400;
    gmtime_r(&t, &tm);
    char text[40];
    strftime(text, sizeof text, c->as_date ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out, 64, "%s%s", text, c->fraction ? ".123456" : "");
}

static void test_fold_forms(void **state)
{
    (void)state;
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        for (size_t i = 0; i < sizeof(fold_cases) / sizeof(fold_cases[0]); i++) {
            const fold_case *c = &fold_cases[i];
            arena a;
            arena_init(&a);
            session_info s = session_in(zones[z], CLOCK_US);
            char sql[300];
            snprintf(sql, sizeof sql, "SELECT %s", c->expr);
            const select_stmt *sel;
            statement st;
            parse_error pe;
            if (!parse_statement(&a, sql, strlen(sql), &st, &pe))
                fail_msg("%s: does not parse", sql);
            sel = st.select;
            const char *text = NULL;
            char want[64];
            expected(c, zones[z], want);
            if (!session_fold_time(&a, &s, sel->items[0].e, &text))
                fail_msg("%s in %s: not folded", c->expr, zones[z]);
            if (strcmp(text, want) != 0)
                fail_msg("%s in %s: %s, expected %s", c->expr, zones[z], text, want);
            arena_free(&a);
        }
    }
}

/* ---- 2. Not folded: SYSDATE(), and what is not constant in the statement -------- */

static void test_not_constant(void **state)
{
    (void)state;
    static const char *const exprs[] = {
        "SYSDATE()",                  /* MySQL reads it as each row is read */
        "SYSDATE() - INTERVAL 1 DAY", /* nor anything computed from it */
        "DATE(SYSDATE())",
        "ts", /* a column */
        "DATE_SUB(CURDATE(), INTERVAL store_id DAY)",
        "CURDATE() - INTERVAL 1.5 DAY", /* MySQL rounds the amount: not folded */
        "CURTIME()",                    /* a TIME, not a date */
        "RAND()",
        "@@time_zone",
        "CURDATE() + 1", /* a number in MySQL */
        "DATE_FORMAT(NOW(), '%Y-%m-01')",
        "UNIX_TIMESTAMP()",
        "'not a date' + INTERVAL 1 DAY", /* NULL */
    };
    for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        arena a;
        arena_init(&a);
        session_info s = session_in("+05:30", CLOCK_US);
        char sql[300];
        snprintf(sql, sizeof sql, "SELECT %s", exprs[i]);
        statement st;
        parse_error pe;
        if (!parse_statement(&a, sql, strlen(sql), &st, &pe))
            fail_msg("%s: does not parse", sql);
        const char *text = NULL;
        if (session_fold_time(&a, &s, st.select->items[0].e, &text))
            fail_msg("%s: folded to %s", exprs[i], text);
        arena_free(&a);
    }
}

/* ---- 3. The bound the planner makes of it ----------------------------------- */

static bool has_param(const atomic_query *q, const char *text)
{
    for (size_t i = 0; i < q->nparams; i++)
        if (q->params[i].text && strcmp(q->params[i].text, text) == 0)
            return true;
    return false;
}

static const atomic_query *plan_one(arena *a, const session_info *s, const char *sql, plan **p)
{
    action act;
    planner_plan(a, s, sql, strlen(sql), &act);
    if (act.kind != ACTION_QUERY)
        fail_msg("%s: %u %s", sql, act.error.code, act.error.message);
    assert_int_equal(act.plan->nqueries, 1);
    *p = act.plan;
    return &act.plan->queries[0];
}

static void test_bounds(void **state)
{
    (void)state;
    static const struct {
        const char *filter;
        const char *form;
    } cases[] = {
        {"ts >= CURDATE() - INTERVAL 7 DAY", "CURDATE() - INTERVAL 7 DAY"},
        {"ts >= NOW() - INTERVAL 1 HOUR", "NOW() - INTERVAL 1 HOUR"},
        {"DATE(ts) >= CURRENT_DATE - INTERVAL 1 MONTH", "CURRENT_DATE - INTERVAL 1 MONTH"},
        {"ds >= DATE_SUB(CURDATE(), INTERVAL 3 MONTH)", "DATE_SUB(CURDATE(), INTERVAL 3 MONTH)"},
        {"ts >= UTC_TIMESTAMP() - INTERVAL 1 DAY", "UTC_TIMESTAMP() - INTERVAL 1 DAY"},
        {"ts >= DATE(DATE_ADD(NOW(6), INTERVAL -30 day)) AND ts < DATE(NOW(6))",
         "DATE(DATE_ADD(NOW(6), INTERVAL -30 day))"},
        {"ts >= DATE(DATE_ADD(NOW(6), INTERVAL -30 day)) AND ts < DATE(NOW(6))", "DATE(NOW(6))"},
        {"CURDATE() - INTERVAL 7 DAY <= ts", "CURDATE() - INTERVAL 7 DAY"},
        {"ts BETWEEN NOW() - INTERVAL 1 HOUR AND NOW()", "NOW()"},
    };
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            const fold_case *c = NULL;
            for (size_t k = 0; k < sizeof(fold_cases) / sizeof(fold_cases[0]); k++)
                if (strcmp(fold_cases[k].expr, cases[i].form) == 0)
                    c = &fold_cases[k];
            assert_non_null(c);
            char want[64];
            expected(c, zones[z], want);
            arena a;
            arena_init(&a);
            session_info s = session_in(zones[z], CLOCK_US);
            char sql[400];
            snprintf(sql, sizeof sql,
                     "SELECT /*+ NO_ROLLUP() */ store_id, AGG(n) FROM mimir.metrics WHERE %s "
                     "GROUP BY store_id",
                     cases[i].filter);
            plan *p;
            const atomic_query *q = plan_one(&a, &s, sql, &p);
            if (!has_param(q, want))
                fail_msg("%s in %s: no parameter %s in %s", cases[i].filter, zones[z], want,
                         q->sql);
            /* the bound is in the source's own WHERE, not a filter outside it, and no
             * clock of the backend is read */
            assert_non_null(strstr(q->sql, "FROM payments WHERE"));
            assert_null(strstr(q->sql, "mimir_source\" WHERE"));
            assert_null(strstr(q->sql, "LOCALTIMESTAMP"));
            assert_null(strstr(q->sql, "CURRENT_DATE"));
            assert_true(p->nondeterministic); /* the result cache does not keep it */
            arena_free(&a);
        }
    }
}

/* SYSDATE() stays a filter on the rows; the plan is nondeterministic. */
static void test_sysdate_left_alone(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    session_info s = session_in("+00:00", CLOCK_US);
    plan *p;
    const atomic_query *q = plan_one(&a, &s,
                                     "SELECT /*+ NO_ROLLUP() */ AGG(n) FROM mimir.metrics "
                                     "WHERE ts >= SYSDATE() - INTERVAL 1 DAY",
                                     &p);
    assert_null(strstr(q->sql, "FROM payments WHERE"));
    assert_non_null(strstr(q->sql, "mimir_source\" WHERE"));
    assert_false(has_param(q, "2024-03-09 20:15:30"));
    assert_true(p->nondeterministic);
    arena_free(&a);
}

/* One clock per statement: with no clock given, planning reads the real one. */
static void test_real_clock(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    session_info s = session_in("+00:00", 0);
    time_t before = time(NULL);
    plan *p;
    const atomic_query *q = plan_one(&a, &s,
                                     "SELECT /*+ NO_ROLLUP() */ AGG(n) FROM mimir.metrics "
                                     "WHERE ts >= CURDATE() AND ts < CURDATE() + INTERVAL 1 DAY",
                                     &p);
    time_t after = time(NULL);
    char d0[16], d1[16];
    struct tm tm;
    gmtime_r(&before, &tm);
    strftime(d0, sizeof d0, "%Y-%m-%d", &tm);
    gmtime_r(&after, &tm);
    strftime(d1, sizeof d1, "%Y-%m-%d", &tm);
    assert_true(has_param(q, d0) || has_param(q, d1));
    arena_free(&a);
}

/* A prepared statement reads the clock of each execution, not of its preparation. */
static void test_prepared_each_execution(void **state)
{
    (void)state;
    static const char sql[] = "SELECT /*+ NO_ROLLUP() */ AGG(n) FROM mimir.metrics "
                              "WHERE ts >= CURDATE() - INTERVAL ? DAY";
    param_value seven = {LIT_INT, "7", 1};
    const int64_t clocks[] = {CLOCK_US, CLOCK_US + INT64_C(86400) * 1000000};
    const char *const want[] = {"2024-03-04", "2024-03-05"};
    arena a;
    arena_init(&a);
    session_info prep = session_in("+05:30", CLOCK_US - INT64_C(30) * 86400 * 1000000);
    size_t nparams;
    action act;
    assert_true(planner_prepare(&a, &prep, sql, strlen(sql), &nparams, &act));
    assert_int_equal(nparams, 1);
    for (size_t i = 0; i < 2; i++) {
        session_info s = session_in("+05:30", clocks[i]);
        planner_plan_params(&a, &s, sql, strlen(sql), &seven, 1, &act);
        assert_int_equal(act.kind, ACTION_QUERY);
        if (!has_param(&act.plan->queries[0], want[i]))
            fail_msg("execution %zu: no %s in %s", i, want[i], act.plan->queries[0].sql);
        assert_true(act.plan->nondeterministic);
    }
    arena_free(&a);
}

/* A daily rollup answers ts >= CURDATE() - INTERVAL 7 DAY: the bound is a day start. */
static void test_rollup_answers(void **state)
{
    (void)state;
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        arena a;
        arena_init(&a);
        session_info s = session_in(zones[z], CLOCK_US);
        s.rollups = ready;
        s.nrollups = 1;
        plan *p;
        const atomic_query *q = plan_one(&a, &s,
                                         "SELECT ds, AGG(n) FROM mimir.metrics "
                                         "WHERE ts >= CURDATE() - INTERVAL 7 DAY GROUP BY ds",
                                         &p);
        if (!q->rollup || strcmp(q->rollup, "pay_daily") != 0)
            fail_msg("%s: not answered by the rollup: %s", zones[z], q->sql);
        char want[64];
        expected(&fold_cases[10], zones[z], want);
        assert_string_equal(fold_cases[10].expr, "CURDATE() - INTERVAL 7 DAY");
        if (!has_param(q, want) && !has_param(q, arena_printf(&a, "%s 00:00:00", want)))
            fail_msg("%s: no %s in %s", zones[z], want, q->sql);
        assert_true(p->nondeterministic);
        arena_free(&a);
    }
}

/* A statement in two phases (a scalar subquery: the outer statement is planned when the
 * inner one has answered, later): both read the clock of the statement's start. */
static void test_phases_share_the_clock(void **state)
{
    (void)state;
    static const char sql[] =
        "SELECT store_id, AGG(n) FROM mimir.metrics WHERE ts >= CURDATE() - INTERVAL 7 DAY "
        "GROUP BY store_id HAVING AGG(n) > (SELECT AGG(n) FROM mimir.metrics "
        "WHERE ts >= CURDATE() - INTERVAL 7 DAY) / 10";
    arena a;
    arena_init(&a);
    session_info s = session_in("+05:30", CLOCK_US);
    action act;
    planner_plan(&a, &s, sql, strlen(sql), &act);
    if (act.kind != ACTION_QUERY)
        fail_msg("%u %s", act.error.code, act.error.message);
    const plan_phase *ph = act.plan->phase;
    assert_non_null(ph);
    assert_true(act.plan->nondeterministic);
    const char *want = "2024-03-04"; /* 2024-03-11 in +05:30, minus 7 days */
    assert_true(has_param(&ph->inner->queries[0], want));
    const char *value = "3";
    size_t len = 1;
    int kind = LIT_INT;
    bool approx = false;
    phase_keys keys = {&value, &len, 1, 1, &kind, &approx, NULL, NULL};
    const plan *outer;
    sql_error err;
    assert_true(ph->plan_outer(ph->ctx, &keys, &outer, &err));
    assert_true(has_param(&outer->queries[0], want));
    assert_true(outer->nondeterministic);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_forms),     cmocka_unit_test(test_not_constant),
        cmocka_unit_test(test_bounds),         cmocka_unit_test(test_sysdate_left_alone),
        cmocka_unit_test(test_real_clock),     cmocka_unit_test(test_prepared_each_execution),
        cmocka_unit_test(test_rollup_answers), cmocka_unit_test(test_phases_share_the_clock),
    };
    return cmocka_run_group_tests(tests, load_project, free_project);
}
