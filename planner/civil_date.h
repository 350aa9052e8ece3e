/*
 * Calendar arithmetic on the proleptic Gregorian calendar, the one MySQL and
 * the tz database use: day numbers of dates and dates of day numbers (Howard
 * Hinnant's algorithms), leap years, month lengths. One copy for the time
 * zone rules (planner/tz_database.c), MySQL's time values and formats
 * (time_values.c, mysql_time.c) and STR_TO_DATE (str_to_date.c).
 */
#ifndef MIMIR_PLANNER_CIVIL_DATE_H
#define MIMIR_PLANNER_CIVIL_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* Days since 1970-01-01 of y-m-d (negative before it). */
int64_t civil_days(int64_t y, int m, int d);
/* The date of days since 1970-01-01. */
void civil_date(int64_t days, int64_t *y, int *m, int *d);
/* MySQL's day number (TO_DAYS: 0001-01-01 is 366) of the day days since 1970. */
#define CIVIL_TO_DAYS_1970 719528

bool civil_is_leap(int64_t y);
int civil_month_days(int64_t y, int m);

#endif
