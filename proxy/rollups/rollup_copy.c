/* A rollup's rows from its source to a storage on another connection: see rollup_copy.h. */
#include "proxy/rollups/rollup_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>

#include "wire/buf.h"
#include "wire/xalloc.h"

/* Statements sent to the storage are about this long (MySQL's max_allowed_packet is
 * 16 MiB by default; COPY data is sent in pieces of this size). */
#define COPY_CHUNK (1u << 20)

static bool failed(char *err, size_t errlen, const char *what, const char *msg)
{
    char line[1024];
    snprintf(line, sizeof line, "%s: %s", what, msg);
    blocking_db_one_line(err, errlen, line);
    return false;
}

/* ---- PostgreSQL ---------------------------------------------------------- */

#define PG_STATEMENT "mimir_rollup_copy"

static const char **pg_values(const rollup_sql *q)
{
    const char **v = xcalloc(q->nparams + 1, sizeof *v);
    for (size_t i = 0; i < q->nparams; i++)
        v[i] = q->params[i].text;
    return v;
}

/* The type of column i as the source names it; PostgreSQL's own types only (a type
 * of the source's database, an enum say, does not exist in the storage's). */
static bool pg_type_name(PGconn *src, const PGresult *desc, int i, buf *ddl, char *err,
                         size_t errlen)
{
    char oid[16], mod[16];
    snprintf(oid, sizeof oid, "%u", PQftype(desc, i));
    snprintf(mod, sizeof mod, "%d", PQfmod(desc, i));
    if (PQftype(desc, i) >= 16384) { /* FirstNormalObjectId: defined in that database */
        char msg[300];
        snprintf(msg, sizeof msg,
                 "column %s has a type defined in the source's database (oid %s); cast it to "
                 "one of PostgreSQL's own types in the metric or dimension",
                 PQfname(desc, i), oid);
        return failed(err, errlen, "creating the table", msg);
    }
    const char *values[] = {oid, mod};
    PGresult *r =
        PQexecParams(src, "SELECT format_type($1::oid, $2::int4)", 2, NULL, values, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok)
        buf_append_str(ddl, PQgetvalue(r, 0, 0));
    else
        failed(err, errlen, "reading a column's type", PQerrorMessage(src));
    PQclear(r);
    return ok;
}

