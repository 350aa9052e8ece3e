/*
 * An inquiry is what a metrics query asks for, resolved against the semantic
 * layer: which metrics, by which dimensions (or time grains), under which
 * filters, in which order, how many rows. It knows nothing of backends yet;
 * inquiry_split turns it into a plan.
 */
#ifndef MIMIR_PLANNER_INQUIRY_H
#define MIMIR_PLANNER_INQUIRY_H

#include "planner/arena.h"
#include "planner/ast.h"
#include "planner/plan.h"
#include "planner/sql_builder.h"
#include "planner/sql_error.h"
#include "semantic/catalog.h"

/* A dimension of the inquiry: a catalog dimension / local column, or a time grain. */
typedef struct inquiry_dim {
    const char *name; /* canonical name: dimension name, or ts/ds/year_month/year */
    bool is_grain;
    time_grain grain;
} inquiry_dim;

typedef struct inquiry_column {
    const char *name; /* what the client sees */
    bool is_metric;
    size_t index; /* into dims or metrics */
} inquiry_column;

typedef struct inquiry_order {
    size_t column; /* into columns */
    bool desc;
} inquiry_order;

typedef struct inquiry {
    inquiry_column *columns;
    size_t ncolumns;
    inquiry_dim *dims; /* grouped by; each appears once */
    size_t ndims;
    const metric **metrics; /* each appears once */
    size_t nmetrics;
    expr *where;              /* column references resolved by name at split time; NULL when none */
    inquiry_dim *filter_dims; /* dimensions the filter names (may overlap dims) */
    size_t nfilter_dims;
    inquiry_order *order;
    size_t norder;
    bool has_limit;
    int64_t limit, offset;
} inquiry;

/* Builds the inquiry of a SELECT ... FROM mimir.metrics. */
bool inquiry_from_select(arena *a, const catalog *cat, const select_stmt *s, inquiry *out,
                         sql_error *err);

/* Splits an inquiry into one atomic query per source and the combine. */
bool inquiry_split(arena *a, const catalog *cat, const inquiry *q, plan *out, sql_error *err);

/* Name lookups that ignore case, as MySQL column names do. */
const char *canonical_dimension(const catalog *cat, const char *name);
const metric *canonical_metric(const catalog *cat, const char *name);
bool time_grain_of(const char *name, time_grain *g, const char **canonical);

#endif
