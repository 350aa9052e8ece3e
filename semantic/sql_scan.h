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

/*
 * A column reference of a row filter: the bytes it spans in the filter and its
 * parts as written, quotes kept ("inventory", "store_id" for inventory.store_id).
 */
typedef struct sql_column_ref {
    size_t begin, end;
    char **parts;
    size_t nparts;
} sql_column_ref;

/*
 * Reads a row filter that is a plain condition on columns: comparisons `ref =
 * literal` (or `literal = ref`), `ref IN (literal, ...)`, `ref IS [NOT] NULL`,
 * combined with AND, OR and parentheses; a literal is a string or a number,
 * possibly negative. Anything else (NOT, <>, ranges, LIKE, a function, a cast, a
 * subquery, a keyword where a column would be) is refused: such a condition is
 * not known to select the same rows from a rollup's grouped values (a collation
 * merges 'a' and 'A' into one group; SQLite's rollup tables lose the collation).
 * On true fills *refs (free with sql_column_refs_free) in the order they occur.
 */
bool sql_filter_column_refs(const char *filter, sql_column_ref **refs, size_t *n);
void sql_column_refs_free(sql_column_ref *refs, size_t n);

/* The parts of expr when it is a plain column reference (quotes kept), else false;
 * the caller frees them with sem_strv_free. */
bool sql_plain_ref_parts(const char *expr, char ***parts, size_t *n);

/* Do two identifiers as written name the same: unquoted ones compared
 * case-insensitively, quoted ones byte for byte (quotes included)? */
bool sql_ident_same(const char *a, const char *b);

/* Does word occur in sql as an unquoted word (outside strings and comments)? */
bool sql_has_word(const char *sql, const char *word);

/*
 * Is what sql[begin, end) computes a function of each row alone: no aggregate call
 * and no window (OVER) anywhere in it? A condition ANDed into the WHERE of a
 * SELECT whose select list is row-wise (and that has nothing after its WHERE)
 * removes output rows and changes no other row's values.
 */
bool sql_row_wise(const char *sql, size_t begin, size_t end);

#endif
