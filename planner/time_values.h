/*
 * MySQL's DATETIME and TIME values as text, computed exactly (whole
 * microseconds, never floating point): reading 'YYYY-MM-DD[ HH:MM:SS[.f]]'
 * and '[-]H:MM:SS[.f]', printing a TIME as MySQL does ('-01:00:00',
 * '838:59:59'), TIME_FORMAT, and CONVERT_TZ between fixed offsets. The
 * planner folds constant expressions with them (planner/functions_time.c,
 * the statements without FROM of planner/session_query.c), and the C
 * functions registered on Mimir's SQLite connections compute with them
 * (proxy/backend/sqlite_functions.c). Pure functions: safe on any thread.
 */
#ifndef MIMIR_PLANNER_TIME_VALUES_H
#define MIMIR_PLANNER_TIME_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TV_US_PER_S    INT64_C(1000000)
#define TV_TIME_MAX_US (INT64_C(3020399) * TV_US_PER_S) /* 838:59:59 */
#define TV_TEXT_SIZE   128

/*
 * Reads a DATETIME or DATE (microseconds since 1970-01-01 00:00, *is_datetime
 * true) or a TIME (signed microseconds). *digits is the number of fraction
 * digits written. False when the text is neither.
 */
bool tv_read(const char *text, int64_t *us, bool *is_datetime, int *digits);
/* The time of day of a DATETIME, or the TIME itself. */
bool tv_read_time_part(const char *text, int64_t *us);
/* Clamped to +-838:59:59, or +-838:59:59.999999 when micro. */
int64_t tv_clamp_time(int64_t us, bool micro);
/* A TIME as MySQL prints it, with `digits` fraction digits (-1: only when non-zero). */
void tv_time_text(int64_t us, int digits, char out[TV_TEXT_SIZE]);
/* A DATETIME (microseconds since 1970) as 'YYYY-MM-DD HH:MM:SS' plus `digits` digits. */
void tv_datetime_text(int64_t us, int digits, char out[TV_TEXT_SIZE]);
/*
 * TIME_FORMAT of a TIME (microseconds) with MySQL's time codes; false on a
 * code that is not one (MySQL answers NULL), or when out is too small.
 */
bool tv_time_format(int64_t us, const char *fmt, char *out, size_t size);
/* Is every % code of fmt one of TIME_FORMAT's (else *bad is the first that is not)? */
bool tv_time_format_codes(const char *fmt, char *bad);

#endif
