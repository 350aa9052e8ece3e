/*
 * `mimir discover` measures what the catalog does not say, with one query per
 * table: its exact row count (COUNT(*): exact, and cheap enough on the tables
 * a starter layer is written for; PostgreSQL's reltuples and MySQL's
 * TABLE_ROWS are estimates, and SQLite has none), the distinct count of each
 * column that could be a dimension (text, boolean, number), and, on SQLite,
 * whether a text column named like a time holds dates: every value that is
 * not NULL is one julianday() reads.
 */
#include <stdio.h>
#include <stdlib.h>

#include "proxy/cli/discover.h"
#include "wire/xalloc.h"

/* A SQLite text column that may hold dates: its values are checked. */
static bool lite_time_candidate(const disc_catalog *c, const disc_table *t, const disc_column *col)
{
    return c->kind == CONN_SQLITE && col->kind == DCOL_TEXT &&
           disc_time_name_score(t->name, col->name) >= 2;
}

static bool counted(const disc_column *col)
{
    return col->kind == DCOL_TEXT || col->kind == DCOL_BOOL || col->kind == DCOL_NUMBER;
}

/* SELECT COUNT(*), per column COUNT(DISTINCT c) [, COUNT(c), COUNT(julianday(c))] FROM t */
static char *measure_sql(const disc_catalog *c, const disc_table *t)
{
    char *sql = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&sql, &len);
    fputs("SELECT COUNT(*)", f);
    for (size_t i = 0; i < t->ncols; i++) {
        const disc_column *col = &t->cols[i];
        char *q = disc_quote(c->kind, col->name);
        if (counted(col))
            fprintf(f, ", COUNT(DISTINCT %s)", q);
        if (lite_time_candidate(c, t, col))
            fprintf(f, ", COUNT(%s), COUNT(julianday(%s))", q, q);
        free(q);
    }
    char *table = disc_quote(c->kind, t->name);
    char *schema = c->schema ? disc_quote(c->kind, c->schema) : NULL;
    fprintf(f, " FROM %s%s%s", schema ? schema : "", schema ? "." : "", table);
    free(table);
    free(schema);
    fclose(f);
    return sql;
}

static long long cell_count(const disc_rows *r, size_t col)
{
    const char *v = r->nrows ? disc_cell(r, 0, col) : NULL;
    return v ? strtoll(v, NULL, 10) : 0;
}

static void measure_apply(const disc_catalog *c, disc_table *t, const disc_rows *r)
{
    size_t k = 0;
    t->rows = cell_count(r, k++);
    for (size_t i = 0; i < t->ncols; i++) {
        disc_column *col = &t->cols[i];
        if (counted(col))
            col->distinct = cell_count(r, k++);
        if (lite_time_candidate(c, t, col)) {
            long long values = cell_count(r, k++), dates = cell_count(r, k++);
            if (values > 0 && values == dates)
                col->kind = DCOL_TIME;
        }
    }
}

bool discover_measure(disc_db *db, disc_catalog *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < c->ntables; i++) {
        disc_table *t = &c->tables[i];
        char *sql = measure_sql(c, t);
        disc_rows r;
        bool ok = disc_db_rows(db, sql, &r, err, errlen);
        free(sql);
        if (!ok)
            return false;
        measure_apply(c, t, &r);
        disc_rows_free(&r);
    }
    return true;
}
