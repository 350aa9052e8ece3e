/*
 * The final stage's calendar functions (see combine_periods.h).
 */
#include "proxy/exec/combine_periods.h"

#include <stdlib.h>
#include <time.h>

#include "planner/periods.h"
#include "planner/time_zone.h"

static bool kind_arg(sqlite3_value *v, period_kind *k)
{
    return sqlite3_value_type(v) == SQLITE_INTEGER &&
           period_kind_of_code(sqlite3_value_int64(v), k);
}

static bool time_arg(sqlite3_value *v, int64_t *t)
{
    if (sqlite3_value_type(v) != SQLITE_INTEGER)
        return false;
    *t = sqlite3_value_int64(v);
    return true;
}

static void fn_period_us(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    period_kind k;
    int64_t start;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || !kind_arg(argv[1], &k) ||
        !period_read(&k, (const char *)sqlite3_value_text(argv[0]), &start))
        return;
    sqlite3_result_int64(ctx, period_floor(&k, start));
}

static void fn_period_label(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    period_kind k;
    int64_t t;
    if (!time_arg(argv[0], &t) || !kind_arg(argv[1], &k))
        return;
    int64_t start = period_floor(&k, t);
    char text[32];
    size_t n = period_format(&k, start, text);
    if (k.unit == PERIOD_YEAR && k.label == PERIOD_LABEL_GRAIN)
        sqlite3_result_int64(ctx, strtoll(text, NULL, 10)); /* a year is a number */
    else
        sqlite3_result_text(ctx, text, (int)n, SQLITE_TRANSIENT);
}

static void fn_period_step_us(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    period_kind k;
    int64_t t;
    if (!time_arg(argv[0], &t) || !kind_arg(argv[1], &k) ||
        sqlite3_value_type(argv[2]) != SQLITE_INTEGER)
        return;
    sqlite3_result_int64(ctx, period_step(&k, period_floor(&k, t), sqlite3_value_int64(argv[2])));
}

static void fn_date_add_us(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int64_t t;
    if (!time_arg(argv[0], &t) || sqlite3_value_type(argv[1]) != SQLITE_INTEGER ||
        sqlite3_value_type(argv[2]) != SQLITE_INTEGER)
        return;
    int64_t unit = sqlite3_value_int64(argv[2]);
    if (unit < TIME_UNIT_DAY || unit > TIME_UNIT_YEAR)
        return;
    sqlite3_result_int64(ctx, period_date_add(t, sqlite3_value_int64(argv[1]), (time_unit)unit));
}

/*
 * mimir_period_exists(start, kind, zone): whether some instant has a wall clock in
 * zone within the period that starts at `start` (the hour a spring-forward skips has
 * none). MySQL's rule makes a skipped wall clock the instant its gap begins, whose wall
 * clock is past the period.
 */
static void fn_period_exists(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    period_kind k;
    int64_t start;
    time_zone tz;
    const char *zone = (const char *)sqlite3_value_text(argv[2]);
    if (!time_arg(argv[0], &start) || !kind_arg(argv[1], &k) || !zone ||
        !time_zone_parse(zone, &tz))
        return;
    int64_t seconds = start / 1000000;
    struct tm local;
    time_zone_local(&tz, (time_t)time_zone_instant(&tz, seconds), &local);
    int64_t back = (int64_t)timegm(&local) * 1000000;
    sqlite3_result_int(ctx, back >= start && back < period_step(&k, start, 1));
}

/* The most periods a calendar spine may hold: a year of minutes is half a million. */
#define SPINE_MAX_PERIODS 1000000

static void fn_spine_limit(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_int64(argv[0]) >= SPINE_MAX_PERIODS) {
        sqlite3_result_error(ctx,
                             "the calendar of this query has more than 1000000 periods: "
                             "choose a coarser time grain or a shorter time range",
                             -1);
        return;
    }
    sqlite3_result_int(ctx, 1);
}

bool combine_periods_register(sqlite3 *db)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    bool ok = sqlite3_create_function(db, "mimir_period_us", 2, flags, NULL, fn_period_us, NULL,
                                      NULL) == SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_period_label", 2, flags, NULL, fn_period_label, NULL,
                                  NULL) == SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_period_step_us", 3, flags, NULL, fn_period_step_us,
                                  NULL, NULL) == SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_date_add_us", 3, flags, NULL, fn_date_add_us, NULL,
                                  NULL) == SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_period_exists", 3, flags, NULL, fn_period_exists, NULL,
                                  NULL) == SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_spine_limit", 1, SQLITE_UTF8, NULL, fn_spine_limit,
                                  NULL, NULL) == SQLITE_OK;
    return ok;
}
