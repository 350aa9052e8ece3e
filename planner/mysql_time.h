/*
 * How MySQL reads and writes dates and times as text: the relaxed reading of a
 * string where a DATETIME is expected ('2022-4-1 9:05', '20220401',
 * '2022/04/01T09:05:00.5') and DATE_FORMAT with every format code
 * (STR_TO_DATE is planner/str_to_date.h). SQLite's own date functions take
 * only ISO text, so the SQLite sources and the final stage call these through
 * functions Mimir registers (proxy/backend/sqlite_time_functions.h); they are
 * plain C, with no SQLite in them.
 */
#ifndef MIMIR_PLANNER_MYSQL_TIME_H
#define MIMIR_PLANNER_MYSQL_TIME_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mysql_time {
    int year, month, day, hour, minute, second, micro;
    bool has_date, has_time; /* which parts the value has */
    bool has_fraction;       /* printed with 6 fraction digits */
} mysql_time;

/* A string read as a DATETIME, as MySQL reads one compared with or converted to a
 * temporal value; false for text MySQL would not read as a date. A date alone is
 * its midnight. */
bool mysql_datetime_from_text(const char *s, size_t len, mysql_time *out);

/* 'YYYY-MM-DD', 'HH:MM:SS' or 'YYYY-MM-DD HH:MM:SS', then '.ffffff' if has_fraction,
 * as MySQL prints the value; returns the length written (out has room for 32). */
size_t mysql_time_print(const mysql_time *t, char out[32]);

/*
 * DATE_FORMAT(t, format) with every format code of MySQL 8 (%a %b %c %D %d %e %f
 * %H %h %I %i %j %k %l %M %m %p %r %S %s %T %U %u %V %v %W %w %X %x %Y %y %%), in
 * English; another character after % is itself. Writes at most size - 1 bytes and a
 * NUL; returns the length.
 */
size_t mysql_date_format(const mysql_time *t, const char *format, size_t flen, char *out,
                         size_t size);

#endif
