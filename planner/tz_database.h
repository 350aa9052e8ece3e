/*
 * The system's tz database (/usr/share/zoneinfo, or $TZDIR), read directly:
 * the UTC offset of a named zone at any instant, and the instant of a wall
 * clock in that zone. The C library's localtime() needs the process-wide TZ
 * variable, which no thread may change while others read the environment
 * (libpq does, when it connects); this reads the zone's TZif file (RFC 8536)
 * once, keeps it in a process-wide cache, and is safe from any thread: the
 * planner on the loop and the SQLite functions on the worker threads use it.
 */
#ifndef MIMIR_PLANNER_TZ_DATABASE_H
#define MIMIR_PLANNER_TZ_DATABASE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct tz_rules tz_rules;

/* The rules of a zone of the tz database by name ("America/New_York"), loaded
 * once and kept until exit; NULL when there is no such zone (or its file is
 * not a TZif file this reader understands). */
const tz_rules *tz_rules_get(const char *name);

/* Seconds east of UTC in force at the instant utc (seconds since 1970). */
int32_t tz_utc_offset(const tz_rules *z, int64_t utc);

/*
 * The instant whose wall clock in the zone is local (seconds since 1970 of
 * the wall clock read as if it were UTC), as MySQL converts a local time to a
 * TIMESTAMP: a wall clock that occurs twice (the hour repeated when daylight
 * saving ends) is its first occurrence; one that does not occur (the hour
 * skipped when it starts) is the first instant after the gap.
 */
int64_t tz_local_to_utc(const tz_rules *z, int64_t local);

/* Parses a POSIX TZ rule string such as "EST5EDT,M3.2.0,M11.1.0" (the footer of
 * a TZif file) into rules; exposed for the unit tests. */
const tz_rules *tz_rules_from_posix(const char *spec);

#endif
