#include "proxy/backend/sqlite_time_functions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/mysql_time.h"
#include "planner/time_zone.h"
#include "planner/tz_database.h"
#include "wire/xalloc.h"

/*
 * SQLite has no time zones: its date functions know UTC and the process's own
 * zone ('localtime'), nothing else. Mimir opens SQLite sources in process, so
 * it adds what a session time zone needs, read from the system's tz database
 * (planner/tz_database.h, safe on the worker threads that step statements):
 *
 *   mimir_tz_local(t, zone)  the wall clock in zone of the UTC time t
 *   mimir_tz_utc(t, zone)    the UTC time of the wall clock t in zone
 *   mimir_epoch(t)           the seconds since 1970 of the UTC time t (with its
 *                            fraction), UNIX_TIMESTAMP() of an instant
 *   mimir_convert_tz_zones(t, from, to)
 *                            CONVERT_TZ with named zones (planner/time_zone.h)
 *
 * and what SQLite's ISO-only date functions cannot read as MySQL does
 * (planner/mysql_time.h):
 *
 *   mimir_date_format(t, f)  DATE_FORMAT(t, f), with every format code
 *   mimir_datetime(s)        a string read as a DATETIME ('2022-4-1 9:05' is
 *                            '2022-04-01 09:05:00'), NULL if MySQL would not
 *   mimir_time_key(t)        a date or time in one text form, to the microsecond
 *                            ('YYYY-MM-DD HH:MM:SS.ffffff'), so that comparing two
 *                            of them as text compares them as times
 *
 * t is SQLite's time text 'YYYY-MM-DD HH:MM[:SS[.fff...]]' (or 'T' between
 * date and time, or a date alone, read as its midnight); the answer has the
 * same form with the same fraction digits. zone is what SET time_zone takes:
 * '+hh:mm' or a name. NULL in, or a time SQLite would not read, gives NULL.
 */

typedef struct parsed_time {
    int64_t seconds;   /* since 1970, the wall clock read as UTC */
    char fraction[16]; /* ".ffffff" as written, or "" */
} parsed_time;

static bool digits(const char *s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *out = *out * 10 + (s[i] - '0');
    }
    return true;
}

static bool parse_time_text(const char *s, parsed_time *out)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    const char *p = s + 10;
    out->fraction[0] = '\0';
    if (*p == ' ' || *p == 'T') {
        if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || h > 23 || mi > 59)
            return false;
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &se) || se > 59)
                return false;
            p += 3;
            size_t n = strspn(p + (*p == '.'), "0123456789");
            if (*p == '.' && n > 0 && n < sizeof(out->fraction) - 1) {
                memcpy(out->fraction, p, n + 1);
                out->fraction[n + 1] = '\0';
                p += n + 1;
            }
        }
    }
    if (*p != '\0')
        return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = se};
    out->seconds = (int64_t)timegm(&tm);
    return true;
}

/* The zone argument, parsed once per statement (SQLite's auxiliary data). */
typedef struct zone_arg {
    time_zone tz;
    const tz_rules *rules; /* TZ_NAMED only */
} zone_arg;

static const zone_arg *zone_of(sqlite3_context *ctx, sqlite3_value *v)
{
    zone_arg *z = sqlite3_get_auxdata(ctx, 1);
    if (z)
        return z;
    const char *text = (const char *)sqlite3_value_text(v);
    time_zone tz;
    if (!text || !time_zone_parse(text, &tz))
        return NULL;
    z = xcalloc(1, sizeof(*z));
    z->tz = tz;
    z->rules = tz.kind == TZ_NAMED ? tz_rules_get(tz.text) : NULL;
    sqlite3_set_auxdata(ctx, 1, z, free);
    return sqlite3_get_auxdata(ctx, 1); /* SQLite may have freed it at once */
}

static int64_t offset_at(const zone_arg *z, int64_t utc)
{
    if (z->tz.kind == TZ_NAMED)
        return tz_utc_offset(z->rules, utc);
    return z->tz.kind == TZ_OFFSET ? (int64_t)z->tz.offset_minutes * 60 : 0;
}

