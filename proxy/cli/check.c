/* Blocking checks against the databases, for `mimir validate`: see check.h. */
#include "proxy/cli/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>

#include "proxy/backend/db_tls.h"
#include "proxy/backend/pg_conninfo.h"
#include "wire/xalloc.h"

struct check_conn {
    conn_kind kind;
    PGconn *pg;
    MYSQL *my;
    sqlite3 *lite;
};

void check_one_line(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg && *msg ? msg : "unknown error");
    for (char *c = err; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    size_t n = strlen(err);
    while (n > 0 && err[n - 1] == ' ')
        err[--n] = '\0';
}

static char *wrapped(const char *sql)
{
    /* On lines of their own: a comment that ends sql cannot swallow the tail. */
    static const char head[] = "SELECT * FROM (\n", tail[] = "\n) AS mimir_check LIMIT 0";
    size_t n = strlen(sql);
    char *out = xmalloc(sizeof head + n + sizeof tail);
    memcpy(out, head, sizeof head - 1);
    memcpy(out + sizeof head - 1, sql, n);
    memcpy(out + sizeof head - 1 + n, tail, sizeof tail);
    return out;
}

/* ---- PostgreSQL ---- */

static bool pg_connect(check_conn *cc, const connection *c, char *err, size_t errlen)
{
    pg_conninfo ci;
    pg_conninfo_build(&ci, c, CHECK_CONNECT_TIMEOUT_S);
    cc->pg = PQconnectdbParams(ci.keys, ci.values, ci.expand_dbname);
    if (cc->pg && PQstatus(cc->pg) == CONNECTION_OK)
        return true;
    char msg[1024];
    check_one_line(msg, sizeof msg, cc->pg ? PQerrorMessage(cc->pg) : "out of memory");
    db_tls_explain(err, errlen, msg);
    return false;
}

static bool pg_query(check_conn *cc, const char *sql, const query_param *params, size_t n,
                     char *err, size_t errlen)
{
    const char **values = xcalloc(n, sizeof *values);
    for (size_t i = 0; i < n; i++)
        values[i] = params[i].text;
    PGresult *res = PQexecParams(cc->pg, sql, (int)n, NULL, values, NULL, NULL, 0);
    free(values);
    bool ok = res && PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok) {
        const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
        char msg[1024];
        if (primary)
            snprintf(msg, sizeof msg, "%s%s%s", primary, hint ? " (hint: " : "", hint ? hint : "");
        else
            snprintf(msg, sizeof msg, "%s", PQerrorMessage(cc->pg));
        if (primary && hint)
            strncat(msg, ")", sizeof msg - strlen(msg) - 1);
        check_one_line(err, errlen, msg);
    }
    PQclear(res);
    return ok;
}

/* ---- MySQL / MariaDB ---- */

static bool my_connect(check_conn *cc, const connection *c, char *err, size_t errlen)
{
    cc->my = mysql_init(NULL);
    if (!cc->my) {
        check_one_line(err, errlen, "out of memory");
        return false;
    }
    unsigned timeout = CHECK_CONNECT_TIMEOUT_S;
    mysql_optionsv(cc->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(cc->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!my_tls_configure(cc->my, c)) {
        check_one_line(err, errlen, mysql_error(cc->my));
        return false;
    }
    unsigned port = c->port ? (unsigned)strtoul(c->port, NULL, 10) : 0;
    if (mysql_real_connect(cc->my, c->host, c->user, c->password, c->database, port, NULL, 0))
        return my_tls_connected(cc->my, c, err, errlen);
    char msg[1024];
    check_one_line(msg, sizeof msg, mysql_error(cc->my));
    db_tls_explain(err, errlen, msg);
    return false;
}

static bool my_query(check_conn *cc, const char *sql, const query_param *params, size_t n,
                     char *err, size_t errlen)
{
    MYSQL_STMT *st = mysql_stmt_init(cc->my);
    if (!st) {
        check_one_line(err, errlen, mysql_error(cc->my));
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
              (n == 0 || mysql_stmt_bind_param(st, bind) == 0) && mysql_stmt_execute(st) == 0;
    if (!ok)
        check_one_line(err, errlen, mysql_stmt_error(st));
    free(bind);
    free(lengths);
    mysql_stmt_close(st);
    return ok;
}

/* ---- SQLite ---- */

static bool lite_connect(check_conn *cc, const connection *c, char *err, size_t errlen)
{
    int rc = sqlite3_open_v2(c->path, &cc->lite, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK)
        return true;
    char msg[1024];
    snprintf(msg, sizeof msg, "cannot open SQLite database '%s': %s", c->path,
             cc->lite ? sqlite3_errmsg(cc->lite) : sqlite3_errstr(rc));
    check_one_line(err, errlen, msg);
    return false;
}

static bool lite_query(check_conn *cc, const char *sql, const query_param *params, size_t n,
                       char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(cc->lite, sql, -1, &st, NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < n; i++)
        ok = sqlite3_bind_text(st, (int)i + 1, params[i].text, -1, SQLITE_STATIC) == SQLITE_OK;
    if (ok) {
        int rc = sqlite3_step(st);
        ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
    }
    if (!ok)
        check_one_line(err, errlen, sqlite3_errmsg(cc->lite));
    sqlite3_finalize(st);
    return ok;
}

/* ---- dispatch ---- */

check_conn *check_connect(const connection *c, char *err, size_t errlen)
{
    check_conn *cc = xcalloc(1, sizeof *cc);
    cc->kind = c->kind;
    bool ok;
    switch (c->kind) {
    case CONN_POSTGRES:
        ok = pg_connect(cc, c, err, errlen);
        break;
    case CONN_MYSQL:
        ok = my_connect(cc, c, err, errlen);
        break;
    default:
        ok = lite_connect(cc, c, err, errlen);
        break;
    }
    if (!ok) {
        check_close(cc);
        return NULL;
    }
    return cc;
}

bool check_query(check_conn *cc, const char *sql, const query_param *params, size_t nparams,
                 char *err, size_t errlen)
{
    char *text = wrapped(sql);
    bool ok;
    switch (cc->kind) {
    case CONN_POSTGRES:
        ok = pg_query(cc, text, params, nparams, err, errlen);
        break;
    case CONN_MYSQL:
        ok = my_query(cc, text, params, nparams, err, errlen);
        break;
    default:
        ok = lite_query(cc, text, params, nparams, err, errlen);
        break;
    }
    free(text);
    return ok;
}

void check_close(check_conn *cc)
{
    if (!cc)
        return;
    if (cc->pg)
        PQfinish(cc->pg);
    if (cc->my)
        mysql_close(cc->my);
    if (cc->lite)
        sqlite3_close(cc->lite);
    free(cc);
}

PGconn *check_pg(check_conn *cc)
{
    return cc->pg;
}

MYSQL *check_mysql(check_conn *cc)
{
    return cc->my;
}

sqlite3 *check_sqlite(check_conn *cc)
{
    return cc->lite;
}
