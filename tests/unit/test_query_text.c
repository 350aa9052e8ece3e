/*
 * planner/query_text.c: the SELECT a `mimir query` command line stands for,
 * and the command line's mistakes it refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "planner/query_text.h"

static const char *const revenue[] = {"rentals_revenue"};
static const char *const two_metrics[] = {"movies_rented", "rentals_revenue"};
static const char *const category[] = {"dim_rental_category"};

static void test_sql_of_options(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    char err[512];
    query_request r = {.metrics = revenue, .nmetrics = 1, .limit = -1};
    assert_string_equal(query_request_sql(&a, &r, err, sizeof err),
                        "SELECT AGG(`rentals_revenue`) AS `rentals_revenue` FROM mimir.metrics");

    static const char *const filters[] = {"dim_rental_category = 'Action'", "amount > 1"};
    static const char *const order[] = {"movies_rented DESC", "1"};
    r = (query_request){.metrics = two_metrics,
                        .nmetrics = 2,
                        .dimensions = category,
                        .ndimensions = 1,
                        .granularity = "MONTH",
                        .start_date = "2022-05-01",
                        .end_date = "2022-06-30",
                        .filters = filters,
                        .nfilters = 2,
                        .order = order,
                        .norder = 2,
                        .limit = 10};
    assert_string_equal(
        query_request_sql(&a, &r, err, sizeof err),
        "SELECT `dim_rental_category`, `year_month`, AGG(`movies_rented`) AS `movies_rented`, "
        "AGG(`rentals_revenue`) AS `rentals_revenue` FROM mimir.metrics WHERE `ds` >= '2022-05-01' "
        "AND "
        "`ds` <= '2022-06-30' AND (dim_rental_category = 'Action') AND "
        "(amount > 1) GROUP BY `dim_rental_category`, `year_month` ORDER BY "
        "movies_rented DESC, 1 LIMIT 10");

    /* Without -o, rows come in group order; grains by the prototype's names or the column's. */
    static const char *const odd[] = {"we`ird"};
    r = (query_request){.metrics = odd, .nmetrics = 1, .granularity = "ds", .limit = 0};
    assert_string_equal(
        query_request_sql(&a, &r, err, sizeof err),
        "SELECT `ds`, AGG(`we``ird`) AS `we``ird` FROM mimir.metrics GROUP BY `ds` ORDER BY "
        "`ds` LIMIT 0");

    /* A comment in a filter ends before the rest of the statement. */
    static const char *const commented[] = {"amount > 1 -- big ones"};
    r = (query_request){
        .metrics = revenue, .nmetrics = 1, .filters = commented, .nfilters = 1, .limit = -1};
    assert_string_equal(query_request_sql(&a, &r, err, sizeof err),
                        "SELECT AGG(`rentals_revenue`) AS `rentals_revenue` FROM mimir.metrics "
                        "WHERE (amount > 1 -- "
                        "big ones\n)");
    arena_free(&a);
}

typedef struct bad_case {
    query_request r;
    const char *err;
} bad_case;

static const char *const empty_name[] = {""};
static const char *const two_conditions[] = {"a = 1) OR (b = 2"};
static const char *const trailing[] = {"a = 1 GROUP BY a"};
static const char *const unterminated[] = {"a = 'x"};
static const char *const half[] = {"a ="};
static const char *const bad_order[] = {"a DESC b"};

static const bad_case bad_cases[] = {
    {{.limit = -1}, "ask for at least one metric with -m METRIC"},
    {{.metrics = empty_name, .nmetrics = 1, .limit = -1}, "-m: empty metric name"},
    {{.metrics = revenue, .nmetrics = 1, .dimensions = empty_name, .ndimensions = 1, .limit = -1},
     "-d: empty dimension name"},
    {{.metrics = revenue, .nmetrics = 1, .granularity = "FORTNIGHT", .limit = -1},
     "-g: unknown granularity 'FORTNIGHT' (TIME, SECOND, MINUTE, HOUR, DAY or DATE, WEEK, "
     "MONTH, QUARTER or YEAR, or a time grain column such as ts, ds, week, year_month or year)"},
    {{.metrics = revenue, .nmetrics = 1, .start_date = "2022-13-01", .limit = -1},
     "--start-date: '2022-13-01' is not a date (YYYY-MM-DD)"},
    {{.metrics = revenue, .nmetrics = 1, .end_date = "May 1st", .limit = -1},
     "--end-date: 'May 1st' is not a date (YYYY-MM-DD)"},
    {{.metrics = revenue,
      .nmetrics = 1,
      .start_date = "2022-06-01",
      .end_date = "2022-05-01",
      .limit = -1},
     "--start-date 2022-06-01 is after --end-date 2022-05-01"},
    {{.metrics = revenue, .nmetrics = 1, .filters = two_conditions, .nfilters = 1, .limit = -1},
     "-f 'a = 1) OR (b = 2' is not one condition: syntax error near ') OR (b = 2'"},
    {{.metrics = revenue, .nmetrics = 1, .filters = trailing, .nfilters = 1, .limit = -1},
     "-f 'a = 1 GROUP BY a' is not one condition: syntax error near 'GROUP BY a'"},
    {{.metrics = revenue, .nmetrics = 1, .filters = unterminated, .nfilters = 1, .limit = -1},
     "-f 'a = 'x': "},
    {{.metrics = revenue, .nmetrics = 1, .filters = half, .nfilters = 1, .limit = -1},
     "-f 'a =' is not one condition: it ends too early"},
    {{.metrics = revenue, .nmetrics = 1, .filters = empty_name, .nfilters = 1, .limit = -1},
     "-f: empty"},
    {{.metrics = revenue, .nmetrics = 1, .order = bad_order, .norder = 1, .limit = -1},
     "-o 'a DESC b' is not an expression with an optional ASC or DESC: syntax error near 'b'"},
};

static void test_bad_options(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        arena a;
        arena_init(&a);
        char err[512] = "";
        print_message("case %zu\n", i);
        assert_null(query_request_sql(&a, &bad_cases[i].r, err, sizeof err));
        size_t n = strlen(bad_cases[i].err);
        if (bad_cases[i].err[n - 1] == ' ')
            assert_true(strncmp(err, bad_cases[i].err, n) == 0);
        else
            assert_string_equal(err, bad_cases[i].err);
        arena_free(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_of_options),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
