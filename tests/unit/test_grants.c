/*
 * Grants in the server configuration (semantic/grants.c via
 * proxy/config/server_config.c): good files, every kind of broken one with its
 * FILE:LINE message, row filter checks, the names checked against
 * configs/pagila, and the restricted catalog built from them
 * (semantic/catalog_view.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy/config/server_config.h"
#include "semantic/catalog.h"
#include "semantic/catalog_view.h"
#include "semantic/grants.h"
#include "semantic/sql_scan.h"

/* The password hash lines every user here needs (the hash of an empty password). */
#define HASH "    mysql_native_password: \"*BE1BDEC0AA74B4DCB079943E70528096CCA985F8\"\n"

static char path[512];
static catalog *pagila;

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(path, sizeof path, "%s/mimir-grants-XXXXXX", tmp);
    int fd = mkstemp(path);
    if (fd < 0)
        fail_msg("mkstemp: %s", strerror(errno));
    close(fd);
    char err[1024];
    pagila = catalog_load("configs/pagila", NULL, err, sizeof err);
    if (!pagila)
        fail_msg("cannot load configs/pagila: %s", err);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    catalog_free(pagila);
    return 0;
}

static void write_config(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads text as a server configuration; returns whether it loaded, err the message. */
static bool load(const char *text, server_file *out, char *err, size_t errlen)
{
    write_config(text);
    return server_file_load(path, out, err, errlen);
}

static const grants *load_one_user(const char *text, server_file *f)
{
    char err[1024];
    if (!load(text, f, err, sizeof err))
        fail_msg("unexpected error: %s", err);
    assert_int_equal(f->nusers, 1);
    return f->users[0].grants;
}

/* ---- good files ---- */

static void test_good_grants(void **state)
{
    (void)state;
    server_file f;
    const grants *g = load_one_user("users:\n"
                                    "  - name: ann\n" HASH "    grants:\n"
                                    "      sources: [rentals]\n"
                                    "      metrics:\n"
                                    "        - movies_rented\n"
                                    "        - rentals_revenue\n"
                                    "      row_filters:\n"
                                    "        rentals: \"inventory.store_id = 1\"\n",
                                    &f);
    assert_non_null(g);
    assert_false(g->all_sources);
    assert_int_equal(g->n_sources, 1);
    assert_string_equal(g->sources[0].name, "rentals");
    assert_int_equal(g->sources[0].line, 5);
    assert_false(g->all_metrics);
    assert_int_equal(g->n_metrics, 2);
    assert_int_equal(g->metrics[1].line, 8);
    assert_int_equal(g->n_row_filters, 1);
    assert_string_equal(grants_row_filter(g, "RENTALS")->sql, "inventory.store_id = 1");
    assert_int_equal(g->row_filters[0].line, 10);
    char **problems = NULL;
    size_t n = 0;
    assert_int_equal(grants_check(g, "ann", pagila, &problems, &n), 0);
    server_file_free(&f);
}

static void test_no_grants_is_everything(void **state)
{
    (void)state;
    server_file f;
    assert_null(load_one_user("users:\n  - name: ann\n" HASH, &f));
    server_file_free(&f);
    const grants *g = load_one_user("users:\n  - name: ann\n" HASH "    grants:\n"
                                    "      row_filters: {rentals: \"staff_id = 1\"}\n",
                                    &f);
    assert_true(g->all_sources);
    assert_true(g->all_metrics);
    server_file_free(&f);
}

/* ---- broken files: one message each, at FILE:LINE ---- */

typedef struct broken_case {
    const char *grants; /* the lines after "    grants:" (line 5 on) */
    int line;
    const char *message;
} broken_case;

static const broken_case broken[] = {
    {"      sources: rentals\n", 5, "grants 'sources' must be a list of names, not a scalar"},
    {"      metrics: {a: b}\n", 5, "grants 'metrics' must be a list of names, not a mapping"},
    {"      sources: [rentals, [x]]\n", 5, "grants 'sources' must list names, not a list"},
    {"      sources: [rentals, RENTALS]\n", 5, "grants 'sources' lists 'RENTALS' twice"},
    {"      tables: [rentals]\n", 5,
     "unknown key 'tables' in grants (expected one of: sources, metrics, row_filters)"},
    {"      row_filters: [rentals]\n", 5,
     "grants 'row_filters' must map source names to SQL conditions, not a list"},
    {"      row_filters:\n        rentals: [a]\n", 6,
     "the row filter of source 'rentals' must be a SQL condition, not a list"},
    {"      row_filters:\n        rentals: a = 1\n        RENTALS: b = 1\n", 7,
     "grants 'row_filters' has two filters for source 'RENTALS'"},
    {"      row_filters:\n        rentals: \"a = 1; DELETE FROM rental\"\n", 6,
     "the row filter of source 'rentals' holds a ';'"},
    {"      row_filters:\n        rentals: \"a = 1 -- x\"\n", 6,
     "the row filter of source 'rentals' holds a comment"},
    {"      row_filters:\n        rentals: \"a = 1 /* x */ OR b = 2\"\n", 6,
     "the row filter of source 'rentals' holds a comment"},
    {"      row_filters:\n        rentals: \"a = 1 # x\"\n", 6,
     "the row filter of source 'rentals' holds '#' (a comment in MySQL)"},
    {"      row_filters:\n        rentals: \"a = 1) OR (1 = 1\"\n", 6,
     "the row filter of source 'rentals' has unbalanced parentheses"},
    {"      row_filters:\n        rentals: \"(a = 1\"\n", 6,
     "the row filter of source 'rentals' has unbalanced parentheses"},
    {"      row_filters:\n        rentals: \"a = 'x\"\n", 6,
     "the row filter of source 'rentals' has an unterminated quote or comment"},
    {"      row_filters:\n        rentals: \"\"\n", 6,
     "the row filter of source 'rentals' is empty"},
    {"      row_filters:\n        rentals: \"a = 1 GROUP BY a\"\n", 6,
     "the row filter of source 'rentals' is not a single boolean expression (it holds a clause "
     "keyword at its top level; a subquery must be in parentheses)"},
    {"      row_filters:\n        rentals: \"a = 1 UNION SELECT 1\"\n", 6,
     "the row filter of source 'rentals' is not a single boolean expression (it holds a clause "
     "keyword at its top level; a subquery must be in parentheses)"},
    {"      row_filters:\n        rentals: \"a = 1 LIMIT 1\"\n", 6,
     "the row filter of source 'rentals' is not a single boolean expression (it holds a clause "
     "keyword at its top level; a subquery must be in parentheses)"},
    {"      row_filters:\n        rentals: \"store_id = $1\"\n", 6,
     "the row filter of source 'rentals' holds a parameter placeholder ($1, ?, :name or @name)"},
    {"      row_filters:\n        rentals: \"store_id = ?\"\n", 6,
     "the row filter of source 'rentals' holds a parameter placeholder ($1, ?, :name or @name)"},
    {"      row_filters:\n        rentals: \"store_id = ?1\"\n", 6,
     "the row filter of source 'rentals' holds a parameter placeholder ($1, ?, :name or @name)"},
    {"      row_filters:\n        rentals: \"store_id = :store\"\n", 6,
     "the row filter of source 'rentals' holds a parameter placeholder ($1, ?, :name or @name)"},
    {"      row_filters:\n        rentals: \"store_id = @store\"\n", 6,
     "the row filter of source 'rentals' holds a parameter placeholder ($1, ?, :name or @name)"},
    {"      row_filters:\n        rentals: \"SELECT 1\"\n", 6,
     "the row filter of source 'rentals' is not a single boolean expression (it holds a clause "
     "keyword at its top level; a subquery must be in parentheses)"},
};

static void test_broken_grants(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        char text[2048], err[1024], want[2048];
        snprintf(text, sizeof text, "users:\n  - name: ann\n" HASH "    grants:\n%s",
                 broken[i].grants);
        server_file f;
        if (load(text, &f, err, sizeof err))
            fail_msg("case %zu loaded: %s", i, broken[i].grants);
        snprintf(want, sizeof want, "%s:%d: user 'ann': %s", path, broken[i].line,
                 broken[i].message);
        if (strcmp(err, want) != 0)
            fail_msg("case %zu:\n got: %s\nwant: %s", i, err, want);
    }
}

