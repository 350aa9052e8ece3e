/*
 * The combine step of a multi-source inquiry: each atomic query's rows load
 * into a table of an in-memory SQLite database (s0, s1, ...), then the plan's
 * combine SQL (a FULL OUTER JOIN on the dimensions) produces the client's rows.
 */
#ifndef MIMIR_PROXY_EXEC_COMBINE_H
#define MIMIR_PROXY_EXEC_COMBINE_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/plan.h"
#include "planner/value_type.h"

typedef struct combine combine;

combine *combine_new(size_t ntables, char *err, size_t errlen);
void combine_free(combine *c);

/*
 * Creates table s<i> with the given column names and types; combine_index or
 * combine_index_table will index its first nkeys columns (the join's keys) when
 * nkeys > 0, unless it is the table the join scans.
 */
bool combine_create(combine *c, size_t i, const char *const *names, const result_column *cols,
                    size_t n, size_t nkeys, char *err, size_t errlen);
bool combine_insert(combine *c, size_t i, const char *const *values, const size_t *lengths,
                    char *err, size_t errlen);
/* The largest DECIMAL scale seen in column col of table i (for the output metadata);
 * -1 when the column had no value. */
int combine_scale(const combine *c, size_t i, size_t col);

/*
 * Prepares the final query over the loaded tables (ending the load). The
 * caller steps it, on a worker, with row_batch_step(combine_db(c), stmt, ...),
 * and finalizes it with sqlite3_finalize before combine_free.
 */
struct sqlite3;
struct sqlite3_stmt;
struct sqlite3_stmt *combine_prepare(combine *c, const char *sql, const query_param *params,
                                     size_t nparams, char *err, size_t errlen);
struct sqlite3 *combine_db(combine *c);
/*
 * Indexes the join keys of every table but outer (the one the join scans: the first
 * of its FROM) and pads DECIMAL values to their column's scale (once; after
 * combine_prepare, before the first step). It takes a while for large results:
 * call it on a worker. The prepared statement is recompiled by SQLite at its next
 * step and then uses the indexes.
 */
void combine_index(combine *c, size_t outer);

/*
 * While other sources still run, a table whose source has answered can be indexed
 * on a worker. Between combine_lend and combine_settle the worker has the database:
 * combine_create and combine_insert then only hold what they are given in memory,
 * and combine_settle (on the loop, once the worker is done) creates and loads it.
 * combine_index_table is what the worker runs; false (with err) if table i's last
 * rows could not be loaded.
 */
bool combine_has_index_to_build(const combine *c, size_t i);
void combine_lend(combine *c);
bool combine_index_table(combine *c, size_t i, char *err, size_t errlen);
bool combine_settle(combine *c, char *err, size_t errlen);

/* A DECIMAL value (exact text, or a key stored as REAL) printed at its column's scale,
 * rounded half away from zero (into out, 64 bytes). */
size_t combine_decimal_text(const char *value, size_t len, int scale, char *out);

#endif
