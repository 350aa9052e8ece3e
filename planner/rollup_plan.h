/*
 * The SQL that builds a rollup (docs/rollups.md): a metrics query on
 * mimir.<source> planned by the planner's own machinery (planner_plan), so a
 * rollup means exactly what the same query means,
 *
 *   SELECT <grain>, <dims>, AGG(m)... FROM mimir.<source>
 *   [WHERE ts >= 'from' AND ts < 'to'] GROUP BY <grain>, <dims>
 *
 * in the zone of the project's calendar (UTC without one), wrapped so that its
 * columns are the storage contract's: period (the start of the grain's period
 * as a timestamp, also for year), one per dimension, one per metric (an AVG as
 * <m>__sum and <m>__count, planned as SUM and COUNT of its argument).
 */
#ifndef MIMIR_PLANNER_ROLLUP_PLAN_H
#define MIMIR_PLANNER_ROLLUP_PLAN_H

#include <stdint.h>
#include <time.h>

#include "planner/arena.h"
#include "planner/discovered_types.h"
#include "planner/plan.h"
#include "planner/sql_error.h"
#include "semantic/catalog.h"

typedef struct rollup_sql {
    sql_dialect dialect; /* the source's: the SQL runs on the source's connection */
    const char *sql;     /* SELECT period, <dims>, <metric columns> FROM (...) */
    query_param *params;
    size_t nparams;
    /* MySQL/MariaDB: the named zone its SQL passes to CONVERT_TZ (NULL: none), which
     * the server must know (atomic_query's tz_name). */
    const char *tz_name;
    const char **columns; /* the contract's column names, in the SELECT's order */
    size_t ncolumns;
    size_t ndims; /* columns[1 .. ndims] are the dimensions */
    /* A hash of everything the rows depend on: the unbounded query's SQL (source
     * SQL, metric and dimension expressions), the columns, the grain, the zone. */
    uint64_t definition_hash;
} rollup_sql;

/*
 * Plans rollup r of source s over [from, to) (wall clocks "YYYY-MM-DD HH:MM:SS" in
 * the rollup zone; NULL: unbounded on that side). False with err set when the
 * query does not plan as one atomic query.
 *
 * types: what is known of s's columns (NULL: nothing). Only the type of its time
 * column (ts) is used: in a rollup zone other than UTC it tells an instant, which
 * the zone converts, from a wall clock, which it does not, and without it the plan
 * fails (rollup_zone_needs_types). Nothing else of them is: other types only shape
 * how a client's answer is typed, which the router does when it reads the rollup,
 * so the SQL (and the definition hash) do not depend on what was discovered when.
 */
bool rollup_plan(arena *a, const catalog *cat, const source *s, const rollup *r,
                 const struct discovered_types *types, const char *from, const char *to,
                 rollup_sql *out, sql_error *err);

/* Is the rollup zone other than UTC, so that a build needs its source's time column's
 * type (rollup_plan)? */
bool rollup_zone_needs_types(const catalog *cat);

/* The period column from grain column col (a quoted identifier): the grain's value as
 * the contract's timestamp (a year is a number). */
const char *rollup_period_expr(arena *a, sql_dialect d, const char *grain, const char *col);

/* The zone periods are computed in: the calendar's time_zone, else UTC ("+00:00"). */
const char *rollup_zone_text(const catalog *cat);

/*
 * The start of the period of r's grain that instant t falls in, as the wall clock
 * of the rollup zone ("YYYY-MM-DD HH:MM:SS" in out[ROLLUP_TIME_LEN]).
 */
#define ROLLUP_TIME_LEN 32
void rollup_period_floor(const catalog *cat, const rollup *r, time_t t, char *out);

#endif
