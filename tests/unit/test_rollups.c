/*
 * Unit tests for rollup definitions (semantic/rollups.c): a project written to a
 * temporary directory, loaded, and every problem compared at FILE:LINE:COLUMN.
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
#include "planner/rollup_plan.h"
#include "semantic/catalog.h"
#include "semantic/rollups.h"
#include "semantic/util.h"
#include "tests/unit/unit_support.h"

static const char sources_ok[] = "payments:\n"
                                 "  name: payments\n"
                                 "  time_col: paid_at\n"
                                 "  connection_name: db\n"
                                 "  sql: SELECT paid_at, store_id, country, amount FROM p\n"
                                 "  dimensions: [dim_big]\n"
                                 "  rollups:\n"
                                 "    - name: payments_daily\n"
                                 "      grain: DS\n"
                                 "      dimensions: [store_id, country]\n"
                                 "      metrics: [revenue, n, avg_amount, top]\n"
                                 "      refresh_every: 30 minutes\n"
                                 "      update_window: 3 days\n"
                                 "      lambda: false\n"
                                 "    - name: payments_monthly\n"
                                 "      grain: year_month\n"
                                 "      dimensions: []\n"
                                 "      metrics: [revenue]\n";

static const char metrics_yaml[] =
    "name: revenue\nsource_name: payments\nsql: SUM(amount)\n"
    /* shapes answers only: not what a rollup stores */
    "fill_nulls_with: 0\njoin_to_calendar: true\n"
    "truncate_incomplete_granularity: true\n"
    "---\nname: n\nsource_name: payments\nsql: COUNT(*)\n"
    "---\nname: avg_amount\nsource_name: payments\nsql: AVG(amount)\n"
    "---\nname: top\nsource_name: payments\nsql: MAX(amount)\n"
    "---\nname: buyers\nsource_name: payments\n"
    "sql: COUNT(DISTINCT country)\n"
    "---\nname: ratio\nsource_name: payments\n"
    "sql: SUM(amount) / COUNT(*)\n"
    "---\nname: per_n\ntype: derived\nsql: revenue / n\n";

static const char dimensions_yaml[] = "name: dim_big\nsource_name: payments\nsql: amount > 100\n";

static void make_project(char *dir, size_t len, const char *sources)
{
    unit_tmpdir_make(dir, len, "mimir-rollups");
    char sub[400];
    static const char *const subs[] = {"sources", "metrics", "dimensions"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(sub, sizeof sub, "%s/%s", dir, subs[i]);
        assert_int_equal(mkdir(sub, 0700), 0);
    }
    unit_write_file(dir, "sources/s.yaml", sources);
    unit_write_file(dir, "metrics/m.yaml", metrics_yaml);
    unit_write_file(dir, "dimensions/d.yaml", dimensions_yaml);
}

