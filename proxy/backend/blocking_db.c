/* Blocking connections outside the event loop: see blocking_db.h. */
#include "proxy/backend/blocking_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>

#include "proxy/backend/backend.h"
#include "proxy/backend/db_tls.h"
#include "proxy/backend/pg_conninfo.h"
#include "wire/xalloc.h"

struct blocking_db {
    conn_kind kind;
    PGconn *pg;
    MYSQL *my;
    sqlite3 *lite;
};

void blocking_db_one_line(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg && *msg ? msg : "unknown error");
    for (char *c = err; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    size_t n = strlen(err);
    while (n > 0 && err[n - 1] == ' ')
        err[--n] = '\0';
}

/* ---- connecting ---- */

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static bool pg_open(blocking_db *db, const connection *c, const blocking_db_options *o, char *err,
                    size_t errlen)
{
    pg_conninfo ci;
    pg_conninfo_build(&ci, c, o->connect_timeout_s);
    db->pg = PQconnectdbParams(ci.keys, ci.values, ci.expand_dbname);
    if (db->pg && PQstatus(db->pg) == CONNECTION_OK) {
        if (o->pool_session)
            PQsetNoticeProcessor(db->pg, pg_quiet, NULL);
        return true;
    }
    char msg[1024];
    blocking_db_one_line(msg, sizeof msg, db->pg ? PQerrorMessage(db->pg) : "out of memory");
    db_tls_explain(err, errlen, msg);
    return false;
}

static bool my_open(blocking_db *db, const connection *c, const blocking_db_options *o, char *err,
                    size_t errlen)
{
    db->my = mysql_init(NULL);
    if (!db->my) {
        blocking_db_one_line(err, errlen, "out of memory");
        return false;
    }
    unsigned timeout = (unsigned)o->connect_timeout_s;
    mysql_optionsv(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (o->pool_session) /* as proxy/backend/mysql_backend.c's sessions: UTC, its sql_mode */
        mysql_optionsv(db->my, MYSQL_INIT_COMMAND,
                       "SET time_zone = '+00:00', sql_mode = "
                       "'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
    if (!my_tls_configure(db->my, c)) {
        blocking_db_one_line(err, errlen, mysql_error(db->my));
        return false;
    }
    unsigned port = c->port ? (unsigned)strtoul(c->port, NULL, 10) : 0;
    if (mysql_real_connect(db->my, c->host, c->user, c->password, c->database, port, NULL, 0))
        return my_tls_connected(db->my, c, err, errlen);
    char msg[1024];
    blocking_db_one_line(msg, sizeof msg, mysql_error(db->my));
    db_tls_explain(err, errlen, msg);
    return false;
}

static bool lite_open(blocking_db *db, const connection *c, const blocking_db_options *o, char *err,
                      size_t errlen)
{
    int flags = o->writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    int rc = sqlite3_open_v2(c->path, &db->lite, flags, NULL);
    if (rc == SQLITE_OK)
        return true;
    char msg[1024];
    snprintf(msg, sizeof msg, "cannot open SQLite database '%s': %s", c->path,
             db->lite ? sqlite3_errmsg(db->lite) : sqlite3_errstr(rc));
    blocking_db_one_line(err, errlen, msg);
    return false;
}

blocking_db *blocking_db_connect(const connection *c, const blocking_db_options *o, char *err,
                                 size_t errlen)
{
    blocking_db *db = xcalloc(1, sizeof *db);
    db->kind = c->kind;
    bool ok = c->kind == CONN_POSTGRES ? pg_open(db, c, o, err, errlen)
              : c->kind == CONN_MYSQL  ? my_open(db, c, o, err, errlen)
                                       : lite_open(db, c, o, err, errlen);
    if (!ok) {
        blocking_db_close(db);
        return NULL;
    }
    return db;
}

void blocking_db_close(blocking_db *db)
{
    if (!db)
        return;
    if (db->pg)
        PQfinish(db->pg);
    if (db->my)
        mysql_close(db->my);
    if (db->lite)
        sqlite3_close(db->lite);
    free(db);
}

conn_kind blocking_db_kind(const blocking_db *db)
{
    return db->kind;
}

struct pg_conn *blocking_db_pg(blocking_db *db)
{
    return db->pg;
}

struct st_mysql *blocking_db_mysql(blocking_db *db)
{
    return db->my;
}

struct sqlite3 *blocking_db_sqlite(blocking_db *db)
{
    return db->lite;
}

/* ---- statements ---- */

static PGresult *pg_run(blocking_db *db, const char *sql, const query_param *params, size_t n)
{
    const char **values = xcalloc(n + 1, sizeof *values);
    for (size_t i = 0; i < n; i++)
        values[i] = params[i].text;
    PGresult *res = PQexecParams(db->pg, sql, (int)n, NULL, values, NULL, NULL, 0);
    free(values);
    return res;
}

/* PostgreSQL's message: its primary text and hint when it gives them. */
static void pg_failed(blocking_db *db, const PGresult *res, char *err, size_t errlen)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
    char msg[1024];
    if (primary)
        snprintf(msg, sizeof msg, "%s%s%s%s", primary, hint ? " (hint: " : "", hint ? hint : "",
                 hint ? ")" : "");
    else
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->pg));
    blocking_db_one_line(err, errlen, msg);
}

