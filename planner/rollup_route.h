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
 *   - its time bounds leave at least one whole period of that grain before the
 *     watermark (the periods the range covers only in part are read from the source);
 *   - the session reads time in the rollup's zone (the calendar's, UTC without one:
 *     the same named zone, or the same offset), or the source's time column is a wall
 *     clock (DATE, DATETIME, timestamp without time zone) no zone converts. The
 *     rollup's periods and watermark are then wall clocks of the session's zone, as its
 *     bounds are;
 *   - the user has no row filter on the source, or one the rollup's dimensions
 *     express exactly (semantic/rollup_filter.h), which is then applied to its rows.
 *
 * Among several, the one that leaves the least of the range before the watermark to
 * the source (a daily rollup for a range that starts mid-month, rather than a
 * monthly one), then the one with the fewest rows. The rollup holds the periods
 * before its watermark; with `lambda` (the default) the part of the range at or
 * after it is read from the source, aggregated to the rollup's shape and added,
 * and so are the rows of a period the range starts or ends inside of
 * (planner/split.c prints all of it as one statement). Without lambda the range's
 * bounds must fall on period starts. A rollup stored on another connection than
 * its source's answers only when the source has nothing to add.
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
    /*
     * The rollup answers the whole periods of [from, to) ("YYYY-MM-DD HH:MM:SS" wall
     * clocks; from is "" when the range has no lower bound, to is at most the
     * watermark). The source answers the rest of the range: its rows before `from`
     * (head: the range starts inside a period) and from `to` on (tail: the rows after
     * the watermark, or the period the range ends inside of).
     */
    char from[128], to[128];
    bool head, tail;
    /* How much of the range before the watermark the source answers (microseconds): the
     * choice among rollups prefers the least, then the fewest rows. */
    int64_t partial_us;
    /* Stored on another connection than the source's: the source's parts are read first,
     * in a phase of their own (planner/rollup_phase.h). */
    bool elsewhere;
    /* The user's row filter as the rollup's rows read it (NULL: none). The source's
     * rows (its parts of the range) have it in their SQL already. */
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
    /* A rollup stored on another connection may leave parts of the range to the source
     * (read first, in a phase of their own: planner/rollup_phase.h). */
    bool elsewhere_parts_ok;
} rollup_demand;

/* The smallest ready rollup of d->src that answers d exactly; false when none does. */
bool rollup_route_choose(const catalog *cat, const rollup_ready *ready, size_t nready,
                         const rollup_demand *d, rollup_route *out);

/* Does a session in zone tz (NULL: UTC) read the periods of cat's rollup zone (the
 * calendar's)? The same named zone or the same offset; UTC and UTC. */
bool rollup_zone_reads_alike(const catalog *cat, const time_zone *tz);

/* Does plan p read a rollup (in one of its atomic queries, or its first phase's)? */
bool rollup_plan_reads(const plan *p);

/* The part of routed query q's range its source answers, as EXPLAIN and the note say it
 * ("before A", "from B on", "before A and from B on"); NULL when the rollup answers it all. */
const char *rollup_source_part(arena *a, const atomic_query *q);

/* "2026-12-07 10:00:00" as ISO 8601 UTC ("2026-12-07T10:00:00Z"), in out[32]. */
void rollup_iso_utc(const char *utc, char out[32]);

#endif
