/*
 * Hostile input to the planner and the wire codec: each case here was found
 * by fuzzing (tests/fuzz) or by the malicious-client suite
 * (tests/integration/test_hostile.py) and fixed; the test keeps it fixed.
 * Hangs are caught by an alarm, memory blow-ups by the peak resident size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "planner/lexer.h"
#include "planner/parser.h"
#include "planner/planner.h"
#include "semantic/catalog.h"
#include "semantic/catalog_internal.h"
#include "semantic/secrets.h"
#include "wire/binary.h"
#include "wire/protocol.h"
#include "wire/utf8.h"

#define FIXTURES "tests/unit/fixtures/hostile"

static catalog *demo;

static int load_demo(void **state)
{
    (void)state;
    char err[1024];
    demo = catalog_load("configs/demo", NULL, err, sizeof err);
    if (!demo)
        fail_msg("cannot load configs/demo: %s", err);
    return 0;
}

static int free_demo(void **state)
{
    (void)state;
    catalog_free(demo);
    return 0;
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "hostile input: the planner did not return within 10 s\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

/* Plans len bytes of sql; a planner that loops forever fails the test run. */
static void plan_text(arena *a, const char *sql, size_t len, action *act)
{
    session_info s = {.cat = demo, .db = "mimir", .user = "u", .autocommit = true};
    signal(SIGALRM, on_alarm);
    alarm(10);
    planner_plan(a, &s, sql, len, act);
    alarm(0);
}

