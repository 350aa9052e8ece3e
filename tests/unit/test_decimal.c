/*
 * proxy/exec/decimal.c and proxy/exec/combine_functions.c: exact decimal
 * arithmetic with MySQL's rules, as the final stage runs it in SQLite. The
 * expected values are MariaDB 10.11's answers to the same SELECT (with
 * literals: 1.5 is a DECIMAL, 1e0 a DOUBLE, 7 a BIGINT).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/exec/combine.h"
#include "proxy/exec/decimal.h"

static void test_parse_and_format(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"6.99", "6.99"},
        {"-0.05", "-0.05"},
        {"+12", "12"},
        {" 1.50 ", "1.50"},
        {".5", "0.5"},
        {"0", "0"},
        {"-0.000", "0.000"},
        {"12345678901234567890123456789012345678", "12345678901234567890123456789012345678"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        decimal d;
        char out[DECIMAL_TEXT_MAX];
        assert_true(decimal_parse(cases[i].in, strlen(cases[i].in), &d));
        decimal_format(&d, out);
        assert_string_equal(out, cases[i].out);
    }
    static const char *const bad[] = {
        "", "-", "1e5", "abc", "1.2.3", "1 2", "123456789012345678901234567890123456789012"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        decimal d;
        assert_false(decimal_parse(bad[i], strlen(bad[i]), &d));
    }
}

static void test_rescale_rounds_half_away_from_zero(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int scale;
        decimal_rounding how;
        const char *out;
    } cases[] = {
        {"382.5", 0, DECIMAL_ROUND_HALF_AWAY, "383"},
        {"-382.5", 0, DECIMAL_ROUND_HALF_AWAY, "-383"},
        {"416.08", 1, DECIMAL_ROUND_HALF_AWAY, "416.1"},
        {"416.08", 4, DECIMAL_ROUND_HALF_AWAY, "416.0800"},
        {"416.08", -1, DECIMAL_ROUND_HALF_AWAY, "420"},
        {"-15", -1, DECIMAL_ROUND_HALF_AWAY, "-20"},
        {"416.58", 0, DECIMAL_TRUNCATE, "416"},
        {"-416.58", 1, DECIMAL_TRUNCATE, "-416.5"},
        {"416.58", -1, DECIMAL_TRUNCATE, "410"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        decimal d;
        char out[DECIMAL_TEXT_MAX];
        assert_true(decimal_parse(cases[i].in, strlen(cases[i].in), &d));
        assert_true(decimal_rescale(&d, cases[i].scale, cases[i].how));
        decimal_format(&d, out);
        assert_string_equal(out, cases[i].out);
    }
}

/* One SELECT in a combine's database, where the exact functions are registered. */
static void select_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, n, "%s", t ? (const char *)t : "NULL");
    } else {
        snprintf(out, n, "ERROR: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
}

static void test_functions_match_mariadb(void **state)
{
    (void)state;
    static const struct {
        const char *expr, *want;
    } cases[] = {
        /* values as the combine holds them: DECIMAL text, BIGINT integers, DOUBLE reals */
        {"mimir_add('6.99', '409.09')", "416.08"},
        {"mimir_mul('416.08', 2)", "832.16"},
        {"mimir_mul('416.08', '1.5')", "624.120"},
        {"mimir_sub('416.08', 4)", "412.08"},
        {"mimir_div('416.08', 4)", "104.020000000"}, /* sent as 104.020000 (scale 2 + 4) */
        {"mimir_div(2, 3)", "0.666666666"},          /* truncated inner precision, as MySQL */
        {"mimir_mul(mimir_div(2, 3), 3000000000)", "1999999998.000000000"},
        {"mimir_div(1, 0)", "NULL"},
        {"mimir_mod('416.08', 1000)", "416.08"},
        {"mimir_mod('416.08', 7)", "3.08"},
        {"mimir_mod(-7, 3)", "-1"},
        {"mimir_mod('7.5', -2)", "1.5"},
        {"mimir_mod(7, 0)", "NULL"},
        {"mimir_intdiv(7, 2)", "3"},
        {"mimir_intdiv(-7, 2)", "-3"},
        {"mimir_intdiv('7.5', 2)", "3"},
        {"mimir_round('382.5')", "383"},
        {"mimir_round(mimir_div(mimir_mul('38250', 100), 10000))", "383"},
        {"mimir_round(2.5)", "2.0"}, /* a DOUBLE rounds to even, as MariaDB */
        {"mimir_round(5, -1)", "10"},
        {"mimir_round(-15, -1)", "-20"},
        {"mimir_truncate('416.58', 1)", "416.5"},
        {"mimir_truncate(2.57, 1)", "2.5"},
        {"mimir_floor('-416.08')", "-417"},
        {"mimir_ceil('416.08')", "417"},
        {"mimir_floor(7)", "7"},
        {"mimir_greatest('416.08', 5000)", "5000"},
        {"mimir_greatest('99.5', '100.25')", "100.25"},
        {"mimir_least('99.5', 100, NULL)", "NULL"},
        {"mimir_cast_signed('67416.51')", "67417"},
        {"mimir_cast_signed('-2.5')", "-3"},
        {"mimir_cast_signed(2.5)", "2"},
        {"mimir_cast_decimal('67416.51', 14, 1)", "67416.5"},
        {"mimir_cast_decimal('1234.5', 3, 1)", "99.9"},
        {"mimir_cast_decimal('-1234.5', 3, 1)", "-99.9"},
        {"mimir_display(mimir_div(2, 3), 4)", "0.6667"}, /* as MySQL shows and compares it */
        {"mimir_display('0.666666666', -1)", "0.666666666"},
        {"mimir_display(7, 4)", "7"},
        /* one representation for every value of a DECIMAL expression (COALESCE(m, 0)) */
        {"mimir_as_decimal(0, 2)", "0.00"},
        {"typeof(mimir_as_decimal(0, 2))", "text"},
        {"mimir_as_decimal('5.5', 2)", "5.50"},
        {"mimir_as_decimal('0.666666666', 4)", "0.666666666"}, /* a quotient's inner digits */
        {"mimir_as_decimal(1.5, 2)", "1.50"},                  /* a DECIMAL join key (REAL) */
        {"mimir_as_decimal(0, -1)", "0"},                      /* no DECIMAL: as it is */
        {"typeof(mimir_as_decimal(0, NULL))", "integer"},
        {"mimir_as_decimal('Action', 2)", "Action"},
        {"mimir_as_decimal(NULL, 2)", "NULL"},
        {"typeof(mimir_as_decimal('0.5', -2))", "real"}, /* COALESCE(a DOUBLE, 0.5) */
        {"typeof(mimir_as_decimal(3, -2))", "real"},
        {"mimir_nullif('0.00', 0)", "NULL"}, /* equal as numbers */
        {"mimir_nullif('1.00', '1')", "NULL"},
        {"mimir_nullif('0.50', 0)", "0.50"},
        {"mimir_nullif(NULL, 0)", "NULL"},
        {"mimir_nullif(7, NULL)", "7"},
        {"mimir_neg('416.08')", "-416.08"},
        {"mimir_abs('-416.08')", "416.08"},
        {"mimir_cmp('100.25', 99)", "1"},
        {"mimir_cmp('99.50', '99.5')", "0"},
        {"mimir_cmp(NULL, 1)", "NULL"},
        {"mimir_add('1.5', 1.0)", "2.5"}, /* DOUBLE wins */
        {"(SELECT mimir_sum(v) FROM (SELECT '6.99' AS v UNION ALL SELECT '409.09'))", "416.08"},
        {"(SELECT mimir_sum(v) FROM (SELECT 3 AS v UNION ALL SELECT 4))", "7"},
        {"(SELECT mimir_avg(v) FROM (SELECT 3 AS v))", "3.000000000"},
        /* As window functions: a moving frame takes rows back out exactly. */
        {"(SELECT group_concat(s, ' ') FROM (SELECT mimir_sum(v) OVER (ORDER BY k ROWS 1 "
         "PRECEDING) AS s FROM (SELECT 1 AS k, '0.10' AS v UNION ALL SELECT 2, '0.20' UNION ALL "
         "SELECT 3, '0.30' UNION ALL SELECT 4, NULL)))",
         "0.10 0.30 0.50 0.30"},
        {"(SELECT group_concat(s, ' ') FROM (SELECT mimir_avg(v) OVER (ORDER BY k ROWS BETWEEN "
         "CURRENT ROW AND 1 FOLLOWING) AS s FROM (SELECT 1 AS k, '1.5' AS v UNION ALL SELECT 2, "
         "'2.5' UNION ALL SELECT 3, NULL)))",
         "2.000000000 2.500000000"},
        {"(SELECT max(v COLLATE mimir_decimal) FROM (SELECT '99.5' AS v UNION ALL "
         "SELECT '100.25'))",
         "100.25"},
        {"mimir_mul('100000000000000000000', '100000000000000000000')",
         "ERROR: DECIMAL value is out of range: an exact result needs more than 38 digits"},
        {"mimir_mul(9223372036854775807, 2)", "ERROR: BIGINT value is out of range"},
    };
    char err[256];
    combine *c = combine_new(1, err, sizeof err);
    assert_non_null(c);
    sqlite3 *db = combine_db(c);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char sql[512], got[256];
        snprintf(sql, sizeof sql, "SELECT %s", cases[i].expr);
        select_text(db, sql, got, sizeof got);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s: got %s, want %s", cases[i].expr, got, cases[i].want);
    }
    combine_free(c);
}

