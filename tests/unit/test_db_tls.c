/*
 * TLS to the databases (proxy/backend/db_tls.c): the words put before a
 * library's connect error, from the messages libpq 15 and libmariadb 3.3
 * really give (tests/integration/test_backend_tls.py sees them end to end),
 * and the libmariadb options each ssl_mode sets, read back from the handle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "proxy/backend/db_tls.h"

static void test_explain(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"SSL error: certificate verify failed", "server certificate verification failed"},
        {"server certificate for \"127.0.0.1\" (and 1 other name) does not match host name "
         "\"db.example.invalid\"",
         "server certificate verification failed"},
        {"ERROR 2026 (HY000): TLS/SSL error: self-signed certificate in certificate chain",
         "server certificate verification failed"},
        {"ERROR 2026 (HY000): TLS/SSL error: Validation of SSL server certificate failed",
         "server certificate verification failed"},
        {"FATAL:  connection requires a valid client certificate", "client certificate refused"},
        {"ERROR 2026 (HY000): TLS/SSL error: SSL is required, but the server does not support it",
         "TLS failed"},
        {"FATAL:  password authentication failed for user \"mimir_pw\"", NULL},
        {"ERROR 1045 (28000): Access denied for user 'u'@'h' (using password: YES)", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[512], want[512];
        db_tls_explain(out, sizeof out, cases[i][0]);
        if (cases[i][1])
            snprintf(want, sizeof want, "%s: %s", cases[i][1], cases[i][0]);
        else
            snprintf(want, sizeof want, "%s", cases[i][0]);
        assert_string_equal(out, want);
    }
}

static my_bool option(MYSQL *m, enum mysql_option o)
{
    my_bool v = 0;
    assert_int_equal(mysql_get_optionv(m, o, &v), 0);
    return v;
}

static void test_mysql_options(void **state)
{
    (void)state;
    static const struct {
        const char *mode;
        my_bool enforce, verify_name;
    } cases[] = {
        {NULL, 0, 0},       {"disabled", 0, 0},  {"preferred", 1, 0},
        {"required", 1, 0}, {"verify_ca", 1, 0}, {"verify_identity", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        connection c = {.kind = CONN_MYSQL, .sslmode = (char *)cases[i].mode};
        if (cases[i].mode && strncmp(cases[i].mode, "verify_", 7) == 0)
            c.ssl_ca = "/nonexistent/ca.pem"; /* only stored: read when connecting */
        MYSQL *m = mysql_init(NULL);
        assert_non_null(m);
        assert_true(my_tls_configure(m, &c));
        assert_int_equal(option(m, MYSQL_OPT_SSL_ENFORCE), cases[i].enforce);
        assert_int_equal(option(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT), cases[i].verify_name);
        const char *ca = NULL;
        assert_int_equal(mysql_get_optionv(m, MYSQL_OPT_SSL_CA, &ca), 0);
        if (c.ssl_ca)
            assert_string_equal(ca, c.ssl_ca);
        else
            assert_null(ca);
        mysql_close(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_mysql_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
