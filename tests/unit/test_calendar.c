/*
 * The canonical calendar (calendar.yaml at a project's root, semantic/calendar.c):
 * what it loads, and each problem with the FILE:LINE:COLUMN catalog_load and
 * catalog_validate report (fixtures in tests/unit/fixtures/semantic/calendar_*).
 * The zone forms are those of semantic/zone_text.h, which the planner shares.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantic/catalog.h"
#include "semantic/catalog_view.h"
#include "semantic/util.h"
#include "semantic/zone_text.h"

#define FIXTURES "tests/unit/fixtures/semantic"

static void test_no_calendar(void **state)
{
    (void)state;
    char err[1024];
    catalog *c = catalog_load("configs/pagila", NULL, err, sizeof err);
    assert_non_null(c);
    assert_false(c->cal.present);
    assert_int_equal(c->cal.week_start, WEEK_START_MONDAY);
    assert_int_equal(c->cal.fiscal_year_start_month, 0);
    assert_null(c->cal.time_zone);
    catalog_free(c);
}

static void test_calendar_loads(void **state)
{
    (void)state;
    char err[1024];
    catalog *c = catalog_load(FIXTURES "/calendar_ok", NULL, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    assert_true(c->cal.present);
    assert_int_equal(c->cal.week_start, WEEK_START_SUNDAY);
    assert_int_equal(c->cal.fiscal_year_start_month, 2);
    assert_string_equal(c->cal.time_zone, "Europe/Amsterdam");
    assert_string_equal(c->cal.at.file, FIXTURES "/calendar_ok/calendar.yaml");
    /* A user's restricted view has the same calendar (borrowed, like its names). */
    catalog *view = catalog_view_empty(c);
    assert_int_equal(view->cal.week_start, WEEK_START_SUNDAY);
    assert_int_equal(view->cal.fiscal_year_start_month, 2);
    assert_ptr_equal(view->cal.time_zone, c->cal.time_zone);
    catalog_view_free(view);
    catalog_free(c);
    /* calendar.yml is read too; an offset is a zone. */
    c = catalog_load(FIXTURES "/calendar_yml", NULL, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(c->cal.week_start, WEEK_START_MONDAY);
    assert_int_equal(c->cal.fiscal_year_start_month, 10);
    assert_string_equal(c->cal.time_zone, "-05:00");
    catalog_free(c);
}

typedef struct calendar_error {
    const char *dir; /* under FIXTURES */
    const char *err; /* after FIXTURES "/<dir>/" */
} calendar_error;

static const calendar_error calendar_errors[] = {
    {"calendar_week_friday",
     "calendar.yaml:1:13: week_start must be monday (ISO weeks, the default) or sunday, not "
     "'friday'"},
    {"calendar_month_13",
     "calendar.yaml:2:26: fiscal_year_start_month must be the number of the month the fiscal year "
     "starts in, from 1 (January) to 12 (December), not '13'"},
    {"calendar_unknown_key",
     "calendar.yaml:2:1: unknown key 'fiscal_start' in the calendar (expected week_start, "
     "fiscal_year_start_month or time_zone)"},
    {"calendar_not_mapping",
     "calendar.yaml:1:1: the calendar must be a mapping of week_start, fiscal_year_start_month "
     "and time_zone, not a list"},
    {"calendar_unknown_zone",
     "calendar.yaml:1:12: time_zone 'Europe/Atlantis' is not a time zone: write SYSTEM, UTC, an "
     "offset such as '+05:30' (from -13:59 to +14:00) or a zone of the tz database "
     "(/usr/share/zoneinfo) such as 'Europe/Amsterdam'"},
};

