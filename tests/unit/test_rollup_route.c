/*
 * Unit tests of answering queries from rollups (planner/rollup_route.c, the routed
 * SQL of planner/split.c, the NO_ROLLUP() hint of planner/parser.c, SET
 * mimir_rollups of planner/session_query.c, and the notes and EXPLAIN of
 * planner/planner.c), all through planner_plan against a small project written to
 * a temporary directory: a source `pay` with a daily, a monthly and a fiscal-quarter
 * rollup (fiscal years from April), and a source `orders` whose rollup has lambda:
 * false. Loaded without secrets, so the backends speak PostgreSQL; a second project
 * (test_route_sqlite) has a SQLite one and fiscal years from February.
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

#include "planner/arena.h"
#include "planner/discovered_types.h"
#include "planner/parser.h"
#include "planner/planner.h"
#include "planner/rollup_route.h"
#include "planner/value_type.h"
#include "semantic/catalog.h"
#include "semantic/catalog_view.h"
#include "semantic/column_type.h"
#include "semantic/grants.h"
#include "tests/unit/unit_support.h"

/* ---- The project ---------------------------------------------------------- */

static const char sources_yaml[] =
    "pay:\n"
    "  name: pay\n"
    "  time_col: paid_at\n"
    "  connection_name: db\n"
    "  sql: SELECT paid_at, store_id, country, amount, price FROM payments\n"
    "  rollups:\n"
    "    - name: pay_daily\n"
    "      grain: ds\n"
    "      dimensions: [store_id, country]\n"
    "      metrics: [revenue, n, avg_amount, top, fsum]\n"
    "    - name: pay_monthly\n"
    "      grain: year_month\n"
    "      dimensions: [country]\n"
    "      metrics: [revenue, n, avg_amount]\n"
    "    - name: pay_fq\n"
    "      grain: fiscal_quarter\n"
    "      dimensions: [country]\n"
    "      metrics: [revenue, n]\n"
    "orders:\n"
    "  name: orders\n"
    "  time_col: ordered_at\n"
    "  connection_name: db\n"
    "  sql: SELECT ordered_at, shop FROM orders\n"
    "  rollups:\n"
    "    - name: orders_daily\n"
    "      grain: ds\n"
    "      dimensions: [shop]\n"
    "      metrics: [orders]\n"
    "      lambda: false\n";

static const char metrics_yaml[] = "name: revenue\nsource_name: pay\nsql: SUM(amount)\n"
                                   "---\nname: n\nsource_name: pay\nsql: COUNT(*)\n"
                                   "---\nname: avg_amount\nsource_name: pay\nsql: AVG(amount)\n"
                                   "---\nname: top\nsource_name: pay\nsql: MAX(amount)\n"
                                   "---\nname: low\nsource_name: pay\nsql: MIN(amount)\n"
                                   "---\nname: buyers\nsource_name: pay\n"
                                   "sql: COUNT(DISTINCT country)\n"
                                   "---\nname: fsum\nsource_name: pay\nsql: SUM(price)\n"
                                   "---\nname: orders\nsource_name: orders\nsql: COUNT(*)\n"
                                   "---\nname: per_n\ntype: derived\nsql: revenue / n\n";

/* A fiscal year from April: its quarters are made of whole months. */
static const char calendar_yaml[] = "fiscal_year_start_month: 4\n";

static char project[300];
static catalog *cat;
static discovered_types *types;

/* A new directory dir with a project's subdirectories (sources, metrics, ...). */
static void make_layer_dirs(char *dir, size_t len, const char *prefix)
{
    unit_tmpdir_make(dir, len, prefix);
    static const char *const subs[] = {"sources", "metrics", "dimensions", "secrets"};
    for (size_t i = 0; i < 4; i++) {
        char sub[400];
        snprintf(sub, sizeof sub, "%s/%s", dir, subs[i]);
        assert_int_equal(mkdir(sub, 0700), 0);
    }
}

/* A project in a new directory dir (dimensions: a dimensions file, or NULL); with secrets (a
 * subdirectory), its connection 'db' is SQLite, otherwise the planner prints PostgreSQL. */
