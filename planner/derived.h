/*
 * Derived tables: SELECT ... FROM (<query on a mimir table>) AS t ..., the
 * shape Tableau gives custom SQL. The inner query is an inquiry like any
 * other; the outer query is evaluated in the combine's SQLite over its
 * result, so it may use SQL of its own (aggregates, WHERE, GROUP BY) over the
 * inner columns, and nothing else.
 */
#ifndef MIMIR_PLANNER_DERIVED_H
#define MIMIR_PLANNER_DERIVED_H

#include "planner/planner.h"

/* Plans a SELECT on mimir tables, information_schema, or nothing (planner.c). */
void plan_select(arena *a, const session_info *s, const select_stmt *sel, action *out);

/* A phased statement's second plan p takes from the plan made before the first phase
 * ran (template) what the statement said about caching and the columns' types as a
 * prepare described them (planner/layer_types.h). */
void plan_like_template(plan *p, const plan *template);

void plan_derived(arena *a, const session_info *s, const select_stmt *sel, action *out);

#endif
