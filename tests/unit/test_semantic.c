/*
 * Unit tests for semantic/: the SQL scanner, the YAML tree, secrets files and
 * catalog loading (the example projects in configs/ and broken fixtures in
 * tests/unit/fixtures/semantic/). Paths are relative to the repository root,
 * where `make test-unit` runs the binaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantic/catalog.h"
#include "semantic/catalog_internal.h"
#include "semantic/secrets.h"
#include "semantic/sql_scan.h"
#include "semantic/util.h"
#include "semantic/yaml_doc.h"
#include "wire/xalloc.h"

#define FIXTURES "tests/unit/fixtures/semantic"

/* sql[a, b) without surrounding whitespace, malloc'd. */
static char *slice(const char *sql, size_t a, size_t b)
{
    while (a < b && strchr(" \t\r\n", sql[a]))
        a++;
    while (b > a && strchr(" \t\r\n", sql[b - 1]))
        b--;
    return xstrndup(sql + a, b - a);
}

static void assert_slice(const char *sql, size_t a, size_t b, const char *want)
{
    char *got = slice(sql, a, b);
    assert_string_equal(got, want);
    free(got);
}

static void assert_ends_with(const char *sql, size_t end, const char *want)
{
    size_t n = strlen(want);
    assert_true(end >= n);
    char *got = xstrndup(sql + end - n, n);
    assert_string_equal(got, want);
    free(got);
}

/* ---- sql_shape_scan ---- */

typedef struct shape_case {
    const char *sql;
    const char *list;     /* the select list, trimmed */
    const char *where;    /* the WHERE condition, trimmed; NULL when there is none */
    const char *rest;     /* from where_end to sql_end, trimmed */
    const char *where_at; /* what sql[0, where_end) ends with */
    const char *last;     /* what sql[0, sql_end) ends with */
} shape_case;

static const shape_case shape_cases[] = {
    {"SELECT a, b FROM t", "a, b", NULL, "", "FROM t", "FROM t"},
    /* Keywords inside strings, quoted identifiers and comments do not count. */
    {"SELECT 'FROM x' AS s, b FROM t WHERE b = 'WHERE ''GROUP BY''' GROUP BY b", "'FROM x' AS s, b",
     "b = 'WHERE ''GROUP BY'''", "GROUP BY b", "'''", "GROUP BY b"},
    {"select a -- from x\n, b /* from y */ from t where a = 1 order by a", "a -- from x\n, b",
     "a = 1", "order by a", "= 1", "by a"},
    {"SELECT \"from\", `where` FROM t WHERE x HAVING y", "\"from\", `where`", "x", "HAVING y",
     "WHERE x", "HAVING y"},
    {"SELECT E'it\\'s FROM', 'it''s' FROM t", "E'it\\'s FROM', 'it''s'", NULL, "", "FROM t",
     "FROM t"},
    {"SELECT $$ FROM $$ AS s, $q$ WHERE $q$ FROM t", "$$ FROM $$ AS s, $q$ WHERE $q$", NULL, "",
     "FROM t", "FROM t"},
    /* Nested parentheses: subqueries keep their clauses to themselves. */
    {"SELECT (SELECT max(x) FROM u WHERE u.id = t.id) AS m FROM t LIMIT 5;",
     "(SELECT max(x) FROM u WHERE u.id = t.id) AS m", NULL, "LIMIT 5", "FROM t", "LIMIT 5"},
    {"SELECT a FROM t WHERE a IN (SELECT b FROM u ORDER BY b LIMIT 1) ORDER BY a", "a",
     "a IN (SELECT b FROM u ORDER BY b LIMIT 1)", "ORDER BY a", "LIMIT 1)", "ORDER BY a"},
    {"SELECT a FROM t WHERE a > 1 LIMIT 10", "a", "a > 1", "LIMIT 10", "> 1", "LIMIT 10"},
    {"SELECT a FROM t WHERE a > 1", "a", "a > 1", "", "> 1", "> 1"},
    /* Modifiers are not part of the list. */
    {"SELECT DISTINCT a FROM t", "a", NULL, "", "FROM t", "FROM t"},
    {"SELECT DISTINCT ON (a, b) a, b, c FROM t ORDER BY a", "a, b, c", NULL, "ORDER BY a", "FROM t",
     "ORDER BY a"},
    {"select all a from t", "a", NULL, "", "from t", "from t"},
    /* Ends stop before comments, so that text spliced there is not commented out. */
    {"SELECT a, b -- the last column\nFROM t", "a, b", NULL, "", "FROM t", "FROM t"},
    /* Trailing ';', blanks and comments are not part of the statement. */
    {"  SELECT a FROM t ;  ; \n", "a", NULL, "", "FROM t", "FROM t"},
    {"SELECT a FROM t -- the end", "a", NULL, "", "FROM t", "FROM t"},
    /* where_end stops before a trailing comment, so text added there is not commented out. */
    {"SELECT a FROM t WHERE a = 1 -- only ones\nGROUP BY a", "a", "a = 1",
     "-- only ones\nGROUP BY a", "= 1", "GROUP BY a"},
    /* Operators and clauses that look like clause keywords. */
    {"SELECT a IS DISTINCT FROM b AS changed FROM t", "a IS DISTINCT FROM b AS changed", NULL, "",
     "FROM t", "FROM t"},
    {"SELECT a IS NOT DISTINCT FROM b FROM t", "a IS NOT DISTINCT FROM b", NULL, "", "FROM t",
     "FROM t"},
    {"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS p FROM t GROUP BY y",
     "percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS p", NULL, "GROUP BY y", "FROM t",
     "GROUP BY y"},
    {"SELECT count(*) FILTER (WHERE x > 0) AS n FROM t", "count(*) FILTER (WHERE x > 0) AS n", NULL,
     "", "FROM t", "FROM t"},
    /* A WITH clause before the main SELECT. */
    {"WITH c AS (SELECT 1 AS a FROM x WHERE y) SELECT a FROM c WHERE a > 0", "a", "a > 0", "",
     "> 0", "> 0"},
    /* No FROM at all. */
    {"SELECT 1 AS one", "1 AS one", NULL, "", "one", "one"},
    /* The Pagila rentals source. */
    {"SELECT rental.rental_id, rental.rental_date as ts FROM rental JOIN inventory on "
     "rental.inventory_id = inventory.inventory_id LEFT JOIN payment payment on "
     "payment.rental_id = rental.rental_id",
     "rental.rental_id, rental.rental_date as ts", NULL, "", "rental.rental_id",
     "rental.rental_id"},
};

static void test_shape_scan(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof shape_cases / sizeof *shape_cases; i++) {
        const shape_case *c = &shape_cases[i];
        source_sql_shape sh;
        print_message("case %zu: %s\n", i, c->sql);
        assert_true(sql_shape_scan(c->sql, &sh));
        assert_slice(c->sql, sh.select_list_begin, sh.select_list_end, c->list);
        assert_int_equal(sh.has_where, c->where != NULL);
        if (c->where)
            assert_slice(c->sql, sh.where_begin, sh.where_end, c->where);
        else
            assert_int_equal(sh.where_begin, sh.where_end);
        assert_true(sh.where_end <= sh.sql_end);
        assert_slice(c->sql, sh.where_end, sh.sql_end, c->rest);
        assert_ends_with(c->sql, sh.where_end, c->where_at);
        assert_ends_with(c->sql, sh.sql_end, c->last);
    }
}

typedef struct reject_case {
    const char *sql;
    const char *why;
} reject_case;

static const reject_case reject_cases[] = {
    {"", "is empty"},
    {"  ;  -- nothing\n", "is empty"},
    {"UPDATE t SET a = 1", "is not a SELECT"},
    {"rental", "is not a SELECT"},
    {"WITH c AS (SELECT 1) DELETE FROM t", "is not a SELECT"},
    {"SELECT a FROM t UNION SELECT b FROM u",
     "combines SELECTs with UNION, INTERSECT or EXCEPT at its top level; select from them in a "
     "subquery instead"},
    {"SELECT 'unterminated FROM t", "has an unterminated quote or comment"},
    {"SELECT a /* FROM t", "has an unterminated quote or comment"},
    {"SELECT (a FROM t", "has unbalanced parentheses"},
    {"SELECT a) FROM t", "has unbalanced parentheses"},
    {"SELECT a FROM t; DROP TABLE t", "holds more than one statement"},
    {"SELECT FROM t", "has an empty select list"},
    {"SELECT a FROM t WHERE GROUP BY a", "has an empty WHERE clause"},
};

static void test_shape_rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof reject_cases / sizeof *reject_cases; i++) {
        source_sql_shape sh;
        const char *why = NULL;
        print_message("case %zu: %s\n", i, reject_cases[i].sql);
        assert_false(sql_shape_scan(reject_cases[i].sql, &sh));
        assert_false(sql_shape_scan_why(reject_cases[i].sql, &sh, &why));
        assert_non_null(why);
        assert_string_equal(why, reject_cases[i].why);
    }
}

/* ---- sql_select_items ---- */