static void fn_tz_convert(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    bool to_local = sqlite3_user_data(ctx) != NULL;
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    parsed_time t;
    if (!text || !parse_time_text(text, &t)) {
        sqlite3_result_null(ctx);
        return;
    }
    const zone_arg *z = zone_of(ctx, argv[1]);
    if (!z) {
        sqlite3_result_null(ctx); /* CONVERT_TZ's answer for a zone it does not know */
        return;
    }
    int64_t out;
    if (to_local)
        out = t.seconds + offset_at(z, t.seconds);
    else if (z->tz.kind == TZ_NAMED)
        out = tz_local_to_utc(z->rules, t.seconds);
    else
        out = t.seconds - offset_at(z, t.seconds);
    time_t tt = (time_t)out;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char buf[64];
    snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t.fraction);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void fn_convert_tz_zones(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    const char *from = (const char *)sqlite3_value_text(argv[1]);
    const char *to = (const char *)sqlite3_value_text(argv[2]);
    char out[64];
    if (!t || !from || !to || !time_zone_convert_text(t, from, to, out, sizeof(out))) {
        sqlite3_result_null(ctx); /* MySQL's NULL for an unknown zone or a bad value */
        return;
    }
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static void fn_epoch(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    parsed_time t;
    if (!text || !parse_time_text(text, &t)) {
        sqlite3_result_null(ctx);
        return;
    }
    double fraction = t.fraction[0] ? strtod(t.fraction, NULL) : 0;
    if (fraction == 0)
        sqlite3_result_int64(ctx, t.seconds);
    else
        sqlite3_result_double(ctx, (double)t.seconds + fraction);
}

static void result_time(sqlite3_context *ctx, const mysql_time *t)
{
    char buf[32];
    size_t n = mysql_time_print(t, buf);
    sqlite3_result_text(ctx, buf, (int)n, SQLITE_TRANSIENT);
}

static void fn_date_format(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    const char *f = (const char *)sqlite3_value_text(argv[1]);
    mysql_time t;
    if (!s || !f || !mysql_datetime_from_text(s, (size_t)sqlite3_value_bytes(argv[0]), &t)) {
        sqlite3_result_null(ctx);
        return;
    }
    char buf[512];
    size_t n = mysql_date_format(&t, f, (size_t)sqlite3_value_bytes(argv[1]), buf, sizeof(buf));
    sqlite3_result_text(ctx, buf, (int)n, SQLITE_TRANSIENT);
}

static void fn_datetime(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    mysql_time t;
    if (!s || !mysql_datetime_from_text(s, (size_t)sqlite3_value_bytes(argv[0]), &t)) {
        sqlite3_result_null(ctx);
        return;
    }
    bool key = sqlite3_user_data(ctx) != NULL;
    if (key)
        t.has_fraction = true; /* one form for every value: comparable as text */
    result_time(ctx, &t);
}

bool sqlite_time_functions_register(sqlite3 *db)
{
    static int to_local = 1;
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    bool ok = sqlite3_create_function(db, "mimir_tz_local", 2, flags, &to_local, fn_tz_convert,
                                      NULL, NULL) == SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_tz_utc", 2, flags, NULL, fn_tz_convert, NULL, NULL) ==
          SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_epoch", 1, flags, NULL, fn_epoch, NULL, NULL) ==
          SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_convert_tz_zones", 3, flags, NULL, fn_convert_tz_zones,
                                  NULL, NULL) == SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_date_format", 2, flags, NULL, fn_date_format, NULL,
                                  NULL) == SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_datetime", 1, flags, NULL, fn_datetime, NULL, NULL) ==
          SQLITE_OK;
    ok &= sqlite3_create_function(db, "mimir_time_key", 1, flags, &to_local, fn_datetime, NULL,
                                  NULL) == SQLITE_OK;
    return ok;
}
