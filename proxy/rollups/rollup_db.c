/* Blocking connections for rollup builds: see rollup_db.h. */
#include "proxy/rollups/rollup_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proxy/backend/blocking_db.h"
#include "proxy/backend/sqlite_functions.h"
#include "wire/xalloc.h"

/* A build's connection is a blocking one (proxy/backend/blocking_db.h) with the pools'
 * session, and on SQLite Mimir's functions and the rollups file attached. */
struct rollup_db {
    blocking_db *db;
};

char *rollup_db_sqlite_file(const connection *c)
{
    size_t n = strlen(c->path) + sizeof ROLLUP_SQLITE_SUFFIX;
    char *out = xmalloc(n);
    snprintf(out, n, "%s" ROLLUP_SQLITE_SUFFIX, c->path);
    return out;
}

/* The source's file (never written to) with the rollups file attached. */
static bool lite_attach(rollup_db *db, const connection *c, char *err, size_t errlen)
{
    sqlite3 *lite = blocking_db_sqlite(db->db);
    sqlite3_busy_timeout(lite, 2000);
    if (!sqlite_functions_register(lite)) {
        blocking_db_one_line(err, errlen, "could not register Mimir's functions on SQLite");
        return false;
    }
    char *file = rollup_db_sqlite_file(c);
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
    bool ok =
        rollup_db_exec(db, sql, NULL, 0, err, errlen) &&
        rollup_db_row(db, "PRAGMA mimir_rollups.journal_mode = WAL", &mode, 1, &found, err, errlen);
    free(mode);
    return ok;
}

rollup_db *rollup_db_connect(const connection *c, char *err, size_t errlen)
{
    blocking_db_options o = {
        .connect_timeout_s = ROLLUP_DB_CONNECT_TIMEOUT_S, .writable = true, .pool_session = true};
    blocking_db *bdb = blocking_db_connect(c, &o, err, errlen);
    if (!bdb)
        return NULL;
    rollup_db *db = xcalloc(1, sizeof *db);
    db->db = bdb;
    if (c->kind == CONN_SQLITE && !lite_attach(db, c, err, errlen)) {
        rollup_db_close(db);
        return NULL;
    }
    return db;
}

void rollup_db_close(rollup_db *db)
{
    if (!db)
        return;
    blocking_db_close(db->db);
    free(db);
}

conn_kind rollup_db_kind(const rollup_db *db)
{
    return blocking_db_kind(db->db);
}

bool rollup_db_exec(rollup_db *db, const char *sql, const query_param *params, size_t nparams,
                    char *err, size_t errlen)
{
    return blocking_db_exec(db->db, sql, params, nparams, err, errlen);
}

bool rollup_db_row(rollup_db *db, const char *sql, char **cells, size_t ncols, bool *found,
                   char *err, size_t errlen)
{
    return blocking_db_row(db->db, sql, cells, ncols, found, err, errlen);
}

char *rollup_db_literal(const rollup_db *db, const char *text)
{
    size_t n = strlen(text), o = 0;
    char *out = xmalloc(2 * n + 3);
    out[o++] = '\'';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\'' || (rollup_db_kind(db) == CONN_MYSQL && text[i] == '\\'))
            out[o++] = text[i];
        out[o++] = text[i];
    }
    out[o++] = '\'';
    out[o] = '\0';
    return out;
}
