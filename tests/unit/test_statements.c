/*
 * Unit tests for the planner's protocol entry points: splitting a
 * multi-statement query (planner/multi_statement.c), and prepared statements
 * (planner_prepare, planner_plan_params), planned against configs/pagila.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "planner/discovered_types.h"
#include "planner/info_schema.h"
#include "planner/multi_statement.h"
#include "planner/planner.h"
#include "semantic/catalog.h"
#include "tests/unit/unit_support.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- multi_statement_split -------------------------------------------------- */

static void test_split(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        size_t n;
        const char *parts[4];
    } cases[] = {
        {"SELECT 1", 1, {"SELECT 1"}},
        {"SELECT 1;", 1, {"SELECT 1"}},
        {"SELECT 1; -- the end\n", 1, {"SELECT 1"}},
        {"SELECT 1;SELECT 2", 2, {"SELECT 1", "SELECT 2"}},
        {"SELECT 1 ; SELECT 2 ;  ", 2, {"SELECT 1 ", " SELECT 2 "}},
        {"SELECT 'a;b'; SELECT `c;d`", 2, {"SELECT 'a;b'", " SELECT `c;d`"}},
        {"SELECT \"x;\" /* ; */; SELECT 3", 2, {"SELECT \"x;\" /* ; */", " SELECT 3"}},
        {"SELECT 1;;SELECT 2", 3, {"SELECT 1", "", "SELECT 2"}},
        {"", 1, {""}},
        {"  ", 1, {"  "}},
        /* Unterminated string: the rest is one statement, for the parser's error. */
        {"SELECT 1; SELECT 'oops; SELECT 3", 2, {"SELECT 1", " SELECT 'oops; SELECT 3"}},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        stmt_span *spans;
        size_t n = multi_statement_split(cases[i].sql, strlen(cases[i].sql), &spans);
        if (n != cases[i].n)
            fail_msg("'%s': %zu statements, expected %zu", cases[i].sql, n, cases[i].n);
        for (size_t k = 0; k < n; k++) {
            const char *want = cases[i].parts[k];
            if (spans[k].len != strlen(want) ||
                memcmp(cases[i].sql + spans[k].start, want, spans[k].len) != 0)
                fail_msg("'%s': statement %zu is '%.*s', expected '%s'", cases[i].sql, k,
                         (int)spans[k].len, cases[i].sql + spans[k].start, want);
        }
        free(spans);
    }
}

/* ---- prepared statements ------------------------------------------------------- */

/* pagila, load_pagila and free_pagila: tests/unit/unit_support.h */

static session_info session(void)
{
    session_info s = {
        .cat = pagila, .db = "mimir", .user = "u", .connection_id = 7, .autocommit = true};
    return s;
}

