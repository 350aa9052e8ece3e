/*
 * MySQL functions SQLite has no expression for, registered by Mimir on its
 * own SQLite connections: each SQLite source's (proxy/backend/sqlite_backend.c)
 * and the final stage's (proxy/exec/combine.c). The planner's SQLite dialect
 * calls them (planner/functions_time.c, functions_string.c):
 *
 *   mimir_timediff(a, b), mimir_sec_to_time(n), mimir_maketime(h, m, s):
 *       MySQL's TIME as text, '[-]HH:MM:SS[.ffffff]', clamped to +-838:59:59;
 *   mimir_time_format(t, format): MySQL's TIME_FORMAT (time codes only);
 *   mimir_time_to_sec(t): the seconds of a TIME or of a DATETIME's time of day, a REAL;
 *   mimir_addtime(x, t, sign): ADDTIME (1) or SUBTIME (-1), a DATETIME or a clamped TIME;
 *   mimir_convert_tz(dt, from, to): CONVERT_TZ between offsets, in minutes east of UTC;
 *   mimir_reverse(s), mimir_substring_index(s, delim, n), mimir_find_in_set(s, list),
 *   mimir_str_to_date(s, format): MySQL's STR_TO_DATE, every format code;
 *   mimir_ord(s), mimir_bit_count(n), mimir_bin(n, base) (BIN and OCT),
 *   mimir_md5(s), mimir_format(x, d): as MySQL's REVERSE, SUBSTRING_INDEX, FIND_IN_SET,
 *   MD5, FORMAT (en_US).
 *
 * and, through proxy/backend/sqlite_time_functions.h, the session time zone's
 * conversions and MySQL's reading of times as text.
 *
 * Times are read from SQLite's text ('YYYY-MM-DD HH:MM:SS[.ffffff]', or a TIME
 * '[-]H:MM:SS[.ffffff]') and computed on whole microseconds, never through
 * julianday()'s floating point, by planner/time_values.h.
 */
#ifndef MIMIR_PROXY_BACKEND_SQLITE_FUNCTIONS_H
#define MIMIR_PROXY_BACKEND_SQLITE_FUNCTIONS_H

#include <stdbool.h>

#include <sqlite3.h>

bool sqlite_functions_register(sqlite3 *db);

#endif
