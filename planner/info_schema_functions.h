/*
 * SQL functions of the information_schema SQLite connection, for what MySQL
 * evaluates and SQLite has no form for: user variables assigned and read in a
 * select list (@dt := ..., then @dt in a later item of the same row: MariaDB
 * Connector/ODBC's SQLColumns query does that), CHAR(n, ...) with MySQL's
 * bytes, and LIKE BINARY. The catalog printer (catalog_sql.c) prints calls of
 * them; a client cannot name them (its function names go through the
 * function table of functions.c).
 *
 * User variables live for one statement: info_schema_run clears them before
 * and after each query. A variable read before it is assigned is NULL.
 */
#ifndef MIMIR_PLANNER_INFO_SCHEMA_FUNCTIONS_H
#define MIMIR_PLANNER_INFO_SCHEMA_FUNCTIONS_H

#include <stdbool.h>

/* mimir_set(name, value): assigns and returns value. mimir_get(name): the value or NULL. */
#define IS_FN_SET_VARIABLE "mimir_set"
#define IS_FN_GET_VARIABLE "mimir_get"
/* mimir_char(n, ...): MySQL's CHAR(): each n as its big-endian bytes, NULLs skipped. */
#define IS_FN_CHAR "mimir_char"
/* mimir_like_binary(value, pattern[, escape]): MySQL's LIKE, byte for byte. */
#define IS_FN_LIKE_BINARY "mimir_like_binary"

typedef struct user_vars user_vars;
struct sqlite3;

user_vars *user_vars_new(void);
/* Forgets every variable (between statements). */
void user_vars_clear(user_vars *v);
void user_vars_free(user_vars *v);

/* Registers the functions above on db; vars must outlive it. */
bool info_schema_functions_register(struct sqlite3 *db, user_vars *vars);

#endif
