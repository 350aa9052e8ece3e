/*
 * Window functions in the final stage's SQLite: SUM(x) OVER (...), RANK()
 * OVER (...), LAG(x, 1) OVER (...), ... printed over a result Mimir holds
 * (a grouped metrics query's rows, a derived table's). SUM and AVG add the
 * exact values (mimir_sum and mimir_avg are window functions too), MIN, MAX
 * and the windows' ORDER BY compare numbers as numbers.
 */
#ifndef MIMIR_PLANNER_WINDOW_SQL_H
#define MIMIR_PLANNER_WINDOW_SQL_H

#include "planner/final_exact.h"

#define ER_WINDOW_INVALID_USE 3593 /* a window function in WHERE, GROUP BY, HAVING */

/* Prints e when it is a window function (*handled); what it reads goes through
 * sb_expr with b->resolve. False, with err set, for what is not supported. */
bool window_print(sql_builder *b, const final_leaves *leaves, const expr *e, bool *handled,
                  sql_error *err);

/* The first window function in e (not looking into subqueries), or NULL. */
const expr *window_in(const expr *e);

#endif
