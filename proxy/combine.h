/*
 * The combine step of a multi-source inquiry: each atomic query's rows load
 * into a table of an in-memory SQLite database (s0, s1, ...), then the plan's
 * combine SQL (a FULL OUTER JOIN on the dimensions) produces the client's rows.
 */
#ifndef MIMIR_PROXY_COMBINE_H
#define MIMIR_PROXY_COMBINE_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/plan.h"
#include "planner/value_type.h"

typedef struct combine combine;

combine *combine_new(size_t ntables, char *err, size_t errlen);
void combine_free(combine *c);

/* Creates table s<i> with the given column names and types. */
bool combine_create(combine *c, size_t i, const char *const *names, const result_column *cols,
                    size_t n, char *err, size_t errlen);
bool combine_insert(combine *c, size_t i, const char *const *values, const size_t *lengths,
                    char *err, size_t errlen);
/* The largest DECIMAL scale seen in column col of table i (for the output metadata). */
int combine_scale(const combine *c, size_t i, size_t col);

/*
 * Runs the final query. Columns whose type is VT_NULL on entry are computed:
 * their type is taken from the first row's values before header is called.
 * Each row's values are rendered as MySQL text.
 */
typedef void (*combine_header_cb)(void *ctx, const result_column *cols);
typedef void (*combine_row_cb)(void *ctx, const char *const *values, const size_t *lengths);
bool combine_run(combine *c, const char *sql, const query_param *params, size_t nparams,
                 result_column *cols, size_t ncols, combine_header_cb header, combine_row_cb row,
                 void *ctx, char *err, size_t errlen);

#endif
