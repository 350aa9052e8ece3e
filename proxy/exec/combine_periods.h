/*
 * Calendar arithmetic for the final stage of time metrics (offsets,
 * cumulative windows, calendar spines), registered in the combine's SQLite
 * database. Times are wall-clock microseconds (planner/periods.h); a period
 * kind is the integer of period_kind_code:
 *
 *   mimir_period_us(p, kind)        the start of period p, as a grain column shows it
 *                                   ('2024-03-01', '2024-03-01 10:00:00', 2024)
 *   mimir_period_label(t, kind)     the period that contains t, as its grain column shows it
 *   mimir_period_step_us(t, kind, n) the start of the period n after the one containing t
 *   mimir_date_add_us(t, n, unit)   MySQL's DATE_ADD(t, INTERVAL n unit), unit a time_unit
 *   mimir_period_exists(t, kind, zone) whether a wall clock of zone falls in the period at t
 *   mimir_spine_limit(n)            1, or an error once a calendar spine reaches n periods
 *
 * Each answers NULL for a NULL or unreadable argument.
 */
#ifndef MIMIR_PROXY_EXEC_COMBINE_PERIODS_H
#define MIMIR_PROXY_EXEC_COMBINE_PERIODS_H

#include <stdbool.h>

#include <sqlite3.h>

bool combine_periods_register(sqlite3 *db);

#endif
