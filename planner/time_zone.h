/*
 * A session's time zone (SET time_zone, the server's default_time_zone), as
 * MySQL reads it: SYSTEM, an offset '+hh:mm' / '-hh:mm' (from -13:59 to
 * +14:00), or a named zone of the system's tz database (/usr/share/zoneinfo,
 * or $TZDIR), such as 'America/New_York'. SYSTEM is Mimir's system zone,
 * which is UTC (@@system_time_zone), so it converts nothing; so do '+00:00'
 * and the names UTC, Etc/UTC.
 *
 * The zone decides how instants (PostgreSQL timestamptz, MySQL TIMESTAMP)
 * are grouped, filtered and shown; the backends' sessions stay in UTC and
 * the split writes the conversion into their SQL (planner/split.c).
 */
#ifndef MIMIR_PLANNER_TIME_ZONE_H
#define MIMIR_PLANNER_TIME_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef enum {
    TZ_UTC,    /* no conversion: SYSTEM, +00:00, UTC */
    TZ_OFFSET, /* a fixed offset east of UTC */
    TZ_NAMED,  /* a zone of the tz database, with its daylight-saving rules */
} time_zone_kind;

typedef struct time_zone {
    time_zone_kind kind;
    int offset_minutes; /* TZ_OFFSET: east of UTC */
    /* As @@time_zone shows it: "SYSTEM", "+05:30", "America/New_York". */
    char text[64];
} time_zone;

/* Mimir's default zone: '+00:00'. */
void time_zone_default(time_zone *out);

/* Parses text as SET time_zone takes it; false when MySQL would answer 1298. */
bool time_zone_parse(const char *text, time_zone *out);

/* The offset of a TZ_OFFSET zone as PostgreSQL's INTERVAL and MySQL's CONVERT_TZ
 * read it: "+05:30", "-05:00". */
const char *time_zone_offset_text(const time_zone *tz, char out[8]);

/* The wall clock of instant t in zone tz (named zones: planner/tz_database.h),
 * from any thread. A zone that parsed stays readable: its rules are cached. */
void time_zone_local(const time_zone *tz, time_t t, struct tm *out);

/*
 * A statement's clock: clock_us (microseconds since 1970, UTC) when it is set
 * (session_info.clock_us), else the real time now, to the microsecond.
 */
int64_t time_zone_clock(int64_t clock_us);

/* The wall clock of instant us (microseconds since 1970, UTC) in zone tz (NULL:
 * UTC), as microseconds since 1970 as if the wall clock were UTC. */
int64_t time_zone_wall_us(const time_zone *tz, int64_t us);

/*
 * The instant (seconds since 1970, UTC) of wall clock `local` (seconds since
 * 1970 as if the wall clock were UTC) in zone tz, by MySQL's rules: a wall
 * clock a daylight-saving change repeats is its earlier instant, one it skips
 * is the instant the gap begins (where the new offset starts). Any thread.
 */
int64_t time_zone_instant(const time_zone *tz, int64_t local);

/*
 * CONVERT_TZ(dt, from, to) of texts, as MySQL answers it: dt's wall clock in
 * zone `from` shown in zone `to`, with dt's fraction; unchanged when the
 * instant is outside the TIMESTAMP range (1970 .. 2038). False (NULL) when dt
 * is not a date or datetime or a zone is unknown. Any thread.
 */
bool time_zone_convert_text(const char *dt, const char *from, const char *to, char *out,
                            size_t size);

#endif