static void test_prepare_counts_placeholders(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        size_t nparams;
        action_kind kind;
    } cases[] = {
        /* Typed by the values bound: nothing to tell before the execute. */
        {"SELECT ? AS a, ? AS b", 2, ACTION_OK},
        /* Planned with NULL for the placeholders. */
        {"SELECT AGG(movies_rented) FROM mimir.metrics WHERE dim_store_id IN (?, ?, ?)", 3,
         ACTION_QUERY},
        {"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", 1, ACTION_ROWS},
        {"SELECT AGG(movies_rented) FROM mimir.metrics WHERE dim_rental_category = '?'", 0,
         ACTION_QUERY},
        {"SELECT @@version_comment", 0, ACTION_ROWS},
        {"SET autocommit = ?", 1, ACTION_OK},
    };
    session_info s = session();
    char err[256];
    s.info_schema = info_schema_build(pagila, err, sizeof(err));
    assert_non_null(s.info_schema);
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        arena a;
        arena_init(&a);
        action act;
        size_t n = 99;
        if (!planner_prepare(&a, &s, cases[i].sql, strlen(cases[i].sql), &n, &act))
            fail_msg("'%s' did not prepare: %s", cases[i].sql, act.error.message);
        assert_int_equal(n, cases[i].nparams);
        assert_int_equal(act.kind, cases[i].kind);
        arena_free(&a);
    }
    /* Errors MySQL reports at prepare time. */
    static const struct {
        const char *sql;
        uint16_t code;
    } errors[] = {
        {"SELEKT ?", 1064},
        {"SELECT AGG(nope) FROM mimir.metrics", 1054},
        {"SELECT 1; SELECT 2", 1064},
        /* With placeholders too: no value makes a name known. */
        {"SELECT AGG(nope) FROM mimir.metrics WHERE dim_store_id = ?", 1054},
        {"SELECT nope FROM mimir.metrics WHERE ts > ? GROUP BY nope", 1054},
        {"SELECT AGG(movies_rented) FROM mimir.nope WHERE dim_store_id = ?", 1146},
        {"SELECT AGG(movies_rented) FROM nope.metrics WHERE dim_store_id = ?", 1049},
        {"INSERT INTO mimir.metrics VALUES (?)", 1290},
    };
    for (size_t i = 0; i < ARRAY_LEN(errors); i++) {
        arena a;
        arena_init(&a);
        action act;
        size_t n;
        assert_false(planner_prepare(&a, &s, errors[i].sql, strlen(errors[i].sql), &n, &act));
        assert_int_equal(act.kind, ACTION_ERROR);
        assert_int_equal(act.error.code, errors[i].code);
        arena_free(&a);
    }
    info_schema_free(s.info_schema);
}

static bool prepare(const session_info *s, arena *a, const char *sql, action *act)
{
    size_t n;
    return planner_prepare(a, s, sql, strlen(sql), &n, act);
}

static void test_prepare_describes_metrics_queries(void **state)
{
    (void)state;
    const char *sql = "SELECT dim_rental_category, AGG(movies_rented) AS n, AGG(rentals_revenue) "
                      "FROM mimir.metrics WHERE dim_rental_category = ? "
                      "GROUP BY dim_rental_category";
    session_info s = session();
    char err[256];
    discovered_types *d = discovered_types_new();

    /* Before the backend described the columns, their types are guesses: none told. */
    s.info_schema = info_schema_build_typed(pagila, d, err, sizeof(err));
    assert_non_null(s.info_schema);
    arena a;
    arena_init(&a);
    action act;
    assert_true(prepare(&s, &a, sql, &act));
    assert_int_equal(act.kind, ACTION_QUERY);
    assert_int_equal(act.rows.ncols, 0);
    arena_free(&a);
    info_schema_free(s.info_schema);

    unit_set_type(d, "rentals", "dim_rental_category", "varchar(255)");
    unit_set_type(d, "rentals", "movies_rented", "bigint");
    unit_set_type(d, "rentals", "rentals_revenue", "decimal(65,2)");
    unit_set_type(d, "rentals", "amount", "decimal(5,2)"); /* SUM(amount) keeps its scale */
    s.info_schema = info_schema_build_typed(pagila, d, err, sizeof(err));
    arena_init(&a);
    assert_true(prepare(&s, &a, sql, &act));
    assert_int_equal(act.kind, ACTION_QUERY);
    assert_int_equal(act.rows.ncols, 3);
    assert_int_equal(act.rows.cols[0].type, VT_TEXT);
    assert_int_equal(act.rows.cols[1].type, VT_INT64);
    assert_int_equal(act.rows.cols[2].type, VT_DECIMAL);
    assert_int_equal(act.rows.cols[2].decimals, 2);
    /* Execution fills in what the backend leaves unknown from the same types. */
    assert_int_equal(act.plan->cols[2].layer_type.decimals, 2);
    assert_string_equal(act.plan->cols[1].name, "n");
    arena_free(&a);

    /* The scale of SUM over a column of unknown scale is the values': not told. */
    unit_set_type(d, "rentals", "amount", "decimal(65,2)");
    info_schema_free(s.info_schema);
    s.info_schema = info_schema_build_typed(pagila, d, err, sizeof(err));
    arena_init(&a);
    assert_true(prepare(&s, &a, sql, &act));
    assert_int_equal(act.rows.ncols, 0);
    arena_free(&a);

    /* Computed after the combine, or an expression: typed by its values. */
    static const char *const untyped[] = {
        "SELECT AGG(movies_rented) * 2 FROM mimir.metrics WHERE dim_store_id = ?",
        "SELECT UPPER(dim_rental_category), AGG(movies_rented) FROM mimir.metrics "
        "GROUP BY UPPER(dim_rental_category)",
        "SELECT n FROM (SELECT AGG(movies_rented) AS n FROM mimir.metrics) t",
    };
    for (size_t i = 0; i < ARRAY_LEN(untyped); i++) {
        arena_init(&a);
        if (!prepare(&s, &a, untyped[i], &act))
            fail_msg("'%s' did not prepare: %s", untyped[i], act.error.message);
        if (act.kind != ACTION_QUERY || act.rows.ncols != 0)
            fail_msg("'%s': kind %d, %zu columns", untyped[i], act.kind, act.rows.ncols);
        arena_free(&a);
    }
    info_schema_free(s.info_schema);
    discovered_types_free(d);
}

