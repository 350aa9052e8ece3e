/*
 * proxy/exec/combine.c: the in-memory SQLite tables of a multi-source combine.
 * The tables that the FULL OUTER JOIN looks up (all but the first of its FROM)
 * get an index on the join keys after their load; without it SQLite scans the
 * whole right-hand table for every left row (docs/performance.md, scenario 4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "proxy/exec/combine.h"

static const char *const names0[] = {"d0", "m0"};
static const char *const names1[] = {"d0", "m1"};
static const result_column cols[] = {{.name = "a", .type = VT_INT64},
                                     {.name = "b", .type = VT_INT64}};
static const char join_sql[] =
    "SELECT \"d0\", \"m0\", \"m1\" FROM \"s0\" FULL OUTER JOIN \"s1\" USING (\"d0\") ORDER BY 1";

static void load(combine *c, size_t t, int from, int to)
{
    char err[256];
    for (int i = from; i < to; i++) {
        char d[16], m[16];
        snprintf(d, sizeof d, "%d", i);
        snprintf(m, sizeof m, "%d", i * 10);
        const char *values[] = {d, m};
        size_t lengths[] = {strlen(d), strlen(m)};
        assert_true(combine_insert(c, t, values, lengths, err, sizeof err));
    }
}

/* The plan SQLite chose for sql, one detail per line. */
static void plan_of(sqlite3 *db, const char *sql, char *out, size_t n)
{
    char explain[512];
    snprintf(explain, sizeof explain, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        strncat(out, (const char *)sqlite3_column_text(st, 3), n - strlen(out) - 2);
        strcat(out, "\n");
    }
    sqlite3_finalize(st);
}

static void test_join_keys_are_indexed(void **state)
{
    (void)state;
    char err[256];
    combine *c = combine_new(2, err, sizeof err);
    assert_non_null(c);
    assert_true(combine_create(c, 0, names0, cols, 2, 1, err, sizeof err));
    assert_true(combine_create(c, 1, names1, cols, 2, 1, err, sizeof err));
    load(c, 0, 0, 3);
    load(c, 1, 2, 5);
    sqlite3_stmt *st = combine_prepare(c, join_sql, NULL, 0, err, sizeof err);
    assert_non_null(st);
    /* As the executor does: indexed after the statement was prepared (SQLite
     * recompiles it at the first step). */
    combine_index(c, 0);

    char plan[1024];
    plan_of(combine_db(c), join_sql, plan, sizeof plan);
    assert_non_null(strstr(plan, "SEARCH s1 USING INDEX s1_keys (d0=?)"));

    /* The join's rows: 0..4, with NULL where a side has no row. */
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int d = sqlite3_column_int(st, 0);
        assert_int_equal(d, rows);
        assert_int_equal(sqlite3_column_type(st, 1) == SQLITE_NULL, d >= 3);
        assert_int_equal(sqlite3_column_type(st, 2) == SQLITE_NULL, d < 2);
        rows++;
    }
    assert_int_equal(rows, 5);
    sqlite3_finalize(st);
    combine_free(c);
}

/*
 * A source that answers first has its table indexed on a worker while the others run
 * (proxy/exec/exec.c). Meanwhile the loop goes on receiving: a table created and 100
 * rows loaded while the database is lent are held in memory (more than one INSERT's
 * worth), and go in at combine_settle. The join then scans the last table (s1) and
 * looks s0 up by its index: every row of both, with NULL where a side has none.
 */
static void test_index_while_others_load(void **state)
{
    (void)state;
    char err[256];
    combine *c = combine_new(2, err, sizeof err);
    assert_non_null(c);
    assert_true(combine_create(c, 0, names0, cols, 2, 1, err, sizeof err));
    load(c, 0, 0, 70); /* two INSERTs of 32 rows, 6 rows still held */
    assert_true(combine_has_index_to_build(c, 0));
    combine_lend(c);
    assert_true(combine_create(c, 1, names1, cols, 2, 1, err, sizeof err));
    load(c, 1, 50, 150);
    assert_true(combine_index_table(c, 0, err, sizeof err)); /* the worker's part */
    assert_false(combine_has_index_to_build(c, 0));
    assert_true(combine_settle(c, err, sizeof err));
    load(c, 1, 150, 160);

    static const char reordered[] = "SELECT \"d0\", \"m0\", \"m1\" FROM \"s1\" FULL OUTER JOIN "
                                    "\"s0\" USING (\"d0\") ORDER BY 1";
    sqlite3_stmt *st = combine_prepare(c, reordered, NULL, 0, err, sizeof err);
    assert_non_null(st);
    combine_index(c, 1); /* s1 is scanned: not indexed */
    assert_true(combine_has_index_to_build(c, 1));
    char plan[1024];
    plan_of(combine_db(c), reordered, plan, sizeof plan);
    assert_non_null(strstr(plan, "SEARCH s0 USING INDEX s0_keys (d0=?)"));
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int d = sqlite3_column_int(st, 0);
        assert_int_equal(d, rows);
        assert_int_equal(sqlite3_column_type(st, 1) == SQLITE_NULL, d >= 70);
        assert_int_equal(sqlite3_column_type(st, 2) == SQLITE_NULL, d < 50);
        if (d < 70)
            assert_int_equal(sqlite3_column_int(st, 1), d * 10);
        if (d >= 50)
            assert_int_equal(sqlite3_column_int(st, 2), d * 10);
        rows++;
    }
    assert_int_equal(rows, 160);
    sqlite3_finalize(st);
    combine_free(c);
}