static void test_grants_not_a_mapping(void **state)
{
    (void)state;
    char err[1024], want[2048];
    server_file f;
    assert_false(
        load("users:\n  - name: ann\n" HASH "    grants: [rentals]\n", &f, err, sizeof err));
    snprintf(want, sizeof want,
             "%s:4: user 'ann': 'grants' must be a mapping (sources, metrics, row_filters), not "
             "a list",
             path);
    assert_string_equal(err, want);
}

/* ---- row filters that are fine ---- */

static void test_good_row_filters(void **state)
{
    (void)state;
    static const char *const good[] = {
        "a = 1",
        "a = 1 OR b = 2",
        "store_id IN (SELECT store_id FROM store WHERE manager_staff_id = 2)",
        "a IS NOT DISTINCT FROM b",
        "name = 'it''s -- not a comment; nor /* this */'",
        "\"Weird -- name\" = 1",
        "EXISTS (SELECT 1 FROM x UNION SELECT 2)",
        "(a = 1) AND (b = 2)",
        "store_id::int = 1",
        "note = '$1 ? :x @y'",
        "$$literal$$ <> note",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const char *why = NULL;
        if (!sql_row_filter_check(good[i], &why))
            fail_msg("refused %s: %s", good[i], why);
    }
}

/* ---- names checked against the semantic layer ---- */

