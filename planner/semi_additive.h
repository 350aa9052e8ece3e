/*
 * Semi-additive metrics (non_additive_time: last | first): balances,
 * inventory, headcount. Within each period of the query only the rows at the
 * period's last (first) time count; with non_additive_per, the rows at each
 * per-value's own last (first) time in the period. Across the other
 * dimensions the metric then aggregates as its sql says.
 *
 * The periods are the distinct values of the query's time-dependent grouping
 * expressions (those that name a grain: ds, year_month, DATE_FORMAT(ts, ...),
 * ...); a query with none has one period, its time range (or all the data).
 * The atomic query of such a metric joins its source's rows to the edge time
 * of each period and per-value, computed by the backend from the same rows
 * (same splices, time bounds and filters):
 *
 *   FROM (<source>) AS mimir_source
 *   JOIN (SELECT <period exprs> AS mimir_k0.., <per> AS mimir_kn..,
 *                MAX(<time>) AS mimir_edge
 *         FROM (<source>) AS mimir_last WHERE <filters> GROUP BY 1..n) AS mimir_edges
 *     ON <period exprs> <=> mimir_k0 AND ... AND <time> = mimir_edge
 *
 * NULL periods and per-values are periods and per-values of their own (the
 * comparison is NULL-safe); rows without a time never count. The SQL is the
 * same on PostgreSQL, MariaDB/MySQL and SQLite but for the NULL-safe
 * comparison and, on SQLite, times compared as text written one way.
 */
#ifndef MIMIR_PLANNER_SEMI_ADDITIVE_H
#define MIMIR_PLANNER_SEMI_ADDITIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/sql_builder.h"
#include "semantic/catalog.h"

/* Do two metrics (NULL: not semi-additive) choose their rows alike, so that
 * one atomic query can compute both? */
bool semi_additive_same(const metric *a, const metric *b);

typedef struct semi_additive_join {
    const metric *m;            /* the metric whose non_additive_time/per apply */
    const expr *const *periods; /* the query's time-dependent grouping expressions */
    size_t nperiods;
    const expr *const *per; /* its non_additive_per dimensions, as column references */
    size_t nper;
    const char *time_column;    /* the source's time column, as its SQL outputs it */
    const expr *const *filters; /* the atomic query's filters outside the source */
    size_t nfilters;
    sb_column_resolver resolve; /* dimensions and grains as columns of the source rows */
    void *resolve_ctx;
    /* Prints the source's rows: its SQL with splices and time bounds. */
    void (*print_rows)(void *ctx, sql_builder *b);
    void *rows_ctx;
} semi_additive_join;

/* Appends " JOIN (...) AS mimir_edges ON ..." after "FROM (...) AS mimir_source". */
bool semi_additive_print_join(sql_builder *b, const semi_additive_join *j, sql_error *err);

#endif
