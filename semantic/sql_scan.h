/*
 * Internal companions of the scanner functions declared in catalog.h
 * (sql_shape_scan, sql_select_items, sql_definition_expr): the same scans,
 * but saying why an input was refused, so the loader can tell the user what
 * to fix.
 */
#ifndef MIMIR_SEMANTIC_SQL_SCAN_H
#define MIMIR_SEMANTIC_SQL_SCAN_H

#include "semantic/catalog.h"

/* sql_shape_scan; on false *why (when why is not NULL) says what is wrong. */
bool sql_shape_scan_why(const char *sql, source_sql_shape *shape, const char **why);

/*
 * sql_definition_expr; on NULL *why says what is wrong. A definition written
 * as a SELECT may only have a FROM after its select list: a WHERE, GROUP BY
 * or the like would be silently dropped, since only the expression is used.
 */
char *sql_definition_expr_why(const char *sql, const char **why);

/*
 * The output name of sql when it is a plain column reference
 * ("rental.rental_date" -> "rental_date", "\"Order Date\"" -> "Order Date"),
 * malloc'd; NULL for anything else.
 */
char *sql_plain_column_name(const char *sql);

/*
 * Checks that a metric's expression aggregates its rows: it calls an
 * aggregate function (SUM, COUNT, AVG, MIN, MAX, ...), nests none inside
 * another, and names no column outside one ("SUM(amount) + fee" cannot be
 * computed per group). False with *why naming what is wrong; *offending (when
 * not NULL) is then set to a malloc'd copy of the culprit token, or NULL.
 */
bool sql_aggregate_check(const char *expr, const char **why, char **offending);

/*
 * The first identifier of expr (a time_col such as "rental.rental_date") that
 * does not occur as a name anywhere in sql, malloc'd; NULL when every one
 * does. Names compare case-insensitively, quoted ones exactly.
 */
char *sql_first_name_missing(const char *expr, const char *sql);

/*
 * Checks a row filter (operator-written SQL ANDed into a source's WHERE): it
 * must be one expression that cannot end the clause it is put in: no ';',
 * no comment, balanced parentheses, and no clause keyword (FROM, WHERE,
 * GROUP BY, UNION, ...) outside parentheses; and no parameter placeholder,
 * which a client's value would fill. False with *why on failure.
 */
bool sql_row_filter_check(const char *expr, const char **why);

/*
 * The names an expression refers to as columns (not function names, keywords,
 * literal words or type names), each once in order of first appearance, with
 * the byte offset of its first occurrence. For derived metrics, whose names
 * are metrics. Returns false with *why when the expression does not scan
 * (unterminated quote, unbalanced parentheses, empty). The caller frees
 * (*names)[i], *names and *offsets.
 */
bool sql_expression_names(const char *expr, char ***names, size_t **offsets, size_t *n,
                          const char **why);

#endif
