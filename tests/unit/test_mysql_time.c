/*
 * MySQL's reading of times from text: STR_TO_DATE (planner/str_to_date.h)
 * with the examples of MySQL 8's reference manual ("Date and Time Functions",
 * STR_TO_DATE) and Metabase's and Superset's formats, and strings read as a
 * DATETIME and DATE_FORMAT (planner/mysql_time.h). The same functions are checked against a real
 * MariaDB through SQLite sources in tests/integration/test_functions.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "planner/mysql_time.h"
#include "planner/str_to_date.h"

typedef struct case_ {
    const char *value, *format, *want; /* want NULL: MySQL answers NULL */
} case_;

static const case_ str_to_date_cases[] = {
    /* The reference manual's examples (MySQL 8.0, STR_TO_DATE). */
    {"01,5,2013", "%d,%m,%Y", "2013-05-01"},
    {"May 1, 2013", "%M %d,%Y", "2013-05-01"},
    {"a09:30:17", "a%h:%i:%s", "09:30:17"},
    {"a09:30:17", "%h:%i:%s", NULL},
    {"09:30:17a", "%h:%i:%s", "09:30:17"},
    {"abc", "abc", NULL},
    {"9", "%m", NULL}, /* '0000-09-00': a zero day is NULL under MySQL 8's sql_mode */
    {"9", "%s", "00:00:09"},
    {"200442 Monday", "%X%V %W", "2004-10-18"},
    /* What the tools send. */
    {"2022-03-01 00:00:00.000000", "%Y-%m-%d %H:%i:%s.%f", "2022-03-01 00:00:00.000000"},
    {"2022-03-01 00:00:00", "%Y-%m-%d %H:%i:%s", "2022-03-01 00:00:00"},
    {"2022-4-01", "%Y-%m-%d", "2022-04-01"},
    {"202209 Sunday", "%X%V %W", "2022-02-27"},
    {"202201 Sunday", "%X%V %W", "2022-01-02"},
    {"2021-12-31 11:59:59 PM", "%Y-%m-%d %r", "2021-12-31 23:59:59"},
    {"12:00:00 AM", "%r", "00:00:00"},
    {"13:00 PM", "%h:%i %p", NULL},
    {"2021-11-01 03:37 PM", "%Y-%m-%d %h:%i %p", "2021-11-01 15:37:00"},
    {"12:05   am", "%h:%i %p", "00:05:00"},
    {"1st March 2024", "%D %M %Y", "2024-03-01"},
    {"Mar 5 24", "%b %e %y", "2024-03-05"},
    {"2024 060", "%Y %j", "2024-02-29"},
    {"2022-02-30", "%Y-%m-%d", NULL},
    {"2022-13-01", "%Y-%m-%d", NULL},
    {"2022-01-01 12:34:56.5", "%Y-%m-%d %H:%i:%s.%f", "2022-01-01 12:34:56.500000"},
    {"2022 5 3", "%x %v %w", "2022-02-02"},
    {"50%", "%s%%", "00:00:50"},
};

static void test_str_to_date(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(str_to_date_cases) / sizeof(str_to_date_cases[0]); i++) {
        const case_ *c = &str_to_date_cases[i];
        char got[64] = "";
        bool ok = mysql_str_to_date(c->value, c->format, got, sizeof(got));
        if (ok != (c->want != NULL) || (ok && strcmp(got, c->want) != 0))
            fail_msg("STR_TO_DATE('%s', '%s'): %s, want %s", c->value, c->format, ok ? got : "NULL",
                     c->want ? c->want : "NULL");
    }
}

static const case_ datetime_cases[] = {
    {"2022-04-01", NULL, "2022-04-01 00:00:00"},
    {"2022-4-1 9:05", NULL, "2022-04-01 09:05:00"},
    {"2022-4-01 00:00:00", NULL, "2022-04-01 00:00:00"},
    {"2022/04/01T09:05:00.5", NULL, "2022-04-01 09:05:00.500000"},
    {"20220401", NULL, "2022-04-01 00:00:00"},
    {"20220401093000", NULL, "2022-04-01 09:30:00"},
    {"22-04-01", NULL, "2022-04-01 00:00:00"},
    {" 2022-03-31 23:59:59.000000 ", NULL, "2022-03-31 23:59:59"},
    {"2022-02-29", NULL, NULL},
    {"2022-04-01 24:00:00", NULL, NULL},
    {"April 1", NULL, NULL},
    {"", NULL, NULL},
};

static void test_datetime_from_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(datetime_cases) / sizeof(datetime_cases[0]); i++) {
        const case_ *c = &datetime_cases[i];
        mysql_time t;
        bool ok = mysql_datetime_from_text(c->value, strlen(c->value), &t);
        char got[32] = "";
        if (ok)
            mysql_time_print(&t, got);
        if (ok != (c->want != NULL) || (ok && strcmp(got, c->want) != 0))
            fail_msg("'%s' as DATETIME: %s, want %s", c->value, ok ? got : "NULL",
                     c->want ? c->want : "NULL");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_to_date),
        cmocka_unit_test(test_datetime_from_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