typedef struct items_case {
    const char *list;
    size_t n;
    const char *exprs[4];
    const char *names[4]; /* NULL: no output name */
} items_case;

static const items_case items_cases[] = {
    {"a, b.c, d AS e", 3, {"a", "b.c", "d"}, {"a", "c", "e"}},
    {"rental.rental_id, rental.rental_date as ts",
     2,
     {"rental.rental_id", "rental.rental_date"},
     {"rental_id", "ts"}},
    /* Bare aliases, and things that only look like them. */
    {"COUNT(x) n, a::int b, CASE WHEN a THEN 1 END flag",
     3,
     {"COUNT(x)", "a::int", "CASE WHEN a THEN 1 END"},
     {"n", "b", "flag"}},
    {"CASE WHEN a THEN 1 END, x IS NULL, now() + INTERVAL 1 DAY, x COLLATE \"C\"",
     4,
     {"CASE WHEN a THEN 1 END", "x IS NULL", "now() + INTERVAL 1 DAY", "x COLLATE \"C\""},
     {NULL, NULL, NULL, NULL}},
    {"price * 2 AS 'doubled', f(a, b) AS c, 'x,y' d",
     3,
     {"price * 2", "f(a, b)", "'x,y'"},
     {"doubled", "c", "d"}},
    /* Quoted identifiers are unquoted, doubled quotes collapsed. */
    {"\"Order Date\", t.\"a\"\"b\" AS \"x\"\"y\", `col`, s.`c``d`",
     4,
     {"\"Order Date\"", "t.\"a\"\"b\"", "`col`", "s.`c``d`"},
     {"Order Date", "x\"y", "col", "c`d"}},
    {"t.*, *, 1, -x", 4, {"t.*", "*", "1", "-x"}, {NULL, NULL, NULL, NULL}},
    /* Comments around an item are not part of its expression. */
    {"a -- first\n, /* second */ b AS c /* trailing */", 2, {"a", "b"}, {"a", "c"}},
    {"SUM(CASE WHEN x = 'a, b' THEN (1) ELSE 0 END) AS s",
     1,
     {"SUM(CASE WHEN x = 'a, b' THEN (1) ELSE 0 END)"},
     {"s"}},
    {"a,", 2, {"a", ""}, {"a", NULL}},
};

static void test_select_items(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof items_cases / sizeof *items_cases; i++) {
        const items_case *c = &items_cases[i];
        char **exprs, **names;
        print_message("case %zu: %s\n", i, c->list);
        size_t n = sql_select_items(c->list, 0, strlen(c->list), &exprs, &names);
        assert_int_equal(n, c->n);
        for (size_t j = 0; j < n; j++) {
            assert_string_equal(exprs[j], c->exprs[j]);
            if (c->names[j])
                assert_string_equal(names[j], c->names[j]);
            else
                assert_null(names[j]);
        }
        sem_strv_free(exprs, n);
        sem_strv_free(names, n);
    }
}

static void test_select_items_range(void **state)
{
    (void)state;
    /* Only the given range is split: here the list of a full statement. */
    const char *sql = "SELECT a, b AS c FROM t";
    source_sql_shape sh;
    assert_true(sql_shape_scan(sql, &sh));
    char **exprs, **names;
    size_t n = sql_select_items(sql, sh.select_list_begin, sh.select_list_end, &exprs, &names);
    assert_int_equal(n, 2);
    assert_string_equal(exprs[1], "b");
    assert_string_equal(names[1], "c");
    sem_strv_free(exprs, n);
    sem_strv_free(names, n);
    /* An empty range has no items. */
    assert_int_equal(sql_select_items(sql, 3, 3, &exprs, &names), 0);
    assert_null(exprs);
    assert_null(names);
}

/* ---- sql_definition_expr ---- */

typedef struct definition_case {
    const char *sql;
    const char *expr; /* NULL: refused */
    const char *why;  /* for refusals */
} definition_case;

static const definition_case definition_cases[] = {
    {"SUM(amount) as rentals_revenue", "SUM(amount)", NULL},
    {"SELECT COUNT(rental_id) as movies_rented FROM rentals", "COUNT(rental_id)", NULL},
    {"SELECT inventory.store_id as dim_store_id FROM rentals;", "inventory.store_id", NULL},
    {"COALESCE(category.name, 'Uncategorized') as dim_rental_category",
     "COALESCE(category.name, 'Uncategorized')", NULL},
    {"SUM(CASE WHEN dim_rental_category = 'Action' THEN 1 ELSE 0 END) as action_movies_rented",
     "SUM(CASE WHEN dim_rental_category = 'Action' THEN 1 ELSE 0 END)", NULL},
    {"COUNT(DISTINCT customer_id)", "COUNT(DISTINCT customer_id)", NULL},
    {"  stores.region  \n", "stores.region", NULL},
    {"SUM(CASE WHEN a = 'x,y' THEN 1 END) total", "SUM(CASE WHEN a = 'x,y' THEN 1 END)", NULL},
    {"select sum(x) /* FROM nowhere */ total", "sum(x)", NULL},
    {"SELECT COUNT(*) AS n", "COUNT(*)", NULL},
    {"", NULL, "is empty"},
    {"SUM(a), SUM(b)", NULL,
     "is not exactly one expression (it has several comma-separated items)"},
    {"SELECT a, b FROM t", NULL,
     "is not exactly one expression (it has several comma-separated items)"},
    {"SUM(x) FROM t", NULL, "has a FROM, WHERE or other clause but does not start with SELECT"},
    {"SELECT SUM(x) FROM t WHERE y > 0", NULL,
     "has a WHERE clause, which a definition cannot use (only its select list counts): filter "
     "inside the expression, e.g. SUM(CASE WHEN ... THEN x END)"},
    {"SELECT SUM(x) FROM t GROUP BY y", NULL,
     "has GROUP BY, HAVING, ORDER BY or LIMIT, which a definition cannot use (only its select "
     "list counts)"},
    {"SUM((x)", NULL, "has unbalanced parentheses"},
    {"SUM(x) AS a; SUM(y)", NULL, "holds more than one statement"},
};

static void test_definition_expr(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof definition_cases / sizeof *definition_cases; i++) {
        const definition_case *c = &definition_cases[i];
        print_message("case %zu: %s\n", i, c->sql);
        char *expr = sql_definition_expr(c->sql);
        const char *why = NULL;
        char *expr2 = sql_definition_expr_why(c->sql, &why);
        if (c->expr) {
            assert_non_null(expr);
            assert_string_equal(expr, c->expr);
            assert_string_equal(expr2, c->expr);
        } else {
            assert_null(expr);
            assert_null(expr2);
            assert_non_null(why);
            assert_string_equal(why, c->why);
        }
        free(expr);
        free(expr2);
    }
}

static void test_plain_column_name(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"rental.rental_date", "rental_date"},
        {"payment_date", "payment_date"},
        {"public.rental.rental_date", "rental_date"},
        {"\"Sales\".\"Order Date\"", "Order Date"},
        {"DATE(rental.rental_date)", NULL},
        {"a + b", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *name = sql_plain_column_name(cases[i][0]);
        if (cases[i][1]) {
            assert_non_null(name);
            assert_string_equal(name, cases[i][1]);
        } else {
            assert_null(name);
        }
        free(name);
    }
}

/* ---- metric expressions and time columns ---- */

typedef struct aggregate_case {
    const char *expr;
    const char *why;     /* NULL: an aggregate expression */
    const char *culprit; /* the offending token, when there is one */
} aggregate_case;

static const aggregate_case aggregate_cases[] = {
    {"COUNT(rental_id)", NULL, NULL},
    {"COUNT(*)", NULL, NULL},
    {"SUM(CASE WHEN dim_rental_category = 'Action' THEN 1 ELSE 0 END)", NULL, NULL},
    {"COUNT(DISTINCT customer_id)", NULL, NULL},
    {"SUM(amount) / NULLIF(COUNT(rental_id), 0)", NULL, NULL},
    {"COALESCE(SUM(amount), 0)", NULL, NULL},
    {"ROUND(AVG(amount)::numeric, 2)", NULL, NULL},
    {"CAST(SUM(amount) AS DOUBLE PRECISION)", NULL, NULL},
    {"SUM(amount) FILTER (WHERE staff_id = 1)", NULL, NULL},
    {"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY amount)", NULL, NULL},
    {"CASE WHEN COUNT(*) > 0 THEN SUM(amount) ELSE NULL END", NULL, NULL},
    {"max(ts) - min(ts)", NULL, NULL},
    {"SUM(amount) * 100", NULL, NULL},
    {"amount", "is not an aggregate", NULL},
    {"1", "is not an aggregate", NULL},
    {"UPPER(name)", "is not an aggregate", NULL},
    {"rental_id + 1", "is not an aggregate", NULL},
    {"SUM(amount) + fee", "names a column outside an aggregate", "fee"},
    {"SUM(amount) / t.n", "names a column outside an aggregate", "t"},
    {"SUM(COUNT(x))", "nests an aggregate inside another", "COUNT"},
};

