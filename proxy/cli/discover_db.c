/*
 * `mimir discover`'s connection: blocking libpq, libmariadb or SQLite calls
 * (a command line has no loop to keep responsive), connected exactly as
 * `mimir validate` connects (the same libpq parameters, the same timeout),
 * returning every row as text. See discover.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>

#include "proxy/cli/check.h"
#include "proxy/cli/discover.h"
#include "wire/xalloc.h"

struct disc_db {
    conn_kind kind;
    check_conn *cc; /* validate's connection: the handles below are its */
    PGconn *pg;
    MYSQL *my;
    sqlite3 *lite;
};

disc_db *disc_db_connect(const connection *c, char *err, size_t errlen)
{
    check_conn *cc = check_connect(c, err, errlen);
    if (!cc)
        return NULL;
    disc_db *db = xcalloc(1, sizeof *db);
    *db = (disc_db){.kind = c->kind,
                    .cc = cc,
                    .pg = check_pg(cc),
                    .my = check_mysql(cc),
                    .lite = check_sqlite(cc)};
    return db;
}

conn_kind disc_db_kind(const disc_db *db)
{
    return db->kind;
}

/* Rows being collected, one cell after another. */
typedef struct rows_builder {
    disc_rows *out;
    size_t used, cap;
} rows_builder;

static void rows_begin(rows_builder *b, disc_rows *out, size_t ncols)
{
    *out = (disc_rows){.ncols = ncols};
    *b = (rows_builder){.out = out};
}

static void rows_cell(rows_builder *b, const char *value, size_t len)
{
    if (b->used >= b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->out->cells = xreallocarray(b->out->cells, b->cap, sizeof *b->out->cells);
    }
    b->out->cells[b->used++] = value ? xstrndup(value, len) : NULL;
    if (b->out->ncols && b->used % b->out->ncols == 0)
        b->out->nrows++;
}

static bool pg_rows(disc_db *db, const char *sql, disc_rows *out, char *err, size_t errlen)
{
    PGresult *res = PQexec(db->pg, sql);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        check_one_line(err, errlen, PQerrorMessage(db->pg));
        PQclear(res);
        return false;
    }
    rows_builder b;
    rows_begin(&b, out, (size_t)PQnfields(res));
    for (int r = 0; r < PQntuples(res); r++)
        for (int f = 0; f < PQnfields(res); f++)
            rows_cell(&b, PQgetisnull(res, r, f) ? NULL : PQgetvalue(res, r, f),
                      (size_t)PQgetlength(res, r, f));
    PQclear(res);
    return true;
}

static bool my_rows(disc_db *db, const char *sql, disc_rows *out, char *err, size_t errlen)
{
    MYSQL_RES *res = NULL;
    if (mysql_real_query(db->my, sql, (unsigned long)strlen(sql)) != 0 ||
        !(res = mysql_store_result(db->my))) {
        check_one_line(err, errlen, mysql_error(db->my));
        return false;
    }
    rows_builder b;
    rows_begin(&b, out, mysql_num_fields(res));
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        unsigned long *len = mysql_fetch_lengths(res);
        for (size_t f = 0; f < out->ncols; f++)
            rows_cell(&b, row[f], len[f]);
    }
    mysql_free_result(res);
    return true;
}

static bool lite_rows(disc_db *db, const char *sql, disc_rows *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK) {
        check_one_line(err, errlen, sqlite3_errmsg(db->lite));
        return false;
    }
    rows_builder b;
    rows_begin(&b, out, (size_t)sqlite3_column_count(st));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        for (int f = 0; f < (int)out->ncols; f++) {
            const unsigned char *v = sqlite3_column_text(st, f);
            rows_cell(&b, (const char *)v, v ? (size_t)sqlite3_column_bytes(st, f) : 0);
        }
    if (rc != SQLITE_DONE)
        check_one_line(err, errlen, sqlite3_errmsg(db->lite));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        disc_rows_free(out);
    return rc == SQLITE_DONE;
}

bool disc_db_rows(disc_db *db, const char *sql, disc_rows *out, char *err, size_t errlen)
{
    *out = (disc_rows){0};
    switch (db->kind) {
    case CONN_POSTGRES:
        return pg_rows(db, sql, out, err, errlen);
    case CONN_MYSQL:
        return my_rows(db, sql, out, err, errlen);
    default:
        return lite_rows(db, sql, out, err, errlen);
    }
}

const char *disc_cell(const disc_rows *r, size_t row, size_t col)
{
    return r->cells[row * r->ncols + col];
}

void disc_rows_free(disc_rows *r)
{
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        free(r->cells[i]);
    free(r->cells);
    *r = (disc_rows){0};
}

char *disc_db_literal(disc_db *db, const char *s)
{
    if (db->kind == CONN_POSTGRES) {
        char *lit = PQescapeLiteral(db->pg, s, strlen(s));
        char *out = xstrdup(lit ? lit : "''");
        PQfreemem(lit);
        return out;
    }
    if (db->kind == CONN_MYSQL) {
        size_t n = strlen(s);
        char *out = xmalloc(2 * n + 3);
        out[0] = '\'';
        unsigned long len = mysql_real_escape_string(db->my, out + 1, s, (unsigned long)n);
        memcpy(out + 1 + len, "'", 2);
        return out;
    }
    char *lit = sqlite3_mprintf("%Q", s);
    char *out = xstrdup(lit);
    sqlite3_free(lit);
    return out;
}

char *disc_quote(conn_kind kind, const char *name)
{
    char q = kind == CONN_MYSQL ? '`' : '"';
    size_t n = strlen(name), k = 0;
    char *out = xmalloc(2 * n + 3);
    out[k++] = q;
    for (const char *c = name; *c; c++) {
        if (*c == q)
            out[k++] = q;
        out[k++] = *c;
    }
    out[k++] = q;
    out[k] = '\0';
    return out;
}

void disc_db_close(disc_db *db)
{
    if (!db)
        return;
    check_close(db->cc);
    free(db);
}
