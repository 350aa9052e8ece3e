/*
 * Unit tests of the planner: lexer, parser, and planning against the Pagila
 * example's semantic layer (loaded without secrets, so PostgreSQL dialect).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "planner/lexer.h"
#include "planner/parser.h"
#include "planner/planner.h"
#include "planner/type_probe.h"
#include "tests/unit/unit_support.h"

/* ---- Lexer --------------------------------------------------------------- */

typedef struct lex_case {
    const char *sql;
    token_kind kind; /* of the first token */
    const char *text;
    size_t len;
} lex_case;

static const lex_case lex_cases[] = {
    {"'it''s'", TK_STRING, "it's", 4},
    {"'a\\nb'", TK_STRING, "a\nb", 3},
    {"\"dq\"", TK_STRING, "dq", 2},
    {"'x\\_y'", TK_STRING, "x\\_y", 4}, /* LIKE escapes keep their backslash */
    {"`we``ird`", TK_QIDENT, "we`ird", 6},
    {"-- comment\n 42", TK_INTEGER, "42", 2},
    {"# comment\n1.5", TK_NUMBER, "1.5", 3},
    {"/* c */ .5e3", TK_NUMBER, ".5e3", 4},
    {"/*!40101 SELECT */", TK_IDENT, "SELECT", 6},
    {"@@session.autocommit", TK_SYSVAR, "session.autocommit", 18},
    {"@x", TK_USERVAR, "x", 1},
    {"<=>", TK_OP, "<=>", 3},
    {"'unterminated", TK_ERROR, "unterminated string", 19},
    {"/* open", TK_ERROR, "unterminated comment", 20},
};

static void test_lexer_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(lex_cases) / sizeof(lex_cases[0]); i++) {
        const lex_case *c = &lex_cases[i];
        arena a;
        arena_init(&a);
        token_list toks;
        lex_sql(&a, c->sql, strlen(c->sql), &toks);
        assert_true(toks.len >= 1);
        if (toks.items[0].kind != c->kind)
            fail_msg("case %zu (%s): kind %d, want %d", i, c->sql, toks.items[0].kind, c->kind);
        assert_int_equal(toks.items[0].len, c->len);
        assert_memory_equal(toks.items[0].text, c->text, c->len);
        arena_free(&a);
    }
}

static void test_lexer_exec_comment_close_is_blank(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    token_list toks;
    const char *sql = "/*!40101 SET NAMES utf8 */;";
    lex_sql(&a, sql, strlen(sql), &toks);
    assert_int_equal(toks.len, 5); /* SET NAMES utf8 ; EOF */
    assert_true(token_is_op(&toks.items[3], ";"));
    arena_free(&a);
}

/* ---- Parser -------------------------------------------------------------- */

static void test_parse_readme_query(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    const char *sql = "SELECT\n  dim_rental_category,\n  AGG(movies_rented),\n"
                      "  AGG(rentals_revenue) AS rev\nFROM\n  mimir.metrics\nWHERE\n"
                      "  dim_rental_category = 'Action'\nGROUP BY\n  dim_rental_category;";
    statement st;
    parse_error pe;
    assert_true(parse_statement(&a, sql, strlen(sql), &st, &pe));
    assert_int_equal(st.kind, STMT_SELECT);
    select_stmt *s = st.select;
    assert_int_equal(s->nitems, 3);
    assert_string_equal(s->items[1].text, "AGG(movies_rented)");
    assert_string_equal(s->items[2].alias, "rev");
    assert_string_equal(s->from[0].db, "mimir");
    assert_string_equal(s->from[0].name, "metrics");
    assert_int_equal(s->where->kind, EX_BINARY);
    assert_int_equal(s->where->op, OP_EQ);
    assert_int_equal(s->ngroup_by, 1);
    arena_free(&a);
}

static void test_parse_limits_and_order(void **state)
{
    (void)state;
    struct {
        const char *sql;
        int64_t limit, offset;
    } cases[] = {
        {"SELECT a FROM t LIMIT 5", 5, 0},
        {"SELECT a FROM t LIMIT 10, 5", 5, 10},
        {"SELECT a FROM t ORDER BY 1 DESC, a LIMIT 5 OFFSET 2", 5, 2},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        arena a;
        arena_init(&a);
        statement st;
        parse_error pe;
        assert_true(parse_statement(&a, cases[i].sql, strlen(cases[i].sql), &st, &pe));
        assert_true(st.select->has_limit);
        assert_int_equal(st.select->limit, cases[i].limit);
        assert_int_equal(st.select->offset, cases[i].offset);
        arena_free(&a);
    }
}

