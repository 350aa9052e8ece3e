/*
 * The tz database reader (planner/tz_database.h), checked against the C
 * library reading the same files: for zones with and without daylight saving,
 * on both hemispheres, with half-hour and historical offsets, every offset
 * from 1900 to 2100 (past the TZif tables' last transition, where the POSIX
 * footer rule decides) must be glibc's. Then wall clocks back to instants,
 * with the hour skipped and the hour repeated as MySQL converts them.
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

#include "planner/tz_database.h"

static const char *const zones[] = {
    "America/New_York",
    "Europe/Amsterdam",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Santiago",
    "Africa/Casablanca",
    "Pacific/Chatham",
    "Europe/Dublin",
    "America/St_Johns",
    "Asia/Tehran",
    "UTC",
};

/* glibc's offset of instant t in zone (this test is single-threaded: TZ is its own). */
static long libc_offset(const char *zone, time_t t)
{
    setenv("TZ", zone, 1);
    tzset();
    struct tm tm;
    localtime_r(&t, &tm);
    return tm.tm_gmtoff;
}

static void test_offsets_match_the_c_library(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        const tz_rules *z = tz_rules_get(zones[i]);
        assert_non_null(z);
        /* Every 6 hours and 17 minutes from 1900 to 2100: each transition's day is hit. */
        for (int64_t t = -2208988800LL; t < 4102444800LL; t += 6 * 3600 + 17 * 60) {
            long want = libc_offset(zones[i], (time_t)t);
            if (tz_utc_offset(z, t) != want)
                fail_msg("%s at %lld: %d, glibc %ld", zones[i], (long long)t, tz_utc_offset(z, t),
                         want);
        }
    }
    unsetenv("TZ");
}

static void test_unknown_zones(void **state)
{
    (void)state;
    assert_null(tz_rules_get("Mars/Olympus_Mons"));
    assert_null(tz_rules_get("../etc/passwd"));
    assert_null(tz_rules_get(""));
    assert_null(tz_rules_get("America/"));
    assert_true(tz_rules_get("America/New_York") == tz_rules_get("America/New_York"));
}

static void test_posix_rules(void **state)
{
    (void)state;
    /* The footer of New York's file alone gives its offsets from 2007 on. */
    const tz_rules *rule = tz_rules_from_posix("EST5EDT,M3.2.0,M11.1.0");
    const tz_rules *file = tz_rules_get("America/New_York");
    assert_non_null(rule);
    for (int64_t t = 1199145600LL; t < 2524608000LL; t += 3 * 3600 + 7 * 60)
        assert_int_equal(tz_utc_offset(rule, t), tz_utc_offset(file, t));
    /* Southern hemisphere (daylight saving across the new year), Jn and n days. */
    const tz_rules *south = tz_rules_from_posix("AEST-10AEDT,M10.1.0,M4.1.0/3");
    assert_int_equal(tz_utc_offset(south, 1704067200LL), 11 * 3600); /* 2024-01-01 */
    assert_int_equal(tz_utc_offset(south, 1719792000LL), 10 * 3600); /* 2024-07-01 */
    const tz_rules *julian = tz_rules_from_posix("XST-1XDT,J60,J300");
    assert_int_equal(tz_utc_offset(julian, 1709251200LL + 7200), 2 * 3600); /* 2024-03-01 */
    assert_int_equal(tz_utc_offset(julian, 1709164800LL), 3600);            /* 2024-02-29 */
    assert_non_null(tz_rules_from_posix("<+0530>-5:30"));
    assert_int_equal(tz_utc_offset(tz_rules_from_posix("<+0530>-5:30"), 0), 19800);
    assert_null(tz_rules_from_posix("E5"));
    assert_null(tz_rules_from_posix("EST5EDT,M13.1.0,M11.1.0"));
    assert_null(tz_rules_from_posix("EST5EDT,M3.2.0"));
}

static void test_wall_clock_to_instant(void **state)
{
    (void)state;
    const tz_rules *ny = tz_rules_get("America/New_York");
    /* An ordinary wall clock: 2022-07-01 12:00 EDT is 16:00 UTC. */
    assert_int_equal(tz_local_to_utc(ny, 1656676800LL), 1656676800LL + 4 * 3600);
    /* 2022-11-06 01:30 occurs twice (05:30 and 06:30 UTC): the first. */
    assert_int_equal(tz_local_to_utc(ny, 1667698200LL), 1667698200LL + 4 * 3600);
    /* 2022-03-13 02:30 does not occur: the first instant after the gap, 07:00 UTC. */
    assert_int_equal(tz_local_to_utc(ny, 1647138600LL), 1647154800LL);
    /* Every instant's wall clock converts back to it, but for the repeated hour. */
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        const tz_rules *z = tz_rules_get(zones[i]);
        for (int64_t t = 946684800LL; t < 1893456000LL; t += 5 * 3600 + 11 * 60) {
            int64_t local = t + tz_utc_offset(z, t);
            int64_t back = tz_local_to_utc(z, local);
            if (back != t && back + tz_utc_offset(z, back) != local)
                fail_msg("%s: %lld -> %lld -> %lld", zones[i], (long long)t, (long long)local,
                         (long long)back);
            if (back > t)
                fail_msg("%s: %lld converts back to a later %lld", zones[i], (long long)t,
                         (long long)back);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_match_the_c_library),
        cmocka_unit_test(test_unknown_zones),
        cmocka_unit_test(test_posix_rules),
        cmocka_unit_test(test_wall_clock_to_instant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