static catalog *make_project(char *dir, size_t len, const char *sources, const char *metrics,
                             const char *calendar, const char *secrets, const char *dimensions)
{
    make_layer_dirs(dir, len, "mimir-rollup-route");
    unit_write_file(dir, "sources/s.yaml", sources);
    unit_write_file(dir, "metrics/m.yaml", metrics);
    unit_write_file(dir, "calendar.yaml", calendar);
    if (dimensions)
        unit_write_file(dir, "dimensions/d.yaml", dimensions);
    char secrets_dir[400];
    snprintf(secrets_dir, sizeof secrets_dir, "%s/secrets", dir);
    if (secrets)
        unit_write_file(secrets_dir, "db.json", secrets);
    char err[2048];
    catalog *c = catalog_load(dir, secrets ? secrets_dir : NULL, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    return c;
}

static int load_project(void **state)
{
    (void)state;
    cat = make_project(project, sizeof project, sources_yaml, metrics_yaml, calendar_yaml, NULL,
                       NULL);
    /* What type discovery would learn from PostgreSQL: numeric sums, a float one. */
    types = discovered_types_new();
    unit_set_type(types, "pay", "revenue", "decimal(12,2)");
    unit_set_type(types, "pay", "avg_amount", "decimal(16,6)");
    unit_set_type(types, "pay", "top", "decimal(10,2)");
    unit_set_type(types, "pay", "low", "decimal(10,2)");
    unit_set_type(types, "pay", "fsum", "double");
    unit_set_type(types, "pay", "n", "bigint");
    unit_set_type(types, "orders", "orders", "bigint");
    /* wall-clock times (a session zone other than UTC needs to know) */
    unit_set_type(types, "pay", "ts", "datetime");
    unit_set_type(types, "orders", "ts", "datetime");
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

/* ---- Which rollups are ready ---------------------------------------------- */

#define WATERMARK "2024-06-01 00:00:00"
#define REFRESHED "2024-06-01 01:30:00"

typedef enum {
    READY_ALL,
    READY_DAILY,
    READY_MONTHLY,
    READY_BIG_MONTHLY,
    READY_FISCAL,
    READY_NONE
} ready_set;

static const rollup_ready ready_all[] = {
    {"pay_daily", WATERMARK, REFRESHED, 1000},
    {"pay_monthly", WATERMARK, REFRESHED, 40},
    {"orders_daily", WATERMARK, REFRESHED, 300},
};
static const rollup_ready ready_daily[] = {{"pay_daily", WATERMARK, REFRESHED, 1000}};
static const rollup_ready ready_monthly[] = {{"pay_monthly", WATERMARK, REFRESHED, 40}};
/* The monthly one is the larger here (more countries than days, say): the daily wins. */
static const rollup_ready ready_big_monthly[] = {
    {"pay_daily", WATERMARK, REFRESHED, 1000},
    {"pay_monthly", WATERMARK, REFRESHED, 5000},
};

static const rollup_ready ready_fiscal[] = {{"pay_fq", WATERMARK, REFRESHED, 12}};

static void use_ready(session_info *s, ready_set r)
{
    switch (r) {
    case READY_ALL:
        s->rollups = ready_all, s->nrollups = 3;
        break;
    case READY_DAILY:
        s->rollups = ready_daily, s->nrollups = 1;
        break;
    case READY_MONTHLY:
        s->rollups = ready_monthly, s->nrollups = 1;
        break;
    case READY_BIG_MONTHLY:
        s->rollups = ready_big_monthly, s->nrollups = 2;
        break;
    case READY_FISCAL:
        s->rollups = ready_fiscal, s->nrollups = 1;
        break;
    case READY_NONE:
        s->rollups = NULL, s->nrollups = 0;
        break;
    }
}

static session_info session(ready_set r)
{
    session_info s = {.cat = cat,
                      .db = "mimir",
                      .user = "u",
                      .connection_id = 7,
                      .autocommit = true,
                      .types = types};
    use_ready(&s, r);
    return s;
}

static void plan_in(arena *a, const session_info *s, const char *sql, action *act)
{
    planner_plan(a, s, sql, strlen(sql), act);
    if (act->kind == ACTION_ERROR)
        fail_msg("%s: error %u %s", sql, act->error.code, act->error.message);
}

/* ---- 1. Routing decisions -------------------------------------------------- */

typedef enum {
    SESSION_PLAIN,
    SESSION_TZ_OFFSET,   /* SET time_zone = '+02:00' */
    SESSION_TZ_UTC_ZERO, /* SET time_zone = '+00:00': still UTC */
    SESSION_OFF,         /* SET mimir_rollups = OFF */
    SESSION_NO_TYPES,    /* type discovery has not answered yet */
} session_kind;

typedef struct route_case {
    const char *sql;
    ready_set ready;
    session_kind session;
    const char *rollup; /* NULL: the source's rows */
    const char *source; /* the part the source answers (rollup_source_part); NULL: none */
} route_case;

#define LAMBDA "from " WATERMARK " on"
#define NONE   NULL

#define M             "AGG(revenue), AGG(n)"
#define FROM          " FROM mimir.metrics "
#define TABLEAU_MONTH "ADDDATE(DATE_FORMAT(ts, '%Y-%m-01 00:00:00'), INTERVAL 0 SECOND)"

static const route_case route_cases[] = {
    /* grain equal and coarser: the smallest that answers */
    {"SELECT ds, " M FROM "GROUP BY ds", READY_ALL, SESSION_PLAIN, "pay_daily", LAMBDA},
    {"SELECT year_month, " M FROM "GROUP BY year_month", READY_ALL, SESSION_PLAIN, "pay_monthly",
     LAMBDA},
    {"SELECT year, " M FROM "GROUP BY year", READY_ALL, SESSION_PLAIN, "pay_monthly", LAMBDA},
    {"SELECT quarter, " M FROM "GROUP BY quarter", READY_ALL, SESSION_PLAIN, "pay_monthly", LAMBDA},
    {"SELECT week, " M FROM "GROUP BY week", READY_ALL, SESSION_PLAIN, "pay_daily", LAMBDA},
    {"SELECT " M FROM, READY_ALL, SESSION_PLAIN, "pay_monthly", LAMBDA},
    /* the daily one answers months, years, quarters and weeks alone */
    {"SELECT year_month, " M FROM "GROUP BY year_month", READY_DAILY, SESSION_PLAIN, "pay_daily",
     LAMBDA},
    {"SELECT year, " M FROM "GROUP BY year", READY_DAILY, SESSION_PLAIN, "pay_daily", LAMBDA},
    {"SELECT quarter, " M FROM "GROUP BY quarter", READY_DAILY, SESSION_PLAIN, "pay_daily", LAMBDA},
    {"SELECT week, " M FROM "GROUP BY week", READY_DAILY, SESSION_PLAIN, "pay_daily", LAMBDA},
    /* a monthly one does not answer days, weeks or the raw time */
    {"SELECT ds, " M FROM "GROUP BY ds", READY_MONTHLY, SESSION_PLAIN, NULL, NONE},
    {"SELECT week, " M FROM "GROUP BY week", READY_MONTHLY, SESSION_PLAIN, NULL, NONE},
    {"SELECT ts, " M FROM "GROUP BY ts", READY_ALL, SESSION_PLAIN, NULL, NONE},
    /* the fiscal calendar's periods are made of months */
    {"SELECT fiscal_quarter, " M FROM "GROUP BY fiscal_quarter", READY_MONTHLY, SESSION_PLAIN,
     "pay_monthly", LAMBDA},
    {"SELECT fiscal_year, " M FROM "GROUP BY fiscal_year", READY_MONTHLY, SESSION_PLAIN,
     "pay_monthly", LAMBDA},
    /* a fiscal-quarter rollup (years from April: its quarters are calendar ones)
     * answers quarters and years of both calendars, not months */
    {"SELECT quarter, " M FROM "GROUP BY quarter", READY_FISCAL, SESSION_PLAIN, "pay_fq", LAMBDA},
    {"SELECT year, " M FROM "GROUP BY year", READY_FISCAL, SESSION_PLAIN, "pay_fq", LAMBDA},
    {"SELECT fiscal_year, " M FROM "GROUP BY fiscal_year", READY_FISCAL, SESSION_PLAIN, "pay_fq",
     LAMBDA},
    {"SELECT fiscal_quarter, " M FROM "GROUP BY fiscal_quarter", READY_FISCAL, SESSION_PLAIN,
     "pay_fq", LAMBDA},
    {"SELECT year_month, " M FROM "GROUP BY year_month", READY_FISCAL, SESSION_PLAIN, NULL, NONE},
    {"SELECT year, " M FROM "WHERE ts >= '2023-10-01' AND ts < '2024-04-01' GROUP BY year",
     READY_FISCAL, SESSION_PLAIN, "pay_fq", NONE},
    /* a range that starts inside a fiscal quarter: its rows up to the next one's start are
     * the source's */
    {"SELECT year, " M FROM "WHERE ts >= '2023-11-01' GROUP BY year", READY_FISCAL, SESSION_PLAIN,
     "pay_fq", "before 2024-01-01 00:00:00 and " LAMBDA},
    /* smallest of two candidates by rows */
    {"SELECT year_month, " M FROM "GROUP BY year_month", READY_BIG_MONTHLY, SESSION_PLAIN,
     "pay_daily", LAMBDA},
    /* a rollup not in the ready list is not used */
    {"SELECT year_month, " M FROM "GROUP BY year_month", READY_NONE, SESSION_PLAIN, NULL, NONE},
    {"SELECT ds, AGG(orders)" FROM "GROUP BY ds", READY_DAILY, SESSION_PLAIN, NULL, NONE},
    /* dimensions: only the daily one has store_id; price is in none */
    {"SELECT year_month, store_id, " M FROM "GROUP BY year_month, store_id", READY_ALL,
     SESSION_PLAIN, "pay_daily", LAMBDA},
    {"SELECT year_month, country, " M FROM "GROUP BY year_month, country", READY_ALL, SESSION_PLAIN,
     "pay_monthly", LAMBDA},
    {"SELECT year_month, " M FROM "WHERE store_id = 1 GROUP BY year_month", READY_ALL,
     SESSION_PLAIN, "pay_daily", LAMBDA},
    {"SELECT price, " M FROM "GROUP BY price", READY_ALL, SESSION_PLAIN, NULL, NONE},
    {"SELECT " M FROM "WHERE price > 3", READY_ALL, SESSION_PLAIN, NULL, NONE},
    /* metrics: top only in the daily one, low in none; COUNT(DISTINCT) and a float
     * sum are never re-aggregated; sums of unknown type neither */
    {"SELECT year_month, AGG(top)" FROM "GROUP BY year_month", READY_ALL, SESSION_PLAIN,
     "pay_daily", LAMBDA},
    {"SELECT year_month, AGG(avg_amount)" FROM "GROUP BY year_month", READY_ALL, SESSION_PLAIN,
     "pay_monthly", LAMBDA},
    {"SELECT year_month, AGG(revenue), AGG(low)" FROM "GROUP BY year_month", READY_ALL,
     SESSION_PLAIN, NULL, NONE},
    {"SELECT year_month, AGG(buyers)" FROM "GROUP BY year_month", READY_ALL, SESSION_PLAIN, NULL,
     NONE},
    {"SELECT ds, AGG(fsum)" FROM "GROUP BY ds", READY_ALL, SESSION_PLAIN, NULL, NONE},
    {"SELECT year_month, AGG(revenue)" FROM "GROUP BY year_month", READY_ALL, SESSION_NO_TYPES,
     NULL, NONE},
    {"SELECT year_month, AGG(n)" FROM "GROUP BY year_month", READY_ALL, SESSION_NO_TYPES,
     "pay_monthly", LAMBDA},
    /* a derived metric: its parts are the rollup's */
    {"SELECT year_month, AGG(per_n)" FROM "GROUP BY year_month", READY_ALL, SESSION_PLAIN,
     "pay_monthly", LAMBDA},
    /* time bounds: >= and < at a period start */
    {"SELECT year_month, " M FROM "WHERE ts >= '2024-01-01' AND ts < '2024-03-01' "
     "GROUP BY year_month",
     READY_ALL, SESSION_PLAIN, "pay_monthly", NONE},
    {"SELECT year_month, " M FROM "WHERE ts >= '2024-01-01' GROUP BY year_month", READY_ALL,
     SESSION_PLAIN, "pay_monthly", LAMBDA},
    /* bounds inside a period: the rollup answers the whole periods, the source the rest;
     * the rollup that leaves the source least of the range answers (the daily one for a
     * range from mid-month, though the monthly one is smaller) */
    {"SELECT year_month, " M FROM "WHERE ts >= '2024-01-15' GROUP BY year_month", READY_ALL,
     SESSION_PLAIN, "pay_daily", LAMBDA},
    {"SELECT year_month, " M FROM "WHERE ts >= '2024-01-15' GROUP BY year_month", READY_MONTHLY,
     SESSION_PLAIN, "pay_monthly", "before 2024-02-01 00:00:00 and " LAMBDA},
    {"SELECT year_month, " M FROM "WHERE ts >= '2024-01-01 12:00:00' GROUP BY year_month",
     READY_ALL, SESSION_PLAIN, "pay_daily", "before 2024-01-02 00:00:00 and " LAMBDA},
    {"SELECT year_month, " M FROM "WHERE ts > '2024-01-01' GROUP BY year_month", READY_ALL,
     SESSION_PLAIN, "pay_daily", "before 2024-01-02 00:00:00 and " LAMBDA},
    {"SELECT ds, " M FROM "WHERE ts >= '2024-01-01' AND ts <= '2024-01-31' GROUP BY ds", READY_ALL,
     SESSION_PLAIN, "pay_daily", "from 2024-01-31 00:00:00 on"},
    {"SELECT ds, " M FROM "WHERE ts > '2024-01-01 10:00:00' AND ts < '2024-01-31 18:00:00' "
     "GROUP BY ds",
     READY_ALL, SESSION_PLAIN, "pay_daily",
     "before 2024-01-02 00:00:00 and from 2024-01-31 00:00:00 on"},
    /* no whole period in the range, or a single instant: the source alone */
    {"SELECT ds, " M FROM "WHERE ts > '2024-01-01 10:00:00' AND ts < '2024-01-02 18:00:00' "
     "GROUP BY ds",
     READY_ALL, SESSION_PLAIN, NULL, NONE},
    {"SELECT ds, " M FROM "WHERE ts = '2024-01-01' GROUP BY ds", READY_ALL, SESSION_PLAIN, NULL,
     NONE},
    /* without lambda the bounds must fall on period starts */
    {"SELECT shop, AGG(orders)" FROM "WHERE ts >= '2024-01-01 12:00:00' GROUP BY shop", READY_ALL,
     SESSION_PLAIN, NULL, NONE},
    {"SELECT ds, " M FROM "WHERE ds BETWEEN '2024-01-01' AND '2024-01-31' GROUP BY ds", READY_ALL,
     SESSION_PLAIN, "pay_daily", NONE},
    {"SELECT year_month, " M FROM "WHERE ds BETWEEN '2024-01-01' AND '2024-01-31' "
     "GROUP BY year_month",
     READY_ALL, SESSION_PLAIN, "pay_monthly", NONE},
    /* the watermark: a range that ends at it or before does not reach it */
    {"SELECT ds, " M FROM "WHERE ts < '2024-06-01' GROUP BY ds", READY_ALL, SESSION_PLAIN,
     "pay_daily", NONE},
    {"SELECT ds, " M FROM "WHERE ts < '2024-06-02' GROUP BY ds", READY_ALL, SESSION_PLAIN,
     "pay_daily", LAMBDA},
    /* a range that starts at the watermark or after: the source answers it alone */
    {"SELECT year_month, " M FROM "WHERE ts >= '2024-07-01' GROUP BY year_month", READY_ALL,
     SESSION_PLAIN, NULL, NONE},
    {"SELECT ds, " M FROM "WHERE ts >= '2024-06-01' GROUP BY ds", READY_ALL, SESSION_PLAIN, NULL,
     NONE},
    {"SELECT ds, " M FROM "WHERE ts >= '2024-05-31' GROUP BY ds", READY_ALL, SESSION_PLAIN,
     "pay_daily", LAMBDA},
    /* lambda: false in the definition */
    {"SELECT ds, AGG(orders)" FROM "GROUP BY ds", READY_ALL, SESSION_PLAIN, "orders_daily", NONE},
    {"SELECT shop, AGG(orders)" FROM "WHERE ts >= '2024-01-01' GROUP BY shop", READY_ALL,
     SESSION_PLAIN, "orders_daily", NONE},
    /* BI tools' truncations of the time column */
    {"SELECT " TABLEAU_MONTH " AS m, " M FROM "GROUP BY 1", READY_ALL, SESSION_PLAIN, "pay_monthly",
     LAMBDA},
    {"SELECT YEAR(ts), " M FROM "GROUP BY 1", READY_ALL, SESSION_PLAIN, "pay_monthly", LAMBDA},
    {"SELECT HOUR(ts), " M FROM "GROUP BY 1", READY_ALL, SESSION_PLAIN, NULL, NONE},
    {"SELECT DATE(ts), " M FROM "GROUP BY 1", READY_ALL, SESSION_PLAIN, "pay_daily", LAMBDA},
    /* filters that read time through the rollup's periods, or not */
    {"SELECT year_month, " M FROM "WHERE DATE(ts) < '2024-05-15' GROUP BY year_month", READY_ALL,
     SESSION_PLAIN, "pay_daily", NONE},
    {"SELECT year_month, " M FROM "WHERE ds <> '2024-05-15' GROUP BY year_month", READY_ALL,
     SESSION_PLAIN, "pay_daily", LAMBDA},
    {"SELECT year_month, " M FROM "WHERE DAY(ts) < 15 GROUP BY year_month", READY_ALL,
     SESSION_PLAIN, "pay_daily", LAMBDA},
    {"SELECT year_month, " M FROM "WHERE ts < '2024-05-15' OR country = 'x' GROUP BY year_month",
     READY_ALL, SESSION_PLAIN, NULL, NONE},
    {"SELECT year_month, " M FROM "WHERE ts <> '2024-05-15 10:00:00' GROUP BY year_month",
     READY_ALL, SESSION_PLAIN, NULL, NONE},
    /* a grain of days against a day is a time bound: year_month < '2024-05-01' is ts <
     * '2024-05-01', before the watermark; year_month <= a day in May is ts < '2024-06-01',
     * the watermark; year_month > it starts at the watermark, where no rollup has rows */
    {"SELECT year, " M FROM "WHERE year_month < '2024-05-01' GROUP BY year", READY_ALL,
     SESSION_PLAIN, "pay_monthly", NONE},
    {"SELECT year, " M FROM "WHERE year_month <= '2024-05-15' GROUP BY year", READY_ALL,
     SESSION_PLAIN, "pay_monthly", NONE},
    {"SELECT year, " M FROM "WHERE year_month > '2024-05-15' GROUP BY year", READY_ALL,
     SESSION_PLAIN, NULL, NONE},
    /* the session's zone, the switch and the hint */
    /* ts is a DATETIME here (a wall clock): no zone converts it, so any zone routes; an
     * instant does not (test_zone_of_an_instant) */
    {"SELECT year_month, " M FROM "GROUP BY year_month", READY_ALL, SESSION_TZ_OFFSET,
     "pay_monthly", LAMBDA},
    {"SELECT year_month, " M FROM "GROUP BY year_month", READY_ALL, SESSION_TZ_UTC_ZERO,
     "pay_monthly", LAMBDA},
    {"SELECT year_month, " M FROM "GROUP BY year_month", READY_ALL, SESSION_OFF, NULL, NONE},
    {"SELECT /*+ NO_ROLLUP() */ year_month, " M FROM "GROUP BY year_month", READY_ALL,
     SESSION_PLAIN, NULL, NONE},
};

static session_info case_session(const route_case *c)
{
    session_info s = session(c->ready);
    switch (c->session) {
    case SESSION_TZ_OFFSET:
        assert_true(time_zone_parse("+02:00", &s.tz));
        break;
    case SESSION_TZ_UTC_ZERO:
        assert_true(time_zone_parse("+00:00", &s.tz));
        break;
    case SESSION_OFF:
        s.rollups_off = true;
        break;
    case SESSION_NO_TYPES:
        s.types = NULL;
        break;
    case SESSION_PLAIN:
        break;
    }
    return s;
}

static void test_route_decisions(void **state)
{
    (void)state;
    size_t failed = 0;
    for (size_t i = 0; i < sizeof route_cases / sizeof *route_cases; i++) {
        const route_case *c = &route_cases[i];
        arena a;
        arena_init(&a);
        session_info s = case_session(c);
        action act;
        plan_in(&a, &s, c->sql, &act);
        assert_int_equal(act.kind, ACTION_QUERY);
        assert_int_equal(act.plan->nqueries, 1);
        const atomic_query *q = &act.plan->queries[0];
        bool same = c->rollup ? q->rollup && strcmp(q->rollup, c->rollup) == 0 : !q->rollup;
        const char *part = q->rollup ? rollup_source_part(&a, q) : NULL;
        if (!same || (part && c->source ? strcmp(part, c->source) != 0 : part != c->source)) {
            print_message("case %zu: %s\n  rollup %s, the source %s; want %s, the source %s\n", i,
                          c->sql, q->rollup ? q->rollup : "(none)", part ? part : "-",
                          c->rollup ? c->rollup : "(none)", c->source ? c->source : "-");
            failed++;
        }
        if (q->rollup)
            assert_string_equal(q->rollup_refreshed_at, REFRESHED);
        arena_free(&a);
    }
    if (failed)
        fail_msg("%zu routing cases failed", failed);
}

/* A time column that is an instant (timestamptz) is read in the session's zone: periods of
 * +02:00 are not the rollup's (UTC), so only a UTC session routes. */
static void test_zone_of_an_instant(void **state)
{
    (void)state;
    column_type t;
    char why[200];
    assert_true(column_type_parse("datetime", &t, why, sizeof why));
    t.instant = true;
    discovered_types_set(types, "pay", "ts", &t);
    static const route_case cases[] = {
        {"SELECT year_month, " M FROM "GROUP BY year_month", READY_ALL, SESSION_TZ_OFFSET, NULL,
         NONE},
        {"SELECT year_month, " M FROM "GROUP BY year_month", READY_ALL, SESSION_TZ_UTC_ZERO,
         "pay_monthly", LAMBDA},
    };
    for (size_t i = 0; i < 2; i++) {
        arena a;
        arena_init(&a);
        session_info s = case_session(&cases[i]);
        action act;
        plan_in(&a, &s, cases[i].sql, &act);
        assert_int_equal(act.kind, ACTION_QUERY);
        const char *got = act.plan->queries[0].rollup;
        if (cases[i].rollup)
            assert_string_equal(got, cases[i].rollup);
        else
            assert_null(got);
        arena_free(&a);
    }
    unit_set_type(types, "pay", "ts", "datetime");
}

/* Which session zones read the periods of a calendar's zone: UTC and UTC, the same
 * offset, the same named zone; never a named zone and an offset. */
static void test_zone_reads_alike(void **state)
{
    (void)state;
    static const struct {
        const char *calendar, *session; /* NULL: none (UTC) */
        bool alike;
    } cases[] = {
        {NULL, NULL, true},
        {NULL, "+00:00", true},
        {NULL, "SYSTEM", true},
        {NULL, "UTC", true},
        {NULL, "+02:00", false},
        {NULL, "America/New_York", false},
        {"UTC", NULL, true},
        {"Etc/UTC", "+00:00", true},
        {"+00:00", "UTC", true},
        {"America/New_York", "America/New_York", true},
        {"America/New_York", NULL, false},
        {"America/New_York", "+00:00", false},
        {"America/New_York", "-05:00", false}, /* its winter offset, not its rules */
        {"America/New_York", "-04:00", false},
        {"America/New_York", "America/Chicago", false},
        {"Asia/Kathmandu", "Asia/Kathmandu", true},
        {"Asia/Kathmandu", "+05:45", false},
        {"+05:45", "+05:45", true},
        {"+05:45", "Asia/Kathmandu", false},
        {"+05:45", "+05:30", false},
        {"-03:00", "-03:00", true},
    };
    catalog c = *cat;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        c.cal.time_zone = (char *)cases[i].calendar;
        time_zone tz;
        if (cases[i].session)
            assert_true(time_zone_parse(cases[i].session, &tz));
        bool got = rollup_zone_reads_alike(&c, cases[i].session ? &tz : NULL);
        if (got != cases[i].alike)
            fail_msg("calendar %s, session %s: %s, want %s",
                     cases[i].calendar ? cases[i].calendar : "(none)",
                     cases[i].session ? cases[i].session : "(none)", got ? "alike" : "not",
                     cases[i].alike ? "alike" : "not");
    }
}

static bool has_param(const atomic_query *q, const char *text);

/* The routed plan of sql in a session in zone (NULL: UTC) on catalog c. */
static const atomic_query *planned_in_zone(arena *a, const catalog *c, const char *zone, bool typed,
                                           const char *sql)
{
    session_info s = session(READY_ALL);
    s.cat = c;
    if (!typed)
        s.types = NULL;
    if (zone)
        assert_true(time_zone_parse(zone, &s.tz));
    action act;
    plan_in(a, &s, sql, &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    assert_int_equal(act.plan->nqueries, 1);
    return &act.plan->queries[0];
}

/* Rollups built in New York (the calendar's zone): an instant is read there by a session
 * in New York only; a wall clock by every session. The rollup's period is read as it is
 * (a wall clock of the zone), the source's rows after the watermark in the zone. */
static void test_zone_of_the_calendar(void **state)
{
    (void)state;
    catalog c = *cat;
    c.cal.time_zone = (char *)"America/New_York";
    const char *month = "SELECT year_month, " M FROM "GROUP BY year_month";
    const char *total = "SELECT " M FROM;
    arena a;
    arena_init(&a);
    /* a wall clock (datetime): every zone */
    assert_string_equal(planned_in_zone(&a, &c, NULL, true, month)->rollup, "pay_monthly");
    assert_string_equal(planned_in_zone(&a, &c, "+02:00", true, month)->rollup, "pay_monthly");
    assert_string_equal(planned_in_zone(&a, &c, "America/New_York", true, month)->rollup,
                        "pay_monthly");
    /* an instant (timestamptz) */
    column_type t;
    char why[200];
    assert_true(column_type_parse("datetime", &t, why, sizeof why));
    t.instant = true;
    discovered_types_set(types, "pay", "ts", &t);
    static const char *const other[] = {NULL, "+00:00", "+02:00", "-05:00", "America/Chicago"};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        assert_null(planned_in_zone(&a, &c, other[i], true, month)->rollup);
        assert_null(planned_in_zone(&a, &c, other[i], true, total)->rollup);
    }
    const atomic_query *q = planned_in_zone(&a, &c, "America/New_York", true, month);
    assert_string_equal(q->rollup, "pay_monthly");
    assert_null(strstr(q->sql, "\"period\" AT TIME ZONE"));
    assert_non_null(strstr(q->sql, "paid_at AT TIME ZONE"));
    /* no bound and no grain: the rows from the watermark on are still read in the zone */
    q = planned_in_zone(&a, &c, "America/New_York", true, total);
    assert_string_equal(q->rollup, "pay_monthly");
    assert_non_null(strstr(q->sql, "AT TIME ZONE"));
    assert_true(has_param(q, WATERMARK));
    /* without the time column's type, a session outside UTC reads the source */
    assert_null(planned_in_zone(&a, &c, "America/New_York", false, total)->rollup);
    /* a calendar at +05:45: the same offset, not the named zone that has it today */
    c.cal.time_zone = (char *)"+05:45";
    assert_string_equal(planned_in_zone(&a, &c, "+05:45", true, month)->rollup, "pay_monthly");
    assert_null(planned_in_zone(&a, &c, "Asia/Kathmandu", true, month)->rollup);
    arena_free(&a);
    unit_set_type(types, "pay", "ts", "datetime");
}

/* ---- 2. The SQL of a routed plan ------------------------------------------- */

static const atomic_query *planned(arena *a, ready_set r, const char *sql)
{
    session_info s = session(r);
    action act;
    plan_in(a, &s, sql, &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    assert_int_equal(act.plan->nqueries, 1);
    return &act.plan->queries[0];
}

static bool has_param(const atomic_query *q, const char *text)
{
    for (size_t i = 0; i < q->nparams; i++)
        if (q->params[i].text && strcmp(q->params[i].text, text) == 0)
            return true;
    return false;
}

static void test_route_sql_without_lambda(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    const atomic_query *q =
        planned(&a, READY_ALL,
                "SELECT year_month, AGG(n), AGG(avg_amount), AGG(revenue) FROM mimir.metrics "
                "WHERE ts >= '2024-01-01' AND ts < '2024-03-01' GROUP BY year_month");
    assert_string_equal(q->rollup, "pay_monthly");
    assert_null(q->rollup_source_from);
    assert_null(q->rollup_source_before);
    assert_non_null(strstr(q->sql, "\"mimir_rollups\""));
    assert_non_null(strstr(q->sql, "pay_monthly"));
    assert_null(strstr(q->sql, "UNION ALL"));
    assert_null(strstr(q->sql, "payments")); /* the source's rows are not read */
    /* a COUNT is a sum of counts, typed back as the source types it */
    assert_non_null(strstr(q->sql, "CAST(SUM(\"n\") AS BIGINT)"));
    /* an AVG is the sum of its sums over the sum of its counts */
    assert_non_null(strstr(q->sql, "(SUM(\"avg_amount__sum\") / SUM(\"avg_amount__count\"))"));
    /* a SUM of decimals stays a sum */
    assert_non_null(strstr(q->sql, "SUM(\"revenue\")"));
    assert_null(strstr(q->sql, "CAST(SUM(\"revenue\")"));
    assert_false(has_param(q, WATERMARK));
    arena_free(&a);
}

static void test_route_sql_with_lambda(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    const atomic_query *q = planned(&a, READY_ALL,
                                    "SELECT year_month, country, AGG(n), AGG(avg_amount) FROM "
                                    "mimir.metrics GROUP BY year_month, country");
    assert_string_equal(q->rollup, "pay_monthly");
    assert_string_equal(q->rollup_source_from, WATERMARK);
    assert_non_null(strstr(q->sql, "\"mimir_rollups\""));
    assert_non_null(strstr(q->sql, "pay_monthly"));
    assert_non_null(strstr(q->sql, "UNION ALL"));
    /* the rows from the watermark on are the source's, aggregated to the rollup's shape */
    assert_non_null(strstr(q->sql, "payments"));
    assert_true(has_param(q, WATERMARK));
    assert_null(strstr(q->sql, WATERMARK)); /* a parameter, never text */
    assert_non_null(strstr(q->sql, "CAST(SUM(\"n\") AS BIGINT)"));
    arena_free(&a);
}

/* A range that starts and ends inside days: the daily rollup's whole days, and the
 * source's rows of the first and the last day, all three parts in one statement. */
static void test_route_sql_with_partial_periods(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    const atomic_query *q =
        planned(&a, READY_ALL,
                "SELECT ds, AGG(n), AGG(revenue) FROM mimir.metrics WHERE ts > '2024-01-01 "
                "10:00:00' AND ts < '2024-01-31 18:00:00' GROUP BY ds");
    assert_string_equal(q->rollup, "pay_daily");
    assert_string_equal(q->rollup_source_before, "2024-01-02 00:00:00");
    assert_string_equal(q->rollup_source_from, "2024-01-31 00:00:00");
    const char *first = strstr(q->sql, "UNION ALL");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "UNION ALL"));
    assert_null(strstr(strstr(first + 1, "UNION ALL") + 1, "UNION ALL"));
    /* every bound is a parameter: the query's and the rollup's period starts */
    static const char *const values[] = {"2024-01-01 10:00:00", "2024-01-31 18:00:00",
                                         "2024-01-02 00:00:00", "2024-01-31 00:00:00"};
    for (size_t i = 0; i < 4; i++) {
        assert_true(has_param(q, values[i]));
        assert_null(strstr(q->sql, values[i]));
    }
    assert_false(has_param(q, WATERMARK)); /* the range ends before it */
    arena_free(&a);
}

