/*
 * information_schema, answered without a backend: an in-memory SQLite
 * database built once per catalog load from the semantic layer, holding
 * MySQL 8.0's information_schema tables (SCHEMATA, TABLES, COLUMNS, ...) for
 * the databases `mimir` and `information_schema`. SELECTs on
 * information_schema and the SHOW statements are printed as SQLite SQL from
 * the parsed statement (never from the client's text) and run here,
 * synchronously: the database holds a few hundred rows.
 *
 * Text columns compare case-insensitively (COLLATE NOCASE), as MySQL's
 * utf8 *_ci collations do.
 */
#ifndef MIMIR_PLANNER_INFO_SCHEMA_H
#define MIMIR_PLANNER_INFO_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/mimir_tables.h"
#include "planner/plan.h"
#include "planner/planner.h"
#include "semantic/catalog.h"
#include "semantic/column_type.h"

#define INFO_SCHEMA_DATABASE "information_schema"

/* Builds the database for cat (which must outlive it). NULL with err set on failure. */
info_schema *info_schema_build(const catalog *cat, char *err, size_t errlen);
/*
 * The same with the column types discovered from the backends (NULL: none;
 * see planner/discovered_types.h), which it copies: types may be freed
 * afterwards. The server rebuilds information_schema this way each time
 * discovery learns something, and swaps it in between two statements.
 */
info_schema *info_schema_build_typed(const catalog *cat, const discovered_types *types, char *err,
                                     size_t errlen);
void info_schema_free(info_schema *is);

/* The tables of database `mimir`, as information_schema describes them. */
size_t info_schema_mimir_tables(const info_schema *is, const mimir_table **out);
/* One of them by name (case-insensitively); NULL when there is none. */
const mimir_table *info_schema_mimir_table(const info_schema *is, const char *name);

/*
 * Refreshes the rows that depend on the session: PROCESSLIST (this session:
 * sessions live in proxy/, and the planner sees only its own), the
 * privileges of its user, and the server variables SHOW VARIABLES reads.
 * info is the statement being run (PROCESSLIST.INFO), or NULL.
 */
void info_schema_set_session(info_schema *is, const session_info *s, const char *info);

/*
 * Runs a SELECT printed by the planner, binding params, and copies the rows
 * into out (in arena a). Column types come from the declared types of the
 * columns selected, else from the values. Runaway queries (a cross join of
 * COLUMNS with itself, ...) stop with error 1105 instead of stalling the loop.
 */
bool info_schema_run(info_schema *is, arena *a, const char *sql, const query_param *params,
                     size_t nparams, const_result *out, sql_error *err);

/* The result column a declared type describes (for COM_FIELD_LIST and result sets). */
void info_schema_result_column(const column_type *t, const char *name, result_column *out);

#endif