static void test_aggregate_check(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof aggregate_cases / sizeof *aggregate_cases; i++) {
        const aggregate_case *c = &aggregate_cases[i];
        const char *why = NULL;
        char *culprit = NULL;
        print_message("case %s\n", c->expr);
        bool ok = sql_aggregate_check(c->expr, &why, &culprit);
        if (!c->why) {
            assert_true(ok);
            assert_null(culprit);
            continue;
        }
        assert_false(ok);
        assert_string_equal(why, c->why);
        if (c->culprit)
            assert_string_equal(culprit, c->culprit);
        else
            assert_null(culprit);
        free(culprit);
    }
}

static void test_first_name_missing(void **state)
{
    (void)state;
    static const char *const sql =
        "SELECT rental.rental_id, rental.rental_date AS ts, \"Odd Name\" FROM rental";
    static const char *const cases[][2] = {
        {"rental.rental_date", NULL},
        {"RENTAL.Rental_Date", NULL},
        {"date_trunc('day', rental.rental_date)", NULL},
        {"rental.rental_date::date", NULL},
        {"\"Odd Name\"", NULL},
        {"rental.return_date", "return_date"},
        {"payment.payment_date", "payment"},
        {"\"odd name\"", "odd name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        print_message("case %s\n", cases[i][0]);
        char *missing = sql_first_name_missing(cases[i][0], sql);
        if (cases[i][1])
            assert_string_equal(missing, cases[i][1]);
        else
            assert_null(missing);
        free(missing);
    }
}

/* ---- YAML trees ---- */

static bool load_yaml(ystream *ys, const char *text, char *err, size_t errlen)
{
    return ystream_load_string(ys, "t.yaml", text, strlen(text), YSTREAM_MAX_NODES, err, errlen);
}

static void test_yaml_documents(void **state)
{
    (void)state;
    const char *text = "# comment\n"
                       "name: a\n"
                       "sql: |\n"
                       "  SELECT 1\n"
                       "---\n"
                       "- x\n"
                       "- 'null'\n"
                       "- ~\n"
                       "...\n"
                       "---\n"
                       "---\n"
                       "{\"k\": 5432, \"e\": \"\"}\n";
    ystream ys;
    char err[256];
    assert_true(load_yaml(&ys, text, err, sizeof err));
    assert_int_equal(ys.n_docs, 4);
    const ynode *d0 = ys.docs[0];
    assert_int_equal(d0->kind, YNODE_MAPPING);
    assert_int_equal(d0->line, 2);
    assert_int_equal(ymap_size(d0), 2);
    assert_string_equal(ynode_text(ymap_get(d0, "name")), "a");
    assert_string_equal(ynode_text(ymap_get(d0, "sql")), "SELECT 1\n");
    assert_int_equal(ymap_get(d0, "sql")->line, 3);
    assert_null(ymap_get(d0, "missing"));
    const ynode *d1 = ys.docs[1];
    assert_int_equal(d1->kind, YNODE_SEQUENCE);
    assert_int_equal(d1->n_items, 3);
    assert_int_equal(d1->items[1]->line, 7);
    assert_false(ynode_is_null(d1->items[1])); /* quoted: the string "null" */
    assert_true(ynode_is_null(d1->items[2]));
    assert_true(ynode_is_null(ys.docs[2])); /* empty document */
    const ynode *d3 = ys.docs[3];
    assert_string_equal(ynode_text(ymap_get(d3, "k")), "5432");
    assert_false(ynode_is_null(ymap_get(d3, "e")));
    ystream_free(&ys);
}

static void test_yaml_aliases_and_merge(void **state)
{
    (void)state;
    const char *text = "base: &base {source_name: rentals, team: growth}\n"
                       "m:\n"
                       "  <<: *base\n"
                       "  team: ops\n"
                       "list: [*base, *base]\n";
    ystream ys;
    char err[256];
    assert_true(load_yaml(&ys, text, err, sizeof err));
    const ynode *m = ymap_get(ys.docs[0], "m");
    assert_string_equal(ynode_text(ymap_get(m, "source_name")), "rentals");
    assert_string_equal(ynode_text(ymap_get(m, "team")), "ops");
    assert_int_equal(ymap_get_key(m, "source_name")->line, 1);
    const ynode *list = ymap_get(ys.docs[0], "list");
    assert_ptr_equal(list->items[0], list->items[1]); /* shared, not copied */
    ystream_free(&ys);
}

typedef struct yaml_error_case {
    const char *text;
    const char *err;
} yaml_error_case;

static const yaml_error_case yaml_error_cases[] = {
    {"a: *nope\n", "t.yaml:1:4: unknown alias '*nope'"},
    {"a: &x\n  - 1\n  - *x\n",
     "t.yaml:3:5: recursive alias '*x' (it refers to a node that contains it)"},
    {"a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key 'a' (first at line 1)"},
    {"a: [1, 2\nb: 3\n", "t.yaml:2:2:"},
    {"a: b: c\n", "t.yaml:1:5: YAML syntax error: mapping values are not allowed in this context"},
};

static void test_yaml_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof yaml_error_cases / sizeof *yaml_error_cases; i++) {
        ystream ys;
        char err[256];
        print_message("case %zu\n", i);
        assert_false(load_yaml(&ys, yaml_error_cases[i].text, err, sizeof err));
        assert_int_equal(ys.n_docs, 0);
        size_t n = strlen(yaml_error_cases[i].err);
        assert_true(strncmp(err, yaml_error_cases[i].err, n) == 0);
        if (yaml_error_cases[i].err[n - 1] != ':')
            assert_string_equal(err, yaml_error_cases[i].err);
        ystream_free(&ys);
    }
}

static void test_yaml_bomb_limit(void **state)
{
    (void)state;
    /* 10 * 10^4 expanded nodes from a few lines: over a limit of 1000. */
    const char *text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
    ystream ys;
    char err[256];
    assert_false(ystream_load_string(&ys, "t.yaml", text, strlen(text), 1000, err, sizeof err));
    assert_string_equal(err, "t.yaml:3:36: document too large: more than 1000 nodes once aliases "
                             "are expanded (a YAML bomb?)");
    ystream_free(&ys);
    /* The same under the default limit is fine: about 12,000 nodes. */
    assert_true(load_yaml(&ys, text, err, sizeof err));
    assert_true(ys.expanded > 10000);
    ystream_free(&ys);
}

/* ---- secrets ---- */

static void test_secrets_ok(void **state)
{
    (void)state;
    connection c;
    char err[512];
    assert_true(
        secrets_load_connection(FIXTURES "/secrets", "mysql_numeric_port", &c, err, sizeof err));
    assert_int_equal(c.kind, CONN_MYSQL);
    assert_string_equal(c.name, "mysql_numeric_port");
    assert_string_equal(c.host, "db.example");
    assert_string_equal(c.port, "3306");
    assert_string_equal(c.user, "mimir");
    assert_null(c.password);
    assert_string_equal(c.database, "shop");
    assert_string_equal(c.file, FIXTURES "/secrets/mysql_numeric_port.json");
    catalog_connection_clear(&c);

    assert_true(
        secrets_load_connection(FIXTURES "/secrets/", "sqlite_relative", &c, err, sizeof err));
    assert_int_equal(c.kind, CONN_SQLITE);
    assert_true(c.path[0] == '/');
    const char *tail = "/tests/unit/fixtures/semantic/secrets/shop.db";
    assert_true(strlen(c.path) > strlen(tail));
    assert_string_equal(c.path + strlen(c.path) - strlen(tail), tail);
    catalog_connection_clear(&c);

    assert_true(
        secrets_load_connection(FIXTURES "/secrets", "sqlite_absolute", &c, err, sizeof err));
    assert_string_equal(c.path, "/var/lib/mimir/shop.db");
    catalog_connection_clear(&c);
}

typedef struct secrets_error_case {
    const char *name;
    const char *err; /* after FIXTURES "/secrets/" */
} secrets_error_case;

static const secrets_error_case secrets_error_cases[] = {
    {"bad_flavour", "bad_flavour.json:3:14: flavour 'oracle' is not supported for connection_class "
                    "sqldb (supported: postgresql, mysql)"},
    {"bad_port", "bad_port.json:2:10: port '54x2' is not a TCP port number (1-65535)"},
    {"no_class", "no_class.json:1:1: missing required key 'connection_class'"},
    {"not_object",
     "not_object.json:1:1: expected one JSON object with connection_class and its settings"},
    {"duplicate_key", "duplicate_key.json:1:69: duplicate key 'host' (first at line 1)"},
    {"absent", "absent.json: cannot open: No such file or directory"},
};

static void test_secrets_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof secrets_error_cases / sizeof *secrets_error_cases; i++) {
        connection c;
        char err[512], want[512];
        print_message("case %s\n", secrets_error_cases[i].name);
        assert_false(secrets_load_connection(FIXTURES "/secrets", secrets_error_cases[i].name, &c,
                                             err, sizeof err));
        snprintf(want, sizeof want, "%s/secrets/%s", FIXTURES, secrets_error_cases[i].err);
        assert_string_equal(err, want);
        catalog_connection_clear(&c);
    }
}