static void test_names_checked_against_the_catalog(void **state)
{
    (void)state;
    server_file f;
    const grants *g = load_one_user("users:\n  - name: ann\n" HASH "    grants:\n"
                                    "      sources: [rentals, nope]\n"
                                    "      metrics: [movies_rented, payments_count, gone]\n"
                                    "      row_filters:\n"
                                    "        missing: \"a = 1\"\n",
                                    &f);
    char **problems = NULL;
    size_t n = 0;
    assert_int_equal(grants_check(g, "ann", pagila, &problems, &n), 4);
    const char *want[] = {
        ":5: user 'ann': grants name unknown source 'nope'",
        ":6: user 'ann': grants metric 'payments_count', but not its source 'payments' (add it "
        "to 'sources')",
        ":6: user 'ann': grants name unknown metric 'gone'",
        ":8: user 'ann': row filter for unknown source 'missing'",
    };
    for (size_t i = 0; i < n; i++) {
        char full[2048];
        snprintf(full, sizeof full, "%s%s", path, want[i]);
        assert_string_equal(problems[i], full);
        free(problems[i]);
    }
    free(problems);
    server_file_free(&f);
}

/* ---- the filter spliced into source SQL ---- */

static void splice(const char *sql, const char *filter, const char *want)
{
    source s = {.sql = (char *)sql};
    if (!sql_shape_scan(sql, &s.shape))
        fail_msg("not a source: %s", sql);
    const char *why = NULL;
    char *got = grants_filtered_sql(&s, filter, &why);
    if (!got)
        fail_msg("refused %s: %s", sql, why);
    assert_string_equal(got, want);
    free(got);
}

static void test_filtered_sql(void **state)
{
    (void)state;
    splice("SELECT a, b FROM t", "x = 1", "SELECT a, b FROM t WHERE (x = 1)");
    splice("SELECT a FROM t -- note", "x = 1", "SELECT a FROM t WHERE (x = 1) -- note");
    splice("SELECT a FROM t WHERE y = 2 OR z = 3", "x = 1",
           "SELECT a FROM t WHERE (x = 1) AND (y = 2 OR z = 3)");
    splice("SELECT a, SUM(b) AS b FROM t WHERE y = 2 GROUP BY a ORDER BY a", "x = 1",
           "SELECT a, SUM(b) AS b FROM t WHERE (x = 1) AND (y = 2) GROUP BY a ORDER BY a");
    splice("SELECT a, COUNT(*) AS n FROM t GROUP BY a", "x = 1",
           "SELECT a, COUNT(*) AS n FROM t WHERE (x = 1) GROUP BY a");
    splice("WITH c AS (SELECT * FROM t WHERE q) SELECT a FROM c", "x = 1",
           "WITH c AS (SELECT * FROM t WHERE q) SELECT a FROM c WHERE (x = 1)");
}

/* ---- the restricted catalog ---- */

