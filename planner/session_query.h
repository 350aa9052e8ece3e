/*
 * Statements answered from the session alone, with no backend: SELECT of
 * constants, server variables and session functions (what clients send on
 * connect: select @@version_comment limit 1, SELECT DATABASE(), ...), USE, SET
 * and the transaction statements a read-only store accepts as no-ops.
 */
#ifndef MIMIR_PLANNER_SESSION_QUERY_H
#define MIMIR_PLANNER_SESSION_QUERY_H

#include "planner/ast.h"
#include "planner/planner.h"

void session_select(arena *a, const session_info *s, const select_stmt *sel, action *out);
void session_set(arena *a, const session_info *s, const statement *st, action *out);

/* A server variable's value as text and its type; NULL when there is no such variable. */
const char *server_variable(const session_info *s, const char *name, value_type *type);

/* The i-th server variable as SHOW VARIABLES prints it (booleans as ON/OFF);
 * false past the last one. */
bool server_variable_at(const session_info *s, size_t i, const char **name, const char **value);

/*
 * A time bound written with the statement's clock, folded as MySQL evaluates it:
 * e is provably constant within the statement (literals; NOW(), CURRENT_TIMESTAMP,
 * LOCALTIME[STAMP], CURDATE(), CURRENT_DATE, UTC_TIMESTAMP(), UTC_DATE(); DATE(),
 * TIMESTAMP(x), CAST(x AS DATE|DATETIME), DATE_ADD, DATE_SUB, ADDDATE, SUBDATE,
 * `± INTERVAL n unit` and CONVERT_TZ of those) and its value is a DATE or a DATETIME:
 * *text is it ('YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS[.f]', the session's wall clock,
 * or UTC's for UTC_...). The clock is s->clock_us read in s->tz. SYSDATE() is not
 * folded: MySQL reads it as each row is read. False for anything else, or NULL.
 */
bool session_fold_time(arena *a, const session_info *s, const expr *e, const char **text);

#endif