static bool pg_exec_dst(PGconn *dst, const char *sql, ExecStatusType want, const char *what,
                        char *err, size_t errlen)
{
    PGresult *r = PQexec(dst, sql);
    bool ok = PQresultStatus(r) == want;
    if (!ok)
        failed(err, errlen, what, PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

static bool pg_create(PGconn *src, PGconn *dst, const PGresult *desc, const char *table, char *err,
                      size_t errlen)
{
    buf ddl;
    buf_init(&ddl);
    buf_printf(&ddl, "CREATE TABLE %s (", table);
    bool ok = true;
    for (int i = 0; ok && i < PQnfields(desc); i++) {
        char *name = PQescapeIdentifier(dst, PQfname(desc, i), strlen(PQfname(desc, i)));
        buf_printf(&ddl, "%s%s ", i ? ", " : "", name);
        PQfreemem(name);
        ok = pg_type_name(src, desc, i, &ddl, err, errlen);
    }
    buf_append_str(&ddl, ")");
    ok =
        ok && pg_exec_dst(dst, buf_cstr(&ddl), PGRES_COMMAND_OK, "creating the table", err, errlen);
    buf_free(&ddl);
    return ok;
}

/* One value in COPY's text format: backslash escapes, \N for NULL. */
static void copy_text(buf *out, const PGresult *row, int col)
{
    if (PQgetisnull(row, 0, col)) {
        buf_append_str(out, "\\N");
        return;
    }
    const char *v = PQgetvalue(row, 0, col);
    int n = PQgetlength(row, 0, col);
    for (int i = 0; i < n; i++) {
        char c = v[i];
        const char *esc = c == '\\'   ? "\\\\"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                                      : NULL;
        if (esc)
            buf_append_str(out, esc);
        else
            buf_append_byte(out, (uint8_t)c);
    }
}

static bool pg_put(PGconn *dst, buf *data, char *err, size_t errlen)
{
    if (data->len && PQputCopyData(dst, (const char *)data->data, (int)data->len) != 1)
        return failed(err, errlen, "writing rows", PQerrorMessage(dst));
    buf_reset(data);
    return true;
}

/* The source's rows, a row at a time, into the storage's COPY. */
static bool pg_stream(PGconn *src, PGconn *dst, long long *rows, char *err, size_t errlen)
{
    buf data;
    buf_init(&data);
    bool ok = true, done = false;
    PGresult *r;
    while ((r = PQgetResult(src))) {
        ExecStatusType st = PQresultStatus(r);
        if (ok && st == PGRES_SINGLE_TUPLE) {
            for (int c = 0; c < PQnfields(r); c++) {
                if (c)
                    buf_append_byte(&data, '\t');
                copy_text(&data, r, c);
            }
            buf_append_byte(&data, '\n');
            (*rows)++;
            if (data.len >= COPY_CHUNK)
                ok = pg_put(dst, &data, err, errlen);
        } else if (ok && st == PGRES_TUPLES_OK) {
            done = true;
        } else if (ok && st != PGRES_SINGLE_TUPLE) {
            ok =
                failed(err, errlen, "running the aggregate on the source", PQresultErrorMessage(r));
        }
        PQclear(r);
    }
    ok = ok && done && pg_put(dst, &data, err, errlen);
    buf_free(&data);
    return ok;
}

static bool pg_copy(PGconn *src, PGconn *dst, const rollup_sql *q, const char *table, bool create,
                    long long *rows, char *err, size_t errlen)
{
    /* Named: the type lookups below run unnamed statements of their own. */
    PGresult *r = PQprepare(src, PG_STATEMENT, q->sql, (int)q->nparams, NULL);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
              failed(err, errlen, "preparing the aggregate on the source", PQresultErrorMessage(r));
    PQclear(r);
    PGresult *desc = ok ? PQdescribePrepared(src, PG_STATEMENT) : NULL;
    ok = ok && (PQresultStatus(desc) == PGRES_COMMAND_OK ||
                failed(err, errlen, "describing the aggregate", PQresultErrorMessage(desc)));
    ok = ok && (!create || pg_create(src, dst, desc, table, err, errlen));
    PQclear(desc);
    if (!ok)
        return false;
    char *sql = xmalloc(strlen(table) + 40);
    sprintf(sql, "COPY %s FROM STDIN", table);
    ok = pg_exec_dst(dst, sql, PGRES_COPY_IN, "writing rows", err, errlen);
    free(sql);
    if (!ok)
        return false;
    const char **values = pg_values(q);
    ok = (PQsendQueryPrepared(src, PG_STATEMENT, (int)q->nparams, values, NULL, NULL, 0) &&
          PQsetSingleRowMode(src)) ||
         failed(err, errlen, "running the aggregate on the source", PQerrorMessage(src));
    free(values);
    ok = ok && pg_stream(src, dst, rows, err, errlen);
    /* Ending the COPY with an error message throws its rows away. */
    if (PQputCopyEnd(dst, ok ? NULL : "the source's aggregate failed") != 1)
        ok = ok && failed(err, errlen, "writing rows", PQerrorMessage(dst));
    while ((r = PQgetResult(dst))) {
        if (ok && PQresultStatus(r) != PGRES_COMMAND_OK)
            ok = failed(err, errlen, "writing rows", PQresultErrorMessage(r));
        PQclear(r);
    }
    PQclear(PQexec(src, "DEALLOCATE " PG_STATEMENT));
    return ok;
}

/* ---- MySQL/MariaDB ------------------------------------------------------- */

/* A text or binary column's type, with the source's character set and collation. */
static bool my_string_type(MYSQL *src, const MYSQL_FIELD *f, bool blob, buf *ddl, char *err,
                           size_t errlen)
{
    if (f->charsetnr == 63) { /* binary */
        if (blob || f->length > 65532)
            buf_append_str(ddl, "LONGBLOB");
        else
            buf_printf(ddl, "VARBINARY(%lu)", f->length);
        return true;
    }
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT c.COLLATION_NAME, c.CHARACTER_SET_NAME, s.MAXLEN FROM "
             "information_schema.COLLATIONS c JOIN information_schema.CHARACTER_SETS s USING "
             "(CHARACTER_SET_NAME) WHERE c.ID = %u",
             f->charsetnr);
    if (mysql_real_query(src, sql, (unsigned long)strlen(sql)) != 0)
        return failed(err, errlen, "reading a column's collation", mysql_error(src));
    MYSQL_RES *res = mysql_store_result(src);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    bool ok = row && row[0] && row[1] && row[2];
    if (ok) {
        unsigned long maxlen = strtoul(row[2], NULL, 10), chars = f->length / (maxlen ? maxlen : 1);
        if (blob || chars > 16383)
            buf_append_str(ddl, "LONGTEXT");
        else
            buf_printf(ddl, "VARCHAR(%lu)", chars ? chars : 1);
        buf_printf(ddl, " CHARACTER SET %s COLLATE %s", row[1], row[0]);
    } else {
        char msg[120];
        snprintf(msg, sizeof msg, "collation %u is unknown to the source", f->charsetnr);
        failed(err, errlen, "reading a column's collation", msg);
    }
    mysql_free_result(res);
    return ok;
}

/* The type CREATE TABLE ... AS SELECT gives a column of this definition. */
static bool my_type_name(MYSQL *src, const MYSQL_FIELD *f, buf *ddl, char *err, size_t errlen)
{
    bool uns = f->flags & UNSIGNED_FLAG;
    unsigned frac = f->decimals <= 6 ? f->decimals : 0;
    switch (f->type) {
    /* Integers keep their display width: drivers see it as the column's length. */
    case MYSQL_TYPE_TINY:
        buf_printf(ddl, "TINYINT(%lu)", f->length);
        break;
    case MYSQL_TYPE_SHORT:
        buf_printf(ddl, "SMALLINT(%lu)", f->length);
        break;
    case MYSQL_TYPE_INT24:
        buf_printf(ddl, "MEDIUMINT(%lu)", f->length);
        break;
    case MYSQL_TYPE_LONG:
        buf_printf(ddl, "INT(%lu)", f->length);
        break;
    case MYSQL_TYPE_LONGLONG:
        buf_printf(ddl, "BIGINT(%lu)", f->length);
        break;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: {
        /* The display length counts the point and, when signed, the sign. */
        long p = (long)f->length - (f->decimals ? 1 : 0) - (uns ? 0 : 1);
        buf_printf(ddl, "DECIMAL(%ld,%u)", p < 1 ? 1 : p > 65 ? 65 : p, f->decimals);
        break;
    }
    case MYSQL_TYPE_FLOAT:
        buf_append_str(ddl, "FLOAT");
        break;
    case MYSQL_TYPE_DOUBLE:
        buf_append_str(ddl, "DOUBLE");
        break;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
        buf_append_str(ddl, "DATE");
        break;
    case MYSQL_TYPE_DATETIME:
        buf_printf(ddl, "DATETIME(%u)", frac);
        break;
    case MYSQL_TYPE_TIMESTAMP:
        buf_printf(ddl, "TIMESTAMP(%u) NULL", frac);
        break;
    case MYSQL_TYPE_TIME:
        buf_printf(ddl, "TIME(%u)", frac);
        break;
    case MYSQL_TYPE_YEAR:
        buf_append_str(ddl, "YEAR");
        break;
    case MYSQL_TYPE_BIT:
        buf_printf(ddl, "BIT(%lu)", f->length ? f->length : 1);
        break;
    case MYSQL_TYPE_NULL:
        buf_append_str(ddl, "BINARY(0)");
        break;
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_STRING:
        return my_string_type(src, f, false, ddl, err, errlen);
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_JSON:
        return my_string_type(src, f, true, ddl, err, errlen);
    default: {
        char msg[200];
        snprintf(msg, sizeof msg, "column %s has a type (%d) a rollup cannot store", f->name,
                 (int)f->type);
        return failed(err, errlen, "creating the table", msg);
    }
    }
    if (uns && f->type != MYSQL_TYPE_FLOAT && f->type != MYSQL_TYPE_DOUBLE)
        buf_append_str(ddl, " UNSIGNED");
    return true;
}

static bool my_run(MYSQL *db, const char *sql, size_t len, const char *what, char *err,
                   size_t errlen)
{
    if (mysql_real_query(db, sql, (unsigned long)len) != 0)
        return failed(err, errlen, what, mysql_error(db));
    mysql_free_result(mysql_store_result(db));
    return true;
}

static bool my_create(MYSQL *src, MYSQL *dst, MYSQL_RES *meta, const char *table, char *err,
                      size_t errlen)
{
    buf ddl;
    buf_init(&ddl);
    buf_printf(&ddl, "CREATE TABLE %s (", table);
    bool ok = true;
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    for (unsigned i = 0; ok && i < mysql_num_fields(meta); i++) {
        buf_append_str(&ddl, i ? ", `" : "`");
        for (const char *p = f[i].name; *p; p++)
            buf_append_str(&ddl, *p == '`' ? "``" : (char[]){*p, 0});
        buf_append_str(&ddl, "` ");
        ok = my_type_name(src, &f[i], &ddl, err, errlen);
    }
    buf_append_str(&ddl, ")");
    ok = ok && my_run(dst, buf_cstr(&ddl), ddl.len, "creating the table", err, errlen);
    buf_free(&ddl);
    return ok;
}

/* Each result column read as text into a buffer that grows to the longest value. */
typedef struct my_row {
    unsigned n;
    MYSQL_BIND *bind;
    unsigned long *len;
    my_bool *null, *trunc;
    char **cell;
    unsigned long *cap;
} my_row;

static void my_row_init(my_row *r, unsigned n)
{
    r->n = n;
    r->bind = xcalloc(n, sizeof *r->bind);
    r->len = xcalloc(n, sizeof *r->len);
    r->null = xcalloc(n, sizeof *r->null);
    r->trunc = xcalloc(n, sizeof *r->trunc);
    r->cell = xcalloc(n, sizeof *r->cell);
    r->cap = xcalloc(n, sizeof *r->cap);
    for (unsigned i = 0; i < n; i++) {
        r->cap[i] = 256;
        r->cell[i] = xmalloc(r->cap[i]);
        r->bind[i] = (MYSQL_BIND){.buffer_type = MYSQL_TYPE_STRING,
                                  .buffer = r->cell[i],
                                  .buffer_length = r->cap[i],
                                  .length = &r->len[i],
                                  .is_null = &r->null[i],
                                  .error = &r->trunc[i]};
    }
}

static void my_row_free(my_row *r)
{
    for (unsigned i = 0; i < r->n; i++)
        free(r->cell[i]);
    free(r->bind), free(r->len), free(r->null), free(r->trunc), free(r->cell), free(r->cap);
}

/* The values a fetch cut short, read again whole. */
static bool my_row_refetch(MYSQL_STMT *st, my_row *r)
{
    for (unsigned i = 0; i < r->n; i++) {
        if (r->null[i] || r->len[i] <= r->cap[i])
            continue;
        r->cap[i] = r->len[i] + 1;
        r->cell[i] = xrealloc(r->cell[i], r->cap[i]);
        r->bind[i].buffer = r->cell[i];
        r->bind[i].buffer_length = r->cap[i];
        if (mysql_stmt_fetch_column(st, &r->bind[i], i, 0) != 0)
            return false;
    }
    return mysql_stmt_bind_result(st, r->bind) == 0;
}

static void my_append_row(MYSQL *dst, buf *sql, const my_row *r)
{
    buf_append_str(sql, "(");
    for (unsigned i = 0; i < r->n; i++) {
        if (i)
            buf_append_str(sql, ", ");
        if (r->null[i]) {
            buf_append_str(sql, "NULL");
            continue;
        }
        buf_reserve(sql, 2 * r->len[i] + 3);
        sql->data[sql->len++] = '\'';
        sql->len +=
            mysql_real_escape_string(dst, (char *)sql->data + sql->len, r->cell[i], r->len[i]);
        sql->data[sql->len++] = '\'';
    }
    buf_append_str(sql, ")");
}

static bool my_stream(MYSQL_STMT *st, MYSQL *dst, const char *table, unsigned ncols,
                      long long *rows, char *err, size_t errlen)
{
    my_row r;
    my_row_init(&r, ncols);
    buf sql;
    buf_init(&sql);
    bool ok = mysql_stmt_bind_result(st, r.bind) == 0 ||
              failed(err, errlen, "reading the source's rows", mysql_stmt_error(st));
    int rc;
    while (ok && ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)) {
        if (rc == MYSQL_DATA_TRUNCATED && !my_row_refetch(st, &r)) {
            ok = failed(err, errlen, "reading the source's rows", mysql_stmt_error(st));
            break;
        }
        if (!sql.len)
            buf_printf(&sql, "INSERT INTO %s VALUES ", table);
        else
            buf_append_str(&sql, ", ");
        my_append_row(dst, &sql, &r);
        (*rows)++;
        if (sql.len >= COPY_CHUNK) {
            ok = my_run(dst, (const char *)sql.data, sql.len, "writing rows", err, errlen);
            buf_reset(&sql);
        }
    }
    if (ok && rc != MYSQL_NO_DATA)
        ok = failed(err, errlen, "running the aggregate on the source", mysql_stmt_error(st));
    if (ok && sql.len)
        ok = my_run(dst, (const char *)sql.data, sql.len, "writing rows", err, errlen);
    buf_free(&sql);
    my_row_free(&r);
    return ok;
}

