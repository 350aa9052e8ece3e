/*
 * Scalar subqueries over metrics: SELECT d, AGG(m) / (SELECT AGG(m) FROM
 * mimir.metrics) ..., HAVING AGG(m) > (SELECT AVG(v) FROM (...) t).
 *
 * The subquery is a statement of its own (an inquiry, a derived table, ...):
 * it runs first, as the first phase of a semi-join filter does
 * (proxy/exec/phases.h), and its one value replaces it in the outer
 * statement, which is then planned and run. No row is NULL; more than one is
 * MySQL's error 1242, and more than one column 1241. Several subqueries run
 * one after the other, from the first written.
 *
 * [NOT] EXISTS (SELECT ...) is the same phase: the subquery runs with LIMIT 1,
 * and TRUE or FALSE (a row came or not) replaces it. MySQL evaluates an
 * uncorrelated EXISTS once too; a correlated one is refused (1235).
 */
#ifndef MIMIR_PLANNER_SCALAR_SUBQUERY_H
#define MIMIR_PLANNER_SCALAR_SUBQUERY_H

#include "planner/planner.h"

/* Has sel a scalar subquery or EXISTS in its select list, WHERE, HAVING or ORDER BY? */
bool scalar_subquery_candidate(const select_stmt *sel);

void plan_scalar_subquery(arena *a, const session_info *s, const select_stmt *sel, action *out);

#endif
