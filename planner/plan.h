/*
 * What the planner hands to the executor for a metrics query: one atomic
 * query per source (SQL in the backend's dialect plus its parameters), how the
 * client's columns map onto them, and, when more than one source is involved,
 * the SQL that combines the partial results in SQLite.
 */
#ifndef MIMIR_PLANNER_PLAN_H
#define MIMIR_PLANNER_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/value_type.h"
#include "semantic/catalog.h"

typedef enum {
    DIALECT_POSTGRES, /* "ident", $1 placeholders */
    DIALECT_MYSQL,    /* `ident`, ? placeholders */
    DIALECT_SQLITE,   /* "ident", ?NNN placeholders */
} sql_dialect;

/* A literal from the client's query, sent to the backend as a parameter. */
typedef enum { PARAM_TEXT, PARAM_INT, PARAM_NUMBER } param_kind;
typedef struct query_param {
    param_kind kind;
    const char *text; /* NUL-terminated; strings may not contain NUL (rejected earlier) */
} query_param;

typedef struct atomic_query {
    const source *src;
    const connection *conn;
    sql_dialect dialect;
    const char *sql;
    query_param *params;
    size_t nparams;
    size_t ncols;
    const char **col_names; /* names of its result columns (the combine's table columns) */
    /*
     * MySQL/MariaDB only: the named zone ('America/New_York') its SQL passes to
     * CONVERT_TZ, NULL when it passes none (UTC, an offset, no grain or time
     * bound). CONVERT_TZ answers NULL for a name the server's time zone tables
     * lack, so the connector makes sure the server knows it before running
     * the query (proxy/backend/mysql_backend.c).
     */
    const char *tz_name;
} atomic_query;

/* One column the client sees. */
typedef struct plan_column {
    const char *name;     /* as the client sees it (alias or default name) */
    const char *org_name; /* the dimension or metric name */
    bool is_metric;
    bool computed;    /* an expression of the final stage: its type comes from its values */
    size_t query;     /* the atomic query that provides it (for a dimension: the first) */
    size_t query_col; /* its column there */
    /* Its type as the semantic layer knows it before anything runs
     * (planner/layer_types.h); type VT_NULL when it does not. Execution takes
     * from it only what the backend leaves unknown: a NUMERIC's scale when no
     * row tells it, a timestamp's precision. */
    result_column layer_type;
} plan_column;

typedef struct plan {
    atomic_query *queries;
    size_t nqueries;
    plan_column *cols;
    size_t ncols;
    /*
     * NULL when one atomic query answers everything: its columns are the
     * client's columns in order, with ORDER BY and LIMIT pushed down, so rows
     * stream straight through. Otherwise a SQLite SELECT over tables s0, s1,
     * ... (atomic query i loaded into si with columns named col_names): the
     * combine of several sources, expressions over metrics, HAVING.
     */
    const char *final_sql;
    query_param *final_params;
    size_t nfinal_params;
    /* What the statement says about caching its result (proxy/cache/cache_policy.h). */
    bool no_cache;         /* SELECT SQL_NO_CACHE */
    bool nondeterministic; /* NOW(), CURRENT_DATE, RAND(), ...: the answer changes by itself */
    /* The combine joins on the first njoin_cols columns of every table (the
     * dimensions; 0 for a single table or a CROSS JOIN). */
    size_t njoin_cols;
} plan;

#endif
