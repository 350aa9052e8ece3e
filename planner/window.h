/*
 * Window functions over a metrics query: SUM(AGG(m)) OVER (), RANK() OVER
 * (ORDER BY AGG(m) DESC), running totals, LAG/LEAD, ...
 *
 * As in MySQL, a window runs over the query's rows after GROUP BY and HAVING,
 * before ORDER BY and LIMIT. So the statement becomes two: the grouped query
 * without its windows (an inquiry like any other, which also computes what
 * the windows read: their arguments, PARTITION BY and ORDER BY keys), and,
 * over its result, a SELECT with the windows evaluated in the final stage's
 * SQLite, where the statement's ORDER BY and LIMIT apply (a derived table
 * Mimir writes itself: planner/derived.h).
 */
#ifndef MIMIR_PLANNER_WINDOW_H
#define MIMIR_PLANNER_WINDOW_H

#include "planner/planner.h"

/* Does sel use a window function in its select list or ORDER BY? */
bool select_has_window(const select_stmt *sel);

/* False, with err set, for a window function where MySQL refuses one (WHERE, GROUP BY,
 * HAVING), in any member of a union. */
bool window_check_placement(const select_stmt *sel, sql_error *err);

/* Plans sel, which has window functions, on mimir.metrics (table NULL) or mimir.<table>. */
void plan_window(arena *a, const session_info *s, const select_stmt *sel, const source *table,
                 action *out);

/* The derived table of the grouped rows that plan_window puts under the windows. */
#define WINDOW_TABLE "mimir_window"

#endif
