/*
 * The functions of time Mimir adds to the SQLite databases it opens (its
 * sources and the final stage's in-memory database), beside those of
 * proxy/backend/sqlite_functions.h: the conversions of a session time zone
 * (mimir_tz_local, mimir_tz_utc, mimir_epoch), read from the system's tz
 * database (planner/tz_database.h, safe on the worker threads), and MySQL's
 * reading and writing of times as text (mimir_datetime, mimir_time_key,
 * mimir_date_format: planner/mysql_time.h). The planner's SQLite printer
 * (planner/split.c, functions.c, sql_builder.c) writes calls to them.
 */
#ifndef MIMIR_PROXY_BACKEND_SQLITE_TIME_FUNCTIONS_H
#define MIMIR_PROXY_BACKEND_SQLITE_TIME_FUNCTIONS_H

#include <stdbool.h>

#include <sqlite3.h>

/* Registers them on db; false if SQLite refused one. */
bool sqlite_time_functions_register(sqlite3 *db);

#endif