/* Each secrets fixture cases[i][0] is refused with the message cases[i][1] (FILE:LINE:COL). */
static void assert_secrets_refused(const char *const (*cases)[2], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        connection c;
        char err[512], want[512];
        print_message("case %s\n", cases[i][0]);
        assert_false(
            secrets_load_connection(FIXTURES "/secrets", cases[i][0], &c, err, sizeof err));
        snprintf(want, sizeof want, "%s/secrets/%s", FIXTURES, cases[i][1]);
        assert_string_equal(err, want);
        catalog_connection_clear(&c);
    }
}

static void test_secrets_environment(void **state)
{
    (void)state;
    connection c;
    char err[512];
    setenv("MIMIR_TEST_HOST", "db.internal", 1);
    setenv("MIMIR_TEST_PORT", "6432", 1);
    setenv("MIMIR_TEST_PASSWORD", "s3cr$t \"quoted\"", 1);
    assert_true(secrets_load_connection(FIXTURES "/secrets", "env_values", &c, err, sizeof err));
    assert_string_equal(c.host, "db.internal");
    assert_string_equal(c.port, "6432");
    assert_string_equal(c.user, "u_db.internal");
    assert_string_equal(c.password, "s3cr$t \"quoted\"");
    assert_string_equal(c.sslmode, "require");
    assert_string_equal(c.conninfo, "options='-c x=${literal}' connect_timeout=3");
    catalog_connection_clear(&c);
    /* An empty variable is a value like any other. */
    setenv("MIMIR_TEST_PASSWORD", "", 1);
    assert_true(secrets_load_connection(FIXTURES "/secrets", "env_values", &c, err, sizeof err));
    assert_string_equal(c.password, "");
    catalog_connection_clear(&c);
    unsetenv("MIMIR_TEST_HOST");
    unsetenv("MIMIR_TEST_PORT");
    unsetenv("MIMIR_TEST_PASSWORD");
    unsetenv("MIMIR_TEST_UNSET");

    static const char *const cases[][2] = {
        {"env_values", "env_values.json:2:10: 'host' reads the environment variable "
                       "'MIMIR_TEST_HOST', which is not set"},
        {"env_unset", "env_unset.json:2:14: 'password' reads the environment variable "
                      "'MIMIR_TEST_UNSET', which is not set"},
        {"env_bad_name", "env_bad_name.json:1:68: 'password': '${' must be followed by an "
                         "environment variable name and '}' (write $${ for a literal ${)"},
        {"bad_sslmode", "bad_sslmode.json:2:13: sslmode 'sometimes' is not one of disable, "
                        "allow, prefer, require, verify-ca, verify-full"},
        {"mysql_conninfo", "mysql_conninfo.json:2:14: 'conninfo' is a PostgreSQL (libpq) "
                           "setting: it applies to flavour postgresql only"},
    };
    assert_secrets_refused(cases, sizeof cases / sizeof *cases);
}

/* TLS keys: files relative to the secrets dir, MySQL's ssl_mode in any case. */
static void test_secrets_tls(void **state)
{
    (void)state;
    connection pg, my, copy;
    char err[512], *abs_dir = sem_path_absolute(FIXTURES "/secrets/tls");
    assert_true(secrets_load_connection(FIXTURES "/secrets", "pg_tls", &pg, err, sizeof err));
    char want[1024];
    snprintf(want, sizeof want, "%s/ca.pem", abs_dir);
    assert_string_equal(pg.sslmode, "verify-full");
    assert_string_equal(pg.ssl_ca, want);
    snprintf(want, sizeof want, "%s/client.key", abs_dir);
    assert_string_equal(pg.ssl_key, want);
    assert_true(secrets_load_connection(FIXTURES "/secrets", "my_tls", &my, err, sizeof err));
    assert_string_equal(my.sslmode, "verify_identity");
    snprintf(want, sizeof want, "%s/client.pem", abs_dir);
    assert_string_equal(my.ssl_cert, want);
    /* Copied and compared, so that pools see a changed TLS setting on reload. */
    catalog_connection_copy(&copy, &my);
    assert_true(catalog_connection_same(&copy, &my));
    free(copy.ssl_ca);
    copy.ssl_ca = NULL;
    assert_false(catalog_connection_same(&copy, &my));
    catalog_connection_free_copy(&copy);
    catalog_connection_clear(&pg);
    catalog_connection_clear(&my);

    static const char *const cases[][2] = {
        {"pg_tls_cert_alone", "pg_tls_cert_alone.json:2:13: 'sslcert' needs 'sslkey' too"},
        {"pg_ssl_mode", "pg_ssl_mode.json:2:14: 'ssl_mode' is a MySQL setting: it applies to "
                        "flavour mysql only"},
        {"my_bad_ssl_mode", "my_bad_ssl_mode.json:2:14: ssl_mode 'verify-full' is not one of "
                            "disabled, preferred, required, verify_ca, verify_identity"},
        {"my_sslrootcert", "my_sslrootcert.json:2:17: 'sslrootcert' is a PostgreSQL (libpq) "
                           "setting: it applies to flavour postgresql only"},
        {"my_verify_ca_no_ca", "my_verify_ca_no_ca.json:2:14: ssl_mode verify_ca needs 'ssl_ca', "
                               "the certificate authority to verify the server's certificate "
                               "with"},
        {"my_ca_required", "my_ca_required.json:2:12: 'ssl_ca' is used with ssl_mode verify_ca "
                           "or verify_identity only"},
        {"my_cert_no_mode", "my_cert_no_mode.json:2:14: 'ssl_cert' needs ssl_mode preferred, "
                            "required, verify_ca or verify_identity"},
        {"pg_tls_missing_file", "pg_tls_missing_file.json:2:17: 'sslrootcert': the file '%s/"
                                "no-such-ca.pem' does not exist or cannot be read"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char tail[512], full[1024];
        print_message("case %s\n", cases[i][0]);
        assert_false(
            secrets_load_connection(FIXTURES "/secrets", cases[i][0], &pg, err, sizeof err));
        snprintf(tail, sizeof tail, cases[i][1], abs_dir);
        snprintf(full, sizeof full, "%s/secrets/%s", FIXTURES, tail);
        assert_string_equal(err, full);
        catalog_connection_clear(&pg);
    }
    free(abs_dir);
}

/* Network detection keys: numbers or strings, 0 where it means off, defaults otherwise. */
static void test_secrets_net(void **state)
{
    (void)state;
    connection c, copy;
    conn_net net;
    char err[512];
    assert_true(secrets_load_connection(FIXTURES "/secrets", "net_settings", &c, err, sizeof err));
    catalog_connection_net(&c, &net);
    assert_true(net.keepalives);
    assert_int_equal(net.keepalives_idle, 20);
    assert_int_equal(net.keepalives_interval, 2);
    assert_int_equal(net.keepalives_count, 4);
    assert_int_equal(net.tcp_user_timeout_ms, 0);
    assert_int_equal(net.connect_timeout_s, 3);
    assert_int_equal(net.idle_check_after_s, 0);
    /* Copied and compared, so that pools see a changed setting on reload. */
    catalog_connection_copy(&copy, &c);
    assert_true(catalog_connection_same(&copy, &c));
    copy.idle_check_after = 7;
    assert_false(catalog_connection_same(&copy, &c));
    catalog_connection_free_copy(&copy);
    catalog_connection_clear(&c);

    /* Not given: the defaults. */
    assert_true(
        secrets_load_connection(FIXTURES "/secrets", "mysql_numeric_port", &c, err, sizeof err));
    catalog_connection_net(&c, &net);
    assert_true(net.keepalives);
    assert_int_equal(net.keepalives_idle, 10);
    assert_int_equal(net.keepalives_interval, 5);
    assert_int_equal(net.keepalives_count, 3);
    assert_int_equal(net.tcp_user_timeout_ms, 15000);
    assert_int_equal(net.connect_timeout_s, 0);
    assert_int_equal(net.idle_check_after_s, 30);
    c.keepalives_idle = CONN_NET_OFF;
    catalog_connection_net(&c, &net);
    assert_false(net.keepalives);
    catalog_connection_clear(&c);

    static const char *const cases[][2] = {
        {"net_bad_count", "net_bad_count.json:2:22: 'keepalives_count' must be a whole number "
                          "from 1 to 127 (probes), not '200'"},
        {"net_bad_text", "net_bad_text.json:2:22: 'tcp_user_timeout' must be a whole number from "
                         "0 to 2147483647 (milliseconds (0: the system's default)), not '15s'"},
        {"net_bad_connect", "net_bad_connect.json:2:21: 'connect_timeout' must be a whole number "
                            "from 1 to 86400 (seconds), not '0'"},
    };
    assert_secrets_refused(cases, sizeof cases / sizeof *cases);
}

/* ---- loading the example projects ---- */

static void assert_strv(char *const *v, size_t n, const char *const *want, size_t n_want)
{
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v[i], want[i]);
}