static void test_parse_precedence(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    const char *sql = "SELECT 1 FROM t WHERE a = 1 OR b = 2 AND NOT c IN (1, 2)";
    statement st;
    parse_error pe;
    assert_true(parse_statement(&a, sql, strlen(sql), &st, &pe));
    expr *w = st.select->where;
    assert_int_equal(w->op, OP_OR);
    assert_int_equal(w->right->op, OP_AND);
    assert_int_equal(w->right->right->kind, EX_UNARY);
    assert_int_equal(w->right->right->left->kind, EX_IN);
    arena_free(&a);
}

typedef struct error_case {
    const char *sql;
    bool unsupported;
    const char *near;
    int line;
} error_case;

static const error_case error_cases[] = {
    {"SELECT a FROM t GROUP BY BY a", false, "BY a", 1},
    {"SELECT a,\nFROM t", false, "FROM t", 2},
    {"SELECT (a FROM t", false, "FROM t", 1},
    {"SELEKT 1", false, "SELEKT 1", 1},
    {"SELECT a FROM t WHERE a IN (SELECT b FROM u UNION SELECT c FROM v)", true,
     "UNION SELECT c FROM v)", 1},
    {"SELECT a FROM t GROUP BY a WITH ROLLUP", true, "WITH ROLLUP", 1},
    {"SELECT a FROM (SELECT 1)", false, "", 1},
    {"SELECT a FROM t NATURAL JOIN u", true, "NATURAL JOIN u", 1},
    {"SELECT a FROM t LEFT JOIN u USING (a)", true, "USING (a)", 1},
    {"SELECT a FROM t LEFT JOIN u", false, "", 1},
    {"SELECT 'open", false, "'open", 1},
    {"SELECT 1; SELECT 2", false, "SELECT 2", 1},
};

static void test_parse_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        const error_case *c = &error_cases[i];
        arena a;
        arena_init(&a);
        statement st;
        parse_error pe;
        if (parse_statement(&a, c->sql, strlen(c->sql), &st, &pe))
            fail_msg("case %zu (%s) parsed", i, c->sql);
        assert_int_equal(pe.unsupported, c->unsupported);
        assert_string_equal(pe.near, c->near);
        assert_int_equal(pe.line, c->line);
        arena_free(&a);
    }
}

static void test_parse_depth_limit(void **state)
{
    (void)state;
    char sql[4096] = "SELECT ";
    for (int i = 0; i < 1000; i++)
        strcat(sql, "(");
    strcat(sql, "1");
    arena a;
    arena_init(&a);
    statement st;
    parse_error pe;
    assert_false(parse_statement(&a, sql, strlen(sql), &st, &pe));
    assert_string_equal(pe.detail, "expression nested too deeply");
    arena_free(&a);
}

/* ---- Planning against configs/pagila -------------------------------------- */

/* pagila, load_pagila and free_pagila: tests/unit/unit_support.h */

static void plan_sql(arena *a, const char *sql, action *act)
{
    session_info s = {
        .cat = pagila, .db = "mimir", .user = "u", .connection_id = 7, .autocommit = true};
    planner_plan(a, &s, sql, strlen(sql), act);
}

