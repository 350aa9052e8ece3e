/*
 * What the two printers of catalog queries share (info_schema_query.c for
 * SELECTs on information_schema, show.c for SHOW): session values in place
 * of session functions and variables, and running the printed SQL. Private
 * to planner/.
 */
#ifndef MIMIR_PLANNER_CATALOG_SQL_H
#define MIMIR_PLANNER_CATALOG_SQL_H

#include "planner/planner.h"
#include "planner/sql_builder.h"

/*
 * sb_substitute hook (subst_ctx: the const session_info *): DATABASE(),
 * USER(), VERSION(), CONNECTION_ID() and @@variables become parameters
 * holding their value in this session; @user_variables (read and assigned
 * with :=), CHAR() and LIKE BINARY become calls of the information_schema
 * connection's own functions (info_schema_functions.h).
 */
bool catalog_session_value(void *session, sql_builder *b, const expr *e, bool *handled,
                           sql_error *err);

/* A SQLite builder for the information_schema database, with the hook above. */
void catalog_builder_init(sql_builder *b, arena *a, const session_info *s);

/* Finishes b and runs it; on success out is ACTION_ROWS (column names from names, if given). */
void catalog_run(arena *a, const session_info *s, sql_builder *b, const char *const *names,
                 action *out);

/* False, with a 1105 error in out, when the session has no information_schema. */
bool catalog_available(const session_info *s, action *out);

#endif