/* Each source's atomic query is routed on its own, and each leaves its note. */
static void test_route_two_sources(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    session_info s = session(READY_ALL);
    action act;
    plan_in(&a, &s, "SELECT ds, AGG(n), AGG(orders) FROM mimir.metrics GROUP BY ds", &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    assert_int_equal(act.plan->nqueries, 2);
    for (size_t i = 0; i < 2; i++) {
        const atomic_query *q = &act.plan->queries[i];
        bool pay = strcmp(q->src->name, "pay") == 0;
        assert_string_equal(q->rollup, pay ? "pay_daily" : "orders_daily");
        if (pay)
            assert_string_equal(q->rollup_source_from, WATERMARK);
        else
            assert_null(q->rollup_source_from); /* lambda: false */
    }
    size_t noted = 0;
    for (size_t j = 0; j < act.nnotes; j++)
        noted += strstr(act.notes[j].message, "answered from rollup") != NULL;
    assert_int_equal(noted, 2);
    arena_free(&a);
}

/* A user's row filter changes what the source's rows are: the rollup holds every row.
 * (catalog_view_build sets row_filtered on the view's copy; set here directly.) */
static void test_route_row_filtered(void **state)
{
    (void)state;
    source *pay = NULL;
    for (size_t i = 0; i < cat->n_sources; i++)
        if (strcmp(cat->sources[i].name, "pay") == 0)
            pay = &cat->sources[i];
    assert_non_null(pay);
    arena a;
    arena_init(&a);
    static const char sql[] = "SELECT year_month, AGG(n) FROM mimir.metrics GROUP BY year_month";
    pay->row_filtered = true;
    const atomic_query *q = planned(&a, READY_ALL, sql);
    pay->row_filtered = false;
    assert_null(q->rollup);
    q = planned(&a, READY_ALL, sql);
    assert_string_equal(q->rollup, "pay_monthly");
    arena_free(&a);
}

/* ---- 3. The hint ------------------------------------------------------------ */

typedef struct hint_case {
    const char *sql;
    bool no_rollup;
} hint_case;

static const hint_case hint_cases[] = {
    {"SELECT /*+ NO_ROLLUP() */ a FROM t", true},
    {"SELECT /*+ no_rollup() */ a FROM t", true},
    {"SELECT /*+NO_ROLLUP()*/ a FROM t", true},
    {"SELECT/*+ NO_ROLLUP() */ a FROM t", true},
    {"select /*+ No_Rollup() */ a from t", true},
    {"SELECT /*+ NO_ROLLUP ( ) */ a FROM t", true},
    {"SELECT /*+ MAX_EXECUTION_TIME(1000) NO_ROLLUP() */ a FROM t", true},
    {"SELECT /*+ NO_ROLLUP() MAX_EXECUTION_TIME(1000) */ a FROM t", true},
    {"SELECT /*+ MAX_EXECUTION_TIME(1000) */ /*+ NO_ROLLUP() */ a FROM t", true},
    {"SELECT /*+ NO_ROLLUP() */ /*+ MAX_EXECUTION_TIME(1000) */ a FROM t", true},
    {"SELECT /*+ NO_ROLLUP() */ DISTINCT a FROM t", true},
    {"SELECT a FROM t", false},
    {"SELECT /* NO_ROLLUP() */ a FROM t", false},
    {"SELECT -- NO_ROLLUP()\n a FROM t", false},
    {"SELECT a /*+ NO_ROLLUP() */ FROM t", false},
    {"SELECT DISTINCT /*+ NO_ROLLUP() */ a FROM t", false},
    {"/*+ NO_ROLLUP() */ SELECT a FROM t", false},
    {"SELECT /*+ NO_ROLLUPS() */ a FROM t", false},
    {"SELECT /*+ XNO_ROLLUP() */ a FROM t", false},
    {"SELECT /*+ NO_ROLLUP */ a FROM t", false},
    {"SELECT /*+ MAX_EXECUTION_TIME(1000) */ a FROM t", false},
    {"SELECT 'NO_ROLLUP()' FROM t", false},
};

static void test_hint_parsing(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hint_cases / sizeof *hint_cases; i++) {
        arena a;
        arena_init(&a);
        statement st;
        parse_error pe;
        const char *sql = hint_cases[i].sql;
        if (!parse_statement(&a, sql, strlen(sql), &st, &pe))
            fail_msg("case %zu: %s: %s", i, sql, pe.detail);
        assert_int_equal(st.kind, STMT_SELECT);
        if (st.select->no_rollup != hint_cases[i].no_rollup)
            fail_msg("case %zu: %s: no_rollup %d", i, sql, st.select->no_rollup);
        arena_free(&a);
    }
}