static bool pg_exec(blocking_db *db, const char *sql, const query_param *params, size_t n,
                    char *err, size_t errlen)
{
    PGresult *res = pg_run(db, sql, params, n);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        pg_failed(db, res, err, errlen);
    PQclear(res);
    return ok;
}

static bool my_exec(blocking_db *db, const char *sql, const query_param *params, size_t n,
                    char *err, size_t errlen)
{
    if (n == 0) { /* what cannot be prepared (RENAME TABLE, ...) runs as text */
        if (mysql_real_query(db->my, sql, (unsigned long)strlen(sql)) != 0) {
            blocking_db_one_line(err, errlen, mysql_error(db->my));
            return false;
        }
        mysql_free_result(mysql_store_result(db->my));
        return true;
    }
    MYSQL_STMT *st = mysql_stmt_init(db->my);
    if (!st) {
        blocking_db_one_line(err, errlen, mysql_error(db->my));
        return false;
    }
    MYSQL_BIND *bind = xcalloc(n, sizeof *bind);
    unsigned long *lengths = xcalloc(n, sizeof *lengths);
    for (size_t i = 0; i < n; i++) {
        lengths[i] = (unsigned long)strlen(params[i].text);
        bind[i].buffer_type = MYSQL_TYPE_STRING;
        bind[i].buffer = (void *)params[i].text;
        bind[i].buffer_length = lengths[i];
        bind[i].length = &lengths[i];
    }
    bool ok = mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) == 0 &&
              mysql_stmt_bind_param(st, bind) == 0 && mysql_stmt_execute(st) == 0;
    if (!ok)
        blocking_db_one_line(err, errlen, mysql_stmt_error(st));
    free(bind);
    free(lengths);
    mysql_stmt_close(st);
    return ok;
}

static bool lite_exec(blocking_db *db, const char *sql, const query_param *params, size_t n,
                      char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < n; i++)
        ok = sqlite3_bind_text(st, (int)i + 1, params[i].text, -1, SQLITE_STATIC) == SQLITE_OK;
    int rc = SQLITE_ROW;
    while (ok && rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    ok = ok && rc == SQLITE_DONE;
    if (!ok)
        blocking_db_one_line(err, errlen, sqlite3_errmsg(db->lite));
    sqlite3_finalize(st);
    return ok;
}

bool blocking_db_exec(blocking_db *db, const char *sql, const query_param *params, size_t nparams,
                      char *err, size_t errlen)
{
    switch (db->kind) {
    case CONN_POSTGRES:
        return pg_exec(db, sql, params, nparams, err, errlen);
    case CONN_MYSQL:
        return my_exec(db, sql, params, nparams, err, errlen);
    default:
        return lite_exec(db, sql, params, nparams, err, errlen);
    }
}

/* ---- one row ---- */

static bool pg_row(blocking_db *db, const char *sql, char **cells, size_t ncols, bool *found,
                   char *err, size_t errlen)
{
    PGresult *res = pg_run(db, sql, NULL, 0);
    bool ok = res && PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        pg_failed(db, res, err, errlen);
    *found = ok && PQntuples(res) > 0;
    for (size_t i = 0; *found && i < ncols && (int)i < PQnfields(res); i++)
        cells[i] = PQgetisnull(res, 0, (int)i) ? NULL : xstrdup(PQgetvalue(res, 0, (int)i));
    PQclear(res);
    return ok;
}

static bool my_row(blocking_db *db, const char *sql, char **cells, size_t ncols, bool *found,
                   char *err, size_t errlen)
{
    if (mysql_real_query(db->my, sql, (unsigned long)strlen(sql)) != 0) {
        blocking_db_one_line(err, errlen, mysql_error(db->my));
        return false;
    }
    MYSQL_RES *res = mysql_store_result(db->my);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    *found = row != NULL;
    for (size_t i = 0; row && i < ncols && i < mysql_num_fields(res); i++)
        cells[i] = row[i] ? xstrdup(row[i]) : NULL;
    mysql_free_result(res);
    return true;
}

static bool lite_row(blocking_db *db, const char *sql, char **cells, size_t ncols, bool *found,
                     char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK) {
        blocking_db_one_line(err, errlen, sqlite3_errmsg(db->lite));
        return false;
    }
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    for (size_t i = 0; *found && i < ncols && (int)i < sqlite3_column_count(st); i++) {
        const unsigned char *t = sqlite3_column_text(st, (int)i);
        cells[i] = t ? xstrdup((const char *)t) : NULL;
    }
    bool ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    if (!ok)
        blocking_db_one_line(err, errlen, sqlite3_errmsg(db->lite));
    sqlite3_finalize(st);
    return ok;
}

