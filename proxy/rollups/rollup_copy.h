/*
 * Moving a rollup's rows from its source's database to a storage on another
 * connection (docs/rollups.md, "Storage"). Both are of the same kind (the
 * loader makes sure): the aggregate runs on the source and its rows stream
 * into the storage as the source gives them:
 *
 *   PostgreSQL      single-row mode on the source, COPY ... FROM STDIN in text
 *                   format on the storage (the text both sides' types read and
 *                   write, so every value arrives exactly);
 *   MySQL/MariaDB   a prepared statement on the source read a row at a time,
 *                   multi-row INSERTs on the storage with each value escaped by
 *                   the storage's own client library;
 *   SQLite          a prepared INSERT bound with each value as it is.
 *
 * A full build first creates the table with the types the source gives the
 * columns (PostgreSQL's format_type of each column, MySQL's column definition
 * with its character set and collation, SQLite's declared type), so that the
 * storage compares, groups and sorts the rows as the source would. Blocking:
 * for a worker thread or the command line.
 */
#ifndef MIMIR_PROXY_ROLLUPS_ROLLUP_COPY_H
#define MIMIR_PROXY_ROLLUPS_ROLLUP_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/rollup_plan.h"
#include "proxy/backend/blocking_db.h"

/*
 * Runs q on src and appends its rows to table (a qualified, quoted name) on dst,
 * creating table first when create is set. *rows: the rows copied. False with the
 * database's message in err; what was written is the caller's to roll back.
 */
bool rollup_copy(blocking_db *src, blocking_db *dst, const rollup_sql *q, const char *table,
                 bool create, long long *rows, char *err, size_t errlen);

#endif
