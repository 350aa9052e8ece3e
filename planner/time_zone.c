#include "planner/time_zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/time_values.h"
#include "planner/tz_database.h"
#include "semantic/zone_text.h"

void time_zone_default(time_zone *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = TZ_UTC;
    snprintf(out->text, sizeof(out->text), "+00:00");
}

/* '+hh:mm' or '-h:mm', from -13:59 to +14:00 as MySQL 8 takes it (semantic/zone_text.h). */
static bool parse_offset(const char *t, time_zone *out)
{
    int minutes;
    if (!zone_offset_minutes(t, &minutes))
        return false;
    memset(out, 0, sizeof(*out));
    out->kind = minutes == 0 ? TZ_UTC : TZ_OFFSET;
    out->offset_minutes = minutes;
    time_zone_offset_text(out, out->text);
    return true;
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
    if (!tz_rules_get(text))
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
    int64_t offset = tz->kind == TZ_NAMED    ? tz_utc_offset(tz_rules_get(tz->text), (int64_t)t)
                     : tz->kind == TZ_OFFSET ? (int64_t)tz->offset_minutes * 60
                                             : 0;
    time_t local = (time_t)((int64_t)t + offset);
    gmtime_r(&local, out);
}

int64_t time_zone_clock(int64_t clock_us)
{
    if (clock_us)
        return clock_us;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

int64_t time_zone_wall_us(const time_zone *tz, int64_t us)
{
    int64_t seconds = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    if (!tz || tz->kind == TZ_UTC)
        return us;
    struct tm tm;
    time_zone_local(tz, (time_t)seconds, &tm);
    return (int64_t)timegm(&tm) * 1000000 + (us - seconds * 1000000);
}

/* MySQL's instant of a wall clock (sql/tztime.cc): of two (a repeated wall clock) the
 * earlier, of none (a skipped one) the instant the gap ends the old offset. */
int64_t time_zone_instant(const time_zone *tz, int64_t local)
{
    if (tz->kind != TZ_NAMED)
        return local - (int64_t)tz->offset_minutes * 60;
    return tz_local_to_utc(tz_rules_get(tz->text), local);
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
