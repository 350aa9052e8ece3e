/*
 * proxy/obs/json_out.c (JSON strings from any bytes), proxy/obs/stats.c (histograms
 * and the Prometheus text format) and proxy/obs/query_log.c's record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/obs/json_out.h"
#include "proxy/obs/query_log.h"
#include "proxy/obs/stats.h"

typedef struct escape_case {
    const char *in;
    size_t len;
    const char *out;
} escape_case;

#define CASE(lit, out)                                                                             \
    {                                                                                              \
        lit, sizeof(lit) - 1, out                                                                  \
    }

static const escape_case escapes[] = {
    CASE("", "\"\""),
    CASE("plain text", "\"plain text\""),
    CASE("say \"hi\"", "\"say \\\"hi\\\"\""),
    CASE("back\\slash", "\"back\\\\slash\""),
    CASE("a\nb\rc\td\be\ff", "\"a\\nb\\rc\\td\\be\\ff\""),
    CASE("nul\0x", "\"nul\\u0000x\""),
    CASE("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""),
    CASE("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
         "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""),
    /* Latin-1 e-acute: not UTF-8. */
    CASE("caf\xe9", "\"caf\\ufffd\""),
    /* A stray continuation byte, an overlong '/', a surrogate, beyond U+10FFFF. */
    CASE("\x80", "\"\\ufffd\""),
    CASE("\xc0\xaf", "\"\\ufffd\\ufffd\""),
    CASE("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""),
    CASE("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""),
    /* A sequence cut short by the end of the text, then by an ASCII byte. */
    CASE("\xe2\x82", "\"\\ufffd\\ufffd\""),
    CASE("\xe2x", "\"\\ufffdx\""),
    CASE("\xff\xfe", "\"\\ufffd\\ufffd\""),
};

static void test_json_escaping(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
        buf b;
        buf_init(&b);
        json_append_string(&b, escapes[i].in, escapes[i].len);
        assert_string_equal(buf_cstr(&b), escapes[i].out);
        buf_free(&b);
    }
}

static void test_json_null_and_ms(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    json_append_cstr(&b, NULL);
    buf_append_byte(&b, ',');
    json_append_ms(&b, -1);
    buf_append_byte(&b, ',');
    json_append_ms(&b, 12.34567);
    buf_append_byte(&b, ',');
    json_append_ms(&b, 0);
    assert_string_equal(buf_cstr(&b), "null,null,12.346,0.000");
    buf_free(&b);
}

/* Every byte value alone and after a lead byte: the output never holds a raw
 * control character nor an unescaped quote. */
static void test_json_any_bytes(void **state)
{
    (void)state;
    for (int a = 0; a < 256; a++) {
        for (int c = 0; c < 256; c += 7) {
            char in[3] = {(char)a, (char)c, '"'};
            buf b;
            buf_init(&b);
            json_append_string(&b, in, sizeof in);
            const char *s = buf_cstr(&b);
            size_t n = strlen(s);
            assert_true(n >= 2 && s[0] == '"' && s[n - 1] == '"');
            for (size_t k = 1; k + 1 < n; k++) {
                assert_true((unsigned char)s[k] >= 0x20 && s[k] != 0x7f);
                if (s[k] == '\\')
                    k++; /* the escaped character */
                else
                    assert_true(s[k] != '"');
            }
            buf_free(&b);
        }
    }
}

static void test_histogram_buckets(void **state)
{
    (void)state;
    histogram h = {0};
    double values[] = {0.0005, 0.001, 0.002, 0.05, 0.7, 12, 100};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        histogram_observe(&h, values[i]);
    assert_int_equal(h.count, 7);
    assert_int_equal(h.buckets[0], 2); /* <= 0.001 (the bound is inclusive) */
    assert_int_equal(h.buckets[1], 1); /* <= 0.005 */
    assert_int_equal(h.buckets[3], 1); /* <= 0.05 */
    assert_int_equal(h.buckets[6], 1); /* <= 1 */
    assert_int_equal(h.buckets[8], 0); /* <= 10: 12 and 100 are only in +Inf */
    assert_true(h.sum > 112.75 && h.sum < 112.76);
}