static bool my_copy(MYSQL *src, MYSQL *dst, const rollup_sql *q, const char *table, bool create,
                    long long *rows, char *err, size_t errlen)
{
    MYSQL_STMT *st = mysql_stmt_init(src);
    if (!st)
        return failed(err, errlen, "preparing the aggregate on the source", mysql_error(src));
    MYSQL_BIND *params = xcalloc(q->nparams + 1, sizeof *params);
    unsigned long *lengths = xcalloc(q->nparams + 1, sizeof *lengths);
    for (size_t i = 0; i < q->nparams; i++) {
        lengths[i] = (unsigned long)strlen(q->params[i].text);
        params[i] = (MYSQL_BIND){.buffer_type = MYSQL_TYPE_STRING,
                                 .buffer = (void *)q->params[i].text,
                                 .buffer_length = lengths[i],
                                 .length = &lengths[i]};
    }
    bool ok = (mysql_stmt_prepare(st, q->sql, (unsigned long)strlen(q->sql)) == 0 &&
               mysql_stmt_bind_param(st, params) == 0) ||
              failed(err, errlen, "preparing the aggregate on the source", mysql_stmt_error(st));
    MYSQL_RES *meta = ok ? mysql_stmt_result_metadata(st) : NULL;
    ok = ok && (meta || failed(err, errlen, "describing the aggregate", mysql_stmt_error(st)));
    /* The types are read (from the source) before its rows start to flow. */
    ok = ok && (!create || my_create(src, dst, meta, table, err, errlen));
    unsigned ncols = meta ? mysql_num_fields(meta) : 0;
    mysql_free_result(meta);
    ok = ok && (mysql_stmt_execute(st) == 0 ||
                failed(err, errlen, "running the aggregate on the source", mysql_stmt_error(st)));
    ok = ok && my_stream(st, dst, table, ncols, rows, err, errlen);
    free(params);
    free(lengths);
    mysql_stmt_close(st);
    return ok;
}

