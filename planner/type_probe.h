/*
 * The query that discovers a source's column types from its backend: the
 * source wrapped with every dimension available on it (its time column ts,
 * its own output columns, the definitions spliced into it) and every metric
 * of it, grouped like a real query, with LIMIT 0 so that it returns no rows,
 * only its result's column types. It is built through the inquiry and the
 * split, so its SQL is exactly what real queries send (and fails the same
 * way when a definition is wrong); it bypasses the schema-probe shortcut of
 * planner/probe.c, which answers LIMIT 0 without a backend.
 */
#ifndef MIMIR_PLANNER_TYPE_PROBE_H
#define MIMIR_PLANNER_TYPE_PROBE_H

#include <stddef.h>

#include "planner/arena.h"
#include "planner/discovered_types.h"
#include "planner/plan.h"
#include "planner/sql_error.h"
#include "planner/value_type.h"
#include "semantic/catalog.h"

/*
 * The names of the probe's columns, in order (in arena a): ts, the source's
 * own columns, the dimensions spliced into it, then its metrics.
 */
size_t type_probe_columns(arena *a, const catalog *cat, const source *src, const char ***names);

/*
 * The probe of src as a plan of one atomic query (in arena a): of all its
 * columns (column NULL), or of one of them alone, which is how a source whose
 * whole probe fails (one column the backend cannot group by, one broken
 * metric) still gets its other columns typed. False with err set.
 */
bool type_probe_plan(arena *a, const catalog *cat, const source *src, const char *column, plan *out,
                     sql_error *err);

/*
 * The column c of an expression that is exactly SUM(c), MIN(c) or MAX(c), c
 * possibly qualified or quoted: these keep c's scale on every backend we
 * speak to. False for anything else.
 */
bool type_probe_aggregated_column(const char *expr, char *column, size_t n);

/*
 * Records what the probe's result columns say (cols, as the backend described
 * them) into types under src's name, replacing what was known of them.
 * Metrics whose backend type is NUMERIC without a precision (SUM over a
 * numeric(5,2) column) take the scale of the column they aggregate when the
 * metric is SUM/MIN/MAX of one column of the source; otherwise 2. Returns
 * the number of columns typed (0 when cols does not match the plan).
 */
size_t type_probe_record(const catalog *cat, const source *src, const plan *p,
                         const result_column *cols, size_t ncols, discovered_types *types);

#endif