static void test_rollups_load(void **state)
{
    (void)state;
    char dir[300], err[1024];
    make_project(dir, sizeof dir, sources_ok);
    catalog *c = catalog_load(dir, NULL, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    const source *s = NULL;
    const rollup *r = catalog_rollup(c, "PAYMENTS_DAILY", &s);
    assert_non_null(r);
    assert_string_equal(s->name, "payments");
    assert_string_equal(r->grain, "ds");
    assert_int_equal(r->n_dimensions, 2);
    assert_int_equal(r->n_metrics, 4);
    assert_int_equal(r->refresh_every_s, 1800);
    assert_int_equal(r->update_window_s, 3 * 86400);
    assert_false(r->lambda);
    assert_null(r->storage);
    assert_int_equal(r->at.line, 8);
    const rollup *m = catalog_rollup(c, "payments_monthly", NULL);
    assert_non_null(m);
    assert_int_equal(m->refresh_every_s, ROLLUP_DEFAULT_REFRESH_S);
    assert_int_equal(m->update_window_s, 0);
    assert_true(m->lambda);
    assert_null(catalog_rollup(c, "nope", NULL));
    catalog_free(c);
    unit_tmpdir_remove(dir);
}

typedef struct bad_case {
    const char *rollup; /* the YAML of one rollup item, at line 8 of the sources file */
    const char *want;   /* the problem after "DIR/" */
} bad_case;

#define HEAD                                                                                       \
    "payments:\n  name: payments\n  time_col: paid_at\n  connection_name: db\n"                    \
    "  sql: SELECT paid_at, store_id, country, amount FROM p\n  dimensions: [dim_big]\n"           \
    "  rollups:\n"

static const bad_case bad_cases[] = {
    {"    - name: r\n      grain: fortnight\n      dimensions: []\n      metrics: [revenue]\n",
     "sources/s.yaml:9:14: source 'payments': rollup 'r': unknown grain 'fortnight' (one of "
     "ts_second, ts_minute, ts_hour, ds, week, year_month, quarter, year, fiscal_quarter, "
     "fiscal_year)"},
    {"    - name: r\n      grain: ts\n      dimensions: []\n      metrics: [revenue]\n",
     "sources/s.yaml:9:14: source 'payments': rollup 'r': unknown grain 'ts' (one of ts_second, "
     "ts_minute, ts_hour, ds, week, year_month, quarter, year, fiscal_quarter, fiscal_year)"},
    {"    - name: r\n      grain: fiscal_year\n      dimensions: []\n      metrics: [revenue]\n",
     "sources/s.yaml:9:14: source 'payments': rollup 'r': grain 'fiscal_year' needs "
     "calendar.yaml's fiscal_year_start_month"},
    {"    - name: r\n      grain: ds\n      dimensions: [store_id, city]\n"
     "      metrics: [revenue]\n",
     "sources/s.yaml:10:30: source 'payments': rollup 'r': dimension 'city' is not available on "
     "source 'payments' (a column of its sql, or a dimension defined on it or listed under its "
     "'dimensions')"},
    {"    - name: r\n      grain: ds\n      dimensions: [paid_at]\n      metrics: [revenue]\n",
     "sources/s.yaml:10:20: source 'payments': rollup 'r': dimension 'paid_at' is the time column "
     "or a grain: the rollup's time is its 'grain'"},
    {"    - name: r\n      grain: ds\n      dimensions: []\n      metrics: [revenue, buyers]\n",
     "sources/s.yaml:11:26: source 'payments': rollup 'r': metric 'buyers' aggregates as "
     "COUNT(DISTINCT ...): a rollup stores only metrics it can re-aggregate exactly (SUM, COUNT, "
     "MIN, MAX, and AVG as sum and count)"},
    {"    - name: r\n      grain: ds\n      dimensions: []\n      metrics: [ratio]\n",
     "sources/s.yaml:11:17: source 'payments': rollup 'r': metric 'ratio' aggregates as custom: a "
     "rollup stores only metrics it can re-aggregate exactly (SUM, COUNT, MIN, MAX, and AVG as "
     "sum and count)"},
    {"    - name: r\n      grain: ds\n      dimensions: []\n      metrics: [per_n]\n",
     "sources/s.yaml:11:17: source 'payments': rollup 'r': metric 'per_n' is derived: list the "
     "metrics it is computed from instead"},
    {"    - name: r\n      grain: ds\n      dimensions: []\n      metrics: [nothing]\n",
     "sources/s.yaml:11:17: source 'payments': rollup 'r': unknown metric 'nothing'"},
    {"    - name: r\n      grain: ds\n      dimensions: []\n      metrics: []\n",
     "sources/s.yaml:11:16: source 'payments': rollup 'r': 'metrics' must be a list of names (at "
     "least one)"},
    {"    - name: r\n      grain: ds\n      dimensions: []\n      metrics: [revenue, revenue]\n",
     "sources/s.yaml:11:26: source 'payments': rollup 'r': 'metrics' lists 'revenue' twice"},
    {"    - name: r\n      grain: ds\n      dimensions: []\n      metrics: [revenue]\n"
     "      refresh_every: soon\n",
     "sources/s.yaml:12:22: source 'payments': rollup 'r': refresh_every 'soon' is not a "
     "duration: write a whole number n >= 1 and a unit, second, minute, hour, day or week "
     "(singular or plural), e.g. 1 hour or 3 days"},
    {"    - name: r\n      grain: ds\n      dimensions: []\n      metrics: [revenue]\n"
     "      update_window: 0 days\n",
     "sources/s.yaml:12:22: source 'payments': rollup 'r': update_window '0 days' is not a "
     "duration: write a whole number n >= 1 and a unit, second, minute, hour, day or week "
     "(singular or plural), e.g. 1 hour or 3 days"},
    {"    - name: r\n      grain: ds\n      dimensions: []\n      metrics: [revenue]\n"
     "      colour: red\n",
     "sources/s.yaml:12:7: source 'payments': rollup 'r': unknown key 'colour' (a rollup has "
     "name, grain, dimensions, metrics, refresh_every, update_window, storage, lambda, "
     "description)"},
    {"    - name: bad-name\n      grain: ds\n      dimensions: []\n      metrics: [revenue]\n",
     "sources/s.yaml:8:7: source 'payments': rollup: name 'bad-name' must be letters, digits and "
     "_ (at most 50, not starting with a digit, not mimir_rollups_state)"},
    {"    - name: r\n      grain: ds\n      dimensions: []\n      metrics: [revenue]\n"
     "    - name: R\n      grain: year\n      dimensions: []\n      metrics: [n]\n",
     "sources/s.yaml:12:7: source 'payments': rollup 'R': duplicate rollup name (first defined "
     "at DIR/sources/s.yaml:8)"},
};

static void test_rollups_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        char text[2048], dir[300], err[1024], want[2048];
        snprintf(text, sizeof text, "%s%s", HEAD, bad_cases[i].rollup);
        make_project(dir, sizeof dir, text);
        print_message("case %zu\n", i);
        catalog *c = catalog_load(dir, NULL, err, sizeof err);
        assert_null(c);
        /* DIR stands for the project directory, also inside the message. */
        char expected[1500];
        snprintf(expected, sizeof expected, "%s", bad_cases[i].want);
        char *d = strstr(expected, "DIR");
        if (d) {
            char tail[1500];
            snprintf(tail, sizeof tail, "%s", d + 3);
            snprintf(d, sizeof expected - (size_t)(d - expected), "%s%s", dir, tail);
        }
        snprintf(want, sizeof want, "%s/%s", dir, expected);
        assert_string_equal(err, want);
        unit_tmpdir_remove(dir);
    }
}

