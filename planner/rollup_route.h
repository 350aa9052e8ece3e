/*
 * Answering a source's part of a query from one of its rollups (docs/rollups.md,
 * "Routing"). The server tells the planner which rollups are built and up to
 * when (rollup_ready); the split asks rollup_route_choose, for each atomic
 * query over a source, whether a rollup holds everything it reads:
 *
 *   - every metric of the atomic query is among the rollup's metrics, and adds up
 *     exactly: a SUM or AVG of floating-point values does not (its last digits depend on
 *     the order of the additions), nor one whose type is not known yet;
 *   - every dimension it groups or filters by is among the rollup's dimensions;
 *   - every expression of time it reads (grain columns, a BI tool's truncation of
 *     ts, YEAR(ts), ...) is constant over each period of the rollup's grain: the
 *     query's grain is the rollup's or coarser;
 *   - each time bound is `>=` or `<` at the start of a period of that grain;
 *   - the session reads time in the rollup's zone (UTC), or the source's time column
 *     is a wall clock (DATE, DATETIME, timestamp without time zone) no zone converts;
 *   - the user has no row filter on the source, or one the rollup's dimensions
 *     express exactly (semantic/rollup_filter.h), which is then applied to its rows.
 *
 * Among several, the one with the fewest rows. The rollup holds the periods
 * before its watermark; with `lambda` (the default) the part of the range at or
 * after it is read from the source, aggregated to the rollup's shape and added
 * (planner/split.c prints both).
 */
#ifndef MIMIR_PLANNER_ROLLUP_ROUTE_H
#define MIMIR_PLANNER_ROLLUP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/ast.h"
#include "planner/inquiry.h"
#include "planner/periods.h"
#include "planner/time_metrics.h"
#include "planner/time_zone.h"
#include "semantic/catalog.h"

/* A rollup built with the definition in force, as the server last built or found it. */
typedef struct rollup_ready {
    const char *name;
    char watermark[32];    /* the rollup zone's wall clock: every row before it is in */
    char refreshed_at[32]; /* its last build or refresh, UTC 'YYYY-MM-DD HH:MM:SS' */
    long long rows;
} rollup_ready;

typedef struct rollup_route {
    const rollup *r;
    const rollup_ready *ready;
    period_kind period; /* the rollup's grain */
    /* The range reaches the watermark: rows from it on are read from the source. */
    bool lambda;
    /* The user's row filter as the rollup's rows read it (NULL: none). The source's
     * rows after the watermark have it in their SQL already. */
    const rollup_filter *filter;
} rollup_route;

/* What an atomic query over one source reads. */
typedef struct rollup_demand {
    const source *src;
    const inquiry_metric *const *metrics;
    size_t nmetrics;
    const expr *const *exprs; /* its grouping expressions and filters */
    size_t nexprs;
    const time_bound *const *bounds; /* its time bounds on the time column */
    size_t nbounds;
    const time_zone *tz; /* the session's (NULL: UTC) */
    /* The sources' discovered types: a SUM or AVG of floating-point values is not
     * re-aggregated (its last digits would depend on the order of the additions). */
    const struct discovered_types *types;
} rollup_demand;

/* The smallest ready rollup of d->src that answers d exactly; false when none does. */
bool rollup_route_choose(const catalog *cat, const rollup_ready *ready, size_t nready,
                         const rollup_demand *d, rollup_route *out);

/* Does plan p read a rollup (in one of its atomic queries, or its first phase's)? */
bool rollup_plan_reads(const plan *p);

/* "2026-12-07 10:00:00" as ISO 8601 UTC ("2026-12-07T10:00:00Z"), in out[32]. */
void rollup_iso_utc(const char *utc, char out[32]);

#endif
