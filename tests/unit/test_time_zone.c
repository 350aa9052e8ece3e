/*
 * Session time zones (planner/time_zone.h): what SET time_zone accepts and
 * refuses, as MySQL does, and the wall clock of an instant in each kind of
 * zone, across New York's 2022 daylight-saving changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "planner/time_zone.h"

typedef struct zone_case {
    const char *text;
    bool ok;
    time_zone_kind kind;
    int offset;
    const char *shown;
} zone_case;

static void test_parse(void **state)
{
    (void)state;
    static const zone_case cases[] = {
        {"SYSTEM", true, TZ_UTC, 0, "SYSTEM"},
        {"system", true, TZ_UTC, 0, "SYSTEM"},
        {"+00:00", true, TZ_UTC, 0, "+00:00"},
        {"-00:00", true, TZ_UTC, 0, "+00:00"},
        {"+05:30", true, TZ_OFFSET, 330, "+05:30"},
        {"+5:30", true, TZ_OFFSET, 330, "+05:30"},
        {"-05:00", true, TZ_OFFSET, -300, "-05:00"},
        {"+14:00", true, TZ_OFFSET, 840, "+14:00"},
        {"-13:59", true, TZ_OFFSET, -839, "-13:59"},
        {"+14:01", false, 0, 0, NULL},
        {"-14:00", false, 0, 0, NULL},
        {"+05:60", false, 0, 0, NULL},
        {"05:30", false, 0, 0, NULL},
        {"+05", false, 0, 0, NULL},
        {"+05:30x", false, 0, 0, NULL},
        {"America/New_York", true, TZ_NAMED, 0, "America/New_York"},
        {"Asia/Tokyo", true, TZ_NAMED, 0, "Asia/Tokyo"},
        {"UTC", true, TZ_UTC, 0, "UTC"},
        {"Mars/Olympus_Mons", false, 0, 0, NULL},
        {"../../etc/passwd", false, 0, 0, NULL},
        {"/etc/passwd", false, 0, 0, NULL},
        {"America/", false, 0, 0, NULL},
        {"America", false, 0, 0, NULL}, /* a directory, not a zone */
        {"", false, 0, 0, NULL},
        {"America/New York", false, 0, 0, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const zone_case *c = &cases[i];
        time_zone tz;
        bool ok = time_zone_parse(c->text, &tz);
        if (ok != c->ok)
            fail_msg("'%s': parse gave %d", c->text, ok);
        if (!ok)
            continue;
        assert_int_equal(tz.kind, c->kind);
        assert_int_equal(tz.offset_minutes, c->offset);
        assert_string_equal(tz.text, c->shown);
    }
}

static time_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
    return timegm(&tm);
}

static void assert_local(const char *zone, time_t t, const char *want)
{
    time_zone tz;
    assert_true(time_zone_parse(zone, &tz));
    struct tm tm;
    time_zone_local(&tz, t, &tm);
    char text[32];
    strftime(text, sizeof(text), "%Y-%m-%d %H:%M", &tm);
    assert_string_equal(text, want);
}

static void test_local(void **state)
{
    (void)state;
    /* New York's fall-back: 05:30 and 06:30 UTC are both 01:30 on the wall. */
    assert_local("America/New_York", utc(2022, 11, 6, 5, 30), "2022-11-06 01:30");
    assert_local("America/New_York", utc(2022, 11, 6, 6, 30), "2022-11-06 01:30");
    /* Spring-forward: 06:59 UTC is 01:59 EST, 07:00 UTC is 03:00 EDT. */
    assert_local("America/New_York", utc(2022, 3, 13, 6, 59), "2022-03-13 01:59");
    assert_local("America/New_York", utc(2022, 3, 13, 7, 0), "2022-03-13 03:00");
    assert_local("Asia/Tokyo", utc(2022, 12, 31, 15, 0), "2023-01-01 00:00");
    assert_local("+05:30", utc(2022, 12, 31, 18, 30), "2023-01-01 00:00");
    assert_local("-05:00", utc(2022, 1, 1, 4, 59), "2021-12-31 23:59");
    assert_local("SYSTEM", utc(2022, 1, 1, 4, 59), "2022-01-01 04:59");
    /* The process's own zone is left as it was. */
    time_zone tz;
    time_zone_default(&tz);
    assert_string_equal(tz.text, "+00:00");
    assert_int_equal(tz.kind, TZ_UTC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_local),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