static void test_rollups_storage_needs_secrets(void **state)
{
    (void)state;
    char dir[300], secrets[400];
    char text[2048];
    snprintf(text, sizeof text, "%s%s", HEAD,
             "    - name: r\n      grain: ds\n      dimensions: []\n      metrics: [revenue]\n"
             "      storage: elsewhere\n");
    make_project(dir, sizeof dir, text);
    snprintf(secrets, sizeof secrets, "%s/secrets", dir);
    assert_int_equal(mkdir(secrets, 0700), 0);
    unit_write_file(secrets, "db.json", "{\"connection_class\": \"sqlite\", \"path\": \"x.db\"}");
    char **problems;
    size_t n;
    catalog *c = catalog_validate(dir, secrets, &problems, &n);
    assert_int_equal(n, 1);
    char want[1200];
    snprintf(want, sizeof want,
             "%s/sources/s.yaml:12:16: source 'payments': rollup 'r': storage: no secrets file "
             "for connection 'elsewhere' (expected %s/elsewhere.json)",
             dir, secrets);
    assert_string_equal(problems[0], want);
    sem_strv_free(problems, n);
    catalog_free(c);
    unit_write_file(secrets, "elsewhere.json",
                    "{\"connection_class\": \"sqlite\", \"path\": \"y.db\"}");
    char err[1024];
    c = catalog_load(dir, secrets, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    const source *s;
    const rollup *r = catalog_rollup(c, "r", &s);
    assert_non_null(r->storage_conn);
    assert_string_equal(catalog_rollup_storage(s, r)->name, "elsewhere");
    catalog_free(c);
    unit_tmpdir_remove(dir);
}

static void test_avg_argument(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"AVG(amount)", "amount"},
        {" avg ( COALESCE(a, 0) + 1 ) ", "COALESCE(a, 0) + 1"},
        {"AVG(CASE WHEN x = ')' THEN 1 END)", "CASE WHEN x = ')' THEN 1 END"},
        {"AVG(a) + 1", NULL},
        {"AVG(DISTINCT a)", NULL},
        {"AVG()", NULL},
        {"SUM(a)", NULL},
        {"AVG(a", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = rollup_avg_argument(cases[i][0]);
        if (cases[i][1]) {
            assert_non_null(got);
            assert_string_equal(got, cases[i][1]);
        } else
            assert_null(got);
        free(got);
    }
}

static void test_durations(void **state)
{
    (void)state;
    long s = 0;
    assert_true(rollup_parse_duration("1 hour", &s));
    assert_int_equal(s, 3600);
    assert_true(rollup_parse_duration("3 Days", &s));
    assert_int_equal(s, 259200);
    assert_true(rollup_parse_duration("90 seconds", &s));
    assert_int_equal(s, 90);
    assert_true(rollup_parse_duration("2 weeks", &s));
    assert_int_equal(s, 1209600);
    assert_false(rollup_parse_duration("1 month", &s));
    assert_false(rollup_parse_duration("hour", &s));
    assert_false(rollup_parse_duration("-1 hour", &s));
    assert_false(rollup_parse_duration("1 hours ago", &s));
}

/* ---- periods (planner/rollup_plan.c) ---- */

