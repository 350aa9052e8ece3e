/*
 * Calendar periods and MySQL's date arithmetic on wall-clock times, for time
 * metrics (offsets, cumulative windows, calendar spines): the period of a
 * grain that contains a time, the next one, and DATE_ADD/DATE_SUB by n days,
 * weeks, months, quarters or years with MySQL's rule at month ends (a day
 * past the end of the month becomes its last day: 2024-02-29 minus 1 year is
 * 2023-02-28).
 *
 * Times are wall-clock microseconds since 1970-01-01 00:00 (the session's
 * wall clock, read as if it were UTC), so the arithmetic is the calendar's
 * and never meets daylight saving: the conversion to instants happens where
 * a bound meets a time column (planner/split.c). Periods are shown as the
 * grain columns show them: 'YYYY-MM-DD' for days and coarser, 'YYYY-MM-DD
 * HH:MM:SS' for hours, minutes and seconds, and a year as its number.
 * Pure functions: the planner computes bounds with them, and the final
 * stage's SQLite calls them through proxy/exec/combine_periods.c.
 */
#ifndef MIMIR_PLANNER_PERIODS_H
#define MIMIR_PLANNER_PERIODS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "semantic/catalog.h"

typedef enum {
    PERIOD_SECOND,
    PERIOD_MINUTE,
    PERIOD_HOUR,
    PERIOD_DAY,
    PERIOD_WEEK,
    PERIOD_MONTH,
    PERIOD_QUARTER,
    PERIOD_YEAR,
    PERIOD_FISCAL_QUARTER,
    PERIOD_FISCAL_YEAR,
} period_unit;

/* How a period is shown: as its grain column shows it ('YYYY-MM-DD' for days and
 * coarser, 'YYYY-MM-DD HH:MM:SS' finer, a year as its number), or as a DATE or a
 * DATETIME of its start (what a BI tool's truncation of the time column gives). */
typedef enum { PERIOD_LABEL_GRAIN, PERIOD_LABEL_DATE, PERIOD_LABEL_DATETIME } period_label;

/* A kind of period with the calendar that shapes it (the week's first day, the
 * fiscal year's first month), and how its periods are shown. */
typedef struct period_kind {
    period_unit unit;
    bool week_starts_sunday;
    int fiscal_start_month; /* 1..12 (1 when there is no fiscal calendar) */
    period_label label;
} period_kind;

/* One integer for a period kind, as the final stage's SQL passes it to SQLite. */
int period_kind_code(const period_kind *k);
bool period_kind_of_code(int64_t code, period_kind *out);

/* The kind of a calendar period (grain_to_date) in calendar cal (NULL: the default). */
period_kind period_kind_of_calendar(calendar_period p, const calendar *cal);

/* The start of the period of kind k that contains t. */
int64_t period_floor(const period_kind *k, int64_t t);
/* The start of the period n periods after (n < 0: before) the one that starts at start. */
int64_t period_step(const period_kind *k, int64_t start, int64_t n);

/* t plus n units (n < 0: minus), as MySQL's DATE_ADD: months, quarters and years keep
 * the day of the month, or the month's last day when it has fewer. */
int64_t period_date_add(int64_t t, int64_t n, time_unit unit);

/* Reads a period as the grain columns show it (a year as a number): its start. */
bool period_read(const period_kind *k, const char *text, int64_t *start);
/* Writes a time as a period of kind k shows it ('2024-03-01', '2024-03-01 10:00:00',
 * '2024'); returns the length. */
size_t period_format(const period_kind *k, int64_t t, char out[32]);

/* A time as a bound of the time column: 'YYYY-MM-DD HH:MM:SS[.ffffff]'. */
size_t period_time_text(int64_t t, char out[32]);

#endif
