/*
 * Aggregates of dimensions (issue 13 §1): COUNT(DISTINCT d), MIN(d) and MAX(d)
 * where d is an expression of dimensions, as Tableau's COUNTD sends them:
 *
 *     SELECT COUNT(DISTINCT dim_rental_category), dim_store_id FROM metrics GROUP BY 2
 *
 * MySQL reads the table's rows. Mimir holds no rows, but the distinct values of
 * d within a group, its least and its greatest, are those of the finer groups
 * (the query's groups and d itself), so the statement has the same answer as
 *
 *     SELECT COUNT(DISTINCT x0), g0 FROM
 *       (SELECT dim_store_id AS g0, dim_rental_category AS x0 FROM metrics
 *        GROUP BY dim_store_id, dim_rental_category) AS mimir_groups
 *     GROUP BY g0
 *
 * which Mimir answers as a derived table. A metric beside them is computed at
 * that finer grain and aggregated again, which is exact only for metrics that
 * re-aggregate (semantic/aggregation.h: sum and count add up, min and max keep
 * their extreme); any other metric is refused with 1235 naming it. COUNT(d),
 * SUM(d) and the like count or add rows and stay row-level reads.
 */
#ifndef MIMIR_PLANNER_DIMENSION_AGGREGATES_H
#define MIMIR_PLANNER_DIMENSION_AGGREGATES_H

#include "planner/arena.h"
#include "planner/ast.h"
#include "planner/planner.h"
#include "planner/sql_error.h"

/* Whether sel, a query on one mimir table, uses an aggregate of dimensions. */
bool dimension_aggregates_used(const session_info *s, const select_stmt *sel);

/* sel rewritten over the finer groups, as above; NULL with err set when it cannot be. */
const select_stmt *dimension_aggregates_rewrite(arena *a, const session_info *s,
                                                const select_stmt *sel, sql_error *err);

#endif
