/*
 * MySQL's DATETIME and TIME values as text (planner/time_values.h): reading,
 * printing with MySQL's range and clamp, TIME_FORMAT, and CONVERT_TZ of
 * constants (planner/time_zone.h) with MySQL's rules for skipped and repeated
 * wall clocks. The answers are MySQL's documented ones
 * (the integration tests check the same functions against a real MariaDB).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "planner/time_values.h"
#include "planner/time_zone.h"

typedef struct read_case {
    const char *text;
    bool ok, is_datetime;
    int64_t us;
    int digits;
} read_case;

static void test_read(void **state)
{
    (void)state;
    static const read_case cases[] = {
        {"1970-01-01 00:00:00", true, true, 0, 0},
        {"1970-01-02", true, true, INT64_C(86400000000), 0},
        {"1969-12-31 23:59:59.5", true, true, INT64_C(-500000), 1},
        {"01:00:00", true, false, INT64_C(3600000000), 0},
        {"-01:00:00.25", true, false, INT64_C(-3600250000), 2},
        {"838:59:59", true, false, INT64_C(3020399000000), 0},
        {"12:61:00", false, false, 0, 0},
        {"2022-13-01", false, false, 0, 0},
        {"hello", false, false, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t us = 0;
        bool is_datetime = false;
        int digits = -1;
        bool ok = tv_read(cases[i].text, &us, &is_datetime, &digits);
        assert_int_equal(ok, cases[i].ok);
        if (!ok)
            continue;
        assert_int_equal(is_datetime, cases[i].is_datetime);
        assert_int_equal(us, cases[i].us);
        assert_int_equal(digits, cases[i].digits);
    }
}

static void test_time_text(void **state)
{
    (void)state;
    char out[TV_TEXT_SIZE];
    tv_time_text(tv_clamp_time(INT64_C(-3600000000), false), -1, out);
    assert_string_equal(out, "-01:00:00");
    tv_time_text(tv_clamp_time(INT64_C(90000000000), false), -1, out);
    assert_string_equal(out, "25:00:00");
    tv_time_text(tv_clamp_time(INT64_C(99999000000000), false), -1, out);
    assert_string_equal(out, "838:59:59");
    tv_time_text(tv_clamp_time(INT64_C(-99999000000000), true), -1, out);
    assert_string_equal(out, "-838:59:59.999999");
    tv_time_text(INT64_C(1500000), 6, out);
    assert_string_equal(out, "00:00:01.500000");
    tv_datetime_text(INT64_C(-500000), 1, out);
    assert_string_equal(out, "1969-12-31 23:59:59.5");
}

static void test_time_format(void **state)
{
    (void)state;
    char out[128];
    assert_true(tv_time_format(INT64_C(-43509000000), "%H %k %h %l %p %T %%", out, sizeof(out)));
    assert_string_equal(out, "-12 12 12 12 PM 12:05:09 %");
    assert_true(tv_time_format(INT64_C(360000000000), "%H:%i %I %p", out, sizeof(out)));
    assert_string_equal(out, "100:00 04 AM");
    assert_false(tv_time_format(0, "%Y", out, sizeof(out))); /* a date code: MySQL's NULL */
    char bad = 0;
    assert_false(tv_time_format_codes("%H %d", &bad));
    assert_int_equal(bad, 'd');
}

static void test_convert_tz(void **state)
{
    (void)state;
    char out[64];
    assert_true(
        time_zone_convert_text("2022-03-13 06:30:00", "UTC", "America/New_York", out, sizeof(out)));
    assert_string_equal(out, "2022-03-13 01:30:00");
    assert_true(
        time_zone_convert_text("2022-01-01 00:00:00.25", "+00:00", "+05:30", out, sizeof(out)));
    assert_string_equal(out, "2022-01-01 05:30:00.25");
    /* outside the TIMESTAMP range MySQL returns the value unconverted */
    assert_true(
        time_zone_convert_text("1969-07-20 20:17:40", "+00:00", "+05:30", out, sizeof(out)));
    assert_string_equal(out, "1969-07-20 20:17:40");
    /* New York skips 02:00-03:00 on 2022-03-13 (the gap's start) and repeats 01:00-02:00
     * on 2022-11-06 (the earlier instant) */
    assert_true(
        time_zone_convert_text("2022-03-13 02:30:00", "America/New_York", "UTC", out, sizeof(out)));
    assert_string_equal(out, "2022-03-13 07:00:00");
    assert_true(
        time_zone_convert_text("2022-11-06 01:30:00", "America/New_York", "UTC", out, sizeof(out)));
    assert_string_equal(out, "2022-11-06 05:30:00");
    assert_false(
        time_zone_convert_text("2022-01-01 00:00:00", "Nowhere/Land", "+00:00", out, sizeof(out)));
    assert_false(time_zone_convert_text("not a date", "+00:00", "+01:00", out, sizeof(out)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_time_text),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_convert_tz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