/* A combine freed while lent (the query failed or its client left) loses nothing to leaks. */
static void test_free_while_lent(void **state)
{
    (void)state;
    char err[256];
    combine *c = combine_new(2, err, sizeof err);
    assert_non_null(c);
    assert_true(combine_create(c, 0, names0, cols, 2, 1, err, sizeof err));
    load(c, 0, 0, 10);
    combine_lend(c);
    assert_true(combine_create(c, 1, names1, cols, 2, 1, err, sizeof err));
    load(c, 1, 0, 40);
    combine_free(c);
}

static void test_no_keys_no_index(void **state)
{
    (void)state;
    char err[256];
    combine *c = combine_new(2, err, sizeof err);
    assert_non_null(c);
    assert_true(combine_create(c, 0, names0, cols, 2, 0, err, sizeof err));
    assert_true(combine_create(c, 1, names1, cols, 2, 0, err, sizeof err));
    combine_index(c, 0);
    sqlite3_stmt *idx;
    assert_int_equal(sqlite3_prepare_v2(combine_db(c),
                                        "SELECT count(*) FROM sqlite_master WHERE type = 'index'",
                                        -1, &idx, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(idx), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(idx, 0), 0);
    sqlite3_finalize(idx);
    combine_free(c);
}

/*
 * Rows are inserted several at a time (one INSERT of up to 32 rows): every row, in
 * the order loaded, with each value's storage class what the column's affinity made
 * of it row by row (integer text that is not plain, too large, a NULL, exact decimal
 * text), including the last rows that do not fill a statement. With 400 columns a
 * statement holds one row.
 */
static void check_loaded_rows(size_t ncols, int nrows)
{
    char err[256];
    const char *names[400];
    result_column rc[400];
    char name_text[400][16];
    assert_true(ncols <= 400 && ncols >= 3);
    for (size_t k = 0; k < ncols; k++) {
        snprintf(name_text[k], sizeof name_text[k], "c%d", (int)k);
        names[k] = name_text[k];
        rc[k] = (result_column){.name = names[k],
                                .type = k % 3 == 0   ? VT_INT64
                                        : k % 3 == 1 ? VT_TEXT
                                                     : VT_DECIMAL};
    }
    static const char *const ints[] = {"7",  "-12", "007", "-0", "99999999999999999999",
                                       "+5", "0",   NULL};
    combine *c = combine_new(1, err, sizeof err);
    assert_non_null(c);
    assert_true(combine_create(c, 0, names, rc, ncols, 1, err, sizeof err));
    char text[400][48];
    const char *values[400];
    size_t lengths[400];
    for (int r = 0; r < nrows; r++) {
        for (size_t k = 0; k < ncols; k++) {
            if (k % 3 == 0)
                values[k] = ints[(r + k) % 8];
            else if (k % 3 == 1)
                values[k] = (r + k) % 5
                                ? (snprintf(text[k], 48, "row %d col %d", r, (int)k), text[k])
                                : NULL;
            else
                values[k] = (snprintf(text[k], 48, "%d.%02d", r, (int)k % 100), text[k]);
            lengths[k] = values[k] ? strlen(values[k]) : 0;
        }
        assert_true(combine_insert(c, 0, values, lengths, err, sizeof err));
    }
    sqlite3_stmt *st =
        combine_prepare(c, "SELECT * FROM \"s0\" ORDER BY rowid", NULL, 0, err, sizeof err);
    assert_non_null(st);
    int r = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (size_t k = 0; k < ncols; k++) {
            const char *got = (const char *)sqlite3_column_text(st, (int)k);
            int type = sqlite3_column_type(st, (int)k);
            if (k % 3 == 0) {
                const char *v = ints[(r + k) % 8];
                /* What INTEGER affinity makes of each text, as SQLite's row by row insert. */
                const char *want = !v                      ? NULL
                                   : strcmp(v, "007") == 0 ? "7"
                                   : strcmp(v, "-0") == 0  ? "0"
                                   : strcmp(v, "+5") == 0  ? "5"
                                   : strlen(v) == 20       ? "1.0e+20"
                                                           : v;
                int want_type = !v ? SQLITE_NULL : strlen(v) == 20 ? SQLITE_FLOAT : SQLITE_INTEGER;
                assert_int_equal(type, want_type);
                if (want)
                    assert_string_equal(got, want);
            } else if (k % 3 == 1) {
                char want[48];
                snprintf(want, sizeof want, "row %d col %d", r, (int)k);
                assert_int_equal(type, (r + k) % 5 ? SQLITE_TEXT : SQLITE_NULL);
                if ((r + k) % 5)
                    assert_string_equal(got, want);
            } else {
                char want[48];
                snprintf(want, sizeof want, "%d.%02d", r, (int)k % 100);
                assert_int_equal(type, SQLITE_TEXT); /* exact decimal text */
                assert_string_equal(got, want);
            }
        }
        r++;
    }
    assert_int_equal(r, nrows);
    sqlite3_finalize(st);
    combine_free(c);
}

static void test_rows_loaded_in_batches(void **state)
{
    (void)state;
    check_loaded_rows(3, 0);
    check_loaded_rows(3, 5);   /* fewer than one INSERT's rows */
    check_loaded_rows(3, 32);  /* exactly one */
    check_loaded_rows(3, 101); /* three, then five one by one */
    check_loaded_rows(40, 77);
    check_loaded_rows(400, 9); /* one row per INSERT */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_keys_are_indexed),
        cmocka_unit_test(test_index_while_others_load),
        cmocka_unit_test(test_free_while_lent),
        cmocka_unit_test(test_no_keys_no_index),
        cmocka_unit_test(test_rows_loaded_in_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