static catalog *load_ok(const char *dir, const char *secrets)
{
    char err[1024] = "";
    catalog *c = catalog_load(dir, secrets, err, sizeof err);
    if (!c)
        print_error("%s\n", err);
    assert_non_null(c);
    assert_string_equal(err, "");
    return c;
}

/* configs/pagila has one metric of each kind of time intelligence. */
static void assert_pagila_time_metrics(const catalog *c)
{
    const metric *last_year = catalog_metric(c, "rentals_revenue_last_year");
    assert_int_equal(last_year->time_kind, TIME_METRIC_OFFSET);
    assert_int_equal(last_year->offset.n, 1);
    assert_int_equal(last_year->offset.unit, TIME_UNIT_YEAR);
    assert_int_equal(catalog_metric(c, "movies_rented_trailing_7d")->window.n, 7);
    assert_int_equal(catalog_metric(c, "rentals_revenue_mtd")->grain_to_date, CAL_PERIOD_MONTH);
    const metric *loan = catalog_metric(c, "copies_on_loan");
    assert_int_equal(loan->non_additive, NON_ADDITIVE_LAST);
    assert_string_equal(loan->non_additive_per[0], "store_id");
    const metric *every_day = catalog_metric(c, "movies_rented_every_day");
    assert_true(every_day->join_to_calendar);
    assert_string_equal(every_day->fill_nulls_with, "0");
}

static void test_load_pagila(void **state)
{
    (void)state;
    catalog *c = load_ok("configs/pagila", "configs/pagila/secrets.example");
    assert_int_equal(c->n_sources, 3);
    /* 3 derived, 3 time metrics (an offset, two cumulative), a semi-additive one */
    assert_int_equal(c->n_metrics, 14);
    assert_int_equal(c->n_dimensions, 2);
    assert_int_equal(c->n_connections, 1);

    const source *rentals = catalog_source(c, "rentals");
    const source *payments = catalog_source(c, "payments");
    assert_non_null(rentals);
    assert_non_null(payments);
    static const char *const rental_cols[] = {"rental_id",     "ts",        "inventory_id",
                                              "customer_id",   "return_ts", "staff_id",
                                              "category_name", "amount"};
    assert_strv(rentals->local_columns, rentals->n_local_columns, rental_cols, 8);
    static const char *const payment_cols[] = {"payment_id", "ts", "customer_id", "staff_id",
                                               "amount"};
    assert_strv(payments->local_columns, payments->n_local_columns, payment_cols, 5);
    assert_string_equal(rentals->time_col, "rental.rental_date");
    assert_string_equal(rentals->time_col_alias, "ts");
    assert_string_equal(payments->time_col_alias, "ts");
    assert_string_equal(rentals->connection_name, "pagila_postgres");
    assert_non_null(rentals->description);
    static const char *const rental_dims[] = {"dim_store_id"};
    assert_strv(rentals->dimension_names, rentals->n_dimension_names, rental_dims, 1);
    assert_false(rentals->shape.has_where);
    assert_int_equal(rentals->shape.sql_end, strlen(rentals->sql));
    assert_non_null(strstr(rentals->sql, "JOIN film_category ON inventory.inventory_id = "
                                         "film_category.category_id"));
    assert_string_equal(rentals->at.file, "configs/pagila/sources/sources.yaml");
    assert_true(rentals->at.line > 0);

    assert_pagila_time_metrics(c);

    /* The connection, resolved from secrets.example. */
    assert_ptr_equal(rentals->conn, payments->conn);
    assert_ptr_equal(rentals->conn, catalog_connection(c, "pagila_postgres"));
    assert_int_equal(rentals->conn->kind, CONN_POSTGRES);
    assert_string_equal(rentals->conn->host, "127.0.0.1");
    assert_string_equal(rentals->conn->port, "5432");
    assert_string_equal(rentals->conn->user, "postgres");
    assert_string_equal(rentals->conn->password, "");
    assert_string_equal(rentals->conn->database, "pagila");

    /* Metrics: the expression alone, whichever form the sql was written in. */
    assert_string_equal(catalog_metric(c, "movies_rented")->expr, "COUNT(rental_id)");
    assert_string_equal(catalog_metric(c, "rentals_revenue")->expr, "SUM(amount)");
    assert_string_equal(catalog_metric(c, "payments_count")->expr, "COUNT(payment_id)");
    assert_string_equal(catalog_metric(c, "payments_revenue")->source_name, "payments");
    assert_string_equal(catalog_metric(c, "paying_customers")->expr, "COUNT(DISTINCT customer_id)");
    const metric *action = catalog_metric(c, "action_movies_rented");
    assert_non_null(action);
    assert_string_equal(action->expr,
                        "SUM(CASE WHEN dim_rental_category = 'Action' THEN 1 ELSE 0 END)");
    static const char *const action_dims[] = {"dim_rental_category"};
    assert_strv(action->required_dimensions, action->n_required_dimensions, action_dims, 1);
    for (size_t i = 0; i < c->n_metrics; i++)
        assert_non_null(c->metrics[i].description);

    const dimension *store = catalog_dimension(c, "dim_store_id");
    assert_string_equal(store->expr, "inventory.store_id");
    assert_string_equal(catalog_dimension(c, "dim_rental_category")->expr,
                        "COALESCE(category.name, 'Uncategorized')");

    /* Where each dimension is available. */
    const dimension *def = NULL;
    assert_int_equal(catalog_dim_on_source(c, payments, "dim_store_id", &def), DIM_SPLICED);
    assert_ptr_equal(def, store);
    assert_int_equal(catalog_dim_on_source(c, rentals, "dim_store_id", &def), DIM_SPLICED);
    assert_int_equal(catalog_dim_on_source(c, rentals, "customer_id", &def), DIM_LOCAL);
    assert_null(def);
    assert_int_equal(catalog_dim_on_source(c, payments, "customer_id", NULL), DIM_LOCAL);
    assert_int_equal(catalog_dim_on_source(c, rentals, "dim_rental_category", &def), DIM_SPLICED);
    assert_int_equal(catalog_dim_on_source(c, payments, "dim_rental_category", &def),
                     DIM_NOT_ON_SOURCE);
    assert_null(def);
    assert_int_equal(catalog_dim_on_source(c, payments, "category_name", NULL), DIM_NOT_ON_SOURCE);
    assert_int_equal(catalog_dim_on_source(c, payments, "nonexistent", NULL), DIM_NOT_ON_SOURCE);

    assert_true(catalog_is_dimension(c, "dim_rental_category"));
    assert_true(catalog_is_dimension(c, "category_name"));
    assert_false(catalog_is_dimension(c, "movies_rented"));
    assert_false(catalog_is_dimension(c, "nonexistent"));

    /* Names match as MySQL column names do, without regard to case. */
    assert_ptr_equal(catalog_metric(c, "Movies_Rented"), catalog_metric(c, "movies_rented"));
    assert_null(catalog_metric(c, "dim_store_id"));
    assert_null(catalog_source(c, "nonexistent"));
    catalog_free(c);
}

static void test_load_pagila_without_secrets(void **state)
{
    (void)state;
    catalog *c = load_ok("configs/pagila/", NULL);
    assert_int_equal(c->n_connections, 0);
    assert_null(c->sources[0].conn);
    assert_null(c->secrets_dir);
    assert_null(catalog_connection(c, "pagila_postgres"));
    catalog_free(c);
}

static void test_load_demo(void **state)
{
    (void)state;
    catalog *c = load_ok("configs/demo", "configs/demo/secrets");
    assert_int_equal(c->n_sources, 2);
    assert_int_equal(c->n_metrics, 6); /* orders_per_visit is derived */
    assert_int_equal(c->n_dimensions, 2);
    assert_int_equal(c->n_connections, 1);
    const source *orders = catalog_source(c, "orders");
    const source *visits = catalog_source(c, "visits");
    assert_non_null(orders);
    assert_non_null(visits);
    assert_string_equal(orders->time_col, "orders.ordered_at");
    assert_string_equal(orders->time_col_alias, "ts");
    assert_string_equal(visits->time_col, "visits.visited_at");
    assert_string_equal(visits->time_col_alias, "ts");

    assert_int_equal(catalog_dim_on_source(c, orders, "city", NULL), DIM_LOCAL);
    assert_int_equal(catalog_dim_on_source(c, visits, "city", NULL), DIM_LOCAL);
    const dimension *def = NULL;
    assert_int_equal(catalog_dim_on_source(c, orders, "dim_region", &def), DIM_SPLICED);
    assert_int_equal(catalog_dim_on_source(c, visits, "dim_region", &def), DIM_SPLICED);
    assert_string_equal(def->source_name, "orders");
    assert_string_equal(def->expr, "stores.region");
    assert_int_equal(catalog_dim_on_source(c, orders, "dim_product_category", NULL), DIM_SPLICED);
    assert_int_equal(catalog_dim_on_source(c, visits, "dim_product_category", NULL),
                     DIM_NOT_ON_SOURCE);

    static const char *const names[] = {"orders_count", "revenue", "units_sold", "visits_count",
                                        "unique_channels"};
    for (size_t i = 0; i < 5; i++)
        assert_non_null(catalog_metric(c, names[i]));
    assert_string_equal(catalog_metric(c, "unique_channels")->expr, "COUNT(DISTINCT channel)");
    assert_string_equal(catalog_metric(c, "visits_count")->expr, "COUNT(visit_id)");

    /* The SQLite path is relative to the secrets directory, made absolute. */
    const connection *conn = orders->conn;
    assert_non_null(conn);
    assert_ptr_equal(conn, visits->conn);
    assert_int_equal(conn->kind, CONN_SQLITE);
    assert_true(conn->path[0] == '/');
    const char *tail = "/configs/demo/demo.db";
    assert_true(strlen(conn->path) > strlen(tail));
    assert_string_equal(conn->path + strlen(conn->path) - strlen(tail), tail);
    catalog_free(c);
}