static void test_parameters_become_backend_parameters(void **state)
{
    (void)state;
    session_info s = session();
    arena a;
    arena_init(&a);
    action act;
    const char *sql = "SELECT dim_rental_category, AGG(movies_rented) FROM mimir.metrics "
                      "WHERE dim_rental_category = ? AND dim_store_id = ? "
                      "GROUP BY dim_rental_category";
    const param_value params[] = {{LIT_STRING, "Action'; DROP TABLE x; --", 25}, {LIT_INT, "2", 1}};
    planner_plan_params(&a, &s, sql, strlen(sql), params, 2, &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    const atomic_query *q = &act.plan->queries[0];
    /* The values travel as parameters, never as text of the SQL. */
    assert_null(strstr(q->sql, "Action"));
    assert_null(strstr(q->sql, "DROP"));
    assert_int_equal(q->nparams, 2);
    assert_string_equal(q->params[0].text, "Action'; DROP TABLE x; --");
    assert_string_equal(q->params[1].text, "2");
    arena_free(&a);
}

static void test_parameters_in_constant_select(void **state)
{
    (void)state;
    session_info s = session();
    arena a;
    arena_init(&a);
    action act;
    const char *sql = "SELECT ? AS n, ? AS s, ? AS z";
    const param_value params[] = {{LIT_INT, "-5", 2}, {LIT_STRING, "x?y", 3}, {LIT_NULL, NULL, 0}};
    planner_plan_params(&a, &s, sql, strlen(sql), params, 3, &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    assert_int_equal(act.rows.nrows, 1);
    assert_string_equal(act.rows.values[0], "-5");
    assert_string_equal(act.rows.values[1], "x?y");
    assert_null(act.rows.values[2]);
    assert_int_equal(act.rows.cols[0].type, VT_INT64);
    assert_int_equal(act.rows.cols[2].type, VT_NULL);
    arena_free(&a);

    /* A count that does not match is MySQL's 1210. */
    arena_init(&a);
    planner_plan_params(&a, &s, sql, strlen(sql), params, 2, &act);
    assert_int_equal(act.kind, ACTION_ERROR);
    assert_int_equal(act.error.code, 1210);
    assert_non_null(strstr(act.error.message, "Incorrect arguments to mysqld_stmt_execute"));
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest split_tests[] = {
        cmocka_unit_test(test_split),
    };
    const struct CMUnitTest prepared_tests[] = {
        cmocka_unit_test(test_prepare_counts_placeholders),
        cmocka_unit_test(test_prepare_describes_metrics_queries),
        cmocka_unit_test(test_parameters_become_backend_parameters),
        cmocka_unit_test(test_parameters_in_constant_select),
    };
    int failed = cmocka_run_group_tests(split_tests, NULL, NULL);
    failed += cmocka_run_group_tests(prepared_tests, load_pagila, free_pagila);
    return failed;
}
