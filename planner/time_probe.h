/*
 * Which calendar period a time expression of a query groups by, so that time
 * metrics can shift and widen its periods (planner/time_metrics.h): a grain
 * column (ds, week, year_month, ...) names its own; a BI tool's truncation of
 * the time column (Tableau's ADDDATE(DATE_FORMAT(ts, '%Y-%m-01 00:00:00'),
 * INTERVAL 0 SECOND), Superset's DATE(DATE_SUB(ts, INTERVAL DAYOFWEEK(ts) - 1
 * DAY)), ...) is recognised by what it computes, not by its text: it is
 * evaluated with MySQL's rules at a few hundred times chosen on the edges of
 * every kind of period (year, quarter and month ends, Feb 29, both days a week
 * may start on, hour and second boundaries, fractions of seconds), and it is
 * the truncation to a kind when it gives, at every one of them, the start of
 * the period that contains the time, always as the same type (a DATE, a
 * DATETIME, or a year's number). The functions BI tools build truncations
 * from are evaluated (DATE_FORMAT, DATE_ADD/DATE_SUB/ADDDATE/SUBDATE and
 * INTERVAL arithmetic, FROM_DAYS/TO_DAYS, DAYOFWEEK, WEEKDAY, YEAR, QUARTER,
 * MONTH, MAKEDATE, LAST_DAY, STR_TO_DATE, CONCAT, DATE, TIMESTAMP, CAST, and
 * integer arithmetic); an expression with anything else is not recognised.
 */
#ifndef MIMIR_PLANNER_TIME_PROBE_H
#define MIMIR_PLANNER_TIME_PROBE_H

#include <stdbool.h>

#include "planner/ast.h"
#include "planner/inquiry.h"
#include "planner/periods.h"
#include "semantic/catalog.h"

/* The kind of period grain g is, in calendar cal; false for ts itself. */
bool time_grain_period(time_grain g, const calendar *cal, period_kind *k);

/* The kind of period e gives the start of (and how it shows it); false when e is not
 * the truncation of the time column to a kind of period. */
bool time_expr_period(const catalog *cat, const expr *e, period_kind *out);

/*
 * Does e read the time column only through the periods of kind k: does it give, at
 * every probe time, what it gives at the start of that time's period? True for a grain
 * or truncation as coarse as k or coarser, YEAR(ts) or DATE_FORMAT(ts, '%Y-%m') over
 * days; false for ts itself, HOUR(ts) over days, and anything the probe cannot
 * evaluate. A rollup of grain k answers a query whose time expressions all pass.
 */
bool time_expr_constant_over(const catalog *cat, const expr *e, const period_kind *k);

#endif