static void test_prometheus_rendering(void **state)
{
    (void)state;
    server_stats st = {0};
    st.connections_total = 5;
    st.connections_rejected = 1;
    st.queries[QUERY_OK] = 3;
    st.queries[QUERY_TIMEOUT] = 1;
    histogram_observe(&st.query_duration, 0.002);
    histogram_observe(&st.query_duration, 0.3);
    histogram_observe(&st.query_duration, 60);
    source_stats *s = stats_source(&st, "we\"ird\\src\nname");
    assert_ptr_equal(stats_source(&st, "we\"ird\\src\nname"), s);
    histogram_observe(&s->backend, 0.02);
    s->rows = 42;
    st.cache_hits = 7;
    st.bytes_out = 1234;
    st.reloads_ok = 2;
    st.catalog_generation = 3;
    pool_gauge pools[] = {{.connection = "pg", .idle = 2, .busy = 1, .waiting = 4}};
    stats_gauges g = {.connections = 2, .pools = pools, .npools = 1, .uptime_s = 10};
    buf b;
    buf_init(&b);
    stats_render_prometheus(&st, &g, &b);
    const char *text = buf_cstr(&b);
    static const char *const expected[] = {
        "# TYPE mimir_connections gauge\nmimir_connections 2\n",
        "# TYPE mimir_connections_total counter\nmimir_connections_total 5\n",
        "mimir_connections_rejected_total 1\n",
        "mimir_queries_total{status=\"ok\"} 3\n",
        "mimir_queries_total{status=\"timeout\"} 1\n",
        "mimir_queries_total{status=\"disconnected\"} 0\n",
        "# TYPE mimir_query_duration_seconds histogram\n",
        "mimir_query_duration_seconds_bucket{le=\"0.001\"} 0\n"
        "mimir_query_duration_seconds_bucket{le=\"0.005\"} 1\n",
        "mimir_query_duration_seconds_bucket{le=\"0.1\"} 1\n"
        "mimir_query_duration_seconds_bucket{le=\"0.5\"} 2\n",
        "mimir_query_duration_seconds_bucket{le=\"10\"} 2\n"
        "mimir_query_duration_seconds_bucket{le=\"+Inf\"} 3\n"
        "mimir_query_duration_seconds_sum 60.302",
        "mimir_query_duration_seconds_count 3\n",
        "mimir_backend_query_duration_seconds_bucket{source=\"we\\\"ird\\\\src\\nname\",le="
        "\"0.05\"} 1\n",
        "mimir_backend_query_duration_seconds_count{source=\"we\\\"ird\\\\src\\nname\"} 1\n",
        "mimir_backend_rows_total{source=\"we\\\"ird\\\\src\\nname\"} 42\n",
        "mimir_pool_connections{connection=\"pg\",state=\"idle\"} 2\n"
        "mimir_pool_connections{connection=\"pg\",state=\"busy\"} 1\n",
        "mimir_pool_waiting{connection=\"pg\"} 4\n",
        "mimir_cache_hits_total 7\n",
        "mimir_cache_misses_total 0\n",
        "mimir_bytes_out_total 1234\n",
        "mimir_reloads_total{result=\"ok\"} 2\n",
        "mimir_catalog_generation 3\n",
    };
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        if (!strstr(text, expected[i]))
            fail_msg("missing:\n%s\n--- in:\n%s", expected[i], text);
    }
    /* Every sample belongs to the family of the TYPE line above it, and that
     * TYPE line follows its HELP line; every line ends in \n. */
    assert_int_equal(text[b.len - 1], '\n');
    char family[128] = "", help[128] = "";
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        assert_non_null(nl);
        if (sscanf(line, "# HELP %127s", help) == 1) {
        } else if (sscanf(line, "# TYPE %127s", family) == 1) {
            assert_string_equal(family, help);
        } else {
            size_t n = strlen(family);
            assert_true(n > 0 && strncmp(line, family, n) == 0);
            const char *rest = line + n;
            assert_true(*rest == ' ' || *rest == '{' || strncmp(rest, "_bucket{", 8) == 0 ||
                        strncmp(rest, "_sum", 4) == 0 || strncmp(rest, "_count", 6) == 0);
        }
        line = nl + 1;
    }
    buf_free(&b);
    stats_free(&st);
}

