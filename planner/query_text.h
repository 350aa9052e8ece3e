/*
 * The statement a `mimir query` command line stands for. The command line's
 * options (metrics, dimensions, granularity, dates, filters, order, limit)
 * become one MySQL-dialect SELECT on mimir.metrics, which then goes through
 * the same planner as a client's query, locally or on a server: there is one
 * query surface, not two.
 */
#ifndef MIMIR_PLANNER_QUERY_TEXT_H
#define MIMIR_PLANNER_QUERY_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/arena.h"

typedef struct query_request {
    const char *const *metrics; /* names; at least one */
    size_t nmetrics;
    const char *const *dimensions; /* names */
    size_t ndimensions;
    /* TIME, SECOND, MINUTE, HOUR, DAY/DATE, WEEK, MONTH, QUARTER or YEAR, or
     * the name of a time grain column (ts, ds, week, ...); NULL for none. */
    const char *granularity;
    const char *start_date, *end_date; /* YYYY-MM-DD, inclusive; NULL when open */
    const char *const *filters;        /* MySQL conditions, ANDed together */
    size_t nfilters;
    const char *const *order; /* ORDER BY items: "expression [ASC|DESC]" */
    size_t norder;
    long long limit; /* < 0: none */
    /* Errors name the JSON fields of the HTTP API's inquiry (metrics, start_date, ...), not
     * the command line's options (-m, --start-date, ...). */
    bool json_names;
} query_request;

/*
 * The SELECT for r, in arena a. Every filter and order item is parsed on its
 * own first and must be exactly one expression, so that none can change the
 * shape of the statement around it. NULL, with a message in err, when an
 * option is not what it should be.
 */
const char *query_request_sql(arena *a, const query_request *r, char *err, size_t errlen);

/* `name` as a MySQL-dialect identifier, backquotes doubled (in arena a): any metric,
 * dimension or source name can go into a statement Mimir writes itself. */
const char *query_quoted_name(arena *a, const char *name);

#endif
