/*
 * Rows of a SQLite statement stepped on a worker thread and handed to the
 * loop in batches: the values are copied out (SQLite's pointers die at the
 * next step), so the loop can deliver them while the worker is idle.
 */
#ifndef MIMIR_PROXY_BACKEND_ROW_BATCH_H
#define MIMIR_PROXY_BACKEND_ROW_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "wire/buf.h"

#define ROW_BATCH_NULL ((size_t)-1)

typedef struct row_batch {
    size_t ncols;
    size_t nrows;
    size_t *lengths;  /* nrows * ncols; ROW_BATCH_NULL for NULL */
    size_t cap;       /* values allocated in lengths */
    buf data;         /* the values, back to back */
    int rc;           /* after the last step: SQLITE_ROW (more to come), SQLITE_DONE, or an error */
    char *error;      /* sqlite3_errmsg when rc is an error */
    bool first;       /* the batch holds the statement's first row */
    int *first_types; /* storage classes of the first row (SQLITE_INTEGER, ...), ncols of them */
} row_batch;

void row_batch_init(row_batch *b);
void row_batch_free(row_batch *b);
/* On the worker: steps up to max_rows (or ~max_bytes of values) into b, replacing it. */
void row_batch_step(row_batch *b, sqlite3 *db, sqlite3_stmt *st, size_t max_rows, size_t max_bytes);
/*
 * On the loop: row i's values (pointers into b, valid until the next step).
 * Rows are read in order: offset is 0 for row 0, then what the previous call returned.
 */
size_t row_batch_row(const row_batch *b, size_t i, size_t offset, const char **values,
                     size_t *lengths);

#endif
