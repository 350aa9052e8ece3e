/*
 * The exact arithmetic of the final stage, registered in the combine's SQLite
 * database. SQLite has no DECIMAL: the combine stores DECIMAL values as text
 * ("416.51"), and the final SQL the planner prints (planner/final_exact.h)
 * does arithmetic, comparisons, ROUND, TRUNCATE, CAST and the aggregates of
 * derived tables through these functions, with MySQL's rules:
 *
 *   mimir_add/sub/mul/div/mod/intdiv(a, b), mimir_neg(a), mimir_abs(a),
 *   mimir_round(a[, d]), mimir_truncate(a, d), mimir_cast_signed(a),
 *   mimir_cast_decimal(a, p, s), mimir_cmp(a, b) (-1, 0, 1 or NULL),
 *   mimir_display(a, d) (a quotient as MySQL shows and compares it: d decimals),
 *   mimir_sum(a), mimir_avg(a) (aggregates), collation mimir_decimal.
 *
 * A value's storage class says its MySQL type: INTEGER is BIGINT, REAL is
 * DOUBLE, TEXT that reads as a decimal number is DECIMAL (its scale is the
 * number of digits after the point). DOUBLE wins over DECIMAL, DECIMAL over
 * BIGINT, as in MySQL.
 */
#ifndef MIMIR_PROXY_EXEC_COMBINE_FUNCTIONS_H
#define MIMIR_PROXY_EXEC_COMBINE_FUNCTIONS_H

#include <stdbool.h>

#include <sqlite3.h>

bool combine_functions_register(sqlite3 *db);

#endif