static void test_view_of_pagila(void **state)
{
    (void)state;
    server_file f;
    const grants *g = load_one_user("users:\n  - name: ann\n" HASH "    grants:\n"
                                    "      sources: [rentals]\n"
                                    "      metrics: [movies_rented]\n"
                                    "      row_filters: {rentals: \"inventory.store_id = 1\"}\n",
                                    &f);
    catalog *v = catalog_view_build(pagila, g);
    assert_int_equal(v->n_sources, 1);
    assert_int_equal(v->n_metrics, 1);
    assert_string_equal(v->metrics[0].name, "movies_rented");
    assert_null(catalog_source(v, "payments"));
    assert_null(catalog_metric(v, "rentals_revenue"));
    assert_non_null(catalog_dimension(v, "dim_store_id"));
    assert_non_null(catalog_dimension(v, "dim_rental_category"));
    assert_false(catalog_is_dimension(v, "payment_id"));
    const source *s = catalog_source(v, "rentals");
    assert_non_null(strstr(s->sql, " WHERE (inventory.store_id = 1)"));
    assert_true(s->shape.has_where);
    assert_string_equal(pagila->sources[0].sql + 0, catalog_source(pagila, "rentals")->sql);
    assert_null(strstr(catalog_source(pagila, "rentals")->sql, "store_id = 1"));
    catalog_view_free(v);
    server_file_free(&f);

    /* payments lists dim_store_id (defined on rentals): it follows payments, and its
     * source is never the hidden one. */
    g = load_one_user("users:\n  - name: bob\n" HASH "    grants:\n      sources: [payments]\n",
                      &f);
    v = catalog_view_build(pagila, g);
    assert_int_equal(v->n_sources, 1);
    const dimension *d = catalog_dimension(v, "dim_store_id");
    assert_non_null(d);
    assert_string_equal(d->source_name, "payments");
    assert_null(catalog_dimension(v, "dim_rental_category"));
    assert_int_equal(v->n_metrics, 3);
    catalog_view_free(v);
    server_file_free(&f);

    v = catalog_view_empty(pagila);
    assert_int_equal(v->n_sources + v->n_metrics + v->n_dimensions + v->n_connections, 0);
    catalog_view_free(v);
}

/* ---- filters a rollup can apply (semantic/sql_scan.c, sql_filter_column_refs) ---- */

typedef struct refs_case {
    const char *filter;
    const char *refs; /* each reference as written, joined by '|'; NULL: refused */
} refs_case;

static const refs_case refs_cases[] = {
    {"a = 1", "a"},
    {"t.a IN (1, -2, 'x') OR b IS NULL", "t.a|b"},
    {"(a = 'x' AND \"B c\" IS NOT NULL) OR 3 = a", "a|\"B c\"|a"},
    {"s.t . a = E'it''s'", "s.t . a"},
    {"a = $$x$$", "a"},
    {"a <> 1", NULL},
    {"NOT a = 1", NULL},
    {"a = 1 = 1", NULL},
    {"a == 1", NULL},
    {"a >= 1", NULL},
    {"a BETWEEN 1 AND 2", NULL},
    {"a LIKE 'x%'", NULL},
    {"a = b", NULL},
    {"a = 1 + 1", NULL},
    {"a = 'x' COLLATE \"C\"", NULL},
    {"a::int = 1", NULL},
    {"a = DATE '2024-01-01'", NULL},
    {"lower(a) = 'x'", NULL},
    {"a IN (SELECT a FROM t)", NULL},
    {"EXISTS (SELECT 1)", NULL},
    {"year = 2024", NULL},
    {"t.year = 2024", NULL},
    {"a = _utf8mb4'x'", NULL},
    {"a = 'x' 'y'", NULL},
    {"a = 1 OR", NULL},
    {"(a = 1", NULL},
    {"a IN ()", NULL},
    {"t.* = 1", NULL},
    {"TRUE", NULL},
};

static void test_filter_column_refs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refs_cases / sizeof refs_cases[0]; i++) {
        const refs_case *c = &refs_cases[i];
        sql_column_ref *refs;
        size_t n;
        bool ok = sql_filter_column_refs(c->filter, &refs, &n);
        if (ok != (c->refs != NULL))
            fail_msg("%s: %s", c->filter, ok ? "read" : "refused");
        char joined[200] = "";
        for (size_t k = 0; k < n; k++)
            snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%.*s",
                     k ? "|" : "", (int)(refs[k].end - refs[k].begin), c->filter + refs[k].begin);
        if (ok)
            assert_string_equal(joined, c->refs);
        else
            assert_int_equal(n, 0);
        sql_column_refs_free(refs, n);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_good_grants),        T(test_no_grants_is_everything),
        T(test_broken_grants),      T(test_grants_not_a_mapping),
        T(test_good_row_filters),   T(test_names_checked_against_the_catalog),
        T(test_filtered_sql),       T(test_view_of_pagila),
        T(test_filter_column_refs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
