/*
 * Which period a time expression groups by (planner/time_probe.h): grain
 * columns, the truncations BI tools write (recorded in tests/compat/), and
 * expressions that are no truncation (a month number, a formatted text, a
 * shifted time) which must not be taken for one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "planner/parser.h"
#include "planner/time_probe.h"

typedef struct probe_case {
    const char *expr;
    bool recognised;
    period_unit unit;
    bool sunday;
    period_label label;
} probe_case;

static const probe_case cases[] = {
    /* grain columns: their values, as the columns show them (a year is a number) */
    {"ds", true, PERIOD_DAY, false, PERIOD_LABEL_DATE},
    {"year_month", true, PERIOD_MONTH, false, PERIOD_LABEL_DATE},
    {"ts_hour", true, PERIOD_HOUR, false, PERIOD_LABEL_DATETIME},
    {"year", true, PERIOD_YEAR, false, PERIOD_LABEL_GRAIN},
    {"DATE_FORMAT(year_month, '%Y-%m-01 00:00:00')", true, PERIOD_MONTH, false,
     PERIOD_LABEL_DATETIME},
    /* Tableau (tests/compat/tableau.yaml) */
    {"ADDDATE(DATE_FORMAT(ts, '%Y-%m-01 00:00:00'), INTERVAL 0 SECOND)", true, PERIOD_MONTH, false,
     PERIOD_LABEL_DATETIME},
    {"ADDDATE(DATE_FORMAT(ts, '%Y-01-01 00:00:00'), INTERVAL 0 SECOND)", true, PERIOD_YEAR, false,
     PERIOD_LABEL_DATETIME},
    {"ADDDATE(DATE_FORMAT(ts, '%Y-%m-%d %H:00:00'), INTERVAL 0 SECOND)", true, PERIOD_HOUR, false,
     PERIOD_LABEL_DATETIME},
    {"ADDDATE(FROM_DAYS(TO_DAYS(ts) - (DAYOFWEEK(ts) - 1)), INTERVAL 0 SECOND)", true, PERIOD_WEEK,
     true, PERIOD_LABEL_DATETIME},
    {"ADDDATE(FROM_DAYS( TO_DAYS(ts) - ((7 + DAYOFWEEK(ts) - 2) % 7) ), INTERVAL 0 SECOND )", true,
     PERIOD_WEEK, false, PERIOD_LABEL_DATETIME},
    {"ADDDATE( CONCAT( DATE_FORMAT( ts, '%Y-' ), (3*(QUARTER(ts)-1)+1), '-01 00:00:00' ), "
     "INTERVAL 0 SECOND )",
     true, PERIOD_QUARTER, false, PERIOD_LABEL_DATETIME},
    /* Superset (tests/compat/superset.yaml) */
    {"DATE(DATE_SUB(ts, INTERVAL DAYOFWEEK(ts) - 1 DAY))", true, PERIOD_WEEK, true,
     PERIOD_LABEL_DATE},
    {"DATE(DATE_SUB(ts, INTERVAL DAYOFWEEK(DATE_SUB(ts, INTERVAL 1 DAY)) - 1 DAY))", true,
     PERIOD_WEEK, false, PERIOD_LABEL_DATE},
    {"DATE(ts)", true, PERIOD_DAY, false, PERIOD_LABEL_DATE},
    {"STR_TO_DATE(DATE_FORMAT(ts, '%Y-%m-01'), '%Y-%m-%d')", true, PERIOD_MONTH, false,
     PERIOD_LABEL_DATE},
    {"MAKEDATE(YEAR(ts), 1) + INTERVAL QUARTER(ts) - 1 QUARTER", true, PERIOD_QUARTER, false,
     PERIOD_LABEL_DATE},
    /* not truncations */
    {"ts", false, 0, false, 0},
    {"MONTH(ts)", false, 0, false, 0},
    {"DATE_FORMAT(ts, '%Y-%m')", false, 0, false, 0},
    {"DATE(ts) + INTERVAL 1 DAY", false, 0, false, 0},
    {"DATE_FORMAT(ts, '%Y-%m-%d 00:00:00')", true, PERIOD_DAY, false, PERIOD_LABEL_DATETIME},
    {"DATE_FORMAT(ts, '%Y-%m-02')", false, 0, false, 0},
    {"LAST_DAY(ts)", false, 0, false, 0},
    {"UNIX_TIMESTAMP(ts) DIV 3600 * 3600", false, 0, false, 0},
};

static void test_recognises_truncations(void **state)
{
    (void)state;
    catalog cat;
    memset(&cat, 0, sizeof(cat));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        arena a;
        arena_init(&a);
        char sql[512];
        snprintf(sql, sizeof(sql), "SELECT %s FROM mimir.metrics", cases[i].expr);
        statement st;
        parse_error err;
        assert_true(parse_statement(&a, sql, strlen(sql), &st, &err));
        period_kind k;
        bool got = time_expr_period(&cat, st.select->items[0].e, &k);
        if (got != cases[i].recognised)
            fail_msg("%s: recognised %d, expected %d", cases[i].expr, got, cases[i].recognised);
        if (got && (k.unit != cases[i].unit || k.week_starts_sunday != cases[i].sunday ||
                    k.label != cases[i].label))
            fail_msg("%s: unit %d sunday %d label %d", cases[i].expr, (int)k.unit,
                     k.week_starts_sunday, (int)k.label);
        arena_free(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recognises_truncations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
