/*
 * Select-list aliases in ORDER BY and HAVING, resolved as MySQL resolves them
 * (issue 13 §1). MySQL looks an unqualified name of ORDER BY or HAVING up
 * among the select list's aliases first and among the table's columns after;
 * in WHERE and GROUP BY the table's columns come first. So in
 *
 *     SELECT DATE(ts) AS ts, ... GROUP BY DATE(ts) ORDER BY ts
 *
 * `ts` of ORDER BY is the day, not the time column (Superset names its time
 * axis after the column). The statement is rewritten before it is planned:
 * an alias at the top of an ORDER BY item becomes the item's position, an
 * alias inside an ORDER BY or HAVING expression becomes the aliased
 * expression. Names inside aggregates (SUM(x)) are the table's, as in MySQL,
 * and are left alone.
 */
#ifndef MIMIR_PLANNER_SELECT_ALIASES_H
#define MIMIR_PLANNER_SELECT_ALIASES_H

#include "planner/arena.h"
#include "planner/ast.h"
#include "planner/sql_error.h"

/*
 * sel with its ORDER BY and HAVING aliases resolved (sel itself when there is
 * nothing to rewrite); NULL with err set (1052) when a name of HAVING is both
 * an alias and a grouped column, or names two different select items: MySQL
 * calls it ambiguous.
 */
const select_stmt *select_resolve_aliases(arena *a, const select_stmt *sel, sql_error *err);

#endif
