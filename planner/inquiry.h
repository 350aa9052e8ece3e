/*
 * An inquiry is what a metrics query asks for, resolved against the semantic
 * layer: grouping expressions over dimensions (plain dimensions, time grains,
 * DATE(ts), DATE_FORMAT(ts, '%Y-%m'), ...), metrics, filters on dimensions
 * (pushed into every atomic query), conditions on metrics (applied after the
 * combine), the client's columns (each a dimension, a metric, or an expression
 * over them), order and limit. inquiry_split turns it into a plan.
 */
#ifndef MIMIR_PLANNER_INQUIRY_H
#define MIMIR_PLANNER_INQUIRY_H

#include "planner/arena.h"
#include "planner/ast.h"
#include "planner/plan.h"
#include "planner/sql_builder.h"
#include "planner/sql_error.h"
#include "planner/time_zone.h"
#include "semantic/catalog.h"

/* A grouping key: an expression over dimensions, computed by every source's backend. */
typedef struct inquiry_dim {
    const char *key;  /* its column in atomic results and the combine: "d0", "d1", ... */
    const char *norm; /* normalised text, to recognise the same expression twice */
    const expr *e;
    bool hidden; /* grouped by but not selected */
} inquiry_dim;

typedef struct inquiry_metric {
    const metric *m;
    const char *key; /* "m0", "m1", ... */
    /* The time metric (type: offset or cumulative) whose periods m is computed over
     * (planner/time_metrics.h); NULL: the query's own. m is never derived. */
    const metric *tm;
} inquiry_metric;

typedef enum { COL_DIM, COL_METRIC, COL_EXPR } column_kind;

typedef struct inquiry_column {
    const char *name; /* what the client sees */
    column_kind kind;
    size_t index;  /* COL_DIM: into dims; COL_METRIC: into metrics */
    const expr *e; /* as written */
} inquiry_column;

typedef struct inquiry_order {
    bool by_column; /* true: column; false: an expression of the final stage */
    size_t column;
    const expr *e;
    bool desc;
} inquiry_order;

typedef struct inquiry {
    const source *only_source; /* FROM mimir.<source>: NULL for mimir.metrics */
    inquiry_column *columns;
    size_t ncolumns;
    inquiry_dim *dims;
    size_t ndims;
    inquiry_metric *metrics;
    size_t nmetrics;
    const expr **filters; /* conjuncts on dimensions: into every atomic query */
    size_t nfilters;
    const expr **having; /* conjuncts on metrics: after the combine */
    size_t nhaving;
    inquiry_order *order;
    size_t norder;
    bool has_limit;
    int64_t limit, offset;
    bool distinct;    /* SELECT DISTINCT: with hidden keys, the final stage removes duplicates */
    bool needs_final; /* expressions, HAVING, hidden keys: a SQLite stage computes the result */
    /* The session's zone: grains, date functions and time bounds of instants are
     * computed in it (NULL: UTC). types tells which time columns are instants. */
    const time_zone *tz;
    const struct discovered_types *types;
    /* The statement's clock (session_info.clock_us); 0: the real clock. */
    int64_t clock_us;
    /* The rollups built and ready to answer (planner/rollup_route.h); none when the
     * session turned them off or the statement says NO_ROLLUP(). */
    const struct rollup_ready *rollups;
    size_t nrollups;
    /* A rollup stored on another connection than its source's may answer a range whose
     * head or tail the source reads, in a first phase (planner/rollup_phase.h): allowed
     * here; and once that phase has run, its rows (rollup_rows, of source
     * rollup_rows_source) to print into the rollup's statement. */
    bool rollup_phase_ok;
    const struct phase_keys *rollup_rows;
    const char *rollup_rows_source;
    /* The type probe's inquiry (planner/type_probe.h): each metric's aggregate as its
     * source computes it, without what chooses or fills its rows after (semi-additive
     * edges, fill_nulls_with, join_to_calendar), in one atomic query. */
    bool type_probe;
} inquiry;

/* Builds the inquiry of a SELECT on mimir.metrics (table NULL) or mimir.<source>. */
bool inquiry_from_select(arena *a, const catalog *cat, const select_stmt *s, const source *table,
                         inquiry *out, sql_error *err);

/*
 * Refuses what MySQL would answer row by row (a metric without an aggregate or
 * GROUP BY; dimensions without GROUP BY, DISTINCT or an aggregate) with 1235,
 * and MySQL's aggregates beside bare columns without GROUP BY with 1140, as
 * MySQL 8 does. Only for a statement's own result: a subquery whose rows are
 * only tested for membership may read them.
 */
bool inquiry_check_row_level(const select_stmt *s, const inquiry *q, sql_error *err);

/* Splits an inquiry into one atomic query per source and the final stage. */
bool inquiry_split(arena *a, const catalog *cat, const inquiry *q, plan *out, sql_error *err);

/* Name lookups that ignore case, as MySQL column names do. */
const char *canonical_dimension(const catalog *cat, const char *name);
const metric *canonical_metric(const catalog *cat, const char *name);
bool time_grain_of(const char *name, time_grain *g, const char **canonical);
/* Whether cat has grain g: fiscal_year and fiscal_quarter only when its calendar sets
 * fiscal_year_start_month (elsewhere they are unknown columns, like any other name). */
bool time_grain_available(const catalog *cat, time_grain g);
/* time_grain_of for the grains cat has. */
bool catalog_time_grain_of(const catalog *cat, const char *name, time_grain *g,
                           const char **canonical);
/* The column name of a grain: "ts", "ds", "year_month", "week", ... */
const char *time_grain_name(time_grain g);

/* AGG(m), MEASURE(m), SUM/MIN/MAX/AVG(m): the metric it names, or NULL. */
const metric *measure_of(const catalog *cat, const expr *e);

/* Normalised text of an expression (names resolved, case folded), to compare two. */
const char *expr_norm(arena *a, const catalog *cat, const expr *e);

#endif