/* ---- SQLite -------------------------------------------------------------- */

static bool lite_create(sqlite3 *dst, sqlite3_stmt *q, const char *table, char *err, size_t errlen)
{
    buf ddl;
    buf_init(&ddl);
    buf_printf(&ddl, "CREATE TABLE %s (", table);
    for (int i = 0; i < sqlite3_column_count(q); i++) {
        const char *type = sqlite3_column_decltype(q, i);
        char *col = sqlite3_mprintf("%s\"%w\" %s", i ? ", " : "", sqlite3_column_name(q, i),
                                    type ? type : "");
        buf_append_str(&ddl, col);
        sqlite3_free(col);
    }
    buf_append_str(&ddl, ")");
    char *msg = NULL;
    bool ok = sqlite3_exec(dst, buf_cstr(&ddl), NULL, NULL, &msg) == SQLITE_OK ||
              failed(err, errlen, "creating the table", msg ? msg : sqlite3_errmsg(dst));
    sqlite3_free(msg);
    buf_free(&ddl);
    return ok;
}

static sqlite3_stmt *lite_insert(sqlite3 *dst, const char *table, int ncols)
{
    buf sql;
    buf_init(&sql);
    buf_printf(&sql, "INSERT INTO %s VALUES (", table);
    for (int i = 0; i < ncols; i++)
        buf_append_str(&sql, i ? ", ?" : "?");
    buf_append_str(&sql, ")");
    sqlite3_stmt *ins = NULL;
    sqlite3_prepare_v2(dst, buf_cstr(&sql), -1, &ins, NULL);
    buf_free(&sql);
    return ins;
}