/* The hint, among others, reaches the plan; an ordinary comment does not. */
static void test_hint_in_plan(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    const atomic_query *q =
        planned(&a, READY_ALL,
                "SELECT /*+ MAX_EXECUTION_TIME(5000) */ /*+ no_rollup() */ year_month, AGG(n) "
                "FROM mimir.metrics GROUP BY year_month");
    assert_null(q->rollup);
    assert_null(strstr(q->sql, "mimir_rollups"));
    q = planned(&a, READY_ALL,
                "SELECT /* NO_ROLLUP() */ year_month, AGG(n) FROM mimir.metrics "
                "GROUP BY year_month");
    assert_string_equal(q->rollup, "pay_monthly");
    /* a derived table's query block carries its own hint */
    q = planned(&a, READY_ALL,
                "SELECT * FROM (SELECT /*+ NO_ROLLUP() */ year_month, AGG(n) FROM mimir.metrics "
                "GROUP BY year_month) t");
    assert_null(q->rollup);
    arena_free(&a);
}

/* A prepared statement: its parameters are literals in their place, and its hint holds. */
static void test_route_prepared(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *value, *rollup;
    } cases[] = {
        {"SELECT year_month, AGG(n) FROM mimir.metrics WHERE country = ? GROUP BY year_month", "x",
         "pay_monthly"},
        {"SELECT /*+ NO_ROLLUP() */ year_month, AGG(n) FROM mimir.metrics WHERE country = ? "
         "GROUP BY year_month",
         "x", NULL},
        {"SELECT year_month, AGG(n) FROM mimir.metrics WHERE ts >= ? GROUP BY year_month",
         "2024-01-01", "pay_monthly"},
        {"SELECT year_month, AGG(n) FROM mimir.metrics WHERE ts >= ? GROUP BY year_month",
         "2024-01-02", "pay_daily"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        arena a;
        arena_init(&a);
        session_info s = session(READY_ALL);
        param_value p = {LIT_STRING, cases[i].value, strlen(cases[i].value)};
        action act;
        planner_plan_params(&a, &s, cases[i].sql, strlen(cases[i].sql), &p, 1, &act);
        assert_int_equal(act.kind, ACTION_QUERY);
        const char *got = act.plan->queries[0].rollup;
        if (cases[i].rollup ? !got || strcmp(got, cases[i].rollup) != 0 : got != NULL)
            fail_msg("case %zu: rollup %s, want %s", i, got ? got : "-",
                     cases[i].rollup ? cases[i].rollup : "-");
        arena_free(&a);
    }
}

