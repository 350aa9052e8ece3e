/*
 * Semi-join filters: the first phase of phased execution (issue 13, §1).
 *
 * A join of a mimir table to a subquery grouped by the join key (Tableau's
 * top-N filter `INNER JOIN (SELECT d, SUM(m) ... GROUP BY 1 ORDER BY 2 DESC
 * LIMIT n) t0 ON metrics.d = t0.d`, Superset's `JOIN (...) AS series_limit ON
 * d = d__`) and `WHERE d IN (SELECT d FROM mimir.metrics ...)` only keep the
 * rows whose key the subquery returned: each key appears once in it, so the
 * join never multiplies a metric. Such a statement is planned as two phases:
 * the subquery is an inquiry of its own (the plan's phase->inner), and the
 * outer statement is kept as syntax and planned again, once the inner values
 * are known, with `d IN (values...)` (each value a literal, so a parameter of
 * the backend query, never text). A plain `=` drops NULL keys, as SQL does; a
 * null-safe join (`<=>`, or Tableau's `(a = b) OR (a IS NULL AND b IS NULL)`)
 * keeps them (`d IS NULL OR d IN (...)`).
 *
 * `d NOT IN (SELECT d ...)` (or NOT (d IN (SELECT ...))) is the anti filter:
 * `d NOT IN (values...)`, TRUE when there is no value, FALSE when a value is
 * NULL (MySQL's NOT IN is then never true).
 *
 * Why the outer statement is planned late rather than with placeholders for
 * the values: the number of values decides the SQL text (an IN list), and the
 * three dialects have no common array parameter; planning again also lets
 * every rule of the planner (time bounds, grains, the combine) apply to the
 * pushed filter as to any filter the user wrote.
 *
 * Any other join is refused with 1235: a join that could multiply a metric
 * gets an error, never a different number.
 */
#ifndef MIMIR_PLANNER_SEMIJOIN_H
#define MIMIR_PLANNER_SEMIJOIN_H

#include <stdbool.h>

#include "planner/planner.h"

/* At most this many key values are pushed into the outer query. */
#define SEMIJOIN_MAX_KEYS 10000
/* A join on more keys than this is refused: a row value of at most 8 keys. */
#define SEMIJOIN_MAX_KEY_COLUMNS 8

/* The statement has the form of a semi-join filter (a join, or IN (SELECT ...) in WHERE). */
bool semijoin_candidate(const select_stmt *sel);

/* Plans it (out: ACTION_QUERY with plan->phase set, or ACTION_ERROR). */
void plan_semijoin(arena *a, const session_info *s, const select_stmt *sel, action *out);

/*
 * The outer statement of a phased plan as planned before the keys are known
 * (with `key IN (NULL)`): the prepare types its columns from it
 * (planner/layer_types.h). NULL when p has no phase.
 */
const select_stmt *semijoin_outer_select(const plan *p);

#endif
