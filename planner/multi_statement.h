/*
 * Splitting a COM_QUERY into statements when the client enabled
 * CLIENT_MULTI_STATEMENTS. The cut is made by the lexer, so a semicolon
 * inside a string, a quoted identifier or a comment never splits.
 */
#ifndef MIMIR_PLANNER_MULTI_STATEMENT_H
#define MIMIR_PLANNER_MULTI_STATEMENT_H

#include <stddef.h>

/* One statement of the text: bytes [start, start + len), without its ';'. */
typedef struct stmt_span {
    size_t start;
    size_t len;
} stmt_span;

/*
 * Cuts sql at the semicolons that end statements. Returns the number of
 * spans and a malloc'ed array in *out (free it). Whitespace and comments
 * after the last semicolon are no statement, so "SELECT 1;" is one; an empty
 * statement between two semicolons is kept (the planner reports it). Text the
 * lexer cannot read (an unterminated string) ends the split: the rest is one
 * last span, for the parser's error.
 */
size_t multi_statement_split(const char *sql, size_t len, stmt_span **out);

#endif
