/*
 * MySQL's STR_TO_DATE(str, format) in C, for the SQLite connections Mimir
 * registers it on (proxy/backend/sqlite_functions.c): SQLite reads ISO text
 * only. Every format code MySQL reads: %Y %y %m %c %d %e %D %j %H %k %h %I %l
 * %i %s %S %f %p %r %T %M %b %W %a %w and the week codes %U %u %V %v %X %x
 * with MySQL's week arithmetic (sql-common/my_time.c, extract_date_time).
 * Pure: safe on any thread.
 */
#ifndef MIMIR_PLANNER_STR_TO_DATE_H
#define MIMIR_PLANNER_STR_TO_DATE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The value str reads as under format, printed as MySQL's DATE
 * ('YYYY-MM-DD'), TIME ('HH:MM:SS[.ffffff]') or DATETIME, as the format's
 * parts decide (planner/functions.h, str_to_date_type); false when MySQL
 * answers NULL (str does not match, an impossible date, a week code without
 * its year code).
 */
bool mysql_str_to_date(const char *str, const char *format, char *out, size_t size);

#endif
