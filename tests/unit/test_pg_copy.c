/*
 * proxy/backend/pg_copy.c: the COPY statement written from an atomic query's
 * text and parameters, the decoding of COPY's text format, and the memo of
 * texts with large results. The end-to-end checks against a real PostgreSQL
 * (every column type, values with tabs, newlines and backslashes, cancel and
 * limits mid-stream) are in tests/integration/test_pg_copy.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/backend/pg_copy.h"

static void test_statement(void **state)
{
    (void)state;
    static const char *const lits[] = {"'a'", "E'b\\\\c'", NULL};
    static const struct {
        const char *sql, *want; /* want NULL: refused */
    } cases[] = {
        {"SELECT 1", "COPY (\nSELECT 1\n) TO STDOUT"},
        {"SELECT $1, $2, $3", "COPY (\nSELECT 'a', E'b\\\\c', NULL\n) TO STDOUT"},
        {"SELECT CAST($1 AS BIGINT)+$2",
         "COPY (\nSELECT CAST('a' AS BIGINT)+E'b\\\\c'\n) TO STDOUT"},
        /* $n inside strings, identifiers, comments and dollar quotes stays as it is */
        {"SELECT '$1', \"$2\", $1 -- $3\n",
         "COPY (\nSELECT '$1', \"$2\", 'a' -- $3\n\n) TO STDOUT"},
        {"SELECT /* $1 /* $2 */ $3 */ $1", "COPY (\nSELECT /* $1 /* $2 */ $3 */ 'a'\n) TO STDOUT"},
        {"SELECT $$ $1 $$, $t$ $2 $t$ || $1",
         "COPY (\nSELECT $$ $1 $$, $t$ $2 $t$ || 'a'\n) TO STDOUT"},
        {"SELECT 'it''s $1', E'\\' $1', $2",
         "COPY (\nSELECT 'it''s $1', E'\\' $1', E'b\\\\c'\n) TO STDOUT"},
        /* a backslash ends nothing in a standard string */
        {"SELECT 'a\\', $1", "COPY (\nSELECT 'a\\', 'a'\n) TO STDOUT"},
        {"SELECT a$1 FROM t", "COPY (\nSELECT a$1 FROM t\n) TO STDOUT"},
        {"SELECT 1; SELECT 2", NULL},
        {"SELECT $4", NULL},
        {"SELECT $0", NULL},
        {"SELECT $1abc", NULL},
        {"SELECT 'open", NULL},
        {"SELECT \"open", NULL},
        {"SELECT /* open", NULL},
        {"SELECT $$ open", NULL},
        {"SELECT ';'", "COPY (\nSELECT ';'\n) TO STDOUT"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = pg_copy_statement(cases[i].sql, lits, 3);
        if (!cases[i].want) {
            if (got)
                fail_msg("case %zu: %s -> %s, want refused", i, cases[i].sql, got);
            continue;
        }
        if (!got)
            fail_msg("case %zu: %s refused", i, cases[i].sql);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

static void test_split(void **state)
{
    (void)state;
    const char *values[4];
    size_t lengths[4];
    char line[] = "1\t\\N\ta\\tb\\nc\\\\d\\re\n";
    assert_true(pg_copy_split(line, strlen(line), 3, values, lengths));
    assert_int_equal(lengths[0], 1);
    assert_memory_equal(values[0], "1", 1);
    assert_null(values[1]);
    assert_int_equal(lengths[2], 9);
    assert_memory_equal(values[2], "a\tb\nc\\d\re", 9);

    /* "\\N" is a backslash and an N, not NULL; an empty field is an empty string */
    char line2[] = "\\\\N\t\t\\x41\\101\\b\\f\\v\\q\n";
    assert_true(pg_copy_split(line2, strlen(line2), 3, values, lengths));
    assert_int_equal(lengths[0], 2);
    assert_memory_equal(values[0], "\\N", 2);
    assert_non_null(values[1]);
    assert_int_equal(lengths[1], 0);
    assert_int_equal(lengths[2], 6);
    assert_memory_equal(values[2], "AA\b\f\vq", 6);

    /* bytea as PostgreSQL prints it in COPY: its backslash doubled */
    char line3[] = "\\\\x00ff\n";
    assert_true(pg_copy_split(line3, strlen(line3), 1, values, lengths));
    assert_int_equal(lengths[0], 6);
    assert_memory_equal(values[0], "\\x00ff", 6);

    /* an escaped backslash right before the separator: the tab still separates */
    char line4[] = "x\\\\\ty\\\\\n";
    assert_true(pg_copy_split(line4, strlen(line4), 2, values, lengths));
    assert_int_equal(lengths[0], 2);
    assert_memory_equal(values[0], "x\\", 2);
    assert_int_equal(lengths[1], 2);
    assert_memory_equal(values[1], "y\\", 2);

    /* no newline at the end (the last line of a stream may lack it), one column */
    char line5[] = "42";
    assert_true(pg_copy_split(line5, strlen(line5), 1, values, lengths));
    assert_int_equal(lengths[0], 2);

    char few[] = "1\t2\n", many[] = "1\t2\t3\t4\n";
    assert_false(pg_copy_split(few, strlen(few), 3, values, lengths));
    assert_false(pg_copy_split(many, strlen(many), 3, values, lengths));
}

static void test_memo(void **state)
{
    (void)state;
    assert_false(pg_copy_memo_has("SELECT big"));
    pg_copy_memo_add("SELECT big");
    assert_true(pg_copy_memo_has("SELECT big"));
    assert_false(pg_copy_memo_has("SELECT big "));
    pg_copy_memo_refuse("SELECT big");
    assert_false(pg_copy_memo_has("SELECT big"));
    pg_copy_memo_add("SELECT big"); /* refused stays refused */
    assert_false(pg_copy_memo_has("SELECT big"));
    pg_copy_memo_refuse("SELECT never large");
    assert_false(pg_copy_memo_has("SELECT never large"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statement),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_memo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