/* ---- 3b. A rollup stored on another connection (planner/rollup_phase.h) ---- */

static const char away_sources[] = "pay:\n"
                                   "  name: pay\n"
                                   "  time_col: paid_at\n"
                                   "  connection_name: db\n"
                                   "  sql: SELECT paid_at, store_id, amount FROM payments\n"
                                   "  rollups:\n"
                                   "    - name: pay_away\n"
                                   "      grain: ds\n"
                                   "      dimensions: [store_id]\n"
                                   "      metrics: [revenue, n]\n"
                                   "      storage: store\n";
static const char away_metrics[] = "name: revenue\nsource_name: pay\nsql: SUM(amount)\n"
                                   "---\nname: n\nsource_name: pay\nsql: COUNT(*)\n";
static const char mysql_secret[] = "{\"connection_class\": \"sqldb\", \"flavour\": \"mysql\", "
                                   "\"host\": \"127.0.0.1\", \"port\": \"3306\", \"user\": "
                                   "\"u\", \"password\": \"p\", \"schema\": \"%s\"}";

static catalog *away_project(char *dir, size_t len)
{
    make_layer_dirs(dir, len, "mimir-rollup-away");
    unit_write_file(dir, "sources/s.yaml", away_sources);
    unit_write_file(dir, "metrics/m.yaml", away_metrics);
    char secrets[400], text[300];
    snprintf(secrets, sizeof secrets, "%s/secrets", dir);
    snprintf(text, sizeof text, mysql_secret, "shop");
    unit_write_file(secrets, "db.json", text);
    snprintf(text, sizeof text, mysql_secret, "rollup_home");
    unit_write_file(secrets, "store.json", text);
    char err[2048];
    catalog *c = catalog_load(dir, secrets, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    return c;
}

static action plan_away(arena *a, const catalog *c, const discovered_types *t, const char *sql,
                        bool no_phase)
{
    static const rollup_ready ready[] = {{"pay_away", WATERMARK, REFRESHED, 100}};
    session_info s = {.cat = c,
                      .db = "mimir",
                      .user = "u",
                      .autocommit = true,
                      .types = t,
                      .rollups = ready,
                      .nrollups = 1,
                      .no_rollup_phase = no_phase};
    action act;
    plan_in(a, &s, sql, &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    return act;
}

/* A range the rollup answers alone runs on the storage; one the source must complete
 * reads the source's rows first, then passes them, cast, into the storage's statement. */
static void test_route_stored_elsewhere(void **state)
{
    (void)state;
    char dir[300];
    catalog *c = away_project(dir, sizeof dir);
    discovered_types *t = discovered_types_new();
    unit_set_type(t, "pay", "revenue", "decimal(12,2)");
    unit_set_type(t, "pay", "n", "bigint");
    unit_set_type(t, "pay", "ts", "datetime");
    arena a;
    arena_init(&a);
    /* before the watermark: the storage alone */
    action act = plan_away(&a, c, t,
                           "SELECT ds, AGG(n) FROM mimir.metrics WHERE ts < '2024-05-01' "
                           "GROUP BY ds",
                           false);
    const atomic_query *q = &act.plan->queries[0];
    assert_null(act.plan->phase);
    assert_string_equal(q->rollup, "pay_away");
    assert_string_equal(q->conn->name, "store");
    assert_null(strstr(q->sql, "payments"));
    /* up to now: the source's rows after the watermark first */
    const char *open = "SELECT ds, AGG(n), AGG(revenue) FROM mimir.metrics GROUP BY ds";
    act = plan_away(&a, c, t, open, false);
    const plan_phase *ph = act.plan->phase;
    assert_non_null(ph);
    assert_string_equal(ph->rollup, "pay_away");
    const atomic_query *rows = &ph->inner->queries[0];
    assert_string_equal(rows->conn->name, "db");
    assert_non_null(strstr(rows->sql, "payments"));
    assert_null(strstr(rows->sql, "mimir_rollups"));
    assert_int_equal(ph->nkey_cols, 4); /* period, store_id, revenue, n */
    assert_string_equal(act.plan->queries[0].conn->name, "store");
    /* the second phase: two rows, a NULL among them */
    static const char *const values[] = {"2024-06-01 00:00:00", "1",  "12.50", "3",
                                         "2024-06-01 00:00:00", NULL, NULL,    "1"};
    static const size_t lengths[] = {19, 1, 5, 1, 19, 0, 0, 1};
    static const int kinds[] = {LIT_STRING, LIT_INT, LIT_NUMBER, LIT_INT};
    static const int vtypes[] = {VT_DATETIME, VT_INT32, VT_DECIMAL, VT_INT64};
    static const int decimals[] = {0, 0, 2, 0};
    static const bool approx[] = {false, false, false, false};
    phase_keys keys = {.values = values,
                       .lengths = lengths,
                       .n = 2,
                       .ncols = 4,
                       .kinds = kinds,
                       .approximate = approx,
                       .types = vtypes,
                       .decimals = decimals};
    const plan *second = NULL;
    sql_error err;
    assert_true(ph->plan_outer(ph->ctx, &keys, &second, &err));
    assert_null(second->phase);
    q = &second->queries[0];
    assert_string_equal(q->conn->name, "store");
    const char *u =
        strstr(q->sql, " UNION ALL SELECT CAST(? AS DATETIME(0)), CAST(? AS SIGNED), "
                       "CAST(? AS DECIMAL(65,2)), CAST(? AS SIGNED) UNION ALL SELECT "
                       "CAST(? AS DATETIME(0)), CAST(NULL AS SIGNED), CAST(NULL AS DECIMAL(65,2)), "
                       "CAST(? AS SIGNED))");
    if (!u)
        fail_msg("no rows in %s", q->sql);
    assert_null(strstr(q->sql, "payments"));
    assert_true(has_param(q, "12.50"));
    assert_null(strstr(q->sql, "12.50"));
    /* a derived table cannot wrap a phase: the source answers */
    act = plan_away(&a, c, t, open, true);
    assert_null(act.plan->phase);
    assert_null(act.plan->queries[0].rollup);
    arena_free(&a);
    discovered_types_free(t);
    catalog_free(c);
    unit_tmpdir_remove(dir);
}

/* ---- 4. SET mimir_rollups and @@mimir_rollups -------------------------------- */

typedef struct set_case {
    const char *sql;
    int set_rollups; /* -1: an error */
} set_case;

static const set_case set_cases[] = {
    {"SET mimir_rollups = ON", 1},          {"SET mimir_rollups = OFF", 0},
    {"SET mimir_rollups = on", 1},          {"SET mimir_rollups = off", 0},
    {"SET mimir_rollups = 1", 1},           {"SET mimir_rollups = 0", 0},
    {"SET mimir_rollups = TRUE", 1},        {"SET mimir_rollups = FALSE", 0},
    {"SET mimir_rollups = 'OFF'", 0},       {"SET mimir_rollups = 'on'", 1},
    {"SET mimir_rollups = 'true'", 1},      {"SET mimir_rollups = DEFAULT", 1},
    {"SET @@mimir_rollups = OFF", 0},       {"SET SESSION mimir_rollups = OFF", 0},
    {"SET @@session.mimir_rollups = 1", 1}, {"SET mimir_rollups = 'x'", -1},
    {"SET mimir_rollups = 2", -1},          {"SET mimir_rollups = 'yes'", -1},
};

static void test_set_rollups(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof set_cases / sizeof *set_cases; i++) {
        const set_case *c = &set_cases[i];
        arena a;
        arena_init(&a);
        session_info s = session(READY_ALL);
        action act;
        planner_plan(&a, &s, c->sql, strlen(c->sql), &act);
        bool ok = c->set_rollups < 0 ? act.kind == ACTION_ERROR && act.error.code == 1231 &&
                                           strcmp(act.error.sqlstate, "42000") == 0
                                     : act.kind == ACTION_OK && act.set_rollups == c->set_rollups;
        if (!ok)
            fail_msg("case %zu: %s: kind %d, set_rollups %d, error %u %s", i, c->sql, act.kind,
                     act.set_rollups, act.error.code, act.error.message);
        arena_free(&a);
    }
}

static void test_set_rollups_bad_value_message(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *message;
    } cases[] = {
        {"SET mimir_rollups = 'x'", "Variable 'mimir_rollups' can't be set to the value of 'x'"},
        {"SET mimir_rollups = 2", "Variable 'mimir_rollups' can't be set to the value of '2'"},
        {"SET mimir_rollups = x", "Variable 'mimir_rollups' can't be set to the value of 'x'"},
        {"SET mimir_rollups = NULL",
         "Variable 'mimir_rollups' can't be set to the value of 'NULL'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        arena a;
        arena_init(&a);
        session_info s = session(READY_ALL);
        action act;
        planner_plan(&a, &s, cases[i].sql, strlen(cases[i].sql), &act);
        assert_int_equal(act.kind, ACTION_ERROR);
        assert_int_equal(act.error.code, 1231);
        assert_string_equal(act.error.message, cases[i].message);
        arena_free(&a);
    }
    /* Other statements leave the switch as it is. */
    arena a;
    arena_init(&a);
    session_info s = session(READY_ALL);
    action act;
    planner_plan(&a, &s, "SET autocommit = 1", 18, &act);
    assert_int_equal(act.kind, ACTION_OK);
    assert_int_equal(act.set_rollups, -1);
    arena_free(&a);
}

static void test_select_rollups_variable(void **state)
{
    (void)state;
    static const char *const sqls[] = {"SELECT @@mimir_rollups", "SELECT @@session.mimir_rollups"};
    for (size_t i = 0; i < 2; i++)
        for (int off = 0; off <= 1; off++) {
            arena a;
            arena_init(&a);
            session_info s = session(READY_ALL);
            s.rollups_off = off;
            action act;
            planner_plan(&a, &s, sqls[i], strlen(sqls[i]), &act);
            assert_int_equal(act.kind, ACTION_ROWS);
            assert_int_equal(act.rows.ncols, 1);
            assert_int_equal(act.rows.nrows, 1);
            assert_string_equal(act.rows.values[0], off ? "0" : "1");
            arena_free(&a);
        }
}

/* ---- 5. SHOW WARNINGS' note and EXPLAIN's source ----------------------------- */

static void test_rollup_notes(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *note; /* NULL: none */
    } cases[] = {
        {"SELECT year_month, AGG(n) FROM mimir.metrics GROUP BY year_month",
         "Source 'pay' answered from rollup 'pay_monthly', last refreshed at "
         "2024-06-01T01:30:00Z; its rows from " WATERMARK " on were read from the source"},
        {"SELECT ds, AGG(n) FROM mimir.metrics WHERE ts < '2024-05-01' GROUP BY ds",
         "Source 'pay' answered from rollup 'pay_daily', last refreshed at 2024-06-01T01:30:00Z"},
        {"SELECT ds, AGG(fsum) FROM mimir.metrics GROUP BY ds", NULL},
        {"SELECT /*+ NO_ROLLUP() */ ds, AGG(n) FROM mimir.metrics GROUP BY ds", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        arena a;
        arena_init(&a);
        session_info s = session(READY_ALL);
        action act;
        plan_in(&a, &s, cases[i].sql, &act);
        assert_int_equal(act.kind, ACTION_QUERY);
        const char *found = NULL;
        for (size_t j = 0; j < act.nnotes; j++)
            if (strstr(act.notes[j].message, "rollup")) {
                assert_null(found);
                found = act.notes[j].message;
                assert_string_equal(act.notes[j].level, "Note");
                assert_int_equal(act.notes[j].code, NOTE_STATEMENT_READ);
            }
        if (!cases[i].note)
            assert_null(found);
        else if (!found || strcmp(found, cases[i].note) != 0)
            fail_msg("case %zu: note %s, want %s", i, found ? found : "(none)", cases[i].note);
        arena_free(&a);
    }
}

static void test_rollup_explain(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *source;
    } cases[] = {
        {"EXPLAIN SELECT year_month, AGG(n) FROM mimir.metrics GROUP BY year_month",
         "pay: rollup pay_monthly (refreshed 2024-06-01T01:30:00Z), the source from " WATERMARK
         " on"},
        {"EXPLAIN SELECT ds, AGG(orders) FROM mimir.metrics GROUP BY ds",
         "orders: rollup orders_daily (refreshed 2024-06-01T01:30:00Z)"},
        {"EXPLAIN SELECT /*+ NO_ROLLUP() */ ds, AGG(n) FROM mimir.metrics GROUP BY ds", "pay"},
        {"EXPLAIN SELECT HOUR(ts), AGG(n) FROM mimir.metrics GROUP BY 1", "pay"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        arena a;
        arena_init(&a);
        session_info s = session(READY_ALL);
        action act;
        plan_in(&a, &s, cases[i].sql, &act);
        assert_int_equal(act.kind, ACTION_ROWS);
        assert_int_equal(act.rows.ncols, 6);
        assert_int_equal(act.rows.nrows, 1);
        assert_string_equal(act.rows.cols[1].name, "source");
        assert_string_equal(act.rows.values[1], cases[i].source);
        if (strstr(cases[i].source, "rollup"))
            assert_non_null(strstr(act.rows.values[4], "mimir_rollups"));
        arena_free(&a);
    }
}

/* ---- 6. SQLite: only integer sums and averages, and a fiscal year from February ---- */

static const char lite_sources[] = "lite:\n"
                                   "  name: lite\n"
                                   "  time_col: sold_at\n"
                                   "  connection_name: db\n"
                                   "  sql: SELECT sold_at, shop, qty, amount FROM sales\n"
                                   "  rollups:\n"
                                   "    - name: lite_daily\n"
                                   "      grain: ds\n"
                                   "      dimensions: [shop]\n"
                                   "      metrics: [isum, rsum, iavg, ravg, cnt]\n"
                                   "    - name: lite_fq\n"
                                   "      grain: fiscal_quarter\n"
                                   "      dimensions: [shop]\n"
                                   "      metrics: [isum, cnt]\n";

static const char lite_metrics[] = "name: isum\nsource_name: lite\nsql: SUM(qty)\n"
                                   "---\nname: rsum\nsource_name: lite\nsql: SUM(amount)\n"
                                   "---\nname: iavg\nsource_name: lite\nsql: AVG(qty)\n"
                                   "---\nname: ravg\nsource_name: lite\nsql: AVG(amount)\n"
                                   "---\nname: cnt\nsource_name: lite\nsql: COUNT(*)\n";

typedef struct lite_case {
    const char *sql;
    bool fiscal_only; /* only lite_fq is ready; otherwise only lite_daily */
    bool types;       /* the columns' types are known */
    const char *rollup;
} lite_case;

static const lite_case lite_cases[] = {
    {"SELECT ds, AGG(isum) FROM mimir.metrics GROUP BY ds", false, true, "lite_daily"},
    {"SELECT ds, AGG(iavg) FROM mimir.metrics GROUP BY ds", false, true, "lite_daily"},
    {"SELECT ds, AGG(cnt) FROM mimir.metrics GROUP BY ds", false, true, "lite_daily"},
    {"SELECT ds, AGG(rsum) FROM mimir.metrics GROUP BY ds", false, true, NULL},
    {"SELECT ds, AGG(ravg) FROM mimir.metrics GROUP BY ds", false, true, NULL},
    {"SELECT ds, AGG(isum), AGG(rsum) FROM mimir.metrics GROUP BY ds", false, true, NULL},
    {"SELECT ds, AGG(isum) FROM mimir.metrics GROUP BY ds", false, false, NULL},
    {"SELECT ds, AGG(cnt) FROM mimir.metrics GROUP BY ds", false, false, "lite_daily"},
    /* fiscal quarters from February are not calendar quarters */
    {"SELECT fiscal_quarter, AGG(cnt) FROM mimir.metrics GROUP BY 1", true, true, "lite_fq"},
    {"SELECT fiscal_year, AGG(cnt) FROM mimir.metrics GROUP BY 1", true, true, "lite_fq"},
    {"SELECT quarter, AGG(cnt) FROM mimir.metrics GROUP BY 1", true, true, NULL},
    {"SELECT year, AGG(cnt) FROM mimir.metrics GROUP BY 1", true, true, NULL},
    {"SELECT fiscal_quarter, AGG(cnt) FROM mimir.metrics WHERE ts >= '2024-02-01' GROUP BY 1", true,
     true, "lite_fq"},
    {"SELECT fiscal_quarter, AGG(cnt) FROM mimir.metrics WHERE ts >= '2024-01-01' GROUP BY 1", true,
     true, "lite_fq"}, /* January from the source */
    {"SELECT quarter, AGG(cnt) FROM mimir.metrics GROUP BY 1", false, true, "lite_daily"},
};

static void test_route_sqlite(void **state)
{
    (void)state;
    char dir[300];
    catalog *c =
        make_project(dir, sizeof dir, lite_sources, lite_metrics, "fiscal_year_start_month: 2\n",
                     "{\"connection_class\": \"sqlite\", \"path\": \"x.db\"}", NULL);
    discovered_types *t = discovered_types_new();
    unit_set_type(t, "lite", "qty", "int");
    unit_set_type(t, "lite", "amount", "double");
    static const rollup_ready daily[] = {{"lite_daily", WATERMARK, REFRESHED, 100}};
    static const rollup_ready fiscal[] = {{"lite_fq", WATERMARK, REFRESHED, 10}};
    for (size_t i = 0; i < sizeof lite_cases / sizeof *lite_cases; i++) {
        const lite_case *lc = &lite_cases[i];
        arena a;
        arena_init(&a);
        session_info s = {.cat = c,
                          .db = "mimir",
                          .user = "u",
                          .autocommit = true,
                          .types = lc->types ? t : NULL,
                          .rollups = lc->fiscal_only ? fiscal : daily,
                          .nrollups = 1};
        action act;
        plan_in(&a, &s, lc->sql, &act);
        assert_int_equal(act.kind, ACTION_QUERY);
        const atomic_query *q = &act.plan->queries[0];
        bool same = lc->rollup ? q->rollup && strcmp(q->rollup, lc->rollup) == 0 : !q->rollup;
        if (!same)
            fail_msg("case %zu: %s: rollup %s, want %s", i, lc->sql, q->rollup ? q->rollup : "-",
                     lc->rollup ? lc->rollup : "-");
        arena_free(&a);
    }
    /* The SQL: SQLite's AVG as a double of sums, a COUNT a plain sum of counts. */
    arena a;
    arena_init(&a);
    session_info s = {.cat = c,
                      .db = "mimir",
                      .user = "u",
                      .autocommit = true,
                      .types = t,
                      .rollups = daily,
                      .nrollups = 1};
    action act;
    plan_in(&a, &s, "SELECT ds, AGG(iavg), AGG(cnt) FROM mimir.metrics GROUP BY ds", &act);
    const atomic_query *q = &act.plan->queries[0];
    assert_string_equal(q->rollup, "lite_daily");
    assert_int_equal(q->dialect, DIALECT_SQLITE);
    assert_non_null(strstr(q->sql, "mimir_rollups"));
    assert_non_null(strstr(q->sql, "(1.0 * SUM(\"iavg__sum\") / SUM(\"iavg__count\"))"));
    assert_non_null(strstr(q->sql, "SUM(\"cnt\")"));
    assert_null(strstr(q->sql, "CAST(SUM(\"cnt\")"));
    assert_non_null(strstr(q->sql, "UNION ALL"));
    assert_true(has_param(q, WATERMARK));
    arena_free(&a);
    discovered_types_free(t);
    catalog_free(c);
    unit_tmpdir_remove(dir);
}

/* ---- 5. A row-filtered user (semantic/rollup_filter.c) ----------------------- */

/* Sales joined to the inventory: store_id and film are local columns (film under an
 * alias), region a dimension spliced into the select list, band one that is no plain
 * column. `returns` joins with USING (a bare store_id may be a merged column), `ranked`
 * has a window in its select list (a filter changes its other rows' values). */
static const char filter_sources[] =
    "sales:\n"
    "  name: sales\n"
    "  time_col: sale.sold_at\n"
    "  connection_name: db\n"
    "  sql: SELECT sale.sold_at, inventory.store_id, sale.clerk, inventory.film_id AS film\n"
    "       FROM sale JOIN inventory ON inventory.inventory_id = sale.inventory_id\n"
    "  dimensions: [region, band]\n"
    "  rollups:\n"
    "    - name: sales_daily\n"
    "      grain: ds\n"
    "      dimensions: [store_id, region, film, band]\n"
    "      metrics: [sold]\n"
    "returns:\n"
    "  name: returns\n"
    "  time_col: returned_at\n"
    "  connection_name: db\n"
    "  sql: SELECT returned_at, inventory.store_id FROM ret JOIN inventory USING (inventory_id)\n"
    "  rollups:\n"
    "    - name: returns_daily\n"
    "      grain: ds\n"
    "      dimensions: [store_id]\n"
    "      metrics: [returned]\n"
    "ranked:\n"
    "  name: ranked\n"
    "  time_col: sold_at\n"
    "  connection_name: db\n"
    "  sql: SELECT sold_at, store_id, RANK() OVER (ORDER BY sold_at) AS pos FROM sale\n"
    "  rollups:\n"
    "    - name: ranked_daily\n"
    "      grain: ds\n"
    "      dimensions: [store_id]\n"
    "      metrics: [ranked_n]\n"
    "plain:\n"
    "  name: plain\n"
    "  time_col: sold_at\n"
    "  connection_name: db\n"
    "  sql: SELECT sold_at, store_id FROM sale\n"
    "  rollups:\n"
    "    - name: plain_daily\n"
    "      grain: ds\n"
    "      dimensions: [store_id]\n"
    "      metrics: [plain_n]\n";

static const char filter_metrics[] = "name: sold\nsource_name: sales\nsql: COUNT(*)\n"
                                     "---\nname: returned\nsource_name: returns\nsql: COUNT(*)\n"
                                     "---\nname: ranked_n\nsource_name: ranked\nsql: COUNT(*)\n"
                                     "---\nname: plain_n\nsource_name: plain\nsql: COUNT(*)\n";

static const char filter_dimensions[] =
    "name: region\nsource_name: sales\nsql: inventory.region\n"
    "---\nname: band\nsource_name: sales\nsql: CASE WHEN sale.clerk = 'a' THEN 1 ELSE 2 END\n";

typedef struct filter_case {
    const char *source;
    const char *filter;
    const char *on_rollup; /* the filter as the rollup's rows read it; NULL: not routed */
} filter_case;

static const filter_case filter_cases[] = {
    /* a bare name, its qualified form, lists, OR, a spliced dimension, an alias */
    {"sales", "store_id = 1", "(\"store_id\" = 1)"},
    {"sales", "inventory.store_id = 1", "(\"store_id\" = 1)"},
    {"sales", "store_id IN (1,2)", "(\"store_id\" IN (1,2))"},
    {"sales", "store_id = 1 OR store_id = 2", "(\"store_id\" = 1 OR \"store_id\" = 2)"},
    {"sales", "INVENTORY.Store_Id = -1", "(\"store_id\" = -1)"},
    {"sales", "'EU' = region AND (store_id = 1 OR inventory.film_id IS NOT NULL)",
     "('EU' = \"region\" AND (\"store_id\" = 1 OR \"film\" IS NOT NULL))"},
    {"sales", "inventory.region IS NULL", "(\"region\" IS NULL)"},
    /* a column that is no rollup dimension, or not provably one */
    {"sales", "sale.clerk = 'x'", NULL},
    {"sales", "clerk = 'x'", NULL},
    {"sales", "store_id = 1 AND sale.clerk = 'x'", NULL},
    {"sales", "sale.sold_at >= '2024-01-01'", NULL},
    {"sales", "film = 3", NULL},          /* in the WHERE, film is no alias */
    {"sales", "\"store_id\" = 1", NULL},  /* quoted: maybe another column */
    {"sales", "sale.store_id = 1", NULL}, /* another table's column */
    {"sales", "band = 1", NULL},          /* band is no plain column */
    /* what is not a plain condition */
    {"sales", "store_id IN (SELECT store_id FROM managers)", NULL},
    {"sales", "LOWER(sale.clerk) = 'x'", NULL},
    {"sales", "LOWER(inventory.region) = 'eu'", NULL},
    {"sales", "store_id <> 1", NULL},
    {"sales", "NOT store_id = 1", NULL},
    {"sales", "store_id < 3", NULL},
    {"sales", "store_id = 1 + 0", NULL},
    {"sales", "store_id = '1'::int", NULL},
    {"sales", "store_id = store_id", NULL},
    {"sales", "year = 2024", NULL},
    /* USING may merge two columns store_id into one; a window sees every row */
    {"returns", "store_id = 1", NULL},
    {"returns", "inventory.store_id = 1", "(\"store_id\" = 1)"},
    {"ranked", "store_id = 1", NULL},
    /* a qualifier the source's SQL names, and one it does not */
    {"plain", "sale.store_id IN (1, 2)", "(\"store_id\" IN (1, 2))"},
    {"plain", "store_id = 1", "(\"store_id\" = 1)"},
    {"plain", "other.store_id = 1", NULL},
    {"plain", "store_id.store_id = 1", NULL}, /* a name of the SQL, but no table of it */
    {"plain", "public.sale.store_id = 1", NULL},
};

static size_t occurrences(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* The one atomic query of sql planned for user view v. */
static const atomic_query *planned_in(arena *a, catalog *v, const rollup_ready *ready,
                                      size_t nready, const char *sql)
{
    session_info s = {.cat = v,
                      .db = "mimir",
                      .user = "u",
                      .connection_id = 7,
                      .autocommit = true,
                      .rollups = ready,
                      .nrollups = nready};
    action act;
    plan_in(a, &s, sql, &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    assert_int_equal(act.plan->nqueries, 1);
    return &act.plan->queries[0];
}

/* The view of c for a user whose only grant is filter on source. */
static catalog *filtered_view(const catalog *c, const char *source, const char *filter)
{
    row_filter rf = {.source = (char *)source, .sql = (char *)filter};
    grants g = {.all_sources = true, .all_metrics = true, .row_filters = &rf, .n_row_filters = 1};
    return catalog_view_build(c, &g);
}

static const char *metric_of(const char *source)
{
    return strcmp(source, "sales") == 0     ? "sold"
           : strcmp(source, "returns") == 0 ? "returned"
           : strcmp(source, "ranked") == 0  ? "ranked_n"
                                            : "plain_n";
}

/*
 * A filter its rollup's dimensions express routes, with the filter on the rollup's
 * rows; the source's rows after the watermark (lambda) have it once, in the source's
 * SQL, as spliced there. Any other filter reads the source.
 */
static void test_route_row_filters(void **state)
{
    (void)state;
    char dir[300];
    catalog *c =
        make_project(dir, sizeof dir, filter_sources, filter_metrics, "", NULL, filter_dimensions);
    static const rollup_ready ready[] = {{"sales_daily", WATERMARK, REFRESHED, 100},
                                         {"returns_daily", WATERMARK, REFRESHED, 100},
                                         {"ranked_daily", WATERMARK, REFRESHED, 100},
                                         {"plain_daily", WATERMARK, REFRESHED, 100}};
    for (size_t i = 0; i < sizeof filter_cases / sizeof *filter_cases; i++) {
        const filter_case *fc = &filter_cases[i];
        catalog *v = filtered_view(c, fc->source, fc->filter);
        arena a;
        arena_init(&a);
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT ds, AGG(%s) FROM mimir.metrics GROUP BY ds",
                 metric_of(fc->source));
        const atomic_query *q = planned_in(&a, v, ready, 4, sql);
        if (!fc->on_rollup) {
            if (q->rollup)
                fail_msg("%s: routed to %s", fc->filter, q->rollup);
            assert_int_equal(occurrences(q->sql, fc->filter), 1);
        } else {
            if (!q->rollup)
                fail_msg("%s: not routed: %s", fc->filter, q->sql);
            assert_non_null(q->rollup_source_from);
            /* once on the rollup's rows, once in the source's SQL of the lambda part */
            if (occurrences(q->sql, fc->on_rollup) != 1)
                fail_msg("%s: wanted %s once in %s", fc->filter, fc->on_rollup, q->sql);
            assert_int_equal(occurrences(q->sql, fc->filter), 1);
            const char *lambda = strstr(q->sql, "UNION ALL");
            assert_non_null(lambda);
            assert_true(strstr(q->sql, fc->on_rollup) < lambda);
            assert_true(strstr(q->sql, fc->filter) > lambda);
            assert_int_equal(occurrences(q->sql, "mimir_lambda"), 1);
        }
        arena_free(&a);
        catalog_view_free(v);
    }
    catalog_free(c);
    unit_tmpdir_remove(dir);
}

/* A rollup without the filter's column does not answer; one with it does, even when
 * larger. Without lambda, the rollup's rows alone, filtered. */
static void test_route_row_filter_choice(void **state)
{
    (void)state;
    catalog *v = filtered_view(cat, "pay", "store_id = 1");
    arena a;
    arena_init(&a);
    const atomic_query *q = planned_in(
        &a, v, ready_big_monthly, 2,
        "SELECT year_month, AGG(n) FROM mimir.metrics WHERE ts < '2024-05-01' GROUP BY 1");
    assert_string_equal(q->rollup, "pay_daily"); /* pay_monthly has no store_id */
    assert_null(q->rollup_source_from);
    assert_int_equal(occurrences(q->sql, "(\"store_id\" = 1)"), 1);
    assert_null(strstr(q->sql, "payments"));
    q = planned_in(&a, v, ready_monthly, 1,
                   "SELECT year_month, AGG(n) FROM mimir.metrics GROUP BY 1");
    assert_null(q->rollup);
    arena_free(&a);
    catalog_view_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_decisions),
        cmocka_unit_test(test_zone_of_an_instant),
        cmocka_unit_test(test_zone_reads_alike),
        cmocka_unit_test(test_zone_of_the_calendar),
        cmocka_unit_test(test_route_sql_without_lambda),
        cmocka_unit_test(test_route_sql_with_lambda),
        cmocka_unit_test(test_route_sql_with_partial_periods),
        cmocka_unit_test(test_route_stored_elsewhere),
        cmocka_unit_test(test_route_two_sources),
        cmocka_unit_test(test_route_row_filtered),
        cmocka_unit_test(test_hint_parsing),
        cmocka_unit_test(test_hint_in_plan),
        cmocka_unit_test(test_route_prepared),
        cmocka_unit_test(test_set_rollups),
        cmocka_unit_test(test_set_rollups_bad_value_message),
        cmocka_unit_test(test_select_rollups_variable),
        cmocka_unit_test(test_rollup_notes),
        cmocka_unit_test(test_rollup_explain),
        cmocka_unit_test(test_route_sqlite),
        cmocka_unit_test(test_route_row_filters),
        cmocka_unit_test(test_route_row_filter_choice),
    };
    return cmocka_run_group_tests(tests, load_project, free_project);
}