static bool lite_copy(sqlite3 *src, sqlite3 *dst, const rollup_sql *q, const char *table,
                      bool create, long long *rows, char *err, size_t errlen)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    bool ok = sqlite3_prepare_v2(src, q->sql, -1, &sel, NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < q->nparams; i++)
        ok = sqlite3_bind_text(sel, (int)i + 1, q->params[i].text, -1, SQLITE_STATIC) == SQLITE_OK;
    if (!ok)
        failed(err, errlen, "preparing the aggregate on the source", sqlite3_errmsg(src));
    ok = ok && (!create || lite_create(dst, sel, table, err, errlen));
    int ncols = ok ? sqlite3_column_count(sel) : 0;
    ok = ok && ((ins = lite_insert(dst, table, ncols)) ||
                failed(err, errlen, "writing rows", sqlite3_errmsg(dst)));
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++)
            sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
        ok = sqlite3_step(ins) == SQLITE_DONE ||
             failed(err, errlen, "writing rows", sqlite3_errmsg(dst));
        sqlite3_reset(ins);
        (*rows)++;
    }
    if (ok && rc != SQLITE_DONE)
        ok = failed(err, errlen, "running the aggregate on the source", sqlite3_errmsg(src));
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return ok;
}

bool rollup_copy(blocking_db *src, blocking_db *dst, const rollup_sql *q, const char *table,
                 bool create, long long *rows, char *err, size_t errlen)
{
    *rows = 0;
    switch (blocking_db_kind(dst)) {
    case CONN_POSTGRES:
        return pg_copy(blocking_db_pg(src), blocking_db_pg(dst), q, table, create, rows, err,
                       errlen);
    case CONN_MYSQL:
        return my_copy(blocking_db_mysql(src), blocking_db_mysql(dst), q, table, create, rows, err,
                       errlen);
    default:
        return lite_copy(blocking_db_sqlite(src), blocking_db_sqlite(dst), q, table, create, rows,
                         err, errlen);
    }
}
