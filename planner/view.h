/*
 * Views: a derived table that neither groups nor aggregates (issue 13 §1).
 *
 * Superset wraps a virtual dataset, saved SQL such as `SELECT * FROM
 * mimir.metrics WHERE dim_store_id = 1`, as `SELECT dim, SUM(m) FROM (...) AS
 * virtual_table GROUP BY dim`. For MySQL the inner SELECT is a set of rows and
 * SUM(m) adds them up at the outer grain. Mimir holds no rows, but the inner
 * SELECT only filters and renames them, so the statement has the same answer
 * as the outer query written on the table itself: the view is inlined. The
 * inner WHERE joins the outer WHERE (so its filters reach the sources), every
 * name of the outer query that is an inner column is replaced by the inner
 * expression (`SELECT a AS b, DATE(ts) AS d`), and the metric is then evaluated
 * at the outer query's grain, as any metrics query.
 *
 * An inner SELECT that groups, aggregates, has DISTINCT, HAVING or LIMIT is
 * not a view: its rows are a result at its own grain, and the derived-table
 * rules (planner/derived.h) apply. A condition on a metric in a view's WHERE
 * tests each row in MySQL: Mimir has no rows, so that is refused (1235).
 */
#ifndef MIMIR_PLANNER_VIEW_H
#define MIMIR_PLANNER_VIEW_H

#include "planner/planner.h"

typedef enum {
    VIEW_NONE,    /* the derived table is not a view: plan it as a derived table */
    VIEW_INLINED, /* *out is the statement with the view inlined */
    VIEW_ERROR,   /* err is set */
} view_result;

/* sel reads one derived table (sel->from[0].subquery). */
view_result view_inline(arena *a, const session_info *s, const select_stmt *sel,
                        const select_stmt **out, sql_error *err);

#endif