/* DECIMAL values are kept as text, padded to their column's scale, sorted as numbers. */
static void test_combine_keeps_decimals_exact(void **state)
{
    (void)state;
    static const char *const names[] = {"d0", "m0"};
    static const result_column cols[] = {{.name = "d", .type = VT_INT64},
                                         {.name = "m", .type = VT_DECIMAL, .decimals = -1}};
    char err[256];
    combine *c = combine_new(1, err, sizeof err);
    assert_true(combine_create(c, 0, names, cols, 2, 1, err, sizeof err));
    const char *rows[][2] = {{"1", "6.99"}, {"2", "10.5"}, {"3", "0.1"}};
    for (size_t i = 0; i < 3; i++) {
        size_t lengths[] = {strlen(rows[i][0]), strlen(rows[i][1])};
        assert_true(combine_insert(c, 0, rows[i], lengths, err, sizeof err));
    }
    assert_int_equal(combine_scale(c, 0, 1), 2);
    sqlite3_stmt *st = combine_prepare(
        c, "SELECT group_concat(\"m0\", ' ') FROM (SELECT \"m0\" FROM \"s0\" ORDER BY 1)", NULL, 0,
        err, sizeof err);
    assert_non_null(st);
    combine_index(c, 0); /* on a worker, before the first step: pads */
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    /* as numbers: the column's collation */
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "0.10 6.99 10.50");
    sqlite3_finalize(st);
    char out[64];
    combine_decimal_text("416.0800000", 11, 4, out);
    assert_string_equal(out, "416.0800");
    combine_decimal_text("104.020000000", 13, 6, out);
    assert_string_equal(out, "104.020000");
    combine_free(c);
}

