/*
 * MySQL functions in the SQL of each backend dialect. A function without a
 * mapping is an error naming it: nothing the client wrote is passed through
 * as text. Function arguments are printed with sb_expr (so literals stay
 * parameters); arguments that must be keywords (units, formats, types) are
 * checked against fixed lists before anything is printed.
 */
#ifndef MIMIR_PLANNER_FUNCTIONS_H
#define MIMIR_PLANNER_FUNCTIONS_H

#include "planner/sql_builder.h"

/* MySQL's error 1426 for a clock read with more than six fractional digits (NOW(7));
 * false, with err set. */
bool clock_precision_refused(const char *name, const char *digits, sql_error *err);

bool sb_function(sql_builder *b, const expr *call, sb_column_resolver resolve, void *ctx,
                 sql_error *err);
/* left + INTERVAL n unit (or - when subtract). */
bool sb_date_add(sql_builder *b, const expr *date, const expr *interval, bool subtract,
                 sb_column_resolver resolve, void *ctx, sql_error *err);
/* Is e a DATE or DATETIME value in MySQL's eyes (a time grain, a date function, a cast
 * to a date or datetime), so that comparing it compares times, not text? */
bool sb_is_temporal(const expr *e);
/* Does date + interval stay a DATE (a DATE plus whole days, months, years), as in MySQL? */
bool sb_date_add_keeps_date(const expr *date, const expr *interval);

/* FROM_UNIXTIME(n) of an integer literal n in 0 .. 32536771199, as 'YYYY-MM-DD
 * HH:MM:SS' in zone tz (NULL: UTC); false for anything else. */
struct time_zone;
bool from_unixtime_text(const struct time_zone *tz, const expr *n, char out[32]);
/* The MySQL type e has whatever its arguments when SQLite's values cannot show it
 * (VT_TIME for TIMEDIFF, SEC_TO_TIME, ...), else VT_NULL. */
value_type function_value_type(const expr *e);
/* Is e a call of a function whose value is MySQL's TIME (TIMEDIFF, SEC_TO_TIME, MAKETIME)? */
bool sb_time_valued(const expr *e);
/* CONVERT_TZ(literal, 'zone', 'zone') folded to 'YYYY-MM-DD HH:MM:SS[.f]'; false when
 * e is not such a call, or when its answer is NULL. Loop thread only. */
bool convert_tz_constant(const expr *e, char *out, size_t size);
/*
 * The translation table, for the function table of docs/sql.md and the test
 * that keeps the two the same: the i-th function's name (NULL past the end),
 * and whether it has a translation for dialect d (a special printer may still
 * refuse some arguments, e.g. a WEEK mode that is not a literal).
 */
const char *function_table_name(size_t i);
bool function_table_translated(size_t i, sql_dialect d);
/*
 * MySQL's type of STR_TO_DATE(s, fmt): VT_DATE when fmt has date parts only,
 * VT_TIME when it has time parts only, else VT_DATETIME; *decimals is 6 with
 * %f, else 0 (-1 for a DATE).
 */
value_type str_to_date_type(const char *fmt, int *decimals);
/* True when name is an aggregate function (SUM, COUNT, ...). */
bool function_is_aggregate(const char *name);
/* True when e calls an aggregate function anywhere. */
bool expr_has_aggregate(const expr *e);

#endif