static void expect_error(const char *sql, size_t len, uint16_t code, const char *sqlstate,
                         const char *text)
{
    arena a;
    arena_init(&a);
    action act;
    plan_text(&a, sql, len, &act);
    if (act.kind != ACTION_ERROR)
        fail_msg("'%.60s': no error (want %u)", sql, code);
    if (act.error.code != code || strcmp(act.error.sqlstate, sqlstate) != 0 ||
        !strstr(act.error.message, text))
        fail_msg("'%.60s': %u %s '%s' (want %u %s '...%s...')", sql, act.error.code,
                 act.error.sqlstate, act.error.message, code, sqlstate, text);
    arena_free(&a);
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

/* ---- Found by fuzzing ------------------------------------------------------------------ */

/* The token list ends at a lexer error, where ps_next stops: two loops that
 * waited for EOF or ';' spun forever on a NUL byte (fuzz_sql). */
static void test_loops_stop_at_a_lexer_error(void **state)
{
    (void)state;
    static const char set[] = "SET TRANSACTION ISOLATION LEVEL READ COM,\0\0\0\0\0\0\0MITTED";
    expect_error(set, sizeof set - 1, 1064, "42000", "NUL");
    static const char cast[] = "SELECT CAST(1 AS CHAR(\0";
    expect_error(cast, sizeof cast - 1, 1064, "42000", "NUL");
    static const char cast_unterminated[] = "SELECT CAST(1 AS CHAR('x";
    expect_error(cast_unterminated, sizeof cast_unterminated - 1, 1064, "42000",
                 "unterminated string");
}

/* An empty required value leaked its copy (fuzz_secrets; seen by LeakSanitizer). */
static void test_empty_required_secret_does_not_leak(void **state)
{
    (void)state;
    connection c;
    char err[512];
    assert_false(secrets_load_connection(FIXTURES, "empty_class", &c, err, sizeof err));
    assert_non_null(strstr(err, "'connection_class' is empty"));
    catalog_connection_clear(&c);
}

/* ---- Found by the malicious-client suite ----------------------------------------------- */

/* Each string token took the rest of the statement from the arena: memory in
 * the square of the statement (60,000 IN values took 18 GiB). */
static void test_many_strings_take_linear_memory(void **state)
{
    (void)state;
    size_t n = 60000, cap = n * 16 + 128, len = 0;
    char *sql = malloc(cap);
    len +=
        (size_t)snprintf(sql, cap, "SELECT AGG(orders_count) FROM mimir.metrics WHERE city IN (");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(sql + len, cap - len, "%s'c%zu'", i ? ", " : "", i);
    len += (size_t)snprintf(sql + len, cap - len, ")");
    long before = peak_rss_mb();
    expect_error(sql, len, 1235, "42000", "IN lists of more than 10000 values");
    long grown = peak_rss_mb() - before;
    free(sql);
    if (grown > 200)
        fail_msg("planning a 60,000-value IN list grew the peak memory by %ld MiB", grown);
}

/* A statement of a million tokens stops at the lexer's limit. */
static void test_token_limit(void **state)
{
    (void)state;
    size_t n = LEXER_MAX_TOKENS, len = 0;
    char *sql = malloc(2 * n + 32);
    /* An IN list: the parser reads on to the lexer's error (a select list
     * would stop at its own limit first). */
    len += (size_t)sprintf(sql, "SELECT 1 IN (1");
    for (size_t i = 0; i < n; i++) {
        sql[len++] = ',';
        sql[len++] = '1';
    }
    long before = peak_rss_mb();
    expect_error(sql, len, 1064, "42000", "statement too long: more than 500000 tokens");
    free(sql);
    long grown = peak_rss_mb() - before;
    if (grown > 300)
        fail_msg("a statement at the token limit grew the peak memory by %ld MiB", grown);
}

static void test_select_list_limit(void **state)
{
    (void)state;
    size_t n = PARSER_MAX_COLUMNS + 1, len = 0;
    char *sql = malloc(2 * n + 16);
    len += (size_t)sprintf(sql, "SELECT 1");
    for (size_t i = 1; i < n; i++) {
        sql[len++] = ',';
        sql[len++] = '1';
    }
    expect_error(sql, len, 1235, "42000", "select lists of more than 4096 columns");
    /* At the limit it is answered. */
    arena a;
    arena_init(&a);
    action act;
    plan_text(&a, sql, len - 2, &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    assert_int_equal(act.rows.ncols, PARSER_MAX_COLUMNS);
    arena_free(&a);
    free(sql);
}

static void test_invalid_utf8_is_1300(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "SELECT AGG(orders_count) FROM mimir.metrics WHERE city = '\xff\xfe'",
        "SELECT `\xc3\x28` FROM mimir.metrics",
        "SELECT '\xed\xa0\x80'",     /* a UTF-16 surrogate */
        "SELECT '\xc0\xaf'",         /* an overlong '/' */
        "SELECT '\xf4\x90\x80\x80'", /* above U+10FFFF */
        "SELECT 'caf\xe9'",          /* Latin-1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(cases[i], strlen(cases[i]), 1300, "HY000",
                     "Invalid utf8mb4 character string: '");
    expect_error(cases[0], strlen(cases[0]), 1300, "HY000",
                 "'FFFE27' (at byte 58 of the statement");
}

static void test_invalid_utf8_parameter_is_1300(void **state)
{
    (void)state;
    session_info s = {.cat = demo, .db = "mimir", .user = "u", .autocommit = true};
    static const char sql[] = "SELECT AGG(orders_count) FROM mimir.metrics WHERE city = ?";
    param_value p = {LIT_STRING, "\xff", 1};
    arena a;
    arena_init(&a);
    action act;
    planner_plan_params(&a, &s, sql, sizeof sql - 1, &p, 1, &act);
    assert_int_equal(act.kind, ACTION_ERROR);
    assert_int_equal(act.error.code, 1300);
    assert_non_null(strstr(act.error.message, "of the parameter"));
    arena_free(&a);
}

/* `a\0b` was read as `a`. */
static void test_nul_in_quoted_identifier(void **state)
{
    (void)state;
    static const char sql[] = "SELECT `city\0x` FROM mimir.metrics";
    expect_error(sql, sizeof sql - 1, 1064, "42000", "NUL byte in a quoted identifier");
}

/* ---- Wire: decoders factored out of the session, and UTF-8 ------------------------------- */

static void test_field_list_decoder(void **state)
{
    (void)state;
    const uint8_t *t, *w;
    size_t tl, wl;
    static const uint8_t with_wild[] = "\x04orders\0ci%";
    assert_true(wire_parse_field_list(with_wild, sizeof with_wild - 1, &t, &tl, &w, &wl));
    assert_int_equal(tl, 6);
    assert_memory_equal(t, "orders", 6);
    assert_int_equal(wl, 3);
    assert_memory_equal(w, "ci%", 3);
    static const uint8_t bare[] = "\x04orders";
    assert_true(wire_parse_field_list(bare, sizeof bare - 1, &t, &tl, &w, &wl));
    assert_int_equal(tl, 6);
    assert_null(w);
    static const uint8_t empty_wild[] = "\x04t\0";
    assert_true(wire_parse_field_list(empty_wild, sizeof empty_wild - 1, &t, &tl, &w, &wl));
    assert_int_equal(tl, 1);
    assert_non_null(w);
    assert_int_equal(wl, 0);
    assert_false(wire_parse_field_list(bare, 0, &t, &tl, &w, &wl));
}

static void test_small_command_decoders(void **state)
{
    (void)state;
    uint16_t option;
    assert_true(wire_parse_set_option((const uint8_t *)"\x1b\x01\x00", 3, &option));
    assert_int_equal(option, 1);
    assert_false(wire_parse_set_option((const uint8_t *)"\x1b\x01", 2, &option));
    uint32_t id;
    assert_true(wire_parse_stmt_id((const uint8_t *)"\x19\x07\x00\x00\x01", 5, &id));
    assert_int_equal(id, 0x01000007);
    assert_false(wire_parse_stmt_id((const uint8_t *)"\x19\x07\x00\x00", 4, &id));
    wire_stmt_long_data ld;
    static const uint8_t long_data[] = "\x18\x02\x00\x00\x00\x01\x00"
                                       "abc";
    assert_true(wire_parse_stmt_long_data(long_data, sizeof long_data - 1, &ld));
    assert_int_equal(ld.stmt_id, 2);
    assert_int_equal(ld.param, 1);
    assert_int_equal(ld.data_len, 3);
    assert_memory_equal(ld.data, "abc", 3);
    assert_false(wire_parse_stmt_long_data(long_data, 6, &ld));
    assert_true(wire_parse_stmt_long_data(long_data, 7, &ld));
    assert_int_equal(ld.data_len, 0);
}

typedef struct utf8_case {
    const char *s;
    size_t valid; /* length of the well-formed prefix */
} utf8_case;

static void test_utf8_validation(void **state)
{
    (void)state;
    static const utf8_case cases[] = {
        {"plain ascii", 11},
        {"caf\xc3\xa9", 5},
        {"\xe2\x82\xac", 3},      /* euro sign */
        {"\xf0\x9f\x98\x80", 4},  /* U+1F600 */
        {"\xf4\x8f\xbf\xbf", 4},  /* U+10FFFF */
        {"a\xf4\x90\x80\x80", 1}, /* above U+10FFFF */
        {"a\xc0\xaf", 1},         /* overlong */
        {"a\xe0\x80\xaf", 1},     /* overlong, 3 bytes */
        {"a\xf0\x80\x80\xaf", 1}, /* overlong, 4 bytes */
        {"a\xed\xa0\x80", 1},     /* surrogate */
        {"ab\x80", 2},            /* lone continuation */
        {"ab\xc3", 2},            /* truncated */
        {"ab\xe2\x82", 2},        /* truncated */
        {"\xf5\x80\x80\x80", 0},
        {"\xff", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got = utf8_valid_prefix((const uint8_t *)cases[i].s, strlen(cases[i].s));
        if (got != cases[i].valid)
            fail_msg("case %zu: prefix %zu, want %zu", i, got, cases[i].valid);
    }
    buf b;
    buf_init(&b);
    utf8_append_sanitized(&b, (const uint8_t *)"a\xff\xc3\xa9\xc3", 5);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "a?\xc3\xa9?", 5);
    buf_free(&b);
}

/* An error message quoting what a client sent stays UTF-8 on the wire. */
static void test_err_message_is_utf8(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    uint8_t seq = 1;
    wire_write_err(&b, &seq, 1049, "42000", "Unknown database '\xff\xfe'");
    static const char want[] = "Unknown database '\?\?'";
    size_t msg_len = b.len - 4 - 9;
    assert_int_equal(msg_len, sizeof want - 1);
    assert_memory_equal(b.data + 4 + 9, want, msg_len);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loops_stop_at_a_lexer_error),
        cmocka_unit_test(test_empty_required_secret_does_not_leak),
        cmocka_unit_test(test_many_strings_take_linear_memory),
        cmocka_unit_test(test_token_limit),
        cmocka_unit_test(test_select_list_limit),
        cmocka_unit_test(test_invalid_utf8_is_1300),
        cmocka_unit_test(test_invalid_utf8_parameter_is_1300),
        cmocka_unit_test(test_nul_in_quoted_identifier),
        cmocka_unit_test(test_field_list_decoder),
        cmocka_unit_test(test_small_command_decoders),
        cmocka_unit_test(test_utf8_validation),
        cmocka_unit_test(test_err_message_is_utf8),
    };
    return cmocka_run_group_tests(tests, load_demo, free_demo);
}
