/*
 * Unit tests for semantic/yaml_write.c (definitions written with libyaml's
 * emitter, read back by yaml_doc.c exactly as given) and for
 * catalog_validate_pending (a project checked with a file not written yet),
 * the two pieces `mimir create` is built on. Paths are relative to the
 * repository root, where `make test-unit` runs the binaries.
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
#include "semantic/util.h"
#include "semantic/yaml_doc.h"
#include "semantic/yaml_write.h"

/* Writes {key: value} and reads it back; returns the stream (caller frees). */
static ystream *round_trip(const char *value, char **text_out)
{
    yaml_entry e = {.key = "v", .value = value};
    char err[256];
    char *text = yaml_write_mapping(NULL, NULL, &e, 1, err, sizeof err);
    assert_non_null(text);
    ystream *ys = calloc(1, sizeof *ys);
    bool ok = ystream_load_string(ys, "test.yaml", text, strlen(text), YSTREAM_MAX_NODES, err,
                                  sizeof err);
    if (!ok)
        fail_msg("%s does not read back: %s\n%s", value, err, text);
    *text_out = text;
    return ys;
}

static void test_values_read_back_exactly(void **state)
{
    (void)state;
    static const char *const values[] = {
        "SUM(amount) AS revenue",
        "COUNT(DISTINCT customer_id)",
        "null",
        "Null",
        "~",
        "",
        "yes",
        "No",
        "on",
        "OFF",
        "true",
        "y",
        "12",
        "-3.5",
        ".5",
        "0x1F",
        "1_000",
        "12:30:00",
        "2024-01-01",
        ".inf",
        "-.Inf",
        ".NaN",
        "a: b",
        "# not a comment",
        "x # y",
        "- item",
        "---",
        "...",
        "[1, 2]",
        "{a: 1}",
        "&anchor",
        "*alias",
        "!tag",
        "|",
        ">",
        "@at",
        "`tick`",
        "%percent",
        "'single' and \"double\" quotes",
        " leading space",
        "trailing space ",
        "tab\there",
        "Caf\xc3\xa9 cr\xc3\xa8me \xe2\x82\xac",
        "SELECT a,\n       b\nFROM t\n",
        "SELECT a\nFROM t",
        "two trailing newlines\n\n",
        "\nleading newline",
        "  indented\nfirst line",
        "line with trailing space \nnext",
        "windows\r\nline",
        "CASE WHEN x = 'a: b' THEN 1 END -- comment",
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char *text;
        ystream *ys = round_trip(values[i], &text);
        assert_int_equal(ys->n_docs, 1);
        const ynode *v = ymap_get(ys->docs[0], "v");
        assert_non_null(v);
        if (ynode_is_null(v) || !ynode_text(v) || strcmp(ynode_text(v), values[i]) != 0)
            fail_msg("'%s' read back as '%s' from:\n%s", values[i],
                     ynode_is_null(v) ? "(null)" : ynode_text(v), text);
        /* What YAML 1.1 reads as another type is never written plain. */
        if (yaml_needs_quotes(values[i]))
            assert_false(v->plain);
        ystream_free(ys);
        free(ys);
        free(text);
    }
}

static void test_sql_on_several_lines_is_a_literal_block(void **state)
{
    (void)state;
    char *text;
    ystream *ys = round_trip("SELECT a,\n       b\nFROM t", &text);
    assert_non_null(strstr(text, "v: |"));
    assert_non_null(strstr(text, "\n         b\n"));
    ystream_free(ys);
    free(ys);
    free(text);
}

static void test_needs_quotes(void **state)
{
    (void)state;
    assert_true(yaml_needs_quotes(""));
    assert_true(yaml_needs_quotes("NULL"));
    assert_true(yaml_needs_quotes("Yes"));
    assert_true(yaml_needs_quotes("42"));
    assert_true(yaml_needs_quotes("+1"));
    assert_true(yaml_needs_quotes("-.inf"));
    assert_false(yaml_needs_quotes("revenue"));
    assert_false(yaml_needs_quotes("yesterday"));
    assert_false(yaml_needs_quotes("SUM(amount)"));
    assert_false(yaml_needs_quotes("n_orders"));
}