typedef struct floor_case {
    const char *grain;
    const char *zone; /* NULL: UTC */
    int week_sunday, fiscal_start;
    const char *utc; /* the instant */
    const char *want;
} floor_case;

static const floor_case floor_cases[] = {
    {"ts_second", NULL, 0, 0, "2024-03-10 14:35:27", "2024-03-10 14:35:27"},
    {"ts_minute", NULL, 0, 0, "2024-03-10 14:35:27", "2024-03-10 14:35:00"},
    {"ts_hour", NULL, 0, 0, "2024-03-10 14:35:27", "2024-03-10 14:00:00"},
    {"ds", NULL, 0, 0, "2024-03-10 14:35:27", "2024-03-10 00:00:00"},
    {"week", NULL, 0, 0, "2024-03-10 14:35:27", "2024-03-04 00:00:00"}, /* a Sunday */
    {"week", NULL, 1, 0, "2024-03-10 14:35:27", "2024-03-10 00:00:00"},
    {"week", NULL, 0, 0, "2024-03-04 00:00:00", "2024-03-04 00:00:00"},
    {"week", NULL, 0, 0, "2024-01-03 10:00:00", "2024-01-01 00:00:00"},
    {"week", NULL, 0, 0, "2021-01-01 10:00:00", "2020-12-28 00:00:00"}, /* across a year */
    {"year_month", NULL, 0, 0, "2024-03-10 14:35:27", "2024-03-01 00:00:00"},
    {"quarter", NULL, 0, 0, "2024-03-10 14:35:27", "2024-01-01 00:00:00"},
    {"quarter", NULL, 0, 0, "2024-12-31 23:59:59", "2024-10-01 00:00:00"},
    {"year", NULL, 0, 0, "2024-03-10 14:35:27", "2024-01-01 00:00:00"},
    {"fiscal_year", NULL, 0, 4, "2024-03-10 14:35:27", "2023-04-01 00:00:00"},
    {"fiscal_year", NULL, 0, 4, "2024-04-01 00:00:00", "2024-04-01 00:00:00"},
    {"fiscal_quarter", NULL, 0, 4, "2024-03-10 14:35:27", "2024-01-01 00:00:00"},
    {"fiscal_quarter", NULL, 0, 2, "2024-03-10 14:35:27", "2024-02-01 00:00:00"},
    {"fiscal_quarter", NULL, 0, 2, "2024-01-10 00:00:00", "2023-11-01 00:00:00"},
    {"ds", "+05:30", 0, 0, "2024-03-10 14:35:27", "2024-03-10 00:00:00"},
    {"ds", "+05:30", 0, 0, "2024-03-10 20:00:00", "2024-03-11 00:00:00"},
    {"ts_hour", "America/New_York", 0, 0, "2024-03-10 14:35:27", "2024-03-10 10:00:00"},
    {"ds", "America/New_York", 0, 0, "2024-03-10 03:00:00", "2024-03-09 00:00:00"},
};

static void test_period_floor(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof floor_cases / sizeof *floor_cases; i++) {
        const floor_case *f = &floor_cases[i];
        catalog c = {0};
        c.cal.time_zone = (char *)f->zone;
        c.cal.week_start = f->week_sunday ? WEEK_START_SUNDAY : WEEK_START_MONDAY;
        c.cal.fiscal_year_start_month = f->fiscal_start;
        rollup r = {.grain = (char *)f->grain};
        struct tm tm = {0};
        assert_non_null(strptime(f->utc, "%Y-%m-%d %H:%M:%S", &tm));
        char out[ROLLUP_TIME_LEN];
        rollup_period_floor(&c, &r, timegm(&tm), out);
        print_message("case %zu: %s %s %s\n", i, f->grain, f->zone ? f->zone : "UTC", f->utc);
        assert_string_equal(out, f->want);
    }
}

/* ---- the build's query (planner/rollup_plan.c) ---- */