/* ---- broken projects ---- */

typedef struct broken_case {
    const char *dir; /* under FIXTURES */
    bool secrets;    /* load <dir>/secrets too */
    const char *err; /* after FIXTURES "/<dir>/"; a prefix when it ends in ':' */
} broken_case;

static const broken_case broken_cases[] = {
    {"missing_key", false,
     "metrics/m.yaml:1:1: metric 'revenue': missing required key 'source_name'"},
    {"unknown_source", false,
     "metrics/m.yaml:3:14: metric 'foo': unknown source_name 'bar' (known sources: rentals, "
     "payments)"},
    {"duplicate_metric", false,
     "metrics/b.yaml:6:1: duplicate metric 'rentals_count' (first defined at " FIXTURES
     "/duplicate_metric/metrics/a.yaml:1)"},
    {"yaml_syntax", false,
     "sources/sources.yaml:4:19: YAML syntax error: mapping values are not allowed in this "
     "context"},
    {"bad_connection_class", true,
     "secrets/pagila_postgres.json:2:23: connection_class 'bigquery' is not supported (supported: "
     "sqldb with flavour postgresql or mysql, sqlite)"},
    {"yaml_bomb", false,
     "metrics/lol.yaml:9:8: document too large: more than 100000 nodes once aliases are expanded "
     "(a YAML bomb?)"},
    {"missing_secrets", true,
     "sources/sources.yaml:5:20: source 'rentals': no secrets file for connection "
     "'pagila_postgres' "
     "(expected " FIXTURES "/missing_secrets/secrets/pagila_postgres.json)"},
    {"required_dimension", false,
     "metrics/m.yaml:6:5: metric 'payments_revenue': required dimension 'dim_rental_month' is not "
     "available on source 'payments' (not a column of its sql, nor a dimension defined on it or "
     "listed under its 'dimensions')"},
    {"source_not_select", false, "sources/s.yaml:5:8: source 'rentals': sql is not a SELECT"},
    {"time_col_alias", false,
     "sources/s.yaml:4:19: source 'rentals': time_col_alias 'ts' is not a column of sql (columns: "
     "rental_id, rental_date): select rental.rental_date AS ts"},
    {"metric_two_exprs", false,
     "metrics/m.yml:6:8: metric 'amounts': sql is not exactly one expression (it has several "
     "comma-separated items)"},
    {"undefined_dimension", false,
     "sources/s.yaml:7:7: source 'rentals': 'dimensions' lists 'dim_store_id', which is not a "
     "defined dimension (defined: none)"},
    {"duplicate_key", false, "sources/s.yaml:6:1: duplicate key 'rentals' (first at line 1)"},
    {"select_star", false,
     "sources/s.yaml:5:8: source 'rentals': sql selects '*': list the columns instead, so that "
     "Mimir knows the source's dimensions"},
    {"definition_where", false,
     "metrics/m.yaml:3:6: metric 'big_payments': sql has a WHERE clause, which a definition cannot "
     "use (only its select list counts): filter inside the expression, e.g. SUM(CASE WHEN ... "
     "THEN x END)"},
    {"source_not_under_name", false,
     "sources/sources.yaml:1:1: a sources file maps each source's name to its definition: put "
     "this definition under its name (e.g. \"rentals:\")"},
    {"dimension_source", false,
     "dimensions/d.yaml:8:14: dimension 'dim_city': unknown source_name 'stores' (known sources: "
     "rentals, payments)"},
};

static void test_broken_projects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof broken_cases / sizeof *broken_cases; i++) {
        const broken_case *b = &broken_cases[i];
        char dir[256], secrets[300], err[1024], want[1400];
        snprintf(dir, sizeof dir, "%s/%s", FIXTURES, b->dir);
        snprintf(secrets, sizeof secrets, "%s/secrets", dir);
        snprintf(want, sizeof want, "%s/%s", dir, b->err);
        print_message("case %s\n", b->dir);
        catalog *c = catalog_load(dir, b->secrets ? secrets : NULL, err, sizeof err);
        assert_null(c);
        assert_string_equal(err, want);
    }
}

/* Every problem of a project, in one pass, without cascades from definitions that failed. */
static void test_validate_collects_every_problem(void **state)
{
    (void)state;
    char **problems;
    size_t n;
    catalog *c = catalog_validate(FIXTURES "/many_problems", NULL, &problems, &n);
    static const char *const want[] = {
        "sources/sources.yaml:8:3: source 'broken': missing required key 'time_col'",
        "sources/sources.yaml:14:13: source 'late': time_col 'rental.return_date' names "
        "'return_date', which does not occur in sql: time_col is the expression of the time "
        "column inside sql (e.g. rental.rental_date)",
        "metrics/m.yaml:12:6: metric 'plain_amount': sql 'rental_id + 1' is not an aggregate: a "
        "metric is one aggregate expression over its source's rows, e.g. SUM(amount) or "
        "COUNT(DISTINCT customer_id)",
        "metrics/syntax.yaml:4:1: YAML syntax error: did not find expected ',' or ']' (while "
        "parsing a flow sequence at line 3)",
        "dimensions/d.yaml:2:14: dimension 'dim_customer': unknown source_name 'customers' "
        "(known sources: rentals)",
        "metrics/m.yaml:7:14: metric 'rentals_count': unknown source_name 'rentalz' (known "
        "sources: rentals)",
        "metrics/m.yaml:18:5: metric 'customers': required dimension 'dim_region' is not "
        "available on source 'rentals' (not a column of its sql, nor a dimension defined on it "
        "or listed under its 'dimensions')",
    };
    for (size_t i = 0; i < n; i++)
        print_message("%s\n", problems[i]);
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++) {
        char full[1024];
        snprintf(full, sizeof full, "%s/many_problems/%s", FIXTURES, want[i]);
        assert_string_equal(problems[i], full);
    }
    /* What did load is there: the good source and the metrics and dimensions on it. */
    assert_int_equal(c->n_sources, 1);
    assert_non_null(catalog_source(c, "rentals"));
    assert_non_null(catalog_metric(c, "customers"));
    assert_null(catalog_metric(c, "plain_amount"));
    sem_strv_free(problems, n);
    catalog_free(c);

    /* catalog_load reports the first of them. */
    char err[1024], first[1024];
    assert_null(catalog_load(FIXTURES "/many_problems", NULL, err, sizeof err));
    snprintf(first, sizeof first, "%s/many_problems/%s", FIXTURES, want[0]);
    assert_string_equal(err, first);

    /* A clean project has none. */
    c = catalog_validate("configs/pagila", NULL, &problems, &n);
    assert_int_equal(n, 0);
    assert_null(problems);
    catalog_free(c);
}

typedef struct names_case {
    const char *expr;
    const char *names; /* ","-joined, in order of first appearance */
} names_case;

/* The names a derived metric's expression uses: not functions, keywords, literals or types. */
static void test_expression_names(void **state)
{
    (void)state;
    static const names_case cases[] = {
        {"a / NULLIF(b, 0)", "a,b"},
        {"CAST(a AS DOUBLE) + b::float", "a,b"},
        {"CASE WHEN a > 0 THEN b ELSE NULL END", "a,b"},
        {"AGG(a) * 2 + a", "a"},
        {"'a' || DATE '2024-01-01' || c", "c"},
        {"\"odd name\" + `x` - TRUE", "odd name,x"},
        {"A + a", "A"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char **names;
        size_t *offsets, n;
        const char *why = NULL;
        assert_true(sql_expression_names(cases[i].expr, &names, &offsets, &n, &why));
        char joined[128] = "";
        for (size_t k = 0; k < n; k++)
            snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", k ? "," : "",
                     names[k]);
        if (strcmp(joined, cases[i].names) != 0)
            fail_msg("%s: got %s, want %s", cases[i].expr, joined, cases[i].names);
        sem_strv_free(names, n);
        free(offsets);
    }
    char **names;
    size_t *offsets, n;
    const char *why = NULL;
    assert_false(sql_expression_names("(a + b", &names, &offsets, &n, &why));
    assert_string_equal(why, "has unbalanced parentheses");
    sem_strv_free(names, n);
    free(offsets);
    assert_false(sql_expression_names("a + 'b", &names, &offsets, &n, &why));
    assert_string_equal(why, "has an unterminated quote or comment");
    sem_strv_free(names, n);
    free(offsets);
}

