/*
 * Functions Mimir adds to the SQLite databases it opens as sources, for what
 * SQLite's own library cannot answer with MySQL's semantics: the conversions
 * of a session time zone (mimir_tz_local, mimir_tz_utc, mimir_epoch). The SQLite printer
 * of the planner (planner/split.c) writes calls to them.
 */
#ifndef MIMIR_PROXY_BACKEND_SQLITE_FUNCTIONS_H
#define MIMIR_PROXY_BACKEND_SQLITE_FUNCTIONS_H

#include <stdbool.h>
#include <sqlite3.h>

/* Registers them on db; false if SQLite refused one. */
bool sqlite_functions_register(sqlite3 *db);

#endif
