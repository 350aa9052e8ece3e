/*
 * Derived metrics (`type: derived`): an expression over other metrics,
 * computed in the final SQLite stage after the combine, exactly as if the
 * client had written that expression over AGG(base) columns.
 *
 * The semantic layer finds the names a derived expression uses with its own
 * scanner (it must not depend on the planner); whether the expression is one
 * the planner can parse is checked here, with the planner's own parser, where
 * a catalog is put to use (serve, reload, validate, the CLI), so that a typo
 * is a load error with file:line:column rather than a query-time surprise.
 */
#ifndef MIMIR_PLANNER_DERIVED_METRICS_H
#define MIMIR_PLANNER_DERIVED_METRICS_H

#include <stddef.h>

#include "planner/arena.h"
#include "planner/ast.h"
#include "planner/sql_error.h"
#include "semantic/catalog.h"

/* How deep derived metrics may nest (a -> b -> ...): the loader's limit, and a
 * stop for a cycle in a catalog that was not validated. */
#define DERIVED_MAX_DEPTH CATALOG_DERIVED_MAX_DEPTH

/* How many derived metrics one query may expand in all. A layer where each
 * derived metric uses the next one twice doubles at every level: nesting
 * alone does not bound the size of the expression. */
#define DERIVED_MAX_EXPANSIONS 1000

/* m's expression parsed into a (one expression, nothing after it); NULL with err set. */
const expr *derived_metric_expr(arena *a, const metric *m, sql_error *err);

/*
 * Parses every derived metric of c. Each one that does not parse is a problem
 * "FILE:LINE:COLUMN: derived metric 'x': sql '...' is not an expression: ...",
 * appended (malloc'd) to *problems. Returns how many were found.
 */
size_t derived_metrics_check(const catalog *c, char ***problems, size_t *n_problems);

/* derived_metrics_check for a loaded catalog: false with the first problem in err. */
bool derived_metrics_valid(const catalog *c, char *err, size_t errlen);

#endif