static catalog *load_with_secrets(char *dir, size_t len)
{
    make_project(dir, len, sources_ok);
    char secrets[400], err[1024];
    snprintf(secrets, sizeof secrets, "%s/secrets", dir);
    assert_int_equal(mkdir(secrets, 0700), 0);
    unit_write_file(secrets, "db.json", "{\"connection_class\": \"sqlite\", \"path\": \"x.db\"}");
    catalog *c = catalog_load(dir, secrets, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    return c;
}

static void test_rollup_plan(void **state)
{
    (void)state;
    char dir[300];
    catalog *c = load_with_secrets(dir, sizeof dir);
    const source *s;
    const rollup *r = catalog_rollup(c, "payments_daily", &s);
    arena a;
    arena_init(&a);
    rollup_sql full, part;
    sql_error e = {0};
    assert_true(rollup_plan(&a, c, s, r, NULL, NULL, NULL, &full, &e));
    static const char *const want[] = {"period", "store_id",        "country",           "revenue",
                                       "n",      "avg_amount__sum", "avg_amount__count", "top"};
    assert_int_equal(full.ncolumns, sizeof want / sizeof *want);
    for (size_t i = 0; i < full.ncolumns; i++)
        assert_string_equal(full.columns[i], want[i]);
    assert_int_equal(full.ndims, 2);
    assert_int_equal(full.dialect, DIALECT_SQLITE);
    assert_int_equal(full.nparams, 0);
    assert_non_null(strstr(full.sql, "SUM(amount)"));
    assert_non_null(strstr(full.sql, "COUNT(amount)"));
    assert_null(strstr(full.sql, "AVG("));
    assert_null(strstr(full.sql, "COALESCE(")); /* revenue's fill_nulls_with is not applied */
    assert_non_null(strstr(full.sql, "datetime(mimir_q."));
    assert_true(
        rollup_plan(&a, c, s, r, NULL, "2024-01-01 00:00:00", "2024-02-01 00:00:00", &part, &e));
    assert_int_equal(part.nparams, 2);
    /* The same definition, whatever the range; another rollup, another hash. */
    assert_true(part.definition_hash == full.definition_hash);
    rollup_sql monthly;
    const rollup *m = catalog_rollup(c, "payments_monthly", NULL);
    assert_true(rollup_plan(&a, c, s, m, NULL, NULL, "2024-02-01 00:00:00", &monthly, &e));
    assert_true(monthly.definition_hash != full.definition_hash);
    assert_int_equal(monthly.ncolumns, 2);
    arena_free(&a);
    catalog_free(c);
    unit_tmpdir_remove(dir);
}

/* In a calendar zone other than UTC the plan needs the time column's type, converts an
 * instant (SQLite's UTC text) into the zone, and the zone is part of the definition. */
static void test_rollup_plan_in_a_zone(void **state)
{
    (void)state;
    char dir[300];
    catalog *c = load_with_secrets(dir, sizeof dir);
    const source *s;
    const rollup *r = catalog_rollup(c, "payments_daily", &s);
    arena a;
    arena_init(&a);
    rollup_sql utc, ny, kathmandu;
    sql_error e = {0};
    assert_false(rollup_zone_needs_types(c));
    assert_true(rollup_plan(&a, c, s, r, NULL, NULL, NULL, &utc, &e));
    discovered_types *t = discovered_types_new();
    column_type text;
    char why[200];
    assert_true(column_type_parse("text", &text, why, sizeof why));
    discovered_types_set(t, s->name, "ts", &text);
    /* Only the time column's type is read: the UTC plan is the same with it. */
    rollup_sql utc_typed;
    assert_true(rollup_plan(&a, c, s, r, t, NULL, NULL, &utc_typed, &e));
    assert_string_equal(utc_typed.sql, utc.sql);
    assert_true(utc_typed.definition_hash == utc.definition_hash);
    char *own_zone = c->cal.time_zone;
    c->cal.time_zone = (char *)"America/New_York";
    assert_true(rollup_zone_needs_types(c));
    assert_false(rollup_plan(&a, c, s, r, NULL, NULL, NULL, &ny, &e));
    assert_non_null(strstr(e.message, "the calendar's time zone 'America/New_York'"));
    assert_non_null(strstr(e.message, "the type of that column is not known"));
    assert_true(rollup_plan(&a, c, s, r, t, NULL, NULL, &ny, &e));
    assert_non_null(strstr(ny.sql, "mimir_tz_local("));
    assert_null(strstr(utc.sql, "mimir_tz_local("));
    c->cal.time_zone = (char *)"Asia/Kathmandu";
    assert_true(rollup_plan(&a, c, s, r, t, NULL, NULL, &kathmandu, &e));
    /* Another zone, another definition: a build rebuilds. */
    assert_true(ny.definition_hash != utc.definition_hash);
    assert_true(kathmandu.definition_hash != ny.definition_hash);
    c->cal.time_zone = own_zone;
    discovered_types_free(t);
    arena_free(&a);
    catalog_free(c);
    unit_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollups_load),
        cmocka_unit_test(test_rollups_refused),
        cmocka_unit_test(test_rollups_storage_needs_secrets),
        cmocka_unit_test(test_avg_argument),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_period_floor),
        cmocka_unit_test(test_rollup_plan),
        cmocka_unit_test(test_rollup_plan_in_a_zone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
