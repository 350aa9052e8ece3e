/*
 * SELECT ... UNION [ALL | DISTINCT] SELECT ... over mimir tables.
 *
 * Each member is a statement of its own, planned as it would be alone (an
 * inquiry, a derived table, windows); the union runs in the final stage's
 * SQLite over all their partial results: the atomic queries of every member
 * are loaded side by side (member k's s0, s1, ... renamed), each member's
 * final SQL computes its rows, and SQLite's UNION / UNION ALL joins them, with
 * the last member's ORDER BY and LIMIT applying to the whole union, as in
 * MySQL. Column names are the first member's; a column's type is the wider of
 * the members' (MySQL's rule), and numbers meet as numbers (5 and 5.00 are
 * one value to UNION DISTINCT).
 */
#ifndef MIMIR_PLANNER_SET_OPERATION_H
#define MIMIR_PLANNER_SET_OPERATION_H

#include "planner/planner.h"

void plan_metrics_union(arena *a, const session_info *s, const select_stmt *sel, action *out);

#endif
