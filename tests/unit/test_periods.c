/*
 * Calendar periods and MySQL's DATE_ADD (planner/periods.h): the period of
 * each kind that contains a time, stepping, and month-end clamping. The
 * expected answers are the calendar's (and MySQL's documented DATE_ADD rule);
 * the integration tests compare time metrics with PostgreSQL's and MariaDB's
 * own arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "planner/periods.h"

static int64_t at(const char *text)
{
    period_kind day = {.unit = PERIOD_DAY, .fiscal_start_month = 1};
    int64_t t;
    assert_true(period_read(&day, text, &t));
    return t;
}

static void assert_period(period_kind k, const char *time, const char *expected)
{
    char out[32];
    period_format(&k, period_floor(&k, at(time)), out);
    if (strcmp(out, expected) != 0)
        fail_msg("unit %d of %s: got %s, expected %s", (int)k.unit, time, out, expected);
}

static void test_period_start(void **state)
{
    (void)state;
    static const struct {
        period_unit unit;
        bool sunday;
        int fiscal;
        const char *time, *expected;
    } cases[] = {
        {PERIOD_HOUR, false, 1, "2024-03-10 02:30:00", "2024-03-10 02:00:00"},
        {PERIOD_DAY, false, 1, "2024-02-29 23:59:59", "2024-02-29"},
        {PERIOD_WEEK, false, 1, "2024-03-10 12:00:00", "2024-03-04"}, /* a Sunday: ISO week */
        {PERIOD_WEEK, true, 1, "2024-03-10 12:00:00", "2024-03-10"},
        {PERIOD_WEEK, true, 1, "2024-03-09", "2024-03-03"},
        {PERIOD_WEEK, false, 1, "1969-12-31", "1969-12-29"},
        {PERIOD_MONTH, false, 1, "2024-02-29", "2024-02-01"},
        {PERIOD_QUARTER, false, 1, "2024-06-30", "2024-04-01"},
        {PERIOD_YEAR, false, 1, "2024-06-30", "2024"},
        {PERIOD_FISCAL_YEAR, false, 2, "2024-01-15", "2023-02-01"},
        {PERIOD_FISCAL_YEAR, false, 2, "2024-02-01", "2024-02-01"},
        {PERIOD_FISCAL_QUARTER, false, 2, "2024-01-15", "2023-11-01"},
        {PERIOD_FISCAL_QUARTER, false, 2, "2024-05-01", "2024-05-01"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_period(
            (period_kind){cases[i].unit, cases[i].sunday, cases[i].fiscal, PERIOD_LABEL_GRAIN},
            cases[i].time, cases[i].expected);
}

static void test_date_add_clamps_month_ends(void **state)
{
    (void)state;
    static const struct {
        const char *time;
        int n;
        time_unit unit;
        const char *expected;
    } cases[] = {
        {"2024-02-29 10:00:00", -1, TIME_UNIT_YEAR, "2023-02-28 10:00:00"},
        {"2024-03-31 00:00:00", -1, TIME_UNIT_MONTH, "2024-02-29 00:00:00"},
        {"2024-05-31 00:00:00", -1, TIME_UNIT_QUARTER, "2024-02-29 00:00:00"},
        {"2024-01-31 00:00:00", 1, TIME_UNIT_MONTH, "2024-02-29 00:00:00"},
        {"2024-03-01 00:00:00", -7, TIME_UNIT_DAY, "2024-02-23 00:00:00"},
        {"2024-03-01 00:00:00", -2, TIME_UNIT_WEEK, "2024-02-16 00:00:00"},
        {"2024-01-15 00:00:00", -13, TIME_UNIT_MONTH, "2022-12-15 00:00:00"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[32];
        period_time_text(period_date_add(at(cases[i].time), cases[i].n, cases[i].unit), out);
        if (strcmp(out, cases[i].expected) != 0)
            fail_msg("%s %+d: got %s, expected %s", cases[i].time, cases[i].n, out,
                     cases[i].expected);
    }
}

static void test_step_and_codes(void **state)
{
    (void)state;
    period_kind q = {.unit = PERIOD_FISCAL_QUARTER, .fiscal_start_month = 11};
    char out[32];
    period_format(&q, period_step(&q, period_floor(&q, at("2024-01-20")), 1), out);
    assert_string_equal(out, "2024-02-01");
    period_format(&q, period_step(&q, period_floor(&q, at("2024-01-20")), -2), out);
    assert_string_equal(out, "2023-05-01");
    period_kind back;
    assert_true(period_kind_of_code(period_kind_code(&q), &back));
    assert_int_equal(back.unit, PERIOD_FISCAL_QUARTER);
    assert_int_equal(back.fiscal_start_month, 11);
    period_kind y = {.unit = PERIOD_YEAR, .fiscal_start_month = 1};
    int64_t t;
    assert_true(period_read(&y, "2023", &t));
    period_format(&y, period_step(&y, t, 1), out);
    assert_string_equal(out, "2024");
    assert_false(period_kind_of_code(5, &back)); /* no fiscal month */
    assert_false(period_read(&y, "twenty", &t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_start),
        cmocka_unit_test(test_date_add_clamps_month_ends),
        cmocka_unit_test(test_step_and_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
