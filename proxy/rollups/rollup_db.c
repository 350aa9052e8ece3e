/* Blocking connections for rollup builds: see rollup_db.h. */
#include "proxy/rollups/rollup_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proxy/backend/blocking_db.h"
#include "proxy/backend/sqlite_functions.h"
#include "wire/xalloc.h"

/* The source's file (never written to) with the rollups file attached. */
static bool lite_attach(blocking_db *db, const connection *c, char *err, size_t errlen)
{
    sqlite3 *lite = blocking_db_sqlite(db);
    sqlite3_busy_timeout(lite, 2000);
    if (!sqlite_functions_register(lite)) {
        blocking_db_one_line(err, errlen, "could not register Mimir's functions on SQLite");
        return false;
    }
    char *file = catalog_rollup_sqlite_file(c);
    /* ATTACH opens with the main database's flags, which do not create files. */
    sqlite3 *create = NULL;
    sqlite3_open_v2(file, &create, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    sqlite3_close(create);
    char *lit = rollup_db_literal(db, file);
    char sql[4200];
    snprintf(sql, sizeof sql, "ATTACH DATABASE %s AS mimir_rollups", lit);
    free(lit);
    free(file);
    /* Write-ahead logging: the server's sessions read a rollup while a build replaces it,
     * without waiting for (or failing on) the writer's lock. The mode stays with the file. */
    char *mode = NULL;
    bool found;
    bool ok = blocking_db_exec(db, sql, NULL, 0, err, errlen) &&
              blocking_db_row(db, "PRAGMA mimir_rollups.journal_mode = WAL", &mode, 1, &found, err,
                              errlen);
    free(mode);
    return ok;
}

blocking_db *rollup_db_connect(const connection *c, char *err, size_t errlen)
{
    blocking_db_options o = {
        .connect_timeout_s = ROLLUP_DB_CONNECT_TIMEOUT_S, .writable = true, .pool_session = true};
    blocking_db *db = blocking_db_connect(c, &o, err, errlen);
    if (db && c->kind == CONN_SQLITE && !lite_attach(db, c, err, errlen)) {
        blocking_db_close(db);
        return NULL;
    }
    return db;
}

blocking_db *rollup_db_connect_source(const connection *c, char *err, size_t errlen)
{
    blocking_db_options o = {.connect_timeout_s = ROLLUP_DB_CONNECT_TIMEOUT_S,
                             .pool_session = true};
    blocking_db *db = blocking_db_connect(c, &o, err, errlen);
    if (db && c->kind == CONN_SQLITE && !sqlite_functions_register(blocking_db_sqlite(db))) {
        blocking_db_one_line(err, errlen, "could not register Mimir's functions on SQLite");
        blocking_db_close(db);
        return NULL;
    }
    return db;
}

char *rollup_db_literal(const blocking_db *db, const char *text)
{
    size_t n = strlen(text), o = 0;
    char *out = xmalloc(2 * n + 3);
    out[o++] = '\'';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\'' || (blocking_db_kind(db) == CONN_MYSQL && text[i] == '\\'))
            out[o++] = text[i];
        out[o++] = text[i];
    }
    out[o++] = '\'';
    out[o] = '\0';
    return out;
}