static void test_calendar_errors(void **state)
{
    (void)state;
    unsetenv("TZDIR"); /* the message names the directory */
    for (size_t i = 0; i < sizeof calendar_errors / sizeof *calendar_errors; i++) {
        const calendar_error *e = &calendar_errors[i];
        char dir[256], err[1024], want[1400];
        snprintf(dir, sizeof dir, "%s/%s", FIXTURES, e->dir);
        snprintf(want, sizeof want, "%s/%s", dir, e->err);
        print_message("case %s\n", e->dir);
        catalog *c = catalog_load(dir, NULL, err, sizeof err);
        assert_null(c);
        assert_string_equal(err, want);
        /* validate reports the same, once */
        char **problems;
        size_t n;
        c = catalog_validate(dir, NULL, &problems, &n);
        assert_int_equal(n, 1);
        assert_string_equal(problems[0], want);
        assert_false(c->cal.present);
        sem_strv_free(problems, n);
        catalog_free(c);
    }
}

/* Every problem of the file at once; the sources still load. */
static void test_validate_collects_calendar_problems(void **state)
{
    (void)state;
    static const char *const want[] = {
        "calendar.yaml:1:13: week_start must be monday (ISO weeks, the default) or sunday, not "
        "'friday'",
        "calendar.yaml:2:26: fiscal_year_start_month must be the number of the month the fiscal "
        "year starts in, from 1 (January) to 12 (December), not '0'",
        "calendar.yaml:3:12: time_zone '+15:00' is not a time zone: write SYSTEM, UTC, an offset "
        "such as '+05:30' (from -13:59 to +14:00) or a zone of the tz database "
        "(/usr/share/zoneinfo) such as 'Europe/Amsterdam'",
        "calendar.yaml:4:1: unknown key 'fiscal_year_start' in the calendar (expected "
        "week_start, fiscal_year_start_month or time_zone)",
    };
    unsetenv("TZDIR");
    char **problems;
    size_t n;
    catalog *c = catalog_validate(FIXTURES "/calendar_many", NULL, &problems, &n);
    for (size_t i = 0; i < n; i++)
        print_message("%s\n", problems[i]);
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++) {
        char full[1024];
        snprintf(full, sizeof full, "%s/calendar_many/%s", FIXTURES, want[i]);
        assert_string_equal(problems[i], full);
    }
    assert_int_equal(c->n_sources, 2);
    sem_strv_free(problems, n);
    catalog_free(c);
}

static void test_calendar_both_spellings(void **state)
{
    (void)state;
    char err[1024];
    assert_null(catalog_load(FIXTURES "/calendar_both", NULL, err, sizeof err));
    assert_string_equal(err, FIXTURES
                        "/calendar_both/calendar.yml: a project has one calendar: " FIXTURES
                        "/calendar_both/calendar.yaml is there too (keep one of them)");
}

/* The zone forms, as SET time_zone takes them. */
static void test_zone_text(void **state)
{
    (void)state;
    static const char *const known[] = {"SYSTEM",           "system",          "UTC",    "Etc/UTC",
                                        "+00:00",           "-13:59",          "+14:00", "+5:30",
                                        "America/New_York", "Europe/Amsterdam"};
    static const char *const unknown[] = {"",        "+14:01",   "-14:00",          "+05",
                                          "05:00",   "+05:60",   "Europe/Atlantis", "../etc/passwd",
                                          "Europe/", "/etc/UTC", "Europe"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!zone_text_known(known[i]))
            fail_msg("'%s' should be a zone", known[i]);
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++)
        if (zone_text_known(unknown[i]))
            fail_msg("'%s' should not be a zone", unknown[i]);
    int m;
    assert_true(zone_offset_minutes("-05:30", &m));
    assert_int_equal(m, -330);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_calendar),
        cmocka_unit_test(test_calendar_loads),
        cmocka_unit_test(test_calendar_errors),
        cmocka_unit_test(test_validate_collects_calendar_problems),
        cmocka_unit_test(test_calendar_both_spellings),
        cmocka_unit_test(test_zone_text),
    };
    return cmocka_run_group_tests_name("calendar.yaml", tests, NULL, NULL);
}
