/*
 * The tables clients see in database `mimir`, derived from the semantic
 * layer: `metrics` (every time grain, every dimension and every metric) and
 * one table per source (its time grains, the dimensions available on it and
 * its metrics). information_schema, SHOW and COM_FIELD_LIST all describe
 * these, so they agree with each other and with what a query accepts.
 */
#ifndef MIMIR_PLANNER_MIMIR_TABLES_H
#define MIMIR_PLANNER_MIMIR_TABLES_H

#include <stddef.h>

#include "planner/arena.h"
#include "planner/discovered_types.h"
#include "semantic/catalog.h"
#include "semantic/column_type.h"

#define MIMIR_METRICS_TABLE "metrics"

typedef enum { MCOL_GRAIN, MCOL_DIMENSION, MCOL_METRIC } mimir_column_role;

/* Where a column's type comes from. */
typedef enum {
    TYPE_DEFAULT,    /* one of the defaults below, a guess: nothing else said */
    TYPE_DECLARED,   /* a `type:` key: the catalog's claim, whatever results say */
    TYPE_DISCOVERED, /* the backend's description of the source's results */
    TYPE_FIXED,      /* fixed by Mimir: the grains */
} column_type_origin;

typedef struct mimir_column {
    const char *name;
    column_type type; /* declared with `type:`, else discovered, else the defaults below */
    column_type_origin type_origin;
    const char *comment; /* the definition's description; never NULL */
    mimir_column_role role;
} mimir_column;

typedef struct mimir_table {
    const char *name;
    const char *comment; /* the source's description; never NULL */
    mimir_column *cols;
    size_t ncols;
} mimir_table;

/*
 * Builds the tables in arena a: `metrics` first, then one per source in
 * catalog order (a source named `metrics` has no table of its own). Types:
 * ts DATETIME, ts_second/ts_minute/ts_hour DATETIME, ds, week, year_month and
 * quarter DATE, year INT; dimensions VARCHAR(255)
 * unless declared; metrics BIGINT for COUNT(...), DOUBLE for AVG(...),
 * otherwise DECIMAL(65,2), unless declared.
 */
size_t mimir_tables(arena *a, const catalog *cat, mimir_table **out);

/*
 * The same, with the types discovered from the backends (NULL: none) for
 * every column that declares no `type:`, ts included. In mimir.metrics a
 * column several sources have takes the union of their types (see
 * planner/discovered_types.h). A declared type always wins.
 */
size_t mimir_tables_typed(arena *a, const catalog *cat, const discovered_types *types,
                          mimir_table **out);

#endif
