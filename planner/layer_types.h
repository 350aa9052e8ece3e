/*
 * The result columns of a metrics query as the semantic layer types them,
 * before anything runs: what COM_STMT_PREPARE announces (PHP's
 * result_metadata() and bind_result() before execute(), Ruby's
 * Statement#fields), and what execution falls back on where a backend leaves
 * a scale or a precision unknown, so that both describe the result alike.
 *
 * A column is typed only when its type is exact before it runs: a dimension
 * or a metric selected by name (not an expression, not a derived metric,
 * nothing computed after the combine), on a source whose backend describes
 * its result columns (PostgreSQL, MySQL; SQLite types values, not columns),
 * with a type discovered from the backend or fixed by Mimir (the grains),
 * never one of the defaults, and not a PostgreSQL NUMERIC whose scale comes
 * from the values (AVG of a numeric column, ...). The type is the one of the source that provides
 * the column, as information_schema describes it in that source's table
 * (planner/mimir_tables.h). A declared type (`type:`) is used to fill in what a
 * backend leaves open, but not announced: results keep the backend's type.
 */
#ifndef MIMIR_PLANNER_LAYER_TYPES_H
#define MIMIR_PLANNER_LAYER_TYPES_H

#include <stdbool.h>

#include "planner/planner.h"

/*
 * Sets layer_type of every column of out's plan when out is the plan of a
 * metrics query (ACTION_QUERY of a SELECT on a mimir table); does nothing
 * otherwise. True when every column got one: the result's description is
 * known before it runs.
 */
bool plan_add_layer_types(arena *a, const session_info *s, const statement *st, action *out);

/*
 * Sets layer_types of every atomic query of p: the type the semantic layer
 * gives each column it returns, under the same conditions as above, whatever
 * the statement around it (a computed column, a derived table, a semi-join
 * filter's outer statement). The final stage types what it computes from
 * these where a backend leaves a scale open: a DECIMAL metric whose every
 * value is NULL still has the layer's scale.
 */
void plan_add_query_layer_types(arena *a, const session_info *s, plan *p);

/*
 * SQLite describes a result column by its first value's storage class: a date
 * is TEXT there. A date or datetime Mimir computes as a dimension on SQLite (a
 * grain, DATE(ts), DATE_ADD(ds, INTERVAL 1 DAY)) has the type its expression's
 * rule gives (planner/final_exact.h), as PostgreSQL and MySQL describe theirs;
 * the split records it in the atomic query's layer_types. So has a DECIMAL
 * expression of the source's columns as SQLite declares them (types, from
 * type discovery: amount + 1, COALESCE(amount, 0) of a DECIMAL(5,2) amount),
 * which execution writes at its scale. Type VT_NULL for anything else (a
 * metric: dim NULL), left to the values.
 */
result_column layer_type_of_sqlite_dim(arena *a, const expr *dim, const source *src,
                                       const struct discovered_types *types);

/* The DECIMAL type of an expression of the source's columns (their discovered types:
 * COALESCE(amount, 0), amount + 1), for any backend; type VT_NULL when it is no
 * DECIMAL with a known scale. */
result_column layer_type_of_decimal_dim(arena *a, const expr *dim, const source *src,
                                        const struct discovered_types *types);

/*
 * SQLite has no DECIMAL: a metric of a SQLite source is a sum of REALs. It is
 * a DECIMAL(p,s) all the same when its declared `type:` is one, or, without a
 * declaration, when it is SUM, MIN or MAX of a plain column that the source's
 * table declares DECIMAL(p,s) (as type discovery found it in types): then of
 * scale s. The split has SQLite round it to s decimals and records the type in
 * the atomic query's layer_types; execution sends it as that DECIMAL
 * (proxy/exec/exec.c). Type VT_NULL for any other metric (SQLite's values tell).
 */
result_column layer_type_of_sqlite_metric(const source *src, const metric *m,
                                          const struct discovered_types *types);

#endif