static void test_query_record(void **state)
{
    (void)state;
    source src = {.name = "rentals"};
    connection conn = {.name = "pagila_postgres"};
    atomic_query queries[] = {{.src = &src, .conn = &conn}};
    plan_column cols[] = {
        {.name = "dim_rental_category", .org_name = "dim_rental_category"},
        {.name = "m", .org_name = "movies_rented", .is_metric = true},
        {.name = "m2", .org_name = "movies_rented", .is_metric = true},
    };
    plan p = {.queries = queries, .nqueries = 1, .cols = cols, .ncols = 3};
    query_log_source sources[] = {{.backend_ms = 12.3, .rows = 16}};
    query_log q = {.active = true,
                   .statement = "select",
                   .plan = &p,
                   .sources = sources,
                   .nsources = 1,
                   .combine_ms = -1,
                   .rows = 16,
                   .cache = "off",
                   .sql = "SELECT 'secret'"};
    query_log_who who = {.conn = 12,
                         .user = "ana\"lyst",
                         .client = "127.0.0.1:53122",
                         .level = "info",
                         .ts = "2026-11-22T02:00:00.123Z"};
    buf b;
    buf_init(&b);
    query_log_render(&b, &q, &who, QUERY_OK, 14.1, 1234, false);
    assert_string_equal(
        buf_cstr(&b),
        "{\"ts\":\"2026-11-22T02:00:00.123Z\",\"level\":\"info\",\"event\":\"query\",\"conn\":12,"
        "\"user\":\"ana\\\"lyst\",\"client\":\"127.0.0.1:53122\",\"protocol\":\"mysql\","
        "\"statement\":\"select\","
        "\"metrics\":[\"movies_rented\"],\"dimensions\":[\"dim_rental_category\"],"
        "\"sources\":[{\"name\":\"rentals\",\"connection\":\"pagila_postgres\","
        "\"backend_ms\":12.300,\"rows\":16,\"rollup\":null}],\"rollup\":null,"
        "\"combine_ms\":null,\"total_ms\":14.100,"
        "\"rows\":16,\"bytes\":1234,\"cache\":\"off\",\"status\":\"ok\",\"error_code\":0,"
        "\"error\":null}");
    /* answered from a rollup: named on its source and on the record */
    buf_reset(&b);
    queries[0].rollup = "rentals_monthly";
    query_log_render(&b, &q, &who, QUERY_OK, 14.1, 1234, false);
    assert_non_null(strstr(buf_cstr(&b), "\"rows\":16,\"rollup\":\"rentals_monthly\"}],"
                                         "\"rollup\":\"rentals_monthly\","));
    queries[0].rollup = NULL;
    buf_reset(&b);
    q.error_code = 3024;
    snprintf(q.error, sizeof q.error, "time \"out\"");
    who.protocol = "http";
    query_log_render(&b, &q, &who, QUERY_TIMEOUT, 1.5, 0, true);
    const char *s = buf_cstr(&b);
    assert_non_null(strstr(s, "\"client\":\"127.0.0.1:53122\",\"protocol\":\"http\","));
    assert_non_null(strstr(s, "\"status\":\"timeout\",\"error_code\":3024,"
                              "\"error\":\"time \\\"out\\\"\",\"sql\":\"SELECT 'secret'\"}"));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_escaping),        cmocka_unit_test(test_json_null_and_ms),
        cmocka_unit_test(test_json_any_bytes),       cmocka_unit_test(test_histogram_buckets),
        cmocka_unit_test(test_prometheus_rendering), cmocka_unit_test(test_query_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