bool blocking_db_row(blocking_db *db, const char *sql, char **cells, size_t ncols, bool *found,
                     char *err, size_t errlen)
{
    for (size_t i = 0; i < ncols; i++)
        cells[i] = NULL;
    *found = false;
    switch (db->kind) {
    case CONN_POSTGRES:
        return pg_row(db, sql, cells, ncols, found, err, errlen);
    case CONN_MYSQL:
        return my_row(db, sql, cells, ncols, found, err, errlen);
    default:
        return lite_row(db, sql, cells, ncols, found, err, errlen);
    }
}

/* ---- a result's columns ---- */

static bool pg_describe(blocking_db *db, const atomic_query *q, result_column **cols, size_t *n,
                        char *err, size_t errlen)
{
    PGresult *res = pg_run(db, q->sql, q->params, q->nparams);
    bool ok = res && PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        pg_failed(db, res, err, errlen);
    *n = ok ? (size_t)PQnfields(res) : 0;
    *cols = xcalloc(*n + 1, sizeof **cols);
    for (size_t i = 0; i < *n; i++)
        pg_describe_column(res, (int)i, &(*cols)[i]);
    PQclear(res);
    return ok;
}

/* Text without parameters; a prepared statement with them (as text, as my_exec binds). */
static MYSQL_RES *my_result(blocking_db *db, const atomic_query *q, MYSQL_STMT **st)
{
    *st = NULL;
    if (q->nparams == 0)
        return mysql_real_query(db->my, q->sql, (unsigned long)strlen(q->sql)) == 0
                   ? mysql_store_result(db->my)
                   : NULL;
    *st = mysql_stmt_init(db->my);
    MYSQL_BIND *bind = xcalloc(q->nparams, sizeof *bind);
    unsigned long *lengths = xcalloc(q->nparams, sizeof *lengths);
    for (size_t i = 0; i < q->nparams; i++) {
        lengths[i] = (unsigned long)strlen(q->params[i].text);
        bind[i].buffer_type = MYSQL_TYPE_STRING;
        bind[i].buffer = (void *)q->params[i].text;
        bind[i].buffer_length = lengths[i];
        bind[i].length = &lengths[i];
    }
    bool ok = *st && mysql_stmt_prepare(*st, q->sql, (unsigned long)strlen(q->sql)) == 0 &&
              mysql_stmt_bind_param(*st, bind) == 0 && mysql_stmt_execute(*st) == 0;
    free(bind);
    free(lengths);
    return ok ? mysql_stmt_result_metadata(*st) : NULL;
}

static bool my_describe(blocking_db *db, const atomic_query *q, result_column **cols, size_t *n,
                        char *err, size_t errlen)
{
    MYSQL_STMT *st;
    MYSQL_RES *res = my_result(db, q, &st);
    *n = res ? mysql_num_fields(res) : 0;
    *cols = xcalloc(*n + 1, sizeof **cols);
    MYSQL_FIELD *fields = res ? mysql_fetch_fields(res) : NULL;
    for (size_t i = 0; i < *n; i++)
        mysql_describe_field(&fields[i], &(*cols)[i]);
    if (!res)
        blocking_db_one_line(err, errlen, st ? mysql_stmt_error(st) : mysql_error(db->my));
    mysql_free_result(res);
    if (st)
        mysql_stmt_close(st);
    return res != NULL;
}

static bool lite_describe(blocking_db *db, const atomic_query *q, result_column **cols, size_t *n,
                          char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(db->lite, q->sql, -1, &st, NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < q->nparams; i++)
        ok = sqlite3_bind_text(st, (int)i + 1, q->params[i].text, -1, SQLITE_STATIC) == SQLITE_OK;
    int rc = ok ? sqlite3_step(st) : SQLITE_ERROR;
    ok = ok && (rc == SQLITE_ROW || rc == SQLITE_DONE);
    *n = ok ? (size_t)sqlite3_column_count(st) : 0;
    *cols = xcalloc(*n + 1, sizeof **cols);
    for (size_t i = 0; i < *n; i++)
        sqlite_describe_column(st, (int)i, rc == SQLITE_ROW ? sqlite3_column_type(st, (int)i) : 0,
                               q->col_types && i < q->ncols ? q->col_types[i] : VT_NULL,
                               &(*cols)[i]);
    if (!ok)
        blocking_db_one_line(err, errlen, sqlite3_errmsg(db->lite));
    sqlite3_finalize(st);
    return ok;
}

bool blocking_db_describe(blocking_db *db, const atomic_query *q, result_column **cols,
                          size_t *ncols, char *err, size_t errlen)
{
    bool ok;
    switch (db->kind) {
    case CONN_POSTGRES:
        ok = pg_describe(db, q, cols, ncols, err, errlen);
        break;
    case CONN_MYSQL:
        ok = my_describe(db, q, cols, ncols, err, errlen);
        break;
    default:
        ok = lite_describe(db, q, cols, ncols, err, errlen);
        break;
    }
    for (size_t i = 0; i < *ncols; i++)
        (*cols)[i].name = NULL; /* they pointed into the result, gone */
    return ok;
}