/* type: derived: the names it uses, canonical; the base metrics it reaches. */
static void test_derived_metrics(void **state)
{
    (void)state;
    catalog *c = load_ok(FIXTURES "/derived_metrics", NULL);
    assert_int_equal(c->n_metrics, 4);
    const metric *per = catalog_metric(c, "per_rental");
    assert_true(per->derived);
    assert_null(per->source_name);
    assert_string_equal(per->expr, "revenue / NULLIF(rentals_count, 0)");
    static const char *const per_deps[] = {"revenue", "rentals_count"};
    assert_strv(per->depends_on, per->n_depends_on, per_deps, 2);
    const metric *doubled = catalog_metric(c, "doubled");
    assert_true(doubled->derived); /* "type: Derived": any case */
    assert_string_equal(doubled->expr, "2 * per_rental + \"revenue\"");
    static const char *const doubled_deps[] = {"per_rental", "revenue"};
    assert_strv(doubled->depends_on, doubled->n_depends_on, doubled_deps, 2);
    assert_false(catalog_metric(c, "revenue")->derived);
    /* The base metrics behind a derived one, each once, for grant checks. */
    const metric *bases[4];
    assert_int_equal(catalog_metric_bases(c, doubled, bases, 4), 2);
    assert_ptr_equal(bases[0], catalog_metric(c, "revenue"));
    assert_ptr_equal(bases[1], catalog_metric(c, "rentals_count"));
    assert_int_equal(catalog_metric_bases(c, catalog_metric(c, "revenue"), bases, 4), 1);
    assert_ptr_equal(bases[0], catalog_metric(c, "revenue"));
    catalog_free(c);
}

/* Cycles (through another metric or itself), unknown names and misuse: each reported. */
static void test_derived_metric_problems(void **state)
{
    (void)state;
    char **problems;
    size_t n;
    catalog *c = catalog_validate(FIXTURES "/derived_broken", NULL, &problems, &n);
    static const char *const want[] = {
        "metrics/m.yaml:24:14: metric 'with_source': a derived metric has no source_name: it is "
        "computed from the metrics its sql names",
        "metrics/m.yaml:29:6: metric 'unbalanced': sql has unbalanced parentheses",
        "metrics/m.yaml:33:6: metric 'constant': sql '1 + 2' names no metric: a derived metric is "
        "an expression over other metrics, e.g. rentals_revenue / NULLIF(movies_rented, 0)",
        "metrics/m.yaml:20:6: derived metric 'unknown': sql names 'customer_id', which is not a "
        "metric (a derived metric computes on metrics only; metrics: rentals_count, a, b, self)",
        "metrics/m.yaml:8:6: derived metric 'a' depends on itself: a -> b -> a",
        "metrics/m.yaml:12:6: derived metric 'b' depends on itself: b -> a -> b",
        "metrics/m.yaml:16:6: derived metric 'self' depends on itself: self -> self",
    };
    for (size_t i = 0; i < n; i++)
        print_message("%s\n", problems[i]);
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++) {
        char full[1024];
        snprintf(full, sizeof full, "%s/derived_broken/%s", FIXTURES, want[i]);
        assert_string_equal(problems[i], full);
    }
    /* A cycle does not hang the walk to the bases. */
    const metric *bases[4];
    assert_int_equal(catalog_metric_bases(c, catalog_metric(c, "a"), bases, 4), 1);
    assert_ptr_equal(bases[0], catalog_metric(c, "rentals_count"));
    sem_strv_free(problems, n);
    catalog_free(c);
}

/* type: offset / cumulative, non_additive_time/per, fill_nulls_with, join_to_calendar. */
static void test_time_metrics(void **state)
{
    (void)state;
    catalog *c = load_ok(FIXTURES "/time_metrics", NULL);
    assert_int_equal(c->n_metrics, 8);
    const metric *soh = catalog_metric(c, "stock_on_hand");
    assert_false(soh->derived);
    assert_int_equal(soh->time_kind, TIME_METRIC_NONE);
    assert_int_equal(soh->non_additive, NON_ADDITIVE_LAST);
    static const char *const per[] = {"store_id", "store_region"};
    assert_strv(soh->non_additive_per, soh->n_non_additive_per, per, 2);
    assert_string_equal(soh->fill_nulls_with, "0");
    assert_true(soh->fill_is_number);
    assert_false(soh->join_to_calendar);
    assert_int_equal(soh->n_extra, 0); /* the new keys are known keys */
    const metric *open = catalog_metric(c, "opening_stock");
    assert_int_equal(open->non_additive, NON_ADDITIVE_FIRST);
    assert_int_equal(open->n_non_additive_per, 0);
    assert_string_equal(open->fill_nulls_with, "n/a");
    assert_false(open->fill_is_number);
    assert_true(open->join_to_calendar);

    const metric *ly = catalog_metric(c, "stock_last_year");
    assert_true(ly->derived);
    assert_int_equal(ly->time_kind, TIME_METRIC_OFFSET);
    assert_int_equal(ly->aggregation, AGGREGATION_DERIVED);
    assert_null(ly->expr);
    assert_null(ly->source_name);
    assert_string_equal(ly->base_metric, "stock_on_hand");
    static const char *const ly_deps[] = {"stock_on_hand"};
    assert_strv(ly->depends_on, ly->n_depends_on, ly_deps, 1);
    assert_int_equal(ly->offset.n, 1);
    assert_int_equal(ly->offset.unit, TIME_UNIT_YEAR);
    assert_int_equal(ly->window.n, 0);
    assert_string_equal(ly->description, "a year earlier");
    const metric *q2 = catalog_metric(c, "stock_two_quarters_ago");
    assert_int_equal(q2->offset.n, 2);
    assert_int_equal(q2->offset.unit, TIME_UNIT_QUARTER);
    assert_string_equal(q2->fill_nulls_with, "-1.5");
    assert_true(q2->fill_is_number);
    const metric *t7 = catalog_metric(c, "stock_trailing_7d");
    assert_int_equal(t7->time_kind, TIME_METRIC_CUMULATIVE);
    assert_int_equal(t7->window.n, 7);
    assert_int_equal(t7->window.unit, TIME_UNIT_DAY);
    assert_int_equal(t7->grain_to_date, CAL_PERIOD_NONE);
    const metric *mtd = catalog_metric(c, "stock_mtd");
    assert_int_equal(mtd->grain_to_date, CAL_PERIOD_MONTH);
    assert_int_equal(mtd->window.n, 0);
    const metric *running = catalog_metric(c, "stock_running");
    assert_int_equal(running->window.n, 0);
    assert_int_equal(running->grain_to_date, CAL_PERIOD_NONE);
    /* Bases through an offset of an offset, and through an offset of a derived metric. */
    const metric *bases[4];
    assert_int_equal(catalog_metric_bases(c, running, bases, 4), 1);
    assert_ptr_equal(bases[0], soh);
    assert_int_equal(catalog_metric_bases(c, q2, bases, 4), 1);
    assert_ptr_equal(bases[0], soh);
    catalog_free(c);
}

