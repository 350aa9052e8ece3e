/*
 * Functions Mimir adds to the SQLite databases it opens, its sources and the
 * final stage's in-memory database, for what SQLite's own library cannot
 * answer with MySQL's semantics: the conversions of a session time zone
 * (mimir_tz_local, mimir_tz_utc, mimir_epoch) and MySQL's reading of times
 * from text (mimir_str_to_date, mimir_datetime, mimir_time_key). The
 * planner's SQLite printer (planner/split.c, functions.c, sql_builder.c)
 * writes calls to them.
 */
#ifndef MIMIR_PROXY_BACKEND_SQLITE_FUNCTIONS_H
#define MIMIR_PROXY_BACKEND_SQLITE_FUNCTIONS_H

#include <stdbool.h>
#include <sqlite3.h>

/* Registers them on db; false if SQLite refused one. */
bool sqlite_functions_register(sqlite3 *db);

#endif