static void test_plan_readme_query(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_sql(&a,
             "SELECT dim_rental_category, AGG(movies_rented), AGG(rentals_revenue) FROM "
             "mimir.metrics WHERE dim_rental_category = 'Action' GROUP BY dim_rental_category",
             &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    const plan *p = act.plan;
    assert_int_equal(p->nqueries, 1);
    assert_null(p->final_sql);
    assert_int_equal(p->ncols, 3);
    /* An unaliased AGG(m) is named as MySQL names it: by its text. */
    assert_string_equal(p->cols[1].name, "AGG(movies_rented)");
    const atomic_query *q = &p->queries[0];
    /* The dimension is spliced inside the source, the literal is a parameter. */
    assert_non_null(strstr(q->sql, "COALESCE(category.name, 'Uncategorized') AS "
                                   "\"dim_rental_category\""));
    assert_non_null(strstr(q->sql, "WHERE (\"dim_rental_category\" = $1)"));
    assert_non_null(strstr(q->sql, "GROUP BY 1"));
    assert_null(strstr(q->sql, "Action"));
    assert_int_equal(q->nparams, 1);
    assert_string_equal(q->params[0].text, "Action");
    arena_free(&a);
}

static void test_plan_literals_never_reach_sql(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_sql(&a,
             "SELECT AGG(movies_rented) FROM mimir.metrics WHERE dim_rental_category IN "
             "('x'' OR 1=1 --', 'y\\'); DROP TABLE rental; --') OR customer_id > 5",
             &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    const atomic_query *q = &act.plan->queries[0];
    assert_null(strstr(q->sql, "DROP"));
    assert_null(strstr(q->sql, "1=1"));
    assert_int_equal(q->nparams, 3);
    assert_string_equal(q->params[0].text, "x' OR 1=1 --");
    assert_int_equal(q->params[2].kind, PARAM_INT);
    arena_free(&a);
}

static void test_plan_two_sources_full_join(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_sql(&a,
             "SELECT dim_store_id, AGG(movies_rented), AGG(payments_revenue) AS pay FROM "
             "mimir.metrics GROUP BY 1 ORDER BY 3 DESC LIMIT 10",
             &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    const plan *p = act.plan;
    assert_int_equal(p->nqueries, 2);
    assert_non_null(p->final_sql);
    assert_non_null(strstr(p->final_sql, "FULL OUTER JOIN \"s1\" USING (\"d0\")"));
    /* Exact decimals are text in SQLite: they sort as numbers through a collation. */
    assert_non_null(
        strstr(p->final_sql, "ORDER BY 3 COLLATE mimir_decimal DESC LIMIT 10 OFFSET 0"));
    /* dim_store_id is a definition on rentals that payments lists: spliced into both. */
    for (size_t i = 0; i < 2; i++)
        assert_non_null(strstr(p->queries[i].sql, "inventory.store_id AS \"dim_store_id\""));
    assert_int_equal(p->cols[2].query, 1);
    arena_free(&a);
}

static void test_plan_time_filter_pushdown(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_sql(&a,
             "SELECT ds, AGG(movies_rented) FROM mimir.metrics WHERE ds BETWEEN '2022-05-01' "
             "AND '2022-05-31' GROUP BY ds ORDER BY ds",
             &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    const atomic_query *q = &act.plan->queries[0];
    /* Inclusive by day, on the raw time column inside the source's SQL. */
    assert_non_null(strstr(q->sql, "rental.rental_date >= $1 AND rental.rental_date < $2"));
    assert_string_equal(q->params[0].text, "2022-05-01");
    assert_string_equal(q->params[1].text, "2022-06-01");
    assert_non_null(strstr(q->sql, "ORDER BY 1 NULLS FIRST"));
    arena_free(&a);
}

typedef struct plan_error_case {
    const char *sql;
    uint16_t code;
    const char *text;
} plan_error_case;

static const plan_error_case plan_errors[] = {
    {"SELECT AGG(nope) FROM mimir.metrics", ER_BAD_FIELD, "no metric named 'nope'"},
    {"SELECT nope, AGG(movies_rented) FROM mimir.metrics", ER_BAD_FIELD, "Unknown column 'nope'"},
    {"SELECT AGG(movies_rented) FROM mimir.metrics WHERE nope = 1", ER_BAD_FIELD, "'where clause'"},
    {"SELECT dim_rental_category, AGG(payments_count) FROM mimir.metrics", ER_BAD_FIELD,
     "not available on source 'payments'"},
    {"SELECT COUNT(movies_rented) FROM mimir.metrics", ER_NOT_SUPPORTED_YET, "already aggregated"},
    {"SELECT AGG(movies_rented) FROM mimir.rental", ER_NO_SUCH_TABLE, "mimir.rental"},
    {"SELECT AGG(movies_rented) FROM nodb.metrics", ER_BAD_DB, "nodb"},
    {"SELECT @@no_such_var", ER_UNKNOWN_SYSTEM_VAR, "no_such_var"},
    {"USE nodb", ER_BAD_DB, "nodb"},
    {"DROP TABLE x", ER_OPTION_PREVENTS_STATEMENT, "--read-only option"},
    {"INSERT INTO metrics VALUES (1)", ER_OPTION_PREVENTS_STATEMENT, "(INSERT INTO)"},
    {"SELECT AGG(movies_rented) FROM mimir.metrics JOIN mimir.rentals ON 1", ER_NOT_SUPPORTED_YET,
     "joins"},
    {"HANDLER t OPEN", ER_NOT_SUPPORTED_YET, "HANDLER"},
    {"", ER_EMPTY_QUERY, "Query was empty"},
    {"SELECT AGG(movies_rented) FROM mimir.metrics ORDER BY 5", ER_BAD_FIELD, "order clause"},
};

static void test_plan_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(plan_errors) / sizeof(plan_errors[0]); i++) {
        arena a;
        arena_init(&a);
        action act;
        plan_sql(&a, plan_errors[i].sql, &act);
        if (act.kind != ACTION_ERROR)
            fail_msg("case %zu (%s): no error", i, plan_errors[i].sql);
        if (act.error.code != plan_errors[i].code ||
            !strstr(act.error.message, plan_errors[i].text))
            fail_msg("case %zu (%s): %u %s", i, plan_errors[i].sql, act.error.code,
                     act.error.message);
        arena_free(&a);
    }
}

static void test_session_statements(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_sql(&a, "select @@version_comment limit 1", &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    assert_string_equal(act.rows.cols[0].name, "@@version_comment");
    assert_int_equal(act.rows.nrows, 1);
    plan_sql(&a, "SELECT DATABASE(), 1 AS one, CONNECTION_ID()", &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    assert_string_equal(act.rows.values[0], "mimir");
    assert_string_equal(act.rows.cols[1].name, "one");
    assert_string_equal(act.rows.values[2], "7");
    plan_sql(&a, "SET autocommit = 1, NAMES utf8mb4", &act);
    assert_int_equal(act.kind, ACTION_OK);
    assert_int_equal(act.set_autocommit, 1);
    plan_sql(&a, "SET NAMES utf8mb4 COLLATE utf8mb4_general_ci", &act);
    assert_int_equal(act.kind, ACTION_OK);
    plan_sql(&a, "SET autocommit = 0", &act);
    assert_int_equal(act.kind, ACTION_OK);
    assert_int_equal(act.set_autocommit, 0);
    plan_sql(&a, "use MIMIR", &act);
    assert_int_equal(act.kind, ACTION_OK);
    assert_string_equal(act.new_db, "mimir");
    arena_free(&a);
}

static void test_plan_time_functions_are_grains(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_sql(&a,
             "SELECT DATE_FORMAT(ts, '%Y-%m') AS month, QUARTER(ts) q, AGG(movies_rented) FROM "
             "mimir.metrics WHERE ts >= TIMESTAMP('2022-03-01 00:00:00') AND ts < "
             "'2022-06-01' GROUP BY 1, 2 ORDER BY 1",
             &act);
    if (act.kind != ACTION_QUERY)
        fail_msg("%s", act.error.message);
    const atomic_query *q = &act.plan->queries[0];
    assert_null(act.plan->final_sql);
    /* Computed on the backend from the spliced raw time column, with the format a parameter. */
    assert_non_null(strstr(q->sql, "to_char(CAST(\"mimir_ts\" AS TIMESTAMP), $"));
    assert_non_null(strstr(q->sql, "EXTRACT(QUARTER FROM CAST(\"mimir_ts\" AS TIMESTAMP))"));
    assert_non_null(strstr(q->sql, "rental.rental_date AS \"mimir_ts\""));
    assert_non_null(strstr(q->sql, "rental.rental_date >= $2 AND rental.rental_date < $3"));
    assert_string_equal(q->params[1].text, "2022-03-01 00:00:00");
    bool found = false;
    for (size_t i = 0; i < q->nparams; i++)
        found = found || strcmp(q->params[i].text, "YYYY\"-\"MM") == 0;
    assert_true(found);
    assert_non_null(strstr(q->sql, "GROUP BY 1, 2"));
    arena_free(&a);
}

/* A number PostgreSQL computes as a dimension has a scale per value: the combine, not a
 * stream, declares and shows it (one source, nothing computed after). */
static void test_plan_numeric_key_expressions_are_combined(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        bool combined;
    } cases[] = {
        {"SELECT COALESCE(amount, 0), AGG(movies_rented) FROM mimir.metrics GROUP BY 1", true},
        {"SELECT amount + 1, AGG(movies_rented) FROM mimir.metrics GROUP BY 1", true},
        {"SELECT amount, AGG(movies_rented) FROM mimir.metrics GROUP BY 1", false},
        {"SELECT YEAR(ts), AGG(movies_rented) FROM mimir.metrics GROUP BY 1", false},
        {"SELECT COALESCE(dim_rental_category, 'x'), AGG(movies_rented) FROM mimir.metrics "
         "GROUP BY 1",
         false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        arena a;
        arena_init(&a);
        action act;
        plan_sql(&a, cases[i].sql, &act);
        if (act.kind != ACTION_QUERY)
            fail_msg("%s: %s", cases[i].sql, act.error.message);
        if ((act.plan->final_sql != NULL) != cases[i].combined)
            fail_msg("%s: %s", cases[i].sql, cases[i].combined ? "streamed" : "combined");
        arena_free(&a);
    }
}

static void test_plan_metric_expressions_and_having(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_sql(&a,
             "SELECT `dim_rental_category`, AGG(rentals_revenue) / NULLIF(AGG(movies_rented), 0) "
             "AS per_rental FROM mimir.metrics WHERE movies_rented > 10 GROUP BY 1 "
             "HAVING AGG(rentals_revenue) > 100 ORDER BY per_rental DESC",
             &act);
    if (act.kind != ACTION_QUERY)
        fail_msg("%s", act.error.message);
    const plan *p = act.plan;
    assert_int_equal(p->nqueries, 1);
    assert_non_null(p->final_sql);
    /* The ratio, the metric filter and HAVING run after the backend, in SQLite. */
    /* Exactly, with MySQL's rules (planner/final_exact.h). */
    assert_non_null(strstr(p->final_sql, "mimir_div(\"m0\", mimir_nullif(\"m1\", ?"));
    assert_non_null(strstr(p->final_sql, "WHERE (mimir_cmp(\"m1\", ?"));
    assert_non_null(strstr(p->final_sql, "ORDER BY 2 COLLATE mimir_decimal DESC"));
    assert_true(p->cols[1].computed);
    assert_null(strstr(p->queries[0].sql, "HAVING"));
    arena_free(&a);
}

/* configs/pagila's derived metrics: revenue_per_rental (rentals) and payments_per_rental
 * (payments over rentals). A derived metric is its expression, computed after the combine. */
static void test_plan_derived_metrics(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_sql(&a,
             "SELECT dim_store_id, AGG(payments_per_rental), revenue_per_rental FROM mimir.metrics "
             "GROUP BY 1 HAVING MEASURE(payments_per_rental) > 0.5 ORDER BY revenue_per_rental",
             &act);
    if (act.kind != ACTION_QUERY)
        fail_msg("%s", act.error.message);
    const plan *p = act.plan;
    /* The base metrics are fetched from their sources, as for any metric. */
    assert_int_equal(p->nqueries, 2);
    assert_non_null(strstr(p->queries[0].sql, "COUNT(payment_id) AS \"m0\""));
    assert_non_null(strstr(p->queries[1].sql, "COUNT(rental_id) AS \"m1\""));
    assert_non_null(strstr(p->queries[1].sql, "SUM(amount) AS \"m2\""));
    assert_string_equal(
        p->final_sql,
        "SELECT \"d0\" AS \"dim_store_id\", CAST(((CAST(\"m0\" AS REAL) / NULLIF(NULLIF(\"m1\", "
        "?1), 0))) AS REAL) AS \"AGG(payments_per_rental)\", CAST(((CAST(\"m2\" AS REAL) / "
        "NULLIF(NULLIF(\"m1\", ?2), 0))) AS REAL) AS \"revenue_per_rental\" FROM \"s0\" FULL "
        "OUTER JOIN \"s1\" USING (\"d0\") WHERE (mimir_cmp(CAST(((CAST(\"m0\" AS REAL) / "
        "NULLIF(NULLIF(\"m1\", ?3), 0))) AS REAL), ?4) > 0) ORDER BY 3 COLLATE mimir_decimal");
    assert_true(p->cols[1].computed);
    assert_string_equal(p->cols[1].name, "AGG(payments_per_rental)");

    /* Misuse: COUNT of a derived metric, and a derived metric in WHERE on a dimension slot. */
    plan_sql(&a, "SELECT COUNT(revenue_per_rental) FROM mimir.metrics", &act);
    assert_int_equal(act.kind, ACTION_ERROR);
    assert_int_equal(act.error.code, ER_NOT_SUPPORTED_YET);
    assert_string_equal(act.error.message,
                        "COUNT(revenue_per_rental) is not supported: a metric is already "
                        "aggregated at the query's grain; use AGG(revenue_per_rental)");
    plan_sql(&a, "SELECT revenue_per_rental, AGG(movies_rented) FROM mimir.metrics GROUP BY 1",
             &act);
    assert_int_equal(act.kind, ACTION_ERROR);
    assert_string_equal(act.error.message,
                        "Can't group on 'revenue_per_rental': it is computed from metrics");
    /* Only mimir.metrics has derived metrics: they may span sources. */
    plan_sql(&a, "SELECT AGG(revenue_per_rental) FROM mimir.rentals", &act);
    assert_int_equal(act.kind, ACTION_ERROR);
    assert_int_equal(act.error.code, ER_BAD_FIELD);
    arena_free(&a);
}

static void test_plan_source_table_and_dimension_only(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_sql(&a, "SELECT customer_id FROM mimir.metrics GROUP BY 1", &act);
    if (act.kind != ACTION_QUERY)
        fail_msg("%s", act.error.message);
    assert_int_equal(act.plan->nqueries, 2); /* both sources have customer_id: union */
    plan_sql(&a, "SELECT DISTINCT customer_id FROM mimir.payments", &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    assert_int_equal(act.plan->nqueries, 1);
    assert_string_equal(act.plan->queries[0].src->name, "payments");
    plan_sql(&a, "SELECT AGG(movies_rented) FROM mimir.payments", &act);
    assert_int_equal(act.kind, ACTION_ERROR);
    assert_int_equal(act.error.code, ER_BAD_FIELD);
    arena_free(&a);
}

static void test_plan_explain(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_sql(&a,
             "EXPLAIN SELECT dim_store_id, AGG(movies_rented), AGG(payments_count) FROM "
             "mimir.metrics WHERE dim_store_id = 1 GROUP BY 1",
             &act);
    if (act.kind != ACTION_ROWS)
        fail_msg("%s", act.error.message);
    assert_int_equal(act.rows.nrows, 3);
    assert_string_equal(act.rows.values[1], "rentals");
    assert_string_equal(act.rows.values[5], "[1]");
    assert_string_equal(act.rows.values[2 * 6 + 3], "sqlite");
    arena_free(&a);
}

static const plan_error_case function_errors[] = {
    {"SELECT NO_SUCH_FN(ts), AGG(movies_rented) FROM mimir.metrics", ER_SP_DOES_NOT_EXIST,
     "NO_SUCH_FN"},
    {"SELECT SUM(amount) FROM mimir.metrics", ER_NOT_SUPPORTED_YET,
     "SUM() over 'amount' reads the rows"},
    {"SELECT DATE_FORMAT(ts, dim_rental_category), AGG(movies_rented) FROM mimir.metrics",
     ER_WRONG_ARGUMENTS, "string literal"},
    {"SELECT CAST(ts AS pg_catalog.text), AGG(movies_rented) FROM mimir.metrics", ER_PARSE,
     ".text)"},
    {"SELECT CAST(ts AS BINARY), AGG(movies_rented) FROM mimir.metrics", ER_NOT_SUPPORTED_YET,
     "CAST to 'BINARY'"},
    {"SELECT rental.rental_id FROM mimir.metrics", ER_BAD_FIELD, "rental.rental_id"},
    {"SELECT customer_id, AGG(movies_rented) FROM mimir.metrics HAVING staff_id > 1", 1055,
     "staff_id"},
};

static void test_plan_function_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(function_errors) / sizeof(function_errors[0]); i++) {
        arena a;
        arena_init(&a);
        action act;
        plan_sql(&a, function_errors[i].sql, &act);
        if (act.kind != ACTION_ERROR)
            fail_msg("case %zu (%s): no error", i, function_errors[i].sql);
        if (act.error.code != function_errors[i].code ||
            !strstr(act.error.message, function_errors[i].text))
            fail_msg("case %zu (%s): %u %s", i, function_errors[i].sql, act.error.code,
                     act.error.message);
        arena_free(&a);
    }
}

/* Row-level reads (docs/sql.md): refused with what to write instead; and
 * MySQL's aggregates beside a bare column without GROUP BY, 1140 as MySQL 8. */
static const plan_error_case row_level_errors[] = {
    {"SELECT dim_rental_category, ts, movies_rented FROM mimir.metrics LIMIT 2000",
     ER_NOT_SUPPORTED_YET, "Write AGG(movies_rented)"},
    {"SELECT dim_rental_category FROM mimir.metrics LIMIT 10000", ER_NOT_SUPPORTED_YET,
     "SELECT DISTINCT"},
    {"SELECT DISTINCT dim_rental_category FROM mimir.metrics WHERE movies_rented > 1",
     ER_NOT_SUPPORTED_YET, "'movies_rented' is a metric"},
    {"SELECT COUNT(*) FROM mimir.metrics", ER_NOT_SUPPORTED_YET, "COUNT(*) counts rows"},
    {"SELECT dim_rental_category, SUM(movies_rented) FROM mimir.metrics",
     ER_MIX_OF_GROUP_FUNC_AND_FIELDS,
     "expression #1 of SELECT list contains nonaggregated column "
     "'mimir.metrics.dim_rental_category'"},
    {"SELECT AVG(rentals_revenue), UPPER(dim_rental_category) FROM mimir.metrics",
     ER_MIX_OF_GROUP_FUNC_AND_FIELDS, "expression #2"},
};

/* ... and what they suggest, or Mimir's own AGG() without GROUP BY, is planned. */
static const char *const row_level_answered[] = {
    "SELECT DISTINCT dim_rental_category FROM mimir.metrics",
    "SELECT dim_rental_category FROM mimir.metrics GROUP BY 1",
    "SELECT dim_rental_category, movies_rented FROM mimir.metrics GROUP BY 1",
    "SELECT dim_rental_category, AGG(movies_rented) FROM mimir.metrics",
    "SELECT dim_rental_category, SUM(movies_rented) FROM mimir.metrics GROUP BY 1",
    "SELECT SUM(movies_rented) FROM mimir.metrics",
    "SELECT dim_rental_category, ts, movies_rented FROM mimir.metrics LIMIT 0",
};

static void test_plan_row_level_reads(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(row_level_errors) / sizeof(row_level_errors[0]); i++) {
        arena a;
        arena_init(&a);
        action act;
        plan_sql(&a, row_level_errors[i].sql, &act);
        if (act.kind != ACTION_ERROR || act.error.code != row_level_errors[i].code ||
            !strstr(act.error.message, row_level_errors[i].text))
            fail_msg("case %zu (%s): %u %s", i, row_level_errors[i].sql, act.error.code,
                     act.kind == ACTION_ERROR ? act.error.message : "(no error)");
        arena_free(&a);
    }
    for (size_t i = 0; i < sizeof(row_level_answered) / sizeof(row_level_answered[0]); i++) {
        arena a;
        arena_init(&a);
        action act;
        plan_sql(&a, row_level_answered[i], &act);
        if (act.kind == ACTION_ERROR)
            fail_msg("%s: %s", row_level_answered[i], act.error.message);
        arena_free(&a);
    }
}

/* ---- Semi-additive metrics and fills (tests/unit/fixtures/semantic/time_metrics) ---- */

static void plan_on(const catalog *c, arena *a, const char *sql, action *act)
{
    session_info s = {.cat = c, .db = "mimir", .user = "u", .connection_id = 7, .autocommit = true};
    planner_plan(a, &s, sql, strlen(sql), act);
}

static catalog *load_time_metrics(void)
{
    char err[1024];
    catalog *c = catalog_load("tests/unit/fixtures/semantic/time_metrics", NULL, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    return c;
}

/* Each non-additive spec its own atomic query, joined to its edge times; the filter and the
 * edges' keys in both; fills in the final stage. */
static void test_plan_semi_additive(void **state)
{
    (void)state;
    catalog *c = load_time_metrics();
    arena a;
    arena_init(&a);
    action act;
    plan_on(c, &a,
            "SELECT year_month, product, AGG(stock_on_hand), AGG(opening_stock) FROM "
            "mimir.metrics WHERE product = 'x' GROUP BY year_month, product",
            &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    const plan *p = act.plan;
    assert_int_equal(p->nqueries, 2);
    const char *last = p->queries[0].sql, *first = p->queries[1].sql;
    /* The period and each store's (and region's) edge; the region is spliced. */
    assert_non_null(strstr(last, "SELECT \"mimir_year_month\" AS \"mimir_k0\", \"store_id\" AS "
                                 "\"mimir_k1\", \"store_region\" AS \"mimir_k2\", "
                                 "MAX(\"snapshot_date\") AS \"mimir_edge\""));
    assert_non_null(strstr(last, "CASE WHEN store_id < 3 THEN 'north' ELSE 'south' END AS "
                                 "\"store_region\""));
    assert_non_null(strstr(last, "\"mimir_year_month\" IS NOT DISTINCT FROM "
                                 "\"mimir_edges\".\"mimir_k0\""));
    assert_non_null(strstr(last, "\"mimir_source\".\"snapshot_date\" = "
                                 "\"mimir_edges\".\"mimir_edge\""));
    assert_int_equal(p->queries[0].nparams, 2); /* product = 'x' in the rows and the edges */
    assert_non_null(strstr(first, "MIN(\"snapshot_date\")"));
    assert_null(strstr(first, "store_id\" AS"));
    /* stock_on_hand is filled with 0, opening_stock with a string parameter. */
    assert_non_null(strstr(p->final_sql, "COALESCE(\"m0\", 0)"));
    assert_non_null(strstr(p->final_sql, "COALESCE(\"m1\", ?1)"));
    assert_int_equal(p->nfinal_params, 1);
    assert_string_equal(p->final_params[0].text, "n/a");
    arena_free(&a);

    /* No grain: the edges group by the per dimensions only; a plain metric streams. */
    arena_init(&a);
    plan_on(c, &a, "SELECT AGG(stock_on_hand) FROM mimir.metrics", &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    assert_non_null(strstr(act.plan->queries[0].sql, "GROUP BY 1, 2) AS \"mimir_edges\""));
    arena_free(&a);
    catalog_free(c);
}

/* An offset of a semi-additive metric: its own atomic query over the shifted range, with
 * the edges of the shifted periods, re-keyed on a calendar spine in the final stage. A
 * cumulative one without a grain or a range's end, or over a balance, is refused. */
static void test_plan_time_metrics(void **state)
{
    (void)state;
    catalog *c = load_time_metrics();
    arena a;
    arena_init(&a);
    action act;
    plan_on(c, &a,
            "SELECT year_month, AGG(stock_last_year) FROM mimir.metrics "
            "WHERE ds BETWEEN '2024-03-01' AND '2024-03-31' GROUP BY year_month",
            &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    const plan *p = act.plan;
    assert_int_equal(p->nqueries, 1);
    assert_non_null(strstr(p->queries[0].sql, "\"mimir_edges\""));
    assert_string_equal(p->queries[0].params[0].text, "2023-03-01");
    assert_string_equal(p->queries[0].params[1].text, "2023-04-01");
    assert_non_null(strstr(p->final_sql, "WITH RECURSIVE \"mimir_spine\""));
    arena_free(&a);
    static const struct {
        const char *sql, *message;
    } refused[] = {
        {"SELECT AGG(stock_last_year) FROM mimir.metrics",
         "offset metric 'stock_last_year' needs a time grain or a time range: group by ds, week, "
         "year_month, ... or filter ds BETWEEN '2024-01-01' AND '2024-12-31'"},
        {"SELECT ds, AGG(stock_mtd) FROM mimir.metrics GROUP BY ds",
         "This version of Mimir doesn't yet support cumulative metric 'stock_mtd' over "
         "semi-additive metric 'stock_on_hand' (a balance does not add up over a window)"},
        {"SELECT AGG(stock_running) FROM mimir.metrics",
         "This version of Mimir doesn't yet support time metric 'stock_running' over time "
         "metric 'stock_last_year'"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        arena_init(&a);
        plan_on(c, &a, refused[i].sql, &act);
        assert_int_equal(act.kind, ACTION_ERROR);
        assert_int_equal(act.error.code, ER_NOT_SUPPORTED_YET);
        assert_string_equal(act.error.message, refused[i].message);
        arena_free(&a);
    }
    catalog_free(c);
}

/* The type probe of a source with semi-additive, filled and calendar metrics is still one
 * atomic query of the raw aggregates, so that its column types are discovered. */
static void test_type_probe_ignores_edges_and_fills(void **state)
{
    (void)state;
    catalog *c = load_time_metrics();
    arena a;
    arena_init(&a);
    plan p;
    sql_error err;
    assert_true(type_probe_plan(&a, c, catalog_source(c, "inventory_snapshots"), NULL, &p, &err));
    assert_int_equal(p.nqueries, 1);
    assert_null(p.final_sql);
    assert_null(strstr(p.queries[0].sql, "mimir_edges"));
    arena_free(&a);
    catalog_free(c);
}

int main(void)
{
    const struct CMUnitTest lexer_parser[] = {
        cmocka_unit_test(test_lexer_table),
        cmocka_unit_test(test_lexer_exec_comment_close_is_blank),
        cmocka_unit_test(test_parse_readme_query),
        cmocka_unit_test(test_parse_limits_and_order),
        cmocka_unit_test(test_parse_precedence),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_depth_limit),
    };
    const struct CMUnitTest planning[] = {
        cmocka_unit_test(test_plan_readme_query),
        cmocka_unit_test(test_plan_literals_never_reach_sql),
        cmocka_unit_test(test_plan_two_sources_full_join),
        cmocka_unit_test(test_plan_time_filter_pushdown),
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_session_statements),
        cmocka_unit_test(test_plan_time_functions_are_grains),
        cmocka_unit_test(test_plan_metric_expressions_and_having),
        cmocka_unit_test(test_plan_numeric_key_expressions_are_combined),
        cmocka_unit_test(test_plan_derived_metrics),
        cmocka_unit_test(test_plan_source_table_and_dimension_only),
        cmocka_unit_test(test_plan_explain),
        cmocka_unit_test(test_plan_function_errors),
        cmocka_unit_test(test_plan_row_level_reads),
        cmocka_unit_test(test_plan_semi_additive),
        cmocka_unit_test(test_plan_time_metrics),
        cmocka_unit_test(test_type_probe_ignores_edges_and_fills),
    };
    int failed = cmocka_run_group_tests_name("lexer and parser", lexer_parser, NULL, NULL);
    failed += cmocka_run_group_tests_name("planning", planning, load_pagila, free_pagila);
    return failed ? 1 : 0;
}