/*
 * A value already at its column's scale goes out as it came (combine_decimal_text's
 * shortcut): for every text, what it returns is what parsing, rescaling and printing
 * gives, the shortcut's or not (a '-' before zero, leading zeros, another scale, an
 * exponent, 38 and 39 digits).
 */
static void test_decimal_text_as_formatted(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int scale;
    } cases[] = {
        {"12.34", 2},
        {"-0.50", 2},
        {"0.00", 2},
        {"-0.00", 2},
        {"007.10", 2},
        {"1.5", 2},
        {"1.005", 2},
        {"-1.005", 2},
        {"2", 0},
        {"-0", 0},
        {"0", 0},
        {"10", 0},
        {"2.", 0},
        {"1e3", 1},
        {".5", 1},
        {"-12", 3},
        {"123456789012345678901234567890.12345678", 8},
        {"1234567890123456789012345678901.12345678", 8},
        {"99999999999999999999999999999999999999", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *t = cases[i].text;
        char got[64], want[64];
        size_t n = combine_decimal_text(t, strlen(t), cases[i].scale, got);
        assert_int_equal(n, strlen(got));
        decimal d;
        if (decimal_parse(t, strlen(t), &d) &&
            decimal_rescale(&d, cases[i].scale, DECIMAL_ROUND_HALF_AWAY)) {
            decimal_format(&d, want);
        } else {
            snprintf(want, sizeof want, "%.*f", cases[i].scale, strtod(t, NULL));
        }
        if (strcmp(got, want) != 0)
            fail_msg("%s at scale %d: \"%s\", formatted \"%s\"", t, cases[i].scale, got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_rescale_rounds_half_away_from_zero),
        cmocka_unit_test(test_functions_match_mariadb),
        cmocka_unit_test(test_combine_keeps_decimals_exact),
        cmocka_unit_test(test_decimal_text_as_formatted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
