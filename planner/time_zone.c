#include "planner/time_zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/time_values.h"
#include "wire/xalloc.h"

void time_zone_default(time_zone *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = TZ_UTC;
    snprintf(out->text, sizeof(out->text), "+00:00");
}

/* '+hh:mm' or '-h:mm', from -13:59 to +14:00 as MySQL 8 takes it. */
static bool parse_offset(const char *t, time_zone *out)
{
    if (t[0] != '+' && t[0] != '-')
        return false;
    int sign = t[0] == '-' ? -1 : 1;
    const char *p = t + 1;
    int h = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 2) {
        h = h * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || *p++ != ':' || !(p[0] >= '0' && p[0] <= '5') ||
        !(p[1] >= '0' && p[1] <= '9') || p[2] != '\0')
        return false;
    int m = (p[0] - '0') * 10 + (p[1] - '0');
    int minutes = sign * (h * 60 + m);
    if (minutes < -(13 * 60 + 59) || minutes > 14 * 60)
        return false;
    memset(out, 0, sizeof(*out));
    out->kind = minutes == 0 ? TZ_UTC : TZ_OFFSET;
    out->offset_minutes = minutes;
    time_zone_offset_text(out, out->text);
    return true;
}

/* A name of the tz database: letters, digits, '_', '-', '+' and '/' between
 * parts, naming a TZif file under TZDIR. */
static bool named_zone_exists(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len >= 64 || name[0] == '/' || strstr(name, "..") || name[len - 1] == '/')
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '-' || *c == '+' || *c == '/'))
            return false;
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char magic[4];
    bool ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    fclose(f);
    return ok;
}

bool time_zone_parse(const char *text, time_zone *out)
{
    if (strcasecmp(text, "SYSTEM") == 0) {
        memset(out, 0, sizeof(*out));
        out->kind = TZ_UTC; /* @@system_time_zone */
        snprintf(out->text, sizeof(out->text), "SYSTEM");
        return true;
    }
    if (text[0] == '+' || text[0] == '-')
        return parse_offset(text, out);
    if (!named_zone_exists(text))
        return false;
    memset(out, 0, sizeof(*out));
    bool utc = strcmp(text, "UTC") == 0 || strcmp(text, "Etc/UTC") == 0;
    out->kind = utc ? TZ_UTC : TZ_NAMED;
    snprintf(out->text, sizeof(out->text), "%s", text);
    return true;
}

const char *time_zone_offset_text(const time_zone *tz, char out[8])
{
    int m = tz->offset_minutes < 0 ? -tz->offset_minutes : tz->offset_minutes;
    snprintf(out, 8, "%c%02d:%02d", tz->offset_minutes < 0 ? '-' : '+', (m / 60) % 100, m % 60);
    return out;
}

void time_zone_local(const time_zone *tz, time_t t, struct tm *out)
{
    if (tz->kind != TZ_NAMED) {
        t += (time_t)tz->offset_minutes * 60;
        gmtime_r(&t, out);
        return;
    }
    const char *old = getenv("TZ");
    char *saved = old ? xstrdup(old) : NULL;
    setenv("TZ", tz->text, 1);
    tzset();
    localtime_r(&t, out);
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

/* Runs fn with TZ set to the named zone, then restores the process's TZ. */
static void with_zone(const time_zone *tz, void (*fn)(void *), void *arg)
{
    const char *old = getenv("TZ");
    char *saved = old ? xstrdup(old) : NULL;
    setenv("TZ", tz->text, 1);
    tzset();
    fn(arg);
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

typedef struct instant_job {
    int64_t local;
    int64_t out;
} instant_job;

/* With TZ set: the zone's offset east of UTC at instant t, in seconds. */
static long offset_at(time_t t)
{
    struct tm tm;
    localtime_r(&t, &tm);
    return tm.tm_gmtoff;
}

/* The instant where the offset changes from `before` (at lo) to the one at hi. */
static int64_t offset_change(time_t lo, time_t hi, long before)
{
    while (hi - lo > 1) {
        time_t mid = lo + (hi - lo) / 2;
        if (offset_at(mid) == before)
            lo = mid;
        else
            hi = mid;
    }
    return (int64_t)hi;
}

/*
 * With TZ set: MySQL's instant of a wall clock (sql/tztime.cc). The offsets a
 * day before and after give the candidates local - offset; a candidate is
 * right when the zone has that offset then. Two (a repeated wall clock): the
 * earlier instant; none (a skipped one): the instant the gap begins.
 */
static void run_instant(void *arg)
{
    instant_job *j = arg;
    time_t l = (time_t)j->local;
    long before = offset_at(l - 86400), after = offset_at(l + 86400);
    long high = before > after ? before : after, low = before > after ? after : before;
    if (offset_at(l - high) == high)
        j->out = j->local - high; /* the earlier of two, or the only one */
    else if (offset_at(l - low) == low)
        j->out = j->local - low;
    else
        j->out = offset_change(l - 86400 - before, l + 86400 - after, before);
}

int64_t time_zone_instant(const time_zone *tz, int64_t local)
{
    if (tz->kind != TZ_NAMED)
        return local - (int64_t)tz->offset_minutes * 60;
    instant_job j = {.local = local};
    with_zone(tz, run_instant, &j);
    return j.out;
}

/* The wall clock (seconds since 1970 as if UTC) of instant t in zone tz. */
static int64_t local_seconds(const time_zone *tz, int64_t t)
{
    struct tm tm;
    time_zone_local(tz, (time_t)t, &tm);
    return (int64_t)timegm(&tm);
}

bool time_zone_convert_text(const char *dt, const char *from, const char *to, char *out,
                            size_t size)
{
    time_zone zf, zt;
    int64_t us;
    bool is_datetime;
    int digits;
    if (!time_zone_parse(from, &zf) || !time_zone_parse(to, &zt) ||
        !tv_read(dt, &us, &is_datetime, &digits) || !is_datetime)
        return false;
    int64_t frac = ((us % TV_US_PER_S) + TV_US_PER_S) % TV_US_PER_S;
    int64_t local = (us - frac) / TV_US_PER_S;
    int64_t instant = time_zone_instant(&zf, local);
    /* MySQL converts only within the TIMESTAMP range; outside it dt is returned as is. */
    int64_t shown =
        instant < 1 || instant > INT64_C(2147483647) ? local : local_seconds(&zt, instant);
    char text[TV_TEXT_SIZE];
    tv_datetime_text(shown * TV_US_PER_S + frac, digits, text);
    snprintf(out, size, "%s", text);
    return true;
}