/* Each invalid time key: its message, at its file:line:column, by validate and load. */
static void test_time_metric_problems(void **state)
{
    (void)state;
    static const char *const want[] = {
        "8:9: metric 'fortnightly': offset '1 fortnight' is not a span of time: write a whole "
        "number n >= 1 and a unit, day, week, month, quarter or year (singular or plural), e.g. "
        "1 year or 7 days",
        "10:1: metric 'no_offset': missing required key 'offset' (e.g. offset: 1 year)",
        "17:9: metric 'zero_offset': offset '0 days' is not a span of time: write a whole number "
        "n >= 1 and a unit, day, week, month, quarter or year (singular or plural), e.g. 1 year "
        "or 7 days",
        "23:1: metric 'offset_with_sql': 'source_name' is not allowed on a metric of type: "
        "offset: it is computed from the metric its metric: key names",
        "24:1: metric 'offset_with_sql': 'sql' is not allowed on a metric of type: offset: it is "
        "computed from the metric its metric: key names",
        "29:16: metric 'moon': grain_to_date 'moon' is not one of week, month, quarter, year, "
        "fiscal_quarter, fiscal_year",
        "35:16: metric 'both': has both window and grain_to_date: give one (a trailing window, "
        "or from the start of a period), or neither (a running total)",
        "54:20: metric 'latest': non_additive_time 'latest' is not last or first",
        "59:1: metric 'per_alone': non_additive_per needs non_additive_time (last or first): it "
        "says per which dimensions the last (first) time is chosen",
        "70:1: metric 'derived_semi': 'non_additive_time' belongs to metrics of a source (a "
        "balance's SUM over its rows), not to derived, offset or cumulative metrics",
        "75:18: metric 'fill_list': 'fill_nulls_with' must be a constant (a number such as 0, "
        "or a string), not a list",
        "80:19: metric 'calendar_word': 'join_to_calendar' must be true or false",
        "85:1: metric 'base_with_metric': 'metric' belongs to metrics of type: offset or type: "
        "cumulative",
        "90:1: metric 'forgot_type': 'window' belongs to metrics of type: cumulative",
        "95:1: metric 'derived_offset': 'offset' belongs to metrics of type: offset",
        "40:16: metric 'fiscal': grain_to_date: fiscal_year needs fiscal_year_start_month in "
        "calendar.yaml",
        "44:9: cumulative metric 'no_base': metric 'nothing_here' is not a metric (metrics: "
        "stock, fiscal, self_offset, per_unknown)",
        "65:30: metric 'per_unknown': non_additive_per names 'warehouse', which is not a "
        "dimension available on source 'inventory_snapshots' (a column of its sql, or a "
        "dimension defined on it or listed under its 'dimensions')",
        "48:9: offset metric 'self_offset' depends on itself: self_offset -> self_offset",
    };
    char **problems;
    size_t n;
    catalog *c = catalog_validate(FIXTURES "/time_metrics_broken", NULL, &problems, &n);
    for (size_t i = 0; i < n; i++)
        print_message("%s\n", problems[i]);
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++) {
        char full[1024];
        snprintf(full, sizeof full, "%s/time_metrics_broken/metrics/m.yaml:%s", FIXTURES, want[i]);
        assert_string_equal(problems[i], full);
    }
    sem_strv_free(problems, n);
    catalog_free(c);
    /* catalog_load fails with the first. */
    char err[1024], full[1024];
    assert_null(catalog_load(FIXTURES "/time_metrics_broken", NULL, err, sizeof err));
    snprintf(full, sizeof full, "%s/time_metrics_broken/metrics/m.yaml:%s", FIXTURES, want[0]);
    assert_string_equal(err, full);
}

/* How metrics aggregate: classified from their sql (semantic/aggregation.h). */
static void test_aggregation_of_sql(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        metric_aggregation want;
    } cases[] = {
        {"SUM(amount)", AGGREGATION_SUM},
        {"  sum ( amount )  ", AGGREGATION_SUM},
        {"SUM(CASE WHEN dim_rental_category = 'Action' THEN 1 ELSE 0 END)", AGGREGATION_SUM},
        {"COUNT(rental_id)", AGGREGATION_COUNT},
        {"COUNT(*)", AGGREGATION_COUNT},
        {"COUNT(DISTINCT customer_id)", AGGREGATION_COUNT_DISTINCT},
        {"count(distinct(customer_id))", AGGREGATION_COUNT_DISTINCT},
        {"MIN(amount)", AGGREGATION_MIN},
        {"MAX(DISTINCT amount)", AGGREGATION_MAX},
        {"AVG(amount)", AGGREGATION_AVG},
        {"SUM(DISTINCT amount)", AGGREGATION_CUSTOM},
        {"AVG(DISTINCT amount)", AGGREGATION_CUSTOM},
        {"SUM(a) / SUM(b)", AGGREGATION_CUSTOM},
        {"SUM(a) + 1", AGGREGATION_CUSTOM},
        {"COUNT(x) * 2", AGGREGATION_CUSTOM},
        {"SUMMARY(x)", AGGREGATION_CUSTOM},
        {"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY amount)", AGGREGATION_CUSTOM},
        {"SUM(')')", AGGREGATION_SUM},
        {"SUM(a", AGGREGATION_CUSTOM},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (aggregation_of_sql(cases[i].sql) != cases[i].want)
            fail_msg("%s: %s, want %s", cases[i].sql,
                     aggregation_name(aggregation_of_sql(cases[i].sql)),
                     aggregation_name(cases[i].want));
    assert_true(aggregation_reaggregates(AGGREGATION_SUM));
    assert_true(aggregation_reaggregates(AGGREGATION_MAX));
    assert_false(aggregation_reaggregates(AGGREGATION_AVG));
    assert_false(aggregation_reaggregates(AGGREGATION_COUNT_DISTINCT));
    assert_false(aggregation_reaggregates(AGGREGATION_CUSTOM));
}

/* The aggregation: key: for sql Mimir cannot classify; a contradiction is an error. */
static void test_metric_aggregations(void **state)
{
    (void)state;
    char **problems;
    size_t n;
    catalog *c = catalog_validate(FIXTURES "/aggregations", NULL, &problems, &n);
    static const char *const want[] = {
        "metrics/m.yaml:27:14: metric 'liar': aggregation 'sum' contradicts its sql "
        "'COUNT(DISTINCT "
        "customer_id)', which is a count_distinct",
        "metrics/m.yaml:32:14: metric 'unknown_word': aggregation 'additive' is not one of sum, "
        "count, min, max, avg, count_distinct, custom",
        "metrics/m.yaml:37:14: metric 'derived_with_key': a derived metric has no aggregation of "
        "its own: it is computed from the metrics its sql names",
        "metrics/m.yaml:42:14: metric 'not_text': 'aggregation' must be a string, not a list",
    };
    for (size_t i = 0; i < n; i++)
        print_message("%s\n", problems[i]);
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++) {
        char full[1024];
        snprintf(full, sizeof full, "%s/aggregations/%s", FIXTURES, want[i]);
        assert_string_equal(problems[i], full);
    }
    assert_int_equal(catalog_metric(c, "total")->aggregation, AGGREGATION_SUM);
    assert_int_equal(catalog_metric(c, "distinct_customers")->aggregation,
                     AGGREGATION_COUNT_DISTINCT);
    assert_int_equal(catalog_metric(c, "two_sums")->aggregation, AGGREGATION_SUM);
    assert_int_equal(catalog_metric(c, "ratio")->aggregation, AGGREGATION_CUSTOM);
    assert_int_equal(catalog_metric(c, "per_rental")->aggregation, AGGREGATION_DERIVED);
    sem_strv_free(problems, n);
    catalog_free(c);
}

static void test_project_dir_errors(void **state)
{
    (void)state;
    char err[512];
    assert_null(catalog_load(FIXTURES "/no_sources_dir", NULL, err, sizeof err));
    assert_string_equal(err, FIXTURES "/no_sources_dir: no sources/ directory: a Mimir project "
                                      "holds sources/, metrics/ and dimensions/");
    assert_null(catalog_load(FIXTURES "/absent", NULL, err, sizeof err));
    assert_string_equal(err, FIXTURES "/absent: cannot open: No such file or directory");
    assert_null(catalog_load("configs/demo/demo-data.sql", NULL, err, sizeof err));
    assert_string_equal(err, "configs/demo/demo-data.sql: not a directory");
    assert_null(catalog_load("configs/pagila", FIXTURES "/absent", err, sizeof err));
    assert_string_equal(err, FIXTURES
                        "/absent: cannot open secrets directory: No such file or directory");
    /* A tiny error buffer truncates without overflowing. */
    char small[8];
    assert_null(catalog_load(FIXTURES "/absent", NULL, small, sizeof small));
    assert_int_equal(strlen(small), sizeof small - 1);
}

static void test_path_absolute(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"/a/b/../c", "/a/c"},
        {"/a/./b//c/", "/a/b/c"},
        {"/../..", "/"},
        {"/a/b/../../..", "/"},
        {"/", "/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *p = sem_path_absolute(cases[i][0]);
        assert_string_equal(p, cases[i][1]);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_scan),
        cmocka_unit_test(test_shape_rejects),
        cmocka_unit_test(test_select_items),
        cmocka_unit_test(test_select_items_range),
        cmocka_unit_test(test_definition_expr),
        cmocka_unit_test(test_aggregate_check),
        cmocka_unit_test(test_first_name_missing),
        cmocka_unit_test(test_plain_column_name),
        cmocka_unit_test(test_yaml_documents),
        cmocka_unit_test(test_yaml_aliases_and_merge),
        cmocka_unit_test(test_yaml_errors),
        cmocka_unit_test(test_yaml_bomb_limit),
        cmocka_unit_test(test_secrets_ok),
        cmocka_unit_test(test_secrets_errors),
        cmocka_unit_test(test_secrets_environment),
        cmocka_unit_test(test_secrets_tls),
        cmocka_unit_test(test_secrets_net),
        cmocka_unit_test(test_load_pagila),
        cmocka_unit_test(test_load_pagila_without_secrets),
        cmocka_unit_test(test_load_demo),
        cmocka_unit_test(test_broken_projects),
        cmocka_unit_test(test_validate_collects_every_problem),
        cmocka_unit_test(test_expression_names),
        cmocka_unit_test(test_derived_metrics),
        cmocka_unit_test(test_time_metrics),
        cmocka_unit_test(test_time_metric_problems),
        cmocka_unit_test(test_derived_metric_problems),
        cmocka_unit_test(test_aggregation_of_sql),
        cmocka_unit_test(test_metric_aggregations),
        cmocka_unit_test(test_project_dir_errors),
        cmocka_unit_test(test_path_absolute),
    };
    return cmocka_run_group_tests_name("semantic", tests, NULL, NULL);
}
