/*
 * Recursive-descent parser for the statements Mimir answers, in the MySQL
 * dialect: SELECT (with WHERE, GROUP BY, HAVING, ORDER BY, LIMIT), USE, SET,
 * transaction statements, and recognition (not execution) of everything else.
 */
#ifndef MIMIR_PLANNER_PARSER_H
#define MIMIR_PLANNER_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/arena.h"
#include "planner/ast.h"

typedef struct parse_error {
    bool unsupported;   /* valid SQL that Mimir does not run (1235), not a syntax error */
    size_t pos;         /* byte offset of the offending token */
    int line;           /* its line, 1-based */
    const char *near;   /* the statement text from that token on */
    const char *detail; /* what was expected, or what is unsupported */
} parse_error;

/* Deepest nesting of expressions the parser accepts (protects the C stack). */
#define PARSER_MAX_DEPTH 200
/* Most values in one IN (...) list. */
#define PARSER_MAX_IN_LIST 10000
/* Most items of one select list: MySQL's limit on the columns of a table (the
 * backends' own are lower: PostgreSQL 1664, SQLite 2000). */
#define PARSER_MAX_COLUMNS 4096
/* Most operators one statement may chain (a OR b OR ...): a chain is a tree as deep
 * as it is long, and the planner walks trees recursively. */
#define PARSER_MAX_OPERATORS 10000

bool parse_statement(arena *a, const char *sql, size_t len, statement *out, parse_error *err);

#endif