static void test_comment_list_and_wrap_key(void **state)
{
    (void)state;
    char *dims[] = {"city", "null"};
    yaml_entry e[] = {{.key = "name", .value = "big"},
                      {.key = "required_dimensions", .items = dims, .n_items = 2},
                      {.key = "sql", .value = "SELECT 1 AS x"}};
    char err[256];
    char *text = yaml_write_mapping("The source big.", "big", e, 3, err, sizeof err);
    assert_non_null(text);
    assert_memory_equal(text, "# The source big.\nbig:\n  name: big\n", 34);
    ystream ys;
    assert_true(
        ystream_load_string(&ys, "t.yaml", text, strlen(text), YSTREAM_MAX_NODES, err, sizeof err));
    const ynode *def = ymap_get(ys.docs[0], "big");
    assert_non_null(def);
    assert_string_equal(ynode_text(ymap_get(def, "name")), "big");
    const ynode *list = ymap_get(def, "required_dimensions");
    assert_int_equal(list->kind, YNODE_SEQUENCE);
    assert_int_equal(list->n_items, 2);
    assert_string_equal(ynode_text(list->items[0]), "city");
    assert_false(ynode_is_null(list->items[1]));
    assert_string_equal(ynode_text(list->items[1]), "null");
    ystream_free(&ys);
    free(text);
}

static void test_invalid_utf8_is_refused(void **state)
{
    (void)state;
    yaml_entry e = {.key = "description", .value = "bad \xff byte"};
    char err[256] = "";
    assert_null(yaml_write_mapping(NULL, NULL, &e, 1, err, sizeof err));
    assert_true(strlen(err) > 0);
}

/* ---- catalog_validate_pending ---- */

static size_t validate_with(const char *subdir, const char *path, const char *text,
                            char ***problems, catalog **c)
{
    catalog_pending_file pending = {.subdir = subdir, .path = path, .text = text};
    size_t n = 0;
    *c = catalog_validate_pending("configs/demo", NULL, &pending, problems, &n);
    return n;
}

static void test_pending_definition_joins_the_project(void **state)
{
    (void)state;
    char **problems;
    catalog *c;
    size_t n =
        validate_with("metrics", "configs/demo/metrics/new.yaml",
                      "name: new_metric\nsource_name: orders\nsql: MAX(amount)\n", &problems, &c);
    assert_int_equal(n, 0);
    const metric *m = catalog_metric(c, "new_metric");
    assert_non_null(m);
    assert_string_equal(m->at.file, "configs/demo/metrics/new.yaml");
    assert_non_null(catalog_metric(c, "revenue")); /* the project's own are there too */
    sem_strv_free(problems, n);
    catalog_free(c);
}

static void test_pending_problems_point_at_the_new_file(void **state)
{
    (void)state;
    char **problems;
    catalog *c;
    size_t n =
        validate_with("metrics", "configs/demo/metrics/revenue.yaml",
                      "name: revenue\nsource_name: orders\nsql: SUM(amount)\n", &problems, &c);
    assert_int_equal(n, 1);
    assert_non_null(strstr(problems[0], "configs/demo/metrics/revenue.yaml:1:1: duplicate metric "
                                        "'revenue' (first defined at configs/demo/metrics/"));
    sem_strv_free(problems, n);
    catalog_free(c);

    n = validate_with("dimensions", "configs/demo/dimensions/d.yaml",
                      "name: dim_x\nsource_name: nope\nsql: stores.city\n", &problems, &c);
    assert_int_equal(n, 1);
    assert_string_equal(problems[0], "configs/demo/dimensions/d.yaml:2:14: dimension 'dim_x': "
                                     "unknown source_name 'nope' (known sources: orders, visits)");
    sem_strv_free(problems, n);
    catalog_free(c);
}

static void test_pending_source_in_a_project_without_it(void **state)
{
    (void)state;
    char **problems;
    catalog *c;
    size_t n = validate_with("sources", "configs/demo/sources/s.yaml",
                             "s:\n  name: s\n  connection_name: demo_sqlite\n  time_col: ts\n"
                             "  sql: SELECT visits.visited_at AS ts FROM visits\n",
                             &problems, &c);
    assert_int_equal(n, 0);
    assert_int_equal(c->n_sources, 3);
    assert_non_null(catalog_source(c, "s"));
    sem_strv_free(problems, n);
    catalog_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_read_back_exactly),
        cmocka_unit_test(test_sql_on_several_lines_is_a_literal_block),
        cmocka_unit_test(test_needs_quotes),
        cmocka_unit_test(test_comment_list_and_wrap_key),
        cmocka_unit_test(test_invalid_utf8_is_refused),
        cmocka_unit_test(test_pending_definition_joins_the_project),
        cmocka_unit_test(test_pending_problems_point_at_the_new_file),
        cmocka_unit_test(test_pending_source_in_a_project_without_it),
    };
    return cmocka_run_group_tests_name("yaml_write", tests, NULL, NULL);
}
